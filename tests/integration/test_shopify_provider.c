/*
 * The Shopify provider (providers/shopify*.c) against sim_shopify: the OAuth
 * round trip, webhook subscriptions, shop description, discount codes and gift
 * cards (created, existing, found, refused, unsupported), the GraphQL cost
 * throttle, the injected faults, fetching an order and paging through the REST
 * order list (with its own throttle).
 */
#include "harness.h"

#include "util/crypto.h"
#include "util/encode.h"
#include "util/http_client.h"
#include "model/order.h"
#include "providers/provider_int.h"
#include "util/parse.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define SIM_SECRET "sim-secret-0123"
#define SIM_KEY	   "sim-api-key"
#define SIM_TOKEN  "shpat_given_by_the_test"
#define SHOP	   "sally.myshopify.com"
#define SCOPES	   "read_orders,write_discounts,write_gift_cards"
/* Tokens that see orders older than 60 days, as the fixtures are. */
#define ALL_ORDERS \
	"--token-scopes", "read_orders,read_all_orders,write_discounts"
#define HOOK_URL "http://127.0.0.1:9/webhooks/shopify"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct provider *const sp = &shopify_provider;

/* The provider's world: config, shop and env for one simulator. */
struct world {
	struct sim_proc sim;
	char base[96];
	struct platform_config cfg;
	struct provider_shop shop;
	struct provider_env env;
};

static void world_start(struct world *w, const char *const *extra,
			long timeout_ms)
{
	const char *args[32];
	size_t n = 0, i;

	args[n++] = "--secret";
	args[n++] = SIM_SECRET;
	args[n++] = "--api-key";
	args[n++] = SIM_KEY;
	args[n++] = "--token";
	args[n++] = SIM_TOKEN;
	for (i = 0; extra && extra[i] && n < COUNT(args) - 1; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	memset(w, 0, sizeof(*w));
	sim_start(&w->sim, "sim_shopify", args);
	snprintf(w->base, sizeof(w->base), "%s/{shop}", w->sim.base);
	w->cfg.name = "shopify";
	w->cfg.client_id = SIM_KEY;
	w->cfg.client_secret = SIM_SECRET;
	w->cfg.scopes = SCOPES;
	w->cfg.api_version = "2025-10";
	w->cfg.api_base = w->base;
	w->cfg.oauth_base = w->base;
	w->cfg.public_url = "http://127.0.0.1:9";
	w->shop.id = 1;
	w->shop.domain = SHOP;
	w->shop.token = SIM_TOKEN;
	w->shop.currency = "USD";
	w->env.cfg = &w->cfg;
	w->env.shop = &w->shop;
	w->env.http = http_client_new(timeout_ms);
	w->env.now = (int64_t)time(NULL);
}

static void world_stop(struct world *w)
{
	http_client_free(w->env.http);
	sim_stop(&w->sim);
}

/* Control API */

static void sim_control(const struct world *w, const char *path,
			const char *body, size_t len, struct http_reply *r)
{
	const char *headers[] = {"Content-Type: application/json", NULL};
	char url[160];

	snprintf(url, sizeof(url), "%s%s", w->sim.base, path);
	assert_int_equal(http_post(url, headers, body, len, r), 0);
	if (r->status != 200)
		fail_msg("%s answered %ld: %s", path, r->status,
			 buf_str(&r->body));
}

static void set_faults(const struct world *w, const char *json)
{
	struct http_reply r;

	reply_init(&r);
	sim_control(w, "/_sim/faults", json, strlen(json), &r);
	reply_release(&r);
}

static void post_orders(const struct world *w, const char *json, size_t len,
			int want)
{
	struct http_reply r;
	char stored[32];

	reply_init(&r);
	sim_control(w, "/_sim/orders", json, len, &r);
	snprintf(stored, sizeof(stored), "{\"stored\":%d}", want);
	assert_string_equal(buf_str(&r.body), stored);
	reply_release(&r);
}

static cJSON *sim_state(const struct world *w)
{
	struct http_reply r;
	char url[160];
	cJSON *j;

	reply_init(&r);
	snprintf(url, sizeof(url), "%s/_sim/state", w->sim.base);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	j = cJSON_Parse(buf_str(&r.body));
	assert_non_null(j);
	reply_release(&r);
	return j;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The state's record (discounts, gift_cards) for code, or NULL. */
static const cJSON *state_find(const cJSON *state, const char *table,
			       const char *code)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(state, table))
	{
		if (jstr(it, "code") && strcasecmp(jstr(it, "code"), code) == 0)
			return it;
	}
	return NULL;
}

static int state_count(const cJSON *state, const char *table)
{
	return cJSON_GetArraySize(
		cJSON_GetObjectItemCaseSensitive(state, table));
}

/* Query strings: signing (as Shopify does) and parsing. */

struct kv {
	char key[64];
	char value[512];
};

struct query {
	struct kv items[16];
	size_t n;
};

static void query_add(struct query *q, const char *key, const char *value)
{
	assert_true(q->n < COUNT(q->items));
	snprintf(q->items[q->n].key, sizeof(q->items[0].key), "%s", key);
	snprintf(q->items[q->n].value, sizeof(q->items[0].value), "%s", value);
	q->n++;
}

static const char *query_lookup(const void *ctx, const char *name)
{
	const struct query *q = ctx;
	size_t i;

	for (i = 0; i < q->n; i++)
		if (strcmp(q->items[i].key, name) == 0)
			return q->items[i].value;
	return NULL;
}

static const char *no_header(const void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

static void query_each(const void *ctx,
		       int (*fn)(void *arg, const char *key, const char *value),
		       void *arg)
{
	const struct query *q = ctx;
	size_t i;

	for (i = 0; i < q->n; i++)
		if (fn(arg, q->items[i].key, q->items[i].value) != 0)
			return;
}

static struct provider_request query_request(const struct query *q)
{
	struct provider_request req;

	memset(&req, 0, sizeof(req));
	req.header = no_header;
	req.query = query_lookup;
	req.each_query = query_each;
	req.ctx = q;
	return req;
}

static void canon_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '*' || c == '-' ||
		    c == '.' || c == '_') {
			assert_int_equal(buf_putc(out, (char)c), 0);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			assert_int_equal(buf_append(out, e, 3), 0);
		}
	}
}

