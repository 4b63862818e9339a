/*
 * sim_ecwid: a local stand-in for Ecwid's OAuth, its REST API v3 (store
 * profile, orders, discount coupons) and its webhook deliveries, for the
 * daemon's integration tests. The daemon's api_base is
 * http://127.0.0.1:PORT/api/v3 and its oauth_base .../api/oauth.
 */
#include "sim_common.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#define JSON_TYPE "application/json; charset=utf-8"

enum op {
	OP_AUTHORIZE,
	OP_TOKEN,
	OP_PROFILE,
	OP_ORDER_GET,
	OP_ORDERS_SEARCH,
	OP_COUPON_CREATE,
	OP_COUPONS_SEARCH,
	OP_COUPON_GET,
	OP_OTHER,
	OP__COUNT
};

static const char *const op_names[OP__COUNT] = {
	"oauth_authorize", /* OP_AUTHORIZE */
	"oauth_token",	   /* OP_TOKEN */
	"profile",	   /* OP_PROFILE */
	"order_get",	   /* OP_ORDER_GET */
	"orders_search",   /* OP_ORDERS_SEARCH */
	"coupon_create",   /* OP_COUPON_CREATE */
	"coupons_search",  /* OP_COUPONS_SEARCH */
	"coupon_get",	   /* OP_COUPON_GET */
	"other",	   /* OP_OTHER */
};

struct opts {
	const char *client_id;
	const char *client_secret;
	const char *currency;
	const char *webhook_url;
	uint64_t port;
	uint64_t store_id;
	uint64_t precision;
	uint64_t rate_limit;
	bool query_token;
	bool ignore_order_sort; /* orders: check sortBy, then answer unsorted */
	struct sim_strv tokens;
};

/*
 * What the platform holds lives in db as arrays of objects, so that
 * /_sim/state is a copy of it:
 *   tokens        {token, scope, public_token}
 *   pending_codes {code, redirect_uri, scope}
 *   used_codes    {code, token}        exchanged codes, to catch reuse
 *   coupons       {code, creates_ok, creates_conflict, coupon}
 */
static const char *const tables[] = {"pending_codes", "used_codes", "coupons",
				     NULL};

struct ecwid {
	struct sim_server srv;
	struct opts o;
	pthread_mutex_t lock; /* guards everything below */
	cJSON *db;
	struct sim_orders orders;
	struct sim_faults faults;
	struct sim_buckets limits; /* requests per token */
	struct sim_counter ops[OP__COUNT];
	uint64_t next_coupon;
};

/* One REST call on its way through the shared steps. */
struct call {
	struct ecwid *e;
	struct sim_req *req;
	struct sim_resp *resp;
	const char *rest; /* the path after /api/v3/{storeId}/ */
	const char *store;
	enum op op;
	uint64_t drop_delay;
};

static cJSON *table(const struct ecwid *e, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(e->db, name);
}

/* Ecwid's error body: {"errorMessage", "errorCode"}. */
static void api_error(struct sim_resp *resp, unsigned status, const char *msg,
		      const char *code)
{
	sim_resp_json(
		resp, status,
		code ? sim_jobj("errorMessage", msg, "errorCode", code, NULL)
		     : sim_jobj("errorMessage", msg, NULL));
}

static void oauth_error(struct sim_resp *resp, const char *error,
			const char *why)
{
	sim_resp_json(resp, 400,
		      sim_jobj("error", error, "error_description", why, NULL));
}

/* OAuth */

static const char *authorize_check(struct ecwid *e, struct sim_req *req)
{
	const char *id = sim_req_arg(req, "client_id");
	const char *type = sim_req_arg(req, "response_type");
	const char *redirect = sim_req_arg(req, "redirect_uri");

	if (!id || strcmp(id, e->o.client_id) != 0)
		return "Unknown client_id";
	if (!type || strcmp(type, "code") != 0)
		return "response_type must be code";
	if (!redirect || (strncmp(redirect, "http://", 7) != 0 &&
			  strncmp(redirect, "https://", 8) != 0))
		return "redirect_uri is missing or invalid";
	return NULL;
}

/* Plays the merchant approving the install at once. The current docs
 * list no state parameter; one is echoed only when given. */
static void authorize(struct ecwid *e, struct sim_req *req,
		      struct sim_resp *resp)
{
	const char *redirect = sim_req_arg(req, "redirect_uri");
	const char *scope = sim_req_arg(req, "scope");
	const char *state = sim_req_arg(req, "state");
	const char *bad;
	struct sim_buf loc = {0};
	char code[33];

	pthread_mutex_lock(&e->lock);
	e->ops[OP_AUTHORIZE].calls++;
	if ((bad = authorize_check(e, req))) {
		e->ops[OP_AUTHORIZE].rejected++;
		sim_resp_text(resp, 400, "text/plain; charset=utf-8", bad);
	} else {
		e->ops[OP_AUTHORIZE].ok++;
		sim_random_hex(code, 16);
		cJSON_AddItemToArray(table(e, "pending_codes"),
				     sim_jobj("code", code, "redirect_uri",
					      redirect, "scope",
					      scope ? scope : "", NULL));
		sim_buf_printf(&loc, "%s%ccode=%s", redirect,
			       strchr(redirect, '?') ? '&' : '?', code);
		if (state) {
			sim_buf_adds(&loc, "&state=");
			sim_url_encode(&loc, state);
		}
		sim_resp_header(resp, "Location", loc.data);
		sim_resp_text(resp, 302, "text/plain; charset=utf-8", "");
	}
	pthread_mutex_unlock(&e->lock);
	sim_buf_release(&loc);
}

