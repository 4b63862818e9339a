/* The daemon's plumbing: CLI, config errors, start-up refusals, HTTP. */
#include "harness.h"
#include "util/clock.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int file_exists(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void test_health_and_metrics(void **state)
{
	struct daemon_proc d;
	struct http_reply r;
	char url[128], id[64];

	(void)state;
	daemon_start(&d, NULL);
	reply_init(&r);
	snprintf(url, sizeof(url), "%s/healthz", d.base);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_str(&r.body), "ok\n");
	assert_non_null(reply_header(&r, "X-Request-Id", id, sizeof(id)));
	assert_int_equal(strlen(id), 16);

	/* A request is counted when it completes, which is after its answer
	 * reached the client: the next request may come first. */
	snprintf(url, sizeof(url), "%s/metrics", d.base);
	for (int tries = 0;; tries++) {
		assert_int_equal(http_get(url, NULL, &r), 0);
		assert_int_equal(r.status, 200);
		if (strstr(buf_str(&r.body),
			   "affiliated_http_requests_total{"
			   "route=\"/healthz\",status=\"200\"} "
			   "1") ||
		    tries == 100)
			break;
		clock_sleep_ms(10);
	}
	assert_non_null(strstr(buf_str(&r.body),
			       "affiliated_http_requests_total{route=\"/"
			       "healthz\",status=\"200\"} 1"));
	assert_non_null(strstr(buf_str(&r.body),
			       "affiliated_http_request_duration_seconds_"
			       "bucket{le=\"+Inf\"}"));
	reply_release(&r);
	daemon_stop(&d);
	assert_true(daemon_log_contains(
		&d, "event=http.request id=" /* one line per request */));
	assert_true(daemon_log_contains(&d, "route=/healthz path=/healthz "
					    "status=200 bytes=3 usec="));
	daemon_cleanup(&d);
}

