/*
 * Ecwid (Lightspeed E-Series). Webhooks are signed events that only name
 * the store and the order, so order events are WEBHOOK_ORDER_REF and the
 * order is read back through the REST API (GET /{storeId}/orders/{id}).
 * Ecwid sends money as JSON numbers: util/json.h hands us the exact token
 * text and money_parse turns it into minor units, never through a double.
 *
 * Currency: an Ecwid order does not say its currency; the store profile
 * does (formatsAndUnits.currency). fetch_order and list_orders parse with
 * the shop's currency from the env. The pure parse_order member has no
 * env, so it needs a top-level "currency" member in the JSON (which Ecwid
 * never sends: tests and tools add it) and otherwise fails and says so.
 *
 * Rewards are discount coupons; Ecwid has no API that issues gift cards.
 * Webhook addresses are part of the app registration, not of the API, so
 * there is no register_webhooks.
 */
#include "providers/provider.h"
#include "crypto.h"
#include "encode.h"
#include "http_client.h"
#include "order.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	ECWID_PAGE = 100,	   /* Ecwid's largest page of orders */
	ECWID_MAX_AGE = 24 * 3600, /* oldest eventCreated we accept */
	ECWID_MAX_AHEAD = 10 * 60, /* newest: allowed clock skew */
	ECWID_RETRY_MS = 1000,	   /* a 429 without Retry-After */
	ECWID_URL_MAX = 8192,	   /* any URL we build */
	ECWID_MSG_MAX = 200,	   /* platform message quoted in errors */
};

#define ECWID_CALLBACK "/auth/ecwid/callback"

/* Small helpers */

/* Frees a buffer that held a token or the client secret, wiping it. */
static void ecwid_release_secret(struct buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	buf_release(b);
}

/* Copies src into dst[n]; -1 (dst untouched) when it does not fit. */
static int ecwid_copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len >= n)
		return -1;
	memcpy(dst, src, len + 1);
	return 0;
}

static bool ecwid_digits(const char *s)
{
	uint64_t v;

	return s && parse_uint_str(s, UINT64_MAX, &v) == 0;
}

/* Appends a configured base URL without its trailing slashes. */
static int ecwid_put_base(struct buf *out, const char *base)
{
	size_t n = base ? strlen(base) : 0;

	while (n > 0 && base[n - 1] == '/')
		n--;
	return n ? buf_append(out, base, n) : 0;
}

/* A nested object member; NULL when absent, err when of another type. */
static const cJSON *ecwid_object(const cJSON *obj, const char *key, bool *bad,
				 struct buf *err)
{
	const cJSON *v = json_get(obj, key);

	if (v && !cJSON_IsObject(v)) {
		errorf(err, "field '%s' should be an object", key);
		*bad = true;
		return NULL;
	}
	return v;
}

/* A text member that is present and not empty, else NULL. */
static const char *ecwid_text(const cJSON *obj, const char *key, bool *bad,
			      struct buf *err)
{
	const char *v = json_text(obj, key, bad, err);

	return v && v[0] ? v : NULL;
}

/*
 * Ecwid's dates, "2025-03-20 15:11:12 +0000": parse_iso8601 wants the
 * offset glued to the time, so the space before it goes.
 */
static int ecwid_parse_date(const char *s, int64_t *out)
{
	char copy[64];
	char *sp;

	if (ecwid_copy(copy, sizeof(copy), s) < 0)
		return -1;
	sp = strrchr(copy, ' ');
	if (sp && sp > copy + 10 && (sp[1] == '+' || sp[1] == '-'))
		memmove(sp, sp + 1, strlen(sp + 1) + 1);
	return parse_iso8601(copy, out);
}

/* Where the merchant comes back to after authorizing: ours, fixed. */
static int ecwid_redirect_uri(const struct platform_config *cfg,
			      struct buf *out)
{
	if (ecwid_put_base(out, cfg->public_url) < 0)
		return -1;
	return buf_puts(out, ECWID_CALLBACK);
}

/* Our scopes, space-separated as Ecwid wants them, URL-encoded. */
static int ecwid_put_scopes(struct buf *out, const char *scopes)
{
	const char *p = scopes ? scopes : "";
	bool first = true;

	for (;;) {
		char *word;
		size_t n;
		int rc;

		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n == 0)
			return 0;
		word = xstrndup(p, n);
		rc = 0;
		if ((!first && buf_puts(out, "%20") < 0) ||
		    url_encode(out, word) < 0)
			rc = -1;
		free(word);
		if (rc < 0)
			return -1;
		first = false;
		p += n;
	}
}

/* Ecwid's own words about a failure: errorMessage or error_description. */
static void ecwid_error_text(const struct http_result *r, char *msg, size_t n,
			     char *code, size_t cn)
{
	struct buf ignored;
	cJSON *root;
	const char *m, *c;
	bool bad = false;

	msg[0] = code[0] = '\0';
	buf_init(&ignored, BUF_SMALL);
	root = json_parse(r->body.data, r->body.len, &ignored);
	m = ecwid_text(root, "errorMessage", &bad, &ignored);
	c = ecwid_text(root, "errorCode", &bad, &ignored);
	if (!m)
		m = ecwid_text(root, "error_description", &bad, &ignored);
	if (!c)
		c = ecwid_text(root, "error", &bad, &ignored);
	if (m)
		snprintf(msg, n, "%.*s", ECWID_MSG_MAX, m);
	if (c)
		snprintf(code, cn, "%s", c);
	cJSON_Delete(root);
	buf_release(&ignored);
}

/* Install */

static int ecwid_install_redirect(const struct provider_env *env,
				  const struct provider_request *req,
				  const char *state, struct buf *location,
				  char shop[256], struct buf *err)
{
	const struct platform_config *cfg = env->cfg;
	struct buf redirect;
	int rc = 0;

	(void)req;
	shop[0] = '\0'; /* Ecwid's install request names no store */
	if (!cfg->client_id || !cfg->client_id[0])
		return errorf(err, "ecwid client_id is not configured");
	buf_init(&redirect, ECWID_URL_MAX);
	if (ecwid_redirect_uri(cfg, &redirect) < 0 ||
	    ecwid_put_base(location, cfg->oauth_base) < 0 ||
	    buf_puts(location, "/authorize?client_id=") < 0 ||
	    url_encode(location, cfg->client_id) < 0 ||
	    buf_puts(location, "&redirect_uri=") < 0 ||
	    url_encode(location, buf_str(&redirect)) < 0 ||
	    buf_puts(location, "&response_type=code&scope=") < 0 ||
	    ecwid_put_scopes(location, cfg->scopes) < 0 ||
	    (state && (buf_puts(location, "&state=") < 0 ||
		       url_encode(location, state) < 0)))
		rc = -1;
	buf_release(&redirect);
	return rc < 0 ? errorf(err, "ecwid authorize URL too long") : 0;
}

/* key=value& for the token form; the value URL-encoded. */
static int ecwid_form(struct buf *b, const char *key, const char *value)
{
	if ((b->len && buf_putc(b, '&') < 0) || buf_puts(b, key) < 0 ||
	    buf_putc(b, '=') < 0 || url_encode(b, value ? value : "") < 0)
		return -1;
	return 0;
}

