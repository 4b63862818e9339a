/*
 * Store first, parse later (issue 14). A delivery whose signature
 * verifies for a known shop is stored and answered 200 whatever its
 * body holds; the worker records why it failed, `deliveries list` shows
 * it and `deliveries retry` runs it again. Refusals (signature, headers,
 * shop, size) store nothing; a delivery answered 200 survives a SIGKILL;
 * a full disk is 503, never a 200 for something not stored.
 */
#include "util/crypto.h"
#include "util/encode.h"
#include "harness.h"
#include "seed.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#define SECRET "intake-secret-14"
#define SHOP   "sally-mugs.myshopify.com"
#define TOKEN  "shpat_intake_token"

static struct sim_proc sim;
static struct daemon_proc d;

static const char not_json[] = "this is not json";
static const char wrong_shape[] = "{\"id\":1,\"line_items\":\"three mugs\"}";

static void db_exec_blob(const char *sql, const void *blob, size_t len)
{
	char path[256];
	sqlite3 *db;
	sqlite3_stmt *s;

	snprintf(path, sizeof(path), "%s/affiliated.db", d.dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (blob)
		sqlite3_bind_blob(s, 1, blob, (int)len, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

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

/*
 * POSTs body as a Shopify delivery. Any of topic, id and secret NULL
 * leaves that header out. The status, or -1 when nothing answered (no
 * assertion: the burst threads call it too).
 */
static long post(const char *secret, const char *topic, const char *shop,
		 const char *id, const char *body, size_t len)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	char h_topic[96], h_shop[128], h_id[128], h_mac[128], url[128];
	const char *headers[6];
	struct http_reply r;
	struct buf b64;
	long status;
	int n = 0;

	buf_init(&b64, 64);
	if (secret) {
		crypto_hmac_sha256(secret, strlen(secret), body, len, mac);
		if (base64_encode(&b64, mac, sizeof(mac)) < 0)
			return -1;
		snprintf(h_mac, sizeof(h_mac), "X-Shopify-Hmac-Sha256: %s",
			 buf_str(&b64));
		headers[n++] = h_mac;
	}
	snprintf(h_topic, sizeof(h_topic), "X-Shopify-Topic: %s", topic);
	snprintf(h_shop, sizeof(h_shop), "X-Shopify-Shop-Domain: %s", shop);
	snprintf(h_id, sizeof(h_id), "X-Shopify-Webhook-Id: %s", id);
	if (topic)
		headers[n++] = h_topic;
	headers[n++] = h_shop;
	if (id)
		headers[n++] = h_id;
	headers[n] = NULL;
	snprintf(url, sizeof(url), "%s/webhooks/shopify", d.base);
	reply_init(&r);
	status = http_post(url, headers, body, len, &r) == 0 ? r.status : -1;
	reply_release(&r);
	buf_release(&b64);
	return status;
}

static long deliver(const char *id, const char *body, size_t len)
{
	return post(SECRET, "orders/paid", SHOP, id, body, len);
}

/* order_minimal.json, with "from" replaced by "to" when given. */
static void minimal_order(const char *from, const char *to, struct buf *out)
{
	struct buf body;
	const char *hit;

	buf_init(&body, BUF_LARGE);
	assert_int_equal(
		read_fixture("tests/fixtures/shopify/order_minimal.json",
			     &body),
		0);
	buf_reset(out);
	hit = from ? strstr(buf_str(&body), from) : NULL;
	if (from)
		assert_non_null(hit);
	if (hit)
		assert_int_equal(buf_printf(out, "%.*s%s%s",
					    (int)(hit - body.data), body.data,
					    to, hit + strlen(from)),
				 0);
	else
		assert_int_equal(buf_puts(out, buf_str(&body)), 0);
	buf_release(&body);
}

/* `deliveries list --json [--status S]`, parsed; the caller frees it. */
static cJSON *deliveries(const char *status)
{
	const char *args[] = {"deliveries", "list",
			      "--json",	    status ? "--status" : NULL,
			      status,	    NULL};
	struct buf out;
	cJSON *j;

	buf_init(&out, BUF_LARGE);
	assert_non_null(cli_out(&d, args, &out));
	j = cJSON_Parse(buf_str(&out));
	assert_true(cJSON_IsArray(j));
	buf_release(&out);
	return j;
}

/* The listed delivery with that delivery id, or NULL. */
static const cJSON *listed(const cJSON *list, const char *delivery_id)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, list)
	{
		const cJSON *id = cJSON_GetObjectItem(e, "delivery_id");

		if (cJSON_IsString(id) &&
		    strcmp(id->valuestring, delivery_id) == 0)
			return e;
	}
	return NULL;
}