static void token_revoke(struct ecwid *e, const char *tok)
{
	cJSON *t =
		sim_jfind(table(e, "tokens"), false, "token", tok, NULL, NULL);

	if (t)
		cJSON_Delete(cJSON_DetachItemViaPointer(table(e, "tokens"), t));
}

static void token_issue(struct ecwid *e, cJSON *grant, struct sim_resp *resp)
{
	const char *scope = sim_jstr(grant, "scope");
	char tok[40] = "secure_", pub[40] = "public_";
	cJSON *ans, *rec;

	sim_random_hex(tok + 7, 16);
	sim_random_hex(pub + 7, 16);
	ans = sim_jobj("access_token", tok, "token_type", "bearer", "scope",
		       scope, NULL);
	cJSON_AddNumberToObject(ans, "store_id", (double)e->o.store_id);
	rec = sim_jobj("token", tok, "scope", scope, NULL);
	/* Ecwid hands out a public token only with this scope. */
	if (strstr(scope, "public_storefront")) {
		cJSON_AddStringToObject(ans, "public_token", pub);
		cJSON_AddStringToObject(rec, "public_token", pub);
	}
	cJSON_AddItemToArray(table(e, "tokens"), rec);
	cJSON_AddItemToArray(
		table(e, "used_codes"),
		sim_jobj("code", sim_jstr(grant, "code"), "token", tok, NULL));
	cJSON_Delete(
		cJSON_DetachItemViaPointer(table(e, "pending_codes"), grant));
	sim_resp_json(resp, 200, ans);
}

/* Exchanging a code twice disables the token the first exchange gave,
 * as Ecwid documents. */
static void token_exchange(struct ecwid *e, const cJSON *p,
			   struct sim_resp *resp)
{
	const char *code = sim_jstr(p, "code");
	const char *redirect = sim_jstr(p, "redirect_uri");
	cJSON *g = sim_jfind(table(e, "pending_codes"), false, "code", code,
			     NULL, NULL);
	cJSON *used = sim_jfind(table(e, "used_codes"), false, "code", code,
				NULL, NULL);

	if (used) {
		token_revoke(e, sim_jstr(used, "token"));
		oauth_error(resp, "invalid_grant",
			    "The authorization code was already used");
	} else if (!g) {
		oauth_error(resp, "invalid_grant",
			    "The authorization code is invalid");
	} else if (redirect &&
		   strcmp(redirect, sim_jstr(g, "redirect_uri")) != 0) {
		oauth_error(resp, "invalid_grant",
			    "redirect_uri does not match");
	} else {
		token_issue(e, g, resp);
		return;
	}
	e->ops[OP_TOKEN].rejected++;
}

static void token(struct ecwid *e, struct sim_req *req, struct sim_resp *resp)
{
	cJSON *p = sim_req_params(req);
	const char *id = sim_jstr(p, "client_id");
	const char *secret = sim_jstr(p, "client_secret");
	const char *grant = sim_jstr(p, "grant_type");

	pthread_mutex_lock(&e->lock);
	e->ops[OP_TOKEN].calls++;
	if (!id || !secret || strcmp(id, e->o.client_id) != 0 ||
	    strcmp(secret, e->o.client_secret) != 0) {
		e->ops[OP_TOKEN].rejected++;
		oauth_error(resp, "invalid_grant",
			    "Client credentials are invalid");
	} else if (!grant || strcmp(grant, "authorization_code") != 0) {
		e->ops[OP_TOKEN].rejected++;
		oauth_error(resp, "invalid_grant",
			    "grant_type must be authorization_code");
	} else {
		token_exchange(e, p, resp);
	}
	e->ops[OP_TOKEN].ok += resp->status == 200;
	pthread_mutex_unlock(&e->lock);
	cJSON_Delete(p);
}

/* Profile */

static cJSON *formats(const struct ecwid *e)
{
	const char *cur = e->o.currency;
	bool usd = strcmp(cur, "USD") == 0;
	char suffix[16];
	cJSON *f;

	snprintf(suffix, sizeof(suffix), " %s", cur);
	f = sim_jobj("currency", cur, "currencyPrefix", usd ? "$" : "",
		     "currencySuffix", usd ? "" : suffix,
		     "currencyDecimalSeparator", ".", "currencyGroupSeparator",
		     ",", NULL);
	cJSON_AddNumberToObject(f, "currencyPrecision", (double)e->o.precision);
	cJSON_AddBoolToObject(f, "currencyTruncateZeroFractional", false);
	return f;
}

static int profile(struct call *c)
{
	const struct ecwid *e = c->e;
	char url[64], name[64];
	cJSON *p = cJSON_CreateObject(), *g;

	snprintf(url, sizeof(url), "https://store%llu.example.test",
		 (unsigned long long)e->o.store_id);
	snprintf(name, sizeof(name), "Test store %llu",
		 (unsigned long long)e->o.store_id);
	g = sim_jobj("storeUrl", url, NULL);
	cJSON_AddNumberToObject(g, "storeId", (double)e->o.store_id);
	cJSON_AddItemToObject(p, "generalInfo", g);
	cJSON_AddItemToObject(p, "account",
			      sim_jobj("accountName", "Test Owner",
				       "accountEmail", "owner@example.test",
				       NULL));
	cJSON_AddItemToObject(p, "settings", sim_jobj("storeName", name, NULL));
	cJSON_AddItemToObject(p, "formatsAndUnits", formats(e));
	sim_resp_json(c->resp, 200, p);
	return 0;
}

