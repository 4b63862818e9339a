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
	OP_SHOP,
	OP_GRAPHQL_OTHER,
	OP_ORDER_GET,
	OP_ORDERS_LIST,
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
	"shop",			     /* OP_SHOP */
	"graphql_other",	     /* OP_GRAPHQL_OTHER */
	"rest_order_get",	     /* OP_ORDER_GET */
	"rest_orders_list",	     /* OP_ORDERS_LIST */
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
	uint64_t rest_bucket;
	uint64_t rest_leak;
	bool no_gift_cards;
	struct sim_strv tokens;
};

/*
 * What the platform holds lives in db as arrays of objects, so that
 * /_sim/state is a copy of it:
 *   tokens        {token, shop (null: from --token, any shop), scope}
 *   pending_codes {code, shop, scope}    OAuth codes not yet exchanged
 *   discounts     {shop, id, code, creates_ok, creates_taken, input}
 *   gift_cards    {shop, id, code, initial_value, creates_ok, creates_taken}
 *   webhooks      {shop, id, topic, uri, format}
 */
static const char *const tables[] = {"pending_codes", "discounts", "gift_cards",
				     "webhooks", NULL};

struct shopify {
	struct sim_server srv;
	struct opts o;
	pthread_mutex_t lock; /* guards everything below */
	cJSON *db;
	struct sim_orders orders;
	struct sim_faults faults;
	struct sim_buckets gql;	 /* points used, per shop */
	struct sim_buckets rest; /* requests used, per shop */
	struct sim_counter ops[OP__COUNT];
	uint64_t throttled_bucket;
	uint64_t throttled_fault;
	uint64_t next_id;
};

struct call;

