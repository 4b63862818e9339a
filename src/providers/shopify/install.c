/*
 * Shopify: the OAuth install. Query HMACs on the install and callback
 * requests, the authorize redirect, the token exchange, the webhook
 * subscriptions and the shop's description.
 */
#include "providers/shopify/internal.h"
#include "util/crypto.h"
#include "util/encode.h"
#include "util/json.h"
#include "util/money.h"
#include "util/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shopify's own tolerance for the install and callback timestamps. */
#define SHOPIFY_CLOCK_TOLERANCE 90
#define SHOPIFY_MAX_PARAMS	32

/* name.myshopify.com and nothing else: the guard against arbitrary hosts. */
bool shopify_valid_shop(const char *shop)
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

int shopify_install_redirect(const struct provider_env *env,
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

/* The token exchange and what follows it */

/* Reads a token answer: an expiring one carries a refresh token too. */
static enum provider_status shopify_token_answer(const struct http_result *r,
						 struct install_result *out,
						 struct buf *err)
{
	cJSON *root = json_parse(r->body.data, r->body.len, err);
	const char *access = shopify_str(root, "access_token");
	const char *refresh = shopify_str(root, "refresh_token");
	const char *scope = shopify_str(root, "scope");
	enum provider_status st = PROVIDER_REJECTED;

	if (!access || !access[0]) {
		errorf(err, "the token answer holds no access_token");
		goto out;
	}
	if (strlen(access) >= sizeof(out->token) ||
	    (refresh && strlen(refresh) >= sizeof(out->refresh_token))) {
		errorf(err, "the token answer holds a token too long to keep");
		goto out;
	}
	out->expires_in = 0;
	out->refresh_expires_in = 0;
	if (json_int(root, "expires_in", 0, &out->expires_in, err) < 0 ||
	    json_int(root, "refresh_token_expires_in", 0,
		     &out->refresh_expires_in, err) < 0)
		goto out;
	/* An access token that expires is useless without its refresh. */
	if (out->expires_in > 0 && (!refresh || !refresh[0])) {
		errorf(err,
		       "the token expires in %lld s but no refresh_token "
		       "came with it",
		       (long long)out->expires_in);
		goto out;
	}
	snprintf(out->token, sizeof(out->token), "%s", access);
	snprintf(out->refresh_token, sizeof(out->refresh_token), "%s",
		 refresh && out->expires_in > 0 ? refresh : "");
	if (scope)
		snprintf(out->scopes, sizeof(out->scopes), "%s", scope);
	st = PROVIDER_OK;
out:
	cJSON_Delete(root);
	return st;
}

/* POSTs a token request (JSON body) to the shop's OAuth endpoint. */
static enum provider_status shopify_token_call(const struct provider_env *env,
					       const char *shop,
					       const struct buf *body,
					       struct install_result *out,
					       struct buf *err)
{
	struct provider_env call_env = *env;
	struct provider_shop target = {0, shop, NULL, NULL};
	struct http_result r;
	struct buf url;
	enum provider_status st;
	int rc;

	call_env.shop = &target;
	call_env.tokens = NULL;
	buf_init(&url, 2048);
	http_result_init(&r);
	if (provider_base_url(env->cfg->oauth_base, shop, &url) < 0 ||
	    buf_puts(&url, "/admin/oauth/access_token") < 0) {
		errorf(err, "token URL too long");
		st = PROVIDER_REJECTED;
		goto out;
	}
	rc = shopify_post_json(&call_env, url.data, body, &r);
	st = shopify_http_status(&r, rc, err);
	/* A code or refresh token refused is refused for good. */
	if (st == PROVIDER_UNAUTHORIZED || st == PROVIDER_NOT_FOUND)
		st = PROVIDER_REJECTED;
	if (st == PROVIDER_OK)
		st = shopify_token_answer(&r, out, err);
out:
	http_result_release(&r);
	buf_release(&url);
	return st;
}

/* {"client_id":..,"client_secret":.., then the caller's members. */
static int shopify_token_body(const struct provider_env *env, struct buf *body)
{
	return buf_puts(body, "{\"client_id\":") < 0 ||
			       json_escape(body, env->cfg->client_id) < 0 ||
			       buf_puts(body, ",\"client_secret\":") < 0 ||
			       json_escape(body, env->cfg->client_secret) < 0
		       ? -1
		       : 0;
}

enum provider_status shopify_finish_install(const struct provider_env *env,
					    const struct provider_request *req,
					    struct install_result *out,
					    struct buf *err)
{
	const char *shop, *code = req->query(req->ctx, "code");
	struct buf body;
	enum provider_status st = PROVIDER_REJECTED;

	if (shopify_check_query(env, req, &shop, err) < 0)
		return PROVIDER_REJECTED;
	if (!code || !code[0]) {
		errorf(err, "the callback carries no code");
		return PROVIDER_REJECTED;
	}
	buf_init(&body, 4096);
	/*
	 * An expiring offline token: from 2027 Shopify refuses the calls of
	 * a public app made with one that does not expire.
	 */
	if (shopify_token_body(env, &body) < 0 ||
	    buf_puts(&body, ",\"code\":") < 0 || json_escape(&body, code) < 0 ||
	    buf_puts(&body, ",\"expiring\":\"1\"}") < 0) {
		errorf(err, "token request too long");
		goto out;
	}
	snprintf(out->shop, sizeof(out->shop), "%s", shop);
	st = shopify_token_call(env, shop, &body, out, err);
out:
	buf_release(&body);
	return st;
}

enum provider_status shopify_refresh_token(const struct provider_env *env,
					   const char *refresh_token,
					   struct install_result *out,
					   struct buf *err)
{
	struct buf body;
	enum provider_status st = PROVIDER_REJECTED;

	if (!env->shop || !shopify_valid_shop(env->shop->domain)) {
		errorf(err, "no shop to refresh the token of");
		return PROVIDER_REJECTED;
	}
	buf_init(&body, 4096);
	if (shopify_token_body(env, &body) < 0 ||
	    buf_puts(&body, ",\"grant_type\":\"refresh_token\","
			    "\"refresh_token\":") < 0 ||
	    json_escape(&body, refresh_token) < 0 || buf_putc(&body, '}') < 0) {
		errorf(err, "refresh request too long");
		goto out;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->shop, sizeof(out->shop), "%s", env->shop->domain);
	st = shopify_token_call(env, env->shop->domain, &body, out, err);
	if (st == PROVIDER_OK && !out->refresh_token[0]) {
		/* Without a new refresh token the next refresh cannot be. */
		errorf(err, "the refresh answer holds no new refresh_token");
		st = PROVIDER_REJECTED;
	}
out:
	buf_release(&body);
	return st;
}

/*
 * An install from before expiring tokens holds one that does not expire,
 * which Shopify stops accepting on 2027-01-01: a token exchange with it
 * as the subject gives an expiring pair, and the old token dies. Asked
 * again with the old token within seven days (a lost answer), Shopify
 * gives the same pair back.
 */
enum provider_status shopify_migrate_token(const struct provider_env *env,
					   struct install_result *out,
					   struct buf *err)
{
	static const char type[] =
		"\"urn:shopify:params:oauth:token-type:offline-access-token\"";
	struct buf body;
	enum provider_status st = PROVIDER_REJECTED;

	if (!env->shop || !env->shop->token ||
	    !shopify_valid_shop(env->shop->domain)) {
		errorf(err, "no shop token to exchange");
		return PROVIDER_REJECTED;
	}
	buf_init(&body, 4096);
	if (shopify_token_body(env, &body) < 0 ||
	    buf_puts(&body,
		     ",\"grant_type\":\"urn:ietf:params:oauth:"
		     "grant-type:token-exchange\",\"subject_token\":") < 0 ||
	    json_escape(&body, env->shop->token) < 0 ||
	    buf_printf(&body,
		       ",\"subject_token_type\":%s,\"requested_token_type\":"
		       "%s,\"expiring\":\"1\"}",
		       type, type) < 0) {
		errorf(err, "token exchange request too long");
		goto out;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->shop, sizeof(out->shop), "%s", env->shop->domain);
	st = shopify_token_call(env, env->shop->domain, &body, out, err);
	if (st == PROVIDER_OK && !out->refresh_token[0]) {
		errorf(err, "the exchange gave a token that does not expire");
		st = PROVIDER_REJECTED;
	}
out:
	buf_release(&body);
	return st;
}

/* Webhook subscriptions */

/* The uninstall topic first: it must exist even if the others are refused. */
static const char shopify_topics[][20] = {
	"APP_UNINSTALLED", "ORDERS_CREATE",    "ORDERS_PAID",
	"ORDERS_UPDATED",  "ORDERS_CANCELLED", "REFUNDS_CREATE",
};
#define SHOPIFY_NTOPICS (sizeof(shopify_topics) / sizeof(shopify_topics[0]))

/*
 * Creates one subscription: PROVIDER_OK (also when it already existed),
 * PROVIDER_REJECTED with the platform's words in message, or the call's
 * failure.
 */
static enum provider_status
shopify_subscribe(const struct provider_env *env, const char *topic,
		  const char *address, char message[256], struct buf *err)
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
		snprintf(message, 256, "%s",
			 shopify_str(ue, "message") ? shopify_str(ue, "message")
						    : "no reason given");
		errorf(err, "Shopify refused the %s subscription: %s", topic,
		       message);
		st = PROVIDER_REJECTED;
	}