/* Adds hmac over the pairs already in q (sorted by key). */
static void query_sign(struct query *q, const char *secret)
{
	const struct kv *sorted[16];
	unsigned char mac[CRYPTO_SHA256_LEN];
	struct buf text, hex;
	size_t n = 0, i, j;

	for (i = 0; i < q->n; i++) {
		for (j = n;
		     j > 0 && strcmp(sorted[j - 1]->key, q->items[i].key) > 0;
		     j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = &q->items[i];
		n++;
	}
	buf_init(&text, BUF_SMALL);
	for (i = 0; i < n; i++) {
		if (i)
			assert_int_equal(buf_putc(&text, '&'), 0);
		canon_encode(&text, sorted[i]->key);
		assert_int_equal(buf_putc(&text, '='), 0);
		canon_encode(&text, sorted[i]->value);
	}
	crypto_hmac_sha256(secret, strlen(secret), buf_str(&text), text.len,
			   mac);
	buf_init(&hex, 128);
	assert_int_equal(hex_encode(&hex, mac, sizeof(mac)), 0);
	query_add(q, "hmac", buf_str(&hex));
	buf_release(&hex);
	buf_release(&text);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Form decoding of n bytes of s into out ('+' is a space). */
static void form_decode(const char *s, size_t n, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < size; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
			   hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(hexval(s[i + 1]) * 16 +
					  hexval(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

/* The query of a URL, decoded, in order. */
static void query_parse(const char *url, struct query *q)
{
	const char *p = strchr(url, '?');

	memset(q, 0, sizeof(*q));
	assert_non_null(p);
	p++;
	while (*p) {
		size_t len = strcspn(p, "&"), klen = strcspn(p, "=&");

		assert_true(q->n < COUNT(q->items));
		form_decode(p, klen, q->items[q->n].key,
			    sizeof(q->items[0].key));
		if (klen < len)
			form_decode(p + klen + 1, len - klen - 1,
				    q->items[q->n].value,
				    sizeof(q->items[0].value));
		q->n++;
		p += len;
		if (*p == '&')
			p++;
	}
}

/* OAuth */

static void test_oauth(void **state)
{
	struct world w;
	struct query install, callback, tampered;
	struct provider_request req;
	struct install_result out;
	struct http_reply r;
	struct buf location, err, want;
	char ts[32], shop[256], next[2048];
	struct shop_info info;
	cJSON *st;
	const cJSON *it;
	int found = 0;
	size_t i;

	(void)state;
	world_start(&w, NULL, 2000);
	memset(&install, 0, sizeof(install));
	snprintf(ts, sizeof(ts), "%lld", (long long)w.env.now);
	query_add(&install, "shop", SHOP);
	query_add(&install, "timestamp", ts);
	query_add(&install, "host", "c2FsbHkubXlzaG9waWZ5LmNvbS9hZG1pbg");
	query_sign(&install, SIM_SECRET);
	req = query_request(&install);
	buf_init(&location, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	buf_init(&want, BUF_SMALL);
	assert_int_equal(sp->install_redirect(&w.env, &req, "st4te0123",
					      &location, shop, &err),
			 0);
	assert_string_equal(shop, SHOP);
	assert_int_equal(
		buf_printf(&want,
			   "%s/" SHOP
			   "/admin/oauth/authorize?client_id=" SIM_KEY
			   "&scope=read_orders%%2Cwrite_discounts%%2Cwrite_"
			   "gift_cards&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%"
			   "3A9%%2Fauth%%2Fshopify%%2Fcallback&state=st4te0123&"
			   "grant_options%%5B%%5D=",
			   w.sim.base),
		0);
	assert_string_equal(buf_str(&location), buf_str(&want));

	/* The merchant approves: the sim redirects to our callback. */
	reply_init(&r);
	assert_int_equal(http_get(buf_str(&location), NULL, &r), 0);
	assert_int_equal(r.status, 302);
	assert_non_null(reply_header(&r, "Location", next, sizeof(next)));
	assert_true(str_has_prefix(
		next, "http://127.0.0.1:9/auth/shopify/callback?"));
	query_parse(next, &callback);
	assert_string_equal(query_lookup(&callback, "shop"), SHOP);
	assert_string_equal(query_lookup(&callback, "state"), "st4te0123");
	assert_non_null(query_lookup(&callback, "code"));
	assert_non_null(query_lookup(&callback, "hmac"));
	assert_non_null(query_lookup(&callback, "timestamp"));
	assert_non_null(query_lookup(&callback, "host"));

	/* A callback whose state was changed fails the HMAC check. */
	tampered = callback;
	for (i = 0; i < tampered.n; i++)
		if (strcmp(tampered.items[i].key, "state") == 0)
			snprintf(tampered.items[i].value,
				 sizeof(tampered.items[i].value), "other");
	req = query_request(&tampered);
	memset(&out, 0, sizeof(out));
	assert_int_equal(sp->finish_install(&w.env, &req, &out, &err),
			 PROVIDER_REJECTED);
	assert_string_equal(out.token, "");

	req = query_request(&callback);
	memset(&out, 0, sizeof(out));
	buf_reset(&err);
	if (sp->finish_install(&w.env, &req, &out, &err) != PROVIDER_OK)
		fail_msg("finish_install: %s", buf_str(&err));
	assert_string_equal(out.shop, SHOP);
	assert_true(str_has_prefix(out.token, "shpat_"));
	assert_int_equal(strlen(out.token), 38);
	assert_string_equal(out.scopes, SCOPES);

	/* The token is the sim's and works for this shop. */
	st = sim_state(&w);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(st, "tokens"))
	{
		if (jstr(it, "token") &&
		    strcmp(jstr(it, "token"), out.token) == 0) {
			assert_string_equal(jstr(it, "shop"), SHOP);
			found++;
		}
	}
	assert_int_equal(found, 1);
	assert_int_equal(state_count(st, "pending_codes"), 0);
	cJSON_Delete(st);
	w.shop.token = out.token;
	assert_int_equal(sp->describe_shop(&w.env, &info, &err), PROVIDER_OK);

	/* The same code again: single use. */
	memset(&out, 0, sizeof(out));
	assert_int_equal(sp->finish_install(&w.env, &req, &out, &err),
			 PROVIDER_REJECTED);
	assert_string_equal(out.token, "");

	reply_release(&r);
	buf_release(&want);
	buf_release(&location);
	buf_release(&err);
	world_stop(&w);
}

/* Webhook subscriptions */

static void test_register_webhooks(void **state)
{
	static const char *const topics[] = {
		"ORDERS_CREATE",    "ORDERS_PAID",    "ORDERS_UPDATED",
		"ORDERS_CANCELLED", "REFUNDS_CREATE", "APP_UNINSTALLED",
	};
	struct world w;
	struct buf err;
	cJSON *st;
	const cJSON *it;
	size_t i;
	int round;

	(void)state;
	world_start(&w, NULL, 2000);
	buf_init(&err, BUF_SMALL);
	for (round = 0; round < 2; round++) {
		struct topic_check checks[PROVIDER_MAX_TOPICS];
		size_t nchecks = 0;

		if (sp->check_webhooks(&w.env, HOOK_URL, true, checks, &nchecks,
				       &err) != PROVIDER_OK)
			fail_msg("round %d: %s", round, buf_str(&err));
		assert_int_equal(nchecks, COUNT(topics));
		/* The uninstall topic first: it must never wait on others. */
		assert_string_equal(checks[0].topic, "APP_UNINSTALLED");
		for (i = 0; i < nchecks; i++)
			assert_int_equal(checks[i].state, TOPIC_OK);
		st = sim_state(&w);
		assert_int_equal(state_count(st, "webhooks"), COUNT(topics));
		for (i = 0; i < COUNT(topics); i++) {
			int n = 0;

			cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(
						       st, "webhooks"))
			{
				if (strcmp(jstr(it, "topic"), topics[i]) != 0)
					continue;
				assert_string_equal(jstr(it, "shop"), SHOP);
				assert_string_equal(jstr(it, "uri"), HOOK_URL);
				assert_string_equal(jstr(it, "format"), "JSON");
				n++;
			}
			assert_int_equal(n, 1);
		}
		cJSON_Delete(st);
	}
	buf_release(&err);
	world_stop(&w);
}

/* Shop */

static void test_describe_shop(void **state)
{
	static const char *const jpy[] = {"--currency", "JPY", NULL};
	struct world w;
	struct shop_info info;
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	world_start(&w, NULL, 2000);
	assert_int_equal(sp->describe_shop(&w.env, &info, &err), PROVIDER_OK);
	assert_string_equal(info.name, "Sally");
	assert_string_equal(info.currency, "USD");
	assert_string_equal(info.email, "owner@" SHOP);
	world_stop(&w);

	world_start(&w, jpy, 2000);
	assert_int_equal(sp->describe_shop(&w.env, &info, &err), PROVIDER_OK);
	assert_string_equal(info.currency, "JPY");
	/* A token the sim does not know. */
	w.shop.token = "shpat_unknown";
	assert_int_equal(sp->describe_shop(&w.env, &info, &err),
			 PROVIDER_UNAUTHORIZED);
	world_stop(&w);
	buf_release(&err);
}

/* Discount codes */

struct coupon_case {
	const char *what;
	struct reward_request req;
	const char *amount;	  /* expected discountAmount.amount */
	double percentage;	  /* expected value.percentage, or 0 */
	const char *customer_gid; /* expected context.customers.add[0] */
	int64_t usage_limit;	  /* expected usageLimit, 0 absent */
};

static struct coupon_case coupon_cases[] = {
	{"amount, anyone, single use",
	 {"AFF-AMT-1", "Reward 1", false, 1000, "USD", 2, NULL, 1},
	 "10.00",
	 0,
	 NULL,
	 1},
	{"percent, anyone, unlimited",
	 {"AFF-PCT-1", "Reward 2", true, 1500, "USD", 2, NULL, 0},
	 NULL,
	 0.15,
	 NULL,
	 0},
	{"amount, one customer, single use",
	 {"AFF-AMT-C", "Reward 3", false, 1250, "USD", 2, "9007199254740993",
	  1},
	 "12.50",
	 0,
	 "gid://shopify/Customer/9007199254740993",
	 1},
	{"percent, one customer, single use",
	 {"AFF-PCT-C", "Reward 4", true, 10000, "USD", 2, "7123456789012", 1},
	 NULL,
	 1.0,
	 "gid://shopify/Customer/7123456789012",
	 1},
	{"amount in JPY",
	 {"AFF-JPY-1", "Reward 5", false, 500, "JPY", 0, NULL, 1},
	 "500",
	 0,
	 NULL,
	 1},
	{"percent with basis points",
	 {"AFF-PCT-BP", "Reward 6", true, 1234, "USD", 2, NULL, 0},
	 NULL,
	 0.1234,
	 NULL,
	 0},
};

static void test_coupon(void **state)
{
	const struct coupon_case *c = *state;
	struct world w;
	struct reward_result out, found;
	struct reward_request again;
	struct buf err;
	char lower[64];
	cJSON *st;
	const cJSON *d, *in, *value, *ctx, *limit;
	size_t i;

	world_start(&w, NULL, 2000);
	buf_init(&err, BUF_SMALL);
	memset(&out, 0, sizeof(out));
	if (sp->create_coupon(&w.env, &c->req, &out, &err) != PROVIDER_OK)
		fail_msg("create_coupon: %s", buf_str(&err));
	assert_true(str_has_prefix(out.platform_id,
				   "gid://shopify/DiscountCodeNode/"));
	assert_string_equal(out.code, c->req.code);

	st = sim_state(&w);
	d = state_find(st, "discounts", c->req.code);
	assert_non_null(d);
	assert_string_equal(jstr(d, "id"), out.platform_id);
	assert_string_equal(jstr(d, "shop"), SHOP);
	in = cJSON_GetObjectItemCaseSensitive(d, "input");
	assert_string_equal(jstr(in, "code"), c->req.code);
	assert_string_equal(jstr(in, "title"), c->req.title);
	value = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(in, "customerGets"), "value");
	if (c->amount) {
		assert_string_equal(jstr(cJSON_GetObjectItemCaseSensitive(
						 value, "discountAmount"),
					 "amount"),
				    c->amount);
		assert_null(
			cJSON_GetObjectItemCaseSensitive(value, "percentage"));
	} else {
		const cJSON *p =
			cJSON_GetObjectItemCaseSensitive(value, "percentage");

		assert_true(cJSON_IsNumber(p));
		assert_true(p->valuedouble > c->percentage - 1e-9 &&
			    p->valuedouble < c->percentage + 1e-9);
	}
	ctx = cJSON_GetObjectItemCaseSensitive(in, "context");
	if (c->customer_gid) {
		const cJSON *add = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(ctx, "customers"),
			"add");

		assert_int_equal(cJSON_GetArraySize(add), 1);
		assert_string_equal(cJSON_GetArrayItem(add, 0)->valuestring,
				    c->customer_gid);
	} else {
		assert_string_equal(jstr(ctx, "all"), "ALL");
	}
	limit = cJSON_GetObjectItemCaseSensitive(in, "usageLimit");
	if (c->usage_limit) {
		assert_true(cJSON_IsNumber(limit));
		assert_int_equal((int64_t)limit->valuedouble, c->usage_limit);
	} else {
		assert_null(limit);
	}
	cJSON_Delete(st);

	/* The same code again, and in another case: it exists. */
	memset(&found, 0, sizeof(found));
	assert_int_equal(sp->create_coupon(&w.env, &c->req, &found, &err),
			 PROVIDER_EXISTS);
	for (i = 0; c->req.code[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)c->req.code[i]);
	lower[i] = '\0';
	again = c->req;
	again.code = lower;
	assert_int_equal(sp->create_coupon(&w.env, &again, &found, &err),
			 PROVIDER_EXISTS);
	st = sim_state(&w);
	assert_int_equal(state_count(st, "discounts"), 1);
	d = state_find(st, "discounts", c->req.code);
	assert_int_equal(
		cJSON_GetObjectItemCaseSensitive(d, "creates_taken")->valueint,
		2);
	cJSON_Delete(st);

	/* find_coupon gives the same id, in any case. */
	memset(&found, 0, sizeof(found));
	assert_int_equal(sp->find_coupon(&w.env, c->req.code, &found, &err),
			 PROVIDER_OK);
	assert_string_equal(found.platform_id, out.platform_id);
	assert_string_equal(found.code, c->req.code);
	memset(&found, 0, sizeof(found));
	assert_int_equal(sp->find_coupon(&w.env, lower, &found, &err),
			 PROVIDER_OK);
	assert_string_equal(found.platform_id, out.platform_id);
	assert_int_equal(sp->find_coupon(&w.env, "NO-SUCH-CODE", &found, &err),
			 PROVIDER_NOT_FOUND);
	buf_release(&err);
	world_stop(&w);
}

struct bad_coupon {
	const char *what;
	struct reward_request req;
	const char *message; /* the sim's userErrors message */
};

static struct bad_coupon bad_coupons[] = {
	{"amount 0",
	 {"AFF-ZERO-A", "Reward", false, 0, "USD", 2, NULL, 1},
	 "Value must be greater than 0"},
	{"percent 0",
	 {"AFF-ZERO-P", "Reward", true, 0, "USD", 2, NULL, 1},
	 "Value must be greater than 0"},
	{"percent over 100",
	 {"AFF-BIG-P", "Reward", true, 10001, "USD", 2, NULL, 1},
	 "Value must be less than or equal to 1"},
	{"empty title",
	 {"AFF-NO-TITLE", "", false, 100, "USD", 2, NULL, 1},
	 "Title can't be blank"},
	{"code with a newline",
	 {"AFF\nNL", "Reward", false, 100, "USD", 2, NULL, 1},
	 "Code cannot contain newline characters."},
};

static void test_bad_coupon(void **state)
{
	const struct bad_coupon *c = *state;
	struct world w;
	struct reward_result out;
	struct buf err;
	cJSON *st;

	world_start(&w, NULL, 2000);
	buf_init(&err, BUF_SMALL);
	memset(&out, 0, sizeof(out));
	assert_int_equal(sp->create_coupon(&w.env, &c->req, &out, &err),
			 PROVIDER_REJECTED);
	if (!strstr(buf_str(&err), c->message))
		fail_msg("'%s' does not hold '%s'", buf_str(&err), c->message);
	st = sim_state(&w);
	assert_int_equal(state_count(st, "discounts"), 0);
	cJSON_Delete(st);
	buf_release(&err);
	world_stop(&w);
}

/*
 * The customer id is data (rewards.c takes it from the affiliate record):
 * it must reach Shopify as one opaque gid, never as JSON. This one, if
 * pasted into the variables unescaped, closes the gid and adds
 * "all": "ALL", opening a one-customer coupon to every buyer.
 */
static void test_coupon_customer_id_is_data(void **state)
{
	static const struct reward_request req = {
		"AFF-INJECT-1",
		"Reward",
		false,
		1000,
		"USD",
		2,
		"1\"]},\"all\":\"ALL\",\"x\":{\"y\":[\"",
		1};
	struct world w;
	struct reward_result out;
	struct buf err;
	enum provider_status st;
	cJSON *state_json;
	const cJSON *d, *ctx, *add;
	bool created, has_all = false, one_gid = false;

	(void)state;
	world_start(&w, NULL, 2000);
	buf_init(&err, BUF_SMALL);
	memset(&out, 0, sizeof(out));
	st = sp->create_coupon(&w.env, &req, &out, &err);
	state_json = sim_state(&w);
	d = state_find(state_json, "discounts", req.code);
	created = d != NULL;
	if (d) {
		ctx = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(d, "input"),
			"context");
		has_all = cJSON_GetObjectItemCaseSensitive(ctx, "all") != NULL;
		add = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(ctx, "customers"),
			"add");
		one_gid =
			cJSON_GetArraySize(add) == 1 &&
			cJSON_IsString(cJSON_GetArrayItem(add, 0)) &&
			str_has_suffix(cJSON_GetArrayItem(add, 0)->valuestring,
				       req.customer_id);
	}
	cJSON_Delete(state_json);
	buf_release(&err);
	world_stop(&w);

	/* Sent as data (one customer, the whole text in the gid), or
	 * refused before anything was made. */
	if (has_all)
		fail_msg("the customer id became JSON: the coupon is for all");
	if (st == PROVIDER_OK) {
		assert_true(created);
		assert_true(one_gid);
	} else {
		assert_int_equal(st, PROVIDER_REJECTED);
		assert_false(created);
	}
}