struct gql_op {
	const char *field;
	enum op op;
	bool mutation;
	unsigned cost; /* 0: --mutation-cost */
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
	const char *order_id; /* REST orders/{id}.json */
	enum op op;
	const struct gql_op *gop; /* NULL for REST */
	cJSON *body;
	const cJSON *vars;
	char field[128]; /* the GraphQL root field as written */
	bool mutation_doc;
	unsigned cost;
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

static bool token_ok(struct shopify *s, const char *shop, const char *tok)
{
	const cJSON *t =
		sim_jfind(table(s, "tokens"), false, "token", tok, NULL, NULL);
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(t, "shop");

	return t && (cJSON_IsNull(ts) || sim_eq_nocase(ts->valuestring, shop));
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

static void grant_exchange(struct shopify *s, cJSON *grant,
			   struct sim_resp *resp)
{
	const char *scope = sim_jstr(grant, "scope");
	char tok[39] = "shpat_";

	sim_random_hex(tok + 6, 16);
	cJSON_AddItemToArray(table(s, "tokens"),
			     sim_jobj("token", tok, "shop",
				      sim_jstr(grant, "shop"), "scope", scope,
				      NULL));
	sim_resp_json(resp, 200,
		      sim_jobj("access_token", tok, "scope", scope, NULL));
	/* Codes are single use. */
	cJSON_Delete(
		cJSON_DetachItemViaPointer(table(s, "pending_codes"), grant));
}

static void access_token(struct shopify *s, struct sim_req *req,
			 struct sim_resp *resp, const char *shop)
{
	cJSON *p = sim_req_params(req), *g;
	const char *id = sim_jstr(p, "client_id");
	const char *secret = sim_jstr(p, "client_secret");

	pthread_mutex_lock(&s->lock);
	s->ops[OP_ACCESS_TOKEN].calls++;
	g = sim_jfind(table(s, "pending_codes"), false, "code",
		      sim_jstr(p, "code"), NULL, NULL);
	if (g && sim_eq_nocase(sim_jstr(g, "shop"), shop) && id && secret &&
	    strcmp(id, s->o.api_key) == 0 && strcmp(secret, s->o.secret) == 0) {
		s->ops[OP_ACCESS_TOKEN].ok++;
		grant_exchange(s, g, resp);
	} else {
		s->ops[OP_ACCESS_TOKEN].rejected++;
		sim_resp_json(resp, 400,
			      sim_jobj("error", "invalid_request",
				       "error_description", CODE_NOT_FOUND,
				       NULL));
	}
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

/* What GraphQL says when a required variable is missing or mistyped. */
static int var_error(cJSON *errors, const char *name, const char *type)
{
	struct sim_buf m = {0};
	cJSON *e;

	sim_buf_printf(&m, "Variable $%s of type %s was provided invalid value",
		       name, type);
	e = sim_jobj("message", m.data, NULL);
	cJSON_AddItemToObject(e, "extensions",
			      sim_jobj("value", NULL, "problem",
				       "Expected value to not be null", NULL));
	cJSON_AddItemToArray(errors, e);
	sim_buf_release(&m);
	return -1;
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
	cJSON *n = cJSON_Duplicate(h, 1);

	cJSON_DeleteItemFromObjectCaseSensitive(n, "shop");
	cJSON_AddItemToObject(n, "endpoint",
			      sim_jobj("__typename", "WebhookHttpEndpoint",
				       "callbackUrl", sim_jstr(h, "uri"),
				       NULL));
	return n;
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

static int webhook_create(struct call *c, cJSON *data, cJSON *errors)
{
	const char *topic = sim_jstr(c->vars, "topic");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(
		c->vars, "webhookSubscription");
	const char *uri = sim_jstr(in, "uri") ? sim_jstr(in, "uri")
					      : sim_jstr(in, "callbackUrl");
	const char *format = sim_jstr(in, "format");
	const char *bad;
	cJSON *ue, *node = NULL, *h;
	char id[96];

	if (!topic_known(topic))
		return var_error(errors, "topic", "WebhookSubscriptionTopic!");
	if (!cJSON_IsObject(in))
		return var_error(errors, "webhookSubscription",
				 "WebhookSubscriptionInput!");
	ue = cJSON_CreateArray();
	bad = hook_check(c, topic, uri);
	if (bad) {
		user_error(ue, "webhookSubscription.callbackUrl", NULL, bad);
	} else {
		new_gid(c->s, "WebhookSubscription", id, sizeof(id));
		h = sim_jobj("shop", c->shop, "id", id, "topic", topic, "uri",
			     uri, "format", format ? format : "JSON", NULL);
		cJSON_AddItemToArray(table(c->s, "webhooks"), h);
		node = hook_node(h);
	}
	return payload(data, "webhookSubscriptionCreate", "webhookSubscription",
		       node, ue);
}

static int webhooks(struct call *c, cJSON *data, cJSON *errors)
{
	cJSON *conn = cJSON_AddObjectToObject(data, "webhookSubscriptions");
	cJSON *nodes = cJSON_AddArrayToObject(conn, "nodes");
	const cJSON *h;

	(void)errors;
	cJSON_ArrayForEach(h, table(c->s, "webhooks"))
	{
		if (sim_eq_nocase(sim_jstr(h, "shop"), c->shop))
			cJSON_AddItemToArray(nodes, hook_node(h));
	}
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(conn, "pageInfo"),
			      "hasNextPage", false);
	return 0;
}

static int shop_info(struct call *c, cJSON *data, cJSON *errors)
{
	char name[256], email[300];

	(void)errors;
	/* "sally.myshopify.com" is called "Sally". */
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(c->shop, "."),
		 c->shop);
	if (name[0] >= 'a' && name[0] <= 'z')
		name[0] = (char)(name[0] - 'a' + 'A');
	snprintf(email, sizeof(email), "owner@%s", c->shop);
	cJSON_AddItemToObject(data, "shop",
			      sim_jobj("id", "gid://shopify/Shop/1", "name",
				       name, "email", email, "myshopifyDomain",
				       c->shop, "currencyCode",
				       c->s->o.currency, NULL));
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
	{"shop", OP_SHOP, false, 1, shop_info},
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
	c->cost = g->cost	? g->cost
		  : g->mutation ? (unsigned)c->s->o.mutation_cost
				: 0;
	return 0;
}

/*
 * drained: report an empty bucket, as a real throttle would look; an
 * injected throttle otherwise shows a full bucket, which Shopify never
 * answers alongside THROTTLED.
 */
static cJSON *cost_json(struct sim_bucket *b, unsigned cost, bool throttled,
			bool drained)
{
	cJSON *cj = cJSON_CreateObject(), *ts, *ext = cJSON_CreateObject();
	double avail = drained ? 0 : b->max - sim_bucket_level(b);

	cJSON_AddNumberToObject(cj, "requestedQueryCost", cost);
	if (throttled)
		cJSON_AddNullToObject(cj, "actualQueryCost");
	else
		cJSON_AddNumberToObject(cj, "actualQueryCost", cost);
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
			      cost_json(b, c->cost, true, injected));
	sim_resp_json(c->resp, 200, ans);
}

static void gql_run(struct call *c)
{
	struct shopify *s = c->s;
	struct sim_bucket *b = sim_buckets_get(&s->gql, c->shop);
	cJSON *ans, *data, *errors;

	if (!sim_bucket_take(b, c->cost)) {
		s->throttled_bucket++;
		s->ops[c->op].limited++;
		gql_throttled(c, false);
		return;
	}
	ans = cJSON_CreateObject();
	data = cJSON_CreateObject();
	errors = cJSON_CreateArray();
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
	cJSON_AddItemToObject(ans, "extensions",
			      cost_json(b, c->cost, false, false));
	sim_resp_json(c->resp, 200, ans);
	if (c->gop->mutation)
		sim_api_mutated(&s->faults, &s->ops[c->op], c->resp,
				&c->drop_delay);
}

/* REST orders */

/* Unbounded ends of a time range; page_info carries them as JSON numbers,
 * that is doubles, which hold ±2^53 exactly. */
#define TIME_MIN (-(INT64_C(1) << 53))
#define TIME_MAX (INT64_C(1) << 53)

struct order_filter {
	const char *status; /* any, open, closed, cancelled */
	int64_t min, max;   /* updated_at range, inclusive */
	int64_t after_ts;   /* cursor: strictly after (after_ts, after_id) */
	const char *after_id;
	uint64_t limit;
};

static bool order_matches(const struct sim_order *o,
			  const struct order_filter *f)
{
	const char *st = f->status;

	if (o->updated < f->min || o->updated > f->max)
		return false;
	if (f->after_id &&
	    (o->updated < f->after_ts || (o->updated == f->after_ts &&
					  sim_id_cmp(o->id, f->after_id) <= 0)))
		return false;
	if (strcmp(st, "open") == 0)
		return !(o->flags & (ORDER_CLOSED | ORDER_CANCELLED));
	if (strcmp(st, "closed") == 0)
		return o->flags & ORDER_CLOSED;
	if (strcmp(st, "cancelled") == 0)
		return o->flags & ORDER_CANCELLED;
	return true;
}

static void rest_error(struct sim_resp *resp, const char *key, const char *msg)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddItemToObject(j, "errors", sim_jobj(key, msg, NULL));
	sim_resp_json(resp, 400, j);
}