out:
	cJSON_Delete(root);
	buf_release(&vars);
	buf_release(&body);
	return st;
}

/* Marks ok each of our topics that Shopify holds for address, one page. */
static enum provider_status
shopify_list_subscriptions(const struct provider_env *env, const char *address,
			   char cursor[512], bool found[SHOPIFY_NTOPICS],
			   struct buf *err)
{
	static const char query[] =
		"query webhookSubscriptions($first: Int!, $after: String) { "
		"webhookSubscriptions(first: $first, after: $after) { nodes { "
		"id topic uri endpoint { __typename ... on WebhookHttpEndpoint "
		"{ callbackUrl } } } pageInfo { hasNextPage endCursor } } }";
	struct buf vars, body;
	cJSON *root = NULL;
	const cJSON *conn, *it, *info;
	enum provider_status st = PROVIDER_REJECTED;
	size_t i;

	buf_init(&vars, 1024);
	buf_init(&body, 2048);
	if (buf_puts(&vars, "{\"first\":100,\"after\":") < 0 ||
	    (cursor[0] ? json_escape(&vars, cursor) : buf_puts(&vars, "null")) <
		    0 ||
	    buf_putc(&vars, '}') < 0 ||
	    shopify_body(&body, query, vars.data) < 0) {
		errorf(err, "subscription query too long");
		goto out;
	}
	st = shopify_graphql(env, &body, &root, NULL, err);
	if (st != PROVIDER_OK)
		goto out;
	conn = json_get(json_get(root, "data"), "webhookSubscriptions");
	if (!cJSON_IsArray(json_get(conn, "nodes"))) {
		errorf(err, "the subscriptions answer holds no nodes");
		st = PROVIDER_REJECTED;
		goto out;
	}
	cJSON_ArrayForEach(it, json_get(conn, "nodes"))
	{
		const char *topic = shopify_str(it, "topic");
		const char *uri = shopify_str(it, "uri");

		if (!uri)
			uri = shopify_str(json_get(it, "endpoint"),
					  "callbackUrl");
		if (!topic || !uri || strcmp(uri, address) != 0)
			continue;
		for (i = 0; i < SHOPIFY_NTOPICS; i++)
			if (strcmp(topic, shopify_topics[i]) == 0)
				found[i] = true;
	}
	info = json_get(conn, "pageInfo");
	cursor[0] = '\0';
	if (cJSON_IsTrue(json_get(info, "hasNextPage"))) {
		const char *next = shopify_str(info, "endCursor");

		if (!next || !next[0] || strlen(next) >= 512) {
			errorf(err, "the subscriptions answer has more pages "
				    "but no usable cursor");
			st = PROVIDER_REJECTED;
			goto out;
		}
		snprintf(cursor, 512, "%s", next);
	}
out:
	cJSON_Delete(root);
	buf_release(&vars);
	buf_release(&body);
	return st;
}

