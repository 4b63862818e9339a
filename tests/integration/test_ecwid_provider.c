/*
 * The Ecwid provider (providers/ecwid*.c) against sim_ecwid: the OAuth round
 * trip (and a code used twice), the store profile and its currency precision,
 * fetching orders (found, missing, bad token, 500, throttled, unreadable, no
 * answer), paging through more than 100 orders, and discount coupons
 * (created, existing, found, refused, throttled, dropped after commit).
 */
#include "harness.h"

#include "util/http_client.h"
#include "model/order.h"
#include "providers/provider_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SIM_SECRET "ecwid-sim-secret"
#define SIM_ID	   "test-client-id"
#define SIM_TOKEN  "secure_given_by_the_test"
#define STORE	   "92837465"
#define PUBLIC	   "http://127.0.0.1:9/app"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct provider *const ep = &ecwid_provider;

/* The provider's world: one simulator, its config, a shop and an env. */
struct world {
	struct sim_proc sim;
	char api[96], oauth[96];
	struct platform_config cfg;
	struct provider_shop shop;
	struct provider_env env;
};

static void world_start(struct world *w, const char *const *extra)
{
	const char *args[32] = {
		"--client-secret", SIM_SECRET, "--client-id", SIM_ID,
		"--store-id",	   STORE,      "--token",     SIM_TOKEN};
	size_t n = 8, i;

	for (i = 0; extra && extra[i] && n < COUNT(args) - 1; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	memset(w, 0, sizeof(*w));
	sim_start(&w->sim, "sim_ecwid", args);
	snprintf(w->api, sizeof(w->api), "%s/api/v3", w->sim.base);
	snprintf(w->oauth, sizeof(w->oauth), "%s/api/oauth", w->sim.base);
	w->cfg = (struct platform_config){
		.name = "ecwid",
		.client_id = SIM_ID,
		.client_secret = SIM_SECRET,
		.scopes = "read_orders read_store_profile "
			  "create_discount_coupons",
		.api_version = "",
		.api_base = w->api,
		.oauth_base = w->oauth,
		.public_url = PUBLIC,
	};
	w->shop = (struct provider_shop){1, STORE, SIM_TOKEN, "USD"};
	w->env = (struct provider_env){&w->cfg, &w->shop, http_client_new(5000),
				       0, NULL};
}

static void world_stop(struct world *w)
{
	http_client_free(w->env.http);
	sim_stop(&w->sim);
}

static void sim_control(const struct world *w, const char *path,
			const char *body)
{
	struct http_reply r;
	char url[160];

	reply_init(&r);
	snprintf(url, sizeof(url), "%s%s", w->sim.base, path);
	assert_int_equal(http_post(url, NULL, body, strlen(body), &r), 0);
	if (r.status != 200)
		fail_msg("%s: %ld %s", path, r.status, buf_str(&r.body));
	reply_release(&r);
}

static cJSON *sim_state(const struct world *w)
{
	struct http_reply r;
	char url[160];
	cJSON *state;

	reply_init(&r);
	snprintf(url, sizeof(url), "%s/_sim/state", w->sim.base);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	state = cJSON_Parse(buf_str(&r.body));
	assert_non_null(state);
	reply_release(&r);
	return state;
}

/* Posts fixture files as one array of orders. */
static void post_fixtures(const struct world *w, const char *const *files)
{
	struct buf all, one;
	char path[128];
	size_t i;

	buf_init(&all, BUF_MEDIUM);
	buf_init(&one, BUF_MEDIUM);
	assert_int_equal(buf_putc(&all, '['), 0);
	for (i = 0; files[i]; i++) {
		snprintf(path, sizeof(path), "tests/fixtures/ecwid/%s",
			 files[i]);
		buf_reset(&one);
		assert_int_equal(read_fixture(path, &one), 0);
		assert_int_equal(
			buf_printf(&all, "%s%s", i ? "," : "", buf_str(&one)),
			0);
	}
	assert_int_equal(buf_putc(&all, ']'), 0);
	sim_control(w, "/_sim/orders", buf_str(&all));
	buf_release(&all);
	buf_release(&one);
}

/* Requests as the callback sees them */

struct query {
	const char *keys[8], *values[8];
	int n;
};

static const char *query_lookup(const void *ctx, const char *name)
{
	const struct query *q = ctx;
	int i;

	for (i = 0; i < q->n; i++)
		if (strcmp(q->keys[i], name) == 0)
			return q->values[i];
	return NULL;
}

static struct provider_request query_request(const struct query *q)
{
	struct provider_request r = {.body = "",
				     .len = 0,
				     .header = query_lookup,
				     .query = query_lookup,
				     .ctx = q};

	return r;
}

/* The value of key in a URL's query (not decoded: the sim sends hex). */
static void url_param(const char *url, const char *key, char *out, size_t n)
{
	const char *p = strchr(url, '?');
	size_t klen = strlen(key);

	out[0] = '\0';
	while (p) {
		p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			snprintf(out, n, "%.*s",
				 (int)strcspn(p + klen + 1, "&"), p + klen + 1);
			return;
		}
		p = strchr(p, '&');
	}
}

