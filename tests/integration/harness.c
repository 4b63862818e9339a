#include "harness.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define START_TIMEOUT_MS 20000

const char *source_dir(void)
{
	const char *s = getenv("AFFILIATED_SOURCE_DIR");

	return s && s[0] ? s : ".";
}

static const char *daemon_bin(void)
{
	const char *s = getenv("AFFILIATED_BIN");

	/* ctest names the binary of its own build tree; there is no default
	 * that could pick another tree's binary. */
	if (!s || !s[0]) {
		fprintf(stderr, "harness: AFFILIATED_BIN is not set "
				"(run the tests with ctest)\n");
		exit(2);
	}
	return s;
}

static int slurp(const char *path, struct buf *out)
{
	char chunk[8192];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = 0;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(out, chunk, n) < 0) {
			rc = -1;
			break;
		}
	fclose(f);
	return rc;
}

int read_path(const char *path, struct buf *out)
{
	return slurp(path, out);
}

int read_fixture(const char *relpath, struct buf *out)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", source_dir(), relpath);
	return slurp(path, out);
}

void daemon_prepare(struct daemon_proc *d, const char *extra_ini)
{
	FILE *f;

	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/affiliated-test-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->conf, sizeof(d->conf), "%s/affiliated.conf", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/stderr.log", d->dir);
	f = fopen(d->conf, "w");
	assert_non_null(f);
	fprintf(f,
		"[server]\nlisten = 127.0.0.1:0\nlog_level = debug\n"
		"[store]\npath = %s/affiliated.db\n"
		"[security]\nkey_file = %s/master.key\n%s\n",
		d->dir, d->dir, extra_ini ? extra_ini : "");
	fclose(f);
}

/*
 * Every child still running. A failed assertion leaves its test at once,
 * before the test's own stop calls: these are killed when the test
 * program exits, so that no daemon or simulator outlives a failed run
 * (and none holds a pipe the caller is reading).
 */
#define MAX_CHILDREN 64
static pid_t children[MAX_CHILDREN];

static void kill_children(void)
{
	int i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
			children[i] = 0;
		}
}

static void track(pid_t pid)
{
	static int registered;
	int i;

	if (!registered) {
		atexit(kill_children);
		registered = 1;
	}
	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == 0) {
			children[i] = pid;
			return;
		}
}

/* waitpid, and the child is no longer ours to kill once it is reaped. */
static pid_t reap(pid_t pid, int *status, int flags)
{
	pid_t r = waitpid(pid, status, flags);
	int i;

	if (r == pid)
		for (i = 0; i < MAX_CHILDREN; i++)
			if (children[i] == pid)
				children[i] = 0;
	return r;
}

