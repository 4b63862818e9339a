/*
 * sim_shopify: a local stand-in for Shopify's OAuth install, GraphQL and
 * REST Admin APIs and webhook deliveries, for the daemon's integration
 * tests. Every path starts with the shop domain, because the daemon's
 * base_url is http://127.0.0.1:PORT/{shop}.
 */
#include "sim_common.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define JSON_TYPE "application/json; charset=utf-8"
#define INVALID_TOKEN                                                         \
	"[API] Invalid API key or access token (unrecognized login or wrong " \
	"password)"
#define CODE_NOT_FOUND \
	"The authorization code was not found or was already used"
#define PROTECTED_REFUSED                                                     \
	"This app is not approved to subscribe to webhook topics containing " \
	"protected customer data. See https://shopify.dev/docs/apps/launch/"  \
	"protected-customer-data for more details."
#define LEGACY_REFUSED                                                        \
	"Non-expiring access tokens are no longer accepted for public apps. " \
	"Start using expiring offline access tokens."
#define BULLETS "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"

enum op {
	OP_AUTHORIZE,
	OP_ACCESS_TOKEN,
	OP_DISCOUNT_CREATE,
	OP_DISCOUNT_BY_CODE,
	OP_GIFT_CARD_CREATE,
	OP_GIFT_CARDS,
	OP_WEBHOOK_CREATE,
	OP_WEBHOOKS,
	OP_WEBHOOK_DELETE,
	OP_SHOP,
	OP_ORDER,
	OP_ORDERS,
	OP_REFUND,
	OP_GRAPHQL_OTHER,
	OP__COUNT
};

static const char *const op_names[OP__COUNT] = {
	"oauth_authorize",	     /* OP_AUTHORIZE */
	"oauth_access_token",	     /* OP_ACCESS_TOKEN */
	"discountCodeBasicCreate",   /* OP_DISCOUNT_CREATE */
	"codeDiscountNodeByCode",    /* OP_DISCOUNT_BY_CODE */
	"giftCardCreate",	     /* OP_GIFT_CARD_CREATE */
	"giftCards",		     /* OP_GIFT_CARDS */
	"webhookSubscriptionCreate", /* OP_WEBHOOK_CREATE */
	"webhookSubscriptions",	     /* OP_WEBHOOKS */
	"webhookSubscriptionDelete", /* OP_WEBHOOK_DELETE */
	"shop",			     /* OP_SHOP */
	"order",		     /* OP_ORDER */
	"orders",		     /* OP_ORDERS */
	"refund",		     /* OP_REFUND */
	"graphql_other",	     /* OP_GRAPHQL_OTHER */
};

enum order_flags {
	ORDER_CLOSED = 1 << 0,
	ORDER_CANCELLED = 1 << 1,
};

struct opts {
	const char *secret;
	const char *api_key;
	const char *currency;
	uint64_t port;
	uint64_t bucket_max;
	uint64_t restore_rate;
	uint64_t mutation_cost;
	uint64_t order_cost; /* requested cost of one order */
	bool no_gift_cards;
	struct sim_strv tokens;
	const char *token_scopes; /* what the --token tokens may do */
};

#define DAY INT64_C(86400)
/* How long a used refresh token stays good while its replacement is
 * unused (changelog 2026-08-28). */
#define RECOVERY_WINDOW (30 * DAY)
/* A lost migration answer can be asked for again this long. */
#define MIGRATION_RETRY (7 * DAY)
#define TOKEN_EXCHANGE	"urn:ietf:params:oauth:grant-type:token-exchange"
#define OFFLINE_TOKEN_TYPE \
	"urn:shopify:params:oauth:token-type:offline-access-token"
#define ORDER_WINDOW   (60 * DAY) /* visible without read_all_orders */
#define MAX_QUERY_COST 1000
#define MAX_PAGE       250

/* What POST /_sim/policy sets: how Shopify behaves at a given time. */
struct policy {
	uint64_t token_ttl;   /* seconds an expiring access token lives */
	uint64_t refresh_ttl; /* seconds a refresh token lives */
	unsigned year;	      /* 2027: non-expiring OAuth tokens refused */
	bool protected_data;  /* approved for protected customer data */
};

static const struct policy policy_default = {3600, 7776000, 2026, true};

/* One order, as posted to /_sim/orders. */
struct shop_order {
	char *id;	 /* REST id as text: numbers beyond 2^53 survive */
	int64_t created; /* Unix seconds */
	int64_t updated; /* Unix seconds */
	unsigned flags;	 /* enum order_flags */
	char *raw;	 /* as posted, for /_sim/state */
	cJSON *doc;	 /* raw with every number as a string, to render */
};

struct shop_orders {
	struct shop_order *v;
	size_t n;
	size_t cap;
};

/*
 * What the platform holds lives in db as arrays of objects, so that
 * /_sim/state is a copy of it:
 *   tokens        {token, shop (null: from --token, any shop), scope, kind
 *                  (custom: --token, oauth), expiring, expires_at (Unix
 *                  seconds or null), refresh (the refresh token it came
 *                  with), revoked_shops (custom: uninstalled shops)}
 *   refresh_tokens {token, shop, scope, expires_at, parent (the token it
 *                  replaced, until it is first used), child (its newest
 *                  replacement), first_used}
 *   pending_codes {code, shop, scope}    OAuth codes not yet exchanged
 *   discounts     {shop, id, code, creates_ok, creates_taken, input}
 *   gift_cards    {shop, id, code, initial_value, creates_ok, creates_taken}
 *   webhooks      {shop, id, topic, uri, format}
 */
static const char *const tables[] = {"pending_codes", "refresh_tokens",
				     "discounts",     "gift_cards",
				     "webhooks",      NULL};

struct shopify {
	struct sim_server srv;
	struct opts o;
	pthread_mutex_t lock; /* guards everything below */
	cJSON *db;
	struct shop_orders orders;
	struct sim_faults faults;
	struct sim_buckets gql; /* points used, per shop */
	struct sim_counter ops[OP__COUNT];
	struct policy policy;
	uint64_t rest_calls; /* refused with 410 */
	uint64_t throttled_bucket;
	uint64_t throttled_fault;
	uint64_t next_id;
};

struct call;

struct gql_op {
	const char *field;
	enum op op;
	bool mutation;
	unsigned cost; /* 0: --mutation-cost, or priced by op_cost() */
	/* Adds its field to data or top-level errors; -1 when refused. */
	int (*run)(struct call *c, cJSON *data, cJSON *errors);
};

/* One Admin API request on its way through the shared steps. */
struct call {
	struct shopify *s;
	struct sim_req *req;
	struct sim_resp *resp;
	const char *shop;
	const char *version;
	const char *scopes; /* the token's, comma-separated */
	enum op op;
	const struct gql_op *gop;
	cJSON *body;
	const cJSON *vars;
	char field[128]; /* the GraphQL root field as written */
	bool mutation_doc;
	unsigned cost;	 /* requested */
	unsigned actual; /* what it turned out to cost, <= cost */
	uint64_t drop_delay;
};

static cJSON *table(const struct shopify *s, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(s->db, name);
}

static void new_gid(struct shopify *s, const char *type, char *out, size_t size)
{
	snprintf(out, size, "gid://shopify/%s/%llu", type,
		 (unsigned long long)++s->next_id);
}

/* Shopify's own host check, narrowed to *.myshopify.com. */
static bool valid_shop(const char *shop)
{
	static const char suffix[] = ".myshopify.com";
	size_t n = strlen(shop), sl = sizeof(suffix) - 1;

	if (n <= sl || n > 255 || strcmp(shop + n - sl, suffix) != 0)
		return false;
	for (size_t i = 0; i < n - sl; i++) {
		char c = shop[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '-' && c != '_')))
			return false;
	}
	return true;
}

static void not_found(struct sim_resp *resp)
{
	sim_resp_text(resp, 404, JSON_TYPE, "{\"errors\":\"Not Found\"}");
}

static void invalid_token(struct sim_resp *resp)
{
	sim_resp_json(resp, 401, sim_jobj("errors", INVALID_TOKEN, NULL));
}

static bool expired(const cJSON *rec, const char *key);
static bool revoked_for(const cJSON *t, const char *shop);

/* The record of access token tok when it is good for shop, else NULL. */
static const cJSON *token_find(struct shopify *s, const char *shop,
			       const char *tok)
{
	const cJSON *t =
		sim_jfind(table(s, "tokens"), false, "token", tok, NULL, NULL);
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(t, "shop");

	if (!t || !(cJSON_IsNull(ts) || sim_eq_nocase(ts->valuestring, shop)))
		return NULL;
	if (expired(t, "expires_at") || revoked_for(t, shop))
		return NULL;
	/* A migrated non-expiring token no longer opens the Admin API. */
	if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(t, "migrated_at")))
		return NULL;
	return t;
}

/* From 2027 Shopify refuses public apps' non-expiring offline tokens;
 * custom apps' tokens are not affected. */
static bool legacy_refused(const struct shopify *s, const cJSON *t)
{
	const char *kind = sim_jstr(t, "kind");

	return s->policy.year >= 2027 && kind && strcmp(kind, "oauth") == 0 &&
	       !sim_jtrue(t, "expiring");
}

/* OAuth */

/* The signed callback query: params sorted by key and values encoded the
 * canonical way, so the daemon's decode and re-encode must agree. */
static void callback_query(struct shopify *s, struct sim_buf *q,
			   const char *code, const char *shop,
			   const char *state)
{
	struct sim_buf host = {0}, hex = {0}, admin = {0};
	size_t start = q->len;
	unsigned char mac[32];

	sim_buf_printf(&admin, "%s/admin", shop);
	sim_base64(&host, (const unsigned char *)admin.data, admin.len);
	sim_buf_printf(q, "code=%s&host=", code);
	sim_url_encode(q, host.data);
	sim_buf_adds(q, "&shop=");
	sim_url_encode(q, shop);
	if (state) {
		sim_buf_adds(q, "&state=");
		sim_url_encode(q, state);
	}
	sim_buf_printf(q, "&timestamp=%lld", (long long)time(NULL));
	sim_hmac_sha256(s->o.secret, q->data + start, q->len - start, mac);
	sim_hex(&hex, mac, sizeof(mac));
	sim_buf_printf(q, "&hmac=%s", hex.data);
	sim_buf_release(&host);
	sim_buf_release(&hex);
	sim_buf_release(&admin);
}

static const char *authorize_check(struct shopify *s, const char *client_id,
				   const char *redirect)
{
	if (!client_id || strcmp(client_id, s->o.api_key) != 0)
		return "Could not find Shopify API application with that "
		       "api_key";
	if (!redirect || (strncmp(redirect, "http://", 7) != 0 &&
			  strncmp(redirect, "https://", 8) != 0))
		return "The redirect_uri is missing or invalid";
	return NULL;
}

/* Plays the merchant approving the install at once. */
static void authorize(struct shopify *s, struct sim_req *req,
		      struct sim_resp *resp, const char *shop)
{
	const char *redirect = sim_req_arg(req, "redirect_uri");
	const char *scope = sim_req_arg(req, "scope");
	struct sim_buf b = {0};
	const char *bad;
	char code[33];

	pthread_mutex_lock(&s->lock);
	s->ops[OP_AUTHORIZE].calls++;
	bad = authorize_check(s, sim_req_arg(req, "client_id"), redirect);
	if (bad) {
		s->ops[OP_AUTHORIZE].rejected++;
		sim_buf_printf(&b,
			       "<html><body><h1>Oauth error "
			       "invalid_request: %s</h1></body></html>\n",
			       bad);
		sim_resp_text(resp, 400, "text/html; charset=utf-8", b.data);
	} else {
		s->ops[OP_AUTHORIZE].ok++;
		sim_random_hex(code, 16);
		cJSON_AddItemToArray(table(s, "pending_codes"),
				     sim_jobj("code", code, "shop", shop,
					      "scope", scope ? scope : "",
					      NULL));
		sim_buf_printf(&b, "%s%c", redirect,
			       strchr(redirect, '?') ? '&' : '?');
		callback_query(s, &b, code, shop, sim_req_arg(req, "state"));
		sim_resp_header(resp, "Location", b.data);
		sim_resp_text(resp, 302, "text/html; charset=utf-8",
			      "<html><body>Redirecting</body></html>\n");
	}
	pthread_mutex_unlock(&s->lock);
	sim_buf_release(&b);
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static bool expired(const cJSON *rec, const char *key)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(rec, key);

	return cJSON_IsNumber(t) && (double)now_s() >= t->valuedouble;
}

static void oauth_error(struct sim_resp *resp, const char *error,
			const char *why)
{
	sim_resp_json(resp, 400,
		      sim_jobj("error", error, "error_description", why, NULL));
}

/* Deletes every element of table name whose member key is value (ASCII
 * case ignored); answers how many went. */
static unsigned table_drop(struct shopify *s, const char *name, const char *key,
			   const char *value)
{
	cJSON *t = table(s, name), *it = t ? t->child : NULL, *next;
	unsigned n = 0;

	for (; it; it = next) {
		next = it->next;
		if (sim_jstr(it, key) &&
		    sim_eq_nocase(sim_jstr(it, key), value)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(t, it));
			n++;
		}
	}
	return n;
}

static cJSON *refresh_find(struct shopify *s, const char *tok)
{
	return sim_jfind(table(s, "refresh_tokens"), false, "token", tok, NULL,
			 NULL);
}

/* The first use of a refresh token, or of the access token that came
 * with it, retires the refresh token it replaced. */
static void refresh_promote(struct shopify *s, const char *tok)
{
	cJSON *rt = refresh_find(s, tok);
	const char *parent = sim_jstr(rt, "parent");

	if (!parent)
		return;
	table_drop(s, "refresh_tokens", "token", parent);
	cJSON_ReplaceItemInObjectCaseSensitive(rt, "parent",
					       cJSON_CreateNull());
}

static void set_num(cJSON *obj, const char *key, double v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddNumberToObject(obj, key, v);
}

/* A new access token for shop, expiring ones with a refresh token whose
 * predecessor is parent (may be NULL). Answers the token response. */
static cJSON *token_issue(struct shopify *s, const char *shop,
			  const char *scope, bool expiring, const char *parent)
{
	char tok[39] = "shpat_", rt[39] = "shprt_";
	const struct policy *p = &s->policy;
	cJSON *ans, *rec;

	sim_random_hex(tok + 6, 16);
	sim_random_hex(rt + 6, 16);
	ans = sim_jobj("access_token", tok, "scope", scope, NULL);
	rec = sim_jobj("token", tok, "shop", shop, "scope", scope, "kind",
		       "oauth", "refresh", NULL, NULL);
	cJSON_AddBoolToObject(rec, "expiring", expiring);
	cJSON_AddItemToArray(table(s, "tokens"), rec);
	if (!expiring) {
		cJSON_AddNullToObject(rec, "expires_at");
		return ans;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(rec, "refresh",
					       cJSON_CreateString(rt));
	set_num(rec, "expires_at", (double)(now_s() + (int64_t)p->token_ttl));
	rec = sim_jobj("token", rt, "shop", shop, "scope", scope, "parent",
		       parent, "child", NULL, "first_used", NULL, NULL);
	set_num(rec, "expires_at", (double)(now_s() + (int64_t)p->refresh_ttl));
	cJSON_AddItemToArray(table(s, "refresh_tokens"), rec);
	cJSON_AddNumberToObject(ans, "expires_in", (double)p->token_ttl);
	cJSON_AddStringToObject(ans, "refresh_token", rt);
	cJSON_AddNumberToObject(ans, "refresh_token_expires_in",
				(double)p->refresh_ttl);
	return ans;
}

/* expiring: "1", 1 or true ask for an expiring token; absent, "0", 0 or
 * false for the classic one; -1 for anything else. */
static int expiring_flag(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsTrue(v))
		return 1;
	if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1))
		return v->valuedouble == 1;
	if (cJSON_IsString(v) && (strcmp(v->valuestring, "0") == 0 ||
				  strcmp(v->valuestring, "1") == 0))
		return v->valuestring[0] == '1';
	return -1;
}

static bool client_ok(const struct shopify *s, const cJSON *p)
{
	const char *id = sim_jstr(p, "client_id");
	const char *secret = sim_jstr(p, "client_secret");

	return id && secret && strcmp(id, s->o.api_key) == 0 &&
	       strcmp(secret, s->o.secret) == 0;
}