/* Gift cards */

static void test_gift_card(void **state)
{
	static const struct reward_request req = {
		"AFFGIFT0001", "Affiliate reward",
		false,	       2500,
		"USD",	       2,
		NULL,	       0};
	static const struct reward_request for_customer = {
		"AFFGIFT0002",	 "Affiliate reward",
		false,		 1000,
		"USD",		 2,
		"7123456789012", 0};
	struct world w;
	struct reward_result out, found;
	struct buf err;
	cJSON *st;
	const cJSON *g;

	(void)state;
	world_start(&w, NULL, 2000);
	buf_init(&err, BUF_SMALL);
	memset(&out, 0, sizeof(out));
	if (sp->create_gift_card(&w.env, &req, &out, &err) != PROVIDER_OK)
		fail_msg("create_gift_card: %s", buf_str(&err));
	assert_true(str_has_prefix(out.platform_id, "gid://shopify/GiftCard/"));
	assert_string_equal(out.code, req.code);
	st = sim_state(&w);
	g = state_find(st, "gift_cards", req.code);
	assert_non_null(g);
	assert_string_equal(jstr(g, "id"), out.platform_id);
	assert_string_equal(jstr(g, "initial_value"), "25.00");
	cJSON_Delete(st);

	memset(&found, 0, sizeof(found));
	assert_int_equal(sp->create_gift_card(&w.env, &req, &found, &err),
			 PROVIDER_EXISTS);
	memset(&found, 0, sizeof(found));
	assert_int_equal(sp->find_gift_card(&w.env, req.code, &found, &err),
			 PROVIDER_OK);
	assert_string_equal(found.platform_id, out.platform_id);
	assert_int_equal(
		sp->find_gift_card(&w.env, "NOSUCHCARD01", &found, &err),
		PROVIDER_NOT_FOUND);

	memset(&out, 0, sizeof(out));
	assert_int_equal(
		sp->create_gift_card(&w.env, &for_customer, &out, &err),
		PROVIDER_OK);
	st = sim_state(&w);
	assert_int_equal(state_count(st, "gift_cards"), 2);
	cJSON_Delete(st);
	buf_release(&err);
	world_stop(&w);
}

