/*
 * What an attacker on the machine or on loopback found (issue 20): files
 * others could read, a /healthz that said ok while nothing could be
 * stored, responses without nosniff, and a daemon one address could
 * starve with slow connections. Each case runs its own daemon.
 */
#include "crypto.h"
#include "encode.h"
#include "harness.h"
#include "seed.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static mode_t mode_of(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) < 0)
		fail_msg("no %s", path);
	return st.st_mode & 07777;
}

/* Waits up to 5 s for /healthz to answer 200. */
static void wait_healthz(const struct daemon_proc *d)
{
	struct http_reply r;
	char url[128];
	int i;

	snprintf(url, sizeof(url), "%s/healthz", d->base);
	reply_init(&r);
	for (i = 0; i < 500; i++) {
		if (http_get(url, NULL, &r) == 0 && r.status == 200)
			break;
		usleep(10 * 1000);
	}
	assert_int_equal(r.status, 200);
	reply_release(&r);
}

/* Started as a shell with the usual umask would start it. */
static void test_file_modes(void **state)
{
	const char *names[] = {"affiliated.db", "affiliated.db-wal",
			       "affiliated.db-shm", "master.key"};
	struct daemon_proc d;
	char path[256];
	size_t i;

	(void)state;
	umask(022);
	daemon_start(&d, NULL);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (mode_of(d.dir, names[i]) != 0600)
			fail_msg("%s is %04o, not 0600", names[i],
				 (unsigned)mode_of(d.dir, names[i]));
	daemon_stop(&d);
	/* A database an older build left 0644 is closed at the next start. */
	snprintf(path, sizeof(path), "%s/affiliated.db", d.dir);
	assert_int_equal(chmod(path, 0644), 0);
	/* A fresh log: the spawn waits for this run's readiness line. */
	assert_int_equal(truncate(d.log, 0), 0);
	daemon_spawn(&d);
	wait_healthz(&d);
	assert_int_equal(mode_of(d.dir, "affiliated.db"), 0600);
	assert_int_equal(mode_of(d.dir, "affiliated.db-wal"), 0600);
	assert_true(daemon_log_contains(&d, "event=store.mode_tightened"));
	daemon_stop(&d);
	daemon_cleanup(&d);
}

/* A key others may read: refused, naming the file and the chmod. */
static void test_key_readable_refused(void **state)
{
	const char *serve[] = {"serve", NULL};
	unsigned char key[32];
	struct daemon_proc d;
	struct buf out, err;
	char path[256], want[320];
	int fd;

	(void)state;
	daemon_prepare(&d, NULL);
	snprintf(path, sizeof(path), "%s/master.key", d.dir);
	memset(key, 7, sizeof(key));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, key, sizeof(key)), (ssize_t)sizeof(key));
	close(fd);
	assert_int_equal(chmod(path, 0644), 0);
	buf_init(&out, BUF_SMALL);
	buf_init(&err, BUF_LARGE);
	assert_int_not_equal(run_cli(&d, &out, &err, serve), 0);
	snprintf(want, sizeof(want), "run 'chmod 600 %s'", path);
	if (!strstr(buf_str(&err), want))
		fail_msg("serve said: %s", buf_str(&err));
	/* Fixed as told, it starts. */
	assert_int_equal(chmod(path, 0600), 0);
	daemon_spawn(&d);
	daemon_stop(&d);
	buf_release(&out);
	buf_release(&err);
	daemon_cleanup(&d);
}

/* How many times the raw header block holds name: value (any case). */
static int header_count(const struct http_reply *r, const char *line)
{
	const char *p = buf_str(&r->headers);
	size_t n = strlen(line);
	int count = 0;

	for (; *p; p++)
		if (strncasecmp(p, line, n) == 0)
			count++;
	return count;
}

/* Pages, errors, JSON, scripts, metrics, redirects: nosniff, once. */
static void test_nosniff_everywhere(void **state)
{
	static const struct {
		const char *method, *path;
		long status;
	} calls[] = {
		{"GET", "/healthz", 200},
		{"GET", "/metrics", 200},
		{"GET", "/no/such/path", 404},
		{"DELETE", "/healthz", 405},
		{"POST", "/webhooks/shopify", 401},
		{"POST", "/webhooks/nowhere", 404},
		{"GET", "/r/NO-SUCH-CODE", 404},
		{"GET", "/storefront/shopify.js", 200},
		{"GET", "/embed/ecwid.js", 200},
		{"GET", "/wizard", 401},
		{"GET", "/a/nobody.myshopify.com/signup", 404},
	};
	struct daemon_proc d;
	struct http_reply r;
	char url[256];
	size_t i;

	(void)state;
	daemon_start(&d, "[shopify]\napi_key = k\napi_secret = s\n"
			 "[ecwid]\nclient_id = c\nclient_secret = "
			 "0123456789abcdef0123\n");
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		reply_init(&r);
		snprintf(url, sizeof(url), "%s%s", d.base, calls[i].path);
		assert_int_equal(
			http_request(calls[i].method, url, NULL, "{}", 2, &r),
			0);
		if (r.status != calls[i].status)
			fail_msg("%s %s: %ld", calls[i].method, calls[i].path,
				 r.status);
		if (header_count(&r, "X-Content-Type-Options: nosniff") != 1)
			fail_msg("%s %s: nosniff %d times", calls[i].method,
				 calls[i].path,
				 header_count(&r, "X-Content-Type-Options:"));
		reply_release(&r);
	}
	daemon_stop(&d);
	daemon_cleanup(&d);
}