/* Plays the merchant: follows our authorize URL, returns the code. */
static void authorize(const char *location, char *code, size_t n, char *state,
		      size_t sn)
{
	struct http_reply r;
	char where[512];

	reply_init(&r);
	assert_int_equal(http_get(location, NULL, &r), 0);
	assert_int_equal(r.status, 302);
	assert_non_null(reply_header(&r, "Location", where, sizeof(where)));
	assert_true(strncmp(where, PUBLIC "/auth/ecwid/callback?",
			    strlen(PUBLIC "/auth/ecwid/callback?")) == 0);
	url_param(where, "code", code, n);
	url_param(where, "state", state, sn);
	assert_int_equal(strlen(code), 32);
	reply_release(&r);
}

static void test_install(void **state)
{
	struct world w;
	struct provider_request req;
	struct install_result res, again;
	struct shop_info info;
	struct query q = {{"code"}, {NULL}, 1};
	struct provider_shop mine;
	struct buf loc, err;
	char shop[256], code[64], st[64], want[512];

	(void)state;
	world_start(&w, NULL);
	buf_init(&loc, 4096);
	buf_init(&err, BUF_SMALL);
	req = query_request(&q);
	assert_int_equal(
		ep->install_redirect(&w.env, &req, "st-8", &loc, shop, &err),
		0);
	snprintf(want, sizeof(want),
		 "%s/authorize?client_id=" SIM_ID
		 "&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A9%%2Fapp%%2Fauth%%"
		 "2Fecwid%%2Fcallback&response_type=code&scope=read_orders%%20"
		 "read_store_profile%%20create_discount_coupons&state=st-8",
		 w.oauth);
	assert_string_equal(buf_str(&loc), want);
	assert_string_equal(shop, "");
	authorize(buf_str(&loc), code, sizeof(code), st, sizeof(st));
	assert_string_equal(st, "st-8");

	q.values[0] = code;
	assert_int_equal(ep->finish_install(&w.env, &req, &res, &err),
			 PROVIDER_OK);
	assert_string_equal(res.shop, STORE);
	assert_true(strncmp(res.token, "secure_", 7) == 0);
	assert_string_equal(res.scopes, "read_orders read_store_profile "
					"create_discount_coupons");

	/* The token works... */
	mine = (struct provider_shop){2, res.shop, res.token, NULL};
	w.env.shop = &mine;
	assert_int_equal(ep->describe_shop(&w.env, &info, &err), PROVIDER_OK);
	assert_string_equal(info.currency, "USD");

	/* ...until the code is replayed: refused, and the token revoked. */
	assert_int_equal(ep->finish_install(&w.env, &req, &again, &err),
			 PROVIDER_REJECTED);
	assert_non_null(strstr(buf_str(&err), "invalid_grant"));
	assert_string_equal(again.token, "");
	assert_int_equal(ep->describe_shop(&w.env, &info, &err),
			 PROVIDER_UNAUTHORIZED);
	if (!strstr(buf_str(&err), "INVALID_API_TOKEN"))
		fail_msg("%s", buf_str(&err));

	buf_release(&loc);
	buf_release(&err);
	world_stop(&w);
}

static void test_install_refused(void **state)
{
	struct world w;
	struct platform_config wrong;
	struct provider_env env;
	struct provider_request req;
	struct install_result res;
	struct query q = {{"code"}, {"0123456789abcdef0123456789abcdef"}, 1};
	struct buf err;

	(void)state;
	world_start(&w, NULL);
	buf_init(&err, BUF_SMALL);
	req = query_request(&q);
	/* A code Ecwid never gave. */
	assert_int_equal(ep->finish_install(&w.env, &req, &res, &err),
			 PROVIDER_REJECTED);
	assert_non_null(strstr(buf_str(&err), "code is invalid"));
	/* A wrong secret. */
	wrong = w.cfg;
	wrong.client_secret = "not-the-secret";
	env = w.env;
	env.cfg = &wrong;
	assert_int_equal(ep->finish_install(&env, &req, &res, &err),
			 PROVIDER_REJECTED);
	assert_non_null(strstr(buf_str(&err), "Client credentials"));
	/* Nobody answering is worth a retry. */
	wrong = w.cfg;
	wrong.oauth_base = "http://127.0.0.1:1/api/oauth";
	assert_int_equal(ep->finish_install(&env, &req, &res, &err),
			 PROVIDER_RETRY);
	buf_release(&err);
	world_stop(&w);
}