static void test_gift_card_unsupported(void **state)
{
	static const char *const args[] = {"--no-gift-cards", NULL};
	static const struct reward_request req = {
		"AFFGIFT0001", "Affiliate reward",
		false,	       2500,
		"USD",	       2,
		NULL,	       0};
	struct world w;
	struct reward_result out;
	struct buf err;
	cJSON *st;

	(void)state;
	world_start(&w, args, 2000);
	buf_init(&err, BUF_SMALL);
	memset(&out, 0, sizeof(out));
	assert_int_equal(sp->create_gift_card(&w.env, &req, &out, &err),
			 PROVIDER_UNSUPPORTED);
	assert_true(err.len > 0);
	st = sim_state(&w);
	assert_int_equal(state_count(st, "gift_cards"), 0);
	cJSON_Delete(st);
	buf_release(&err);
	world_stop(&w);
}

/* The GraphQL cost bucket */

static void test_throttle(void **state)
{
	static const char *const args[] = {
		"--bucket-max", "30", "--restore-rate", "1", "--mutation-cost",
		"10",		NULL};
	struct world w;
	struct reward_request req = {NULL,  "Reward", false, 500,
				     "USD", 2,	      NULL,  1};
	struct reward_result out;
	struct buf err;
	enum provider_status st = PROVIDER_OK;
	char code[32];
	int i, created = 0;
	cJSON *state_json;

	(void)state;
	world_start(&w, args, 2000);
	buf_init(&err, BUF_SMALL);
	for (i = 0; i < 10 && st == PROVIDER_OK; i++) {
		snprintf(code, sizeof(code), "AFF-THR-%d", i);
		req.code = code;
		memset(&out, 0, sizeof(out));
		st = sp->create_coupon(&w.env, &req, &out, &err);
		if (st == PROVIDER_OK) {
			created++;
			/* Every answer carries the bucket's state. */
			assert_int_equal(out.rate.capacity, 30);
			assert_int_equal(out.rate.restore, 1);
			assert_int_equal(out.rate.cost, 10);
		}
	}
	assert_int_equal(st, PROVIDER_RETRY);
	assert_true(created >= 3);
	assert_true(out.retry_after_ms > 0);
	assert_true(out.rate.available < out.rate.cost);
	assert_int_equal(out.rate.cost, 10);
	assert_int_equal(out.rate.capacity, 30);
	assert_int_equal(out.rate.restore, 1);
	/* (cost - available) / restore seconds, give or take rounding. */
	assert_true(out.retry_after_ms >=
		    (out.rate.cost - out.rate.available) * 1000);
	assert_true(out.retry_after_ms <=
		    (out.rate.cost - out.rate.available) * 1000 + 1000);

	/* Nothing was created for the throttled call. */
	state_json = sim_state(&w);
	assert_null(state_find(state_json, "discounts", code));
	assert_int_equal(state_count(state_json, "discounts"), created);
	assert_true(cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(state_json,
							     "throttled"),
			    "bucket")
			    ->valueint >= 1);
	cJSON_Delete(state_json);

	/* After the wait the same call goes through. */
	usleep((useconds_t)(out.retry_after_ms * 1000));
	memset(&out, 0, sizeof(out));
	assert_int_equal(sp->create_coupon(&w.env, &req, &out, &err),
			 PROVIDER_OK);
	buf_release(&err);
	world_stop(&w);
}

