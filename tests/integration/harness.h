/*
 * Integration harness: runs the real daemon (and platform simulators) on
 * ephemeral loopback ports with a temporary data directory, and talks to
 * them over HTTP with libcurl. A daemon whose stderr holds a sanitizer
 * report fails the test when it is stopped.
 */
#ifndef AFFILIATED_HARNESS_H
#define AFFILIATED_HARNESS_H

#include "util/buf.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/types.h>

struct daemon_proc {
	pid_t pid;
	char dir[128];	/* temporary data directory */
	char conf[192]; /* its config file */
	char log[192];	/* its stderr */
	uint16_t port;
	char base[64]; /* "http://127.0.0.1:PORT" */
};

struct sim_proc {
	pid_t pid;
	uint16_t port;
	char base[64];
	char log[192];
};

struct http_reply {
	long status;
	struct buf body;
	struct buf headers; /* raw header block */
};

/* A fresh temporary directory with a config file; nothing started. */
void daemon_prepare(struct daemon_proc *d, const char *extra_ini);
/* daemon_prepare + start, waiting until it listens. Fails the test. */
void daemon_start(struct daemon_proc *d, const char *extra_ini);
/* Starts an already prepared daemon (e.g. again after a kill). */
void daemon_spawn(struct daemon_proc *d);
/* SIGTERM, wait, expect exit 0 and no sanitizer report. */
void daemon_stop(struct daemon_proc *d);
/* SIGKILL without checks (crash tests); the directory stays. */
void daemon_kill(struct daemon_proc *d);
/* Removes the temporary directory. */
void daemon_cleanup(struct daemon_proc *d);
/* True when the daemon's stderr so far contains text. */
int daemon_log_contains(const struct daemon_proc *d, const char *text);
/* Waits up to ms for text to appear in the daemon's stderr. */
int daemon_wait_log(const struct daemon_proc *d, const char *text, int ms);

/*
 * Runs the daemon's binary ($AFFILIATED_BIN) with args (NULL-terminated) and
 * "--config d->conf" appended when d is not NULL; returns the exit status.
 */
int run_cli(const struct daemon_proc *d, struct buf *out, struct buf *err,
	    const char *const *args);

/* run_cli's standard output (out is reset first), or NULL on a failure. */
const char *cli_out(const struct daemon_proc *d, const char *const *args,
		    struct buf *out);
/* Polls a CLI command for up to 10 s until its output holds text. */
void wait_cli(const struct daemon_proc *d, const char *const *args,
	      const char *text);

/* Starts tests/sim/<name> serve with args; waits for its port. */
void sim_start(struct sim_proc *s, const char *name, const char *const *args);
void sim_stop(struct sim_proc *s);
/* Runs the simulator binary with args (e.g. "send ..."); exit status. */
int sim_run(const char *name, const char *const *args, struct buf *out);

void reply_init(struct http_reply *r);
void reply_release(struct http_reply *r);
/* HTTP calls; headers is NULL or a NULL-terminated "Name: value" list. */
int http_get(const char *url, const char *const *headers, struct http_reply *r);
int http_post(const char *url, const char *const *headers, const void *body,
	      size_t len, struct http_reply *r);
int http_request(const char *method, const char *url,
		 const char *const *headers, const void *body, size_t len,
		 struct http_reply *r);
/* The value of a response header (copied into out), or NULL. */
const char *reply_header(const struct http_reply *r, const char *name,
			 char *out, size_t n);

/* Reads a whole file by path. */
int read_path(const char *path, struct buf *out);
/* Reads a whole file (tests/fixtures/... relative to the source dir). */
int read_fixture(const char *relpath, struct buf *out);
/* Source directory: $AFFILIATED_SOURCE_DIR or ".". */
const char *source_dir(void);

#endif