static int ecwid_token_form(const struct platform_config *cfg, const char *code,
			    struct buf *body)
{
	struct buf redirect;
	int rc = 0;

	buf_init(&redirect, ECWID_URL_MAX);
	if (ecwid_redirect_uri(cfg, &redirect) < 0 ||
	    ecwid_form(body, "client_id", cfg->client_id) < 0 ||
	    ecwid_form(body, "client_secret", cfg->client_secret) < 0 ||
	    ecwid_form(body, "code", code) < 0 ||
	    ecwid_form(body, "redirect_uri", buf_str(&redirect)) < 0 ||
	    ecwid_form(body, "grant_type", "authorization_code") < 0)
		rc = -1;
	buf_release(&redirect);
	return rc;
}

/* {"access_token","token_type","scope","store_id"} into out. */
static enum provider_status ecwid_token_answer(const struct http_result *r,
					       struct install_result *out,
					       struct buf *err)
{
	cJSON *root = json_parse(r->body.data, r->body.len, err);
	const char *token, *store, *scope;
	bool bad = false;
	enum provider_status st = PROVIDER_REJECTED;

	token = ecwid_text(root, "access_token", &bad, err);
	store = ecwid_text(root, "store_id", &bad, err);
	scope = json_text(root, "scope", &bad, err);
	if (!root || bad)
		error_prefix(err, "ecwid token answer");
	else if (!token || !ecwid_digits(store))
		errorf(err, "ecwid token answer lacks access_token or a "
			    "numeric store_id");
	else if (ecwid_copy(out->token, sizeof(out->token), token) < 0 ||
		 ecwid_copy(out->shop, sizeof(out->shop), store) < 0 ||
		 ecwid_copy(out->scopes, sizeof(out->scopes),
			    scope ? scope : "") < 0)
		errorf(err, "ecwid token answer: a field is too long");
	else
		st = PROVIDER_OK;
	cJSON_Delete(root);
	return st;
}

/* Maps the token endpoint's answer: 5xx and no answer are worth a retry. */
static enum provider_status ecwid_token_status(const struct http_result *r,
					       struct buf *err)
{
	char msg[ECWID_MSG_MAX + 1], code[64];

	if (r->status == 0) {
		errorf(err, "ecwid token exchange got no answer: %s", r->error);
		return PROVIDER_RETRY;
	}
	ecwid_error_text(r, msg, sizeof(msg), code, sizeof(code));
	errorf(err, "ecwid token exchange refused (%ld %s): %s", r->status,
	       code[0] ? code : "error", msg[0] ? msg : "no reason given");
	return r->status >= 500 || r->status == 429 || r->status == 408
		       ? PROVIDER_RETRY
		       : PROVIDER_REJECTED;
}

/*
 * The callback carries code (or error=access_denied). Ecwid has taken the
 * code exchange as a POST with a form body since March 2025; the GET form
 * no longer works. state, when it comes back, is the core's to check.
 */
static enum provider_status
ecwid_finish_install(const struct provider_env *env,
		     const struct provider_request *req,
		     struct install_result *out, struct buf *err)
{
	static const char *const headers[] = {
		"Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json", NULL};
	const char *denied = req->query(req->ctx, "error");
	const char *code = req->query(req->ctx, "code");
	struct http_call call = {.method = "POST", .headers = headers};
	struct http_result r;
	struct buf url, body;
	enum provider_status st = PROVIDER_REJECTED;

	memset(out, 0, sizeof(*out));
	if (denied) {
		errorf(err, "the merchant did not grant access (%.60s)",
		       denied);
		return PROVIDER_REJECTED;
	}
	if (!code || !code[0]) {
		errorf(err, "ecwid install callback without a code");
		return PROVIDER_REJECTED;
	}
	buf_init(&url, ECWID_URL_MAX);
	buf_init(&body, ECWID_URL_MAX);
	http_result_init(&r);
	if (ecwid_put_base(&url, env->cfg->oauth_base) < 0 ||
	    buf_puts(&url, "/token") < 0 ||
	    ecwid_token_form(env->cfg, code, &body) < 0) {
		errorf(err, "ecwid token request too long");
		goto out;
	}
	call.url = url.data;
	call.body = body.data;
	call.len = body.len;
	if (http_client_do(env->http, &call, &r) == 0 && r.status == 200)
		st = ecwid_token_answer(&r, out, err);
	else
		st = ecwid_token_status(&r, err);
out:
	ecwid_release_secret(&r.body); /* the answer holds the token */
	http_result_release(&r);
	buf_release(&url);
	ecwid_release_secret(&body);
	return st;
}

/* REST API calls */

struct ecwid_call {
	const char *method;
	const char *path;	 /* after /{storeId}/, query included */
	const char *body;	 /* JSON, or NULL */
	int64_t *retry_after_ms; /* set on 429; NULL: not wanted */
};

/* "<api_base>/<storeId>" ({shop} in api_base is the store id). */
static int ecwid_store_url(const struct provider_env *env, struct buf *url,
			   struct buf *err)
{
	const char *store = env->shop ? env->shop->domain : NULL;

	if (!ecwid_digits(store))
		return errorf(err, "ecwid store id '%s' is not a number",
			      store ? store : "");
	if (strstr(env->cfg->api_base, "{shop}"))
		return provider_base_url(env->cfg->api_base, store, url) < 0
			       ? errorf(err, "ecwid API URL too long")
			       : 0;
	if (ecwid_put_base(url, env->cfg->api_base) < 0 ||
	    buf_printf(url, "/%s", store) < 0)
		return errorf(err, "ecwid API URL too long");
	return 0;
}

/* A token goes into a header line: nothing but visible ASCII. */
static bool ecwid_token_ok(const char *t)
{
	if (!t || !t[0])
		return false;
	for (; *t; t++)
		if (*t <= ' ' || *t > '~')
			return false;
	return true;
}

/*
 * What an answer means. Ecwid says 403 INVALID_API_TOKEN for a bad or
 * revoked token, but 403 INSUFFICIENT_APP_SCOPE for a missing scope,
 * which forgetting the token would not cure: that one is a refusal.
 */
static enum provider_status ecwid_status(const struct ecwid_call *c,
					 const struct http_result *r,
					 struct buf *err)
{
	char msg[ECWID_MSG_MAX + 1], code[64];
	long s = r->status;

	if (s >= 200 && s < 300)
		return PROVIDER_OK;
	ecwid_error_text(r, msg, sizeof(msg), code, sizeof(code));
	errorf(err, "ecwid %s %s answered %ld%s%s%s%s", c->method, c->path, s,
	       code[0] ? " " : "", code, msg[0] ? ": " : "", msg);
	if (s == 429) {
		if (c->retry_after_ms)
			*c->retry_after_ms = r->retry_after_ms >= 0
						     ? r->retry_after_ms
						     : ECWID_RETRY_MS;
		return PROVIDER_RETRY;
	}
	if (s >= 500 || s == 408)
		return PROVIDER_RETRY;
	if (s == 404)
		return PROVIDER_NOT_FOUND;
	if (s == 409)
		return PROVIDER_EXISTS;
	if ((s == 401 || s == 403) &&
	    strcmp(code, "INSUFFICIENT_APP_SCOPE") != 0)
		return PROVIDER_UNAUTHORIZED;
	return PROVIDER_REJECTED;
}