/* Lock held; -1 after answering the refusal. */
static int code_exchange(struct shopify *s, const cJSON *p, const char *shop,
			 struct sim_resp *resp)
{
	cJSON *g = sim_jfind(table(s, "pending_codes"), false, "code",
			     sim_jstr(p, "code"), NULL, NULL);
	int exp =
		expiring_flag(cJSON_GetObjectItemCaseSensitive(p, "expiring"));

	if (!g || !sim_eq_nocase(sim_jstr(g, "shop"), shop) ||
	    !client_ok(s, p)) {
		oauth_error(resp, "invalid_request", CODE_NOT_FOUND);
		return -1;
	}
	if (exp < 0) {
		oauth_error(resp, "invalid_request", "expiring must be 0 or 1");
		return -1;
	}
	sim_resp_json(
		resp, 200,
		token_issue(s, shop, sim_jstr(g, "scope"), exp == 1, NULL));
	/* Codes are single use. */
	cJSON_Delete(cJSON_DetachItemViaPointer(table(s, "pending_codes"), g));
	return 0;
}

/* A refresh token is good until its own expiry, for at most 30 days after
 * its first use, and only while its replacement is unused. */
static cJSON *refresh_usable(struct shopify *s, const char *tok,
			     const char *shop)
{
	cJSON *rt = refresh_find(s, tok);
	const cJSON *first = cJSON_GetObjectItemCaseSensitive(rt, "first_used");

	if (!rt || !sim_eq_nocase(sim_jstr(rt, "shop"), shop) ||
	    expired(rt, "expires_at") ||
	    (cJSON_IsNumber(first) &&
	     (double)now_s() >= first->valuedouble + (double)RECOVERY_WINDOW))
		return NULL;
	return rt;
}

static void refresh_count(struct shopify *s, const char *shop)
{
	cJSON *r = cJSON_GetObjectItemCaseSensitive(s->db, "refreshes");

	sim_jinc(r, shop);
}

/* Lock held; -1 after answering the refusal. */
static int refresh_exchange(struct shopify *s, const cJSON *p, const char *shop,
			    struct sim_resp *resp)
{
	const char *tok = sim_jstr(p, "refresh_token");
	const char *child;
	cJSON *rt, *ans;

	if (!client_ok(s, p)) {
		oauth_error(resp, "invalid_client",
			    "Client authentication failed");
		return -1;
	}
	if (!tok || !*tok) {
		oauth_error(resp, "invalid_request",
			    "The refresh_token parameter is missing");
		return -1;
	}
	if (!(rt = refresh_usable(s, tok, shop))) {
		oauth_error(resp, "invalid_grant",
			    "The refresh token is invalid, expired, revoked "
			    "or already replaced");
		return -1;
	}
	refresh_promote(s, tok);
	/* Only the newest replacement of a refresh token counts. */
	if ((child = sim_jstr(rt, "child")))
		table_drop(s, "refresh_tokens", "token", child);
	if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(rt, "first_used")))
		set_num(rt, "first_used", (double)now_s());
	ans = token_issue(s, shop, sim_jstr(rt, "scope"), true, tok);
	cJSON_ReplaceItemInObjectCaseSensitive(
		rt, "child",
		cJSON_CreateString(sim_jstr(ans, "refresh_token")));
	refresh_count(s, shop);
	sim_resp_json(resp, 200, ans);
	return 0;
}

/*
 * Lock held; -1 after answering the refusal. The migration of a
 * non-expiring offline token to an expiring pair (token exchange with
 * the old token as subject). The old token stops working for the Admin
 * API; asked again with it within seven days, while the pair's refresh
 * token is unused, the same pair comes back (a lost answer recovered).
 * From 2027 the non-expiring tokens are gone: nothing to exchange.
 */
static int migrate_exchange(struct shopify *s, const cJSON *p, const char *shop,
			    struct sim_resp *resp)
{
	const char *subject = sim_jstr(p, "subject_token");
	const char *type = sim_jstr(p, "subject_token_type");
	const char *want = sim_jstr(p, "requested_token_type");
	cJSON *t, *ans;
	const cJSON *at;

	if (!client_ok(s, p)) {
		oauth_error(resp, "invalid_client",
			    "Client authentication failed");
		return -1;
	}
	if (!type || strcmp(type, OFFLINE_TOKEN_TYPE) != 0 || !want ||
	    strcmp(want, OFFLINE_TOKEN_TYPE) != 0 ||
	    expiring_flag(cJSON_GetObjectItemCaseSensitive(p, "expiring")) !=
		    1) {
		oauth_error(resp, "invalid_request",
			    "subject_token_type and requested_token_type must "
			    "be offline access tokens, and expiring 1");
		return -1;
	}
	t = sim_jfind(table(s, "tokens"), false, "token", subject, NULL, NULL);
	if (!t || !sim_eq_nocase(sim_jstr(t, "shop"), shop) ||
	    sim_jtrue(t, "expiring") || !sim_jstr(t, "kind") ||
	    strcmp(sim_jstr(t, "kind"), "oauth") != 0 || revoked_for(t, shop) ||
	    s->policy.year >= 2027) {
		oauth_error(resp, "invalid_grant",
			    "The subject token is invalid or not a "
			    "non-expiring offline token");
		return -1;
	}
	at = cJSON_GetObjectItemCaseSensitive(t, "migrated_at");
	if (cJSON_IsNumber(at)) {
		cJSON *rt = refresh_find(s, sim_jstr(t, "migrated_refresh"));

		if ((double)now_s() >= at->valuedouble + MIGRATION_RETRY ||
		    !rt ||
		    cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(
			    rt, "first_used"))) {
			oauth_error(resp, "invalid_grant",
				    "The subject token was already exchanged");
			return -1;
		}
		ans = sim_jobj("access_token", sim_jstr(t, "migrated_access"),
			       "scope", sim_jstr(t, "scope"), "refresh_token",
			       sim_jstr(t, "migrated_refresh"), NULL);
		cJSON_AddNumberToObject(ans, "expires_in",
					(double)s->policy.token_ttl);
		cJSON_AddNumberToObject(ans, "refresh_token_expires_in",
					(double)s->policy.refresh_ttl);
		sim_resp_json(resp, 200, ans);
		return 0;
	}
	ans = token_issue(s, shop, sim_jstr(t, "scope"), true, NULL);
	set_num(t, "migrated_at", (double)now_s());
	cJSON_AddStringToObject(t, "migrated_access",
				sim_jstr(ans, "access_token"));
	cJSON_AddStringToObject(t, "migrated_refresh",
				sim_jstr(ans, "refresh_token"));
	sim_jinc(cJSON_GetObjectItemCaseSensitive(s->db, "migrations"), shop);
	sim_resp_json(resp, 200, ans);
	return 0;
}

static void access_token(struct shopify *s, struct sim_req *req,
			 struct sim_resp *resp, const char *shop)
{
	cJSON *p = sim_req_params(req);
	const char *grant = sim_jstr(p, "grant_type");
	int rc;

	pthread_mutex_lock(&s->lock);
	s->ops[OP_ACCESS_TOKEN].calls++;
	if (grant && strcmp(grant, "refresh_token") == 0) {
		rc = refresh_exchange(s, p, shop, resp);
	} else if (grant && strcmp(grant, TOKEN_EXCHANGE) == 0) {
		rc = migrate_exchange(s, p, shop, resp);
	} else if (!grant || strcmp(grant, "authorization_code") == 0) {
		rc = code_exchange(s, p, shop, resp);
	} else {
		oauth_error(resp, "unsupported_grant_type",
			    "The grant type is not supported");
		rc = -1;
	}
	if (rc < 0)
		s->ops[OP_ACCESS_TOKEN].rejected++;
	else
		s->ops[OP_ACCESS_TOKEN].ok++;
	pthread_mutex_unlock(&s->lock);
	cJSON_Delete(p);
}

/* GraphQL answers */

/* Adds {field: path split on '.', code, message}; discount errors also
 * carry extraInfo, as DiscountUserError does. */
static void user_error(cJSON *ue, const char *path, const char *code,
		       const char *msg)
{
	cJSON *e = cJSON_CreateObject(),
	      *f = cJSON_AddArrayToObject(e, "field");
	char *copy = xstrdup(path);

	for (char *seg = copy, *dot; seg; seg = dot ? dot + 1 : NULL) {
		dot = strchr(seg, '.');
		if (dot)
			*dot = '\0';
		cJSON_AddItemToArray(f, cJSON_CreateString(seg));
	}
	if (code)
		cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	if (strncmp(path, "basicCodeDiscount", 17) == 0)
		cJSON_AddNullToObject(e, "extraInfo");
	cJSON_AddItemToArray(ue, e);
	free(copy);
}

static cJSON *top_error(const char *msg, const char *code, const char *doc)
{
	cJSON *e = sim_jobj("message", msg, NULL);
	cJSON *ext = sim_jobj("code", code, NULL);

	if (doc)
		cJSON_AddStringToObject(ext, "documentation", doc);
	cJSON_AddItemToObject(e, "extensions", ext);
	return e;
}

/* What GraphQL says when variable name is unusable: value is what was
 * given (NULL: nothing), problem why it was refused. */
static int var_problem(cJSON *errors, const char *name, const char *type,
		       const char *value, const char *problem)
{
	struct sim_buf m = {0};
	cJSON *e;

	sim_buf_printf(&m, "Variable $%s of type %s was provided invalid value",
		       name, type);
	e = sim_jobj("message", m.data, NULL);
	cJSON_AddItemToObject(
		e, "extensions",
		sim_jobj("value", value, "problem", problem, NULL));
	cJSON_AddItemToArray(errors, e);
	sim_buf_release(&m);
	return -1;
}

/* The same for a required variable that is missing or mistyped. */
static int var_error(cJSON *errors, const char *name, const char *type)
{
	return var_problem(errors, name, type, NULL,
			   "Expected value to not be null");
}

/* Adds {field: {node_name: node or null, userErrors: ue}}. */
static int payload(cJSON *data, const char *field, const char *node_name,
		   cJSON *node, cJSON *ue)
{
	cJSON *p = cJSON_AddObjectToObject(data, field);
	int ret = cJSON_GetArraySize(ue) ? -1 : 0;

	cJSON_AddItemToObject(p, node_name, node ? node : cJSON_CreateNull());
	cJSON_AddItemToObject(p, "userErrors", ue);
	return ret;
}

/* 0 for a positive decimal, 1 for zero or negative, 2 when malformed. */
static int decimal_check(const cJSON *v)
{
	const char *s;

	if (cJSON_IsNumber(v))
		return v->valuedouble > 0 ? 0 : 1;
	if (!cJSON_IsString(v) || !*v->valuestring)
		return 2;
	s = v->valuestring + (*v->valuestring == '-');
	if (sim_is_positive_decimal(s))
		return s == v->valuestring ? 0 : 1;
	return strspn(s, "0.") == strlen(s) && *s == '0' ? 1 : 2;
}

/* discountCodeBasicCreate */

static void discount_value_check(const cJSON *gets, cJSON *ue)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(gets, "value");
	const cJSON *pct =
		cJSON_GetObjectItemCaseSensitive(value, "percentage");
	const cJSON *amt = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(value, "discountAmount"),
		"amount");
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(gets, "items");
	const char *path = "basicCodeDiscount.customerGets.value";

	if (!cJSON_IsObject(items) || !items->child)
		user_error(ue, "basicCodeDiscount.customerGets.items", "BLANK",
			   "Items can't be blank");
	if (!pct == !amt)
		user_error(ue, path, "INVALID",
			   "Value needs exactly one of percentage or "
			   "discountAmount");
	else if (pct && !cJSON_IsNumber(pct))
		user_error(ue, path, "INVALID", "Percentage is invalid");
	else if (pct && pct->valuedouble > 1)
		user_error(ue, path, "LESS_THAN_OR_EQUAL_TO",
			   "Value must be less than or equal to 1");
	else if ((pct && pct->valuedouble <= 0) ||
		 (amt && decimal_check(amt) == 1))
		user_error(ue, path, "GREATER_THAN",
			   "Value must be greater than 0");
	else if (amt && decimal_check(amt) == 2)
		user_error(ue, path, "INVALID", "Amount is invalid");
}

static bool gid_list(const cJSON *sel, const char *prefix)
{
	const cJSON *add = cJSON_GetObjectItemCaseSensitive(sel, "add");
	const cJSON *it;

	if (!cJSON_IsArray(add) || !add->child)
		return false;
	cJSON_ArrayForEach(it, add)
	{
		if (!cJSON_IsString(it) ||
		    strncmp(it->valuestring, prefix, strlen(prefix)) != 0)
			return false;
	}
	return true;
}

static bool context_ok(const cJSON *ctx, const cJSON *sel)
{
	const char *all = sim_jstr(ctx, "all");
	const char *customer = "gid://shopify/Customer/";

	if (ctx)
		return (all && strcmp(all, "ALL") == 0) ||
		       gid_list(cJSON_GetObjectItemCaseSensitive(ctx,
								 "customers"),
				customer) ||
		       gid_list(cJSON_GetObjectItemCaseSensitive(
					ctx, "customerSegments"),
				"gid://shopify/Segment/");
	return sim_jtrue(sel, "all") ||
	       gid_list(cJSON_GetObjectItemCaseSensitive(sel, "customers"),
			customer);
}

/* Buyer targeting: context (2025-10 on) or the deprecated
 * customerSelection, exactly one of them. */
static void discount_context_check(const cJSON *in, cJSON *ue)
{
	const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(in, "context");
	const cJSON *sel =
		cJSON_GetObjectItemCaseSensitive(in, "customerSelection");

	if (!ctx && !sel)
		user_error(ue, "basicCodeDiscount.context", "BLANK",
			   "Context can't be blank");
	else if (ctx && sel)
		user_error(ue, "basicCodeDiscount.context", "INVALID",
			   "Give either context or customerSelection");
	else if (!context_ok(ctx, sel))
		user_error(ue,
			   ctx ? "basicCodeDiscount.context"
			       : "basicCodeDiscount.customerSelection",
			   "INVALID", "Buyer selection is invalid");
}

static void discount_dates_check(const cJSON *in, cJSON *ue)
{
	const char *starts = sim_jstr(in, "startsAt");
	const char *ends = sim_jstr(in, "endsAt");
	int64_t t0 = 0, t1 = 0;

	if (!starts || !*starts)
		user_error(ue, "basicCodeDiscount.startsAt", "BLANK",
			   "Starts at can't be blank");
	else if (sim_parse_time(starts, &t0) < 0)
		user_error(ue, "basicCodeDiscount.startsAt", "INVALID",
			   "Starts at is invalid");
	if (ends && sim_parse_time(ends, &t1) < 0)
		user_error(ue, "basicCodeDiscount.endsAt", "INVALID",
			   "Ends at is invalid");
	else if (ends && starts && t1 <= t0)
		user_error(ue, "basicCodeDiscount.endsAt", "INVALID",
			   "Ends at needs to be after starts_at");
}

static void discount_check(const cJSON *in, cJSON *ue)
{
	const char *title = sim_jstr(in, "title");
	const char *code = sim_jstr(in, "code");
	const cJSON *gets =
		cJSON_GetObjectItemCaseSensitive(in, "customerGets");
	const cJSON *limit = cJSON_GetObjectItemCaseSensitive(in, "usageLimit");

	if (!title || !*title)
		user_error(ue, "basicCodeDiscount.title", "BLANK",
			   "Title can't be blank");
	if (!code || !*code)
		user_error(ue, "basicCodeDiscount.code", "BLANK",
			   "Code can't be blank");
	else if (strlen(code) > 255)
		user_error(ue, "basicCodeDiscount.code", "TOO_LONG",
			   "Code is too long (maximum is 255 characters)");
	else if (strpbrk(code, "\r\n"))
		user_error(ue, "basicCodeDiscount.code", "INVALID",
			   "Code cannot contain newline characters.");
	discount_dates_check(in, ue);
	if (!cJSON_IsObject(gets))
		user_error(ue, "basicCodeDiscount.customerGets", "BLANK",
			   "Customer gets can't be blank");
	else
		discount_value_check(gets, ue);
	discount_context_check(in, ue);
	if (limit && !cJSON_IsNull(limit) &&
	    (!cJSON_IsNumber(limit) || limit->valuedouble < 1))
		user_error(ue, "basicCodeDiscount.usageLimit", "GREATER_THAN",
			   "Usage limit must be greater than 0");
}

