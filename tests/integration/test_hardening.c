/*
 * What an attacker on the machine or on loopback found (issue 20): files
 * others could read, a /healthz that said ok while nothing could be
 * stored, responses without nosniff, and a daemon one address could
 * starve with slow connections. Each case runs its own daemon.
 */
#include "harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_modes),
		cmocka_unit_test(test_key_readable_refused),
		cmocka_unit_test(test_nosniff_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