/*
 * Waits up to 10 s for delivery_id to be listed in status after at least
 * min_attempts; copies its last_error into error and returns its id.
 */
static long long wait_delivery(const char *delivery_id, const char *status,
			       long long min_attempts, char *error, size_t n)
{
	long long id = 0, attempts = 0;
	char seen[32] = "nothing";
	int i;

	for (i = 0; i < 100; i++) {
		cJSON *list = deliveries(NULL);
		const cJSON *e = listed(list, delivery_id);

		if (e) {
			id = (long long)cJSON_GetObjectItem(e, "id")
				     ->valuedouble;
			attempts = (long long)cJSON_GetObjectItem(e, "attempts")
					   ->valuedouble;
			snprintf(seen, sizeof(seen), "%s",
				 cJSON_GetObjectItem(e, "status")->valuestring);
			snprintf(error, n, "%s",
				 cJSON_GetObjectItem(e, "last_error")
					 ->valuestring);
		}
		cJSON_Delete(list);
		if (strcmp(seen, status) == 0 && attempts >= min_attempts)
			return id;
		usleep(100 * 1000);
	}
	fail_msg("delivery %s: wanted %s after %lld attempts, have %s after "
		 "%lld ('%s')",
		 delivery_id, status, min_attempts, seen, attempts, error);
	return 0;
}