/* A new record {shop, id, code, ...} counting one successful create. */
static cJSON *record(struct shopify *s, const char *shop, const char *type,
		     const char *code)
{
	char id[96];
	cJSON *r;

	new_gid(s, type, id, sizeof(id));
	r = sim_jobj("shop", shop, "id", id, "code", code, NULL);
	cJSON_AddNumberToObject(r, "creates_ok", 1);
	cJSON_AddNumberToObject(r, "creates_taken", 0);
	return r;
}

static int discount_create(struct call *c, cJSON *data, cJSON *errors)
{
	const cJSON *in =
		cJSON_GetObjectItemCaseSensitive(c->vars, "basicCodeDiscount");
	const char *code = sim_jstr(in, "code");
	cJSON *ue, *node = NULL, *d;

	if (!cJSON_IsObject(in))
		return var_error(errors, "basicCodeDiscount",
				 "DiscountCodeBasicInput!");
	ue = cJSON_CreateArray();
	discount_check(in, ue);
	d = sim_jfind(table(c->s, "discounts"), true, "shop", c->shop, "code",
		      code);
	if (!ue->child && d) {
		sim_jinc(d, "creates_taken");
		user_error(ue, "basicCodeDiscount.code", "TAKEN",
			   "Code must be unique. Please try a different code.");
	} else if (!ue->child) {
		d = record(c->s, c->shop, "DiscountCodeNode", code);
		cJSON_AddItemToObject(d, "input", cJSON_Duplicate(in, 1));
		cJSON_AddItemToArray(table(c->s, "discounts"), d);
		node = sim_jobj("id", sim_jstr(d, "id"), NULL);
	}
	return payload(data, "discountCodeBasicCreate", "codeDiscountNode",
		       node, ue);
}

static cJSON *discount_node(const cJSON *d)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(d, "input");
	cJSON *n = sim_jobj("id", sim_jstr(d, "id"), NULL);
	cJSON *cd = sim_jobj("__typename", "DiscountCodeBasic", "title",
			     sim_jstr(in, "title"), "status", "ACTIVE", NULL);
	cJSON *codes = cJSON_AddArrayToObject(
		cJSON_AddObjectToObject(cd, "codes"), "nodes");

	cJSON_AddItemToArray(codes,
			     sim_jobj("code", sim_jstr(d, "code"), NULL));
	cJSON_AddItemToObject(n, "codeDiscount", cd);
	return n;
}

static int discount_by_code(struct call *c, cJSON *data, cJSON *errors)
{
	const char *code = sim_jstr(c->vars, "code");
	const cJSON *d;

	if (!code)
		return var_error(errors, "code", "String!");
	d = sim_jfind(table(c->s, "discounts"), true, "shop", c->shop, "code",
		      code);
	cJSON_AddItemToObject(data, "codeDiscountNodeByCode",
			      d ? discount_node(d) : cJSON_CreateNull());
	return 0;
}

/* Gift cards */

static cJSON *money(const char *amount, const char *currency)
{
	return sim_jobj("amount", amount, "currencyCode", currency, NULL);
}

static cJSON *card_node(const struct shopify *s, const cJSON *g)
{
	const char *code = sim_jstr(g, "code");
	const char *last4 = code + strlen(code) - 4;
	const char *amount = sim_jstr(g, "initial_value");
	struct sim_buf masked = {0};
	cJSON *n;

	sim_buf_printf(&masked, BULLETS " " BULLETS " " BULLETS " %s", last4);
	n = sim_jobj("id", sim_jstr(g, "id"), "maskedCode", masked.data,
		     "lastCharacters", last4, NULL);
	cJSON_AddItemToObject(n, "initialValue", money(amount, s->o.currency));
	cJSON_AddItemToObject(n, "balance", money(amount, s->o.currency));
	sim_buf_release(&masked);
	return n;
}

static void card_check(const cJSON *in, const char *code, cJSON *ue)
{
	const char *cust = sim_jstr(in, "customerId");
	size_t n = code ? strlen(code) : 0;
	const char *alnum = "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	if (decimal_check(cJSON_GetObjectItemCaseSensitive(in, "initialValue")))
		user_error(ue, "input.initialValue", "GREATER_THAN",
			   "Initial value must be greater than 0");
	if (code && n < 8)
		user_error(ue, "input.code", "TOO_SHORT",
			   "Code is too short (minimum is 8 characters)");
	else if (code && n > 20)
		user_error(ue, "input.code", "TOO_LONG",
			   "Code is too long (maximum is 20 characters)");
	else if (code && strspn(code, alnum) != n)
		user_error(ue, "input.code", "INVALID", "Code is invalid");
	if (cust && strncmp(cust, "gid://shopify/Customer/", 23) != 0)
		user_error(ue, "input.customerId", "CUSTOMER_NOT_FOUND",
			   "Customer does not exist");
}

static cJSON *card_add(struct shopify *s, const char *shop, const char *code,
		       const cJSON *value)
{
	char lower[21], amount[64];
	cJSON *g;
	size_t i;

	if (!code)
		sim_random_hex(lower, 8);
	for (i = 0; code && code[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z'
					  ? code[i] - 'A' + 'a'
					  : code[i]);
	if (code)
		lower[i] = '\0';
	if (cJSON_IsString(value))
		snprintf(amount, sizeof(amount), "%s", value->valuestring);
	else
		snprintf(amount, sizeof(amount), "%.15g", value->valuedouble);
	g = record(s, shop, "GiftCard", lower);
	cJSON_AddStringToObject(g, "initial_value", amount);
	cJSON_AddItemToArray(table(s, "gift_cards"), g);
	return g;
}

static int no_gift_cards(cJSON *data, cJSON *errors)
{
	cJSON_AddItemToArray(
		errors,
		top_error("Access denied for giftCardCreate field. Required "
			  "access: `write_gift_cards` access scope.",
			  "ACCESS_DENIED",
			  "https://shopify.dev/api/usage/access-scopes"));
	cJSON_AddNullToObject(data, "giftCardCreate");
	return -1;
}

static int gift_card_create(struct call *c, cJSON *data, cJSON *errors)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(c->vars, "input");
	const char *code = sim_jstr(in, "code");
	cJSON *ue, *node = NULL, *g;
	int ret;

	if (c->s->o.no_gift_cards)
		return no_gift_cards(data, errors);
	if (!cJSON_GetObjectItemCaseSensitive(in, "initialValue"))
		return var_error(errors, "input", "GiftCardCreateInput!");
	ue = cJSON_CreateArray();
	card_check(in, code, ue);
	g = sim_jfind(table(c->s, "gift_cards"), true, "shop", c->shop, "code",
		      code);
	if (!ue->child && g) {
		sim_jinc(g, "creates_taken");
		user_error(ue, "input.code", "TAKEN",
			   "Code has already been taken");
	} else if (!ue->child) {
		g = card_add(
			c->s, c->shop, code,
			cJSON_GetObjectItemCaseSensitive(in, "initialValue"));
		node = card_node(c->s, g);
	}
	ret = payload(data, "giftCardCreate", "giftCard", node, ue);
	cJSON_AddItemToObject(
		cJSON_GetObjectItemCaseSensitive(data, "giftCardCreate"),
		"giftCardCode",
		node ? cJSON_CreateString(sim_jstr(g, "code"))
		     : cJSON_CreateNull());
	return ret;
}

/*
 * The code a search string looks for: the value of "code:", or else the
 * bare term (Shopify's default search field for gift cards is the code);
 * NULL for an empty query.
 */
static char *search_code(const char *q)
{
	const char *p = q ? strstr(q, "code:") : NULL;

	if (!p && q && q[0])
		return xstrndup(q, strcspn(q, " \t'\")"));
	if (!p)
		return NULL;
	p += 5;
	p += *p == '\'' || *p == '"';
	return xstrndup(p, strcspn(p, " \t'\")"));
}

static int gift_cards(struct call *c, cJSON *data, cJSON *errors)
{
	char *code = search_code(sim_jstr(c->vars, "query"));
	cJSON *conn = cJSON_AddObjectToObject(data, "giftCards");
	cJSON *nodes = cJSON_AddArrayToObject(conn, "nodes");
	const cJSON *g;

	(void)errors;
	cJSON_ArrayForEach(g, table(c->s, "gift_cards"))
	{
		if (sim_eq_nocase(sim_jstr(g, "shop"), c->shop) &&
		    (!code || sim_eq_nocase(sim_jstr(g, "code"), code)))
			cJSON_AddItemToArray(nodes, card_node(c->s, g));
	}
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(conn, "pageInfo"),
			      "hasNextPage", false);
	free(code);
	return 0;
}

/* The order store: REST orders as posted, parsed once for rendering */

static void shop_order_release(struct shop_order *o)
{
	free(o->id);
	free(o->raw);
	cJSON_Delete(o->doc);
}

/* Adds or replaces (by id) o, taking its contents. */
static void orders_put(struct shop_orders *os, struct shop_order *o)
{
	for (size_t i = 0; i < os->n; i++) {
		if (strcmp(os->v[i].id, o->id) == 0) {
			shop_order_release(&os->v[i]);
			os->v[i] = *o;
			return;
		}
	}
	os->v = sim_grow(os->v, &os->cap, os->n + 1, sizeof(*os->v));
	os->v[os->n++] = *o;
}

static void orders_clear(struct shop_orders *os)
{
	for (size_t i = 0; i < os->n; i++)
		shop_order_release(&os->v[i]);
	free(os->v);
	*os = (struct shop_orders){0};
}

static cJSON *orders_json(const struct shop_orders *os)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < os->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateRaw(os->v[i].raw));
	return a;
}

/* A REST time member as Unix seconds: 0 when absent, -1 when unreadable. */
static int doc_time(const cJSON *doc, const char *key, int64_t *t)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || sim_parse_time(v->valuestring, t) < 0)
		return -1;
	return 1;
}

static bool doc_set(const cJSON *doc, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);

	return v && !cJSON_IsNull(v);
}

/* Shopify always has created_at; an order posted without one is taken
 * to be created when it was posted, and updated then unless it says. */
static int order_add(void *ctx, const char *raw, size_t n, struct sim_buf *err)
{
	struct shopify *s = ctx;
	char *quoted = sim_json_quote_numbers(raw, n);
	struct shop_order o = {.doc = cJSON_Parse(quoted)};
	const char *id = sim_jstr(o.doc, "id");
	int rc_c = doc_time(o.doc, "created_at", &o.created);
	int rc_u = doc_time(o.doc, "updated_at", &o.updated);

	free(quoted);
	if (!id || !*id)
		sim_buf_adds(err, "an order has no id");
	else if (rc_c < 0)
		sim_buf_printf(err, "order '%s': bad created_at", id);
	else if (rc_u < 0)
		sim_buf_printf(err, "order '%s': bad updated_at", id);
	if (err->len) {
		cJSON_Delete(o.doc);
		return -1;
	}
	o.created = rc_c ? o.created : (int64_t)time(NULL);
	o.updated = rc_u ? o.updated : o.created;
	o.flags = (doc_set(o.doc, "closed_at") ? ORDER_CLOSED : 0) |
		  (doc_set(o.doc, "cancelled_at") ? ORDER_CANCELLED : 0);
	o.id = xstrdup(id);
	o.raw = xstrndup(raw, n);
	orders_put(&s->orders, &o);
	return 0;
}

/* Money as GraphQL renders it */

/* Parses "[-]D[.F]" into *v * 10^-*scale; -1 when it is not such a
 * decimal or does not fit. */
static int dec_parse(const char *s, int64_t *v, int *scale)
{
	bool neg = *s == '-';
	int64_t x = 0;
	int sc = -1;

	s += neg;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s; s++) {
		if (*s == '.' && sc < 0) {
			sc = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || sc >= 9 ||
		    __builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, *s - '0', &x))
			return -1;
		sc += sc >= 0;
	}
	*v = neg ? -x : x;
	*scale = sc < 0 ? 0 : sc;
	return 0;
}

/* Shopify's GraphQL Decimal drops trailing zeros but keeps one decimal
 * place ("10.00" is "10.0", "24.50" is "24.5"). Text that is no plain
 * decimal is passed on as it came. Caller frees. */
static char *dec_text(const char *in)
{
	struct sim_buf b = {0};
	size_t n = strlen(in), dot = strcspn(in, ".");
	int64_t v;
	int sc;

	if (dec_parse(in, &v, &sc) < 0)
		return xstrdup(in);
	if (dot == n) {
		sim_buf_printf(&b, "%s.0", in);
		return sim_buf_take(&b);
	}
	while (n > dot + 2 && in[n - 1] == '0')
		n--;
	return xstrndup(in, n);
}

/* The sum of two decimals as text, NULL when either is no decimal. */
static char *dec_add(const char *a, const char *b)
{
	struct sim_buf out = {0};
	int64_t x, y, sum, unit = 1;
	int sx, sy;

	if (dec_parse(a, &x, &sx) < 0 || dec_parse(b, &y, &sy) < 0)
		return NULL;
	for (; sx < sy; sx++)
		if (__builtin_mul_overflow(x, 10, &x))
			return NULL;
	for (; sy < sx; sy++)
		if (__builtin_mul_overflow(y, 10, &y))
			return NULL;
	if (__builtin_add_overflow(x, y, &sum))
		return NULL;
	for (int i = 0; i < sx; i++)
		unit *= 10;
	sim_buf_printf(&out, "%s%lld", sum < 0 ? "-" : "",
		       (long long)(sum < 0 ? -(sum / unit) : sum / unit));
	if (sx)
		sim_buf_printf(
			&out, ".%0*lld", sx,
			(long long)(sum < 0 ? -(sum % unit) : sum % unit));
	return sim_buf_take(&out);
}

static cJSON *money_v2(const char *amount, const char *currency)
{
	char *a = dec_text(amount);
	cJSON *m = sim_jobj("amount", a, "currencyCode", currency, NULL);

	free(a);
	return m;
}

static cJSON *bag_make(const char *shop_amount, const char *shop_cur,
		       const char *pres_amount, const char *pres_cur)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddItemToObject(b, "shopMoney", money_v2(shop_amount, shop_cur));
	cJSON_AddItemToObject(b, "presentmentMoney",
			      money_v2(pres_amount, pres_cur));
	return b;
}

/* The currencies of an order: shop, then presentment. */
struct curr {
	const char *shop;
	const char *pres;
};

/* A MoneyBag from REST's "<name>_set", else from the plain decimal
 * "<name>" in the shop currency for both moneys; NULL when neither. */
static cJSON *bag_of(const cJSON *o, const char *name, const struct curr *c)
{
	char key[96];
	const cJSON *set, *sm, *pm;
	const char *plain = sim_jstr(o, name);

	snprintf(key, sizeof(key), "%s_set", name);
	set = cJSON_GetObjectItemCaseSensitive(o, key);
	sm = cJSON_GetObjectItemCaseSensitive(set, "shop_money");
	pm = cJSON_GetObjectItemCaseSensitive(set, "presentment_money");
	pm = sim_jstr(pm, "amount") ? pm : sm;
	if (sim_jstr(sm, "amount"))
		return bag_make(sim_jstr(sm, "amount"),
				sim_jstr(sm, "currency_code")
					? sim_jstr(sm, "currency_code")
					: c->shop,
				sim_jstr(pm, "amount"),
				sim_jstr(pm, "currency_code")
					? sim_jstr(pm, "currency_code")
					: c->pres);
	return plain ? bag_make(plain, c->shop, plain, c->shop) : NULL;
}

/* bag_of() name, else alt (may be NULL), else zero: MoneyBag fields are
 * never null. */
static cJSON *bag_or(const cJSON *o, const char *name, const char *alt,
		     const struct curr *c)
{
	cJSON *b = bag_of(o, name, c);

	if (!b && alt)
		b = bag_of(o, alt, c);
	return b ? b : bag_make("0", c->shop, "0", c->pres);
}

static void money_add(cJSON *acc, const cJSON *add)
{
	const char *a = sim_jstr(acc, "amount"), *b = sim_jstr(add, "amount");
	char *sum = a && b ? dec_add(a, b) : NULL;

	char *text = sum ? dec_text(sum) : NULL;

	if (text)
		cJSON_ReplaceItemInObjectCaseSensitive(
			acc, "amount", cJSON_CreateString(text));
	free(sum);
	free(text);
}

/* Adds the MoneyBag add into acc, both as rendered (amounts already in
 * GraphQL form, which dec_add reads as well). */
