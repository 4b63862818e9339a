/*
 * sim_common.h: plumbing shared by the platform simulators (sim_shopify,
 * sim_ecwid): memory, buffers, parsing, crypto, the HTTP server glue,
 * fault injection, leaky buckets, the raw order store and the webhook
 * sender. Include it first: it selects the POSIX feature level.
 */
#ifndef SIM_COMMON_H
#define SIM_COMMON_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#define SIM_MAX_BODY (4u << 20) /* larger request bodies get 413 */

/* Copies that abort on OOM, like every allocation here. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows the array v of *cap elements of size bytes to hold need; aborts
 * on OOM. Returns the (possibly moved) array. */
void *sim_grow(void *v, size_t *cap, size_t need, size_t size);

/* Growable byte string, NUL-terminated once anything was added. */
struct sim_buf {
	char *data;
	size_t len;
	size_t cap;
};

void sim_buf_adds(struct sim_buf *b, const char *s);
void sim_buf_printf(struct sim_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The contents, "" when empty; valid until the next change. */
const char *sim_buf_str(const struct sim_buf *b);
/* Hands the string to the caller (free it) and empties the buffer. */
char *sim_buf_take(struct sim_buf *b);
void sim_buf_release(struct sim_buf *b);

/* A growable list of owned strings (repeatable options, tokens). */
struct sim_strv {
	char **v;
	size_t n;
	size_t cap;
};

void sim_strv_push(struct sim_strv *sv, const char *s);
void sim_strv_release(struct sim_strv *sv);

/* Parses all of s as a decimal number <= max. 0 or -1. */
int sim_parse_uint(const char *s, uint64_t max, uint64_t *out);
/* Parses "YYYY-MM-DD[(T| )HH:MM[:SS[.f]]][ ][Z|+HH:MM|+HHMM]" into Unix
 * seconds; no zone means UTC. 0 or -1. */
int sim_parse_time(const char *s, int64_t *out);
/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 32 bytes). */
void sim_format_time(int64_t t, char *out, size_t size);
/* True when s is a plain positive decimal ("10", "0.50"), the shape of
 * GraphQL Decimal scalars. */
bool sim_is_positive_decimal(const char *s);
/* Case-insensitive ASCII equality. */
bool sim_eq_nocase(const char *a, const char *b);
/* Orders ids as text: all-digit ids by numeric value, others bytewise. */
int sim_id_cmp(const char *a, const char *b);

/* HMAC-SHA256 of msg under key (the secret's raw bytes). */
void sim_hmac_sha256(const char *key, const void *msg, size_t len,
		     unsigned char out[32]);
/* Appends standard base64 (with padding) of p. */
void sim_base64(struct sim_buf *out, const unsigned char *p, size_t n);
/* Appends lowercase hex of p. */
void sim_hex(struct sim_buf *out, const unsigned char *p, size_t n);
/* Decodes standard base64 s (with padding) into out, NUL-terminated;
 * 0 or -1 on bad input. */
int sim_unbase64(const char *s, struct sim_buf *out);
/* Decodes hex s into out; 0 or -1 on bad input. */
int sim_unhex(const char *s, struct sim_buf *out);
/* Writes 2 * nbytes random lowercase hex digits and a NUL into out. */
void sim_random_hex(char *out, size_t nbytes);
/* Writes a random (version 4) UUID into out (37 bytes). */
void sim_uuid(char out[37]);
/* Appends s percent-encoded; only A-Z a-z 0-9 * - . _ stay as they are
 * and a space becomes %20 (Shopify's canonical query encoding). */
void sim_url_encode(struct sim_buf *out, const char *s);

/* Builds an object from "key", "value" pairs ended by a NULL key; a
 * NULL value becomes null. Caller owns the result. */
cJSON *sim_jobj(const char *key, ...);
/* The first object in array arr whose string member k1 equals v1 and,
 * when k2 is not NULL, k2 equals v2; ASCII case is ignored if nocase. */
cJSON *sim_jfind(const cJSON *arr, bool nocase, const char *k1, const char *v1,
		 const char *k2, const char *v2);
/* A simulator's state: "tokens" (the given array, or a new one) and an
 * empty array for each of the NULL-ended table names. */
cJSON *sim_db_new(cJSON *tokens, const char *const *tables);
/* Adds 1 to the number member key of obj. */
void sim_jinc(cJSON *obj, const char *key);
/* Typed getters; NULL or false when absent or of another type. */
const char *sim_jstr(const cJSON *obj, const char *key);
bool sim_jtrue(const cJSON *obj, const char *key);

/*
 * Raw JSON scanning. Orders must come back with their numbers exactly as
 * posted, and cJSON reprints numbers through double, so orders are kept
 * as text and read with these. Inputs were validated by cJSON first.
 */
