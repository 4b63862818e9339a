/*
 * Clicks cannot be inflated (issue 20, finding 6): 2,000 clicks from one
 * address on one code are one click in the figures (one row), another
 * address counts again, an address past its per-minute limit is
 * redirected uncounted, and click rows older than the longest
 * attribution window are pruned at start.
 */
#include "harness.h"
#include "seed.h"

#include <curl/curl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SHOP "sally-mugs.myshopify.com"

static struct daemon_proc d;

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

static void db_exec(const char *sql)
{
	char path[256];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/affiliated.db", d.dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* n clicks on /r/code from the loopback address from; all 302. */
static void click(const char *code, const char *from, int n)
{
	char url[160], iface[64];
	CURL *c = curl_easy_init();
	long status;
	int i;

	assert_non_null(c);
	snprintf(url, sizeof(url), "%s/r/%s", d.base, code);
	snprintf(iface, sizeof(iface), "host!%s", from);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_INTERFACE, iface);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "Mozilla/5.0 (X11) Firefox");
	for (i = 0; i < n; i++) {
		assert_int_equal(curl_easy_perform(c), CURLE_OK);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		assert_int_equal(status, 302);
	}
	curl_easy_cleanup(c);
}

/* A shop, a program and one affiliate; code gets its referral code. */
static void start(const char *ini, char code[64])
{
	struct seeded s;
	sqlite3 *db;
	sqlite3_stmt *st;
	char path[256];

	daemon_prepare(&d, ini);
	seed_open(&d, &s);
	seed_shopify_shop(&s, SHOP, "Sally Mugs", "shpat_x");
	seed_affiliate(&s, seed_coupon_program(&s, "Partners", 0), "Clicky",
		       "clicky@example.com", "CLICKY20");
	seed_close(&s);
	snprintf(path, sizeof(path), "%s/affiliated.db", d.dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT code FROM affiliates",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(code, 64, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void stop(void)
{
	daemon_stop(&d);
	daemon_cleanup(&d);
}

static void test_counted_once_per_window(void **state)
{
	char code[64], sql[512];
	long long now = (long long)time(NULL);

	(void)state;
	start("[clicks]\nwindow = 1800\nper_address_per_minute = 0\n"
	      "keep_days = 90\n",
	      code);
	/* Clicks of 200 days ago go at start; 10 days ago stay. */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO clicks (shop_id, affiliate_id, program_id,"
		 " network, ip_hash, created_at) VALUES"
		 " (1, 1, 1, 'direct', 'old', %lld),"
		 " (1, 1, 1, 'direct', 'old', %lld),"
		 " (1, 1, 1, 'direct', 'recent', %lld)",
		 now - 200 * 86400, now - 100 * 86400, now - 10 * 86400);
	db_exec(sql);
	daemon_spawn(&d);
	assert_true(daemon_wait_log(&d, "event=clicks.pruned rows=2", 5000));
	assert_int_equal(db_number("SELECT count(*) FROM clicks"), 1);

	click(code, "127.0.0.1", 2000);
	assert_int_equal(db_number("SELECT count(*) FROM clicks"), 2);
	click(code, "127.0.0.3", 5);
	assert_int_equal(db_number("SELECT count(*) FROM clicks"), 3);
	stop();
}

static void test_rate_per_address(void **state)
{
	char code[64];

	(void)state;
	start("[clicks]\nwindow = 0\nper_address_per_minute = 50\n", code);
	daemon_spawn(&d);
	/* Each counts (no window), but only 50 a minute from one address;
	 * the test runs well within one minute, unless it straddles one. */
	click(code, "127.0.0.1", 200);
	assert_in_range(db_number("SELECT count(*) FROM clicks"), 50, 100);
	click(code, "127.0.0.4", 1);
	assert_in_range(db_number("SELECT count(*) FROM clicks"), 51, 101);
	stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counted_once_per_window),
		cmocka_unit_test(test_rate_per_address),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}