/* The cursor is hex of a small JSON object: opaque, like Shopify's. */
static char *page_info_make(const struct order_filter *f,
			    const struct sim_order *last)
{
	cJSON *j = sim_jobj("status", f->status, "last_id", last->id, NULL);
	struct sim_buf hex = {0};
	char *txt;

	cJSON_AddNumberToObject(j, "min", (double)f->min);
	cJSON_AddNumberToObject(j, "max", (double)f->max);
	cJSON_AddNumberToObject(j, "last_value", (double)last->updated);
	txt = cJSON_PrintUnformatted(j);
	sim_hex(&hex, (const unsigned char *)txt, strlen(txt));
	cJSON_free(txt);
	cJSON_Delete(j);
	return sim_buf_take(&hex);
}

static bool time_ok(const cJSON *n)
{
	return cJSON_IsNumber(n) && n->valuedouble >= (double)TIME_MIN &&
	       n->valuedouble <= (double)TIME_MAX;
}

/* Fills f from page_info; the returned object owns f's strings. */
static cJSON *page_info_read(const char *pi, struct order_filter *f)
{
	struct sim_buf raw = {0};
	cJSON *j = NULL;
	const cJSON *min, *max, *last;

	if (sim_unhex(pi, &raw) == 0)
		j = cJSON_ParseWithLength(sim_buf_str(&raw), raw.len);
	sim_buf_release(&raw);
	min = cJSON_GetObjectItemCaseSensitive(j, "min");
	max = cJSON_GetObjectItemCaseSensitive(j, "max");
	last = cJSON_GetObjectItemCaseSensitive(j, "last_value");
	f->status = sim_jstr(j, "status");
	f->after_id = sim_jstr(j, "last_id");
	if (!f->status || !f->after_id || !time_ok(min) || !time_ok(max) ||
	    !time_ok(last)) {
		cJSON_Delete(j);
		return NULL;
	}
	f->min = (int64_t)min->valuedouble;
	f->max = (int64_t)max->valuedouble;
	f->after_ts = (int64_t)last->valuedouble;
	return j;
}

/* With page_info Shopify allows only limit and fields beside it. */
static int filter_from_page(cJSON *args, struct order_filter *f,
			    struct sim_resp *resp, cJSON **owner)
{
	const cJSON *it;
	struct sim_buf m = {0};