/* Orders */

static int order_get(struct call *c, const char *id)
{
	const struct sim_order *o = sim_orders_find(&c->e->orders, id);
	char msg[160];

	if (!o) {
		snprintf(msg, sizeof(msg), "Order #%.100s not found", id);
		api_error(c->resp, 404, msg, "ORDER_NOT_FOUND");
		return -1;
	}
	sim_resp_text(c->resp, 200, JSON_TYPE, o->raw);
	return 0;
}

/* Reads offset and limit (Ecwid caps limit at 100); -1 after a 400. */
static int paging(struct call *c, cJSON *args, uint64_t *offset,
		  uint64_t *limit)
{
	const char *o = sim_jstr(args, "offset"), *l = sim_jstr(args, "limit");

	*offset = 0;
	*limit = 100;
	if ((o && sim_parse_uint(o, UINT32_MAX, offset) < 0) ||
	    (l && sim_parse_uint(l, UINT32_MAX, limit) < 0)) {
		api_error(c->resp, 400, "offset and limit must be numbers",
			  "WRONG_PARAMETER");
		return -1;
	}
	*limit = *limit > 100 ? 100 : *limit;
	return 0;
}

/* Ecwid takes either Unix seconds or a date-time string. */
static int time_arg(cJSON *args, const char *key, int64_t *out)
{
	const char *v = sim_jstr(args, key);
	uint64_t u;

	if (!v)
		return 0;
	if (sim_parse_uint(v, INT64_MAX, &u) == 0) {
		*out = (int64_t)u;
		return 0;
	}
	return sim_parse_time(v, out);
}

/* {"total", "count", "offset", "limit", "items"}: takes items. */
static void page(struct sim_resp *resp, cJSON *items, uint64_t total,
		 uint64_t offset, uint64_t limit)
{
	cJSON *ans = cJSON_CreateObject();

	cJSON_AddNumberToObject(ans, "total", (double)total);
	cJSON_AddNumberToObject(ans, "count", cJSON_GetArraySize(items));
	cJSON_AddNumberToObject(ans, "offset", (double)offset);
	cJSON_AddNumberToObject(ans, "limit", (double)limit);
	cJSON_AddItemToObject(ans, "items", items);
	sim_resp_json(resp, 200, ans);
}

static bool one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

/*
 * sortBy for orders. Ecwid's order search documents no sortBy (its
 * customer search does, with these names), so the simulator takes the
 * two update-date sorts under the names Ecwid uses for customers and
 * refuses any other value with a 400, as Ecwid does for customers.
 * Ecwid documents no default order either: without sortBy the simulator
 * answers newest change first, so a client that pages by update time
 * without asking for the order goes wrong here too. --ignore-order-sort
 * plays an Ecwid that takes the parameter but does not sort by it.
 */
static const char *const order_sorts[] = {"UPDATED_DATE_ASC",
					  "UPDATED_DATE_DESC", NULL};

static int order_sort(struct call *c, cJSON *args, bool *asc)
{
	const char *v = sim_jstr(args, "sortBy");
	char msg[160];

	*asc = v && strcmp(v, "UPDATED_DATE_ASC") == 0 &&
	       !c->e->o.ignore_order_sort;
	if (!v || one_of(v, order_sorts))
		return 0;
	snprintf(msg, sizeof(msg), "Unknown sortBy value: %.60s", v);
	api_error(c->resp, 400, msg, "WRONG_PARAMETER");
	return -1;
}

static int orders_search(struct call *c)
{
	cJSON *args = sim_req_args(c->req), *items;
	int64_t from = INT64_MIN, to = INT64_MAX;
	uint64_t offset, limit, total = 0;
	struct sim_orders *os = &c->e->orders;
	bool asc;

	if (paging(c, args, &offset, &limit) < 0 ||
	    order_sort(c, args, &asc) < 0) {
		cJSON_Delete(args);
		return -1;
	}
	if (time_arg(args, "updatedFrom", &from) < 0 ||
	    time_arg(args, "updatedTo", &to) < 0) {
		api_error(c->resp, 400, "updatedFrom or updatedTo is invalid",
			  "WRONG_PARAMETER");
		cJSON_Delete(args);
		return -1;
	}
	items = cJSON_CreateArray();
	sim_orders_sort(os);
	for (size_t k = 0; k < os->n; k++) {
		const struct sim_order *o = &os->v[asc ? k : os->n - 1 - k];

		if (o->updated < from || o->updated > to)
			continue;
		if (total >= offset && total < offset + limit)
			cJSON_AddItemToArray(items, cJSON_CreateRaw(o->raw));
		total++;
	}
	page(c->resp, items, total, offset, limit);
	cJSON_Delete(args);
	return 0;
}

/* Discount coupons */

static const char *const discount_types[] = {"ABS",
					     "PERCENT",
					     "SHIPPING",
					     "ABS_AND_SHIPPING",
					     "PERCENT_AND_SHIPPING",
					     NULL};
static const char *const statuses[] = {"ACTIVE", "PAUSED", NULL};
static const char *const uses_limits[] = {"UNLIMITED", "ONCEPERCUSTOMER",
					  "SINGLE", NULL};
static const char *const app_limits[] = {"UNLIMITED", "NEW_CUSTOMER_ONLY",
					 "REPEAT_CUSTOMER_ONLY", NULL};

/* An optional string member that must be one of set. */
static bool enum_ok(const cJSON *in, const char *key, const char *const *set)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, key);

	return !v || (cJSON_IsString(v) && one_of(v->valuestring, set));
}