static enum provider_status ecwid_api(const struct provider_env *env,
				      const struct ecwid_call *c,
				      struct http_result *r, struct buf *err)
{
	const char *headers[4] = {NULL, "Accept: application/json", NULL, NULL};
	struct http_call call = {.method = c->method, .headers = headers};
	enum provider_status st = PROVIDER_REJECTED;
	struct buf url, auth;

	if (!env->shop || !ecwid_token_ok(env->shop->token)) {
		errorf(err, "no usable Ecwid token for this store");
		return PROVIDER_UNAUTHORIZED;
	}
	buf_init(&url, ECWID_URL_MAX);
	buf_init(&auth, 1024);
	if (ecwid_store_url(env, &url, err) < 0)
		goto out;
	if (buf_printf(&url, "/%s", c->path) < 0 ||
	    buf_printf(&auth, "Authorization: Bearer %s", env->shop->token) <
		    0) {
		errorf(err, "ecwid request too long");
		goto out;
	}
	headers[0] = auth.data;
	if (c->body) {
		headers[2] = "Content-Type: application/json;charset=utf-8";
		call.body = c->body;
		call.len = strlen(c->body);
	}
	call.url = url.data;
	if (http_client_do(env->http, &call, r) < 0) {
		errorf(err, "ecwid %s %s got no answer: %s", c->method, c->path,
		       r->error);
		st = PROVIDER_RETRY;
	} else {
		st = ecwid_status(c, r, err);
	}
out:
	buf_release(&url);
	ecwid_release_secret(&auth);
	return st;
}

/* The shop */

/*
 * name, email and currency from GET /profile. currencyPrecision comes as
 * a number or a string; a store whose precision is not the ISO exponent
 * would send amounts we would misread, so it is refused.
 */
static int ecwid_profile(const cJSON *root, struct shop_info *out,
			 struct buf *err)
{
	bool bad = false;
	const cJSON *settings = ecwid_object(root, "settings", &bad, err);
	const cJSON *account = ecwid_object(root, "account", &bad, err);
	const cJSON *fmt = ecwid_object(root, "formatsAndUnits", &bad, err);
	const char *name = ecwid_text(settings, "storeName", &bad, err);
	const char *owner = ecwid_text(account, "accountName", &bad, err);
	const char *email = ecwid_text(account, "accountEmail", &bad, err);
	const char *cur = ecwid_text(fmt, "currency", &bad, err);
	int64_t precision;
	int exp;

	if (bad)
		return error_prefix(err, "ecwid profile");
	exp = money_exponent(cur);
	if (exp < 0)
		return errorf(err,
			      "ecwid profile: currency '%s' is not an ISO "
			      "4217 code",
			      cur ? cur : "");
	if (json_int(fmt, "currencyPrecision", exp, &precision, err) < 0)
		return error_prefix(err, "ecwid profile");
	if (precision != exp)
		return errorf(err,
			      "ecwid store currency %s has %lld decimals, but "
			      "ISO 4217 gives it %d: amounts would be misread",
			      cur, (long long)precision, exp);
	snprintf(out->name, sizeof(out->name), "%s",
		 name	 ? name
		 : owner ? owner
			 : "");
	snprintf(out->email, sizeof(out->email), "%s", email ? email : "");
	snprintf(out->currency, sizeof(out->currency), "%s", cur);
	return 0;
}

static enum provider_status ecwid_describe_shop(const struct provider_env *env,
						struct shop_info *out,
						struct buf *err)
{
	const struct ecwid_call c = {"GET", "profile", NULL, NULL};
	struct http_result r;
	cJSON *root = NULL;
	enum provider_status st;

	memset(out, 0, sizeof(*out));
	http_result_init(&r);
	st = ecwid_api(env, &c, &r, err);
	if (st == PROVIDER_OK) {
		root = json_parse(r.body.data, r.body.len, err);
		if (!root || ecwid_profile(root, out, err) < 0) {
			if (!root)
				error_prefix(err, "ecwid profile");
			st = PROVIDER_REJECTED;
		}
	}
	cJSON_Delete(root);
	http_result_release(&r);
	return st;
}

/* Webhooks */

/*
 * X-Ecwid-Webhook-Signature = base64(HMAC-SHA256(client_secret,
 * "<eventCreated>.<eventId>")). The body itself is not signed, which is
 * why order events only lead to a fetch. eventCreated is signed, so it
 * bounds replays: older than a day (Ecwid's retry span) or more than ten
 * minutes ahead of our clock is refused.
 */
static bool ecwid_verify_webhook(const struct platform_config *cfg,
				 const struct provider_request *req)
{
	const char *sig =
		req->header ? req->header(req->ctx, "X-Ecwid-Webhook-Signature")
			    : NULL;
	unsigned char mac[CRYPTO_SHA256_LEN];
	struct buf err, msg, mine;
	const char *created, *id;
	bool bad = false, ok = false;
	cJSON *root = NULL;
	int64_t t, now = clock_now();

	if (!sig || !sig[0] || !cfg->client_secret || !cfg->client_secret[0])
		return false;
	buf_init(&err, BUF_SMALL);
	buf_init(&msg, BUF_SMALL);
	buf_init(&mine, 128);
	root = json_parse(req->body, req->len, &err);
	created = ecwid_text(root, "eventCreated", &bad, &err);
	id = ecwid_text(root, "eventId", &bad, &err);
	if (!root || bad || !created || !id ||
	    parse_int_str(created, INT64_MAX, &t) < 0 ||
	    t < now - ECWID_MAX_AGE || t > now + ECWID_MAX_AHEAD ||
	    buf_printf(&msg, "%s.%s", created, id) < 0)
		goto out;
	crypto_hmac_sha256(cfg->client_secret, strlen(cfg->client_secret),
			   msg.data, msg.len, mac);
	if (base64_encode(&mine, mac, sizeof(mac)) == 0)
		ok = crypto_equal(mine.data, mine.len, sig, strlen(sig));
out:
	cJSON_Delete(root);
	buf_release(&err);
	buf_release(&msg);
	buf_release(&mine);
	return ok;
}

/*
 * What each event means to us. order.deleted is ignored: the body names
 * an order that can no longer be fetched, and deleting is not cancelling
 * or refunding (those come as order.updated with the new payment status),
 * so whatever was booked stays as it was. profile.personalData* concern
 * the merchant's own data, which has no neutral kind yet. Every other
 * event (unfinished_order.*, product.*, ...) is ignored too.
 */
static const struct ecwid_event {
	const char *type;
	enum webhook_kind kind;
} ecwid_events[] = {
	{"order.created", WEBHOOK_ORDER_REF},
	{"order.updated", WEBHOOK_ORDER_REF},
	{"application.uninstalled", WEBHOOK_UNINSTALLED},
	{"customer.personalDataRemovalRequest", WEBHOOK_CUSTOMER_REDACT},
	{"customer.personalDataExportRequest", WEBHOOK_DATA_REQUEST},
};