static void bag_add(cJSON *acc, const cJSON *add)
{
	static const char *const k[] = {"shopMoney", "presentmentMoney"};

	for (size_t i = 0; i < 2; i++)
		money_add(cJSON_GetObjectItemCaseSensitive(acc, k[i]),
			  cJSON_GetObjectItemCaseSensitive(add, k[i]));
}

/* Cursors: base64 of a small JSON object, opaque like Shopify's */

static cJSON *cursor_make(const char *sort, bool reverse, const char *last_id,
			  const char *last_value)
{
	cJSON *j = sim_jobj("sort", sort, "last_id", last_id, "last_value",
			    last_value, NULL);
	char *txt;
	struct sim_buf b64 = {0};
	cJSON *s;

	cJSON_AddBoolToObject(j, "reverse", reverse);
	txt = cJSON_PrintUnformatted(j);
	sim_base64(&b64, (const unsigned char *)txt, strlen(txt));
	s = cJSON_CreateString(sim_buf_str(&b64));
	cJSON_free(txt);
	cJSON_Delete(j);
	sim_buf_release(&b64);
	return s;
}

/* The decoded cursor when it was made for this sort and direction, else
 * NULL. The caller owns it; last_id and last_value are its strings. */
static cJSON *cursor_read(const char *cursor, const char *sort, bool reverse)
{
	struct sim_buf raw = {0};
	cJSON *j = NULL;

	if (sim_unbase64(cursor, &raw) == 0)
		j = cJSON_ParseWithLength(sim_buf_str(&raw), raw.len);
	sim_buf_release(&raw);
	if (!sim_jstr(j, "sort") || strcmp(sim_jstr(j, "sort"), sort) != 0 ||
	    !sim_jstr(j, "last_id") || !sim_jstr(j, "last_value") ||
	    !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(j, "reverse")) ||
	    sim_jtrue(j, "reverse") != reverse) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* Rendering a stored REST order as a GraphQL Order */

static cJSON *gid_str(const char *type, const char *id)
{
	char g[160];

	snprintf(g, sizeof(g), "gid://shopify/%s/%s", type, id ? id : "");
	return cJSON_CreateString(g);
}

/* {id: gid}, or null when there is no id. */
static cJSON *gid_obj(const char *type, const char *id)
{
	cJSON *o;

	if (!id)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "id", gid_str(type, id));
	return o;
}

static void add_gid(cJSON *node, const char *type, const char *id)
{
	cJSON_AddItemToObject(node, "id", gid_str(type, id));
	cJSON_AddStringToObject(node, "legacyResourceId", id ? id : "");
}

/* A REST time as GraphQL's DateTime (UTC, "Z"); null when absent. */
static cJSON *time_of(const cJSON *o, const char *key)
{
	int64_t t = 0;
	char out[32];

	if (doc_time(o, key, &t) <= 0)
		return cJSON_CreateNull();
	sim_format_time(t, out, sizeof(out));
	return cJSON_CreateString(out);
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* REST lower_snake status words become GraphQL enum values. */
static cJSON *enum_of(const char *s)
{
	char *u;
	cJSON *j;

	if (!s)
		return cJSON_CreateNull();
	u = xstrdup(s);
	for (char *p = u; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	j = cJSON_CreateString(u);
	free(u);
	return j;
}

static uint64_t uint_of(const cJSON *o, const char *key)
{
	const char *s = sim_jstr(o, key);
	uint64_t v = 0;

	if (s && sim_parse_uint(s, UINT32_MAX, &v) < 0)
		v = 0;
	return v;
}

/* A connection of the given nodes on one page. */
static cJSON *connection(cJSON *nodes)
{
	cJSON *c = cJSON_CreateObject();
	cJSON *pi;

	cJSON_AddItemToObject(c, "nodes", nodes);
	pi = cJSON_AddObjectToObject(c, "pageInfo");
	cJSON_AddBoolToObject(pi, "hasNextPage", false);
	cJSON_AddBoolToObject(pi, "hasPreviousPage", false);
	return c;
}

static cJSON *address(const cJSON *o, const char *key)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsObject(a))
		return cJSON_CreateNull();
	return sim_jobj("countryCodeV2", sim_jstr(a, "country_code"), NULL);
}

static cJSON *customer(const cJSON *o)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "customer");
	cJSON *n;

	if (!cJSON_IsObject(c) || !sim_jstr(c, "id"))
		return cJSON_CreateNull();
	n = cJSON_CreateObject();
	add_gid(n, "Customer", sim_jstr(c, "id"));
	cJSON_AddItemToObject(n, "email", str_or_null(sim_jstr(c, "email")));
	return n;
}

static cJSON *discount_codes(const cJSON *o)
{
	cJSON *a = cJSON_CreateArray();
	const cJSON *it;

	cJSON_ArrayForEach(
		it, cJSON_GetObjectItemCaseSensitive(o, "discount_codes"))
	{
		if (sim_jstr(it, "code"))
			cJSON_AddItemToArray(
				a, cJSON_CreateString(sim_jstr(it, "code")));
	}
	return a;
}

static cJSON *custom_attributes(const cJSON *o)
{
	cJSON *a = cJSON_CreateArray();
	const cJSON *it;

	cJSON_ArrayForEach(
		it, cJSON_GetObjectItemCaseSensitive(o, "note_attributes"))
	{
		cJSON_AddItemToArray(a, sim_jobj("key", sim_jstr(it, "name"),
						 "value", sim_jstr(it, "value"),
						 NULL));
	}
	return a;
}

/* GraphQL's landingPage is a URL, where REST's landing_site is often a
 * path: a path is taken to be on the shop's own domain. */
static cJSON *journey(const cJSON *o, const char *shop)
{
	const char *landing = sim_jstr(o, "landing_site");
	const char *referrer = sim_jstr(o, "referring_site");
	struct sim_buf url = {0};
	cJSON *j, *visit;

	if (!landing && !referrer)
		return cJSON_CreateNull();
	if (landing && landing[0] == '/')
		sim_buf_printf(&url, "https://%s%s", shop, landing);
	else if (landing)
		sim_buf_adds(&url, landing);
	j = cJSON_CreateObject();
	cJSON_AddBoolToObject(j, "ready", true);
	visit = cJSON_AddObjectToObject(j, "firstVisit");
	cJSON_AddItemToObject(visit, "landingPage",
			      str_or_null(landing ? sim_buf_str(&url) : NULL));
	cJSON_AddItemToObject(visit, "referrerUrl", str_or_null(referrer));
	sim_buf_release(&url);
	return j;
}

/* Units of line id already refunded, from the order's refunds. */
static uint64_t refunded_units(const cJSON *o, const char *id)
{
	const cJSON *r, *rli;
	uint64_t n = 0;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(o, "refunds"))
	{
		cJSON_ArrayForEach(rli, cJSON_GetObjectItemCaseSensitive(
						r, "refund_line_items"))
		{
			const char *lid = sim_jstr(rli, "line_item_id");

			if (lid && strcmp(lid, id) == 0)
				n += uint_of(rli, "quantity");
		}
	}
	return n;
}

static cJSON *allocations(const cJSON *li, const struct curr *c)
{
	cJSON *a = cJSON_CreateArray();
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(
				       li, "discount_allocations"))
	{
		cJSON *n = cJSON_CreateObject();

		cJSON_AddItemToObject(n, "allocatedAmountSet",
				      bag_or(it, "amount", NULL, c));
		cJSON_AddItemToArray(a, n);
	}
	return a;
}

static cJSON *line_item(const cJSON *o, const cJSON *li, const struct curr *c)
{
	const char *id = sim_jstr(li, "id");
	const cJSON *cq =
		cJSON_GetObjectItemCaseSensitive(li, "current_quantity");
	uint64_t qty = uint_of(li, "quantity"), gone;
	cJSON *n = cJSON_CreateObject();

	cJSON_AddItemToObject(n, "id", gid_str("LineItem", id));
	cJSON_AddItemToObject(n, "title", str_or_null(sim_jstr(li, "title")));
	cJSON_AddItemToObject(n, "name", str_or_null(sim_jstr(li, "name")));
	cJSON_AddItemToObject(n, "sku", str_or_null(sim_jstr(li, "sku")));
	cJSON_AddNumberToObject(n, "quantity", (double)qty);
	gone = id ? refunded_units(o, id) : 0;
	cJSON_AddNumberToObject(n, "currentQuantity",
				cq ? (double)uint_of(li, "current_quantity")
				   : (double)(gone < qty ? qty - gone : 0));
	cJSON_AddBoolToObject(n, "isGiftCard", sim_jtrue(li, "gift_card"));
	cJSON_AddItemToObject(n, "product",
			      gid_obj("Product", sim_jstr(li, "product_id")));
	cJSON_AddItemToObject(
		n, "variant",
		gid_obj("ProductVariant", sim_jstr(li, "variant_id")));
	cJSON_AddItemToObject(n, "originalUnitPriceSet",
			      bag_or(li, "price", NULL, c));
	cJSON_AddItemToObject(n, "totalDiscountSet",
			      bag_or(li, "total_discount", NULL, c));
	cJSON_AddItemToObject(n, "discountAllocations", allocations(li, c));
	return n;
}

static cJSON *line_items(const cJSON *o, const struct curr *c)
{
	cJSON *nodes = cJSON_CreateArray(), *conn;
	const cJSON *li;
	const char *last = NULL;

	cJSON_ArrayForEach(li,
			   cJSON_GetObjectItemCaseSensitive(o, "line_items"))
	{
		cJSON_AddItemToArray(nodes, line_item(o, li, c));
		last = sim_jstr(li, "id");
	}
	conn = connection(nodes);
	cJSON_AddItemToObject(
		cJSON_GetObjectItemCaseSensitive(conn, "pageInfo"), "endCursor",
		last ? cursor_make("LINE", false, last, last)
		     : cJSON_CreateNull());
	return conn;
}

/* Refunds */

static cJSON *refund_lines(const cJSON *r, const struct curr *c)
{
	cJSON *nodes = cJSON_CreateArray();
	const cJSON *it;

	cJSON_ArrayForEach(
		it, cJSON_GetObjectItemCaseSensitive(r, "refund_line_items"))
	{
		cJSON *n = cJSON_CreateObject();

		cJSON_AddItemToObject(
			n, "lineItem",
			gid_obj("LineItem", sim_jstr(it, "line_item_id")));
		cJSON_AddNumberToObject(n, "quantity",
					(double)uint_of(it, "quantity"));
		cJSON_AddItemToObject(n, "restockType",
				      enum_of(sim_jstr(it, "restock_type")));
		cJSON_AddItemToObject(n, "subtotalSet",
				      bag_or(it, "subtotal", NULL, c));
		cJSON_AddItemToObject(n, "totalTaxSet",
				      bag_or(it, "total_tax", NULL, c));
		cJSON_AddItemToArray(nodes, n);
	}
	return connection(nodes);
}

/* Since 2024-10 refunded shipping is only here, not in
 * order_adjustments; REST test data carries it as refund_shipping_lines. */
static cJSON *refund_shipping(const cJSON *r, const struct curr *c)
{
	cJSON *nodes = cJSON_CreateArray();
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(
				       r, "refund_shipping_lines"))
	{
		cJSON *n = cJSON_CreateObject();

		cJSON_AddItemToObject(n, "subtotalAmountSet",
				      bag_or(it, "subtotal_amount", NULL, c));
		cJSON_AddItemToObject(n, "taxAmountSet",
				      bag_or(it, "tax_amount", NULL, c));
		cJSON_AddItemToArray(nodes, n);
	}
	return connection(nodes);
}

/* The transactions, and into *total what the successful refunds
 * among them returned. */
static cJSON *refund_transactions(const cJSON *r, const struct curr *c,
				  cJSON *total)
{
	cJSON *nodes = cJSON_CreateArray();
	const cJSON *it;

	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(r, "transactions"))
	{
		const char *kind = sim_jstr(it, "kind");
		const char *status = sim_jstr(it, "status");
		cJSON *n = cJSON_CreateObject(), *amount;

		if (sim_jstr(it, "id"))
			cJSON_AddItemToObject(n, "id",
					      gid_str("OrderTransaction",
						      sim_jstr(it, "id")));
		cJSON_AddItemToObject(n, "kind", enum_of(kind));
		cJSON_AddItemToObject(n, "status", enum_of(status));
		amount = bag_or(it, "amount", NULL, c);
		if (kind && status && sim_eq_nocase(kind, "refund") &&
		    sim_eq_nocase(status, "success"))
			bag_add(total, amount);
		cJSON_AddItemToObject(n, "amountSet", amount);
		cJSON_AddItemToObject(n, "processedAt",
				      time_of(it, "processed_at"));
		cJSON_AddItemToArray(nodes, n);
	}
	return connection(nodes);
}

static cJSON *refund_node(const cJSON *o, const cJSON *r, const struct curr *c)
{
	cJSON *n = cJSON_CreateObject();
	cJSON *total = bag_make("0", c->shop, "0", c->pres);

	add_gid(n, "Refund", sim_jstr(r, "id"));
	cJSON_AddItemToObject(n, "createdAt", time_of(r, "created_at"));
	cJSON_AddItemToObject(n, "note", str_or_null(sim_jstr(r, "note")));
	cJSON_AddItemToObject(n, "order", gid_obj("Order", sim_jstr(o, "id")));
	cJSON_AddItemToObject(n, "refundLineItems", refund_lines(r, c));
	cJSON_AddItemToObject(n, "refundShippingLines", refund_shipping(r, c));
	cJSON_AddItemToObject(n, "transactions",
			      refund_transactions(r, c, total));
	cJSON_AddItemToObject(n, "totalRefundedSet", total);
	return n;
}

static struct curr order_curr(const cJSON *o)
{
	struct curr c = {sim_jstr(o, "currency"),
			 sim_jstr(o, "presentment_currency")};

	c.shop = c.shop ? c.shop : "USD";
	c.pres = c.pres ? c.pres : c.shop;
	return c;
}

static cJSON *refunds(const cJSON *o, const struct curr *c)
{
	cJSON *a = cJSON_CreateArray();
	const cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(o, "refunds"))
		cJSON_AddItemToArray(a, refund_node(o, r, c));
	return a;
}

/* The Order */

/* REST has no shipping total outside total_shipping_price_set but the
 * shipping lines, whose prices add up to it. */
static cJSON *shipping_total(const cJSON *o, const struct curr *c)
{
	cJSON *b = bag_of(o, "total_shipping_price", c);
	const cJSON *it;

	if (b)
		return b;
	b = bag_make("0", c->shop, "0", c->pres);
	cJSON_ArrayForEach(
		it, cJSON_GetObjectItemCaseSensitive(o, "shipping_lines"))
	{
		cJSON *p = bag_or(it, "price", NULL, c);

		bag_add(b, p);
		cJSON_Delete(p);
	}
	return b;
}

