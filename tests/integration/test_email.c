/*
 * Reward emails: when a reward is issued and [smtp] url is set, the
 * affiliate gets an email with the shop's name, the code and its value,
 * sent through libcurl to a local SMTP sink (tests/sim/smtp_sink) that the
 * test starts. The sink writes every accepted message as a JSON line to a
 * file the test reads. Then: a server that defers the first two messages
 * (the email arrives once, after retries), an unreachable server (the
 * reward is issued anyway, the email fails with the error recorded), a
 * server that accepts connections and never answers (rewards must not
 * wait for it, nor a stop), a mailbox refused for good (failed at the
 * first attempt), and header injection through an affiliate's name or
 * address or the shop's name.
 */
#include "harness.h"
#include "seed.h"
#include "util/clock.h"
#include "util/json.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SECRET	   "email-secret"
#define TOKEN	   "shpat_email_test_token"
#define SHOP	   "sally-mugs.myshopify.com"
#define SHOP_NAME  "Sally Mugs"
#define FROM	   "rewards@shop.example"
#define AFF_EMAIL  "sally@example.net"
#define AFF_COUPON "SALLY20"
#define WAIT_MS	   30000

/* A shop, the coupon program, Sally with her code, n paid orders. */
static void seed_rewards(const struct daemon_proc *d, const char *shop_name,
			 int orders, int64_t friend_program_bps)
{
	struct seeded s;
	int64_t program;

	seed_open(d, &s);
	seed_shopify_shop(&s, SHOP, shop_name, TOKEN);
	program = seed_coupon_program(&s, "Coupons", 0);
	seed_affiliate(&s, program, "Sally", AFF_EMAIL, AFF_COUPON);
	/* 96.00 USD each: 9.60 of commission */
	seed_paid_orders(&s, AFF_COUPON, 700000, orders, 9600, 0);
	if (friend_program_bps)
		seed_coupon_program(&s, "Friends", friend_program_bps);
	seed_close(&s);
}

/* The platform simulator, the SMTP sink, the daemon */

static void start_shopify(struct sim_proc *sim)
{
	const char *args[] = {
		"--secret", SECRET,	      "--token", TOKEN, "--bucket-max",
		"100000",   "--restore-rate", "100000",	 NULL};

	sim_start(sim, "sim_shopify", args);
}

struct sink {
	struct sim_proc proc;
	char out[64]; /* its JSON lines */
};

/* fail_first: deferrals before the first acceptance; refuse: a mailbox
 * the sink answers 550 for. */
static void sink_start(struct sink *k, const char *fail_first,
		       const char *refuse)
{
	const char *args[] = {"--out",
			      k->out,
			      "--fail-first",
			      fail_first ? fail_first : "0",
			      refuse ? "--refuse" : NULL,
			      refuse,
			      NULL};
	int fd;

	snprintf(k->out, sizeof(k->out), "/tmp/affiliated-smtp-XXXXXX");
	fd = mkstemp(k->out);
	assert_true(fd >= 0);
	close(fd);
	sim_start(&k->proc, "smtp_sink", args);
}

static void sink_stop(struct sink *k)
{
	sim_stop(&k->proc);
	unlink(k->out);
}