static enum webhook_kind ecwid_event_kind(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(ecwid_events) / sizeof(ecwid_events[0]); i++)
		if (strcmp(ecwid_events[i].type, type) == 0)
			return ecwid_events[i].kind;
	return WEBHOOK_IGNORED;
}

static int ecwid_event_fields(const cJSON *root, struct webhook_info *out,
			      struct buf *err)
{
	bool bad = false;
	const char *store = ecwid_text(root, "storeId", &bad, err);
	const char *id = ecwid_text(root, "eventId", &bad, err);
	const char *type = ecwid_text(root, "eventType", &bad, err);
	const char *created = ecwid_text(root, "eventCreated", &bad, err);

	if (bad)
		return -1;
	if (!store || !id || !type)
		return errorf(err, "field '%s' is missing",
			      !store ? "storeId"
			      : !id  ? "eventId"
				     : "eventType");
	if (!ecwid_digits(store))
		return errorf(err, "field 'storeId': '%.40s' is not a number",
			      store);
	if (created && parse_int_str(created, INT64_MAX, &out->event_time) < 0)
		return errorf(err,
			      "field 'eventCreated': '%.40s' is not a Unix "
			      "time",
			      created);
	if (ecwid_copy(out->shop, sizeof(out->shop), store) < 0 ||
	    ecwid_copy(out->delivery_id, sizeof(out->delivery_id), id) < 0 ||
	    ecwid_copy(out->topic, sizeof(out->topic), type) < 0)
		return errorf(err, "storeId, eventId or eventType too long");
	out->kind = ecwid_event_kind(type);
	return 0;
}

static int ecwid_classify_webhook(const struct provider_request *req,
				  struct webhook_info *out, struct buf *err)
{
	cJSON *root = json_parse(req->body, req->len, err);
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (root && !cJSON_IsObject(root))
		errorf(err, "not a JSON object");
	else if (root)
		rc = ecwid_event_fields(root, out, err);
	cJSON_Delete(root);
	return rc < 0 ? error_prefix(err, "ecwid event") : 0;
}

/* data.orderId (the id the REST API takes), else the older entityId. */
static int ecwid_parse_order_ref(const char *json, size_t len, char *order_id,
				 size_t n, struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	bool bad = false;
	const cJSON *data = ecwid_object(root, "data", &bad, err);
	const char *id = ecwid_text(data, "orderId", &bad, err);
	int rc = -1;

	if (!id && !bad)
		id = ecwid_text(root, "entityId", &bad, err);
	if (!root || bad)
		error_prefix(err, "ecwid event");
	else if (!id)
		errorf(err, "ecwid event names no order (no data.orderId or "
			    "entityId)");
	else if (n == 0 || ecwid_copy(order_id, n, id) < 0)
		errorf(err, "ecwid order id too long");
	else
		rc = 0;
	cJSON_Delete(root);
	return rc;
}

/*
 * customer.personalData{Removal,Export}Request: entityId is the customer
 * id (as in every customer.* event) and data.customerEmail, when Ecwid
 * sends it, the email.
 */
static int ecwid_parse_privacy(const char *json, size_t len, char *customer_id,
			       size_t idn, char *email, size_t emailn,
			       struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	bool bad = false;
	const cJSON *data = ecwid_object(root, "data", &bad, err);
	const char *id = ecwid_text(root, "entityId", &bad, err);
	const char *mail = ecwid_text(data, "customerEmail", &bad, err);
	int rc = -1;

	if (!root || bad)
		error_prefix(err, "ecwid privacy event");
	else if (!id && !mail)
		errorf(err, "ecwid privacy event names no customer");
	else if (idn == 0 || emailn == 0 ||
		 ecwid_copy(customer_id, idn, id ? id : "") < 0 ||
		 ecwid_copy(email, emailn, mail ? mail : "") < 0)
		errorf(err, "ecwid privacy event: customer id or email too "
			    "long");
	else
		rc = 0;
	cJSON_Delete(root);
	return rc;
}

/* Orders */

static char *ecwid_prefixed(const char *prefix, const char *s)
{
	size_t n = strlen(prefix) + strlen(s) + 1;
	char *out = xmalloc(n);

	snprintf(out, n, "%s%s", prefix, s);
	return out;
}

/*
 * id is the string id ("XJ12H") that GET orders/{id} takes; orders from
 * before Ecwid's 2020 switch have only orderNumber.
 */
static int ecwid_ids(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const char *id = ecwid_text(j, "id", &bad, err);
	const char *number = ecwid_text(j, "orderNumber", &bad, err);
	const char *vendor = ecwid_text(j, "vendorOrderNumber", &bad, err);
	const char *customer = ecwid_text(j, "customerId", &bad, err);
	const char *email = ecwid_text(j, "email", &bad, err);
	const char *ip = ecwid_text(j, "ipAddress", &bad, err);

	if (bad)
		return -1;
	if (!id)
		id = number;
	if (!id)
		return errorf(err, "order has neither 'id' nor 'orderNumber'");
	o->id = xstrdup(id);
	o->name = ecwid_prefixed("#", vendor ? vendor : id);
	if (customer && strcmp(customer, "0") != 0)
		o->customer_id = xstrdup(customer);
	if (email)
		o->email = xstrdup(email);
	if (ip)
		o->browser_ip = xstrdup(ip);
	return 0;
}