static void retry(long long id, int want_exit, const char *says)
{
	char arg[24];
	const char *args[] = {"deliveries", "retry", arg, NULL};
	struct buf out, err;

	snprintf(arg, sizeof(arg), "%lld", id);
	buf_init(&out, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(run_cli(&d, &out, &err, args), want_exit);
	if (!strstr(buf_str(want_exit ? &err : &out), says))
		fail_msg("retry %lld said '%s%s', not '%s'", id, buf_str(&out),
			 buf_str(&err), says);
	buf_release(&out);
	buf_release(&err);
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
	seed_shopify_shop(&s, SHOP, "Sally Mugs", TOKEN);
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

static void says(const char *error, const char *text)
{
	if (!strstr(error, text))
		fail_msg("the reason '%s' does not say '%s'", error, text);
}

/* Signed bodies that do not parse: 200, stored, failed with the reason. */
static void test_unparsable_stored_and_failed(void **state)
{
	struct buf impossible;
	char error[512];
	cJSON *failed;

	(void)state;
	buf_init(&impossible, BUF_LARGE);
	minimal_order("\"quantity\": 1", "\"quantity\": -3", &impossible);
	assert_int_equal(deliver("in-not-json", not_json, strlen(not_json)),
			 200);
	assert_int_equal(deliver("in-shape", wrong_shape, strlen(wrong_shape)),
			 200);
	assert_int_equal(deliver("in-numbers", impossible.data, impossible.len),
			 200);
	/* The same delivery again is a duplicate, still 200, stored once. */
	assert_int_equal(deliver("in-not-json", not_json, strlen(not_json)),
			 200);

	wait_delivery("in-not-json", "failed", 1, error, sizeof(error));
	says(error, "JSON");
	wait_delivery("in-shape", "failed", 1, error, sizeof(error));
	says(error, "currency");
	wait_delivery("in-numbers", "failed", 1, error, sizeof(error));
	says(error, "negative");

	failed = deliveries("failed");
	assert_int_equal(cJSON_GetArraySize(failed), 3);
	assert_non_null(listed(failed, "in-shape"));
	cJSON_Delete(failed);
	assert_int_equal(db_number("SELECT count(*) FROM inbox WHERE "
				   "delivery_id = 'in-not-json'"),
			 1);
	buf_release(&impossible);
}

/*
 * A replay runs the delivery again: unchanged it fails again with the
 * same reason and one more attempt; with its body fixed in the store (a
 * new build that reads it would do the same) it is processed.
 */
static void test_retry_replays(void **state)
{
	struct buf good;
	char before[512], after[512];
	long long id;

	(void)state;
	buf_init(&good, BUF_LARGE);
	id = wait_delivery("in-numbers", "failed", 1, before, sizeof(before));
	retry(id, 0, "queued again");
	wait_delivery("in-numbers", "failed", 2, after, sizeof(after));
	assert_string_equal(before, after);

	minimal_order(NULL, NULL, &good);
	db_exec_blob("UPDATE inbox_bodies SET body = ?1 WHERE inbox_id = "
		     "(SELECT id FROM inbox WHERE delivery_id = 'in-numbers')",
		     good.data, good.len);
	retry(id, 0, "queued again");
	wait_delivery("in-numbers", "done", 3, after, sizeof(after));
	assert_int_equal(db_number("SELECT count(*) FROM orders WHERE "
				   "platform_order_id = '5678123456789012351'"),
			 1);

	/* Done is done; an unknown id is an error. */
	retry(id, 1, "is done");
	retry(999999, 1, "no delivery 999999");
	buf_release(&good);
}

/* Refused at the door: the inbox is as it was. */
static void test_refusals_store_nothing(void **state)
{
	static char big[2 * 1024 * 1024];
	long long before = db_number("SELECT count(*) FROM inbox");

	(void)state;
	assert_int_equal(post("wrong-secret", "orders/paid", SHOP, "in-r1",
			      not_json, strlen(not_json)),
			 401);
	assert_int_equal(post(NULL, "orders/paid", SHOP, "in-r2", not_json,
			      strlen(not_json)),
			 401);
	assert_int_equal(
		post(SECRET, NULL, SHOP, "in-r3", not_json, strlen(not_json)),
		400);
	assert_int_equal(post(SECRET, "orders/paid", SHOP, NULL, not_json,
			      strlen(not_json)),
			 400);
	assert_int_equal(post(SECRET, "orders/paid", "nobody.myshopify.com",
			      "in-r5", not_json, strlen(not_json)),
			 404);
	memset(big, ' ', sizeof(big));
	assert_int_equal(deliver("in-r6", big, sizeof(big)), 413);
	assert_int_equal(db_number("SELECT count(*) FROM inbox"), before);
}

/* A full disk: 503 for a body that does not parse as for one that does. */
static void test_full_disk_is_503(void **state)
{
	struct rlimit old, tiny;
	long long before = db_number("SELECT count(*) FROM inbox");
	long status = 0;
	int i;

	(void)state;
	assert_int_equal(prlimit(d.pid, RLIMIT_FSIZE, NULL, &old), 0);
	tiny = old;
	tiny.rlim_cur = 1;
	assert_int_equal(prlimit(d.pid, RLIMIT_FSIZE, &tiny, NULL), 0);
	assert_int_equal(deliver("in-full", not_json, strlen(not_json)), 503);
	assert_int_equal(prlimit(d.pid, RLIMIT_FSIZE, &old, NULL), 0);
	assert_int_equal(db_number("SELECT count(*) FROM inbox"), before);
	for (i = 0; i < 50 && status != 200; i++) {
		status = deliver("in-full", not_json, strlen(not_json));
		if (status != 200)
			usleep(100 * 1000);
	}
	assert_int_equal(status, 200);
}

/* A cookie jar of one: every Set-Cookie pair of r appended to jar. */
static void keep_cookies(const struct http_reply *r, char *jar, size_t n)
{
	const char *p = buf_str(&r->headers);
	size_t len;

	while ((p = strcasestr(p, "\nSet-Cookie: "))) {
		p += 13;
		len = strcspn(p, ";\r\n");
		snprintf(jar + strlen(jar), n - strlen(jar), "%s%.*s",
			 jar[0] ? "; " : "", (int)len, p);
	}
}

static long browse(const char *method, const char *path, const char *body,
		   char *jar, size_t n, struct http_reply *r)
{
	char url[512], cookie[1100];
	const char *headers[] = {jar[0] ? cookie : NULL, NULL};

	snprintf(url, sizeof(url), "%s%s", d.base, path);
	snprintf(cookie, sizeof(cookie), "Cookie: %s", jar);
	assert_int_equal(http_request(method, url, headers, body,
				      body ? strlen(body) : 0, r),
			 0);
	keep_cookies(r, jar, n);
	return r->status;
}

/* The merchant's overview counts the deliveries the worker set aside. */
static void test_overview_counts_failed(void **state)
{
	const char *args[] = {"admin-link", "--shop", SHOP, NULL};
	char jar[1024] = "", form[512], csrf[80];
	const char *path, *v;
	struct http_reply r;
	struct buf out;

	(void)state;
	buf_init(&out, BUF_SMALL);
	reply_init(&r);
	assert_non_null(cli_out(&d, args, &out));
	path = strstr(buf_str(&out), "/admin/signin?token=");
	assert_non_null(path);
	((char *)out.data)[out.len - 1] = '\0';
	assert_int_equal(browse("GET", path, NULL, jar, sizeof(jar), &r), 200);
	v = strstr(buf_str(&r.body), "name=\"csrf\" value=\"");
	assert_non_null(v);
	v += 19;
	snprintf(csrf, sizeof(csrf), "%.*s", (int)strcspn(v, "\""), v);
	snprintf(form, sizeof(form), "csrf=%s&token=%s", csrf,
		 strchr(path, '=') + 1);
	assert_int_equal(
		browse("POST", "/admin/signin", form, jar, sizeof(jar), &r),
		303);
	assert_int_equal(browse("GET", "/admin", NULL, jar, sizeof(jar), &r),
			 200);
	/* in-not-json and in-shape are still failed (in-numbers is done). */
	if (!strstr(buf_str(&r.body), "id=\"deliveries-failed\">2 "))
		fail_msg("the overview does not count 2 failed deliveries");
	reply_release(&r);
	buf_release(&out);
}

#define BURST_THREADS 4
#define BURST_MAX     400

struct burst {
	int thread;
	const struct buf *body;
	int answered; /* ids that got a 200, in order */
};

static void *burst_main(void *arg)
{
	struct burst *b = arg;
	char id[32];
	int i;

	for (i = 0; i < BURST_MAX; i++) {
		snprintf(id, sizeof(id), "kill-%d-%d", b->thread, i);
		if (deliver(id, b->body->data, b->body->len) != 200)
			break;
		b->answered = i + 1;
	}
	return NULL;
}

/*
 * SIGKILL in the middle of a burst: every delivery answered 200 is in
 * the inbox after a restart. A thread's ids are sent in order, so the
 * ones answered are kill-T-0 .. kill-T-(answered-1).
 */
static void test_sigkill_loses_nothing_answered(void **state)
{
	struct burst b[BURST_THREADS];
	pthread_t t[BURST_THREADS];
	struct buf body;
	char id[32];
	cJSON *list;
	int i, j, total = 0;

	(void)state;
	buf_init(&body, BUF_LARGE);
	minimal_order(NULL, NULL, &body);
	for (i = 0; i < BURST_THREADS; i++) {
		b[i].thread = i;
		b[i].body = &body;
		b[i].answered = 0;
		assert_int_equal(pthread_create(&t[i], NULL, burst_main, &b[i]),
				 0);
	}
	usleep(400 * 1000);
	daemon_kill(&d);
	for (i = 0; i < BURST_THREADS; i++) {
		pthread_join(t[i], NULL);
		total += b[i].answered;
	}
	if (total == 0 || total == BURST_THREADS * BURST_MAX)
		fail_msg("the kill did not land mid-burst (%d answered)",
			 total);
	daemon_spawn(&d);
	list = deliveries(NULL);
	for (i = 0; i < BURST_THREADS; i++)
		for (j = 0; j < b[i].answered; j++) {
			snprintf(id, sizeof(id), "kill-%d-%d", i, j);
			if (!listed(list, id))
				fail_msg("%s was answered 200 and is gone", id);
		}
	cJSON_Delete(list);
	printf("# %d deliveries answered 200 before the SIGKILL, all kept\n",
	       total);
	buf_release(&body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unparsable_stored_and_failed),
		cmocka_unit_test(test_retry_replays),
		cmocka_unit_test(test_overview_counts_failed),
		cmocka_unit_test(test_refusals_store_nothing),
		cmocka_unit_test(test_full_disk_is_503),
		cmocka_unit_test(test_sigkill_loses_nothing_answered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