/* Every message the sink accepted so far, as a JSON array. */
static cJSON *sink_messages(const struct sink *k)
{
	cJSON *arr = cJSON_CreateArray();
	struct buf text;
	char *line, *save = NULL;

	buf_init(&text, BUF_LARGE);
	assert_int_equal(read_path(k->out, &text), 0);
	if (!text.len) {
		buf_release(&text);
		return arr;
	}
	for (line = strtok_r(text.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		cJSON *m = cJSON_Parse(line);

		if (!m)
			fail_msg("the sink wrote a line that is not JSON: %s",
				 line);
		cJSON_AddItemToArray(arr, m);
	}
	buf_release(&text);
	return arr;
}

static int sink_count(const struct sink *k)
{
	cJSON *arr = sink_messages(k);
	int n = cJSON_GetArraySize(arr);

	cJSON_Delete(arr);
	return n;
}

/* True until ms have passed since start (wall clock: CLI calls are slow). */
static bool before(uint64_t start, int ms)
{
	return clock_usec() - start < (uint64_t)ms * 1000;
}

static int wait_sink(const struct sink *k, int n, int ms)
{
	uint64_t start = clock_usec();

	while (sink_count(k) < n && before(start, ms))
		clock_sleep_ms(50);
	return sink_count(k);
}

static void prepare(struct daemon_proc *d, const struct sim_proc *sim,
		    const char *smtp_url)
{
	char ini[1024];

	snprintf(ini, sizeof(ini),
		 "[server]\nreconcile_interval = 0\nlog_level = info\n"
		 "[shopify]\napi_key = k\napi_secret = %s\nbase_url = "
		 "%s/{shop}\n[rewards]\nbackoff_ms = 20\nbackoff_max_ms = 200\n"
		 "[smtp]\nurl = %s\nfrom = " FROM "\n",
		 SECRET, sim->base, smtp_url);
	daemon_prepare(d, ini);
}

static void sink_url(const struct sink *k, char *out, size_t n)
{
	snprintf(out, n, "smtp://127.0.0.1:%u", k->proc.port);
}

/* `affiliated rewards list --json` */
static cJSON *rewards(const struct daemon_proc *d)
{
	const char *args[] = {"rewards", "list", "--json", NULL};
	struct buf out;
	cJSON *j;

	buf_init(&out, BUF_LARGE);
	assert_int_equal(run_cli(d, &out, NULL, args), 0);
	j = cJSON_Parse(buf_str(&out));
	if (!j || !cJSON_IsArray(j))
		fail_msg("rewards list --json: %s", buf_str(&out));
	buf_release(&out);
	return j;
}

static int rewards_issued(const struct daemon_proc *d)
{
	cJSON *arr = rewards(d);
	const cJSON *r;
	int n = 0;

	cJSON_ArrayForEach(r, arr)
	{
		n += strcmp(cJSON_GetStringValue(
				    cJSON_GetObjectItem(r, "status")),
			    "issued") == 0;
	}
	cJSON_Delete(arr);
	return n;
}

static int wait_issued(const struct daemon_proc *d, int n, int ms)
{
	uint64_t start = clock_usec();
	int have;

	while ((have = rewards_issued(d)) < n && before(start, ms))
		clock_sleep_ms(50);
	return have;
}

/* The emails table, read-only */

struct email_row {
	bool found;
	char status[16];
	long long attempts;
	char recipient[128];
	char last_error[512];
};

static void email_get(const struct daemon_proc *d, long long reward_id,
		      struct email_row *row)
{
	char path[256];
	sqlite3 *db;
	sqlite3_stmt *s;
	const unsigned char *t;

	memset(row, 0, sizeof(*row));
	snprintf(path, sizeof(path), "%s/affiliated.db", d->dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT status, attempts, "
					    "recipient, last_error FROM "
					    "emails WHERE reward_id = ?",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(s, 1, reward_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		row->found = true;
		t = sqlite3_column_text(s, 0);
		snprintf(row->status, sizeof(row->status), "%s",
			 t ? (const char *)t : "");
		row->attempts = sqlite3_column_int64(s, 1);
		t = sqlite3_column_text(s, 2);
		snprintf(row->recipient, sizeof(row->recipient), "%s",
			 t ? (const char *)t : "");
		t = sqlite3_column_text(s, 3);
		snprintf(row->last_error, sizeof(row->last_error), "%s",
			 t ? (const char *)t : "");
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* Waits until the email has at least min_attempts, or has status. */
static void wait_email(const struct daemon_proc *d, long long reward_id,
		       const char *status, long long min_attempts, int ms,
		       struct email_row *row)
{
	uint64_t start = clock_usec();

	while (before(start, ms)) {
		email_get(d, reward_id, row);
		if (row->found && row->attempts >= min_attempts &&
		    (!status || strcmp(row->status, status) == 0))
			return;
		clock_sleep_ms(50);
	}
	email_get(d, reward_id, row);
}

static int log_count(const struct daemon_proc *d, const char *needle)
{
	struct buf log;
	const char *p;
	int n = 0;

	buf_init(&log, BUF_LARGE);
	if (read_path(d->log, &log) == 0)
		for (p = buf_str(&log); (p = strstr(p, needle));
		     p += strlen(needle))
			n++;
	buf_release(&log);
	return n;
}

/* The header block and the body of a message the sink received. */
static void split_message(const cJSON *m, struct buf *head, struct buf *body)
{
	const char *data = cJSON_GetStringValue(cJSON_GetObjectItem(m, "data"));
	const char *sep;

	assert_non_null(data);
	sep = strstr(data, "\r\n\r\n");
	assert_non_null(sep);
	buf_reset(head);
	buf_reset(body);
	assert_int_equal(buf_append(head, data, (size_t)(sep - data) + 2), 0);
	assert_int_equal(buf_puts(body, sep + 4), 0);
}

/* Checks envelope, headers and body of the reward email for reward r. */
static void check_reward_message(const cJSON *m, const cJSON *r)
{
	const cJSON *to = cJSON_GetObjectItem(m, "to");
	const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(r, "code"));
	struct buf head, body;
	char line[160];

	assert_string_equal(
		cJSON_GetStringValue(cJSON_GetObjectItem(m, "from")), FROM);
	assert_int_equal(cJSON_GetArraySize(to), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(to, 0)),
			    AFF_EMAIL);
	buf_init(&head, BUF_MEDIUM);
	buf_init(&body, BUF_MEDIUM);
	split_message(m, &head, &body);
	if (!strstr(buf_str(&head), "\r\nTo: <" AFF_EMAIL ">\r\n") ||
	    !strstr(buf_str(&head), "\r\nFrom: <" FROM ">\r\n") ||
	    !strstr(buf_str(&head),
		    "\r\nSubject: Your reward from " SHOP_NAME "\r\n"))
		fail_msg("unexpected headers:\n%s", buf_str(&head));
	assert_non_null(code);
	assert_true(strlen(code) >= 6);
	snprintf(line, sizeof(line), "Code:  %s\r\n", code);
	if (!strstr(buf_str(&body), line) ||
	    !strstr(buf_str(&body), "Value: 9.60 USD\r\n") ||
	    !strstr(buf_str(&body), "Hello Sally,"))
		fail_msg("unexpected body (code %s):\n%s", code,
			 buf_str(&body));
	buf_release(&head);
	buf_release(&body);
}

static long long json_id(const cJSON *r)
{
	return (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id"));
}

/* The reward is issued and its email delivered, once, as composed. */
static void test_reward_email_delivered(void **state)
{
	struct daemon_proc d;
	struct sim_proc sim;
	struct sink sink;
	struct email_row row;
	char url[64];
	cJSON *list, *msgs;
	const cJSON *r;
	uint64_t t0 = clock_usec();

	(void)state;
	start_shopify(&sim);
	sink_start(&sink, NULL, NULL);
	sink_url(&sink, url, sizeof(url));
	prepare(&d, &sim, url);
	seed_rewards(&d, SHOP_NAME, 1, 0);
	daemon_spawn(&d);

	assert_int_equal(wait_issued(&d, 1, WAIT_MS), 1);
	assert_int_equal(wait_sink(&sink, 1, WAIT_MS), 1);
	list = rewards(&d);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	r = cJSON_GetArrayItem(list, 0);
	assert_string_equal(
		cJSON_GetStringValue(cJSON_GetObjectItem(r, "kind")), "coupon");
	assert_int_equal(
		(int)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "value")),
		960);
	msgs = sink_messages(&sink);
	check_reward_message(cJSON_GetArrayItem(msgs, 0), r);
	cJSON_Delete(msgs);

	wait_email(&d, json_id(r), "sent", 1, WAIT_MS, &row);
	assert_true(row.found);
	assert_string_equal(row.status, "sent");
	assert_int_equal(row.attempts, 1);
	assert_string_equal(row.recipient, AFF_EMAIL);
	assert_string_equal(row.last_error, "");
	/* Sent means sent: a few more sender passes send nothing again. */
	clock_sleep_ms(2500);
	assert_int_equal(sink_count(&sink), 1);
	assert_int_equal(log_count(&d, "event=email.failed"), 0);
	cJSON_Delete(list);

	daemon_stop(&d);
	daemon_cleanup(&d);
	sink_stop(&sink);
	sim_stop(&sim);
	fprintf(stderr, "email delivered: %.1f s\n",
		(double)(clock_usec() - t0) / 1e6);
}

/* "451 try again later" twice: the third attempt delivers it, once. */
static void test_email_retried_after_deferrals(void **state)
{
	struct daemon_proc d;
	struct sim_proc sim;
	struct sink sink;
	struct email_row row;
	char url[64];
	cJSON *list, *msgs;
	const cJSON *r;
	uint64_t t0 = clock_usec();

	(void)state;
	start_shopify(&sim);
	sink_start(&sink, "2", NULL);
	sink_url(&sink, url, sizeof(url));
	prepare(&d, &sim, url);
	seed_rewards(&d, SHOP_NAME, 1, 0);
	daemon_spawn(&d);

	assert_int_equal(wait_issued(&d, 1, WAIT_MS), 1);
	assert_int_equal(wait_sink(&sink, 1, WAIT_MS), 1);
	list = rewards(&d);
	r = cJSON_GetArrayItem(list, 0);
	wait_email(&d, json_id(r), "sent", 3, WAIT_MS, &row);
	assert_string_equal(row.status, "sent");
	assert_int_equal(row.attempts, 3);
	/* The two deferrals, logged; the message itself arrived once. */
	assert_int_equal(log_count(&d, "event=email.failed"), 2);
	msgs = sink_messages(&sink);
	assert_int_equal(cJSON_GetArraySize(msgs), 1);
	check_reward_message(cJSON_GetArrayItem(msgs, 0), r);
	cJSON_Delete(msgs);
	clock_sleep_ms(1500);
	assert_int_equal(sink_count(&sink), 1);
	cJSON_Delete(list);

	daemon_stop(&d);
	daemon_cleanup(&d);
	sink_stop(&sink);
	sim_stop(&sim);
	fprintf(stderr, "email after two deferrals: %.1f s\n",
		(double)(clock_usec() - t0) / 1e6);
}

/*
 * No SMTP server at all: the rewards are issued regardless, each email is
 * tried 10 times, then stays failed with curl's error recorded.
 */
static void test_unreachable_smtp(void **state)
{
	struct daemon_proc d;
	struct sim_proc sim;
	struct email_row row;
	cJSON *list;
	const cJSON *r;
	uint64_t t0 = clock_usec();

	(void)state;
	start_shopify(&sim);
	prepare(&d, &sim, "smtp://127.0.0.1:1");
	seed_rewards(&d, SHOP_NAME, 2, 0);
	daemon_spawn(&d);

	assert_int_equal(wait_issued(&d, 2, WAIT_MS), 2);
	list = rewards(&d);
	cJSON_ArrayForEach(r, list)
	{
		/* The failure is recorded from the first attempt on. */
		wait_email(&d, json_id(r), NULL, 1, WAIT_MS, &row);
		assert_true(row.found);
		assert_true(strcmp(row.status, "pending") == 0 ||
			    strcmp(row.status, "failed") == 0);
		if (!strstr(row.last_error, "SMTP: "))
			fail_msg("no error recorded: '%s'", row.last_error);
	}
	cJSON_ArrayForEach(r, list)
	{
		wait_email(&d, json_id(r), "failed", 10, 60000, &row);
		assert_string_equal(row.status, "failed");
		assert_int_equal(row.attempts, 10);
		assert_non_null(strstr(row.last_error, "SMTP: "));
	}
	assert_int_equal(log_count(&d, "event=email.failed"), 20);
	/* Failed stays failed; the rewards stay issued. */
	clock_sleep_ms(1500);
	r = cJSON_GetArrayItem(list, 0);
	email_get(&d, json_id(r), &row);
	assert_int_equal(row.attempts, 10);
	assert_int_equal(rewards_issued(&d), 2);
	cJSON_Delete(list);

	daemon_stop(&d);
	daemon_cleanup(&d);
	sim_stop(&sim);
	fprintf(stderr, "unreachable SMTP: %.1f s\n",
		(double)(clock_usec() - t0) / 1e6);
}

/* A TCP listener that never accepts: connects, then no greeting. */
static int stalled_listener(uint16_t *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/*
 * An SMTP server that takes the connection and never answers: a reward
 * that becomes due meanwhile must still be issued promptly (emails never
 * block rewards).
 */
static void test_stalled_smtp_does_not_hold_rewards(void **state)
{
	const char *join[] = {
		"affiliates", "add",	 "--program",	    "2", "--name",
		"Tom",	      "--email", "tom@example.net", NULL};
	struct daemon_proc d;
	struct sim_proc sim;
	struct buf out;
	char url[64];
	uint16_t port;
	uint64_t t0 = clock_usec(), asked, stopping;
	double took, stop_took;
	int fd, issued, joined;

	(void)state;
	buf_init(&out, BUF_SMALL);
	fd = stalled_listener(&port);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", port);
	start_shopify(&sim);
	prepare(&d, &sim, url);
	/* Program 2 has a friend discount: joining it queues a reward. */
	seed_rewards(&d, SHOP_NAME, 1, 1000);
	daemon_spawn(&d);
	assert_int_equal(wait_issued(&d, 1, WAIT_MS), 1);
	clock_sleep_ms(500); /* the sender is now waiting on the server */

	joined = run_cli(&d, &out, NULL, join);
	asked = clock_usec();
	issued = wait_issued(&d, 2, 5000);
	took = (double)(clock_usec() - asked) / 1e6;
	/* Measured, then cleaned up, then judged: no processes left over. */
	stopping = clock_usec();
	daemon_stop(&d);
	stop_took = (double)(clock_usec() - stopping) / 1e6;
	daemon_cleanup(&d);
	sim_stop(&sim);
	close(fd);
	buf_release(&out);
	fprintf(stderr,
		"stalled SMTP: second reward %s after %.1f s; daemon stopped "
		"in %.1f s; %.1f s in all\n",
		issued == 2 ? "issued" : "still not issued", took, stop_took,
		(double)(clock_usec() - t0) / 1e6);
	assert_int_equal(joined, 0);
	if (issued != 2)
		fail_msg("a reward due while an email was being sent waited "
			 "for the SMTP server (not issued within 5 s)");
	/* The email in flight is given up at once, not after its timeout. */
	if (stop_took > 3.0)
		fail_msg("stopping waited %.1f s for the SMTP server",
			 stop_took);
}

/*
 * "550 mailbox unavailable": a refusal for good. The email fails at the
 * first attempt with the server's code recorded and is not tried again;
 * the reward stays issued.
 */
static void test_refused_email_fails_at_once(void **state)
{
	struct daemon_proc d;
	struct sim_proc sim;
	struct sink sink;
	struct email_row row;
	char url[64];
	cJSON *list;

	(void)state;
	start_shopify(&sim);
	sink_start(&sink, NULL, AFF_EMAIL);
	sink_url(&sink, url, sizeof(url));
	prepare(&d, &sim, url);
	seed_rewards(&d, SHOP_NAME, 1, 0);
	daemon_spawn(&d);

	assert_int_equal(wait_issued(&d, 1, WAIT_MS), 1);
	list = rewards(&d);
	wait_email(&d, json_id(cJSON_GetArrayItem(list, 0)), "failed", 1,
		   WAIT_MS, &row);
	assert_string_equal(row.status, "failed");
	assert_int_equal(row.attempts, 1);
	if (!strstr(row.last_error, "550"))
		fail_msg("the server's refusal is not recorded: '%s'",
			 row.last_error);
	/* Backoff here is 20 ms: a retry would have shown by now. */
	clock_sleep_ms(2500);
	email_get(&d, json_id(cJSON_GetArrayItem(list, 0)), &row);
	assert_int_equal(row.attempts, 1);
	assert_int_equal(log_count(&d, "event=email.failed"), 1);
	assert_int_equal(sink_count(&sink), 0);
	assert_int_equal(rewards_issued(&d), 1);
	cJSON_Delete(list);

	daemon_stop(&d);
	daemon_cleanup(&d);
	sink_stop(&sink);
	sim_stop(&sim);
}

/*
 * Header injection: an affiliate whose name or address holds a line
 * break cannot be created; a shop name with one does not reach the
 * message headers either.
 */
static void test_header_injection(void **state)
{
	const char *bad_name[] = {"affiliates", "add",
				  "--program",	"1",
				  "--name",	"Eve\r\nBcc: evil@example",
				  "--email",	"eve@example.net",
				  NULL};
	const char *bad_email[] = {
		"affiliates", "add",
		"--program",  "1",
		"--name",     "Eve",
		"--email",    "eve@example.net\r\nBcc: evil@example",
		NULL};
	const char *list[] = {"affiliates", "list", "--json", NULL};
	struct daemon_proc d;
	struct sim_proc sim;
	struct sink sink;
	struct email_row row;
	struct buf out, err;
	char url[64];
	cJSON *rl, *msgs;
	const cJSON *m;

	(void)state;
	buf_init(&out, BUF_LARGE);
	buf_init(&err, BUF_SMALL);
	start_shopify(&sim);
	sink_start(&sink, NULL, NULL);
	sink_url(&sink, url, sizeof(url));
	prepare(&d, &sim, url);
	seed_rewards(&d, SHOP_NAME "\r\nBcc: evil@example", 1, 0);

	assert_int_not_equal(run_cli(&d, &out, &err, bad_name), 0);
	if (!strstr(buf_str(&err), "control characters"))
		fail_msg("refusal without the reason: %s", buf_str(&err));
	buf_reset(&err);
	assert_int_not_equal(run_cli(&d, &out, &err, bad_email), 0);
	if (!strstr(buf_str(&err), "is not an email address"))
		fail_msg("refusal without the reason: %s", buf_str(&err));
	buf_reset(&out);
	assert_int_equal(run_cli(&d, &out, NULL, list), 0);
	assert_null(strstr(buf_str(&out), "Eve"));
	assert_null(strstr(buf_str(&out), "evil@"));

	/* The shop's name goes into the Subject: no second header. */
	daemon_spawn(&d);
	assert_int_equal(wait_issued(&d, 1, WAIT_MS), 1);
	rl = rewards(&d);
	wait_email(&d, json_id(cJSON_GetArrayItem(rl, 0)), NULL, 1, WAIT_MS,
		   &row);
	assert_true(row.found);
	assert_true(row.attempts >= 1);
	clock_sleep_ms(300);
	msgs = sink_messages(&sink);
	cJSON_ArrayForEach(m, msgs)
	{
		const char *data =
			cJSON_GetStringValue(cJSON_GetObjectItem(m, "data"));
		const cJSON *to = cJSON_GetObjectItem(m, "to");

		assert_int_equal(cJSON_GetArraySize(to), 1);
		assert_string_equal(
			cJSON_GetStringValue(cJSON_GetArrayItem(to, 0)),
			AFF_EMAIL);
		assert_null(strstr(data, "\nBcc:"));
	}
	/* Refused before any byte went out, with the reason recorded. */
	if (cJSON_GetArraySize(msgs) == 0 &&
	    !strstr(row.last_error, "line breaks"))
		fail_msg("unexpected email error: '%s'", row.last_error);
	cJSON_Delete(msgs);
	cJSON_Delete(rl);

	daemon_stop(&d);
	daemon_cleanup(&d);
	sink_stop(&sink);
	sim_stop(&sim);
	buf_release(&out);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reward_email_delivered),
		cmocka_unit_test(test_email_retried_after_deferrals),
		cmocka_unit_test(test_unreachable_smtp),
		cmocka_unit_test(test_stalled_smtp_does_not_hold_rewards),
		cmocka_unit_test(test_refused_email_fails_at_once),
		cmocka_unit_test(test_header_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