#define SECRET "hardening-secret"
#define SHOP   "sally-mugs.myshopify.com"

/* POSTs an order fixture as a signed Shopify delivery; the status. */
static long deliver(const struct daemon_proc *d, const char *id)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	char h_id[96], h_mac[96], url[128];
	const char *headers[] = {"X-Shopify-Topic: orders/paid",
				 "X-Shopify-Shop-Domain: " SHOP, h_id, h_mac,
				 NULL};
	struct http_reply r;
	struct buf body, b64;
	long status;

	buf_init(&body, BUF_LARGE);
	buf_init(&b64, 64);
	assert_int_equal(
		read_fixture("tests/fixtures/shopify/order_coupon.json", &body),
		0);
	crypto_hmac_sha256(SECRET, strlen(SECRET), body.data, body.len, mac);
	assert_int_equal(base64_encode(&b64, mac, sizeof(mac)), 0);
	snprintf(h_id, sizeof(h_id), "X-Shopify-Webhook-Id: %s", id);
	snprintf(h_mac, sizeof(h_mac), "X-Shopify-Hmac-Sha256: %s",
		 buf_str(&b64));
	snprintf(url, sizeof(url), "%s/webhooks/shopify", d->base);
	reply_init(&r);
	assert_int_equal(http_post(url, headers, body.data, body.len, &r), 0);
	status = r.status;
	reply_release(&r);
	buf_release(&body);
	buf_release(&b64);
	return status;
}

static long healthz(const struct daemon_proc *d, struct buf *text)
{
	struct http_reply r;
	char url[128];
	long status;

	snprintf(url, sizeof(url), "%s/healthz", d->base);
	reply_init(&r);
	assert_int_equal(http_get(url, NULL, &r), 0);
	status = r.status;
	buf_reset(text);
	assert_int_equal(buf_printf(text, "%s", buf_str(&r.body)), 0);
	reply_release(&r);
	return status;
}

/*
 * A file size limit of one byte on the running daemon is a full disk to
 * SQLite: every write fails. /healthz says so (503 with the reason) and
 * says ok again, by itself, once the disk has room.
 */
static void test_healthz_reports_writes(void **state)
{
	struct rlimit old, tiny;
	struct daemon_proc d;
	struct seeded s;
	struct buf text;
	int i;

	(void)state;
	buf_init(&text, BUF_SMALL);
	daemon_prepare(&d, "[shopify]\napi_key = k\napi_secret = " SECRET
			   "\n[server]\nreconcile_interval = 0\n");
	seed_open(&d, &s);
	seed_shopify_shop(&s, SHOP, "Sally Mugs", "shpat_x");
	seed_close(&s);
	daemon_spawn(&d);
	assert_int_equal(healthz(&d, &text), 200);
	assert_int_equal(deliver(&d, "wh-h1"), 200);

	assert_int_equal(prlimit(d.pid, RLIMIT_FSIZE, NULL, &old), 0);
	tiny = old;
	tiny.rlim_cur = 1;
	assert_int_equal(prlimit(d.pid, RLIMIT_FSIZE, &tiny, NULL), 0);
	assert_int_equal(deliver(&d, "wh-h2"), 503);
	assert_int_equal(healthz(&d, &text), 503);
	if (!strstr(buf_str(&text), "writes are failing"))
		fail_msg("healthz said: %s", buf_str(&text));
	/* Still failing a second later: the probe fails too. */
	usleep(1100 * 1000);
	assert_int_equal(healthz(&d, &text), 503);

	assert_int_equal(prlimit(d.pid, RLIMIT_FSIZE, &old, NULL), 0);
	for (i = 0; i < 30 && healthz(&d, &text) != 200; i++)
		usleep(100 * 1000);
	assert_int_equal(healthz(&d, &text), 200);
	assert_int_equal(deliver(&d, "wh-h2"), 200);
	daemon_stop(&d);
	daemon_cleanup(&d);
	buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_modes),
		cmocka_unit_test(test_key_readable_refused),
		cmocka_unit_test(test_nosniff_everywhere),
		cmocka_unit_test(test_healthz_reports_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