static pid_t spawn(const char *const *argv, const char *out_path,
		   const char *err_path)
{
	posix_spawn_file_actions_t fa;
	char *args[64];
	pid_t pid;
	int rc, i;

	/* posix_spawn's argv is not const-qualified, but it is not written. */
	for (i = 0; argv[i] && i < 63; i++) {
		union {
			const char *c;
			char *m;
		} u = {argv[i]};

		args[i] = u.m;
	}
	args[i] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_path)
		posix_spawn_file_actions_addopen(
			&fa, 1, out_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (err_path)
		posix_spawn_file_actions_addopen(
			&fa, 2, err_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	rc = posix_spawn(&pid, args[0], &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	track(pid);
	return pid;
}

int daemon_log_contains(const struct daemon_proc *d, const char *text)
{
	struct buf log;
	int found;

	buf_init(&log, BUF_LARGE);
	found = slurp(d->log, &log) == 0 && strstr(buf_str(&log), text);
	buf_release(&log);
	return found;
}

int daemon_wait_log(const struct daemon_proc *d, const char *text, int ms)
{
	int waited;

	for (waited = 0; waited < ms; waited += 20) {
		if (daemon_log_contains(d, text))
			return 1;
		clock_sleep_ms(20);
	}
	return 0;
}

/* Reads "port=N" from the line containing marker in a log file. */
static int wait_port(const char *path, const char *marker, pid_t pid,
		     uint16_t *port)
{
	struct buf log;
	int waited, status;

	buf_init(&log, BUF_LARGE);
	for (waited = 0; waited < START_TIMEOUT_MS; waited += 10) {
		const char *line, *p;

		buf_reset(&log);
		if (slurp(path, &log) == 0 &&
		    (line = strstr(buf_str(&log), marker)) &&
		    (p = strstr(line, "port=")) && strchr(p, '\n')) {
			*port = (uint16_t)strtoul(p + 5, NULL, 10);
			buf_release(&log);
			return 0;
		}
		if (reap(pid, &status, WNOHANG) == pid)
			break;
		clock_sleep_ms(10);
	}
	fprintf(stderr, "harness: %s did not start; its output:\n%s\n", path,
		buf_str(&log));
	buf_release(&log);
	return -1;
}

void daemon_spawn(struct daemon_proc *d)
{
	const char *argv[] = {daemon_bin(), "serve", "--config", d->conf, NULL};

	d->pid = spawn(argv, NULL, d->log);
	assert_true(d->pid > 0);
	assert_int_equal(
		wait_port(d->log, "event=server.listening", d->pid, &d->port),
		0);
	snprintf(d->base, sizeof(d->base), "http://127.0.0.1:%u", d->port);
}

void daemon_start(struct daemon_proc *d, const char *extra_ini)
{
	daemon_prepare(d, extra_ini);
	daemon_spawn(d);
}

static void check_sanitizers(const char *path)
{
	struct buf log;

	buf_init(&log, BUF_LARGE);
	if (slurp(path, &log) == 0 &&
	    (strstr(buf_str(&log), "AddressSanitizer") ||
	     strstr(buf_str(&log), "LeakSanitizer") ||
	     strstr(buf_str(&log), "runtime error:"))) {
		fprintf(stderr, "harness: sanitizer report in %s:\n%s\n", path,
			buf_str(&log));
		buf_release(&log);
		fail();
	}
	buf_release(&log);
}

void daemon_stop(struct daemon_proc *d)
{
	int status = 0;

	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	assert_int_equal(reap(d->pid, &status, 0), d->pid);
	d->pid = 0;
	check_sanitizers(d->log);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		struct buf log;

		buf_init(&log, BUF_LARGE);
		slurp(d->log, &log);
		fprintf(stderr, "harness: daemon exited badly (%d):\n%s\n",
			status, buf_str(&log));
		buf_release(&log);
		fail();
	}
}

void daemon_kill(struct daemon_proc *d)
{
	if (d->pid <= 0)
		return;
	kill(d->pid, SIGKILL);
	reap(d->pid, NULL, 0);
	d->pid = 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void daemon_cleanup(struct daemon_proc *d)
{
	if (d->dir[0] && !getenv("AFFILIATED_KEEP_TMP"))
		nftw(d->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int run_and_capture(const char *const *argv, struct buf *out,
			   struct buf *err)
{
	char out_path[] = "/tmp/affiliated-out-XXXXXX";
	char err_path[] = "/tmp/affiliated-err-XXXXXX";
	int fo = mkstemp(out_path), fe = mkstemp(err_path), status = 0;
	pid_t pid;

	close(fo);
	close(fe);
	pid = spawn(argv, out_path, err_path);
	assert_true(pid > 0);
	reap(pid, &status, 0);
	if (out)
		slurp(out_path, out);
	if (err)
		slurp(err_path, err);
	check_sanitizers(err_path);
	unlink(out_path);
	unlink(err_path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int run_cli(const struct daemon_proc *d, struct buf *out, struct buf *err,
	    const char *const *args)
{
	const char *argv[64];
	int n = 0, i;

	argv[n++] = daemon_bin();
	for (i = 0; args[i] && n < 60; i++)
		argv[n++] = args[i];
	if (d) {
		argv[n++] = "--config";
		argv[n++] = d->conf;
	}
	argv[n] = NULL;
	return run_and_capture(argv, out, err);
}

const char *cli_out(const struct daemon_proc *d, const char *const *args,
		    struct buf *out)
{
	buf_reset(out);
	if (run_cli(d, out, NULL, args) != 0)
		return NULL;
	return buf_str(out);
}

void wait_cli(const struct daemon_proc *d, const char *const *args,
	      const char *text)
{
	static char last[4096];
	struct buf out;
	int i;

	buf_init(&out, BUF_LARGE);
	for (i = 0; i < 200; i++) {
		if (cli_out(d, args, &out) && strstr(buf_str(&out), text))
			break;
		usleep(50 * 1000);
	}
	/* The buffer goes before fail_msg, which does not return. */
	snprintf(last, sizeof(last), "%s", buf_str(&out));
	buf_release(&out);
	if (i == 200)
		fail_msg("never saw '%s' in: %s", text, last);
}

static void sim_path(const char *name, char *out, size_t n)
{
	const char *dir = getenv("AFFILIATED_SIM_DIR");

	snprintf(out, n, "%s/%s", dir && dir[0] ? dir : "build/tests/sim",
		 name);
}

void sim_start(struct sim_proc *s, const char *name, const char *const *args)
{
	char bin[256], out[160];
	const char *argv[64];
	int n = 0, i;

	memset(s, 0, sizeof(*s));
	sim_path(name, bin, sizeof(bin));
	snprintf(out, sizeof(out), "/tmp/affiliated-sim-XXXXXX");
	close(mkstemp(out));
	snprintf(s->log, sizeof(s->log), "%s.err", out);
	argv[n++] = bin;
	argv[n++] = "serve";
	argv[n++] = "--port";
	argv[n++] = "0";
	for (i = 0; args && args[i] && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	s->pid = spawn(argv, out, s->log);
	assert_true(s->pid > 0);
	assert_int_equal(wait_port(out, "listening", s->pid, &s->port), 0);
	unlink(out);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u", s->port);
}

void sim_stop(struct sim_proc *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	reap(s->pid, NULL, 0);
	s->pid = 0;
	check_sanitizers(s->log);
	unlink(s->log);
}

int sim_run(const char *name, const char *const *args, struct buf *out)
{
	char bin[256];
	const char *argv[64];
	int n = 0, i;

	sim_path(name, bin, sizeof(bin));
	argv[n++] = bin;
	for (i = 0; args[i] && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return run_and_capture(argv, out, NULL);
}

void reply_init(struct http_reply *r)
{
	r->status = 0;
	buf_init(&r->body, BUF_LARGE);
	buf_init(&r->headers, BUF_MEDIUM);
}

void reply_release(struct http_reply *r)
{
	buf_release(&r->body);
	buf_release(&r->headers);
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	return buf_append(ctx, p, size * n) < 0 ? 0 : size * n;
}

int http_request(const char *method, const char *url,
		 const char *const *headers, const void *body, size_t len,
		 struct http_reply *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *list = NULL;
	CURLcode rc;
	int i;

	buf_reset(&r->body);
	buf_reset(&r->headers);
	for (i = 0; headers && headers[i]; i++)
		list = curl_slist_append(list, headers[i]);
	list = curl_slist_append(list, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else
		r->status = -1;
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

int http_get(const char *url, const char *const *headers, struct http_reply *r)
{
	return http_request("GET", url, headers, NULL, 0, r);
}

int http_post(const char *url, const char *const *headers, const void *body,
	      size_t len, struct http_reply *r)
{
	return http_request("POST", url, headers, body ? body : "", len, r);
}

const char *reply_header(const struct http_reply *r, const char *name,
			 char *out, size_t n)
{
	const char *p = buf_str(&r->headers);
	size_t len = strlen(name);

	while (p && *p) {
		if (strncasecmp(p, name, len) == 0 && p[len] == ':') {
			const char *v = p + len + 1;
			size_t vl;

			while (*v == ' ')
				v++;
			vl = strcspn(v, "\r\n");
			if (vl >= n)
				vl = n - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return out;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}