static void test_describe_shop(void **state)
{
	static const char *const jpy[] = {"--currency", "JPY", "--precision",
					  "0", NULL};
	static const char *const odd[] = {"--currency", "USD", "--precision",
					  "3", NULL};
	struct world w;
	struct shop_info info;
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	world_start(&w, NULL);
	assert_int_equal(ep->describe_shop(&w.env, &info, &err), PROVIDER_OK);
	assert_string_equal(info.name, "Test store " STORE);
	assert_string_equal(info.currency, "USD");
	assert_string_equal(info.email, "owner@example.test");
	world_stop(&w);

	world_start(&w, jpy);
	assert_int_equal(ep->describe_shop(&w.env, &info, &err), PROVIDER_OK);
	assert_string_equal(info.currency, "JPY");
	world_stop(&w);

	world_start(&w, odd);
	assert_int_equal(ep->describe_shop(&w.env, &info, &err),
			 PROVIDER_REJECTED);
	assert_non_null(strstr(buf_str(&err), "has 3 decimals"));
	world_stop(&w);
	buf_release(&err);
}

/* fetch_order */

static const char *const fixtures[] = {"order_coupon.json",
				       "order_extra_field_ref.json",
				       "order_referer.json",
				       "order_refunded_partial.json",
				       "order_refunded.json",
				       "order_cancelled.json",
				       "order_awaiting.json",
				       "order_decimals.json",
				       "order_too_many_decimals.json",
				       NULL};

static void test_fetch_order(void **state)
{
	struct world w;
	struct order o;
	struct buf err;

	(void)state;
	world_start(&w, NULL);
	buf_init(&err, BUF_SMALL);
	post_fixtures(&w, fixtures);

	assert_int_equal(ep->fetch_order(&w.env, "XJ12H", &o, &err),
			 PROVIDER_OK);
	assert_string_equal(o.id, "XJ12H");
	assert_string_equal(o.currency, "USD");
	assert_int_equal(o.total, 7562);
	assert_string_equal(o.codes[0], "SALLY20");
	assert_int_equal(o.financial, ORDER_PAID);
	order_release(&o);

	/* By the internal number, as old webhooks name orders. */
	assert_int_equal(ep->fetch_order(&w.env, "516483777", &o, &err),
			 PROVIDER_OK);
	assert_string_equal(o.id, "XP4Q8");
	assert_int_equal(order_refunded(&o), 2765);
	order_release(&o);

	assert_int_equal(ep->fetch_order(&w.env, "XD9K4", &o, &err),
			 PROVIDER_OK);
	assert_int_equal(o.subtotal, 10079);
	order_release(&o);

	assert_int_equal(ep->fetch_order(&w.env, "NOPE1", &o, &err),
			 PROVIDER_NOT_FOUND);
	assert_non_null(strstr(buf_str(&err), "ORDER_NOT_FOUND"));
	assert_null(o.id);

	/* An order of the wrong shape. */
	sim_control(&w, "/_sim/orders",
		    "{\"id\":\"XG1\",\"items\":\"nonsense\"}");
	assert_int_equal(ep->fetch_order(&w.env, "XG1", &o, &err),
			 PROVIDER_REJECTED);
	assert_non_null(strstr(buf_str(&err), "ecwid order XG1: field 'items' "
					      "should be an array"));
	assert_null(o.id);

	/* An amount USD cannot hold: refused, not rounded. */
	assert_int_equal(ep->fetch_order(&w.env, "XT6E0", &o, &err),
			 PROVIDER_REJECTED);
	assert_non_null(strstr(buf_str(&err), "more than 2 decimals"));
	assert_null(o.id);
	buf_release(&err);
	world_stop(&w);
}

struct fault_case {
	const char *name;
	const char *faults;
	enum provider_status want;
	const char *words;
};

static struct fault_case fault_cases[] = {
	{"invalid token", "{\"fail_401\":true}", PROVIDER_UNAUTHORIZED,
	 "403 INVALID_API_TOKEN"},
	{"server error", "{\"fail_500_every\":1}", PROVIDER_RETRY,
	 "500 INTERNAL_ERROR"},
	{"throttled", "{\"throttle_every\":1}", PROVIDER_RETRY,
	 "429 RATE_LIMITED"},
	{"dropped", "{\"drop_every\":1}", PROVIDER_RETRY, "got no answer"},
};