/* Like sim_json_scalar() on member key of obj. */
char *sim_json_member_scalar(const char *obj, const char *key);
/* A copy of the valid JSON text raw in which every number is a string of
 * its exact text, so that cJSON keeps ids beyond 2^53 and "0.10" as they
 * were written. Caller frees. */
char *sim_json_quote_numbers(const char *raw, size_t len);

/* Command line: "--name value", "--name=value" or a bare flag. */
enum sim_opt_kind {
	SIM_OPT_STR,  /* dst: const char ** */
	SIM_OPT_UINT, /* dst: uint64_t *, bounded by max */
	SIM_OPT_FLAG, /* dst: bool * */
	SIM_OPT_LIST, /* dst: struct sim_strv *, repeatable */
};

struct sim_opt {
	const char *name; /* with the leading "--" */
	enum sim_opt_kind kind;
	void *dst;
	uint64_t max;
};

/* Parses argv against the table opts (ended by a NULL name); prints the
 * problem on stderr and returns -1 on bad usage. */
int sim_opts_parse(const struct sim_opt *opts, int argc, char **argv);

struct sim_cmd {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv after the command name */
	const char *usage;
};

/* Runs the subcommand named by argv[1]; unknown ones exit 2. */
int sim_dispatch(const char *prog, const struct sim_cmd *cmds, int argc,
		 char **argv);

/* One HTTP request, body complete. */
struct sim_req {
	struct MHD_Connection *conn;
	char *method;
	char *path; /* decoded path, no query */
	struct sim_buf body;
	bool too_big;
};

struct sim_header {
	char *name;
	char *value;
};

/* The answer a handler builds; drop closes the connection unanswered. */
struct sim_resp {
	unsigned status;
	const char *content_type; /* static string */
	struct sim_buf body;
	struct sim_header *headers;
	size_t n_headers;
	size_t cap_headers;
	bool drop;
};

/* A request header or query argument; NULL when absent. */
const char *sim_req_header(const struct sim_req *req, const char *name);
const char *sim_req_arg(const struct sim_req *req, const char *name);
/* All query arguments as an object of strings. Caller owns it. */
cJSON *sim_req_args(const struct sim_req *req);
/* Query arguments merged with a JSON-object or form body (the body wins);
 * NULL when the body is neither. Caller owns it. */
cJSON *sim_req_params(const struct sim_req *req);
/* Parses the body as a JSON object; NULL when it is not one. */
cJSON *sim_req_json(const struct sim_req *req);

/* Sets the status and a JSON body, consuming j. */
void sim_resp_json(struct sim_resp *resp, unsigned status, cJSON *j);
/* Sets the status and a body of the given type (copied). */
void sim_resp_text(struct sim_resp *resp, unsigned status, const char *ctype,
		   const char *text);
/* Answers {"error": msg}: the control API's own error shape. */
void sim_resp_error(struct sim_resp *resp, unsigned status, const char *msg);
void sim_resp_header(struct sim_resp *resp, const char *name,
		     const char *value);

struct sim_server {
	struct MHD_Daemon *daemon;
	unsigned port; /* bound port, set before "listening" is printed */
	void (*handle)(void *ctx, struct sim_req *req, struct sim_resp *resp);
	void *ctx;
};

/* Binds 127.0.0.1:port (0 = ephemeral), prints "listening port=N",
 * serves until SIGTERM or SIGINT, then stops. 0, or -1 if it could not
 * bind. */
int sim_serve(struct sim_server *srv, unsigned port);
/* Sleeps ms milliseconds, or less when the server is shutting down. */
void sim_sleep_ms(uint64_t ms);

/* Fault injection, as set by POST /_sim/faults. Callers hold their lock. */
enum sim_fault {
	SIM_FAULT_NONE,
	SIM_FAULT_DROP,
	SIM_FAULT_500,
	SIM_FAULT_THROTTLE,
	SIM_FAULT_401,
	SIM_FAULT_429, /* the HTTP form of throttling, Retry-After: 1 */
};

struct sim_faults {
	uint64_t fail_500_every; /* settings; 0 = off */
	uint64_t throttle_every;
	uint64_t delay_ms;
	uint64_t commit_then_drop_every;
	uint64_t commit_then_delay_ms;
	uint64_t drop_every;
	/*
	 * At random, per call: throttle_percent of the calls throttled (half
	 * in the platform's own throttled answer, half as HTTP 429 with
	 * Retry-After: 1) and fail_500_percent answered 500.
	 */
	uint64_t throttle_percent;
	uint64_t fail_500_percent;
	uint64_t rng; /* xorshift state */
	bool fail_401;
	uint64_t calls;	     /* API calls since the settings were made */
	uint64_t mutations;  /* mutating calls since then */
	uint64_t n_fail_500; /* faults applied since start or reset */
	uint64_t n_throttle;
	uint64_t n_delay;
	uint64_t n_commit_drop;
	uint64_t n_drop;
	uint64_t n_fail_401;
};