static void test_http_errors(void **state)
{
	struct daemon_proc d;
	struct http_reply r;
	char url[128], allow[64];
	static char big[4096];

	(void)state;
	daemon_start(&d, "[server]\nmax_body = 2048\n");
	reply_init(&r);
	snprintf(url, sizeof(url), "%s/no/such/path", d.base);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	assert_string_equal(buf_str(&r.body), "{\"error\":\"no such path\"}");

	snprintf(url, sizeof(url), "%s/healthz", d.base);
	assert_int_equal(http_post(url, NULL, "x", 1, &r), 0);
	assert_int_equal(r.status, 405);
	assert_non_null(strstr(buf_str(&r.body), "\"error\""));
	assert_string_equal(reply_header(&r, "Allow", allow, sizeof(allow)),
			    "GET");

	memset(big, 'a', sizeof(big));
	assert_int_equal(http_post(url, NULL, big, sizeof(big), &r), 0);
	assert_int_equal(r.status, 413);
	assert_string_equal(buf_str(&r.body),
			    "{\"error\":\"body larger than 2048 bytes\"}");

	assert_int_equal(http_request("HEAD", url, NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	reply_release(&r);
	daemon_stop(&d);
	daemon_cleanup(&d);
}

/* A chunked body has no Content-Length: the cap must hold while reading. */
static void test_chunked_oversize(void **state)
{
	struct daemon_proc d;
	struct http_reply r;
	const char *headers[] = {"Transfer-Encoding: chunked", NULL};
	char url[128];
	static char big[8192];

	(void)state;
	daemon_start(&d, "[server]\nmax_body = 2048\n");
	reply_init(&r);
	memset(big, 'b', sizeof(big));
	snprintf(url, sizeof(url), "%s/healthz", d.base);
	assert_int_equal(http_post(url, headers, big, sizeof(big), &r), 0);
	assert_int_equal(r.status, 413);
	reply_release(&r);
	daemon_stop(&d);
	daemon_cleanup(&d);
}

/* A chunked upload of up to limit bytes of 'c', as fast as it is read. */
struct endless_body {
	curl_off_t sent, limit;
};

static size_t endless_read(char *out, size_t size, size_t n, void *arg)
{
	struct endless_body *e = arg;
	size_t len = size * n;

	if ((curl_off_t)len > e->limit - e->sent)
		len = (size_t)(e->limit - e->sent);
	memset(out, 'c', len);
	e->sent += (curl_off_t)len;
	return len;
}

static size_t drop_answer(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

/*
 * A chunked body names no length, so the daemon reads and drops it only up
 * to 16 MiB, then answers 413 and closes. The client sees the 413, or a
 * cut while still sending; either way it could not send 256 MiB, and the
 * daemon keeps serving.
 */
static void test_chunked_endless(void **state)
{
	struct daemon_proc d;
	struct http_reply r;
	struct endless_body e = {0, 256LL * 1024 * 1024};
	struct curl_slist *headers = NULL;
	CURL *c = curl_easy_init();
	char url[128];
	long status = 0;
	CURLcode rc;

	(void)state;
	daemon_start(&d, "[server]\nmax_body = 2048\n");
	headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
	headers = curl_slist_append(headers, "Expect:");
	snprintf(url, sizeof(url), "%s/webhooks/shopify", d.base);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, endless_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &e);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, drop_answer);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	assert_true(rc != CURLE_OK || status == 413);
	assert_true(e.sent < 64LL * 1024 * 1024);

	reply_init(&r);
	snprintf(url, sizeof(url), "%s/healthz", d.base);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	reply_release(&r);
	daemon_stop(&d);
	assert_true(
		daemon_log_contains(&d, "path=/webhooks/shopify status=413"));
	daemon_cleanup(&d);
}

static void expect_cli(const struct daemon_proc *d, const char *const *args,
		       int code, const char *in_stdout, const char *in_stderr)
{
	struct buf out, err;
	int rc;

	buf_init(&out, BUF_LARGE);
	buf_init(&err, BUF_LARGE);
	rc = run_cli(d, &out, &err, args);
	if (rc != code || (in_stdout && !strstr(buf_str(&out), in_stdout)) ||
	    (in_stderr && !strstr(buf_str(&err), in_stderr))) {
		fprintf(stderr, "exit %d (want %d)\nstdout: %s\nstderr: %s\n",
			rc, code, buf_str(&out), buf_str(&err));
		fail();
	}
	buf_release(&out);
	buf_release(&err);
}

static void test_cli_usage(void **state)
{
	const char *version[] = {"--version", NULL};
	const char *unknown[] = {"frobnicate", NULL};
	const char *badflag[] = {"serve", "--frob", NULL};
	const char *help[] = {"serve", "--help", NULL};
	const char *none[] = {NULL};
	struct buf err;

	(void)state;
	expect_cli(NULL, version, 0, "affiliated ", NULL);
	expect_cli(NULL, unknown, 2, NULL,
		   "affiliated: unknown command 'frobnicate'");
	expect_cli(NULL, badflag, 2, NULL,
		   "affiliated: unknown option '--frob'");
	expect_cli(NULL, help, 0, "usage: affiliated serve", NULL);
	expect_cli(NULL, none, 2, NULL, "usage: affiliated <command>");

	/* Usage errors are one line. */
	buf_init(&err, BUF_SMALL);
	assert_int_equal(run_cli(NULL, NULL, &err, badflag), 2);
	assert_non_null(strchr(buf_str(&err), '\n'));
	assert_string_equal(strchr(buf_str(&err), '\n'), "\n");
	buf_release(&err);
}

static void test_check_config(void **state)
{
	struct daemon_proc d;
	const char *check[] = {"check-config", NULL};
	char path[256], text[512];

	(void)state;
	daemon_prepare(&d, "[shopify]\napi_secret = hush-hush\n");
	expect_cli(&d, check, 0, "api_secret = ******** ; file", NULL);
	expect_cli(&d, check, 0, "configuration OK", NULL);

	snprintf(path, sizeof(path), "%s/broken.conf", d.dir);
	write_file(path, "[server]\nlisten = 127.0.0.1:0\n\n"
			 "max_body = lots\n");
	snprintf(text, sizeof(text), "%s:4: key 'max_body'", path);
	{
		const char *args[] = {"check-config", "--config", path, NULL};

		expect_cli(NULL, args, 1, NULL, text);
	}
	write_file(path, "[server]\nlisten = 127.0.0.1:0\n[nope]\nx = 1\n");
	snprintf(text, sizeof(text), "%s:3: unknown section 'nope'", path);
	{
		const char *args[] = {"check-config", "--config", path, NULL};

		expect_cli(NULL, args, 1, NULL, text);
	}
	write_file(path, "[server]\nlisten = 127.0.0.1:0\nlistne = x\n");
	snprintf(text, sizeof(text), "%s:3: unknown key 'listne'", path);
	{
		const char *args[] = {"check-config", "--config", path, NULL};

		expect_cli(NULL, args, 1, NULL, text);
	}
	write_file(path, "[server]\nlisten = somewhere\n");
	{
		const char *args[] = {"check-config", "--config", path, NULL};

		expect_cli(NULL, args, 1, NULL, "key 'listen'");
	}
	{
		const char *args[] = {"check-config", "--config",
				      "/nonexistent/x.conf", NULL};

		expect_cli(NULL, args, 1, NULL,
			   "/nonexistent/x.conf: cannot read");
	}
	daemon_cleanup(&d);
}

static void test_refusals_create_nothing(void **state)
{
	struct daemon_proc a, b;
	const char *serve[] = {"serve", NULL};
	char path[256], extra[256];

	(void)state;
	/* Port in use: the second daemon stops before making any file. */
	daemon_start(&a, NULL);
	snprintf(extra, sizeof(extra), "[server]\nlisten = 127.0.0.1:%u\n",
		 a.port);
	daemon_prepare(&b, extra);
	expect_cli(&b, serve, 1, NULL, "affiliated: listen: cannot listen");
	assert_false(file_exists(b.dir, "affiliated.db"));
	assert_false(file_exists(b.dir, "master.key"));
	daemon_stop(&a);
	daemon_cleanup(&a);
	daemon_cleanup(&b);

	/*
	 * Admin origins that no Content-Security-Policy header can hold (a
	 * file's line cannot be that long; the environment's can).
	 */
	{
		struct buf origins, err;
		int i, rc;

		buf_init(&origins, BUF_LARGE);
		buf_init(&err, BUF_SMALL);
		for (i = 0; i < 300; i++)
			assert_int_equal(buf_printf(&origins,
						    " https://cp%d.example.com",
						    i),
					 0);
		daemon_prepare(&b, NULL);
		setenv("AFFILIATED_ECWID_ADMIN_ORIGINS", buf_str(&origins), 1);
		rc = run_cli(&b, NULL, &err, serve);
		/* Gone before any assertion, which would skip the rest. */
		unsetenv("AFFILIATED_ECWID_ADMIN_ORIGINS");
		assert_int_equal(rc, 1);
		assert_non_null(strstr(buf_str(&err),
				       "affiliated: config: admin_origins and "
				       "sdk_url are too long together"));
		assert_false(file_exists(b.dir, "affiliated.db"));
		assert_false(file_exists(b.dir, "master.key"));
		daemon_cleanup(&b);
		buf_release(&origins);
		buf_release(&err);
	}

	/* A data directory that cannot hold the database. */
	daemon_prepare(&b, "[store]\npath = /nonexistent/dir/a.db\n");
	expect_cli(&b, serve, 1, NULL, "directory '/nonexistent/dir'");
	assert_false(file_exists(b.dir, "master.key"));
	daemon_cleanup(&b);

	/* A file that is not a database is refused and left untouched. */
	daemon_prepare(&b, NULL);
	snprintf(path, sizeof(path), "%s/affiliated.db", b.dir);
	write_file(path, "this is not a database, it is a shopping list\n");
	expect_cli(&b, serve, 1, NULL, "corrupt or not a SQLite database");
	assert_false(file_exists(b.dir, "master.key"));
	{
		struct buf text;

		buf_init(&text, BUF_SMALL);
		assert_int_equal(read_path(path, &text), 0);
		assert_string_equal(buf_str(&text), "this is not a database, "
						    "it is a shopping list\n");
		assert_false(file_exists(b.dir, "affiliated.db-wal"));
		buf_release(&text);
	}
	daemon_cleanup(&b);
}

static void test_newer_database(void **state)
{
	struct daemon_proc d;
	const char *migrate[] = {"migrate", NULL};
	const char *serve[] = {"serve", NULL};
	char path[256];
	sqlite3 *db;

	(void)state;
	daemon_prepare(&d, NULL);
	expect_cli(&d, migrate, 0, "(", NULL);
	expect_cli(&d, migrate, 0, "(0 applied)", NULL);
	snprintf(path, sizeof(path), "%s/affiliated.db", d.dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO schema_version VALUES "
				      "(999, 0)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	expect_cli(&d, serve, 1, NULL,
		   "schema version 999, newer than this binary");
	expect_cli(&d, migrate, 1, NULL, "newer than this binary");
	daemon_cleanup(&d);
}

static int connect_to(const struct daemon_proc *d)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(d->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Reads until the peer closes or n - 1 bytes; a string. */
static void read_reply(int fd, char *out, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n - 1 && (r = read(fd, out + got, n - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
}

/*
 * Oversize bodies get their 413 whether the client is still sending or
 * not: a declared 3 KB body is read to its end first (no reset for the
 * client), a declared 100 GB one is answered at once.
 */
static void test_oversize_answers(void **state)
{
	struct daemon_proc d;
	char reply[2048], body[3072];
	const char *huge = "POST /healthz HTTP/1.1\r\nHost: x\r\n"
			   "Content-Length: 100000000000\r\n\r\nabc";
	const char *head = "POST /healthz HTTP/1.1\r\nHost: x\r\n"
			   "Content-Length: 3072\r\nConnection: close\r\n\r\n";
	int fd;

	(void)state;
	daemon_start(&d, "[server]\nmax_body = 2048\n");
	fd = connect_to(&d);
	assert_int_equal(write(fd, huge, strlen(huge)), (ssize_t)strlen(huge));
	read_reply(fd, reply, sizeof(reply));
	assert_non_null(strstr(reply, "413"));
	assert_non_null(strstr(reply, "body larger than 2048 bytes"));
	close(fd);

	fd = connect_to(&d);
	memset(body, 'c', sizeof(body));
	assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	/* Half now, half later: the answer waits for the whole body. */
	assert_int_equal(write(fd, body, 1536), 1536);
	usleep(100 * 1000);
	assert_int_equal(write(fd, body + 1536, 1536), 1536);
	read_reply(fd, reply, sizeof(reply));
	assert_non_null(strstr(reply, "413"));
	close(fd);
	daemon_stop(&d);
	daemon_cleanup(&d);
}

/* SIGTERM while a request is half-sent: it still gets its answer. */
static void test_graceful_stop(void **state)
{
	struct daemon_proc d;
	struct sockaddr_in sa;
	char reply[1024];
	const char *head = "POST /healthz HTTP/1.1\r\nHost: x\r\n"
			   "Content-Length: 10\r\n\r\n12345";
	ssize_t n;
	int fd;

	(void)state;
	daemon_start(&d, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(d.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	usleep(200 * 1000);
	kill(d.pid, SIGTERM);
	assert_true(daemon_wait_log(&d, "event=server.stopping", 5000));
	assert_int_equal(write(fd, "67890", 5), 5);
	n = read(fd, reply, sizeof(reply) - 1);
	assert_true(n > 0);
	reply[n] = '\0';
	assert_non_null(strstr(reply, "405 Method Not Allowed"));
	close(fd);
	daemon_stop(&d);
	assert_true(daemon_log_contains(&d, "event=server.stopped"));
	daemon_cleanup(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_and_metrics),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_chunked_oversize),
		cmocka_unit_test(test_oversize_answers),
		cmocka_unit_test(test_chunked_endless),
		cmocka_unit_test(test_cli_usage),
		cmocka_unit_test(test_check_config),
		cmocka_unit_test(test_refusals_create_nothing),
		cmocka_unit_test(test_newer_database),
		cmocka_unit_test(test_graceful_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