enum provider_status
shopify_check_webhooks(const struct provider_env *env, const char *address,
		       bool fix, struct topic_check out[PROVIDER_MAX_TOPICS],
		       size_t *n, struct buf *err)
{
	bool found[SHOPIFY_NTOPICS] = {false};
	char cursor[512] = "";
	enum provider_status st;
	int pages = 0;
	size_t i;

	do
		st = shopify_list_subscriptions(env, address, cursor, found,
						err);
	while (st == PROVIDER_OK && cursor[0] && ++pages < 50);
	if (st != PROVIDER_OK)
		return st;
	for (i = 0; i < SHOPIFY_NTOPICS; i++) {
		struct topic_check *c = &out[i];

		memset(c, 0, sizeof(*c));
		snprintf(c->topic, sizeof(c->topic), "%.63s",
			 shopify_topics[i]);
		c->state = found[i] ? TOPIC_OK : TOPIC_MISSING;
		if (found[i] || !fix)
			continue;
		/* One refusal must not keep the others (uninstall first). */
		buf_reset(err);
		st = shopify_subscribe(env, c->topic, address, c->message, err);
		if (st == PROVIDER_OK)
			c->state = TOPIC_OK;
		else if (st == PROVIDER_REJECTED && c->message[0])
			c->state = TOPIC_REFUSED;
		else
			snprintf(c->message, sizeof(c->message),
				 "could not be created: %s", buf_str(err));
	}
	buf_reset(err);
	*n = SHOPIFY_NTOPICS;
	return PROVIDER_OK;
}

enum provider_status shopify_describe_shop(const struct provider_env *env,
					   struct shop_info *out,
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