static void order_money(cJSON *n, const cJSON *o, const struct curr *c)
{
	static const char *const f[][3] = {
		{"totalPriceSet", "total_price", NULL},
		{"currentTotalPriceSet", "current_total_price", "total_price"},
		{"subtotalPriceSet", "subtotal_price", NULL},
		{"currentSubtotalPriceSet", "current_subtotal_price",
		 "subtotal_price"},
		{"totalTaxSet", "total_tax", NULL},
		{"currentTotalTaxSet", "current_total_tax", "total_tax"},
		{"totalDiscountsSet", "total_discounts", NULL},
		{"currentTotalDiscountsSet", "current_total_discounts",
		 "total_discounts"},
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		cJSON_AddItemToObject(n, f[i][0],
				      bag_or(o, f[i][1], f[i][2], c));
	cJSON_AddItemToObject(n, "totalShippingPriceSet", shipping_total(o, c));
}

static void order_head(cJSON *n, const cJSON *o)
{
	const char *name = sim_jstr(o, "name");
	const char *email = sim_jstr(o, "email");
	const cJSON *processed =
		cJSON_GetObjectItemCaseSensitive(o, "processed_at");

	add_gid(n, "Order", sim_jstr(o, "id"));
	cJSON_AddItemToObject(n, "name", str_or_null(name));
	cJSON_AddBoolToObject(n, "test", sim_jtrue(o, "test"));
	cJSON_AddItemToObject(n, "createdAt", time_of(o, "created_at"));
	cJSON_AddItemToObject(n, "updatedAt",
			      time_of(o, sim_jstr(o, "updated_at")
						 ? "updated_at"
						 : "created_at"));
	cJSON_AddItemToObject(n, "processedAt",
			      time_of(o, cJSON_IsString(processed)
						 ? "processed_at"
						 : "created_at"));
	cJSON_AddItemToObject(n, "closedAt", time_of(o, "closed_at"));
	cJSON_AddItemToObject(n, "cancelledAt", time_of(o, "cancelled_at"));
	cJSON_AddItemToObject(n, "cancelReason",
			      enum_of(sim_jstr(o, "cancel_reason")));
	cJSON_AddItemToObject(n, "displayFinancialStatus",
			      enum_of(sim_jstr(o, "financial_status")));
	cJSON_AddItemToObject(
		n, "email",
		str_or_null(email ? email : sim_jstr(o, "contact_email")));
	cJSON_AddItemToObject(n, "clientIp",
			      str_or_null(sim_jstr(o, "browser_ip")));
	cJSON_AddItemToObject(n, "sourceName",
			      str_or_null(sim_jstr(o, "source_name")));
}

static cJSON *order_node(const struct shop_order *so, const char *shop)
{
	const cJSON *o = so->doc;
	struct curr c = order_curr(o);
	cJSON *n = cJSON_CreateObject();

	order_head(n, o);
	cJSON_AddStringToObject(n, "currencyCode", c.shop);
	cJSON_AddStringToObject(n, "presentmentCurrencyCode", c.pres);
	cJSON_AddItemToObject(n, "customer", customer(o));
	cJSON_AddItemToObject(n, "billingAddress",
			      address(o, "billing_address"));
	cJSON_AddItemToObject(n, "shippingAddress",
			      address(o, "shipping_address"));
	cJSON_AddItemToObject(n, "discountCodes", discount_codes(o));
	cJSON_AddItemToObject(n, "customAttributes", custom_attributes(o));
	cJSON_AddItemToObject(n, "customerJourneySummary", journey(o, shop));
	order_money(n, o, &c);
	cJSON_AddItemToObject(n, "lineItems", line_items(o, &c));
	cJSON_AddItemToObject(n, "refunds", refunds(o, &c));
	return n;
}

/* order, orders and refund */

static bool has_scope(const char *scopes, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = scopes; p && *p;) {
		p += strspn(p, ", ");
		if (strncmp(p, want, n) == 0 &&
		    (p[n] == ',' || p[n] == ' ' || p[n] == '\0'))
			return true;
		p += strcspn(p, ", ");
	}
	return false;
}

static int access_denied(cJSON *data, cJSON *errors, const char *field,
			 const char *scope)
{
	struct sim_buf m = {0};

	sim_buf_printf(&m,
		       "Access denied for %s field. Required access: `%s` "
		       "access scope.",
		       field, scope);
	cJSON_AddItemToArray(errors, top_error(m.data, "ACCESS_DENIED",
					       "https://shopify.dev/api/usage/"
					       "access-scopes"));
	cJSON_AddNullToObject(data, field);
	sim_buf_release(&m);
	return -1;
}

/* Orders older than 60 days are out of sight without read_all_orders. */
static bool order_visible(const struct call *c, const struct shop_order *o)
{
	int64_t now = (int64_t)time(NULL);

	return has_scope(c->scopes, "read_all_orders") ||
	       o->created >= now - ORDER_WINDOW;
}

/* Reads variable name as a gid of type into *id (the part after the last
 * '/'); -1 after adding GraphQL's error for a value that is no gid. 1
 * when it is a gid of another type. */
static int gid_var(struct call *c, cJSON *errors, const char *name,
		   const char *type, const char **id)
{
	const char *v = sim_jstr(c->vars, name);
	const char *prefix = "gid://shopify/";
	size_t tl = strlen(type);
	struct sim_buf m = {0};
	const char *rest;
	cJSON *e, *problems;

	if (!v)
		return var_error(errors, name, "ID!");
	rest = strncmp(v, prefix, strlen(prefix)) == 0 ? v + strlen(prefix)
						       : NULL;
	if (rest && strchr(rest, '/') && strchr(rest, '/')[1]) {
		*id = strrchr(rest, '/') + 1;
		return strncmp(rest, type, tl) == 0 && rest[tl] == '/' ? 0 : 1;
	}
	sim_buf_printf(&m,
		       "Variable $%s of type ID! was provided invalid value",
		       name);
	e = sim_jobj("message", m.data, NULL);
	sim_buf_release(&m);
	sim_buf_printf(&m, "Invalid global id `%s`", v);
	problems = cJSON_CreateArray();
	cJSON_AddItemToArray(problems, sim_jobj("explanation", m.data, NULL));
	cJSON_AddItemToObject(cJSON_GetArrayItem(problems, 0), "path",
			      cJSON_CreateArray());
	cJSON_AddItemToObject(
		e, "extensions",
		sim_jobj("code", "INVALID_VARIABLE", "value", v, NULL));
	cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(e, "extensions"),
			      "problems", problems);
	cJSON_AddItemToArray(errors, e);
	sim_buf_release(&m);
	return -1;
}

static const struct shop_order *order_by_id(const struct call *c,
					    const char *id)
{
	const struct shop_orders *os = &c->s->orders;

	for (size_t i = 0; i < os->n; i++)
		if (strcmp(os->v[i].id, id) == 0)
			return order_visible(c, &os->v[i]) ? &os->v[i] : NULL;
	return NULL;
}

static int order_get(struct call *c, cJSON *data, cJSON *errors)
{
	const struct shop_order *o = NULL;
	const char *id = NULL;
	int rc;

	if (!has_scope(c->scopes, "read_orders") &&
	    !has_scope(c->scopes, "write_orders"))
		return access_denied(data, errors, "order", "read_orders");
	rc = gid_var(c, errors, "id", "Order", &id);
	if (rc < 0)
		return -1;
	if (rc == 0)
		o = order_by_id(c, id);
	cJSON_AddItemToObject(data, "order",
			      o ? order_node(o, c->shop) : cJSON_CreateNull());
	c->actual = o ? c->cost : 1;
	return 0;
}

static int refund_get(struct call *c, cJSON *data, cJSON *errors)
{
	const struct shop_orders *os = &c->s->orders;
	const char *id = NULL;
	cJSON *node = NULL;
	const cJSON *r;
	int rc;

	if (!has_scope(c->scopes, "read_orders") &&
	    !has_scope(c->scopes, "write_orders"))
		return access_denied(data, errors, "refund", "read_orders");
	rc = gid_var(c, errors, "id", "Refund", &id);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < os->n && !node && rc == 0; i++) {
		struct curr cur = order_curr(os->v[i].doc);

		if (!order_visible(c, &os->v[i]))
			continue;
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(
					      os->v[i].doc, "refunds"))
		{
			const char *rid = sim_jstr(r, "id");

			if (!node && rid && strcmp(rid, id) == 0)
				node = refund_node(os->v[i].doc, r, &cur);
		}
	}
	cJSON_AddItemToObject(data, "refund", node ? node : cJSON_CreateNull());
	return 0;
}

/* orders(first, after, sortKey, reverse, query) */

#define TIME_MIN INT64_MIN
#define TIME_MAX INT64_MAX

enum sort_key {
	SORT_ID,
	SORT_CREATED_AT,
	SORT_UPDATED_AT,
	SORT_PROCESSED_AT,
	SORT__COUNT
};

static const char *const sort_names[SORT__COUNT] = {
	"ID",		/* SORT_ID */
	"CREATED_AT",	/* SORT_CREATED_AT */
	"UPDATED_AT",	/* SORT_UPDATED_AT */
	"PROCESSED_AT", /* SORT_PROCESSED_AT */
};

struct order_query {
	int64_t upd_min, upd_max; /* inclusive */
	int64_t cre_min, cre_max;
	const char *status; /* NULL or "any": all */
};

/* Applies one "field:[op]value" time bound to [*min, *max]. */
static void bound(const char *v, int64_t *min, int64_t *max)
{
	int ge = strncmp(v, ">=", 2) == 0, le = strncmp(v, "<=", 2) == 0;
	int gt = !ge && *v == '>', lt = !le && *v == '<';
	char *val;
	int64_t t;
	size_t n;

	v += ge || le ? 2 : gt || lt ? 1 : 0;
	n = strlen(v);
	if (n >= 2 && (*v == '\'' || *v == '"') && v[n - 1] == *v) {
		v++;
		n -= 2;
	}
	val = xstrndup(v, n);
	/* An unreadable date is ignored, as Shopify ignores what its search
	 * syntax cannot use. */
	if (sim_parse_time(val, &t) == 0) {
		if (ge || gt)
			*min = gt ? t + 1 : t;
		else if (le || lt)
			*max = lt ? t - 1 : t;
		else
			*min = *max = t;
	}
	free(val);
}

static void query_term(struct order_query *q, const char *term)
{
	if (strncmp(term, "updated_at:", 11) == 0)
		bound(term + 11, &q->upd_min, &q->upd_max);
	else if (strncmp(term, "created_at:", 11) == 0)
		bound(term + 11, &q->cre_min, &q->cre_max);
	else if (strncmp(term, "status:", 7) == 0)
		q->status = term + 7;
}

/* Terms are split on blanks (a quoted value may hold them); "AND" joins
 * and unknown terms are ignored. q keeps pointers into *owned. */
static void query_parse(const char *s, struct order_query *q,
			struct sim_strv *owned)
{
	*q = (struct order_query){TIME_MIN, TIME_MAX, TIME_MIN, TIME_MAX, NULL};
	while (s && *s) {
		const char *p = s + strspn(s, " \t");
		const char *e = p;
		char quote = 0;

		for (; *e && (quote || (*e != ' ' && *e != '\t')); e++)
			if (*e == '\'' || *e == '"')
				quote = quote == *e ? 0 : quote ? quote : *e;
		if (e > p && !(e - p == 3 && strncmp(p, "AND", 3) == 0)) {
			char *t = xstrndup(p, (size_t)(e - p));

			sim_strv_push(owned, t);
			free(t);
			query_term(q, owned->v[owned->n - 1]);
		}
		s = e;
	}
}

static bool query_match(const struct order_query *q, const struct shop_order *o)
{
	const char *st = q->status;

	if (o->updated < q->upd_min || o->updated > q->upd_max ||
	    o->created < q->cre_min || o->created > q->cre_max)
		return false;
	if (!st || strcmp(st, "any") == 0)
		return true;
	if (strcmp(st, "open") == 0)
		return !(o->flags & (ORDER_CLOSED | ORDER_CANCELLED));
	if (strcmp(st, "closed") == 0)
		return o->flags & ORDER_CLOSED;
	if (strcmp(st, "cancelled") == 0)
		return o->flags & ORDER_CANCELLED;
	if (strcmp(st, "not_closed") == 0)
		return !(o->flags & ORDER_CLOSED);
	return true;
}

struct order_ref {
	const struct shop_order *o;
	int64_t key;
};

static int64_t sort_value(const struct shop_order *o, enum sort_key k)
{
	int64_t t = 0;

	if (k == SORT_CREATED_AT)
		return o->created;
	if (k == SORT_UPDATED_AT)
		return o->updated;
	if (k == SORT_PROCESSED_AT)
		return doc_time(o->doc, "processed_at", &t) > 0 ? t
								: o->created;
	return 0;
}

/* Ascending by the key, ties (and SORT_ID) by id. */
static int ref_cmp(int64_t ka, const char *ida, int64_t kb, const char *idb)
{
	if (ka != kb)
		return ka < kb ? -1 : 1;
	return sim_id_cmp(ida, idb);
}

static int ref_qsort(const void *a, const void *b)
{
	const struct order_ref *x = a, *y = b;

	return ref_cmp(x->key, x->o->id, y->key, y->o->id);
}

struct list_args {
	uint64_t first;
	enum sort_key sort;
	bool reverse;
	const char *after;
};

/* The first/sortKey/reverse variables; -1 after adding the error. */
static int list_args_read(struct call *c, cJSON *errors, struct list_args *a)
{
	const cJSON *first = cJSON_GetObjectItemCaseSensitive(c->vars, "first");
	const cJSON *rev = cJSON_GetObjectItemCaseSensitive(c->vars, "reverse");
	const char *sort = sim_jstr(c->vars, "sortKey");
	const cJSON *after = cJSON_GetObjectItemCaseSensitive(c->vars, "after");

	*a = (struct list_args){.sort = SORT_ID};
	if (!first || cJSON_IsNull(first)) {
		cJSON_AddItemToArray(errors,
				     top_error("you must provide one of first "
					       "or last",
					       "BAD_REQUEST", NULL));
		return -1;
	}
	if (!cJSON_IsNumber(first) || first->valuedouble < 1 ||
	    first->valuedouble > MAX_PAGE ||
	    first->valuedouble != (double)(int)first->valuedouble) {
		cJSON_AddItemToArray(
			errors,
			top_error("The value of first must be between 1 and "
				  "250",
				  "BAD_REQUEST", NULL));
		return -1;
	}
	a->first = (uint64_t)first->valuedouble;
	if (sort) {
		for (a->sort = 0; a->sort < SORT__COUNT &&
				  strcmp(sort_names[a->sort], sort) != 0;
		     a->sort++)
			;
		if (a->sort == SORT__COUNT)
			return var_problem(errors, "sortKey", "OrderSortKeys",
					   sort,
					   "Expected a value the simulator "
					   "sorts by: ID, CREATED_AT, "
					   "UPDATED_AT or PROCESSED_AT");
	}
	a->reverse = cJSON_IsTrue(rev);
	a->after = cJSON_IsString(after) ? after->valuestring : NULL;
	return 0;
}

/* The cost orders(first:) asks for, known before it runs. */
static unsigned orders_cost(const struct call *c)
{
	const cJSON *first = cJSON_GetObjectItemCaseSensitive(c->vars, "first");
	double n = cJSON_IsNumber(first) && first->valuedouble > 0
			   ? first->valuedouble
			   : 0;

	n = n > 100000 ? 100000 : n;
	return 2 + (unsigned)n * (unsigned)c->s->o.order_cost;
}

static cJSON *ref_cursor(const struct list_args *a, const struct order_ref *r)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", (long long)r->key);
	return cursor_make(sort_names[a->sort], a->reverse, r->o->id, v);
}

/* The refs past the cursor, in the asked direction. */
static size_t page_start(const struct list_args *a, const struct order_ref *v,
			 size_t n, const cJSON *cur)
{
	uint64_t key = 0;
	const char *kv = sim_jstr(cur, "last_value");
	int64_t k;
	size_t i = 0;

	if (!cur)
		return 0;
	if (kv[0] == '-')
		k = sim_parse_uint(kv + 1, INT64_MAX, &key) == 0 ? -(int64_t)key
								 : 0;
	else
		k = sim_parse_uint(kv, INT64_MAX, &key) == 0 ? (int64_t)key : 0;
	while (i < n) {
		int cmp = ref_cmp(v[i].key, v[i].o->id, k,
				  sim_jstr(cur, "last_id"));

		if (a->reverse ? cmp < 0 : cmp > 0)
			break;
		i++;
	}
	return i;
}

/* The visible orders matching query, in page order. Caller frees. */
static struct order_ref *orders_select(const struct call *c,
				       const struct list_args *a, size_t *n)
{
	const struct shop_orders *os = &c->s->orders;
	struct order_ref *v =
		sim_grow(NULL, &(size_t){0}, os->n + 1, sizeof(*v));
	struct sim_strv owned = {0};
	struct order_query q;

	query_parse(sim_jstr(c->vars, "query"), &q, &owned);
	*n = 0;
	for (size_t i = 0; i < os->n; i++)
		if (order_visible(c, &os->v[i]) && query_match(&q, &os->v[i]))
			v[(*n)++] = (struct order_ref){
				&os->v[i], sort_value(&os->v[i], a->sort)};
	sim_strv_release(&owned);
	qsort(v, *n, sizeof(*v), ref_qsort);
	for (size_t i = 0; a->reverse && i < *n / 2; i++) {
		struct order_ref t = v[i];

		v[i] = v[*n - 1 - i];
		v[*n - 1 - i] = t;
	}
	return v;
}

static void invalid_cursor(cJSON *errors)
{
	cJSON_AddItemToArray(errors,
			     top_error("Invalid cursor for current pagination "
				       "sort.",
				       "BAD_REQUEST", NULL));
}