static bool date_ok(const cJSON *in, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, key);
	int64_t t;

	return !v ||
	       (cJSON_IsString(v) && sim_parse_time(v->valuestring, &t) == 0);
}

static const char *discount_check(const cJSON *in)
{
	const char *type = sim_jstr(in, "discountType");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(in, "discount");
	bool shipping = type && strstr(type, "SHIPPING");
	bool pct = type && strncmp(type, "PERCENT", 7) == 0;

	if (!enum_ok(in, "discountType", discount_types))
		return "discountType is invalid";
	if (d && !cJSON_IsNumber(d))
		return "discount must be a number";
	if (!shipping && (!d || d->valuedouble <= 0))
		return "discount must be greater than 0";
	if ((d && d->valuedouble < 0) || (pct && d && d->valuedouble > 100))
		return "discount is out of range";
	return NULL;
}

static const char *coupon_check(const cJSON *in)
{
	const char *name = sim_jstr(in, "name"), *code = sim_jstr(in, "code");
	const cJSON *total = cJSON_GetObjectItemCaseSensitive(in, "totalLimit");

	if (!name || !*name)
		return "Coupon name is required";
	if (!code || !*code)
		return "Coupon code is required";
	if (strlen(code) > 128)
		return "Coupon code is too long";
	if (!enum_ok(in, "status", statuses) ||
	    !enum_ok(in, "usesLimit", uses_limits) ||
	    !enum_ok(in, "applicationLimit", app_limits))
		return "status, usesLimit or applicationLimit is invalid";
	if (total && (!cJSON_IsNumber(total) || total->valuedouble < 0))
		return "totalLimit must be a number >= 0";
	if (!date_ok(in, "launchDate") || !date_ok(in, "expirationDate"))
		return "launchDate or expirationDate is invalid";
	return discount_check(in);
}

/* The stored coupon: the known input fields, defaults filled in. */
static cJSON *coupon_make(struct ecwid *e, const cJSON *in)
{
	static const char *const copy[] = {"name",
					   "code",
					   "discountType",
					   "status",
					   "discount",
					   "launchDate",
					   "expirationDate",
					   "totalLimit",
					   "usesLimit",
					   "applicationLimit",
					   "catalogLimit",
					   "repeatCustomerOnly",
					   NULL};
	cJSON *c = cJSON_CreateObject();
	time_t t = time(NULL);
	struct tm tm;
	char now[32];

	cJSON_AddNumberToObject(c, "id", (double)++e->next_coupon);
	for (size_t i = 0; copy[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, copy[i]);

		if (v)
			cJSON_AddItemToObject(c, copy[i],
					      cJSON_Duplicate(v, 1));
	}
	if (!cJSON_HasObjectItem(c, "discountType"))
		cJSON_AddStringToObject(c, "discountType", "ABS");
	if (!cJSON_HasObjectItem(c, "status"))
		cJSON_AddStringToObject(c, "status", "ACTIVE");
	if (!cJSON_HasObjectItem(c, "usesLimit"))
		cJSON_AddStringToObject(c, "usesLimit", "UNLIMITED");
	/* Ecwid's date format, "yyyy-MM-dd HH:mm:ss Z". */
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S +0000", &tm);
	cJSON_AddStringToObject(c, "creationDate", now);
	cJSON_AddNumberToObject(c, "orderCount", 0);
	return c;
}

static void coupon_conflict(struct call *c, cJSON *rec)
{
	char msg[200];

	sim_jinc(rec, "creates_conflict");
	snprintf(msg, sizeof(msg), "Coupon with code %.128s already exists",
		 sim_jstr(rec, "code"));
	api_error(c->resp, 409, msg, NULL);
}

static void coupon_store(struct call *c, const cJSON *in)
{
	cJSON *coupon = coupon_make(c->e, in);
	cJSON *rec = sim_jobj("code", sim_jstr(in, "code"), NULL);
	cJSON *ans = cJSON_CreateObject();

	cJSON_AddNumberToObject(rec, "creates_ok", 1);
	cJSON_AddNumberToObject(rec, "creates_conflict", 0);
	cJSON_AddItemToObject(rec, "coupon", coupon);
	cJSON_AddItemToArray(table(c->e, "coupons"), rec);
	cJSON_AddNumberToObject(ans, "id", (double)c->e->next_coupon);
	cJSON_AddStringToObject(ans, "code", sim_jstr(in, "code"));
	sim_resp_json(c->resp, 200, ans);
}

static int coupon_create(struct call *c)
{
	cJSON *in = sim_req_json(c->req), *rec = NULL;
	const char *bad = in ? coupon_check(in) : "Request body is not JSON";
	int ret = -1;

	if (!bad)
		rec = sim_jfind(table(c->e, "coupons"), true, "code",
				sim_jstr(in, "code"), NULL, NULL);
	if (bad) {
		api_error(c->resp, 400, bad, NULL);
	} else if (rec) {
		coupon_conflict(c, rec);
	} else {
		coupon_store(c, in);
		ret = 0;
	}
	cJSON_Delete(in);
	sim_api_mutated(&c->e->faults, &c->e->ops[c->op], c->resp,
			&c->drop_delay);
	return ret;
}

/* Matches a coupon by its number or, case-insensitively, its code. */
static bool coupon_is(const cJSON *rec, const char *key)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(rec, "coupon");
	char id[32];

	snprintf(id, sizeof(id), "%.0f",
		 cJSON_GetObjectItemCaseSensitive(c, "id")->valuedouble);
	return strcmp(id, key) == 0 ||
	       sim_eq_nocase(sim_jstr(rec, "code"), key);
}

