-- POSTs one Shopify order body whose signature does not match:
-- wrk ... -s badsig.lua URL -- BODYFILE SIGNATURE SHOP
-- The signature should look real (32 bytes in base64, made with another
-- secret), so that the daemon computes the whole HMAC to refuse it.
-- No request() function: wrk formats the request once and resends it,
-- as nothing about a rejected delivery needs to be unique.
function init(args)
	local f = assert(io.open(args[1], "rb"))
	wrk.body = f:read("*a")
	f:close()
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
	wrk.headers["X-Shopify-Topic"] = "orders/paid"
	wrk.headers["X-Shopify-Shop-Domain"] = args[3]
	wrk.headers["X-Shopify-API-Version"] = "2025-10"
	wrk.headers["X-Shopify-Webhook-Id"] = "bad-signature"
	wrk.headers["X-Shopify-Hmac-Sha256"] = args[2]
end