	cJSON_ArrayForEach(it, args)
	{
		if (strcmp(it->string, "page_info") == 0 ||
		    strcmp(it->string, "limit") == 0 ||
		    strcmp(it->string, "fields") == 0)
			continue;
		sim_buf_printf(&m,
			       "%s cannot be passed when page_info is present. "
			       "See https://shopify.dev/api/usage/"
			       "pagination-rest for more information.",
			       it->string);
		rest_error(resp, it->string, m.data);
		sim_buf_release(&m);
		return -1;
	}
	*owner = page_info_read(sim_jstr(args, "page_info"), f);
	if (!*owner) {
		rest_error(resp, "page_info", "Invalid value.");
		return -1;
	}
	return 0;
}

static int filter_from_args(cJSON *args, struct order_filter *f,
			    struct sim_resp *resp)
{
	const char *st = sim_jstr(args, "status");
	const char *min = sim_jstr(args, "updated_at_min");
	const char *max = sim_jstr(args, "updated_at_max");

	if (st && strcmp(st, "any") != 0 && strcmp(st, "open") != 0 &&
	    strcmp(st, "closed") != 0 && strcmp(st, "cancelled") != 0) {
		rest_error(resp, "status", "is invalid");
		return -1;
	}
	f->status = st ? st : "open";
	if ((min && sim_parse_time(min, &f->min) < 0) ||
	    (max && sim_parse_time(max, &f->max) < 0)) {
		rest_error(resp, "updated_at", "is not a valid ISO 8601 time");
		return -1;
	}
	return 0;
}

static void link_next(struct call *c, const struct order_filter *f,
		      const struct sim_order *last)
{
	struct sim_buf link = {0};
	char *pi = page_info_make(f, last);

	sim_buf_printf(&link,
		       "<http://127.0.0.1:%u/%s/admin/api/%s/orders.json"
		       "?limit=%llu&page_info=%s>; rel=\"next\"",
		       c->s->srv.port, c->shop, c->version,
		       (unsigned long long)f->limit, pi);
	sim_resp_header(c->resp, "Link", link.data);
	free(pi);
	sim_buf_release(&link);
}

static void orders_page(struct call *c, const struct order_filter *f)
{
	struct sim_orders *os = &c->s->orders;
	cJSON *ans = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(ans, "orders");
	const struct sim_order *last = NULL;
	uint64_t n = 0;

	sim_orders_sort(os);
	for (size_t i = 0; i < os->n; i++) {
		if (!order_matches(&os->v[i], f))
			continue;
		if (n == f->limit) {
			link_next(c, f, last);
			break;
		}
		cJSON_AddItemToArray(list, cJSON_CreateRaw(os->v[i].raw));
		last = &os->v[i];
		n++;
	}
	sim_resp_json(c->resp, 200, ans);
}

static int orders_list(struct call *c)
{
	cJSON *args = sim_req_args(c->req), *owner = NULL;
	const char *limit = sim_jstr(args, "limit");
	struct order_filter f = {.min = TIME_MIN, .max = TIME_MAX, .limit = 50};
	int ret = -1;

	if (limit &&
	    (sim_parse_uint(limit, UINT32_MAX, &f.limit) < 0 || f.limit == 0))
		rest_error(c->resp, "limit", "is invalid");
	else if (sim_jstr(args, "page_info")
			 ? filter_from_page(args, &f, c->resp, &owner) == 0
			 : filter_from_args(args, &f, c->resp) == 0)
		ret = 0;
	if (ret == 0) {
		f.limit = f.limit > 250 ? 250 : f.limit;
		orders_page(c, &f);
	}
	cJSON_Delete(owner);
	cJSON_Delete(args);
	return ret;
}

static int order_get(struct call *c)
{
	const struct sim_order *o = sim_orders_find(&c->s->orders, c->order_id);
	cJSON *ans;

	if (!o) {
		not_found(c->resp);
		return -1;
	}
	ans = cJSON_CreateObject();
	cJSON_AddItemToObject(ans, "order", cJSON_CreateRaw(o->raw));
	sim_resp_json(c->resp, 200, ans);
	return 0;
}

static void rest_limited(struct call *c)
{
	struct sim_buf m = {0};

	sim_buf_printf(&m,
		       "Exceeded %llu calls per second for api client. Reduce "
		       "request rates to resume uninterrupted service.",
		       (unsigned long long)c->s->o.rest_leak);
	sim_resp_header(c->resp, "Retry-After", "1.0");
	sim_resp_json(c->resp, 429, sim_jobj("errors", m.data, NULL));
	sim_buf_release(&m);
}