static int count_order(void *ctx, const struct order *o)
{
	(void)o;
	(*(int *)ctx)++;
	return 0;
}

/* A caller that fails on the fifth order it is given. */
static int refuse_fifth(void *ctx, const struct order *o)
{
	(void)o;
	return ++*(int *)ctx == 5 ? -1 : 0;
}

static void test_fault(void **state)
{
	const struct fault_case *c = *state;
	struct order_page_cursor cursor;
	struct reward_result res;
	struct reward_request coupon = {"FAULT-1", "Fault", true, 1000,
					"USD",	   2,	    NULL, 1};
	struct shop_info info;
	struct world w;
	struct order o;
	struct buf err;
	int n = 0;

	world_start(&w, NULL);
	buf_init(&err, BUF_SMALL);
	post_fixtures(&w, fixtures);
	sim_control(&w, "/_sim/faults", c->faults);
	assert_int_equal(ep->fetch_order(&w.env, "XJ12H", &o, &err), c->want);
	if (!strstr(buf_str(&err), c->words))
		fail_msg("'%s' lacks '%s'", buf_str(&err), c->words);
	assert_int_equal(ep->describe_shop(&w.env, &info, &err), c->want);
	memset(&cursor, 0, sizeof(cursor));
	assert_int_equal(
		ep->list_orders(&w.env, 0, &cursor, count_order, &n, &err),
		c->want);
	assert_int_equal(n, 0);
	assert_string_equal(cursor.next, "");
	memset(&res, 0, sizeof(res));
	assert_int_equal(ep->create_coupon(&w.env, &coupon, &res, &err),
			 c->want);
	if (strstr(c->name, "throttled")) {
		assert_int_equal(cursor.retry_after_ms, 1000);
		assert_int_equal(res.retry_after_ms, 1000);
	}
	buf_release(&err);
	world_stop(&w);
}

/* A store that does not answer at all. */
static void test_no_answer(void **state)
{
	struct world w;
	struct order o;
	struct buf err;

	(void)state;
	world_start(&w, NULL);
	buf_init(&err, BUF_SMALL);
	w.cfg.api_base = "http://127.0.0.1:1/api/v3";
	assert_int_equal(ep->fetch_order(&w.env, "XJ12H", &o, &err),
			 PROVIDER_RETRY);
	assert_non_null(strstr(buf_str(&err), "got no answer"));
	buf_release(&err);
	world_stop(&w);
}

/* list_orders */

struct seen {
	int n;
	char ids[400][16];
	int64_t totals[400];
};

static int see_order(void *ctx, const struct order *o)
{
	struct seen *s = ctx;

	if (s->n == (int)COUNT(s->ids))
		return -1;
	snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", o->id);
	s->totals[s->n] = o->total;
	s->n++;
	return 0;
}

/* 250 orders G0001..G0250 updated at 1700000001..1700000250. */
static void post_many(const struct world *w, int count, int bad_at)
{
	struct buf all;
	int i;

	buf_init(&all, BUF_MEDIUM);
	assert_int_equal(buf_puts(&all, "{\"orders\":["), 0);
	for (i = 1; i <= count; i++)
		assert_int_equal(
			buf_printf(&all,
				   "%s{\"id\":\"G%04d\",\"orderNumber\":%d,"
				   "\"updateTimestamp\":%d,\"total\":%s,"
				   "\"paymentStatus\":\"PAID\",\"items\":"
				   "[{\"price\":%d.25,\"quantity\":1}]}",
				   i > 1 ? "," : "", i, 9000 + i,
				   1700000000 + i,
				   i == bad_at ? "1.005" : "12.5", i),
			0);
	assert_int_equal(buf_puts(&all, "]}"), 0);
	sim_control(w, "/_sim/orders", buf_str(&all));
	buf_release(&all);
}

