/*
 * Shopify: OAuth install with query HMACs, webhooks signed over the raw
 * body, REST order JSON into the neutral order, and rewards through the
 * GraphQL Admin API (discountCodeBasicCreate, giftCardCreate) with the
 * cost-based throttle read from every answer. Facts and sources are in
 * shared/design/PLATFORMS.md, section 1.
 */
#include "providers/provider.h"
#include "crypto.h"
#include "encode.h"
#include "http_client.h"
#include "order.h"
#include "util/json.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shopify's own tolerance for the install and callback timestamps. */
#define SHOPIFY_CLOCK_TOLERANCE 90
#define SHOPIFY_MAX_PARAMS	32

static const char shopify_topics[][20] = {
	"ORDERS_CREATE",    "ORDERS_PAID",    "ORDERS_UPDATED",
	"ORDERS_CANCELLED", "REFUNDS_CREATE", "APP_UNINSTALLED",
};

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

/* name.myshopify.com and nothing else: the guard against arbitrary hosts. */
static bool shopify_valid_shop(const char *shop)
{
	static const char suffix[] = ".myshopify.com";
	size_t n = shop ? strlen(shop) : 0, i;

	if (n <= sizeof(suffix) - 1 || n > 255 ||
	    strcmp(shop + n - (sizeof(suffix) - 1), suffix) != 0)
		return false;
	n -= sizeof(suffix) - 1;
	if (!isalnum((unsigned char)shop[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)shop[i]) && shop[i] != '-')
			return false;
	return true;
}

/* Query HMAC (install, callback) */

struct shopify_param {
	const char *key;
	const char *value;
};

struct shopify_params {
	struct shopify_param items[SHOPIFY_MAX_PARAMS];
	int n;
	bool overflow;
};

static int shopify_collect(void *arg, const char *key, const char *value)
{
	struct shopify_params *p = arg;

	if (strcmp(key, "hmac") == 0 || strcmp(key, "signature") == 0)
		return 0;
	if (p->n == SHOPIFY_MAX_PARAMS) {
		p->overflow = true;
		return 1;
	}
	p->items[p->n].key = key;
	p->items[p->n].value = value ? value : "";
	p->n++;
	return 0;
}

static int shopify_param_cmp(const void *a, const void *b)
{
	const struct shopify_param *x = a, *y = b;

	return strcmp(x->key, y->key);
}

/* Form encoding with spaces as %20, as the current SDK signs them. */
static int shopify_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '*' || c == '-' || c == '.' ||
		    c == '_') {
			if (buf_putc(out, (char)c) < 0)
				return -1;
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			if (buf_append(out, e, 3) < 0)
				return -1;
		}
	}
	return 0;
}

static bool shopify_query_signed(const struct platform_config *cfg,
				 const struct provider_request *req)
{
	struct shopify_params params;
	unsigned char mac[CRYPTO_SHA256_LEN];
	struct buf text, hex;
	const char *given = req->query(req->ctx, "hmac");
	bool ok = false;
	int i;

	if (!given || strlen(given) != 2 * CRYPTO_SHA256_LEN ||
	    !cfg->client_secret[0])
		return false;
	memset(&params, 0, sizeof(params));
	req->each_query(req->ctx, shopify_collect, &params);
	if (params.overflow)
		return false;
	qsort(params.items, (size_t)params.n, sizeof(params.items[0]),
	      shopify_param_cmp);
	buf_init(&text, 8192);
	buf_init(&hex, 128);
	for (i = 0; i < params.n; i++)
		if ((i && buf_putc(&text, '&') < 0) ||
		    shopify_encode(&text, params.items[i].key) < 0 ||
		    buf_putc(&text, '=') < 0 ||
		    shopify_encode(&text, params.items[i].value) < 0)
			goto out;
	crypto_hmac_sha256(cfg->client_secret, strlen(cfg->client_secret),
			   text.data, text.len, mac);
	if (hex_encode(&hex, mac, sizeof(mac)) < 0)
		goto out;
	{
		char lower[2 * CRYPTO_SHA256_LEN];

		for (i = 0; i < 2 * CRYPTO_SHA256_LEN; i++)
			lower[i] = (char)tolower((unsigned char)given[i]);
		ok = crypto_equal(lower, sizeof(lower), hex.data, hex.len);
	}
out:
	buf_release(&text);
	buf_release(&hex);
	return ok;
}

/* The shop, HMAC and timestamp checks shared by install and callback. */
static int shopify_check_query(const struct provider_env *env,
			       const struct provider_request *req,
			       const char **shop, struct buf *err)
{
	const char *ts = req->query(req->ctx, "timestamp");
	int64_t t;

	*shop = req->query(req->ctx, "shop");
	if (!*shop || !shopify_valid_shop(*shop))
		return errorf(err, "shop '%s' is not a *.myshopify.com domain",
			      *shop ? *shop : "");
	if (!shopify_query_signed(env->cfg, req))
		return errorf(err, "bad or missing hmac on the request");
	if (!ts || parse_int_str(ts, INT64_MAX, &t) < 0)
		return errorf(err, "missing or bad timestamp");
	if (t < env->now - SHOPIFY_CLOCK_TOLERANCE ||
	    t > env->now + SHOPIFY_CLOCK_TOLERANCE)
		return errorf(err, "timestamp %lld is stale (now %lld)",
			      (long long)t, (long long)env->now);
	return 0;
}

static int shopify_install_redirect(const struct provider_env *env,
				    const struct provider_request *req,
				    const char *state, struct buf *location,
				    char shop_out[256], struct buf *err)
{
	const char *shop;

	if (shopify_check_query(env, req, &shop, err) < 0)
		return -1;
	snprintf(shop_out, 256, "%s", shop);
	if (provider_base_url(env->cfg->oauth_base, shop, location) < 0 ||
	    buf_puts(location, "/admin/oauth/authorize?client_id=") < 0 ||
	    url_encode(location, env->cfg->client_id) < 0 ||
	    buf_puts(location, "&scope=") < 0 ||
	    url_encode(location, env->cfg->scopes) < 0 ||
	    buf_puts(location, "&redirect_uri=") < 0 ||
	    url_encode(location, env->cfg->public_url) < 0 ||
	    buf_puts(location, "%2Fauth%2Fshopify%2Fcallback&state=") < 0 ||
	    url_encode(location, state) < 0 ||
	    buf_puts(location, "&grant_options%5B%5D=") < 0)
		return errorf(err, "authorize URL too long");
	return 0;
}