static int orders_list(struct call *c, cJSON *data, cJSON *errors)
{
	struct list_args a;
	struct order_ref *v;
	cJSON *cur = NULL, *conn, *nodes, *pi;
	size_t n, i, taken = 0;

	if (!has_scope(c->scopes, "read_orders") &&
	    !has_scope(c->scopes, "write_orders"))
		return access_denied(data, errors, "orders", "read_orders");
	if (list_args_read(c, errors, &a) < 0)
		return -1;
	if (a.after &&
	    !(cur = cursor_read(a.after, sort_names[a.sort], a.reverse))) {
		invalid_cursor(errors);
		return -1;
	}
	v = orders_select(c, &a, &n);
	i = page_start(&a, v, n, cur);
	conn = cJSON_AddObjectToObject(data, "orders");
	nodes = cJSON_AddArrayToObject(conn, "nodes");
	for (; i + taken < n && taken < a.first; taken++)
		cJSON_AddItemToArray(nodes,
				     order_node(v[i + taken].o, c->shop));
	pi = cJSON_AddObjectToObject(conn, "pageInfo");
	cJSON_AddBoolToObject(pi, "hasNextPage", i + taken < n);
	cJSON_AddBoolToObject(pi, "hasPreviousPage", i > 0);
	cJSON_AddItemToObject(pi, "startCursor",
			      taken ? ref_cursor(&a, &v[i])
				    : cJSON_CreateNull());
	cJSON_AddItemToObject(pi, "endCursor",
			      taken ? ref_cursor(&a, &v[i + taken - 1])
				    : cJSON_CreateNull());
	c->actual = 2 + (unsigned)taken * (unsigned)c->s->o.order_cost;
	free(v);
	cJSON_Delete(cur);
	return 0;
}

/* Webhook subscriptions */

static const char *const topics[] = {
	"APP_UNINSTALLED",  "ORDERS_CREATE",
	"ORDERS_PAID",	    "ORDERS_UPDATED",
	"ORDERS_CANCELLED", "ORDERS_FULFILLED",
	"ORDERS_DELETE",    "ORDERS_EDITED",
	"REFUNDS_CREATE",   "SHOP_UPDATE",
	"CUSTOMERS_CREATE", "CUSTOMERS_UPDATE",
	"CUSTOMERS_DELETE", NULL,
};

static bool topic_known(const char *t)
{
	for (size_t i = 0; t && topics[i]; i++)
		if (strcmp(topics[i], t) == 0)
			return true;
	return false;
}

static cJSON *hook_node(const cJSON *h)
{
	cJSON *n =
		sim_jobj("id", sim_jstr(h, "id"), "topic", sim_jstr(h, "topic"),
			 "format", sim_jstr(h, "format"), "uri",
			 sim_jstr(h, "uri"), "callbackUrl", sim_jstr(h, "uri"),
			 "createdAt", sim_jstr(h, "created_at"), "updatedAt",
			 sim_jstr(h, "created_at"), NULL);

	cJSON_AddItemToObject(n, "endpoint",
			      sim_jobj("__typename", "WebhookHttpEndpoint",
				       "callbackUrl", sim_jstr(h, "uri"),
				       NULL));
	return n;
}

/* The topics whose payloads hold protected customer data. */
static bool topic_protected(const char *t)
{
	return strncmp(t, "ORDERS_", 7) == 0 ||
	       strncmp(t, "CUSTOMERS_", 10) == 0 ||
	       strcmp(t, "REFUNDS_CREATE") == 0;
}

static const char *hook_check(struct call *c, const char *topic,
			      const char *uri)
{
	const cJSON *h;

	if (!uri || !*uri)
		return "Address can't be blank";
	if (strncmp(uri, "https://", 8) != 0 && strncmp(uri, "http://", 7) != 0)
		return "Address protocol is not supported";
	cJSON_ArrayForEach(h, table(c->s, "webhooks"))
	{
		if (sim_eq_nocase(sim_jstr(h, "shop"), c->shop) &&
		    strcmp(sim_jstr(h, "topic"), topic) == 0 &&
		    strcmp(sim_jstr(h, "uri"), uri) == 0)
			return "Address for this topic has already been taken";
	}
	return NULL;
}

static cJSON *hook_add(struct call *c, const char *topic, const char *uri,
		       const char *format)
{
	char id[96], now[32];
	cJSON *h;

	new_gid(c->s, "WebhookSubscription", id, sizeof(id));
	sim_format_time(now_s(), now, sizeof(now));
	h = sim_jobj("shop", c->shop, "id", id, "topic", topic, "uri", uri,
		     "format", format ? format : "JSON", "created_at", now,
		     NULL);
	cJSON_AddNumberToObject(h, "failures", 0);
	cJSON_AddItemToArray(table(c->s, "webhooks"), h);
	return hook_node(h);
}

static int webhook_create(struct call *c, cJSON *data, cJSON *errors)
{
	const char *topic = sim_jstr(c->vars, "topic");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(
		c->vars, "webhookSubscription");
	const char *uri = sim_jstr(in, "uri") ? sim_jstr(in, "uri")
					      : sim_jstr(in, "callbackUrl");
	const char *bad;
	cJSON *ue, *node = NULL;

	if (!topic_known(topic))
		return var_error(errors, "topic", "WebhookSubscriptionTopic!");
	if (!cJSON_IsObject(in))
		return var_error(errors, "webhookSubscription",
				 "WebhookSubscriptionInput!");
	ue = cJSON_CreateArray();
	bad = hook_check(c, topic, uri);
	if (!c->s->policy.protected_data && topic_protected(topic))
		user_error(ue, "webhookSubscription", NULL, PROTECTED_REFUSED);
	else if (bad)
		user_error(ue, "webhookSubscription.callbackUrl", NULL, bad);
	else
		node = hook_add(c, topic, uri, sim_jstr(in, "format"));
	return payload(data, "webhookSubscriptionCreate", "webhookSubscription",
		       node, ue);
}

static int webhook_delete(struct call *c, cJSON *data, cJSON *errors)
{
	const char *gid = sim_jstr(c->vars, "id"), *id = NULL;
	cJSON *ue, *h = NULL, *p;
	int rc = gid_var(c, errors, "id", "WebhookSubscription", &id);

	if (rc < 0)
		return -1;
	if (rc == 0)
		h = sim_jfind(table(c->s, "webhooks"), false, "id", gid, "shop",
			      c->shop);
	ue = cJSON_CreateArray();
	p = cJSON_AddObjectToObject(data, "webhookSubscriptionDelete");
	if (h) {
		cJSON_AddStringToObject(p, "deletedWebhookSubscriptionId", gid);
		cJSON_Delete(
			cJSON_DetachItemViaPointer(table(c->s, "webhooks"), h));
	} else {
		cJSON_AddNullToObject(p, "deletedWebhookSubscriptionId");
		user_error(ue, "id", NULL,
			   "Webhook subscription does not exist");
	}
	cJSON_AddItemToObject(p, "userErrors", ue);
	return h ? 0 : -1;
}

/* first (1..250, required) as connections read it; -1 after adding the
 * error. */
static int first_read(const struct call *c, cJSON *errors, uint64_t *first)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(c->vars, "first");

	if (!f || cJSON_IsNull(f)) {
		cJSON_AddItemToArray(errors,
				     top_error("you must provide one of first "
					       "or last",
					       "BAD_REQUEST", NULL));
		return -1;
	}
	if (!cJSON_IsNumber(f) || f->valuedouble < 1 ||
	    f->valuedouble > MAX_PAGE ||
	    f->valuedouble != (double)(int)f->valuedouble) {
		cJSON_AddItemToArray(
			errors,
			top_error("The value of first must be between 1 and "
				  "250",
				  "BAD_REQUEST", NULL));
		return -1;
	}
	*first = (uint64_t)f->valuedouble;
	return 0;
}

/* -1 after adding the error for a topics list with an unknown topic. */
static int topics_read(const cJSON *list, cJSON *errors)
{
	const cJSON *it;

	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return var_error(errors, "topics",
				 "[WebhookSubscriptionTopic!]");
	cJSON_ArrayForEach(it, list)
	{
		if (!cJSON_IsString(it) || !topic_known(it->valuestring))
			return var_problem(
				errors, "topics", "[WebhookSubscriptionTopic!]",
				cJSON_IsString(it) ? it->valuestring : NULL,
				"Expected a WebhookSubscriptionTopic");
	}
	return 0;
}

static bool hook_wanted(const struct call *c, const cJSON *h,
			const cJSON *wanted, const char *after)
{
	const char *id = strrchr(sim_jstr(h, "id"), '/') + 1;
	const cJSON *it;

	if (!sim_eq_nocase(sim_jstr(h, "shop"), c->shop) ||
	    (after && sim_id_cmp(id, after) <= 0))
		return false;
	if (!cJSON_IsArray(wanted))
		return true;
	cJSON_ArrayForEach(it, wanted)
	{
		if (strcmp(it->valuestring, sim_jstr(h, "topic")) == 0)
			return true;
	}
	return false;
}

static int webhooks(struct call *c, cJSON *data, cJSON *errors)
{
	const cJSON *wanted =
		cJSON_GetObjectItemCaseSensitive(c->vars, "topics");
	const char *after = sim_jstr(c->vars, "after");
	cJSON *cur = NULL, *conn, *nodes, *pi;
	const cJSON *h, *last = NULL;
	uint64_t first, n = 0;
	bool more = false;

	if (first_read(c, errors, &first) < 0 ||
	    topics_read(wanted, errors) < 0)
		return -1;
	if (after && !(cur = cursor_read(after, "ID", false))) {
		invalid_cursor(errors);
		return -1;
	}
	conn = cJSON_AddObjectToObject(data, "webhookSubscriptions");
	nodes = cJSON_AddArrayToObject(conn, "nodes");
	cJSON_ArrayForEach(h, table(c->s, "webhooks"))
	{
		if (!hook_wanted(c, h, wanted, sim_jstr(cur, "last_id")))
			continue;
		if (n == first) {
			more = true;
			break;
		}
		cJSON_AddItemToArray(nodes, hook_node(h));
		last = h;
		n++;
	}
	pi = cJSON_AddObjectToObject(conn, "pageInfo");
	cJSON_AddBoolToObject(pi, "hasNextPage", more);
	cJSON_AddBoolToObject(pi, "hasPreviousPage", cur != NULL);
	cJSON_AddItemToObject(
		pi, "endCursor",
		last ? cursor_make("ID", false,
				   strrchr(sim_jstr(last, "id"), '/') + 1, "0")
		     : cJSON_CreateNull());
	cJSON_Delete(cur);
	return 0;
}

/* "sally.myshopify.com" is called "Sally". */
static void shop_name(const char *shop, char *name, size_t size)
{
	snprintf(name, size, "%.*s", (int)strcspn(shop, "."), shop);
	if (name[0] >= 'a' && name[0] <= 'z')
		name[0] = (char)(name[0] - 'a' + 'A');
}

/* A stable numeric id per shop (FNV-1a of the lower-case domain, kept
 * under 2^40 so it stays a safe JSON number). */
static uint64_t shop_id(const char *shop)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (const char *p = shop; *p; p++) {
		char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;

		h = (h ^ (unsigned char)ch) * UINT64_C(1099511628211);
	}
	return h % (UINT64_C(1) << 40) + 1;
}

static int shop_info(struct call *c, cJSON *data, cJSON *errors)
{
	char name[256], email[300], gid[64];

	(void)errors;
	shop_name(c->shop, name, sizeof(name));
	snprintf(email, sizeof(email), "owner@%s", c->shop);
	snprintf(gid, sizeof(gid), "gid://shopify/Shop/%llu",
		 (unsigned long long)shop_id(c->shop));
	cJSON_AddItemToObject(data, "shop",
			      sim_jobj("id", gid, "name", name, "email", email,
				       "myshopifyDomain", c->shop,
				       "currencyCode", c->s->o.currency, NULL));
	return 0;
}

static int unknown_field(struct call *c, cJSON *data, cJSON *errors)
{
	const char *type = c->mutation_doc ? "Mutation" : "QueryRoot";
	struct sim_buf m = {0};

	(void)data;
	sim_buf_printf(&m, "Field '%s' doesn't exist on type '%s'", c->field,
		       type);
	cJSON_AddItemToArray(errors, top_error(m.data, "undefinedField", NULL));
	sim_buf_release(&m);
	return -1;
}

static const struct gql_op gql_ops[] = {
	{"discountCodeBasicCreate", OP_DISCOUNT_CREATE, true, 0,
	 discount_create},
	{"codeDiscountNodeByCode", OP_DISCOUNT_BY_CODE, false, 1,
	 discount_by_code},
	{"giftCardCreate", OP_GIFT_CARD_CREATE, true, 0, gift_card_create},
	{"giftCards", OP_GIFT_CARDS, false, 2, gift_cards},
	{"webhookSubscriptionCreate", OP_WEBHOOK_CREATE, true, 0,
	 webhook_create},
	{"webhookSubscriptions", OP_WEBHOOKS, false, 2, webhooks},
	{"webhookSubscriptionDelete", OP_WEBHOOK_DELETE, true, 0,
	 webhook_delete},
	{"shop", OP_SHOP, false, 1, shop_info},
	{"order", OP_ORDER, false, 0, order_get},
	{"orders", OP_ORDERS, false, 0, orders_list},
	{"refund", OP_REFUND, false, 0, refund_get},
	{NULL, OP_GRAPHQL_OTHER, false, 0, unknown_field},
};

/* GraphQL documents are not parsed: the first field of the first
 * selection set is enough to dispatch. */
static const char *gql_skip(const char *p)
{
	for (;;) {
		p += strspn(p, " \t\r\n,");
		if (*p != '#')
			return p;
		p += strcspn(p, "\n");
	}
}

static size_t gql_name(const char *p)
{
	return strspn(p, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
}

static int gql_root(const char *q, char *field, size_t size, bool *mutation)
{
	const char *p = gql_skip(q);
	size_t n = gql_name(p);
	int parens = 0;

	*mutation = n == 8 && strncmp(p, "mutation", 8) == 0;
	for (; *p && (*p != '{' || parens); p++)
		parens += (*p == '(') - (*p == ')');
	if (!*p)
		return -1;
	p = gql_skip(p + 1);
	n = gql_name(p);
	if (*gql_skip(p + n) == ':') { /* an alias */
		p = gql_skip(gql_skip(p + n) + 1);
		n = gql_name(p);
	}
	if (n == 0 || n >= size)
		return -1;
	memcpy(field, p, n);
	field[n] = '\0';
	return 0;
}

/* The requested cost, known before the query runs. */
static unsigned op_cost(const struct call *c, const struct gql_op *g)
{
	if (g->op == OP_ORDERS)
		return orders_cost(c);
	if (g->op == OP_ORDER || g->op == OP_REFUND)
		return (unsigned)c->s->o.order_cost;
	if (g->cost)
		return g->cost;
	return g->mutation ? (unsigned)c->s->o.mutation_cost : 0;
}

/* Reads the request body; -1 after answering 400. */
static int gql_parse(struct call *c)
{
	const char *query;
	const struct gql_op *g = gql_ops;

	c->body = sim_req_json(c->req);
	query = sim_jstr(c->body, "query");
	if (!query) {
		sim_resp_text(c->resp, 400, JSON_TYPE,
			      "{\"errors\":{\"query\":\"Required parameter "
			      "missing or invalid\"}}");
		return -1;
	}
	if (gql_root(query, c->field, sizeof(c->field), &c->mutation_doc) < 0)
		c->field[0] = '\0';
	while (g->field && (strcmp(g->field, c->field) != 0 ||
			    g->mutation != c->mutation_doc))
		g++;
	c->gop = g;
	c->op = g->op;
	c->vars = cJSON_GetObjectItemCaseSensitive(c->body, "variables");
	c->cost = op_cost(c, g);
	c->actual = c->cost;
	return 0;
}

/*
 * drained: report an empty bucket, as a real throttle would look; an
 * injected throttle otherwise shows a full bucket, which Shopify never
 * answers alongside THROTTLED. actual < 0: null, nothing was run.
 */
static cJSON *cost_json(struct sim_bucket *b, unsigned cost, long actual,
			bool drained)
{
	cJSON *cj = cJSON_CreateObject(), *ts, *ext = cJSON_CreateObject();
	double avail = drained ? 0 : b->max - sim_bucket_level(b);

	cJSON_AddNumberToObject(cj, "requestedQueryCost", cost);
	if (actual < 0)
		cJSON_AddNullToObject(cj, "actualQueryCost");
	else
		cJSON_AddNumberToObject(cj, "actualQueryCost", (double)actual);
	ts = cJSON_AddObjectToObject(cj, "throttleStatus");
	cJSON_AddNumberToObject(ts, "maximumAvailable", b->max);
	cJSON_AddNumberToObject(ts, "currentlyAvailable",
				(double)(uint64_t)(avail > 0 ? avail : 0));
	cJSON_AddNumberToObject(ts, "restoreRate", b->rate);
	cJSON_AddItemToObject(ext, "cost", cj);
	return ext;
}

static void gql_throttled(struct call *c, bool injected)
{
	struct sim_bucket *b = sim_buckets_get(&c->s->gql, c->shop);
	cJSON *ans = cJSON_CreateObject();

	cJSON_AddItemToArray(
		cJSON_AddArrayToObject(ans, "errors"),
		top_error("Throttled", "THROTTLED",
			  "https://shopify.dev/api/usage/rate-limits"));
	cJSON_AddItemToObject(ans, "extensions",
			      cost_json(b, c->cost, -1, injected));
	sim_resp_json(c->resp, 200, ans);
}

/* Refused before it runs, whatever the bucket holds. */
static void gql_too_costly(struct call *c)
{
	struct sim_bucket *b = sim_buckets_get(&c->s->gql, c->shop);
	cJSON *ans = cJSON_CreateObject(), *e;
	struct sim_buf m = {0};

	sim_buf_printf(&m,
		       "Query cost is %u, which exceeds the single query max "
		       "cost limit (%d).\n\nSee https://shopify.dev/concepts/"
		       "about-apis/rate-limits for more information on how "
		       "the\ncost of a query is calculated.\n\nTo query "
		       "larger amounts of data with fewer limits, bulk "
		       "operations should be used instead.\nSee https://"
		       "shopify.dev/api/usage/bulk-operations/queries for "
		       "usage details.\n",
		       c->cost, MAX_QUERY_COST);
	e = top_error(m.data, "MAX_COST_EXCEEDED",
		      "https://shopify.dev/api/usage/rate-limits");
	cJSON_AddNumberToObject(
		cJSON_GetObjectItemCaseSensitive(e, "extensions"), "cost",
		c->cost);
	cJSON_AddNumberToObject(
		cJSON_GetObjectItemCaseSensitive(e, "extensions"), "maxCost",
		MAX_QUERY_COST);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(ans, "errors"), e);
	cJSON_AddItemToObject(ans, "extensions",
			      cost_json(b, c->cost, -1, false));
	sim_resp_json(c->resp, 200, ans);
	sim_buf_release(&m);
}