static void test_list_orders(void **state)
{
	struct order_page_cursor cursor;
	struct world w;
	struct buf err;
	struct seen *s = calloc(1, sizeof(*s));
	static const char *const pages[] = {"1700000100 0 ,G0100,",
					    "1700000199 0 ,G0199,", ""};
	int i;

	(void)state;
	world_start(&w, NULL);
	buf_init(&err, BUF_SMALL);
	post_many(&w, 250, 0);
	memset(&cursor, 0, sizeof(cursor));
	for (i = 0; i < 3; i++) {
		if (ep->list_orders(&w.env, 1600000000, &cursor, see_order, s,
				    &err) != PROVIDER_OK)
			fail_msg("page %d: %s", i, buf_str(&err));
		assert_string_equal(cursor.next, pages[i]);
	}
	assert_int_equal(s->n, 250);
	assert_string_equal(s->ids[0], "G0001");
	assert_string_equal(s->ids[249], "G0250");
	assert_int_equal(s->totals[0], 1250);

	/* Only what changed since a time (inclusive). */
	s->n = 0;
	memset(&cursor, 0, sizeof(cursor));
	assert_int_equal(ep->list_orders(&w.env, 1700000200, &cursor, see_order,
					 s, &err),
			 PROVIDER_OK);
	assert_string_equal(cursor.next, "");
	assert_int_equal(s->n, 51);
	assert_string_equal(s->ids[0], "G0200");

	/* A throttled page keeps its place. */
	memset(&cursor, 0, sizeof(cursor));
	snprintf(cursor.next, sizeof(cursor.next), "1700000100 0 ,G0100,");
	sim_control(&w, "/_sim/faults", "{\"throttle_every\":1}");
	assert_int_equal(
		ep->list_orders(&w.env, 0, &cursor, see_order, s, &err),
		PROVIDER_RETRY);
	assert_string_equal(cursor.next, "1700000100 0 ,G0100,");
	assert_int_equal(cursor.retry_after_ms, 1000);
	free(s);
	buf_release(&err);
	world_stop(&w);
}

/* An unreadable order does not hide the others of its page. */
static void test_list_bad_order(void **state)
{
	struct order_page_cursor cursor;
	struct world w;
	struct buf err;
	struct seen *s = calloc(1, sizeof(*s));
	int refused = 0;

	(void)state;
	world_start(&w, NULL);
	buf_init(&err, BUF_SMALL);
	post_many(&w, 150, 42);
	memset(&cursor, 0, sizeof(cursor));
	assert_int_equal(
		ep->list_orders(&w.env, 0, &cursor, see_order, s, &err),
		PROVIDER_OK);
	/* Skipped and counted, with the first reason; the page goes on. */
	assert_int_equal(cursor.skipped, 1);
	assert_non_null(strstr(cursor.skip_error, "order G0042"));
	assert_int_equal(s->n, 99);
	assert_string_equal(cursor.next, "1700000100 0 ,G0100,");
	assert_int_equal(
		ep->list_orders(&w.env, 0, &cursor, see_order, s, &err),
		PROVIDER_OK);
	assert_int_equal(s->n, 149);
	assert_string_equal(cursor.next, "");

	/* The caller refusing an order stops the page where it is. */
	memset(&cursor, 0, sizeof(cursor));
	assert_int_equal(ep->list_orders(&w.env, 0, &cursor, refuse_fifth,
					 &refused, &err),
			 PROVIDER_REJECTED);
	assert_int_equal(refused, 5);
	assert_string_equal(cursor.next, "");
	free(s);
	buf_release(&err);
	world_stop(&w);
}

/* The page of orders_search.json, through the API. */
static void test_list_fixtures(void **state)
{
	static const char *const three[] = {
		"order_coupon.json", "order_extra_field_ref.json",
		"order_refunded_partial.json", NULL};
	struct order_page_cursor cursor;
	struct world w;
	struct buf err;
	struct seen *s = calloc(1, sizeof(*s));

	(void)state;
	world_start(&w, NULL);
	buf_init(&err, BUF_SMALL);
	post_fixtures(&w, three);
	memset(&cursor, 0, sizeof(cursor));
	assert_int_equal(
		ep->list_orders(&w.env, 0, &cursor, see_order, s, &err),
		PROVIDER_OK);
	assert_int_equal(s->n, 3);
	assert_string_equal(s->ids[0], "XJ12H");
	assert_string_equal(s->ids[1], "XK3P9");
	assert_string_equal(s->ids[2], "XP4Q8");
	assert_int_equal(s->totals[0], 7562);
	assert_int_equal(s->totals[1], 5900);
	assert_int_equal(s->totals[2], 6525);
	free(s);
	buf_release(&err);
	world_stop(&w);
}

/* Paging that cannot skip (providers/ecwid/list.c) */

/* Posts order G<n> changed at Unix time t, with a total of total. */
static void post_order(const struct world *w, int n, long long t,
		       const char *total)
{
	char body[256];

	snprintf(body, sizeof(body),
		 "[{\"id\":\"G%04d\",\"orderNumber\":%d,\"updateTimestamp\":"
		 "%lld,\"total\":%s,\"paymentStatus\":\"PAID\",\"items\":"
		 "[{\"price\":%s,\"quantity\":1}]}]",
		 n, 9000 + n, t, total, total);
	sim_control(w, "/_sim/orders", body);
}