/* Injected faults: every call of every kind maps the same way. */

struct fault_case {
	const char *what;
	const char *faults;
	long timeout_ms;
	enum provider_status want;
};

static struct fault_case fault_cases[] = {
	{"fail_500_every 1", "{\"fail_500_every\":1}", 2000, PROVIDER_RETRY},
	{"fail_401", "{\"fail_401\":true}", 2000, PROVIDER_UNAUTHORIZED},
	{"drop_every 1", "{\"drop_every\":1}", 2000, PROVIDER_RETRY},
	{"delay 1000 ms, timeout 300 ms", "{\"delay_ms\":1000}", 300,
	 PROVIDER_RETRY},
	{"throttle_every 1", "{\"throttle_every\":1}", 2000, PROVIDER_RETRY},
};

static int count_order(void *ctx, const struct order *o)
{
	(void)o;
	(*(int *)ctx)++;
	return 0;
}

static void test_fault(void **state)
{
	const struct fault_case *c = *state;
	static const struct reward_request req = {
		"AFF-FAULT-1", "Reward", false, 500, "USD", 2, NULL, 1};
	static const struct reward_request card = {
		"AFFFAULTCARD1", "Reward", false, 500, "USD", 2, NULL, 0};
	struct world w;
	struct reward_result out;
	struct shop_info info;
	struct order o;
	struct order_page_cursor cursor;
	struct buf err;
	int seen = 0;
	int64_t coupon_wait, list_wait;
	cJSON *st;
	bool delayed = strstr(c->faults, "delay") != NULL;

	world_start(&w, NULL, c->timeout_ms);
	buf_init(&err, BUF_SMALL);
	post_orders(&w, "{\"id\":1,\"currency\":\"USD\"}",
		    strlen("{\"id\":1,\"currency\":\"USD\"}"), 1);
	set_faults(&w, c->faults);

	memset(&out, 0, sizeof(out));
	assert_int_equal(sp->create_coupon(&w.env, &req, &out, &err), c->want);
	assert_true(err.len > 0);
	coupon_wait = out.retry_after_ms;
	buf_reset(&err);
	assert_int_equal(sp->find_coupon(&w.env, req.code, &out, &err),
			 c->want);
	assert_int_equal(sp->create_gift_card(&w.env, &card, &out, &err),
			 c->want);
	assert_int_equal(sp->find_gift_card(&w.env, card.code, &out, &err),
			 c->want);
	assert_int_equal(sp->describe_shop(&w.env, &info, &err), c->want);
	{
		struct topic_check checks[PROVIDER_MAX_TOPICS];
		size_t n = 0;

		assert_int_equal(sp->check_webhooks(&w.env, HOOK_URL, true,
						    checks, &n, &err),
				 c->want);
	}
	assert_int_equal(sp->fetch_order(&w.env, "1", &o, &err), c->want);
	memset(&cursor, 0, sizeof(cursor));
	assert_int_equal(
		sp->list_orders(&w.env, 0, &cursor, count_order, &seen, &err),
		c->want);
	assert_int_equal(seen, 0);
	list_wait = cursor.retry_after_ms;

	set_faults(&w, "{}");
	if (delayed)
		usleep(1500 * 1000); /* let the sim finish the slow calls */
	st = sim_state(&w);
	/* A delay only slows the sim: the calls still did their work. */
	assert_int_equal(state_count(st, "discounts"), delayed ? 1 : 0);
	assert_int_equal(state_count(st, "gift_cards"), delayed ? 1 : 0);
	cJSON_Delete(st);
	buf_release(&err);
	world_stop(&w);
	/*
	 * A throttled answer says how long to wait: the GraphQL THROTTLED
	 * body carries the bucket, which an injected throttle leaves full
	 * (available > cost): the wait must still be positive, not
	 * (cost - available) / restore < 0.
	 */
	if (strstr(c->faults, "throttle")) {
		if (list_wait <= 0)
			fail_msg("list THROTTLED with retry_after_ms %lld",
				 (long long)list_wait);
		if (coupon_wait <= 0)
			fail_msg("THROTTLED with retry_after_ms %lld",
				 (long long)coupon_wait);
	}
}