static int ecwid_country(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const cJSON *bill = ecwid_object(j, "billingPerson", &bad, err);
	const cJSON *ship = ecwid_object(j, "shippingPerson", &bad, err);
	const char *cc = ecwid_text(bill, "countryCode", &bad, err);
	char *p;

	if (!cc && !bad)
		cc = ecwid_text(ship, "countryCode", &bad, err);
	if (bad)
		return -1;
	if (cc) {
		o->country = xstrdup(cc);
		for (p = o->country; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
	}
	return 0;
}

/*
 * Ecwid's subtotal is before discounts; ours is after. couponDiscount is
 * the coupon, discount the sum of every other promotion (volumeDiscount,
 * membershipBasedDiscount, ... are parts of it, so adding them would
 * count them twice).
 */
static int ecwid_amounts(const cJSON *j, int exp, struct order *o,
			 struct buf *err)
{
	bool bad = false;
	const cJSON *ship = ecwid_object(j, "shippingOption", &bad, err);
	int64_t subtotal, coupon, other;

	if (bad || json_money(j, "total", exp, &o->total, err) < 0 ||
	    json_money(j, "subtotal", exp, &subtotal, err) < 0 ||
	    json_money(j, "tax", exp, &o->tax, err) < 0 ||
	    json_money(j, "couponDiscount", exp, &coupon, err) < 0 ||
	    json_money(j, "discount", exp, &other, err) < 0 ||
	    json_money(ship, "shippingRate", exp, &o->shipping, err) < 0)
		return -1;
	if (money_add(coupon, other, &o->discounts) < 0 ||
	    money_sub(subtotal, o->discounts, &o->subtotal) < 0)
		return errorf(err, "order amounts overflow");
	return 0;
}

/* A line's discount: its coupon share plus its promotions. */
static int ecwid_line_discount(const cJSON *it, int exp, int64_t *out,
			       struct buf *err)
{
	bool bad = false;
	const cJSON *list = json_array(it, "discounts", &bad, err), *d;
	int64_t v;
	size_t i = 0;

	if (bad || json_money(it, "couponAmount", exp, out, err) < 0)
		return -1;
	cJSON_ArrayForEach(d, list)
	{
		if (json_money(d, "total", exp, &v, err) < 0)
			return error_prefix(err, "discounts[%zu]", i);
		if (money_add(*out, v, out) < 0)
			return errorf(err, "line discounts overflow");
		i++;
	}
	return 0;
}

static int ecwid_line(const cJSON *it, int exp, struct order *o,
		      struct buf *err)
{
	struct order_line *l = order_add_line(o);
	bool bad = false;
	const char *id = ecwid_text(it, "id", &bad, err);
	const char *product = ecwid_text(it, "productId", &bad, err);
	const char *sku = ecwid_text(it, "sku", &bad, err);
	const char *name = ecwid_text(it, "name", &bad, err);

	if (bad || !cJSON_IsObject(it))
		return bad ? -1 : errorf(err, "not an object");
	l->id = id ? xstrdup(id) : NULL;
	l->product_id = product ? xstrdup(product) : NULL;
	l->sku = sku ? xstrdup(sku) : NULL;
	l->title = name ? xstrdup(name) : NULL;
	if (json_money(it, "price", exp, &l->price, err) < 0 ||
	    json_int(it, "quantity", 1, &l->quantity, err) < 0 ||
	    json_bool(it, "isGiftCard", false, &l->gift_card, err) < 0 ||
	    ecwid_line_discount(it, exp, &l->discount, err) < 0)
		return -1;
	if (l->quantity < 0)
		return errorf(err, "field 'quantity' is negative");
	return 0;
}

static int ecwid_lines(const cJSON *j, int exp, struct order *o,
		       struct buf *err)
{
	bool bad = false;
	const cJSON *items = json_array(j, "items", &bad, err), *it;
	size_t i = 0;

	if (bad)
		return -1;
	cJSON_ArrayForEach(it, items)
	{
		if (ecwid_line(it, exp, o, err) < 0)
			return error_prefix(err, "items[%zu]", i);
		i++;
	}
	return 0;
}

/*
 * Ecwid refunds have no id: name one from the date and the amount, and
 * number repeats of the same pair, so that the name does not depend on
 * where Ecwid lists the refund.
 */
static void ecwid_refund_id(struct order *o, struct order_refund *r)
{
	char id[96];
	size_t k, same = 0;

	for (k = 0; k < o->nrefunds && &o->refunds[k] != r; k++)
		if (o->refunds[k].created_at == r->created_at &&
		    o->refunds[k].amount == r->amount)
			same++;
	if (same)
		snprintf(id, sizeof(id), "ecwid-refund-%lld-%lld-%zu",
			 (long long)r->created_at, (long long)r->amount,
			 same + 1);
	else
		snprintf(id, sizeof(id), "ecwid-refund-%lld-%lld",
			 (long long)r->created_at, (long long)r->amount);
	r->id = xstrdup(id);
}

static int ecwid_refund(const cJSON *rf, int exp, struct order *o,
			struct buf *err)
{
	bool bad = false;
	const char *date = ecwid_text(rf, "date", &bad, err);
	int64_t amount, when = 0;
	struct order_refund *r;

	if (bad || json_money(rf, "amount", exp, &amount, err) < 0)
		return -1;
	if (date && ecwid_parse_date(date, &when) < 0)
		return errorf(err, "field 'date': '%.40s' is not a date", date);
	r = order_add_refund(o);
	r->amount = amount;
	r->created_at = when;
	ecwid_refund_id(o, r);
	return 0;
}

/* refunds[]{date, source, reason, amount}: refundedAmount is WePay-only. */
static int ecwid_refunds(const cJSON *j, int exp, struct order *o,
			 struct buf *err)
{
	bool bad = false;
	const cJSON *list = json_array(j, "refunds", &bad, err), *rf;
	size_t i = 0;

	if (bad)
		return -1;
	cJSON_ArrayForEach(rf, list)
	{
		if (ecwid_refund(rf, exp, o, err) < 0)
			return error_prefix(err, "refunds[%zu]", i);
		i++;
	}
	return 0;
}

/*
 * paymentStatus. CANCELLED covers both a declined payment and an order
 * the merchant cancelled, paid or not; when refunds were recorded the
 * order was paid, so it reads as refunded (and cancelled), else voided.
 * INCOMPLETE is an abandoned checkout; the merchant's CUSTOM_PAYMENT_
 * STATUS_n and anything new count as pending, which credits nothing.
 */
static int ecwid_financial(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const char *s = ecwid_text(j, "paymentStatus", &bad, err);
	int64_t refunded = order_refunded(o);

	if (bad)
		return -1;
	o->financial = ORDER_PENDING;
	if (!s)
		return 0;
	if (strcmp(s, "PAID") == 0)
		o->financial = ORDER_PAID;
	else if (strcmp(s, "PARTIALLY_REFUNDED") == 0)
		o->financial = ORDER_PARTIALLY_REFUNDED;
	else if (strcmp(s, "REFUNDED") == 0)
		o->financial = ORDER_REFUNDED;
	else if (strcmp(s, "CANCELLED") == 0) {
		o->cancelled = true;
		o->financial = refunded <= 0	     ? ORDER_VOIDED
			       : refunded < o->total ? ORDER_PARTIALLY_REFUNDED
						     : ORDER_REFUNDED;
	}
	return 0;
}

/* Unix seconds (createTimestamp), else the date text (createDate). */
static int ecwid_time(const cJSON *j, const char *stamp_key,
		      const char *date_key, int64_t *out, struct buf *err)
{
	bool bad = false;
	const char *stamp = ecwid_text(j, stamp_key, &bad, err);
	const char *date = ecwid_text(j, date_key, &bad, err);

	*out = 0;
	if (bad)
		return -1;
	if (stamp && parse_int_str(stamp, INT64_MAX, out) < 0)
		return errorf(err, "field '%s': '%.40s' is not a Unix time",
			      stamp_key, stamp);
	if (!stamp && date && ecwid_parse_date(date, out) < 0)
		return errorf(err, "field '%s': '%.40s' is not a date",
			      date_key, date);
	return 0;
}

/*
 * orderExtraFields[] become attributes by id (our storefront script
 * writes "ref" and "affiliated_click"); the extraFields map adds what the
 * list lacked. refererId and affiliateId are the storefront labels Ecwid
 * lets a merchant set per site (xAffiliate), not our codes, so they keep
 * their own names.
 */
static int ecwid_attributes(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const cJSON *list = json_array(j, "orderExtraFields", &bad, err);
	const cJSON *map = ecwid_object(j, "extraFields", &bad, err), *f;
	const char *referer = ecwid_text(j, "refererId", &bad, err);
	const char *affiliate = ecwid_text(j, "affiliateId", &bad, err);

	if (bad)
		return -1;
	cJSON_ArrayForEach(f, list)
	{
		const char *name = ecwid_text(f, "id", &bad, err);
		const char *value = json_text(f, "value", &bad, err);

		if (!name && !bad)
			name = ecwid_text(f, "name", &bad, err);
		if (bad)
			return error_prefix(err, "orderExtraFields");
		if (name && value)
			order_add_attr(o, name, value);
	}
	cJSON_ArrayForEach(f, map)
	{
		if (cJSON_IsString(f) && !order_attr(o, f->string))
			order_add_attr(o, f->string, f->valuestring);
	}
	if (referer)
		order_add_attr(o, "referer_id", referer);
	if (affiliate)
		order_add_attr(o, "affiliate_id", affiliate);
	return 0;
}

/* Whether a URL's query has a non-empty ref parameter. */
static bool ecwid_has_ref(const char *url)
{
	const char *q = url ? strchr(url, '?') : NULL;

	while (q) {
		q++;
		if (strncmp(q, "ref=", 4) == 0 && q[4] && q[4] != '&' &&
		    q[4] != '#')
			return true;
		q = strchr(q, '&');
	}
	return false;
}

/*
 * globalReferer is where the buyer came from, refererUrl the store page
 * the order was placed on. The first becomes referring_site; whichever of
 * the two carries ?ref= becomes landing_url, so that the engine's landing
 * signal sees the ref. Without one there is no landing URL to report.
 */
static int ecwid_referer(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const char *from = ecwid_text(j, "globalReferer", &bad, err);
	const char *page = ecwid_text(j, "refererUrl", &bad, err);

	if (bad)
		return -1;
	if (from)
		o->referring_site = xstrdup(from);
	if (ecwid_has_ref(from))
		o->landing_url = xstrdup(from);
	else if (ecwid_has_ref(page))
		o->landing_url = xstrdup(page);
	return 0;
}

static int ecwid_codes(const cJSON *j, struct order *o, struct buf *err)
{
	bool bad = false;
	const cJSON *coupon = ecwid_object(j, "discountCoupon", &bad, err);
	const char *code = bad ? NULL : ecwid_text(coupon, "code", &bad, err);
	const cJSON *test = json_get(j, "test");

	if (bad)
		return coupon ? error_prefix(err, "discountCoupon") : -1;
	if (code)
		order_add_code(o, code);
	o->test = cJSON_IsTrue(test);
	return 0;
}

/* One Ecwid order object into o (initialised) in the given currency. */
static int ecwid_order_from(const cJSON *j, const char *currency,
			    struct order *o, struct buf *err)
{
	int exp = money_exponent(currency);

	if (exp < 0)
		return errorf(err, "currency '%s' is not an ISO 4217 code",
			      currency);
	if (!cJSON_IsObject(j))
		return errorf(err, "an Ecwid order should be a JSON object");
	o->currency = xstrdup(currency);
	if (ecwid_ids(j, o, err) < 0 || ecwid_country(j, o, err) < 0 ||
	    ecwid_amounts(j, exp, o, err) < 0 ||
	    ecwid_lines(j, exp, o, err) < 0 ||
	    ecwid_refunds(j, exp, o, err) < 0 ||
	    ecwid_financial(j, o, err) < 0 ||
	    ecwid_time(j, "createTimestamp", "createDate", &o->created_at,
		       err) < 0 ||
	    ecwid_time(j, "updateTimestamp", "updateDate", &o->updated_at,
		       err) < 0 ||
	    ecwid_codes(j, o, err) < 0 || ecwid_attributes(j, o, err) < 0 ||
	    ecwid_referer(j, o, err) < 0)
		return -1;
	return 0;
}

static int ecwid_parse_order(const char *json, size_t len, struct order *out,
			     struct buf *err)
{
	cJSON *root = json_parse(json, len, err);
	bool bad = false;
	const char *cur = ecwid_text(root, "currency", &bad, err);
	int rc = -1;

	order_init(out);
	if (!root || bad)
		error_prefix(err, "ecwid order");
	else if (!cur)
		errorf(err, "Ecwid orders carry no currency: fetch them "
			    "through the API, which knows the store's");
	else
		rc = ecwid_order_from(root, cur, out, err);
	if (rc < 0)
		order_release(out);
	cJSON_Delete(root);
	return rc;
}

/* The shop's currency, which every fetched order is in. */
static const char *ecwid_shop_currency(const struct provider_env *env,
				       struct buf *err)
{
	const char *cur = env->shop ? env->shop->currency : NULL;

	if (!money_currency_valid(cur)) {
		errorf(err,
		       "the Ecwid store's currency is unknown ('%s'): "
		       "describe the shop first",
		       cur ? cur : "");
		return NULL;
	}
	return cur;
}

static enum provider_status ecwid_fetch_order(const struct provider_env *env,
					      const char *order_id,
					      struct order *out,
					      struct buf *err)
{
	struct ecwid_call c = {"GET", NULL, NULL, NULL};
	const char *cur = ecwid_shop_currency(env, err);
	enum provider_status st = PROVIDER_REJECTED;
	struct http_result r;
	struct buf path;
	cJSON *root = NULL;

	order_init(out);
	if (!cur)
		return PROVIDER_REJECTED;
	buf_init(&path, 1024);
	http_result_init(&r);
	if (!order_id || !order_id[0] || buf_puts(&path, "orders/") < 0 ||
	    url_encode(&path, order_id) < 0) {
		errorf(err, "bad Ecwid order id");
		goto out;
	}
	c.path = path.data;
	st = ecwid_api(env, &c, &r, err);
	if (st != PROVIDER_OK)
		goto out;
	root = json_parse(r.body.data, r.body.len, err);
	if (!root || ecwid_order_from(root, cur, out, err) < 0) {
		error_prefix(err, "ecwid order %s", order_id);
		order_release(out);
		st = PROVIDER_REJECTED;
	}
out:
	cJSON_Delete(root);
	http_result_release(&r);
	buf_release(&path);
	return st;
}

/*
 * Hands each order of a page to fn. An order that cannot be read does not
 * stop the page: it is counted in the cursor's skipped, with the first
 * reason. fn failing stops at once. Returns -1 when fn failed, else 0.
 */
static int ecwid_page_orders(const cJSON *items, const char *cur,
			     int (*fn)(void *ctx, const struct order *o),
			     void *ctx, struct order_page_cursor *cursor,
			     struct buf *err)
{
	struct buf first;
	const cJSON *it;
	size_t bad = 0, n = 0;
	int rc = 0;

	buf_init(&first, BUF_SMALL);
	cJSON_ArrayForEach(it, items)
	{
		struct order o;

		order_init(&o);
		n++;
		if (ecwid_order_from(it, cur, &o, bad ? NULL : &first) < 0) {
			if (!bad)
				error_prefix(&first, "order %s",
					     o.id ? o.id : "without an id");
			bad++;
		} else if (fn(ctx, &o) != 0)
			rc = -1;
		order_release(&o);
		if (rc < 0)
			break;
	}
	if (rc < 0)
		errorf(err, "ecwid orders: the caller refused an order");
	if (bad && !cursor->skipped)
		snprintf(cursor->skip_error, sizeof(cursor->skip_error), "%s",
			 buf_str(&first));
	cursor->skipped += (int64_t)bad;
	(void)n;
	buf_release(&first);
	return rc < 0 ? -1 : 0;
}

/* Moves the cursor past a page of {total, count, offset, items}. */
static void ecwid_advance(const cJSON *root, uint64_t offset,
			  struct order_page_cursor *cursor)
{
	int64_t total = 0;
	int n = cJSON_GetArraySize(json_get(root, "items"));
	uint64_t next = offset + (uint64_t)n;

	cursor->next[0] = '\0';
	if (json_int(root, "total", 0, &total, NULL) == 0 && n > 0 &&
	    total > 0 && next < (uint64_t)total)
		snprintf(cursor->next, sizeof(cursor->next), "%llu",
			 (unsigned long long)next);
}

/*
 * GET orders?updatedFrom=&offset=&limit=100, oldest change first; the
 * cursor is the next offset. Unreadable orders are skipped (counted in
 * the cursor).
 */
static enum provider_status
ecwid_list_orders(const struct provider_env *env, int64_t since,
		  struct order_page_cursor *cursor,
		  int (*fn)(void *ctx, const struct order *o), void *ctx,
		  struct buf *err)
{
	const char *cur = ecwid_shop_currency(env, err);
	char path[160];
	struct ecwid_call c = {"GET", path, NULL, &cursor->retry_after_ms};
	enum provider_status st;
	struct http_result r;
	uint64_t offset = 0;
	cJSON *root = NULL;
	int rc;

	cursor->retry_after_ms = 0;
	if (!cur)
		return PROVIDER_REJECTED;
	if (cursor->next[0] &&
	    parse_uint_str(cursor->next, UINT32_MAX, &offset) < 0) {
		errorf(err, "bad Ecwid orders cursor '%.40s'", cursor->next);
		return PROVIDER_REJECTED;
	}
	snprintf(path, sizeof(path),
		 "orders?updatedFrom=%lld&offset=%llu&limit=%d",
		 (long long)(since < 0 ? 0 : since), (unsigned long long)offset,
		 ECWID_PAGE);
	http_result_init(&r);
	st = ecwid_api(env, &c, &r, err);
	if (st == PROVIDER_OK) {
		root = json_parse(r.body.data, r.body.len, err);
		if (!cJSON_IsArray(json_get(root, "items"))) {
			errorf(err, "the Ecwid orders answer holds no items");
			st = PROVIDER_REJECTED;
		} else if ((rc = ecwid_page_orders(json_get(root, "items"), cur,
						   fn, ctx, cursor, err)) >=
			   0) {
			ecwid_advance(root, offset, cursor);
			st = PROVIDER_OK;
		} else {
			st = PROVIDER_REJECTED;
		}
	}
	cJSON_Delete(root);
	http_result_release(&r);
	return st;
}

/* Rewards */

/*
 * {name, code, discountType, discount, status, usesLimit,
 * applicationLimit}. discount is written as decimal text (15.00 for
 * 1500 bps, 10.00 for 1000 cents): no double on the way. Ecwid coupons
 * cannot be tied to a customer nor limited to n uses for n > 1, so
 * customer_id is not sent and usage_limit is SINGLE or UNLIMITED.
 */
static int ecwid_coupon_body(const struct reward_request *req, struct buf *b)
{
	const char *name = req->title && req->title[0] ? req->title : req->code;
	const char *type = req->percent ? "PERCENT" : "ABS";
	const char *uses = req->usage_limit == 1 ? "SINGLE" : "UNLIMITED";
	int exponent = req->percent ? 2 : req->exponent;

	if (buf_puts(b, "{\"name\":") < 0 || json_escape(b, name) < 0 ||
	    buf_puts(b, ",\"code\":") < 0 || json_escape(b, req->code) < 0 ||
	    buf_printf(b, ",\"discountType\":\"%s\",\"discount\":", type) < 0 ||
	    money_format(b, req->value, exponent) < 0 ||
	    buf_printf(b,
		       ",\"status\":\"ACTIVE\",\"usesLimit\":\"%s\","
		       "\"applicationLimit\":\"UNLIMITED\"}",
		       uses) < 0)
		return -1;
	return 0;
}

/* What we can refuse before asking Ecwid. */
static int ecwid_coupon_check(const struct provider_env *env,
			      const struct reward_request *req, struct buf *err)
{
	const char *cur = env->shop ? env->shop->currency : NULL;

	if (!req->code || !req->code[0])
		return errorf(err, "coupon without a code");
	if (req->percent)
		return 0;
	if (req->exponent < 0 || req->exponent > 4)
		return errorf(err, "bad currency exponent %d", req->exponent);
	if (req->currency && cur && strcmp(req->currency, cur) != 0)
		return errorf(err,
			      "an Ecwid coupon is in the store's currency %s, "
			      "not %s",
			      cur, req->currency);
	return 0;
}

/* platform_id and code from a coupon object ({"id":..,"code":..}). */
static void ecwid_coupon_out(const cJSON *coupon, const char *code,
			     struct reward_result *out)
{
	bool bad = false;
	const char *id = ecwid_text(coupon, "id", &bad, NULL);
	const char *got = ecwid_text(coupon, "code", &bad, NULL);

	snprintf(out->platform_id, sizeof(out->platform_id), "%s",
		 id && !bad ? id : "");
	snprintf(out->code, sizeof(out->code), "%s", got && !bad ? got : code);
}

static enum provider_status
ecwid_create_coupon(const struct provider_env *env,
		    const struct reward_request *req, struct reward_result *out,
		    struct buf *err)
{
	struct buf body;
	struct http_result r;
	struct ecwid_call c = {"POST", "discount_coupons", NULL,
			       &out->retry_after_ms};
	enum provider_status st = PROVIDER_REJECTED;
	cJSON *root = NULL;

	out->retry_after_ms = 0;
	if (ecwid_coupon_check(env, req, err) < 0)
		return PROVIDER_REJECTED;
	buf_init(&body, BUF_SMALL);
	http_result_init(&r);
	if (ecwid_coupon_body(req, &body) < 0) {
		errorf(err, "coupon request too long");
		goto out;
	}
	c.body = body.data;
	st = ecwid_api(env, &c, &r, err);
	if (st == PROVIDER_OK) {
		root = json_parse(r.body.data, r.body.len, NULL);
		ecwid_coupon_out(root, req->code, out);
	} else if (st == PROVIDER_EXISTS) {
		snprintf(out->code, sizeof(out->code), "%s", req->code);
	}
out:
	cJSON_Delete(root);
	http_result_release(&r);
	buf_release(&body);
	return st;
}

/* GET discount_coupons?code=: Ecwid matches codes without case. */
static enum provider_status ecwid_find_coupon(const struct provider_env *env,
					      const char *code,
					      struct reward_result *out,
					      struct buf *err)
{
	struct ecwid_call c = {"GET", NULL, NULL, &out->retry_after_ms};
	enum provider_status st = PROVIDER_REJECTED;
	struct http_result r;
	struct buf path;
	const cJSON *it;
	cJSON *root = NULL;

	out->retry_after_ms = 0;
	buf_init(&path, 1024);
	http_result_init(&r);
	if (!code || !code[0] ||
	    buf_puts(&path, "discount_coupons?code=") < 0 ||
	    url_encode(&path, code) < 0) {
		errorf(err, "bad coupon code");
		goto out;
	}
	c.path = path.data;
	st = ecwid_api(env, &c, &r, err);
	if (st != PROVIDER_OK)
		goto out;
	root = json_parse(r.body.data, r.body.len, err);
	st = PROVIDER_NOT_FOUND;
	cJSON_ArrayForEach(it, json_get(root, "items"))
	{
		bool bad = false;
		const char *got = ecwid_text(it, "code", &bad, NULL);

		if (got && !bad && str_ieq(got, code)) {
			ecwid_coupon_out(it, code, out);
			st = PROVIDER_OK;
			break;
		}
	}
	if (st == PROVIDER_NOT_FOUND)
		errorf(err, "no Ecwid coupon with code '%.64s'", code);
out:
	cJSON_Delete(root);
	http_result_release(&r);
	buf_release(&path);
	return st;
}

/*
 * Served at /storefront/ecwid.js and registered as the app's customJsUrl
 * (needs the customize_storefront scope). It keeps ref and
 * affiliated_click from the landing URL in first-party cookies (aff_ref,
 * aff_click) for 30 days and puts them into every order as hidden extra
 * fields "ref" and "affiliated_click": ec.order.extraFields entries with
 * a value and no checkoutDisplaySection are saved with the order but
 * shown to nobody at checkout. Ecwid.refreshConfig() makes a storefront
 * that has already loaded pick them up.
 */
static const char ecwid_storefront_js[] =
	"(function () {\n"
	"  'use strict';\n"
	"  var DAYS = 30;\n"
	"  function param(name) {\n"
	"    var m = new RegExp('[?&]' + name + '=([^&#]*)')"
	".exec(location.search);\n"
	"    try { return m ? decodeURIComponent(m[1].replace(/\\+/g, ' '))"
	" : ''; }\n"
	"    catch (e) { return ''; }\n"
	"  }\n"
	"  function cookie(name) {\n"
	"    var m = new RegExp('(?:^|; )' + name + '=([^;]*)')"
	".exec(document.cookie);\n"
	"    try { return m ? decodeURIComponent(m[1]) : ''; }\n"
	"    catch (e) { return ''; }\n"
	"  }\n"
	"  function keep(name, value) {\n"
	"    document.cookie = name + '=' + encodeURIComponent(value) +\n"
	"      '; max-age=' + (value ? DAYS * 86400 : 0) +\n"
	"      '; path=/; SameSite=Lax';\n"
	"  }\n"
	"  var REF = /^[A-Za-z0-9._~-]{1,64}$/, CLICK = /^[0-9]{1,19}$/;\n"
	"  var ref = param('ref'), click = param('affiliated_click');\n"
	"  if (REF.test(ref) || CLICK.test(click)) {\n"
	"    /* a new referral link replaces the whole pair */\n"
	"    ref = REF.test(ref) ? ref : '';\n"
	"    click = CLICK.test(click) ? click : '';\n"
	"    keep('aff_ref', ref);\n"
	"    keep('aff_click', click);\n"
	"  } else {\n"
	"    ref = REF.test(cookie('aff_ref')) ? cookie('aff_ref') : '';\n"
	"    click = CLICK.test(cookie('aff_click')) ? cookie('aff_click') : "
	"'';\n"
	"  }\n"
	"  if (!ref && !click) return;\n"
	"  function fields() {\n"
	"    window.ec = window.ec || {};\n"
	"    ec.order = ec.order || {};\n"
	"    ec.order.extraFields = ec.order.extraFields || {};\n"
	"    if (ref) ec.order.extraFields.ref =\n"
	"      { title: 'Referral code', value: ref };\n"
	"    if (click) ec.order.extraFields.affiliated_click =\n"
	"      { title: 'Referral click', value: click };\n"
	"  }\n"
	"  fields();\n"
	"  var tries = 0;\n"
	"  (function hook() {\n"
	"    if (window.Ecwid && Ecwid.OnAPILoaded) {\n"
	"      Ecwid.OnAPILoaded.add(function () {\n"
	"        fields();\n"
	"        if (Ecwid.refreshConfig) Ecwid.refreshConfig();\n"
	"      });\n"
	"    } else if (++tries < 100) {\n"
	"      setTimeout(hook, 100);\n"
	"    }\n"
	"  })();\n"
	"})();\n";

/*
 * The app opened inside the Ecwid admin gets ?payload=: URL-safe base64
 * of IV(16) || AES-128-CBC(JSON), keyed with the first 16 characters of
 * the client secret. Ecwid adds no MAC: that the JSON opens and parses
 * with our secret, and names a store and a token, is the check.
 */
static int ecwid_open_app_payload(const struct platform_config *cfg,
				  const struct provider_request *req,
				  struct install_result *out, struct buf *err)
{
	const char *payload = req->query(req->ctx, "payload");
	unsigned char key[16];
	struct buf raw, plain;
	cJSON *root = NULL;
	const char *store, *token;
	bool bad = false;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!payload || !payload[0])
		return errorf(err, "no payload in the request");
	if (strlen(cfg->client_secret) < sizeof(key))
		return errorf(err,
			      "the client secret is too short for payloads");
	memcpy(key, cfg->client_secret, sizeof(key));
	buf_init(&raw, 64 * 1024);
	buf_init(&plain, 64 * 1024);
	if (base64url_decode(&raw, payload, strlen(payload)) < 0 ||
	    raw.len < 32 || raw.len % 16 != 0 ||
	    crypto_aes128_cbc_decrypt(key, (const unsigned char *)raw.data,
				      raw.data + 16, raw.len - 16,
				      &plain) < 0) {
		errorf(err, "the payload does not open with our secret");
		goto out;
	}
	root = json_parse(plain.data, plain.len, err);
	store = root ? ecwid_text(root, "store_id", &bad, err) : NULL;
	token = root ? ecwid_text(root, "access_token", &bad, err) : NULL;
	if (!root || bad || !store || !token) {
		errorf(err, "the payload names no store and token");
		goto out;
	}
	snprintf(out->shop, sizeof(out->shop), "%s", store);
	snprintf(out->token, sizeof(out->token), "%s", token);
	rc = 0;
out:
	cJSON_Delete(root);
	ecwid_release_secret(&plain);
	buf_release(&raw);
	explicit_bzero(key, sizeof(key));
	return rc;
}

const struct provider ecwid_provider = {
	.name = "ecwid",
	/* App Market installs come back with only a code, never our state. */
	.caps = PROVIDER_CAN_FETCH_ORDER | PROVIDER_UNSOLICITED_INSTALL,
	.install_redirect = ecwid_install_redirect,
	.finish_install = ecwid_finish_install,
	.describe_shop = ecwid_describe_shop,
	.verify_webhook = ecwid_verify_webhook,
	.classify_webhook = ecwid_classify_webhook,
	.parse_order = ecwid_parse_order,
	.parse_order_ref = ecwid_parse_order_ref,
	.parse_privacy = ecwid_parse_privacy,
	.fetch_order = ecwid_fetch_order,
	.list_orders = ecwid_list_orders,
	.create_coupon = ecwid_create_coupon,
	.find_coupon = ecwid_find_coupon,
	.open_app_payload = ecwid_open_app_payload,
	.storefront_js = ecwid_storefront_js,
};
