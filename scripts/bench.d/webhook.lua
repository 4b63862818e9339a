-- POSTs one signed Shopify order body with a unique X-Shopify-Webhook-Id
-- per request: wrk ... -s webhook.lua URL -- BODYFILE SIGNATURE SHOP
local counter = 0
local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

function init(args)
	local f = assert(io.open(args[1], "rb"))
	body = f:read("*a")
	f:close()
	signature = args[2]
	shop = args[3]
end

function request()
	counter = counter + 1
	return wrk.format("POST", nil, {
		["Content-Type"] = "application/json",
		["X-Shopify-Topic"] = "orders/paid",
		["X-Shopify-Shop-Domain"] = shop,
		["X-Shopify-API-Version"] = "2025-10",
		["X-Shopify-Webhook-Id"] = string.format("b%d-%d-%d", tid,
			counter, os.time()),
		["X-Shopify-Hmac-Sha256"] = signature,
	}, body)
end
