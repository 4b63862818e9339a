-- POSTs one signed Shopify order body with a unique X-Shopify-Webhook-Id
-- per request: wrk ... -s webhook.lua URL -- BODYFILE SIGNATURE SHOP
-- The request is formatted once, around the id, so that the load
-- generator spends its share of the two cores sending, not formatting.
local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

function init(args)
	local f = assert(io.open(args[1], "rb"))
	local body = f:read("*a")
	f:close()
	local marker = "@WEBHOOK-ID@"
	local whole = wrk.format("POST", nil, {
		["Content-Type"] = "application/json",
		["X-Shopify-Topic"] = "orders/paid",
		["X-Shopify-Shop-Domain"] = args[3],
		["X-Shopify-API-Version"] = "2025-10",
		["X-Shopify-Webhook-Id"] = marker,
		["X-Shopify-Hmac-Sha256"] = args[2],
	}, body)
	local at = assert(whole:find(marker, 1, true))
	head = whole:sub(1, at - 1)
	tail = whole:sub(at + #marker)
	prefix = string.format("b%d-%d-", tid, os.time())
	counter = 0
end

function request()
	counter = counter + 1
	return head .. prefix .. counter .. tail
end
