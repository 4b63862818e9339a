/*
 * Shopify: webhooks, signed with HMAC-SHA256 over the raw body, and
 * their topics.
 */
#include "providers/shopify/internal.h"
#include "util/crypto.h"
#include "util/encode.h"
#include "util/json.h"
#include "util/parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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

/*
 * Shopify signs the body only: X-Shopify-Topic and -Shop-Domain are not
 * covered, so a captured body could be sent again under another topic
 * or for another shop. Each kind's body must therefore have its own
 * shape (members it must and must not have, and the type its
 * admin_graphql_api_id names, when it has one), and every shop the body
 * names must be the header's shop.
 */
static const struct shopify_shape {
	enum webhook_kind kind;
	const char *gid;     /* admin_graphql_api_id prefix; NULL: none */
	const char *need[3]; /* members the body must have */
	const char *deny;    /* a member of a look-alike kind's body */
} shopify_shapes[] = {
	{WEBHOOK_ORDER, "gid://shopify/Order/", {"line_items"}, "order_id"},
	{WEBHOOK_REFUND, "gid://shopify/Refund/", {"order_id"}, "line_items"},
	{WEBHOOK_UNINSTALLED,
	 "gid://shopify/Shop/",
	 {"myshopify_domain"},
	 "shop_domain"},
	{WEBHOOK_DATA_REQUEST,
	 NULL,
	 {"shop_domain", "customer", "data_request"},
	 "orders_to_redact"},
	{WEBHOOK_CUSTOMER_REDACT,
	 NULL,
	 {"shop_domain", "customer", "orders_to_redact"},
	 "data_request"},
	{WEBHOOK_SHOP_REDACT, NULL, {"shop_domain", "shop_id"}, "customer"},
};

/* The host of an https URL or a bare domain, into out ("" if none). */
static void shopify_host(const char *v, char *out, size_t n)
{
	size_t len;

	if (strncmp(v, "https://", 8) == 0)
		v += 8;
	len = strcspn(v, "/:?#");
	snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), v);
}

/*
 * The members that name a shop: shop_domain and myshopify_domain always
 * name the *.myshopify.com domain; domain and order_status_url may hold
 * the shop's own domain instead, which the headers cannot be compared
 * with, so only a *.myshopify.com host there has to match.
 */
static int shopify_same_shop(const cJSON *root, const char *shop,
			     struct buf *err)
{
	static const struct {
		const char *key;
		bool always;
	} keys[] = {{"shop_domain", true},
		    {"myshopify_domain", true},
		    {"domain", false},
		    {"order_status_url", false}};
	char host[256];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = json_get(root, keys[i].key);

		if (!v)
			continue;
		if (!cJSON_IsString(v))
			return errorf(err, "field '%s' is not a string",
				      keys[i].key);
		shopify_host(v->valuestring, host, sizeof(host));
		if (!keys[i].always && !shopify_valid_shop(host))
			continue;
		if (strcasecmp(host, shop) != 0)
			return errorf(err,
				      "field '%s' names shop '%.100s', the "
				      "headers '%s'",
				      keys[i].key, host, shop);
	}
	return 0;
}

static int shopify_same_kind(const cJSON *root, const char *topic,
			     enum webhook_kind kind, struct buf *err)
{
	const cJSON *gid = json_get(root, "admin_graphql_api_id");
	const struct shopify_shape *sh = NULL;
	size_t i;

	for (i = 0; i < sizeof(shopify_shapes) / sizeof(shopify_shapes[0]); i++)
		if (shopify_shapes[i].kind == kind)
			sh = &shopify_shapes[i];
	if (!sh)
		return 0;
	if (gid && (!sh->gid || !cJSON_IsString(gid) ||
		    strncmp(gid->valuestring, sh->gid, strlen(sh->gid)) != 0))
		return errorf(err,
			      "the body's admin_graphql_api_id is not "
			      "what topic '%s' carries",
			      topic);
	for (i = 0; i < sizeof(sh->need) / sizeof(sh->need[0]); i++)
		if (sh->need[i] && !json_get(root, sh->need[i]))
			return errorf(err,
				      "a '%s' body has '%s', this one has not",
				      topic, sh->need[i]);
	if (json_get(root, sh->deny))
		return errorf(err, "a '%s' body has no '%s', this one has",
			      topic, sh->deny);
	return 0;
}

/*
 * Whether the signed body is what the unsigned headers say it is. A body
 * that is no JSON object names no shop and no kind, so it contradicts
 * nothing: the delivery is stored (Shopify counts any other answer
 * toward deleting the subscription) and the worker records why it could
 * not be read.
 */
static int shopify_body_matches(const struct provider_request *req,
				struct webhook_info *w, struct buf *err)
{
	struct buf ignored;
	cJSON *root;
	int rc = 0;

	buf_init(&ignored, BUF_SMALL);
	root = json_parse(req->body, req->len, &ignored);
	if (cJSON_IsObject(root) &&
	    (shopify_same_shop(root, w->shop, err) < 0 ||
	     shopify_same_kind(root, w->topic, w->kind, err) < 0)) {
		w->mismatch = true;
		rc = -1;
	}
	cJSON_Delete(root);
	buf_release(&ignored);
	return rc;
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
	return shopify_body_matches(req, out, err);
}