static int coupon_get(struct call *c, const char *key)
{
	const cJSON *rec;

	cJSON_ArrayForEach(rec, table(c->e, "coupons"))
	{
		if (coupon_is(rec, key)) {
			sim_resp_json(
				c->resp, 200,
				cJSON_Duplicate(
					cJSON_GetObjectItem(rec, "coupon"), 1));
			return 0;
		}
	}
	api_error(c->resp, 404, "Coupon not found", NULL);
	return -1;
}

static int coupons_search(struct call *c)
{
	cJSON *args = sim_req_args(c->req), *items;
	const char *code = sim_jstr(args, "code");
	uint64_t offset, limit, total = 0;
	const cJSON *rec;

	if (paging(c, args, &offset, &limit) < 0) {
		cJSON_Delete(args);
		return -1;
	}
	items = cJSON_CreateArray();
	cJSON_ArrayForEach(rec, table(c->e, "coupons"))
	{
		if (code && !sim_eq_nocase(sim_jstr(rec, "code"), code))
			continue;
		if (total >= offset && total < offset + limit)
			cJSON_AddItemToArray(
				items,
				cJSON_Duplicate(
					cJSON_GetObjectItem(rec, "coupon"), 1));
		total++;
	}
	page(c->resp, items, total, offset, limit);
	cJSON_Delete(args);
	return 0;
}

/* The REST pipeline */

/* The path after the resource name, or NULL if rest is not under it. */
static const char *below(const char *rest, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(rest, name, n) != 0)
		return NULL;
	if (rest[n] == '\0')
		return "";
	return rest[n] == '/' && rest[n + 1] ? rest + n + 1 : NULL;
}

static enum op route(const char *method, const char *rest)
{
	bool get = strcmp(method, "GET") == 0;
	const char *orders = below(rest, "orders");
	const char *coupons = below(rest, "discount_coupons");

	if (get && strcmp(rest, "profile") == 0)
		return OP_PROFILE;
	if (get && orders)
		return *orders ? OP_ORDER_GET : OP_ORDERS_SEARCH;
	if (coupons && !*coupons && strcmp(method, "POST") == 0)
		return OP_COUPON_CREATE;
	if (get && coupons)
		return *coupons ? OP_COUPON_GET : OP_COUPONS_SEARCH;
	return OP_OTHER;
}

static int run(struct call *c)
{
	switch (c->op) {
	case OP_PROFILE:
		return profile(c);
	case OP_ORDER_GET:
		return order_get(c, below(c->rest, "orders"));
	case OP_ORDERS_SEARCH:
		return orders_search(c);
	case OP_COUPON_CREATE:
		return coupon_create(c);
	case OP_COUPONS_SEARCH:
		return coupons_search(c);
	case OP_COUPON_GET:
		return coupon_get(c, below(c->rest, "discount_coupons"));
	default:
		api_error(c->resp, 404, "Resource not found", NULL);
		return -1;
	}
}

/* The bearer token; ?token= only with --allow-query-token, since Ecwid
 * stopped accepting it in March 2025. */
static const char *request_token(const struct call *c)
{
	const char *auth = sim_req_header(c->req, "Authorization");

	if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
		return auth + 7;
	return c->e->o.query_token ? sim_req_arg(c->req, "token") : NULL;
}

static bool store_ok(const struct call *c)
{
	uint64_t id;

	return sim_parse_uint(c->store, UINT64_MAX, &id) == 0 &&
	       id == c->e->o.store_id;
}

static void too_many(struct sim_resp *resp, double wait)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu",
		 (unsigned long long)(wait < 1 ? 1 : wait + 0.999));
	sim_resp_header(resp, "Retry-After", s);
	api_error(resp, 429, "Too many requests", "RATE_LIMITED");
}

/* Auth, then the per-token rate limit; false after answering. */
static bool admit(struct call *c)
{
	struct ecwid *e = c->e;
	const char *tok = request_token(c);
	struct sim_bucket *b;

	if (!sim_jfind(table(e, "tokens"), false, "token", tok, NULL, NULL)) {
		api_error(c->resp, 403, "Invalid access token",
			  "INVALID_API_TOKEN");
	} else if (!store_ok(c)) {
		api_error(c->resp, 403, "Token doesn't match store id",
			  "INVALID_API_TOKEN");
	} else if (!sim_bucket_take(b = sim_buckets_get(&e->limits, tok), 1)) {
		e->ops[c->op].limited++;
		too_many(c->resp, sim_bucket_wait(b, 1));
		return false;
	} else {
		return true;
	}
	e->ops[c->op].rejected++;
	return false;
}

static void fault_answer(struct call *c, enum sim_fault f)
{
	if (f == SIM_FAULT_500)
		api_error(c->resp, 500, "Internal server error",
			  "INTERNAL_ERROR");
	else if (f == SIM_FAULT_THROTTLE || f == SIM_FAULT_429)
		too_many(c->resp, 1);
	else if (f == SIM_FAULT_401)
		api_error(c->resp, 403, "Invalid access token",
			  "INVALID_API_TOKEN");
}

static void api_call(struct call *c)
{
	struct ecwid *e = c->e;
	enum sim_fault f =
		sim_api_enter(&e->lock, &e->faults, &e->ops[c->op], c->resp);

	if (f != SIM_FAULT_NONE) {
		fault_answer(c, f);
	} else if (admit(c)) {
		if (run(c) < 0)
			e->ops[c->op].rejected++;
		else
			e->ops[c->op].ok++;
	}
	pthread_mutex_unlock(&e->lock);
	if (c->resp->drop)
		sim_sleep_ms(c->drop_delay);
}