/* Shopify takes the requested cost and gives back what went unused. */
static void bucket_refund(struct sim_bucket *b, unsigned requested,
			  unsigned actual)
{
	if (actual >= requested)
		return;
	sim_bucket_level(b);
	b->level -= requested - actual;
	b->level = b->level < 0 ? 0 : b->level;
}

static void gql_answer(struct call *c, struct sim_bucket *b)
{
	struct shopify *s = c->s;
	cJSON *ans = cJSON_CreateObject(), *data = cJSON_CreateObject();
	cJSON *errors = cJSON_CreateArray();

	if (c->gop->run(c, data, errors) < 0)
		s->ops[c->op].rejected++;
	else
		s->ops[c->op].ok++;
	if (errors->child)
		cJSON_AddItemToObject(ans, "errors", errors);
	else
		cJSON_Delete(errors);
	if (data->child)
		cJSON_AddItemToObject(ans, "data", data);
	else
		cJSON_Delete(data);
	bucket_refund(b, c->cost, c->actual);
	cJSON_AddItemToObject(
		ans, "extensions",
		cost_json(b, c->cost, c->actual < c->cost ? c->actual : c->cost,
			  false));
	sim_resp_json(c->resp, 200, ans);
}

static void gql_run(struct call *c)
{
	struct shopify *s = c->s;
	struct sim_bucket *b = sim_buckets_get(&s->gql, c->shop);

	if (c->cost > MAX_QUERY_COST) {
		s->ops[c->op].rejected++;
		gql_too_costly(c);
		return;
	}
	if (!sim_bucket_take(b, c->cost)) {
		s->throttled_bucket++;
		s->ops[c->op].limited++;
		gql_throttled(c, false);
		return;
	}
	gql_answer(c, b);
	if (c->gop->mutation)
		sim_api_mutated(&s->faults, &s->ops[c->op], c->resp,
				&c->drop_delay);
}

/* The Admin API pipeline */

static void fault_answer(struct call *c, enum sim_fault f)
{
	if (f == SIM_FAULT_500) {
		sim_resp_text(c->resp, 500, JSON_TYPE,
			      "{\"errors\":\"Internal Server Error\"}");
	} else if (f == SIM_FAULT_THROTTLE) {
		c->s->throttled_fault++;
		gql_throttled(c, true);
	} else if (f == SIM_FAULT_429) {
		c->s->throttled_fault++;
		sim_resp_text(c->resp, 429, JSON_TYPE,
			      "{\"errors\":\"Throttled\"}");
		sim_resp_header(c->resp, "Retry-After", "1.0");
	} else if (f == SIM_FAULT_401) {
		invalid_token(c->resp);
	}
}

static void admin_call(struct call *c)
{
	struct shopify *s = c->s;
	const char *tok = sim_req_header(c->req, "X-Shopify-Access-Token");
	enum sim_fault f =
		sim_api_enter(&s->lock, &s->faults, &s->ops[c->op], c->resp);
	const cJSON *t = NULL;

	if (f != SIM_FAULT_NONE) {
		fault_answer(c, f);
	} else if (!(t = token_find(s, c->shop, tok))) {
		s->ops[c->op].rejected++;
		invalid_token(c->resp);
	} else if (legacy_refused(s, t)) {
		s->ops[c->op].rejected++;
		sim_resp_json(c->resp, 403,
			      sim_jobj("errors", LEGACY_REFUSED, NULL));
	} else {
		if (sim_jstr(t, "refresh"))
			refresh_promote(s, sim_jstr(t, "refresh"));
		c->scopes = sim_jstr(t, "scope");
		gql_run(c);
	}
	pthread_mutex_unlock(&s->lock);
	if (c->resp->drop)
		sim_sleep_ms(c->drop_delay);
}

static bool valid_version(const char *v, size_t n)
{
	if (n == 8 && strncmp(v, "unstable", 8) == 0)
		return true;
	return n == 7 && v[4] == '-' && strspn(v, "0123456789") == 4 &&
	       strspn(v + 5, "0123456789") == 2;
}

/* The REST Admin API is closed to this app, as it is to public apps
 * submitted since 2025-04 (the wording is ours). */
static void rest_gone(struct call *c)
{
	pthread_mutex_lock(&c->s->lock);
	c->s->rest_calls++;
	pthread_mutex_unlock(&c->s->lock);
	sim_resp_json(c->resp, 410,
		      sim_jobj("errors",
			       "The REST Admin API is not available for this "
			       "app: use the GraphQL Admin API",
			       NULL));
}

/* Routes "api/{version}/..." below /{shop}/admin/. */
static void admin_api(struct call *c, const char *rest)
{
	const char *slash = strchr(rest, '/');
	const char *tail = slash ? slash + 1 : "";
	size_t n = slash ? (size_t)(slash - rest) : 0, tl = strlen(tail);
	char version[16];

	if (!valid_version(rest, n)) {
		not_found(c->resp);
		return;
	}
	memcpy(version, rest, n);
	version[n] = '\0';
	c->version = version;
	if (strcmp(tail, "graphql.json") == 0 &&
	    strcmp(c->req->method, "POST") == 0) {
		if (gql_parse(c) == 0)
			admin_call(c);
	} else if (strcmp(tail, "graphql.json") != 0 && tl > 5 &&
		   strcmp(tail + tl - 5, ".json") == 0) {
		rest_gone(c);
	} else {
		not_found(c->resp);
	}
}

/* Routes /{shop}/admin/... */
static void shop_route(struct shopify *s, struct sim_req *req,
		       struct sim_resp *resp)
{
	const char *p = req->path + 1, *slash = strchr(p, '/');
	char shop[256];
	struct call c = {.s = s, .req = req, .resp = resp, .shop = shop};
	bool get = strcmp(req->method, "GET") == 0;

	if (!slash || (size_t)(slash - p) >= sizeof(shop) ||
	    strncmp(slash, "/admin/", 7) != 0) {
		not_found(resp);
		return;
	}
	memcpy(shop, p, (size_t)(slash - p));
	shop[slash - p] = '\0';
	p = slash + 7;
	if (!valid_shop(shop))
		not_found(resp);
	else if (strcmp(p, "oauth/authorize") == 0 && get)
		authorize(s, req, resp, shop);
	else if (strcmp(p, "oauth/access_token") == 0 && !get)
		access_token(s, req, resp, shop);
	else if (strncmp(p, "api/", 4) == 0)
		admin_api(&c, p + 4);
	else
		not_found(resp);
	cJSON_Delete(c.body);
}

/* Control: policy, tokens, uninstall */

static cJSON *policy_json(const struct policy *p)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "token_ttl", (double)p->token_ttl);
	cJSON_AddNumberToObject(j, "refresh_ttl", (double)p->refresh_ttl);
	cJSON_AddNumberToObject(j, "year", p->year);
	cJSON_AddBoolToObject(j, "protected_data", p->protected_data);
	return j;
}

static bool whole(const cJSON *v, double min, double max)
{
	return cJSON_IsNumber(v) && v->valuedouble >= min &&
	       v->valuedouble <= max &&
	       v->valuedouble == (double)(int64_t)v->valuedouble;
}

/* Checks every key before changing any, so a refused update changes
 * nothing. */
static int policy_set(struct policy *p, const cJSON *j, struct sim_buf *err)
{
	struct policy n = *p;
	const cJSON *it;

	cJSON_ArrayForEach(it, j)
	{
		const char *k = it->string;

		if (strcmp(k, "token_ttl") == 0 && whole(it, 0, 1e9))
			n.token_ttl = (uint64_t)it->valuedouble;
		else if (strcmp(k, "refresh_ttl") == 0 && whole(it, 0, 1e10))
			n.refresh_ttl = (uint64_t)it->valuedouble;
		else if (strcmp(k, "year") == 0 && whole(it, 2026, 2027))
			n.year = (unsigned)it->valuedouble;
		else if (strcmp(k, "protected_data") == 0 && cJSON_IsBool(it))
			n.protected_data = cJSON_IsTrue(it);
		else {
			sim_buf_printf(err,
				       "policy key '%s': unknown or bad "
				       "value",
				       k);
			return -1;
		}
	}
	*p = n;
	return 0;
}

static void expire_shop(struct shopify *s, const char *shop)
{
	cJSON *t;

	cJSON_ArrayForEach(t, table(s, "tokens"))
	{
		if (sim_jstr(t, "shop") &&
		    sim_eq_nocase(sim_jstr(t, "shop"), shop))
			set_num(t, "expires_at", (double)now_s());
	}
}

static void revoke_shop(struct shopify *s, const char *shop)
{
	table_drop(s, "tokens", "shop", shop);
	table_drop(s, "refresh_tokens", "shop", shop);
}

/* The --token tokens are good for any shop, so an uninstall revokes
 * them for that shop only. */
static void revoke_custom(struct shopify *s, const char *shop)
{
	cJSON *t, *r;

	cJSON_ArrayForEach(t, table(s, "tokens"))
	{
		r = cJSON_GetObjectItemCaseSensitive(t, "revoked_shops");
		if (r)
			cJSON_AddItemToArray(r, cJSON_CreateString(shop));
	}
}

static bool revoked_for(const cJSON *t, const char *shop)
{
	const cJSON *it;

	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(t, "revoked_shops"))
	{
		if (cJSON_IsString(it) && sim_eq_nocase(it->valuestring, shop))
			return true;
	}
	return false;
}

/* The control API */

static cJSON *state(void *ctx)
{
	struct shopify *s = ctx;
	cJSON *j = cJSON_Duplicate(s->db, 1);
	cJSON *calls = cJSON_AddObjectToObject(j, "calls");
	cJSON *t = cJSON_AddObjectToObject(j, "throttled");

	cJSON_AddItemToObject(j, "orders", orders_json(&s->orders));
	cJSON_AddNumberToObject(j, "rest_calls", (double)s->rest_calls);
	for (size_t i = 0; i < OP__COUNT; i++)
		cJSON_AddItemToObject(calls, op_names[i],
				      sim_counter_json(&s->ops[i]));
	cJSON_AddNumberToObject(t, "bucket", (double)s->throttled_bucket);
	cJSON_AddNumberToObject(t, "fault", (double)s->throttled_fault);
	cJSON_AddItemToObject(j, "faults", sim_faults_json(&s->faults));
	cJSON_AddItemToObject(j, "policy", policy_json(&s->policy));
	return j;
}

static void reset(void *ctx)
{
	struct shopify *s = ctx;
	cJSON *tokens =
		cJSON_DetachItemFromObjectCaseSensitive(s->db, "tokens");
	cJSON *refresh = cJSON_DetachItemFromObjectCaseSensitive(
		s->db, "refresh_tokens");

	cJSON_Delete(s->db);
	s->db = sim_db_new(tokens, tables);
	cJSON_ReplaceItemInObjectCaseSensitive(s->db, "refresh_tokens",
					       refresh);
	cJSON_AddObjectToObject(s->db, "refreshes");
	cJSON_AddObjectToObject(s->db, "migrations");
	s->policy = policy_default;
	orders_clear(&s->orders);
	sim_buckets_clear(&s->gql);
	s->rest_calls = 0;
	s->faults = (struct sim_faults){0};
	memset(s->ops, 0, sizeof(s->ops));
	s->throttled_bucket = s->throttled_fault = 0;
}

/* Webhook deliveries */

struct delivery {
	const char *url;
	const char *secret;
	const char *shop;
	const char *topic; /* orders/paid */
	const char *api_version;
	const char *webhook_id; /* NULL: a fresh UUID */
	const char *event_id;	/* NULL: a fresh UUID */
	enum sim_sig sig;
	const char *body;
	size_t len;
};

static char *header(const char *name, const char *value)
{
	struct sim_buf b = {0};

	sim_buf_printf(&b, "%s: %s", name, value);
	return sim_buf_take(&b);
}

static char *signature(const struct delivery *d)
{
	struct sim_buf key = {0}, b64 = {0};
	unsigned char mac[32];

	sim_buf_printf(&key, "%s%s", d->secret,
		       d->sig == SIM_SIG_BAD ? "-wrong" : "");
	sim_hmac_sha256(key.data, d->body, d->len, mac);
	sim_base64(&b64, mac, sizeof(mac));
	sim_buf_release(&key);
	return sim_buf_take(&b64);
}

static int deliver(const struct delivery *d, long *status, struct sim_buf *err)
{
	char wid[37], eid[37], now[32];
	char *h[10] = {NULL}, *sig = signature(d);
	size_t n = 0;
	int ret;

	sim_uuid(wid);
	sim_uuid(eid);
	sim_format_time(time(NULL), now, sizeof(now));
	h[n++] = header("Content-Type", "application/json");
	h[n++] = header("X-Shopify-Topic", d->topic);
	h[n++] = header("X-Shopify-Shop-Domain", d->shop);
	h[n++] = header("X-Shopify-API-Version", d->api_version);
	h[n++] = header("X-Shopify-Webhook-Id",
			d->webhook_id ? d->webhook_id : wid);
	h[n++] = header("X-Shopify-Event-Id", d->event_id ? d->event_id : eid);
	h[n++] = header("X-Shopify-Triggered-At", now);
	if (d->sig != SIM_SIG_NONE)
		h[n++] = header("X-Shopify-Hmac-Sha256", sig);
	ret = sim_http_post(d->url, (const char *const *)h, d->body, d->len,
			    status, err);
	for (size_t i = 0; i < n; i++)
		free(h[i]);
	free(sig);
	return ret;
}

/* The GraphQL name of a REST topic: orders/paid is ORDERS_PAID. Caller
 * frees. */
