-- POSTs signed Ecwid events, each with its own event id and signature
-- from a file made by bench_tool: wrk ... -s ecwid.lua URL -- FILE STORE
local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
	thread:set("nthreads", 0)
end

function init(args)
	events = {}
	for line in io.lines(args[1]) do
		local id, created, sig = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)")
		events[#events + 1] = {id, created, sig}
	end
	store = args[2]
	i = tid
end

function request()
	local e = events[i]
	i = i + 2
	if i > #events then i = tid end
	local body = string.format('{"eventId":"%s","eventCreated":%s,' ..
		'"storeId":%s,"entityId":101,"eventType":"order.updated",' ..
		'"data":{"orderId":"BENCH1","newPaymentStatus":"PAID"}}',
		e[1], e[2], store)
	return wrk.format("POST", nil, {
		["Content-Type"] = "application/json",
		["X-Ecwid-Webhook-Signature"] = e[3],
	}, body)
end