/* Routes /api/v3/{storeId}/... */
static void api_route(struct ecwid *e, struct sim_req *req,
		      struct sim_resp *resp)
{
	const char *p = req->path + strlen("/api/v3/");
	const char *slash = strchr(p, '/');
	char store[32];
	struct call c = {.e = e, .req = req, .resp = resp, .store = store};

	if (!slash || (size_t)(slash - p) >= sizeof(store)) {
		api_error(resp, 404, "Resource not found", NULL);
		return;
	}
	memcpy(store, p, (size_t)(slash - p));
	store[slash - p] = '\0';
	c.rest = slash + 1;
	c.op = route(req->method, c.rest);
	api_call(&c);
}

/* The control API */

static int order_add(void *ctx, const char *raw, size_t n, struct sim_buf *err)
{
	struct ecwid *e = ctx;
	char *obj = xstrndup(raw, n);
	char *id = sim_json_member_scalar(obj, "id");
	char *number = sim_json_member_scalar(obj, "orderNumber");
	char *ts = sim_json_member_scalar(obj, "updateTimestamp");
	char *date = sim_json_member_scalar(obj, "updateDate");
	uint64_t u = 0;
	int64_t t = 0;

	if (!id && !number)
		sim_buf_adds(err, "an order has neither id nor orderNumber");
	else if (ts && sim_parse_uint(ts, INT64_MAX, &u) < 0)
		sim_buf_adds(err, "updateTimestamp must be Unix seconds");
	else if (!ts && date && sim_parse_time(date, &t) < 0)
		sim_buf_adds(err, "updateDate is invalid");
	if (err->len) {
		free(id);
		free(number);
	} else if (id) {
		sim_orders_put(&e->orders, id, number, ts ? (int64_t)u : t, 0,
			       raw, n);
	} else {
		sim_orders_put(&e->orders, number, NULL, ts ? (int64_t)u : t, 0,
			       raw, n);
	}
	free(obj);
	free(ts);
	free(date);
	return err->len ? -1 : 0;
}

static cJSON *state(void *ctx)
{
	struct ecwid *e = ctx;
	cJSON *j = cJSON_Duplicate(e->db, 1);
	cJSON *calls = cJSON_AddObjectToObject(j, "calls");
	uint64_t limited = 0;

	cJSON_AddItemToObject(j, "orders", sim_orders_json(&e->orders));
	for (size_t i = 0; i < OP__COUNT; i++) {
		cJSON_AddItemToObject(calls, op_names[i],
				      sim_counter_json(&e->ops[i]));
		limited += e->ops[i].limited;
	}
	cJSON_AddNumberToObject(j, "rate_limited", (double)limited);
	cJSON_AddItemToObject(j, "faults", sim_faults_json(&e->faults));
	return j;
}

static void reset(void *ctx)
{
	struct ecwid *e = ctx;
	cJSON *tokens =
		cJSON_DetachItemFromObjectCaseSensitive(e->db, "tokens");

	cJSON_Delete(e->db);
	e->db = sim_db_new(tokens, tables);
	sim_orders_clear(&e->orders);
	sim_buckets_clear(&e->limits);
	e->faults = (struct sim_faults){0};
	memset(e->ops, 0, sizeof(e->ops));
}

/* Webhook deliveries */

struct event {
	const char *url;
	const char *secret;
	const char *type; /* order.updated */
	const char *order_id;
	const char *event_id; /* NULL: a fresh UUID */
	uint64_t store_id;
	uint64_t entity_id;
	uint64_t created;      /* Unix seconds */
	const char *status[4]; /* see status_keys */
	enum sim_sig sig;
};

static const char *const status_keys[] = {
	"oldPaymentStatus", "newPaymentStatus", "oldFulfillmentStatus",
	"newFulfillmentStatus"};

