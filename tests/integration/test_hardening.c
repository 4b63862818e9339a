/*
 * What an attacker on the machine or on loopback found (issue 20): files
 * others could read, a /healthz that said ok while nothing could be
 * stored, responses without nosniff, and a daemon one address could
 * starve with slow connections. Each case runs its own daemon.
 */
#include "util/crypto.h"
#include "util/encode.h"
#include "harness.h"
#include "seed.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
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

#define FLOOD	   100 /* connections from 127.0.0.1 */
#define PER_IP	   16
#define HEADER_S   2
#define BODY_S	   2
#define TRICKLE_MS 400

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A TCP connection to the daemon from the loopback address from. */
static int dial(const struct daemon_proc *d, const char *from)
{
	struct sockaddr_in src = {0}, dst = {0};
	struct timeval tv = {1, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	src.sin_family = AF_INET;
	inet_pton(AF_INET, from, &src.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0);
	dst.sin_family = AF_INET;
	dst.sin_port = htons(d->port);
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* GET /healthz from 127.0.0.2: answered 200 within a second? */
static bool healthz_from_other(const struct daemon_proc *d, double *took)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
				  "Connection: close\r\n\r\n";
	double t0 = now_s();
	char got[512];
	ssize_t n;
	int fd = dial(d, "127.0.0.2");
	bool ok;

	if (fd < 0)
		return false;
	n = send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL);
	n = n > 0 ? recv(fd, got, sizeof(got) - 1, 0) : -1;
	close(fd);
	*took = now_s() - t0;
	if (n <= 0)
		return false;
	got[n] = '\0';
	ok = strncmp(got, "HTTP/1.1 200", 12) == 0 && *took < 1.0;
	return ok;
}

/* Sends bytes slowly until the daemon cuts it; seconds it took. */
static double trickle_until_cut(int fd, const char *first, double max_s)
{
	double t0 = now_s();
	char c;

	assert_true(send(fd, first, strlen(first), MSG_NOSIGNAL) > 0);
	while (now_s() - t0 < max_s) {
		usleep(TRICKLE_MS * 1000);
		if (send(fd, "x", 1, MSG_NOSIGNAL) < 0)
			break;
		/* Nothing to read until the end: a cut reads 0 or fails. */
		if (recv(fd, &c, 1, MSG_DONTWAIT) == 0 ||
		    (errno != EAGAIN && errno != EWOULDBLOCK))
			break;
	}
	return now_s() - t0;
}

/*
 * Slowloris, bounded: FLOOD connections from 127.0.0.1, each trickling
 * a header line every TRICKLE_MS, while 127.0.0.2 asks for /healthz
 * again and again: every answer 200 within a second. Then the hard
 * deadlines: headers or a body sent one byte at a time are cut after
 * HEADER_S or BODY_S (plus the reaper's 0.2 s and some slack).
 */
static void test_slowloris(void **state)
{
	char ini[256];
	struct daemon_proc d;
	int fds[FLOOD], i, round, open_fds = 0;
	double took, cut;

	(void)state;
	snprintf(ini, sizeof(ini),
		 "[server]\nmax_connections = 64\nper_ip_connections = %d\n"
		 "header_timeout = %d\nbody_timeout = %d\n",
		 PER_IP, HEADER_S, BODY_S);
	daemon_start(&d, ini);
	for (i = 0; i < FLOOD; i++) {
		fds[i] = dial(&d, "127.0.0.1");
		if (fds[i] >= 0 && send(fds[i], "GET /healthz HTTP/1.1\r\n", 24,
					MSG_NOSIGNAL) > 0)
			open_fds++;
	}
	assert_true(open_fds > PER_IP);
	for (round = 0; round < 8; round++) {
		for (i = 0; i < FLOOD; i++)
			if (fds[i] >= 0)
				send(fds[i], "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
		if (!healthz_from_other(&d, &took))
			fail_msg("round %d: 127.0.0.2 got no 200 within a "
				 "second (%.2f s)",
				 round, took);
		usleep(TRICKLE_MS * 1000);
	}
	for (i = 0; i < FLOOD; i++)
		if (fds[i] >= 0)
			close(fds[i]);

	/* Once the flood is gone, one slow connection at a time. */
	usleep(500 * 1000);
	i = dial(&d, "127.0.0.1");
	assert_true(i >= 0);
	cut = trickle_until_cut(i, "GET /healthz HTTP/1.1\r\nX-A: ", 10);
	close(i);
	if (cut < HEADER_S - 0.5 || cut > HEADER_S + 1.5)
		fail_msg("headers cut after %.2f s, not about %d", cut,
			 HEADER_S);
	i = dial(&d, "127.0.0.1");
	assert_true(i >= 0);
	cut = trickle_until_cut(i,
				"POST /webhooks/shopify HTTP/1.1\r\nHost: x\r\n"
				"Content-Length: 100000\r\n\r\n",
				10);
	close(i);
	if (cut < BODY_S - 0.5 || cut > BODY_S + 1.5)
		fail_msg("body cut after %.2f s, not about %d", cut, BODY_S);
	assert_true(daemon_log_contains(&d, "phase=headers"));
	assert_true(daemon_log_contains(&d, "phase=body"));
	daemon_stop(&d);
	daemon_cleanup(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_modes),
		cmocka_unit_test(test_key_readable_refused),
		cmocka_unit_test(test_nosniff_everywhere),
		cmocka_unit_test(test_healthz_reports_writes),
		cmocka_unit_test(test_slowloris),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