cJSON *sim_faults_json(const struct sim_faults *f);

/* A leaky bucket: level rises by each cost and drains at rate per second. */
struct sim_bucket {
	double level;
	double max;
	double rate;
	double last;
};

/* Drains the bucket up to now and returns its level. */
double sim_bucket_level(struct sim_bucket *b);
/* Adds cost if it fits under max: true, else false and nothing changes. */
bool sim_bucket_take(struct sim_bucket *b, double cost);
/* Seconds until cost would fit. */
double sim_bucket_wait(struct sim_bucket *b, double cost);

/* Buckets by key (shop, token), created on first use. */
struct sim_buckets {
	char **keys;
	struct sim_bucket *v;
	size_t n;
	size_t cap;
	double max;
	double rate;
};

struct sim_bucket *sim_buckets_get(struct sim_buckets *bs, const char *key);
void sim_buckets_clear(struct sim_buckets *bs);

/* Per-operation call counters for /_sim/state. */
struct sim_counter {
	uint64_t calls;	   /* requests routed to the operation */
	uint64_t ok;	   /* answered with success */
	uint64_t rejected; /* refused: validation, not found, auth */
	uint64_t limited;  /* refused by the real rate limiter */
	uint64_t faulted;  /* hit by an injected fault */
};

cJSON *sim_counter_json(const struct sim_counter *c);

/* Orders, kept as the raw JSON text that was posted. */
struct sim_order {
	char *id;	 /* id as text: numbers beyond 2^53 survive */
	char *alt_id;	 /* a second key (Ecwid orderNumber), may be NULL */
	int64_t updated; /* Unix seconds, sort key */
	unsigned flags;	 /* the simulator's own marks */
	char *raw;
};

struct sim_orders {
	struct sim_order *v;
	size_t n;
	size_t cap;
};

/* Adds or replaces (by id) one order; copies raw, takes id and alt_id. */
void sim_orders_put(struct sim_orders *os, char *id, char *alt_id,
		    int64_t updated, unsigned flags, const char *raw,
		    size_t len);
/* Finds an order by id or alt_id. */
const struct sim_order *sim_orders_find(const struct sim_orders *os,
					const char *id);
/* Sorts by (updated, id) ascending. */
void sim_orders_sort(struct sim_orders *os);
void sim_orders_clear(struct sim_orders *os);
/* The orders as an array of their raw texts. */
cJSON *sim_orders_json(const struct sim_orders *os);

/*
 * The steps every platform API call shares. sim_api_enter() counts the
 * call in op, applies the injected faults, sleeps any delay outside the
 * lock and returns with the lock held and the fault that hit (already
 * counted in op->faulted; SIM_FAULT_DROP already set resp->drop).
 */
enum sim_fault sim_api_enter(pthread_mutex_t *lock, struct sim_faults *f,
			     struct sim_counter *op, struct sim_resp *resp);
/* For a mutating call, after its change is made, lock held: counts it
 * and, when commit_then_drop_every hits, marks resp to be dropped after
 * *delay_ms. */
void sim_api_mutated(struct sim_faults *f, struct sim_counter *op,
		     struct sim_resp *resp, uint64_t *delay_ms);

/* The /_sim/ control API, common to both simulators. */
struct sim_control {
	pthread_mutex_t *lock;
	struct sim_faults *faults;
	/* Stores one raw order of a POST /_sim/orders body; lock held. */
	int (*order_add)(void *ctx, const char *raw, size_t n,
			 struct sim_buf *err);
	cJSON *(*state)(void *ctx); /* lock held */
	void (*reset)(void *ctx);   /* lock held; keeps tokens */
	/* POST /_sim/send with the body parsed; lock NOT held. */
	void (*send)(void *ctx, const cJSON *body, struct sim_resp *resp);
	/* Any other /_sim/ path (what is the part after "/_sim/"); lock NOT
	 * held. False when the path is unknown, which answers 404. May be
	 * NULL. */
	bool (*extra)(void *ctx, struct sim_req *req, const char *what,
		      struct sim_resp *resp);
	void *ctx;
};

/* Answers a request whose path starts with /_sim/. */
void sim_control(const struct sim_control *c, struct sim_req *req,
		 struct sim_resp *resp);

enum sim_sig {
	SIM_SIG_GOOD,
	SIM_SIG_BAD,  /* signed with a wrong key */
	SIM_SIG_NONE, /* header left out */
};

/* POSTs body to url with the NULL-terminated "Name: value" headers.
 * 0 with *status when an answer came back, -1 with err otherwise. */
int sim_http_post(const char *url, const char *const *headers, const char *body,
		  size_t len, long *status, struct sim_buf *err);
/* Reads a whole file; 0 or -1 with err set. */
int sim_read_file(const char *path, struct sim_buf *out, struct sim_buf *err);

#endif