/* Calls and answers */

/* A string or number member as text, NULL when absent or of another type. */
static const char *shopify_str(const cJSON *obj, const char *key)
{
	const cJSON *v = json_get(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int shopify_url(const struct provider_env *env, const char *path,
		       struct buf *url)
{
	if (provider_base_url(env->cfg->api_base, env->shop->domain, url) < 0 ||
	    buf_printf(url, "/admin/api/%s/%s", env->cfg->api_version, path) <
		    0)
		return -1;
	return 0;
}

/* Maps a transport failure or an HTTP status that is not 200. */
static enum provider_status shopify_http_status(const struct http_result *r,
						int rc, struct buf *err)
{
	if (rc < 0) {
		errorf(err, "no answer from Shopify: %s", r->error);
		return PROVIDER_RETRY;
	}
	if (r->status == 401 || r->status == 403) {
		errorf(err, "Shopify refused the token (HTTP %ld)", r->status);
		return PROVIDER_UNAUTHORIZED;
	}
	if (r->status == 404) {
		errorf(err, "not found on Shopify (HTTP 404)");
		return PROVIDER_NOT_FOUND;
	}
	if (r->status == 429 || r->status >= 500) {
		errorf(err, "Shopify answered HTTP %ld", r->status);
		return PROVIDER_RETRY;
	}
	if (r->status != 200 && r->status != 201) {
		errorf(err, "Shopify answered HTTP %ld: %.200s", r->status,
		       buf_str(&r->body));
		return PROVIDER_REJECTED;
	}
	return PROVIDER_OK;
}

static int shopify_post_json(const struct provider_env *env, const char *url,
			     const struct buf *body, struct http_result *r)
{
	char auth[600];
	const char *headers[] = {"Content-Type: application/json",
				 "Accept: application/json", auth, NULL};
	struct http_call call = {"POST", url, headers, body->data, body->len};

	snprintf(auth, sizeof(auth), "X-Shopify-Access-Token: %s",
		 env->shop && env->shop->token ? env->shop->token : "");
	return http_client_do(env->http, &call, r);
}

/* The throttle status every GraphQL answer carries. */
static void shopify_rate(const cJSON *root, struct rate_hint *rate)
{
	const cJSON *cost = json_get(json_get(root, "extensions"), "cost");
	const cJSON *ts = json_get(cost, "throttleStatus");

	memset(rate, 0, sizeof(*rate));
	json_int(ts, "currentlyAvailable", 0, &rate->available, NULL);
	json_int(ts, "maximumAvailable", 0, &rate->capacity, NULL);
	json_int(ts, "restoreRate", 0, &rate->restore, NULL);
	json_int(cost, "requestedQueryCost", 0, &rate->cost, NULL);
}

/*
 * Runs one GraphQL call. On PROVIDER_OK *root holds the parsed answer
 * (caller frees) and its data object is checked for userErrors by the
 * caller. Throttling, access denial and HTTP failures are mapped here.
 */
static enum provider_status
shopify_graphql(const struct provider_env *env, const struct buf *body,
		cJSON **root, struct reward_result *res, struct buf *err)
{
	struct http_result r;
	struct buf url;
	const cJSON *e;
	const char *code, *msg;
	enum provider_status st;
	int rc;

	*root = NULL;
	buf_init(&url, 2048);
	http_result_init(&r);
	if (shopify_url(env, "graphql.json", &url) < 0) {
		st = PROVIDER_REJECTED;
		errorf(err, "GraphQL URL too long");
		goto out;
	}
	rc = shopify_post_json(env, url.data, body, &r);
	*root = rc == 0 ? json_parse(r.body.data, r.body.len, NULL) : NULL;
	if (*root && res)
		shopify_rate(*root, &res->rate);
	e = cJSON_GetArrayItem(json_get(*root, "errors"), 0);
	code = shopify_str(json_get(e, "extensions"), "code");
	if (code && strcmp(code, "THROTTLED") == 0) {
		st = PROVIDER_RETRY;
		if (res) {
			int64_t need = res->rate.cost - res->rate.available;

			/* The SDK's wait when the answer gives no better one.
			 */
			res->retry_after_ms = 1000;
			if (res->rate.restore > 0 && need > 0)
				res->retry_after_ms =
					need * 1000 / res->rate.restore + 1;
		}
		errorf(err, "Shopify throttled the call");
	} else if ((st = shopify_http_status(&r, rc, err)) != PROVIDER_OK) {
		if (res)
			res->retry_after_ms = r.retry_after_ms;
	} else if (!*root) {
		st = PROVIDER_RETRY;
		errorf(err, "Shopify answered with something that is not JSON");
	} else if (e) {
		bool denied = code && strcmp(code, "ACCESS_DENIED") == 0;

		st = denied ? PROVIDER_UNSUPPORTED : PROVIDER_REJECTED;
		msg = shopify_str(e, "message");
		errorf(err, "Shopify: %s", msg ? msg : "error");
	}
out:
	if (st != PROVIDER_OK) {
		cJSON_Delete(*root);
		*root = NULL;
	}
	http_result_release(&r);
	buf_release(&url);
	return st;
}

/* Appends {"query": q, "variables": {...vars...}}; vars is JSON text. */
static int shopify_body(struct buf *body, const char *query, const char *vars)
{
	return buf_puts(body, "{\"query\":") < 0 ||
			       json_escape(body, query) < 0 ||
			       buf_printf(body, ",\"variables\":%s}", vars) < 0
		       ? -1
		       : 0;
}

/* The first userError: TAKEN becomes EXISTS, any other REJECTED. */
static enum provider_status shopify_user_errors(const cJSON *payload,
						struct buf *err)
{
	const cJSON *ue =
		cJSON_GetArrayItem(json_get(payload, "userErrors"), 0);
	const char *code, *msg;

	if (!ue)
		return PROVIDER_OK;
	code = shopify_str(ue, "code");
	msg = shopify_str(ue, "message");
	if (code && strcmp(code, "TAKEN") == 0)
		return PROVIDER_EXISTS;
	errorf(err, "Shopify refused: %s%s%s", msg ? msg : "invalid input",
	       code ? " " : "", code ? code : "");
	return PROVIDER_REJECTED;
}

/* Install */

static enum provider_status
shopify_finish_install(const struct provider_env *env,
		       const struct provider_request *req,
		       struct install_result *out, struct buf *err)
{
	const char *shop, *code = req->query(req->ctx, "code");
	struct provider_env call_env = *env;
	struct provider_shop target = {0, NULL, NULL, NULL};
	struct http_result r;
	struct buf url, body;
	cJSON *root = NULL;
	enum provider_status st = PROVIDER_REJECTED;
	int rc;

	if (shopify_check_query(env, req, &shop, err) < 0)
		return PROVIDER_REJECTED;
	if (!code || !code[0]) {
		errorf(err, "the callback carries no code");
		return PROVIDER_REJECTED;
	}
	target.domain = shop;
	call_env.shop = &target;
	buf_init(&url, 2048);
	buf_init(&body, 4096);
	http_result_init(&r);
	if (provider_base_url(env->cfg->oauth_base, shop, &url) < 0 ||
	    buf_puts(&url, "/admin/oauth/access_token") < 0 ||
	    buf_puts(&body, "{\"client_id\":") < 0 ||
	    json_escape(&body, env->cfg->client_id) < 0 ||
	    buf_puts(&body, ",\"client_secret\":") < 0 ||
	    json_escape(&body, env->cfg->client_secret) < 0 ||
	    buf_puts(&body, ",\"code\":") < 0 || json_escape(&body, code) < 0 ||
	    buf_puts(&body, ",\"expiring\":\"0\"}") < 0) {
		errorf(err, "token request too long");
		goto out;
	}
	rc = shopify_post_json(&call_env, url.data, &body, &r);
	st = shopify_http_status(&r, rc, err);
	if (st == PROVIDER_UNAUTHORIZED || st == PROVIDER_NOT_FOUND)
		st = PROVIDER_REJECTED;
	if (st != PROVIDER_OK)
		goto out;
	root = json_parse(r.body.data, r.body.len, err);
	if (!shopify_str(root, "access_token")) {
		errorf(err, "the token answer holds no access_token");
		st = PROVIDER_REJECTED;
		goto out;
	}
	snprintf(out->shop, sizeof(out->shop), "%s", shop);
	snprintf(out->token, sizeof(out->token), "%s",
		 shopify_str(root, "access_token"));
	snprintf(out->scopes, sizeof(out->scopes), "%s",
		 shopify_str(root, "scope") ? shopify_str(root, "scope") : "");
out:
	cJSON_Delete(root);
	http_result_release(&r);
	buf_release(&url);
	buf_release(&body);
	return st;
}

static enum provider_status shopify_subscribe(const struct provider_env *env,
					      const char *topic,
					      const char *address,
					      struct buf *err)
{
	static const char query[] =
		"mutation webhookSubscriptionCreate($topic: "
		"WebhookSubscriptionTopic!, $webhookSubscription: "
		"WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: "
		"$topic, webhookSubscription: $webhookSubscription) { "
		"webhookSubscription { id } userErrors { field message } } }";
	struct buf vars, body;
	cJSON *root = NULL;
	const cJSON *ue;
	enum provider_status st = PROVIDER_REJECTED;

	buf_init(&vars, 4096);
	buf_init(&body, 8192);
	if (buf_printf(&vars,
		       "{\"topic\":\"%s\",\"webhookSubscription\":"
		       "{\"uri\":",
		       topic) < 0 ||
	    json_escape(&vars, address) < 0 ||
	    buf_puts(&vars, ",\"format\":\"JSON\"}}") < 0 ||
	    shopify_body(&body, query, vars.data) < 0) {
		errorf(err, "subscription request too long");
		goto out;
	}
	st = shopify_graphql(env, &body, &root, NULL, err);
	if (st != PROVIDER_OK)
		goto out;
	ue = cJSON_GetArrayItem(json_get(json_get(json_get(root, "data"),
						  "webhookSubscriptionCreate"),
					 "userErrors"),
				0);
	/* "Address for this topic has already been taken": subscribed. */
	if (ue && (!shopify_str(ue, "message") ||
		   !strstr(shopify_str(ue, "message"), "already been taken"))) {
		errorf(err, "Shopify refused the %s subscription: %s", topic,
		       shopify_str(ue, "message") ? shopify_str(ue, "message")
						  : "no reason given");
		st = PROVIDER_REJECTED;
	}
out:
	cJSON_Delete(root);
	buf_release(&vars);
	buf_release(&body);
	return st;
}

static enum provider_status
shopify_register_webhooks(const struct provider_env *env, const char *address,
			  struct buf *err)
{
	enum provider_status st = PROVIDER_OK;
	size_t i;

	for (i = 0; i < sizeof(shopify_topics) / sizeof(shopify_topics[0]) &&
		    st == PROVIDER_OK;
	     i++)
		st = shopify_subscribe(env, shopify_topics[i], address, err);
	return st;
}

static enum provider_status
shopify_describe_shop(const struct provider_env *env, struct shop_info *out,
		      struct buf *err)
{
	static const char query[] =
		"query { shop { name currencyCode myshopifyDomain email } }";
	struct buf body;
	cJSON *root = NULL;
	const cJSON *shop;
	enum provider_status st;

	buf_init(&body, 1024);
	if (shopify_body(&body, query, "{}") < 0) {
		buf_release(&body);
		return PROVIDER_REJECTED;
	}
	st = shopify_graphql(env, &body, &root, NULL, err);
	buf_release(&body);
	if (st != PROVIDER_OK)
		return st;
	shop = json_get(json_get(root, "data"), "shop");
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s",
		 shopify_str(shop, "name") ? shopify_str(shop, "name") : "");
	snprintf(out->email, sizeof(out->email), "%s",
		 shopify_str(shop, "email") ? shopify_str(shop, "email") : "");
	snprintf(out->currency, sizeof(out->currency), "%s",
		 shopify_str(shop, "currencyCode")
			 ? shopify_str(shop, "currencyCode")
			 : "");
	cJSON_Delete(root);
	if (!money_currency_valid(out->currency)) {
		errorf(err, "Shopify reports an unknown currency '%s'",
		       out->currency);
		return PROVIDER_REJECTED;
	}
	return PROVIDER_OK;
}

/* Webhooks */

/* A header under its classic or its newer lower-case "shopify-" name. */
static const char *shopify_header(const struct provider_request *req,
				  const char *name)
{
	const char *v = req->header(req->ctx, name);

	return v ? v : req->header(req->ctx, name + 2);
}

static bool shopify_verify_webhook(const struct platform_config *cfg,
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
static const char *shopify_claimed_shop(const struct provider_request *req)
{
	return shopify_header(req, "X-Shopify-Shop-Domain");
}

static int shopify_classify_webhook(const struct provider_request *req,
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

/* Orders */

static char *shopify_dup(const cJSON *obj, const char *key)
{
	const char *v = shopify_str(obj, key);

	return v && v[0] ? xstrdup(v) : NULL;
}

/* A decimal money member of obj. */
static int shopify_money(const cJSON *obj, const char *key, int exp,
			 int64_t *out, struct buf *err)
{
	return json_money(obj, key, exp, out, err);
}

static const char *shopify_set_amount(const cJSON *obj, const char *set,
				      const char *which)
{
	return shopify_str(json_get(json_get(obj, set), which), "amount");
}

static int shopify_financial(const char *s, enum order_financial *out)
{
	if (!s || strcmp(s, "pending") == 0 || strcmp(s, "authorized") == 0 ||
	    strcmp(s, "partially_paid") == 0 || strcmp(s, "expired") == 0)
		*out = ORDER_PENDING;
	else if (strcmp(s, "paid") == 0)
		*out = ORDER_PAID;
	else if (strcmp(s, "partially_refunded") == 0)
		*out = ORDER_PARTIALLY_REFUNDED;
	else if (strcmp(s, "refunded") == 0)
		*out = ORDER_REFUNDED;
	else if (strcmp(s, "voided") == 0)
		*out = ORDER_VOIDED;
	else
		return -1;
	return 0;
}

static int shopify_line(const cJSON *j, int exp, struct order_line *l,
			struct buf *err)
{
	const cJSON *allocs, *a;
	bool bad = false, gift = false;
	int64_t v;

	if (!cJSON_IsObject(j))
		return errorf(err, "each line item should be an object");
	l->id = shopify_dup(j, "id");
	l->product_id = shopify_dup(j, "product_id");
	l->sku = shopify_dup(j, "sku");
	l->title = shopify_dup(j, "title");
	allocs = json_array(j, "discount_allocations", &bad, err);
	if (bad || json_int(j, "quantity", 1, &l->quantity, err) < 0 ||
	    shopify_money(j, "price", exp, &l->price, err) < 0 ||
	    json_bool(j, "gift_card", false, &gift, err) < 0)
		return error_prefix(err, "line item");
	l->gift_card = gift;
	/* The allocations are the truth; total_discount often reads 0.00. */
	if (allocs && cJSON_GetArraySize(allocs) > 0) {
		cJSON_ArrayForEach(a, allocs)
		{
			if (shopify_money(a, "amount", exp, &v, err) < 0 ||
			    money_add(l->discount, v, &l->discount) < 0)
				return error_prefix(err, "discount allocation");
		}
	} else if (shopify_money(j, "total_discount", exp, &l->discount, err) <
		   0) {
		return error_prefix(err, "line item");
	}
	if (l->quantity < 0 || l->price < 0 || l->discount < 0)
		return errorf(err, "line item with negative amounts");
	return 0;
}

/* A money member of obj's key_set.shop_money, or of key itself. */
static int shopify_shop_money(const cJSON *obj, const char *key, int exp,
			      int64_t *out, struct buf *err)
{
	char set[64];
	const char *v;

	snprintf(set, sizeof(set), "%s_set", key);
	v = shopify_set_amount(obj, set, "shop_money");
	*out = 0;
	if (v)
		return money_parse(v, exp, out, err);
	return shopify_money(obj, key, exp, out, err);
}

/* Money returned in shop currency, by transactions in that currency. */
static int shopify_refund_paid(const cJSON *j, const char *currency, int exp,
			       int64_t *amount, bool *foreign, struct buf *err)
{
	const cJSON *t;
	int64_t v;

	*amount = 0;
	*foreign = false;
	cJSON_ArrayForEach(t, json_get(j, "transactions"))
	{
		const char *kind = shopify_str(t, "kind");
		const char *status = shopify_str(t, "status");
		const char *cur = shopify_str(t, "currency");

		if (!kind || strcmp(kind, "refund") != 0 ||
		    (status && strcmp(status, "success") != 0))
			continue;
		/* Shopify refunds in the buyer's (presentment) currency. */
		if (cur && strcmp(cur, currency) != 0) {
			*foreign = true;
			continue;
		}
		if (shopify_money(t, "amount", exp, &v, err) < 0 ||
		    money_add(*amount, v, amount) < 0)
			return error_prefix(err, "refund transaction");
	}
	return 0;
}

/*
 * The refunded lines in shop money: base (subtotals of lines that are
 * not gift cards) and total (subtotals and taxes of every line).
 */
static int shopify_refund_lines(const cJSON *j, int exp, int64_t *base,
				int64_t *total, struct buf *err)
{
	const cJSON *li;
	int64_t sub, tax;
	bool gift = false;

	*base = *total = 0;
	cJSON_ArrayForEach(li, json_get(j, "refund_line_items"))
	{
		if (shopify_shop_money(li, "subtotal", exp, &sub, err) < 0 ||
		    shopify_shop_money(li, "total_tax", exp, &tax, err) < 0 ||
		    json_bool(json_get(li, "line_item"), "gift_card", false,
			      &gift, err) < 0)
			return error_prefix(err, "refund line");
		if (money_add(*total, sub, total) < 0 ||
		    money_add(*total, tax, total) < 0 ||
		    (!gift && money_add(*base, sub, base) < 0))
			return errorf(err, "refund overflows");
	}
	return 0;
}

/* Shipping refunded, and whether every adjustment was shipping. */
static int shopify_refund_adjustments(const cJSON *j, int exp,
				      int64_t *shipping, bool *only_shipping,
				      struct buf *err)
{
	const cJSON *a;
	int64_t v;

	*shipping = 0;
	*only_shipping =
		cJSON_GetArraySize(json_get(j, "order_adjustments")) > 0;
	cJSON_ArrayForEach(a, json_get(j, "order_adjustments"))
	{
		const char *kind = shopify_str(a, "kind");

		if (!kind || strcmp(kind, "shipping_refund") != 0) {
			*only_shipping = false;
			continue;
		}
		/* Adjustments are negative: money taken off the order. */
		if (shopify_shop_money(a, "amount", exp, &v, err) < 0)
			return error_prefix(err, "order adjustment");
		*shipping -= v;
	}
	return 0;
}

static int shopify_refund(const cJSON *j, const char *currency,
			  struct order_refund *r, struct buf *err)
{
	int exp = money_exponent(currency);
	int64_t paid, base, lines_total, shipping;
	bool foreign, only_shipping, has_lines;

	if (!cJSON_IsObject(j) || !(r->id = shopify_dup(j, "id")))
		return errorf(err, "a refund has no id");
	if (shopify_str(j, "created_at"))
		parse_iso8601(shopify_str(j, "created_at"), &r->created_at);
	has_lines = cJSON_GetArraySize(json_get(j, "refund_line_items")) > 0;
	if (shopify_refund_paid(j, currency, exp, &paid, &foreign, err) < 0 ||
	    shopify_refund_lines(j, exp, &base, &lines_total, err) < 0 ||
	    shopify_refund_adjustments(j, exp, &shipping, &only_shipping, err) <
		    0)
		return -1;
	/* Paid in another currency: count what the lines were worth here. */
	r->amount = foreign && paid == 0 ? lines_total + shipping : paid;
	if (has_lines)
		r->base = base;
	else if (only_shipping)
		r->base = 0; /* shipping is never in the base */
	else
		r->base = -1; /* money only: the engine prorates it */
	return 0;
}

static int shopify_lists(const cJSON *root, int exp, struct order *o,
			 struct buf *err)
{
	bool bad = false;
	const cJSON *lines = json_array(root, "line_items", &bad, err);
	const cJSON *codes = json_array(root, "discount_codes", &bad, err);
	const cJSON *attrs = json_array(root, "note_attributes", &bad, err);
	const cJSON *refunds = json_array(root, "refunds", &bad, err);
	const cJSON *it;

	if (bad)
		return -1;
	cJSON_ArrayForEach(it, lines)
	{
		if (shopify_line(it, exp, order_add_line(o), err) < 0)
			return -1;
	}
	cJSON_ArrayForEach(it, codes)
	{
		if (shopify_str(it, "code") && shopify_str(it, "code")[0])
			order_add_code(o, shopify_str(it, "code"));
	}
	cJSON_ArrayForEach(it, attrs)
	{
		if (shopify_str(it, "name") && shopify_str(it, "value"))
			order_add_attr(o, shopify_str(it, "name"),
				       shopify_str(it, "value"));
	}
	cJSON_ArrayForEach(it, refunds)
	{
		if (shopify_refund(it, o->currency, order_add_refund(o), err) <
		    0)
			return -1;
	}
	return 0;
}

static int shopify_presentment(const cJSON *root, struct order *o,
			       struct buf *err)
{
	const char *cur = shopify_str(root, "presentment_currency");
	const char *amount = shopify_set_amount(root, "total_price_set",
						"presentment_money");
	int exp = money_exponent(cur);

	if (!cur)
		return 0;
	if (exp < 0)
		return errorf(err, "presentment currency '%s' is unknown", cur);
	o->presentment_currency = xstrdup(cur);
	o->presentment_total = o->total;
	if (amount && money_parse(amount, exp, &o->presentment_total, err) < 0)
		return error_prefix(err, "total_price_set");
	return 0;
}

static int shopify_shipping(const cJSON *root, int exp, struct order *o,
			    struct buf *err)
{
	const char *set = shopify_set_amount(root, "total_shipping_price_set",
					     "shop_money");
	const cJSON *s;
	int64_t v;

	if (set)
		return money_parse(set, exp, &o->shipping, err) < 0
			       ? error_prefix(err, "total_shipping_price_set")
			       : 0;
	cJSON_ArrayForEach(s, json_get(root, "shipping_lines"))
	{
		if (shopify_money(s, "price", exp, &v, err) < 0 ||
		    money_add(o->shipping, v, &o->shipping) < 0)
			return error_prefix(err, "shipping_lines");
	}
	return 0;
}

static void shopify_people(const cJSON *root, struct order *o)
{
	const cJSON *customer = json_get(root, "customer");
	const cJSON *billing = json_get(root, "billing_address");
	const char *email = shopify_str(root, "email");

	o->customer_id = shopify_dup(customer, "id");
	if (!email || !email[0])
		email = shopify_str(root, "contact_email");
	if (!email || !email[0])
		email = shopify_str(customer, "email");
	o->email = email && email[0] ? xstrdup(email) : NULL;
	if (!billing)
		billing = json_get(root, "shipping_address");
	o->country = shopify_dup(billing, "country_code");
	o->browser_ip = shopify_dup(root, "browser_ip");
	if (!o->browser_ip)
		o->browser_ip = shopify_dup(json_get(root, "client_details"),
					    "browser_ip");
	o->landing_url = shopify_dup(root, "landing_site");
	o->referring_site = shopify_dup(root, "referring_site");
}

static int shopify_order_from(const cJSON *root, struct order *o,
			      struct buf *err)
{
	const char *cur = shopify_str(root, "currency");
	bool test = false;
	int exp = money_exponent(cur);

	if (!cJSON_IsObject(root))
		return errorf(err, "an order should be a JSON object");
	if (!(o->id = shopify_dup(root, "id")))
		return errorf(err, "the order has no id");
	if (exp < 0)
		return errorf(err, "order %s: currency '%s' is unknown", o->id,
			      cur ? cur : "");
	o->currency = xstrdup(cur);
	o->name = shopify_dup(root, "name");
	if (shopify_money(root, "total_price", exp, &o->total, err) < 0 ||
	    shopify_money(root, "subtotal_price", exp, &o->subtotal, err) < 0 ||
	    shopify_money(root, "total_tax", exp, &o->tax, err) < 0 ||
	    shopify_money(root, "total_discounts", exp, &o->discounts, err) <
		    0 ||
	    json_bool(root, "test", false, &test, err) < 0 ||
	    shopify_shipping(root, exp, o, err) < 0 ||
	    shopify_presentment(root, o, err) < 0 ||
	    shopify_lists(root, exp, o, err) < 0)
		return error_prefix(err, "order %s", o->id);
	o->test = test;
	if (shopify_financial(shopify_str(root, "financial_status"),
			      &o->financial) < 0)
		return errorf(err, "order %s: unknown financial_status '%s'",
			      o->id, shopify_str(root, "financial_status"));
	o->cancelled = json_get(root, "cancelled_at") != NULL;
	if (shopify_str(root, "created_at"))
		parse_iso8601(shopify_str(root, "created_at"), &o->created_at);
	if (shopify_str(root, "updated_at"))
		parse_iso8601(shopify_str(root, "updated_at"), &o->updated_at);
	shopify_people(root, o);
	return 0;
}

static int shopify_parse_order(const char *json, size_t len, struct order *out,
			       struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	int rc;

	order_init(out);
	if (!root)
		return -1;
	rc = shopify_order_from(root, out, err);
	cJSON_Delete(root);
	if (rc < 0)
		order_release(out);
	return rc;
}

static int shopify_parse_refund(const char *json, size_t len, char *order_id,
				size_t n, struct order_refund *out,
				struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	const char *oid, *cur = NULL;
	const cJSON *t;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->base = -1;
	if (!root)
		return -1;
	oid = shopify_str(root, "order_id");
	/*
	 * The shop's currency: from the lines' or adjustments' shop money
	 * first, since the transactions are in the buyer's currency.
	 */
	cJSON_ArrayForEach(t, json_get(root, "refund_line_items"))
	{
		if (!cur)
			cur = shopify_str(json_get(json_get(t, "subtotal_set"),
						   "shop_money"),
					  "currency_code");
	}
	cJSON_ArrayForEach(t, json_get(root, "order_adjustments"))
	{
		if (!cur)
			cur = shopify_str(json_get(json_get(t, "amount_set"),
						   "shop_money"),
					  "currency_code");
	}
	cJSON_ArrayForEach(t, json_get(root, "transactions"))
	{
		if (!cur)
			cur = shopify_str(t, "currency");
	}
	if (!oid || !oid[0] || strlen(oid) >= n)
		errorf(err, "the refund names no order_id");
	else if (money_exponent(cur) < 0)
		errorf(err, "the refund's currency '%s' is unknown",
		       cur ? cur : "");
	else if (shopify_refund(root, cur, out, err) == 0) {
		snprintf(order_id, n, "%s", oid);
		rc = 0;
	}
	if (rc < 0) {
		free(out->id);
		out->id = NULL;
	}
	cJSON_Delete(root);
	return rc;
}

static int shopify_parse_privacy(const char *json, size_t len,
				 char *customer_id, size_t idn, char *email,
				 size_t emailn, struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	const cJSON *c;

	if (!root)
		return -1;
	c = json_get(root, "customer");
	snprintf(customer_id, idn, "%s",
		 shopify_str(c, "id") ? shopify_str(c, "id") : "");
	snprintf(email, emailn, "%s",
		 shopify_str(c, "email") ? shopify_str(c, "email") : "");
	cJSON_Delete(root);
	return 0;
}

static enum provider_status shopify_get(const struct provider_env *env,
					const char *url, struct http_result *r,
					struct buf *err)
{
	char auth[600];
	const char *headers[] = {"Accept: application/json", auth, NULL};
	struct http_call call = {"GET", url, headers, NULL, 0};
	int rc;

	snprintf(auth, sizeof(auth), "X-Shopify-Access-Token: %s",
		 env->shop->token ? env->shop->token : "");
	rc = http_client_do(env->http, &call, r);
	return shopify_http_status(r, rc, err);
}

static enum provider_status shopify_fetch_order(const struct provider_env *env,
						const char *order_id,
						struct order *out,
						struct buf *err)
{
	struct http_result r;
	struct buf url;
	cJSON *root = NULL;
	enum provider_status st;
	size_t i;

	for (i = 0; order_id[i]; i++)
		if (!isdigit((unsigned char)order_id[i]))
			break;
	if (!order_id[0] || order_id[i]) {
		errorf(err, "'%s' is not a Shopify order id", order_id);
		return PROVIDER_REJECTED;
	}
	buf_init(&url, 2048);
	http_result_init(&r);
	order_init(out);
	if (buf_printf(&url, "orders/%s.json", order_id) < 0) {
		st = PROVIDER_REJECTED;
		goto out;
	}
	{
		struct buf full;

		buf_init(&full, 2048);
		st = shopify_url(env, url.data, &full) < 0
			     ? PROVIDER_REJECTED
			     : shopify_get(env, full.data, &r, err);
		buf_release(&full);
	}
	if (st != PROVIDER_OK)
		goto out;
	root = json_parse(r.body.data, r.body.len, err);
	if (!root ||
	    shopify_order_from(json_get(root, "order"), out, err) < 0) {
		order_release(out);
		st = PROVIDER_REJECTED;
	}
out:
	cJSON_Delete(root);
	http_result_release(&r);
	buf_release(&url);
	return st;
}

static enum provider_status
shopify_list_orders(const struct provider_env *env, int64_t since,
		    struct order_page_cursor *cursor,
		    int (*fn)(void *ctx, const struct order *o), void *ctx,
		    struct buf *err)
{
	struct http_result r;
	struct buf url;
	cJSON *root = NULL;
	const cJSON *it;
	char stamp[21];
	enum provider_status st = PROVIDER_OK;

	buf_init(&url, 4096);
	http_result_init(&r);
	format_iso8601(since, stamp);
	if (cursor->next[0]
		    ? buf_puts(&url, cursor->next) < 0
		    : shopify_url(env, "orders.json?status=any", &url) < 0 ||
			      buf_printf(&url,
					 "&limit=50&order=updated_at+asc"
					 "&updated_at_min=%s",
					 stamp) < 0)
		st = PROVIDER_REJECTED;
	if (st == PROVIDER_OK)
		st = shopify_get(env, url.data, &r, err);
	cursor->retry_after_ms = r.retry_after_ms;
	if (st != PROVIDER_OK)
		goto out;
	/* The token goes only to the shop's own API, whatever Link says. */
	buf_reset(&url);
	if (r.next_url[0] &&
	    (provider_base_url(env->cfg->api_base, env->shop->domain, &url) <
		     0 ||
	     strncmp(r.next_url, url.data, url.len) != 0 ||
	     (r.next_url[url.len] != '/' && r.next_url[url.len] != '\0'))) {
		errorf(err, "the next page is on another host: %.100s",
		       r.next_url);
		st = PROVIDER_REJECTED;
		goto out;
	}
	snprintf(cursor->next, sizeof(cursor->next), "%s", r.next_url);
	root = json_parse(r.body.data, r.body.len, err);
	if (!cJSON_IsArray(json_get(root, "orders"))) {
		errorf(err, "the orders answer holds no orders list");
		st = PROVIDER_REJECTED;
		goto out;
	}
	cJSON_ArrayForEach(it, json_get(root, "orders"))
	{
		struct order o;

		order_init(&o);
		if (shopify_order_from(it, &o, err) < 0) {
			/* One unreadable order must not stop the others. */
			if (!cursor->skipped)
				snprintf(cursor->skip_error,
					 sizeof(cursor->skip_error), "%s",
					 buf_str(err));
			cursor->skipped++;
			buf_reset(err);
			order_release(&o);
			continue;
		}
		if (fn(ctx, &o) != 0)
			st = PROVIDER_REJECTED;
		order_release(&o);
		if (st != PROVIDER_OK)
			break;
	}
out:
	cJSON_Delete(root);
	http_result_release(&r);
	buf_release(&url);
	return st;
}

/* Rewards */

/* Shopify ids are decimal numbers; anything else never reaches a query. */
static bool shopify_numeric(const char *s)
{
	size_t i;

	for (i = 0; s && s[i]; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return s && i > 0 && i < 24;
}

/* Writes minor units as Shopify's decimal text, e.g. "12.50". */
static int shopify_decimal(struct buf *out, int64_t v, int exp)
{
	return buf_putc(out, '"') < 0 || money_format(out, v, exp) < 0 ||
			       buf_putc(out, '"') < 0
		       ? -1
		       : 0;
}

static int shopify_discount_vars(const struct provider_env *env,
				 const struct reward_request *req,
				 struct buf *v)
{
	char start[21];

	format_iso8601(env->now - 60, start);
	if (buf_puts(v, "{\"basicCodeDiscount\":{\"title\":") < 0 ||
	    json_escape(v, req->title) < 0 || buf_puts(v, ",\"code\":") < 0 ||
	    json_escape(v, req->code) < 0 ||
	    buf_printf(v, ",\"startsAt\":\"%s\",\"customerGets\":{\"value\":",
		       start) < 0)
		return -1;
	if (req->percent
		    ? buf_printf(v, "{\"percentage\":%lld.%04lld}",
				 (long long)(req->value / 10000),
				 (long long)(req->value % 10000)) < 0
		    : buf_puts(v, "{\"discountAmount\":{\"amount\":") < 0 ||
			      shopify_decimal(v, req->value, req->exponent) <
				      0 ||
			      buf_puts(v, ",\"appliesOnEachItem\":false}}") < 0)
		return -1;
	if (buf_puts(v, ",\"items\":{\"all\":true}},\"context\":") < 0)
		return -1;
	if (req->customer_id
		    ? buf_printf(v,
				 "{\"customers\":{\"add\":[\"gid://shopify/"
				 "Customer/%s\"]}}",
				 req->customer_id) < 0
		    : buf_puts(v, "{\"all\":\"ALL\"}") < 0)
		return -1;
	if (req->usage_limit > 0 &&
	    buf_printf(v,
		       ",\"usageLimit\":%lld,\"appliesOncePerCustomer\":true",
		       (long long)req->usage_limit) < 0)
		return -1;
	return buf_puts(v, "}}");
}

/* Runs a reward mutation and maps its payload's userErrors. */
static enum provider_status
shopify_mutate(const struct provider_env *env, const char *query,
	       const char *vars, const char *field, const cJSON **payload,
	       cJSON **root, struct reward_result *out, struct buf *err)
{
	struct buf body;
	enum provider_status st;

	buf_init(&body, BUF_MEDIUM);
	st = shopify_body(&body, query, vars) < 0
		     ? PROVIDER_REJECTED
		     : shopify_graphql(env, &body, root, out, err);
	buf_release(&body);
	if (st != PROVIDER_OK)
		return st;
	*payload = json_get(json_get(*root, "data"), field);
	return shopify_user_errors(*payload, err);
}

static enum provider_status
shopify_create_coupon(const struct provider_env *env,
		      const struct reward_request *req,
		      struct reward_result *out, struct buf *err)
{
	static const char query[] =
		"mutation discountCodeBasicCreate($basicCodeDiscount: "
		"DiscountCodeBasicInput!) { discountCodeBasicCreate("
		"basicCodeDiscount: $basicCodeDiscount) { codeDiscountNode { "
		"id "
		"} userErrors { field code message } } }";
	struct buf vars;
	cJSON *root = NULL;
	const cJSON *payload = NULL;
	enum provider_status st;
	const char *id;

	if (req->customer_id && !shopify_numeric(req->customer_id)) {
		errorf(err, "customer id '%s' is not a Shopify id",
		       req->customer_id);
		return PROVIDER_REJECTED;
	}
	buf_init(&vars, 8192);
	if (shopify_discount_vars(env, req, &vars) < 0) {
		buf_release(&vars);
		errorf(err, "discount request too long");
		return PROVIDER_REJECTED;
	}
	st = shopify_mutate(env, query, vars.data, "discountCodeBasicCreate",
			    &payload, &root, out, err);
	id = shopify_str(json_get(payload, "codeDiscountNode"), "id");
	if (st == PROVIDER_OK) {
		snprintf(out->platform_id, sizeof(out->platform_id), "%s",
			 id ? id : "");
		snprintf(out->code, sizeof(out->code), "%s", req->code);
	}
	cJSON_Delete(root);
	buf_release(&vars);
	return st;
}

/* A query whose one variable, name, is the string value. */
static enum provider_status query_by(const struct provider_env *env,
				     const char *query, const char *name,
				     const char *value, cJSON **root,
				     struct reward_result *out, struct buf *err)
{
	enum provider_status st = PROVIDER_REJECTED;
	struct buf vars, body;

	buf_init(&vars, 512);
	buf_init(&body, 2048);
	if (buf_printf(&vars, "{\"%s\":", name) == 0 &&
	    json_escape(&vars, value) == 0 && buf_putc(&vars, '}') == 0 &&
	    shopify_body(&body, query, vars.data) == 0)
		st = shopify_graphql(env, &body, root, out, err);
	else
		errorf(err, "query too long");
	buf_release(&vars);
	buf_release(&body);
	return st;
}

/* What a lookup by code found: node (NULL: none) into out. */
static enum provider_status found(const cJSON *node, const char *code,
				  struct reward_result *out)
{
	const char *id = shopify_str(node, "id");

	snprintf(out->platform_id, sizeof(out->platform_id), "%s",
		 id ? id : "");
	snprintf(out->code, sizeof(out->code), "%s", code);
	return node ? PROVIDER_OK : PROVIDER_NOT_FOUND;
}

static enum provider_status shopify_find_coupon(const struct provider_env *env,
						const char *code,
						struct reward_result *out,
						struct buf *err)
{
	static const char query[] =
		"query codeDiscountNodeByCode($code: String!) { "
		"codeDiscountNodeByCode(code: $code) { id } }";
	cJSON *root = NULL;
	enum provider_status st =
		query_by(env, query, "code", code, &root, out, err);

	if (st == PROVIDER_OK)
		st = found(json_get(json_get(root, "data"),
				    "codeDiscountNodeByCode"),
			   code, out);
	cJSON_Delete(root);
	return st;
}

static enum provider_status
shopify_create_gift_card(const struct provider_env *env,
			 const struct reward_request *req,
			 struct reward_result *out, struct buf *err)
{
	static const char query[] =
		"mutation giftCardCreate($input: GiftCardCreateInput!) { "
		"giftCardCreate(input: $input) { giftCard { id } giftCardCode "
		"userErrors { field code message } } }";
	struct buf vars;
	cJSON *root = NULL;
	const cJSON *payload = NULL;
	enum provider_status st = PROVIDER_REJECTED;
	const char *id;

	if (req->customer_id && !shopify_numeric(req->customer_id)) {
		errorf(err, "customer id '%s' is not a Shopify id",
		       req->customer_id);
		return PROVIDER_REJECTED;
	}
	buf_init(&vars, 4096);
	if (buf_puts(&vars, "{\"input\":{\"initialValue\":") == 0 &&
	    shopify_decimal(&vars, req->value, req->exponent) == 0 &&
	    buf_puts(&vars, ",\"code\":") == 0 &&
	    json_escape(&vars, req->code) == 0 &&
	    buf_puts(&vars, ",\"note\":") == 0 &&
	    json_escape(&vars, req->title) == 0 &&
	    (!req->customer_id ||
	     buf_printf(&vars, ",\"customerId\":\"gid://shopify/Customer/%s\"",
			req->customer_id) == 0) &&
	    buf_puts(&vars, "}}") == 0)
		st = shopify_mutate(env, query, vars.data, "giftCardCreate",
				    &payload, &root, out, err);
	else
		errorf(err, "gift card request too long");
	id = shopify_str(json_get(payload, "giftCard"), "id");
	if (st == PROVIDER_OK) {
		snprintf(out->platform_id, sizeof(out->platform_id), "%s",
			 id ? id : "");
		snprintf(out->code, sizeof(out->code), "%s", req->code);
	}
	cJSON_Delete(root);
	buf_release(&vars);
	return st;
}

static enum provider_status
shopify_find_gift_card(const struct provider_env *env, const char *code,
		       struct reward_result *out, struct buf *err)
{
	/* Gift card search's default field is the code. */
	static const char query[] =
		"query giftCards($query: String!) { giftCards(first: 1, query: "
		"$query) { nodes { id lastCharacters } } }";
	cJSON *root = NULL;
	enum provider_status st =
		query_by(env, query, "query", code, &root, out, err);

	if (st == PROVIDER_OK)
		st = found(cJSON_GetArrayItem(
				   json_get(json_get(json_get(root, "data"),
						     "giftCards"),
					    "nodes"),
				   0),
			   code, out);
	cJSON_Delete(root);
	return st;
}

/*
 * The theme snippet: carries ?ref= (and the click id) from the landing
 * URL, or from our first-party cookies, into the cart's attributes, where
 * Shopify turns them into the order's note_attributes. A new ref replaces
 * the pair; the cart is read first, so it is written only when it does
 * not hold the pair yet (a new cart after an order gets it again).
 */
static const char shopify_storefront_js[] =
	"(function(){\n"
	"  var ok = /^[A-Za-z0-9._~-]{1,64}$/;\n"
	"  var q = new URLSearchParams(location.search);\n"
	"  function cookie(n){var m=document.cookie.match('(?:^|; )'+n+"
	"'=([^;]*)');\n"
	"    if (!m) return null; try {return decodeURIComponent(m[1]);}\n"
	"    catch (e) {return null;}}\n"
	"  function keep(n,v){document.cookie=n+'='+(v?encodeURIComponent(v)"
	":'')+\n"
	"    ';path=/;max-age='+(v?2592000:0)+';SameSite=Lax';}\n"
	"  var ref = q.get('ref'), click = q.get('affiliated_click');\n"
	"  if (click && !ok.test(click)) click = null;\n"
	"  if (ref && ok.test(ref)) { keep('aff_ref', ref); "
	"keep('aff_click', click); }\n"
	"  else { ref = cookie('aff_ref'); click = ref ? cookie('aff_click') "
	": null; }\n"
	"  if (!ref || !ok.test(ref)) return;\n"
	"  if (click && !ok.test(click)) click = null;\n"
	"  var root = (window.Shopify && Shopify.routes && Shopify.routes.root)"
	" || '/';\n"
	"  fetch(root + 'cart.js', {credentials: 'same-origin'})\n"
	"  .then(function(r){ return r.json(); })\n"
	"  .then(function(cart){\n"
	"    var a = (cart && cart.attributes) || {};\n"
	"    if (a.ref === ref && (a.affiliated_click || '') === "
	"(click || '')) return;\n"
	"    return fetch(root + 'cart/update.js', {method: 'POST',\n"
	"      credentials: 'same-origin',\n"
	"      headers: {'Content-Type': 'application/json'},\n"
	"      body: JSON.stringify({attributes: {ref: ref,\n"
	"        affiliated_click: click || ''}})});\n"
	"  }).catch(function(){});\n"
	"})();\n";

const struct provider shopify_provider = {
	.name = "shopify",
	.caps = PROVIDER_CAN_GIFT_CARD | PROVIDER_CAN_FETCH_ORDER |
		PROVIDER_CAN_API_WEBHOOKS,
	.install_redirect = shopify_install_redirect,
	.finish_install = shopify_finish_install,
	.register_webhooks = shopify_register_webhooks,
	.describe_shop = shopify_describe_shop,
	.verify_webhook = shopify_verify_webhook,
	.webhook_claimed_shop = shopify_claimed_shop,
	.classify_webhook = shopify_classify_webhook,
	.parse_order = shopify_parse_order,
	.parse_refund = shopify_parse_refund,
	.parse_privacy = shopify_parse_privacy,
	.fetch_order = shopify_fetch_order,
	.list_orders = shopify_list_orders,
	.create_coupon = shopify_create_coupon,
	.find_coupon = shopify_find_coupon,
	.create_gift_card = shopify_create_gift_card,
	.find_gift_card = shopify_find_gift_card,
	.storefront_js = shopify_storefront_js,
};