/* Orders */

static void test_fetch_order(void **state)
{
	static const char *const refused[] = {"abc",	   "12a", "",
					      "../orders", "-1",  "1.5"};
	static const char *const args[] = {ALL_ORDERS, NULL};
	struct world w;
	cJSON *st;
	struct buf json, err;
	struct order o;
	size_t i;

	(void)state;
	world_start(&w, args, 2000);
	buf_init(&json, BUF_MEDIUM);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(
		read_fixture("tests/fixtures/shopify/order_coupon.json", &json),
		0);
	post_orders(&w, json.data, json.len, 1);
	if (sp->fetch_order(&w.env, "5678123456789012345", &o, &err) !=
	    PROVIDER_OK)
		fail_msg("fetch_order: %s", buf_str(&err));
	assert_string_equal(o.id, "5678123456789012345");
	assert_string_equal(o.name, "#1042");
	assert_string_equal(o.currency, "USD");
	assert_int_equal(o.total, 7562);
	assert_int_equal(o.subtotal, 6400);
	assert_int_equal(o.tax, 512);
	assert_int_equal(o.shipping, 650);
	assert_int_equal(o.ncodes, 1);
	assert_string_equal(o.codes[0], "SALLY20");
	assert_string_equal(o.customer_id, "9007199254740993");
	assert_string_equal(o.email, "ana.lima@example.com");
	assert_int_equal(o.financial, ORDER_PAID);
	assert_int_equal(o.nlines, 2);
	order_release(&o);

	assert_int_equal(
		sp->fetch_order(&w.env, "5678123456789012346", &o, &err),
		PROVIDER_NOT_FOUND);
	for (i = 0; i < COUNT(refused); i++) {
		buf_reset(&err);
		if (sp->fetch_order(&w.env, refused[i], &o, &err) !=
		    PROVIDER_REJECTED)
			fail_msg("order id '%s' not refused", refused[i]);
		assert_true(err.len > 0);
	}
	/* Every read went through GraphQL. */
	st = sim_state(&w);
	assert_int_equal(cJSON_GetObjectItem(st, "rest_calls")->valuedouble, 0);
	cJSON_Delete(st);
	buf_release(&json);
	buf_release(&err);
	world_stop(&w);
}

/*
 * Without read_all_orders Shopify shows no order older than 60 days: the
 * order is NOT_FOUND, and a list from before the window says so.
 */
static void test_order_window(void **state)
{
	struct world w;
	struct buf json, err;
	struct order_page_cursor cursor;
	struct order o;
	int seen = 0;

	(void)state;
	world_start(&w, NULL, 2000);
	buf_init(&json, BUF_MEDIUM);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(
		read_fixture("tests/fixtures/shopify/order_coupon.json", &json),
		0);
	post_orders(&w, json.data, json.len, 1);
	assert_int_equal(
		sp->fetch_order(&w.env, "5678123456789012345", &o, &err),
		PROVIDER_NOT_FOUND);
	memset(&cursor, 0, sizeof(cursor));
	assert_int_equal(sp->list_orders(&w.env, w.env.now - 90 * 86400,
					 &cursor, count_order, &seen, &err),
			 PROVIDER_OK);
	assert_int_equal(seen, 0);
	assert_string_equal(cursor.next, "");
	assert_non_null(strstr(cursor.note, "read_all_orders"));
	buf_release(&json);
	buf_release(&err);
	world_stop(&w);
}