static void rest_run(struct call *c)
{
	struct shopify *s = c->s;
	int rc;

	if (!sim_bucket_take(sim_buckets_get(&s->rest, c->shop), 1)) {
		s->ops[c->op].limited++;
		rest_limited(c);
		return;
	}
	rc = c->op == OP_ORDER_GET ? order_get(c) : orders_list(c);
	if (rc < 0)
		s->ops[c->op].rejected++;
	else
		s->ops[c->op].ok++;
}

static void call_limit_header(struct call *c)
{
	double level = sim_bucket_level(sim_buckets_get(&c->s->rest, c->shop));
	uint64_t used = (uint64_t)level + (level > (double)(uint64_t)level);
	char h[64];

	snprintf(h, sizeof(h), "%llu/%llu", (unsigned long long)used,
		 (unsigned long long)c->s->o.rest_bucket);
	sim_resp_header(c->resp, "X-Shopify-Shop-Api-Call-Limit", h);
}

/* The Admin API pipeline */

static void fault_answer(struct call *c, enum sim_fault f)
{
	if (f == SIM_FAULT_500) {
		sim_resp_text(c->resp, 500, JSON_TYPE,
			      "{\"errors\":\"Internal Server Error\"}");
	} else if (f == SIM_FAULT_THROTTLE) {
		c->s->throttled_fault++;
		if (c->gop)
			gql_throttled(c, true);
		else
			rest_limited(c);
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

	if (f != SIM_FAULT_NONE) {
		fault_answer(c, f);
	} else if (!token_ok(s, c->shop, tok)) {
		s->ops[c->op].rejected++;
		invalid_token(c->resp);
	} else if (c->gop) {
		gql_run(c);
	} else {
		rest_run(c);
	}
	if (!c->gop)
		call_limit_header(c);
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

/* Takes the id out of "orders/{id}.json". */
static int order_path_id(const char *tail, char *id, size_t size)
{
	size_t n;

	if (strncmp(tail, "orders/", 7) != 0)
		return -1;
	tail += 7;
	n = strspn(tail, "0123456789");
	if (n == 0 || n >= size || strcmp(tail + n, ".json") != 0)
		return -1;
	memcpy(id, tail, n);
	id[n] = '\0';
	return 0;
}

/* Routes "api/{version}/..." below /{shop}/admin/. */
static void admin_api(struct call *c, const char *rest)
{
	const char *slash = strchr(rest, '/');
	const char *tail = slash ? slash + 1 : "";
	size_t n = slash ? (size_t)(slash - rest) : 0;
	bool get = strcmp(c->req->method, "GET") == 0;
	char version[16], id[64];

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
	} else if (strcmp(tail, "orders.json") == 0 && get) {
		c->op = OP_ORDERS_LIST;
		admin_call(c);
	} else if (get && order_path_id(tail, id, sizeof(id)) == 0) {
		c->op = OP_ORDER_GET;
		c->order_id = id;
		admin_call(c);
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

/* The control API */

static int order_add(void *ctx, const char *raw, size_t n, struct sim_buf *err)
{
	struct shopify *s = ctx;
	char *obj = xstrndup(raw, n);
	char *id = sim_json_member_scalar(obj, "id");
	char *updated = sim_json_member_scalar(obj, "updated_at");
	char *closed = sim_json_member_scalar(obj, "closed_at");
	char *cancelled = sim_json_member_scalar(obj, "cancelled_at");
	unsigned flags =
		(closed ? ORDER_CLOSED : 0) | (cancelled ? ORDER_CANCELLED : 0);
	int64_t t = 0;

	if (!id)
		sim_buf_adds(err, "an order has no id");
	else if (updated && sim_parse_time(updated, &t) < 0)
		sim_buf_printf(err, "order '%s': bad updated_at", id);
	if (err->len)
		free(id);
	else
		sim_orders_put(&s->orders, id, NULL, t, flags, raw, n);
	free(obj);
	free(updated);
	free(closed);
	free(cancelled);
	return err->len ? -1 : 0;
}

static cJSON *state(void *ctx)
{
	struct shopify *s = ctx;
	cJSON *j = cJSON_Duplicate(s->db, 1);
	cJSON *calls = cJSON_AddObjectToObject(j, "calls");
	cJSON *t = cJSON_AddObjectToObject(j, "throttled");

	cJSON_AddItemToObject(j, "orders", sim_orders_json(&s->orders));
	for (size_t i = 0; i < OP__COUNT; i++)
		cJSON_AddItemToObject(calls, op_names[i],
				      sim_counter_json(&s->ops[i]));
	cJSON_AddNumberToObject(t, "bucket", (double)s->throttled_bucket);
	cJSON_AddNumberToObject(t, "fault", (double)s->throttled_fault);
	cJSON_AddItemToObject(j, "faults", sim_faults_json(&s->faults));
	return j;
}

static void reset(void *ctx)
{
	struct shopify *s = ctx;
	cJSON *tokens =
		cJSON_DetachItemFromObjectCaseSensitive(s->db, "tokens");

	cJSON_Delete(s->db);
	s->db = sim_db_new(tokens, tables);
	sim_orders_clear(&s->orders);
	sim_buckets_clear(&s->gql);
	sim_buckets_clear(&s->rest);
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

/* The addresses subscribed to topic ("orders/paid", which GraphQL calls
 * ORDERS_PAID) for shop, copied under the lock. */
static void subscribed(struct shopify *s, const char *shop, const char *topic,
		       struct sim_strv *urls)
{
	char *t = xstrdup(topic);
	const cJSON *h;

	for (char *p = t; *p; p++)
		*p = *p == '/'			? '_'
		     : (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A')
						: *p;
	pthread_mutex_lock(&s->lock);
	cJSON_ArrayForEach(h, table(s, "webhooks"))
	{
		if (sim_eq_nocase(sim_jstr(h, "shop"), shop) &&
		    strcmp(sim_jstr(h, "topic"), t) == 0)
			sim_strv_push(urls, sim_jstr(h, "uri"));
	}
	pthread_mutex_unlock(&s->lock);
	free(t);
}

static void send_all(struct delivery *d, const struct sim_strv *urls,
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
	struct sim_strv urls = {0};

	if (!d.shop || !d.topic || !text) {
		sim_resp_error(resp, 400, "shop, topic and body are required");
		return;
	}
	if (sim_jstr(body, "url"))
		sim_strv_push(&urls, sim_jstr(body, "url"));
	else
		subscribed(s, d.shop, d.topic, &urls);
	if (urls.n)
		send_all(&d, &urls, resp);
	else
		sim_resp_error(resp, 404, "no subscription for that topic");
	sim_strv_release(&urls);
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
					.ctx = s};

	if (strncmp(req->path, "/_sim/", 6) == 0)
		sim_control(&ctl, req, resp);
	else
		shop_route(s, req, resp);
}

static void serve_run(struct shopify *s, int *ret)
{
	pthread_mutex_init(&s->lock, NULL);
	s->db = sim_db_new(NULL, tables);
	for (size_t i = 0; i < s->o.tokens.n; i++)
		cJSON_AddItemToArray(table(s, "tokens"),
				     sim_jobj("token", s->o.tokens.v[i], "shop",
					      NULL, "scope", "", NULL));
	s->gql = (struct sim_buckets){.max = (double)s->o.bucket_max,
				      .rate = (double)s->o.restore_rate};
	s->rest = (struct sim_buckets){.max = (double)s->o.rest_bucket,
				       .rate = (double)s->o.rest_leak};
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
				  .rest_bucket = 40,
				  .rest_leak = 2}};
	const struct sim_opt opts[] = {
		{"--port", SIM_OPT_UINT, &s.o.port, 65535},
		{"--secret", SIM_OPT_STR, &s.o.secret, 0},
		{"--api-key", SIM_OPT_STR, &s.o.api_key, 0},
		{"--token", SIM_OPT_LIST, &s.o.tokens, 0},
		{"--currency", SIM_OPT_STR, &s.o.currency, 0},
		{"--bucket-max", SIM_OPT_UINT, &s.o.bucket_max, 1000000},
		{"--restore-rate", SIM_OPT_UINT, &s.o.restore_rate, 1000000},
		{"--mutation-cost", SIM_OPT_UINT, &s.o.mutation_cost, 1000000},
		{"--rest-bucket", SIM_OPT_UINT, &s.o.rest_bucket, 1000000},
		{"--rest-leak", SIM_OPT_UINT, &s.o.rest_leak, 1000000},
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
	 "[--rest-bucket N] [--rest-leak N] [--no-gift-cards]"},
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
