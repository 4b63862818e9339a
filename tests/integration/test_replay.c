/*
 * Signed bodies replayed under unsigned headers (issue 20, finding 2).
 * Shopify signs the body only, so a captured body can be sent again
 * with another topic, another shop and a new webhook id. Two shops of
 * one app: every replay is refused with 401 and the store is checked to
 * be unchanged. The destructive topics also need the platform to
 * confirm: app/uninstalled with a token that still works is refused.
 */
#include "util/crypto.h"
#include "util/encode.h"
#include "harness.h"
#include "seed.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SECRET "replay-secret-5"
#define SHOP_A "sally-mugs.myshopify.com"
#define SHOP_B "bob-teapots.myshopify.com"
#define TOKEN  "shpat_replay_token"

static struct sim_proc sim;
static struct daemon_proc d;

/* One number from the daemon's database, read behind its back. */
static long long db_number(const char *sql)
{
	char path[256];
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v;

	snprintf(path, sizeof(path), "%s/affiliated.db", d.dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Polls sql for up to 10 s until it gives want. */
static void wait_number(const char *sql, long long want)
{
	int i;

	for (i = 0; i < 1000 && db_number(sql) != want; i++)
		usleep(10 * 1000);
	assert_int_equal(db_number(sql), want);
}

/* The store's whole state that a replay could change, as one string. */
static void snapshot(char *out, size_t n)
{
	snprintf(
		out, n,
		"inbox=%lld orders=%lld redacted=%lld tokens=%lld "
		"active=%lld privacy=%lld",
		db_number("SELECT count(*) FROM inbox"),
		db_number("SELECT count(*) FROM orders"),
		db_number("SELECT count(*) FROM affiliates"
			  " WHERE name = 'redacted'"),
		db_number("SELECT count(*) FROM shops WHERE token IS NOT NULL"),
		db_number("SELECT count(*) FROM shops WHERE status = 'active'"),
		db_number("SELECT count(*) FROM privacy_requests"));
}

/* POSTs body as a Shopify delivery signed with the app's secret. */
static long deliver(const char *topic, const char *shop, const char *id,
		    const char *body, size_t len)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	char h_topic[96], h_shop[128], h_id[128], h_mac[128], url[128];
	const char *headers[] = {
		h_topic, h_shop, h_id, h_mac, "X-Shopify-API-Version: 2026-07",
		NULL};
	struct http_reply r;
	struct buf b64;
	long status;

	crypto_hmac_sha256(SECRET, strlen(SECRET), body, len, mac);
	buf_init(&b64, 64);
	assert_int_equal(base64_encode(&b64, mac, sizeof(mac)), 0);
	snprintf(h_topic, sizeof(h_topic), "X-Shopify-Topic: %s", topic);
	snprintf(h_shop, sizeof(h_shop), "X-Shopify-Shop-Domain: %s", shop);
	snprintf(h_id, sizeof(h_id), "X-Shopify-Webhook-Id: %s", id);
	snprintf(h_mac, sizeof(h_mac), "X-Shopify-Hmac-Sha256: %s",
		 buf_str(&b64));
	snprintf(url, sizeof(url), "%s/webhooks/shopify", d.base);
	reply_init(&r);
	assert_int_equal(http_post(url, headers, body, len, &r), 0);
	status = r.status;
	reply_release(&r);
	buf_release(&b64);
	return status;
}

static long deliver_fixture(const char *topic, const char *shop, const char *id,
			    const char *file)
{
	char rel[160];
	struct buf body;
	long status;

	snprintf(rel, sizeof(rel), "tests/fixtures/shopify/%s", file);
	buf_init(&body, BUF_LARGE);
	assert_int_equal(read_fixture(rel, &body), 0);
	status = deliver(topic, shop, id, body.data, body.len);
	buf_release(&body);
	return status;
}

/* POSTs json to the simulator's control path; expects 200. */
/* app_uninstalled.json as shop's own: its myshopify_domain replaced. */
static long deliver_uninstall_of(const char *shop, const char *id)
{
	static const char from[] = "\"myshopify_domain\": \"" SHOP_A "\"";
	struct buf body, copy;
	const char *hit;
	long status;

	buf_init(&body, BUF_LARGE);
	buf_init(&copy, BUF_LARGE);
	assert_int_equal(
		read_fixture("tests/fixtures/shopify/app_uninstalled.json",
			     &body),
		0);
	hit = strstr(buf_str(&body), from);
	assert_non_null(hit);
	assert_int_equal(buf_printf(&copy, "%.*s\"myshopify_domain\": \"%s\"%s",
				    (int)(hit - body.data), body.data, shop,
				    hit + strlen(from)),
			 0);
	status = deliver("app/uninstalled", shop, id, copy.data, copy.len);
	buf_release(&body);
	buf_release(&copy);
	return status;
}

static void sim_control(const char *path, const char *json)
{
	struct http_reply r;
	char url[160];

	snprintf(url, sizeof(url), "%s%s", sim.base, path);
	reply_init(&r);
	assert_int_equal(http_post(url, NULL, json, strlen(json), &r), 0);
	assert_int_equal(r.status, 200);
	reply_release(&r);
}

static int setup(void **state)
{
	const char *args[] = {"--secret", SECRET, "--token", TOKEN, NULL};
	struct seeded s;
	char ini[512];

	(void)state;
	sim_start(&sim, "sim_shopify", args);
	snprintf(ini, sizeof(ini),
		 "[server]\nreconcile_interval = 0\n"
		 "[shopify]\napi_key = k\napi_secret = %s\n"
		 "base_url = %s/{shop}\n",
		 SECRET, sim.base);
	daemon_prepare(&d, ini);
	seed_open(&d, &s);
	seed_shopify_shop(&s, SHOP_A, "Sally Mugs", TOKEN);
	seed_affiliate(&s, seed_coupon_program(&s, "A", 0), "Ana",
		       "ana@example.net", "ANA10");
	seed_shopify_shop(&s, SHOP_B, "Bob Teapots", TOKEN);
	seed_affiliate(&s, seed_coupon_program(&s, "B", 0), "Bo",
		       "bo@example.net", "BO10");
	seed_close(&s);
	daemon_spawn(&d);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	daemon_stop(&d);
	daemon_cleanup(&d);
	sim_stop(&sim);
	return 0;
}

/* Each row: a signed body of one topic sent under other headers. */
static const struct replay {
	const char *what;
	const char *file;
	const char *topic;
	const char *shop;
} replays[] = {
	{"an order as shop/redact of another shop", "order_coupon.json",
	 "shop/redact", SHOP_B},
	{"an order as shop/redact of its own shop", "order_coupon.json",
	 "shop/redact", SHOP_A},
	{"an order as another shop's order", "order_coupon.json", "orders/paid",
	 SHOP_B},
	{"an order as app/uninstalled", "order_coupon.json", "app/uninstalled",
	 SHOP_A},
	{"an order as customers/redact", "order_coupon.json",
	 "customers/redact", SHOP_A},
	{"an order as a refund", "order_coupon.json", "refunds/create", SHOP_A},
	{"a refund as an order", "refund_one_line.json", "orders/paid", SHOP_A},
	{"a customer redaction for another shop", "customers_redact.json",
	 "customers/redact", SHOP_B},
	{"a customer redaction as shop/redact", "customers_redact.json",
	 "shop/redact", SHOP_A},
	{"a data request as customers/redact", "customers_data_request.json",
	 "customers/redact", SHOP_A},
	{"a shop redaction for another shop", "shop_redact.json", "shop/redact",
	 SHOP_B},
	{"a shop redaction as customers/redact", "shop_redact.json",
	 "customers/redact", SHOP_A},
	{"an uninstall of another shop", "app_uninstalled.json",
	 "app/uninstalled", SHOP_B},
	{"an uninstall as shop/redact", "app_uninstalled.json", "shop/redact",
	 SHOP_A},
};

static void test_replays_refused(void **state)
{
	char before[256], after[256], id[32];
	size_t i;

	(void)state;
	snapshot(before, sizeof(before));
	for (i = 0; i < sizeof(replays) / sizeof(replays[0]); i++) {
		const struct replay *c = &replays[i];
		long status;

		snprintf(id, sizeof(id), "wh-replay-%zu", i);
		status = deliver_fixture(c->topic, c->shop, id, c->file);
		if (status != 401)
			fail_msg("%s: answered %ld, not 401", c->what, status);
	}
	assert_true(daemon_wait_log(&d, "reason=mismatch", 1000));
	snapshot(after, sizeof(after));
	assert_string_equal(before, after);
}

/* The genuine bodies still go through, each for its own shop. */
static void test_genuine_accepted(void **state)
{
	(void)state;
	assert_int_equal(deliver_fixture("orders/paid", SHOP_A, "wh-g1",
					 "order_coupon.json"),
			 200);
	assert_int_equal(deliver_fixture("customers/redact", SHOP_A, "wh-g2",
					 "customers_redact.json"),
			 200);
	assert_int_equal(deliver_fixture("customers/data_request", SHOP_A,
					 "wh-g3",
					 "customers_data_request.json"),
			 200);
}

/*
 * A genuine app/uninstalled body, but the shop's token still works: the
 * platform says the app is installed, so nothing is erased. Once the
 * token is refused (the app is gone), the same delivery goes through.
 */
static void test_uninstall_confirmed(void **state)
{
	char before[256], after[256];

	(void)state;
	snapshot(before, sizeof(before));
	assert_int_equal(deliver_fixture("app/uninstalled", SHOP_A, "wh-u1",
					 "app_uninstalled.json"),
			 401);
	assert_int_equal(deliver_fixture("shop/redact", SHOP_A, "wh-r1",
					 "shop_redact.json"),
			 401);
	assert_true(daemon_wait_log(&d, "reason=refuted", 1000));
	snapshot(after, sizeof(after));
	assert_string_equal(before, after);

	/* The merchant uninstalls: Shopify revokes the shop's tokens. */
	sim_control("/_sim/uninstall", "{\"shop\":\"" SHOP_A "\"}");
	assert_int_equal(deliver_fixture("app/uninstalled", SHOP_A, "wh-u1",
					 "app_uninstalled.json"),
			 200);
	wait_number("SELECT count(*) FROM shops WHERE domain = '" SHOP_A
		    "' AND token IS NULL",
		    1);
	/* Uninstalled: no token left, the record is the confirmation. */
	assert_int_equal(deliver_fixture("shop/redact", SHOP_A, "wh-r1",
					 "shop_redact.json"),
			 200);
	/* The other shop's token still works: its uninstall is refuted
	 * even with a body of the right shape and shop. */
	assert_int_equal(deliver_uninstall_of(SHOP_B, "wh-u2"), 401);
	/* The other shop, whose token still works, is untouched. */
	assert_int_equal(
		db_number("SELECT count(*) FROM shops WHERE domain = '" SHOP_B
			  "' AND status = 'active'"
			  " AND token IS NOT NULL"),
		1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replays_refused),
		cmocka_unit_test(test_genuine_accepted),
		cmocka_unit_test(test_uninstall_confirmed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