/* A cursor the platform does not know: REJECTED with its message. */
static void test_bad_cursor(void **state)
{
	static const char *const args[] = {ALL_ORDERS, NULL};
	struct world w;
	struct buf json, err;
	struct order_page_cursor cursor;
	int seen = 0;

	(void)state;
	world_start(&w, args, 2000);
	buf_init(&json, BUF_MEDIUM);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(
		read_fixture("tests/fixtures/shopify/order_coupon.json", &json),
		0);
	post_orders(&w, json.data, json.len, 1);
	memset(&cursor, 0, sizeof(cursor));
	snprintf(cursor.next, sizeof(cursor.next), "bm90IGEgY3Vyc29y");
	assert_int_equal(provider_list_orders(sp, &w.env, 0, &cursor,
					      count_order, &seen, &err),
			 PROVIDER_REJECTED);
	assert_non_null(strstr(buf_str(&err), "Invalid cursor"));
	assert_int_equal(seen, 0);
	buf_release(&json);
	buf_release(&err);
	world_stop(&w);
}

/*
 * A refund of shipping only, as Shopify keeps it since 2024-10 (in
 * refundShippingLines): fetch_refund says base 0, where the webhook body
 * could not tell.
 */
static void test_fetch_refund(void **state)
{
	static const char *const args[] = {ALL_ORDERS, NULL};
	static const char order[] =
		"{\"id\":5678123456789012360,\"name\":\"#1060\","
		"\"currency\":\"USD\",\"financial_status\":"
		"\"partially_refunded\",\"created_at\":"
		"\"2025-03-10T09:41:07-05:00\",\"total_price\":\"20.00\","
		"\"subtotal_price\":\"13.50\",\"line_items\":[{\"id\":61,"
		"\"quantity\":1,\"price\":\"13.50\"}],\"refunds\":[{\"id\":"
		"1012345678901234610,\"created_at\":"
		"\"2025-03-12T10:00:00-05:00\",\"refund_line_items\":[],"
		"\"order_adjustments\":[],\"refund_shipping_lines\":[{"
		"\"subtotal_amount\":\"6.50\",\"tax_amount\":\"0.00\"}],"
		"\"transactions\":[{\"kind\":\"refund\",\"status\":"
		"\"success\",\"amount\":\"6.50\",\"currency\":\"USD\"}]}]}";
	struct world w;
	struct order_refund r;
	struct buf err;

	(void)state;
	world_start(&w, args, 2000);
	buf_init(&err, BUF_SMALL);
	post_orders(&w, order, strlen(order), 1);
	if (provider_fetch_refund(sp, &w.env, "5678123456789012360",
				  "1012345678901234610", &r,
				  &err) != PROVIDER_OK)
		fail_msg("fetch_refund: %s", buf_str(&err));
	assert_string_equal(r.id, "1012345678901234610");
	assert_int_equal(r.amount, 650);
	assert_int_equal(r.base, 0);
	free(r.id);
	assert_int_equal(provider_fetch_refund(sp, &w.env, "1", "77", &r, &err),
			 PROVIDER_NOT_FOUND);
	buf_release(&err);
	world_stop(&w);
}

/* The listing: every order exactly once across pages. */

#define GENERATED 120

struct seen {
	char ids[GENERATED + 8][24];
	int n;
	int duplicates;
	int bad;
};

static int see_order(void *ctx, const struct order *o)
{
	struct seen *s = ctx;
	int i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], o->id) == 0)
			s->duplicates++;
	if (s->n < (int)COUNT(s->ids))
		snprintf(s->ids[s->n++], sizeof(s->ids[0]), "%s", o->id);
	if (strcmp(o->id, "5678123456789012354") == 0 &&
	    (o->total != 6525 || o->nrefunds != 1 ||
	     order_refunded(o) != 2765 ||
	     o->financial != ORDER_PARTIALLY_REFUNDED))
		s->bad++;
	if (strcmp(o->id, "5678123456789012346") == 0 &&
	    (!order_attr(o, "ref") || strcmp(order_attr(o, "ref"), "ab12cd")))
		s->bad++;
	if (strcmp(o->id, "5678123456789012345") == 0 &&
	    (o->total != 7562 || !o->customer_id ||
	     strcmp(o->customer_id, "9007199254740993")))
		s->bad++;
	return 0;
}

static int has_id(const struct seen *s, const char *id)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0)
			return 1;
	return 0;
}

/* The fixture's three orders plus GENERATED ones, 10 per updated_at. */
static void load_orders(const struct world *w)
{
	struct buf json, gen;
	int i;

	buf_init(&json, BUF_MEDIUM);
	assert_int_equal(
		read_fixture("tests/fixtures/shopify/rest_orders_page.json",
			     &json),
		0);
	post_orders(w, json.data, json.len, 3);
	buf_init(&gen, BUF_MEDIUM);
	assert_int_equal(buf_putc(&gen, '['), 0);
	for (i = 0; i < GENERATED; i++)
		assert_int_equal(
			buf_printf(
				&gen,
				"%s{\"id\":%lld,\"name\":\"#G%d\","
				"\"currency\":\"USD\",\"financial_status\":"
				"\"paid\",\"total_price\":\"%d.%02d\","
				"\"subtotal_price\":\"1.00\",\"updated_at\":"
				"\"2025-04-01T10:%02d:00Z\",\"closed_at\":%s,"
				"\"line_items\":[]}",
				i ? "," : "",
				/* ids out of order within a minute */
				8000000000000000000LL + (i * 37) % GENERATED, i,
				1 + i, i % 100, i / 10,
				i % 7 == 0 ? "\"2025-04-02T00:00:00Z\""
					   : "null"),
			0);
	assert_int_equal(buf_putc(&gen, ']'), 0);
	post_orders(w, gen.data, gen.len, GENERATED);
	buf_release(&gen);
	buf_release(&json);
}