static char *event_body(const struct event *ev, const char *event_id)
{
	cJSON *j = sim_jobj("eventId", event_id, NULL);
	cJSON *data = sim_jobj("orderId", ev->order_id, NULL);
	char *s;

	cJSON_AddNumberToObject(j, "eventCreated", (double)ev->created);
	cJSON_AddNumberToObject(j, "storeId", (double)ev->store_id);
	cJSON_AddNumberToObject(j, "entityId", (double)ev->entity_id);
	cJSON_AddStringToObject(j, "eventType", ev->type);
	for (size_t i = 0; i < 4; i++)
		if (ev->status[i])
			cJSON_AddStringToObject(data, status_keys[i],
						ev->status[i]);
	cJSON_AddItemToObject(j, "data", data);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

/* base64(HMAC-SHA256(client_secret, "<eventCreated>.<eventId>")): the
 * body itself is not signed. */
static char *signature_header(const struct event *ev, const char *event_id)
{
	struct sim_buf msg = {0}, h = {0};
	unsigned char mac[32];
	char key[512];

	snprintf(key, sizeof(key), "%s%s", ev->secret,
		 ev->sig == SIM_SIG_BAD ? "-wrong" : "");
	sim_buf_printf(&msg, "%llu.%s", (unsigned long long)ev->created,
		       event_id);
	sim_hmac_sha256(key, msg.data, msg.len, mac);
	sim_buf_adds(&h, "X-Ecwid-Webhook-Signature: ");
	sim_base64(&h, mac, sizeof(mac));
	sim_buf_release(&msg);
	return sim_buf_take(&h);
}

static int deliver(const struct event *ev, long *status, struct sim_buf *err)
{
	char uuid[37];
	const char *id = ev->event_id ? ev->event_id : uuid;
	char *body, *sig;
	const char *h[3] = {"Content-Type: application/json", NULL, NULL};
	struct sim_buf url = {0};
	int ret;

	sim_uuid(uuid);
	body = event_body(ev, id);
	sig = signature_header(ev, id);
	h[1] = ev->sig == SIM_SIG_NONE ? NULL : sig;
	sim_buf_printf(&url, "%s%ceventType=", ev->url,
		       strchr(ev->url, '?') ? '&' : '?');
	sim_url_encode(&url, ev->type);
	ret = sim_http_post(url.data, h, body, strlen(body), status, err);
	cJSON_free(body);
	free(sig);
	sim_buf_release(&url);
	return ret;
}

/* entityId when not given: the order number, else a stable number. */
static uint64_t entity_of(const char *order_id)
{
	uint64_t h = 1469598103934665603ULL, n;

	if (sim_parse_uint(order_id, UINT32_MAX, &n) == 0)
		return n;
	for (const char *p = order_id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h % 1000000000;
}

static int event_number(const cJSON *j, const char *key, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9e15)
		return -1;
	*out = (uint64_t)v->valuedouble;
	return 0;
}

static const char *event_from_json(struct ecwid *e, const cJSON *j,
				   struct event *ev)
{
	*ev = (struct event){
		.url = sim_jstr(j, "url") ? sim_jstr(j, "url")
					  : e->o.webhook_url,
		.secret = e->o.client_secret,
		.type = sim_jstr(j, "event_type") ? sim_jstr(j, "event_type")
						  : "order.updated",
		.order_id = sim_jstr(j, "order_id"),
		.event_id = sim_jstr(j, "event_id"),
		.store_id = e->o.store_id,
		.created = (uint64_t)time(NULL),
		.status = {sim_jstr(j, "old_payment_status"),
			   sim_jstr(j, "new_payment_status"),
			   sim_jstr(j, "old_fulfillment_status"),
			   sim_jstr(j, "new_fulfillment_status")},
		.sig = sim_jtrue(j, "no_signature")    ? SIM_SIG_NONE
		       : sim_jtrue(j, "bad_signature") ? SIM_SIG_BAD
						       : SIM_SIG_GOOD};

	if (!ev->url || !ev->order_id)
		return "url (or serve --webhook-url) and order_id are required";
	ev->entity_id = entity_of(ev->order_id);
	if (event_number(j, "entity_id", &ev->entity_id) < 0 ||
	    event_number(j, "event_created", &ev->created) < 0 ||
	    event_number(j, "store_id", &ev->store_id) < 0)
		return "entity_id, event_created and store_id must be numbers";
	return NULL;
}

/* Ecwid's entityId is its internal order id; use the stored order's. */
static void entity_from_order(struct ecwid *e, struct event *ev)
{
	const struct sim_order *o;
	char *n = NULL;
	uint64_t v;

	pthread_mutex_lock(&e->lock);
	o = sim_orders_find(&e->orders, ev->order_id);
	if (o && !(n = sim_json_member_scalar(o->raw, "internalId")))
		n = sim_json_member_scalar(o->raw, "orderNumber");
	if (n && sim_parse_uint(n, INT64_MAX, &v) == 0)
		ev->entity_id = v;
	pthread_mutex_unlock(&e->lock);
	free(n);
}

static void control_send(void *ctx, const cJSON *body, struct sim_resp *resp)
{
	struct ecwid *e = ctx;
	struct event ev;
	const char *bad = event_from_json(e, body, &ev);
	struct sim_buf err = {0};
	long status = 0;
	cJSON *ans;

	if (bad) {
		sim_resp_error(resp, 400, bad);
		return;
	}
	if (!cJSON_HasObjectItem(body, "entity_id"))
		entity_from_order(e, &ev);
	ans = cJSON_CreateObject();
	if (deliver(&ev, &status, &err) < 0)
		cJSON_AddStringToObject(ans, "error", err.data);
	cJSON_AddNumberToObject(ans, "status", (double)status);
	sim_resp_json(resp, err.len ? 502 : 200, ans);
	sim_buf_release(&err);
}

/* Commands */

static void handle(void *ctx, struct sim_req *req, struct sim_resp *resp)
{
	struct ecwid *e = ctx;
	const struct sim_control ctl = {.lock = &e->lock,
					.faults = &e->faults,
					.order_add = order_add,
					.state = state,
					.reset = reset,
					.send = control_send,
					.ctx = e};
	bool get = strcmp(req->method, "GET") == 0;

	if (strncmp(req->path, "/_sim/", 6) == 0)
		sim_control(&ctl, req, resp);
	else if (strcmp(req->path, "/api/oauth/authorize") == 0 && get)
		authorize(e, req, resp);
	else if (strcmp(req->path, "/api/oauth/token") == 0)
		token(e, req, resp);
	else if (strncmp(req->path, "/api/v3/", 8) == 0)
		api_route(e, req, resp);
	else
		api_error(resp, 404, "Resource not found", NULL);
}

static void serve_run(struct ecwid *e, int *ret)
{
	pthread_mutex_init(&e->lock, NULL);
	e->db = sim_db_new(NULL, tables);
	for (size_t i = 0; i < e->o.tokens.n; i++)
		cJSON_AddItemToArray(
			table(e, "tokens"),
			sim_jobj("token", e->o.tokens.v[i], "scope", "", NULL));
	e->limits =
		(struct sim_buckets){.max = (double)e->o.rate_limit,
				     .rate = (double)e->o.rate_limit / 60.0};
	e->next_coupon = 143541000;
	e->srv = (struct sim_server){.handle = handle, .ctx = e};
	*ret = sim_serve(&e->srv, (unsigned)e->o.port) < 0 ? 1 : 0;
	reset(e);
	cJSON_Delete(e->db);
	pthread_mutex_destroy(&e->lock);
}

static int cmd_serve(int argc, char **argv)
{
	struct ecwid e = {.o = {.client_id = "test-client-id",
				.currency = "USD",
				.store_id = 1003,
				.precision = 2,
				.rate_limit = 600}};
	const struct sim_opt opts[] = {
		{"--port", SIM_OPT_UINT, &e.o.port, 65535},
		{"--client-id", SIM_OPT_STR, &e.o.client_id, 0},
		{"--client-secret", SIM_OPT_STR, &e.o.client_secret, 0},
		{"--store-id", SIM_OPT_UINT, &e.o.store_id, INT32_MAX},
		{"--token", SIM_OPT_LIST, &e.o.tokens, 0},
		{"--currency", SIM_OPT_STR, &e.o.currency, 0},
		{"--precision", SIM_OPT_UINT, &e.o.precision, 4},
		{"--rate-limit", SIM_OPT_UINT, &e.o.rate_limit, 1000000},
		{"--webhook-url", SIM_OPT_STR, &e.o.webhook_url, 0},
		{"--allow-query-token", SIM_OPT_FLAG, &e.o.query_token, 0},
		{"--ignore-order-sort", SIM_OPT_FLAG, &e.o.ignore_order_sort,
		 0},
		{NULL, SIM_OPT_STR, NULL, 0},
	};
	int ret = 2;

	if (sim_opts_parse(opts, argc, argv) < 0)
		goto out;
	if (!e.o.client_secret || !*e.o.client_secret) {
		fputs("sim_ecwid: serve needs --client-secret\n", stderr);
		goto out;
	}
	serve_run(&e, &ret);
out:
	sim_strv_release(&e.o.tokens);
	return ret;
}

static int cmd_send_run(struct event *ev, uint64_t entity)
{
	struct sim_buf err = {0};
	long status = 0;
	int ret;

	ev->entity_id = entity != UINT64_MAX ? entity : entity_of(ev->order_id);
	ret = deliver(ev, &status, &err) < 0 ? 1 : 0;
	if (ret == 0)
		printf("%ld\n", status);
	else
		fprintf(stderr, "sim_ecwid: %s\n", err.data);
	sim_buf_release(&err);
	return ret;
}

static int cmd_send(int argc, char **argv)
{
	struct event ev = {.type = "order.updated",
			   .store_id = 1003,
			   .created = (uint64_t)time(NULL)};
	uint64_t entity = UINT64_MAX;
	bool bad = false, none = false;
	const struct sim_opt opts[] = {
		{"--url", SIM_OPT_STR, &ev.url, 0},
		{"--client-secret", SIM_OPT_STR, &ev.secret, 0},
		{"--store-id", SIM_OPT_UINT, &ev.store_id, INT32_MAX},
		{"--event-type", SIM_OPT_STR, &ev.type, 0},
		{"--order-id", SIM_OPT_STR, &ev.order_id, 0},
		{"--event-id", SIM_OPT_STR, &ev.event_id, 0},
		{"--entity-id", SIM_OPT_UINT, &entity, INT64_MAX},
		{"--event-created", SIM_OPT_UINT, &ev.created, INT64_MAX},
		{"--old-payment-status", SIM_OPT_STR, &ev.status[0], 0},
		{"--new-payment-status", SIM_OPT_STR, &ev.status[1], 0},
		{"--old-fulfillment-status", SIM_OPT_STR, &ev.status[2], 0},
		{"--new-fulfillment-status", SIM_OPT_STR, &ev.status[3], 0},
		{"--bad-signature", SIM_OPT_FLAG, &bad, 0},
		{"--no-signature", SIM_OPT_FLAG, &none, 0},
		{NULL, SIM_OPT_STR, NULL, 0},
	};
	const char *missing;

	if (sim_opts_parse(opts, argc, argv) < 0)
		return 2;
	missing = !ev.url	 ? "--url"
		  : !ev.secret	 ? "--client-secret"
		  : !ev.order_id ? "--order-id"
				 : NULL;
	if (missing) {
		fprintf(stderr, "sim_ecwid: send needs %s\n", missing);
		return 2;
	}
	ev.sig = none ? SIM_SIG_NONE : bad ? SIM_SIG_BAD : SIM_SIG_GOOD;
	return cmd_send_run(&ev, entity);
}

static const struct sim_cmd commands[] = {
	{"serve", cmd_serve,
	 "--client-secret S [--client-id ID] [--port N] [--store-id N] "
	 "[--token T]... [--currency C] [--precision N] [--rate-limit N] "
	 "[--webhook-url U] [--allow-query-token] [--ignore-order-sort]"},
	{"send", cmd_send,
	 "--url U --client-secret S --order-id X [--store-id N] "
	 "[--event-type T] [--event-id ID] [--entity-id N] "
	 "[--event-created UNIX] [--old-payment-status S] "
	 "[--new-payment-status S] [--old-fulfillment-status S] "
	 "[--new-fulfillment-status S] [--bad-signature] [--no-signature]"},
	{NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
	int ret;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ret = sim_dispatch("sim_ecwid", commands, argc, argv);
	curl_global_cleanup();
	return ret;
}