/* How many times id was handed over; the last time's total in *total. */
static int times_seen(const struct seen *s, const char *id, int64_t *total)
{
	int k = 0;

	for (int i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0) {
			k++;
			if (total)
				*total = s->totals[i];
		}
	return k;
}

/* Every one of G0001..G<count> seen at least once; the first missing. */
static void assert_all_seen(const struct seen *s, int count)
{
	char id[16];

	for (int i = 1; i <= count; i++) {
		snprintf(id, sizeof(id), "G%04d", i);
		if (!times_seen(s, id, NULL))
			fail_msg("order %s was skipped", id);
	}
}

/* Runs a whole pass from since, calling between() after the first page. */
static int list_pass(struct world *w, int64_t since, struct seen *s,
		     void (*between)(struct world *w))
{
	struct order_page_cursor cursor;
	struct buf err;
	int pages = 0;

	buf_init(&err, BUF_SMALL);
	memset(&cursor, 0, sizeof(cursor));
	do {
		if (ep->list_orders(&w->env, since, &cursor, see_order, s,
				    &err) != PROVIDER_OK)
			fail_msg("page %d: %s", pages, buf_str(&err));
		if (pages++ == 0 && between)
			between(w);
	} while (cursor.next[0] && pages < 20);
	assert_string_equal(cursor.next, "");
	buf_release(&err);
	return pages;
}

/*
 * Between the two pages the merchant edits G0050 (already read) and
 * G0120 (not yet read). With offsets, G0050 leaving its place would move
 * G0101 onto the first page's last slot, and it would never be seen.
 */
static void edit_two(struct world *w)
{
	post_order(w, 50, 1700000500, "99.5");
	post_order(w, 120, 1700000600, "77.25");
}

static void test_list_order_moves(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct world w;
	int64_t total = 0;

	(void)state;
	world_start(&w, NULL);
	post_many(&w, 150, 0);
	assert_int_equal(list_pass(&w, 1600000000, s, edit_two), 2);
	assert_all_seen(s, 150);
	assert_int_equal(times_seen(s, "G0101", NULL), 1);
	/* The boundary order (G0100) is not handed over twice. */
	assert_int_equal(times_seen(s, "G0100", NULL), 1);
	/* The edited orders are seen again, as they are now. */
	assert_int_equal(times_seen(s, "G0050", &total), 2);
	assert_int_equal(total, 9950);
	assert_int_equal(times_seen(s, "G0120", &total), 1);
	assert_int_equal(total, 7725);
	assert_int_equal(s->n, 151);
	free(s);
	world_stop(&w);
}

/* G0095..G0110 changed in the same second, across the page boundary. */
static void test_list_shared_second(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct world w;

	(void)state;
	world_start(&w, NULL);
	post_many(&w, 150, 0);
	for (int i = 95; i <= 110; i++)
		post_order(&w, i, 1700000100, "12.5");
	assert_int_equal(list_pass(&w, 0, s, NULL), 2);
	assert_all_seen(s, 150);
	assert_int_equal(s->n, 150);
	free(s);
	world_stop(&w);
}

/*
 * 250 orders changed in one second: more than a page. The cursor then
 * goes on by offset inside that second; each order once.
 */
static void test_list_crowded_second(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct world w;

	(void)state;
	world_start(&w, NULL);
	post_many(&w, 250, 0);
	for (int i = 1; i <= 250; i++)
		post_order(&w, i, 1700000300, "12.5");
	list_pass(&w, 0, s, NULL);
	assert_all_seen(s, 250);
	assert_int_equal(s->n, 250);
	free(s);
	world_stop(&w);
}

