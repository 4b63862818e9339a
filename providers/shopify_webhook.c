/*
 * Shopify: webhooks, signed with HMAC-SHA256 over the raw body, and
 * their topics.
 */
#include "providers/shopify_internal.h"
#include "crypto.h"
#include "encode.h"
#include "util/parse.h"

#include <stdio.h>
#include <string.h>

/* REST topic names as they arrive in X-Shopify-Topic. */
static const struct {
	const char *topic;
	enum webhook_kind kind;
} shopify_kinds[] = {
	{"orders/create", WEBHOOK_ORDER},
	{"orders/paid", WEBHOOK_ORDER},
	{"orders/updated", WEBHOOK_ORDER},
	{"orders/cancelled", WEBHOOK_ORDER},
	{"orders/edited", WEBHOOK_IGNORED},
	{"refunds/create", WEBHOOK_REFUND},
	{"app/uninstalled", WEBHOOK_UNINSTALLED},
	{"customers/data_request", WEBHOOK_DATA_REQUEST},
	{"customers/redact", WEBHOOK_CUSTOMER_REDACT},
	{"shop/redact", WEBHOOK_SHOP_REDACT},
};

/* A header under its classic or its newer lower-case "shopify-" name. */
static const char *shopify_header(const struct provider_request *req,
				  const char *name)
{
	const char *v = req->header(req->ctx, name);

	return v ? v : req->header(req->ctx, name + 2);
}

bool shopify_verify_webhook(const struct platform_config *cfg,
			    const struct provider_request *req)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	const char *given = shopify_header(req, "X-Shopify-Hmac-Sha256");
	struct buf b64;
	bool ok;

	if (!given || req->len == 0 || !cfg->client_secret[0])
		return false;
	crypto_hmac_sha256(cfg->client_secret, strlen(cfg->client_secret),
			   req->body, req->len, mac);
	buf_init(&b64, 64);
	ok = base64_encode(&b64, mac, sizeof(mac)) == 0 &&
	     crypto_equal(given, strlen(given), b64.data, b64.len);
	buf_release(&b64);
	return ok;
}

/* A custom app signs with its own secret: its shop names itself here. */
const char *shopify_claimed_shop(const struct provider_request *req)
{
	return shopify_header(req, "X-Shopify-Shop-Domain");
}

int shopify_classify_webhook(const struct provider_request *req,
			     struct webhook_info *out, struct buf *err)
{
	const char *topic = shopify_header(req, "X-Shopify-Topic");
	const char *shop = shopify_header(req, "X-Shopify-Shop-Domain");
	const char *id = shopify_header(req, "X-Shopify-Webhook-Id");
	const char *at = shopify_header(req, "X-Shopify-Triggered-At");
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!topic || !shop || !id)
		return errorf(err, "missing X-Shopify-Topic, -Shop-Domain or "
				   "-Webhook-Id header");
	if (!shopify_valid_shop(shop))
		return errorf(err, "shop '%s' is not a *.myshopify.com domain",
			      shop);
	if (strlen(id) >= sizeof(out->delivery_id) || !id[0])
		return errorf(err, "webhook id is empty or too long");
	snprintf(out->shop, sizeof(out->shop), "%s", shop);
	snprintf(out->delivery_id, sizeof(out->delivery_id), "%s", id);
	snprintf(out->topic, sizeof(out->topic), "%s", topic);
	out->kind = WEBHOOK_IGNORED;
	for (i = 0; i < sizeof(shopify_kinds) / sizeof(shopify_kinds[0]); i++)
		if (strcmp(shopify_kinds[i].topic, topic) == 0)
			out->kind = shopify_kinds[i].kind;
	if (at)
		parse_iso8601(at, &out->event_time);
	return 0;
}