static char *topic_enum(const char *topic)
{
	char *t = xstrdup(topic);

	for (char *p = t; *p; p++)
		*p = *p == '/'			? '_'
		     : (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A')
						: *p;
	return t;
}

/* The addresses (and subscription ids) subscribed to topic for shop;
 * lock held. */
static void hooks_for(struct shopify *s, const char *shop, const char *topic,
		      struct sim_strv *urls, struct sim_strv *ids)
{
	char *t = topic_enum(topic);
	const cJSON *h;

	cJSON_ArrayForEach(h, table(s, "webhooks"))
	{
		if (sim_eq_nocase(sim_jstr(h, "shop"), shop) &&
		    strcmp(sim_jstr(h, "topic"), t) == 0) {
			sim_strv_push(urls, sim_jstr(h, "uri"));
			sim_strv_push(ids, sim_jstr(h, "id"));
		}
	}
	free(t);
}

/* Shopify deletes a subscription made through the API after this many
 * failed deliveries in a row. */
#define HOOK_MAX_FAILURES 8

/* Counts a delivery to subscription id; true when it was the last
 * failure the subscription could take, which deleted it. */
static bool hook_result(struct shopify *s, const char *id, bool ok)
{
	cJSON *h;
	const cJSON *n;
	bool gone = false;

	pthread_mutex_lock(&s->lock);
	h = sim_jfind(table(s, "webhooks"), false, "id", id, NULL, NULL);
	n = cJSON_GetObjectItemCaseSensitive(h, "failures");
	if (h && ok) {
		set_num(h, "failures", 0);
	} else if (h) {
		set_num(h, "failures",
			cJSON_IsNumber(n) ? n->valuedouble + 1 : 1);
		if (cJSON_GetObjectItemCaseSensitive(h, "failures")
			    ->valuedouble >= HOOK_MAX_FAILURES) {
			cJSON_Delete(cJSON_DetachItemViaPointer(
				table(s, "webhooks"), h));
			gone = true;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return gone;
}

static void send_all(struct shopify *s, struct delivery *d,
		     const struct sim_strv *urls, const struct sim_strv *ids,
		     struct sim_resp *resp)
{
	cJSON *ans = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(ans, "deliveries");
	long first = 0;
	bool failed = false;

	for (size_t i = 0; i < urls->n; i++) {
		struct sim_buf err = {0};
		long status = 0;
		cJSON *o = sim_jobj("url", urls->v[i], NULL);

		d->url = urls->v[i];
		if (deliver(d, &status, &err) < 0) {
			failed = true;
			cJSON_AddStringToObject(o, "error", err.data);
		}
		cJSON_AddNumberToObject(o, "status", (double)status);
		cJSON_AddItemToArray(list, o);
		first = i == 0 ? status : first;
		if (i < ids->n &&
		    hook_result(s, ids->v[i],
				err.len == 0 && status >= 200 && status < 300))
			cJSON_AddBoolToObject(o, "deleted", true);
		sim_buf_release(&err);
	}
	cJSON_AddNumberToObject(ans, "status", (double)first);
	sim_resp_json(resp, failed ? 502 : 200, ans);
}

static enum sim_sig sig_mode(const cJSON *j)
{
	return sim_jtrue(j, "no_signature")    ? SIM_SIG_NONE
	       : sim_jtrue(j, "bad_signature") ? SIM_SIG_BAD
					       : SIM_SIG_GOOD;
}

static void control_send(void *ctx, const cJSON *body, struct sim_resp *resp)
{
	struct shopify *s = ctx;
	const char *text = sim_jstr(body, "body");
	const char *version = sim_jstr(body, "api_version");
	struct delivery d = {.secret = s->o.secret,
			     .shop = sim_jstr(body, "shop"),
			     .topic = sim_jstr(body, "topic"),
			     .api_version = version ? version : "2025-10",
			     .webhook_id = sim_jstr(body, "webhook_id"),
			     .event_id = sim_jstr(body, "event_id"),
			     .sig = sig_mode(body),
			     .body = text,
			     .len = text ? strlen(text) : 0};
	struct sim_strv urls = {0}, ids = {0};

	if (!d.shop || !d.topic || !text) {
		sim_resp_error(resp, 400, "shop, topic and body are required");
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (sim_jstr(body, "url"))
		sim_strv_push(&urls, sim_jstr(body, "url"));
	else
		hooks_for(s, d.shop, d.topic, &urls, &ids);
	pthread_mutex_unlock(&s->lock);
	if (urls.n)
		send_all(s, &d, &urls, &ids, resp);
	else
		sim_resp_error(resp, 404, "no subscription for that topic");
	sim_strv_release(&urls);
	sim_strv_release(&ids);
}

/* app/uninstalled carries the REST shop object. Caller frees. */
static char *shop_rest_json(const struct shopify *s, const char *shop)
{
	char name[256], email[300];
	cJSON *j;
	char *txt;

	shop_name(shop, name, sizeof(name));
	snprintf(email, sizeof(email), "owner@%s", shop);
	/* In Shopify's order: the id first. */
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)shop_id(shop));
	cJSON_AddStringToObject(j, "name", name);
	cJSON_AddStringToObject(j, "email", email);
	cJSON_AddStringToObject(j, "domain", shop);
	cJSON_AddStringToObject(j, "currency", s->o.currency);
	cJSON_AddStringToObject(j, "customer_email", email);
	cJSON_AddStringToObject(j, "plan_name", "basic");
	cJSON_AddStringToObject(j, "myshopify_domain", shop);
	txt = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return txt;
}

/* As on a real uninstall: tokens die and subscriptions go, then
 * app/uninstalled goes to whoever was subscribed to it. */
static void control_uninstall(struct shopify *s, const char *shop,
			      struct sim_resp *resp)
{
	struct sim_strv urls = {0}, ids = {0};
	char *body = shop_rest_json(s, shop);
	struct delivery d = {.secret = s->o.secret,
			     .shop = shop,
			     .topic = "app/uninstalled",
			     .api_version = "2026-10",
			     .sig = SIM_SIG_GOOD,
			     .body = body,
			     .len = strlen(body)};
	cJSON *ans = cJSON_CreateObject();
	struct sim_buf err = {0};
	long status = 0;

	pthread_mutex_lock(&s->lock);
	hooks_for(s, shop, "APP_UNINSTALLED", &urls, &ids);
	revoke_shop(s, shop);
	revoke_custom(s, shop);
	table_drop(s, "pending_codes", "shop", shop);
	table_drop(s, "webhooks", "shop", shop);
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < urls.n; i++) {
		d.url = urls.v[i];
		if (deliver(&d, &status, &err) == 0 && i == 0)
			cJSON_AddNumberToObject(ans, "status", (double)status);
	}
	if (!cJSON_GetObjectItemCaseSensitive(ans, "status"))
		cJSON_AddNullToObject(ans, "status");
	if (err.len)
		cJSON_AddStringToObject(ans, "error", err.data);
	sim_resp_json(resp, 200, ans);
	sim_buf_release(&err);
	sim_strv_release(&urls);
	sim_strv_release(&ids);
	free(body);
}

/* The shop-scoped control calls: lock NOT held. */
static void control_shop(struct shopify *s, const char *what, const char *shop,
			 struct sim_resp *resp)
{
	if (strcmp(what, "uninstall") == 0) {
		control_uninstall(s, shop, resp);
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (strcmp(what, "tokens/expire") == 0)
		expire_shop(s, shop);
	else
		revoke_shop(s, shop);
	pthread_mutex_unlock(&s->lock);
	sim_resp_json(resp, 200, sim_jobj("shop", shop, NULL));
}

/* As Shopify does after failed deliveries: every subscription of that
 * shop to that topic (orders/paid or ORDERS_PAID) goes. */
static void control_hook_delete(struct shopify *s, const cJSON *body,
				struct sim_resp *resp)
{
	const char *shop = sim_jstr(body, "shop");
	char *topic = sim_jstr(body, "topic")
			      ? topic_enum(sim_jstr(body, "topic"))
			      : NULL;
	cJSON *t, *h, *next, *ans;
	unsigned n = 0;

	if (!topic || !shop) {
		sim_resp_error(resp, 400, "shop and topic are required");
		return;
	}
	pthread_mutex_lock(&s->lock);
	t = table(s, "webhooks");
	for (h = t->child; h; h = next) {
		next = h->next;
		if (sim_eq_nocase(sim_jstr(h, "shop"), shop) &&
		    strcmp(sim_jstr(h, "topic"), topic) == 0) {
			cJSON_Delete(cJSON_DetachItemViaPointer(t, h));
			n++;
		}
	}
	pthread_mutex_unlock(&s->lock);
	ans = cJSON_CreateObject();
	cJSON_AddNumberToObject(ans, "deleted", n);
	sim_resp_json(resp, 200, ans);
	free(topic);
}

static void control_policy(struct shopify *s, const cJSON *body,
			   struct sim_resp *resp)
{
	struct sim_buf err = {0};

	pthread_mutex_lock(&s->lock);
	if (policy_set(&s->policy, body, &err) < 0)
		sim_resp_error(resp, 400, err.data);
	else
		sim_resp_json(resp, 200, policy_json(&s->policy));
	pthread_mutex_unlock(&s->lock);
	sim_buf_release(&err);
}

static bool control_extra(void *ctx, struct sim_req *req, const char *what,
			  struct sim_resp *resp)
{
	static const char *const paths[] = {"policy",	       "tokens/expire",
					    "tokens/revoke",   "uninstall",
					    "webhooks/delete", NULL};
	struct shopify *s = ctx;
	cJSON *body;
	size_t i;

	for (i = 0; paths[i] && strcmp(paths[i], what) != 0; i++)
		;
	if (!paths[i])
		return false;
	if (strcmp(req->method, "POST") != 0) {
		sim_resp_error(resp, 405, "method not allowed");
		return true;
	}
	if (!(body = sim_req_json(req)))
		sim_resp_error(resp, 400, "body must be a JSON object");
	else if (i == 0)
		control_policy(s, body, resp);
	else if (i == 4)
		control_hook_delete(s, body, resp);
	else if (!sim_jstr(body, "shop") || !valid_shop(sim_jstr(body, "shop")))
		sim_resp_error(resp, 400,
			       "shop must be a *.myshopify.com domain");
	else
		control_shop(s, what, sim_jstr(body, "shop"), resp);
	cJSON_Delete(body);
	return true;
}

/* Commands */

static void handle(void *ctx, struct sim_req *req, struct sim_resp *resp)
{
	struct shopify *s = ctx;
	const struct sim_control ctl = {.lock = &s->lock,
					.faults = &s->faults,
					.order_add = order_add,
					.state = state,
					.reset = reset,
					.send = control_send,
					.extra = control_extra,
					.ctx = s};

	if (strncmp(req->path, "/_sim/", 6) == 0)
		sim_control(&ctl, req, resp);
	else
		shop_route(s, req, resp);
}

static cJSON *custom_token(const char *tok, const char *scopes)
{
	cJSON *t = sim_jobj("token", tok, "shop", NULL, "scope", scopes, "kind",
			    "custom", NULL);

	cJSON_AddArrayToObject(t, "revoked_shops");
	return t;
}

static void serve_run(struct shopify *s, int *ret)
{
	pthread_mutex_init(&s->lock, NULL);
	s->db = sim_db_new(NULL, tables);
	cJSON_AddObjectToObject(s->db, "refreshes");
	cJSON_AddObjectToObject(s->db, "migrations");
	s->policy = policy_default;
	for (size_t i = 0; i < s->o.tokens.n; i++)
		cJSON_AddItemToArray(
			table(s, "tokens"),
			custom_token(s->o.tokens.v[i], s->o.token_scopes));
	s->gql = (struct sim_buckets){.max = (double)s->o.bucket_max,
				      .rate = (double)s->o.restore_rate};
	s->srv = (struct sim_server){.handle = handle, .ctx = s};
	*ret = sim_serve(&s->srv, (unsigned)s->o.port) < 0 ? 1 : 0;
	reset(s);
	cJSON_Delete(s->db);
	pthread_mutex_destroy(&s->lock);
}

static int cmd_serve(int argc, char **argv)
{
	struct shopify s = {.o = {.api_key = "test-api-key",
				  .currency = "USD",
				  .bucket_max = 1000,
				  .restore_rate = 50,
				  .mutation_cost = 10,
				  .order_cost = 10,
				  .token_scopes = "read_orders,write_discounts,"
						  "write_gift_cards"}};
	const struct sim_opt opts[] = {
		{"--port", SIM_OPT_UINT, &s.o.port, 65535},
		{"--secret", SIM_OPT_STR, &s.o.secret, 0},
		{"--api-key", SIM_OPT_STR, &s.o.api_key, 0},
		{"--token", SIM_OPT_LIST, &s.o.tokens, 0},
		{"--currency", SIM_OPT_STR, &s.o.currency, 0},
		{"--bucket-max", SIM_OPT_UINT, &s.o.bucket_max, 1000000},
		{"--restore-rate", SIM_OPT_UINT, &s.o.restore_rate, 1000000},
		{"--mutation-cost", SIM_OPT_UINT, &s.o.mutation_cost, 1000000},
		{"--order-cost", SIM_OPT_UINT, &s.o.order_cost, 1000000},
		{"--token-scopes", SIM_OPT_STR, &s.o.token_scopes, 0},
		{"--no-gift-cards", SIM_OPT_FLAG, &s.o.no_gift_cards, 0},
		{NULL, SIM_OPT_STR, NULL, 0},
	};
	int ret = 2;

	if (sim_opts_parse(opts, argc, argv) < 0)
		goto out;
	if (!s.o.secret || !*s.o.secret) {
		fputs("sim_shopify: serve needs --secret\n", stderr);
		goto out;
	}
	serve_run(&s, &ret);
out:
	sim_strv_release(&s.o.tokens);
	return ret;
}

static const char *send_missing(const struct delivery *d, const char *file)
{
	return !d->url	    ? "--url"
	       : !d->secret ? "--secret"
	       : !d->shop   ? "--shop"
	       : !d->topic  ? "--topic"
	       : !file	    ? "--file"
			    : NULL;
}

static int cmd_send(int argc, char **argv)
{
	struct delivery d = {.api_version = "2025-10"};
	const char *file = NULL, *missing;
	bool bad = false, none = false;
	const struct sim_opt opts[] = {
		{"--url", SIM_OPT_STR, &d.url, 0},
		{"--secret", SIM_OPT_STR, &d.secret, 0},
		{"--shop", SIM_OPT_STR, &d.shop, 0},
		{"--topic", SIM_OPT_STR, &d.topic, 0},
		{"--file", SIM_OPT_STR, &file, 0},
		{"--webhook-id", SIM_OPT_STR, &d.webhook_id, 0},
		{"--event-id", SIM_OPT_STR, &d.event_id, 0},
		{"--api-version", SIM_OPT_STR, &d.api_version, 0},
		{"--bad-signature", SIM_OPT_FLAG, &bad, 0},
		{"--no-signature", SIM_OPT_FLAG, &none, 0},
		{NULL, SIM_OPT_STR, NULL, 0},
	};
	struct sim_buf body = {0}, err = {0};
	long status = 0;
	int ret = 1;

	if (sim_opts_parse(opts, argc, argv) < 0)
		return 2;
	if ((missing = send_missing(&d, file))) {
		fprintf(stderr, "sim_shopify: send needs %s\n", missing);
		return 2;
	}
	d.sig = none ? SIM_SIG_NONE : bad ? SIM_SIG_BAD : SIM_SIG_GOOD;
	if (sim_read_file(file, &body, &err) == 0) {
		d.body = body.data;
		d.len = body.len;
		ret = deliver(&d, &status, &err) < 0 ? 1 : 0;
	}
	if (ret == 0)
		printf("%ld\n", status);
	else
		fprintf(stderr, "sim_shopify: %s\n", err.data);
	sim_buf_release(&body);
	sim_buf_release(&err);
	return ret;
}

static const struct sim_cmd commands[] = {
	{"serve", cmd_serve,
	 "--secret S [--port N] [--api-key K] [--token T]... [--currency C] "
	 "[--bucket-max N] [--restore-rate N] [--mutation-cost N] "
	 "[--order-cost N] [--token-scopes S] [--no-gift-cards]"},
	{"send", cmd_send,
	 "--url U --secret S --shop D --topic T --file F [--webhook-id ID] "
	 "[--event-id ID] [--api-version V] [--bad-signature] "
	 "[--no-signature]"},
	{NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
	int ret;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ret = sim_dispatch("sim_shopify", commands, argc, argv);
	curl_global_cleanup();
	return ret;
}