static void test_list_orders(void **state)
{
	static const char *const args[] = {ALL_ORDERS, "--bucket-max",
					   "100000",   "--restore-rate",
					   "100000",   NULL};
	struct world w;
	struct order_page_cursor cursor;
	struct seen *seen = calloc(1, sizeof(*seen));
	struct buf err;
	int pages = 0, since_count = 0;
	int64_t since;

	(void)state;
	world_start(&w, args, 2000);
	buf_init(&err, BUF_SMALL);
	load_orders(&w);
	memset(&cursor, 0, sizeof(cursor));
	do {
		if (sp->list_orders(&w.env, 0, &cursor, see_order, seen,
				    &err) != PROVIDER_OK)
			fail_msg("page %d: %s", pages, buf_str(&err));
		pages++;
		assert_true(pages < 2 * GENERATED);
	} while (cursor.next[0]);
	assert_int_equal(seen->duplicates, 0);
	assert_int_equal(seen->bad, 0);
	assert_int_equal(seen->n, 3 + GENERATED);
	assert_int_equal(pages, 3 + GENERATED); /* one order a page */
	assert_true(has_id(seen, "5678123456789012345"));
	assert_true(has_id(seen, "5678123456789012346"));
	assert_true(has_id(seen, "5678123456789012354"));
	assert_true(has_id(seen, "8000000000000000000"));
	assert_true(has_id(seen, "8000000000000000119"));

	/* Since 2025-03-15: the refunded order (03-20) and the generated. */
	memset(seen, 0, sizeof(*seen));
	assert_int_equal(parse_iso8601("2025-03-15T00:00:00Z", &since), 0);
	memset(&cursor, 0, sizeof(cursor));
	do {
		assert_int_equal(sp->list_orders(&w.env, since, &cursor,
						 see_order, seen, &err),
				 PROVIDER_OK);
		since_count++;
		assert_true(since_count < 2 * GENERATED);
	} while (cursor.next[0]);
	assert_int_equal(seen->duplicates, 0);
	assert_int_equal(seen->n, 1 + GENERATED);
	assert_false(has_id(seen, "5678123456789012345"));
	assert_true(has_id(seen, "5678123456789012354"));
	free(seen);
	buf_release(&err);
	world_stop(&w);
}

/* The GraphQL bucket: RETRY with the wait it implies; the cursor holds. */
static void test_list_orders_throttled(void **state)
{
	static const char *const args[] = {
		ALL_ORDERS, "--bucket-max", "30", "--restore-rate", "10", NULL};
	struct world w;
	struct order_page_cursor cursor;
	struct seen *seen = calloc(1, sizeof(*seen));
	struct buf err, json;
	char before[1024];
	enum provider_status st;
	struct order o;
	int calls = 0, retries = 0;

	(void)state;
	world_start(&w, args, 2000);
	buf_init(&err, BUF_SMALL);
	buf_init(&json, BUF_MEDIUM);
	assert_int_equal(
		read_fixture("tests/fixtures/shopify/rest_orders_page.json",
			     &json),
		0);
	post_orders(&w, json.data, json.len, 3);
	/* Two order reads take 20 of the bucket's 30 points. */
	assert_int_equal(sp->fetch_order(&w.env, "1", &o, &err),
			 PROVIDER_NOT_FOUND);
	assert_int_equal(sp->fetch_order(&w.env, "1", &o, &err),
			 PROVIDER_NOT_FOUND);
	memset(&cursor, 0, sizeof(cursor));
	do {
		snprintf(before, sizeof(before), "%s", cursor.next);
		st = sp->list_orders(&w.env, 0, &cursor, see_order, seen, &err);
		calls++;
		assert_true(calls < 40);
		if (st == PROVIDER_RETRY) {
			retries++;
			assert_true(cursor.retry_after_ms > 0);
			assert_true(cursor.retry_after_ms <= 3000);
			/* The page was not consumed: same cursor again. */
			assert_string_equal(cursor.next, before);
			usleep((useconds_t)(cursor.retry_after_ms * 1000));
			continue;
		}
		assert_int_equal(st, PROVIDER_OK);
	} while (st == PROVIDER_RETRY || cursor.next[0]);
	assert_true(retries >= 1);
	assert_true(calls >= 4);
	assert_int_equal(seen->duplicates, 0);
	assert_int_equal(seen->bad, 0);
	assert_int_equal(seen->n, 3);
	free(seen);
	buf_release(&json);
	buf_release(&err);
	world_stop(&w);
}

int main(void)
{
	struct CMUnitTest tests[64];
	char names[64][96];
	size_t n = 0, i;

#define ADD(fn, row, ...)                                          \
	do {                                                       \
		snprintf(names[n], sizeof(names[0]), __VA_ARGS__); \
		tests[n].name = names[n];                          \
		tests[n].test_func = fn;                           \
		tests[n].initial_state = row;                      \
		tests[n].setup_func = NULL;                        \
		tests[n].teardown_func = NULL;                     \
		n++;                                               \
	} while (0)

	ADD(test_oauth, NULL, "oauth round trip");
	ADD(test_register_webhooks, NULL, "check_webhooks --fix twice");
	ADD(test_describe_shop, NULL, "describe_shop");
	for (i = 0; i < COUNT(coupon_cases); i++)
		ADD(test_coupon, &coupon_cases[i], "create_coupon %s",
		    coupon_cases[i].what);
	for (i = 0; i < COUNT(bad_coupons); i++)
		ADD(test_bad_coupon, &bad_coupons[i],
		    "create_coupon refuses %s", bad_coupons[i].what);
	ADD(test_coupon_customer_id_is_data, NULL,
	    "create_coupon: the customer id is data");
	ADD(test_gift_card, NULL, "gift cards");
	ADD(test_gift_card_unsupported, NULL, "gift cards unsupported");
	ADD(test_throttle, NULL, "graphql throttle");
	for (i = 0; i < COUNT(fault_cases); i++)
		ADD(test_fault, &fault_cases[i], "fault %s",
		    fault_cases[i].what);
	ADD(test_fetch_order, NULL, "fetch_order");
	ADD(test_order_window, NULL, "the 60-day window");
	ADD(test_bad_cursor, NULL, "list_orders with a bad cursor");
	ADD(test_fetch_refund, NULL, "fetch_refund of shipping only");
	ADD(test_list_orders, NULL, "list_orders pages");
	ADD(test_list_orders_throttled, NULL, "list_orders throttled");
#undef ADD
	return _cmocka_run_group_tests("shopify_provider", tests, n, NULL,
				       NULL);
}