/* What the provider asks for, and what the simulator says to other sorts. */
static void test_list_sort(void **state)
{
	const char *auth[] = {"Authorization: Bearer " SIM_TOKEN, NULL};
	struct order_page_cursor cursor;
	struct http_reply r;
	struct world w;
	struct buf err;
	char url[256];
	int n = 0;

	(void)state;
	world_start(&w, NULL);
	buf_init(&err, BUF_SMALL);
	post_many(&w, 3, 0);
	reply_init(&r);
	snprintf(url, sizeof(url), "%s/%s/orders?sortBy=CREATED_AT", w.api,
		 STORE);
	assert_int_equal(http_get(url, auth, &r), 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(buf_str(&r.body), "sortBy"));
	reply_release(&r);
	/* Without sortBy the simulator answers newest change first. */
	reply_init(&r);
	snprintf(url, sizeof(url), "%s/%s/orders", w.api, STORE);
	assert_int_equal(http_get(url, auth, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(strstr(buf_str(&r.body), "G0003") <
		    strstr(buf_str(&r.body), "G0001"));
	reply_release(&r);
	/* So the provider reads them only because it asks for the sort. */
	memset(&cursor, 0, sizeof(cursor));
	assert_int_equal(
		ep->list_orders(&w.env, 0, &cursor, count_order, &n, &err),
		PROVIDER_OK);
	assert_int_equal(n, 3);
	buf_release(&err);
	world_stop(&w);
}

/* An Ecwid that takes sortBy but does not sort: refused, not misread. */
static void test_list_unsorted(void **state)
{
	const char *const extra[] = {"--ignore-order-sort", NULL};
	struct order_page_cursor cursor;
	struct world w;
	struct buf err;
	int n = 0;

	(void)state;
	world_start(&w, extra);
	buf_init(&err, BUF_SMALL);
	post_many(&w, 150, 0);
	memset(&cursor, 0, sizeof(cursor));
	assert_int_equal(
		ep->list_orders(&w.env, 0, &cursor, count_order, &n, &err),
		PROVIDER_REJECTED);
	assert_int_equal(n, 0);
	assert_non_null(strstr(buf_str(&err), "not in update order"));
	assert_string_equal(cursor.next, "");
	buf_release(&err);
	world_stop(&w);
}

/* Coupons */

static const cJSON *coupon_in_state(const cJSON *state, const char *code)
{
	const cJSON *rec;

	cJSON_ArrayForEach(rec, cJSON_GetObjectItem(state, "coupons"))
	{
		const cJSON *c = cJSON_GetObjectItem(rec, "code");

		if (cJSON_IsString(c) && strcmp(c->valuestring, code) == 0)
			return rec;
	}
	return NULL;
}

static void check_sent(const struct world *w, const char *code,
		       const char *type, double discount, const char *uses,
		       int creates_ok, int conflicts)
{
	cJSON *state = sim_state(w);
	const cJSON *rec = coupon_in_state(state, code);
	const cJSON *c = cJSON_GetObjectItem(rec, "coupon");

	assert_non_null(rec);
	assert_string_equal(cJSON_GetObjectItem(c, "discountType")->valuestring,
			    type);
	assert_true(cJSON_GetObjectItem(c, "discount")->valuedouble ==
		    discount);
	assert_string_equal(cJSON_GetObjectItem(c, "usesLimit")->valuestring,
			    uses);
	assert_string_equal(cJSON_GetObjectItem(c, "status")->valuestring,
			    "ACTIVE");
	assert_int_equal(cJSON_GetObjectItem(rec, "creates_ok")->valueint,
			 creates_ok);
	assert_int_equal(cJSON_GetObjectItem(rec, "creates_conflict")->valueint,
			 conflicts);
	cJSON_Delete(state);
}

static void test_coupons(void **state)
{
	struct reward_request pct = {"SALLY-ZED99", "Affiliate zed99 - 15% off",
				     true,	    1500,
				     "USD",	    2,
				     NULL,	    1};
	struct reward_request abs = {"SALLY-10OFF", NULL, false,       1000,
				     "USD",	    2,	  "270919557", 0};
	struct reward_result res, found;
	struct world w;
	struct buf err;
	char id[128];

	(void)state;
	world_start(&w, NULL);
	buf_init(&err, BUF_SMALL);
	memset(&res, 0, sizeof(res));
	assert_int_equal(ep->create_coupon(&w.env, &pct, &res, &err),
			 PROVIDER_OK);
	assert_true(res.platform_id[0] != '\0');
	snprintf(id, sizeof(id), "%s", res.platform_id);
	assert_string_equal(res.code, "SALLY-ZED99");
	check_sent(&w, "SALLY-ZED99", "PERCENT", 15, "SINGLE", 1, 0);

	/* The same code again, in any case: already there. */
	assert_int_equal(ep->create_coupon(&w.env, &pct, &res, &err),
			 PROVIDER_EXISTS);
	pct.code = "sally-zed99";
	assert_int_equal(ep->create_coupon(&w.env, &pct, &res, &err),
			 PROVIDER_EXISTS);
	check_sent(&w, "SALLY-ZED99", "PERCENT", 15, "SINGLE", 1, 2);

	memset(&found, 0, sizeof(found));
	assert_int_equal(ep->find_coupon(&w.env, "sally-zed99", &found, &err),
			 PROVIDER_OK);
	assert_string_equal(found.platform_id, id);
	assert_string_equal(found.code, "SALLY-ZED99");
	assert_int_equal(ep->find_coupon(&w.env, "NO-SUCH", &found, &err),
			 PROVIDER_NOT_FOUND);

	/* Money off, written as decimal text; no usage limit. */
	assert_int_equal(ep->create_coupon(&w.env, &abs, &res, &err),
			 PROVIDER_OK);
	assert_string_not_equal(res.platform_id, id);
	check_sent(&w, "SALLY-10OFF", "ABS", 10, "UNLIMITED", 1, 0);
	buf_release(&err);
	world_stop(&w);
}

struct bad_coupon {
	const char *name;
	struct reward_request req;
	const char *words;
};

static struct bad_coupon bad_coupons[] = {
	{"over 100 percent",
	 {"BAD-1", "t", true, 15000, "USD", 2, NULL, 1},
	 "discount is out of range"},
	{"zero money", {"BAD-2", "t", false, 0, "USD", 2, NULL, 1}, "400"},
	{"another currency",
	 {"BAD-3", "t", false, 500, "EUR", 2, NULL, 1},
	 "store's currency USD"},
	{"no code", {"", "t", true, 1000, "USD", 2, NULL, 1}, "without a code"},
	{"code too long",
	 {"C123456789C123456789C123456789C123456789C123456789C123456789"
	  "C123456789C123456789C123456789C123456789C123456789C123456789XXXXXXXX"
	  "X",
	  "t", true, 1000, "USD", 2, NULL, 1},
	 "too long"},
};

static void test_bad_coupon(void **state)
{
	struct bad_coupon *c = *state;
	struct reward_result res;
	struct world w;
	struct buf err;

	world_start(&w, NULL);
	buf_init(&err, BUF_SMALL);
	memset(&res, 0, sizeof(res));
	assert_int_equal(ep->create_coupon(&w.env, &c->req, &res, &err),
			 PROVIDER_REJECTED);
	if (!strstr(buf_str(&err), c->words))
		fail_msg("'%s' lacks '%s'", buf_str(&err), c->words);
	buf_release(&err);
	world_stop(&w);
}

/*
 * The answer is lost after Ecwid made the coupon: the retry finds it
 * (EXISTS, then find_coupon), so there is still exactly one.
 */
static void test_coupon_lost_answer(void **state)
{
	struct reward_request req = {"SALLY-ONCE", "Once", true, 1000,
				     "USD",	   2,	   NULL, 1};
	struct reward_result res, found;
	struct world w;
	struct buf err;

	(void)state;
	world_start(&w, NULL);
	buf_init(&err, BUF_SMALL);
	sim_control(&w, "/_sim/faults", "{\"commit_then_drop_every\":1}");
	memset(&res, 0, sizeof(res));
	assert_int_equal(ep->create_coupon(&w.env, &req, &res, &err),
			 PROVIDER_RETRY);
	sim_control(&w, "/_sim/faults", "{}");
	assert_int_equal(ep->create_coupon(&w.env, &req, &res, &err),
			 PROVIDER_EXISTS);
	memset(&found, 0, sizeof(found));
	assert_int_equal(ep->find_coupon(&w.env, "SALLY-ONCE", &found, &err),
			 PROVIDER_OK);
	assert_true(found.platform_id[0] != '\0');
	check_sent(&w, "SALLY-ONCE", "PERCENT", 10, "SINGLE", 1, 1);
	buf_release(&err);
	world_stop(&w);
}

int main(void)
{
	struct CMUnitTest tests[48];
	size_t n = 0, i;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_install);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_install_refused);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_describe_shop);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fetch_order);
	for (i = 0; i < COUNT(fault_cases); i++)
		tests[n++] =
			(struct CMUnitTest){fault_cases[i].name, test_fault,
					    NULL, NULL, &fault_cases[i]};
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_no_answer);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_list_orders);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_list_bad_order);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_list_fixtures);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_list_order_moves);
	tests[n++] =
		(struct CMUnitTest)cmocka_unit_test(test_list_shared_second);
	tests[n++] =
		(struct CMUnitTest)cmocka_unit_test(test_list_crowded_second);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_list_sort);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_list_unsorted);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_coupons);
	for (i = 0; i < COUNT(bad_coupons); i++)
		tests[n++] = (struct CMUnitTest){bad_coupons[i].name,
						 test_bad_coupon, NULL, NULL,
						 &bad_coupons[i]};
	tests[n++] =
		(struct CMUnitTest)cmocka_unit_test(test_coupon_lost_answer);
	return _cmocka_run_group_tests("ecwid_provider", tests, n, NULL, NULL);
}
