/*
 * ledger.h: the hash chain of the append-only ledger. Entries posted
 * through ledger_post chain to their predecessor; ledger_verify accepts
 * the untouched chain and names the entry when the file is edited behind
 * the program's back (a raw SQLite connection that first drops the
 * triggers), and the triggers refuse edits while they are there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pipeline_fixture.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct world {
	struct fx fx;
	int64_t sally;
	sqlite3 *raw;
} w;

static const char zeros[] =
	"0000000000000000000000000000000000000000000000000000000000000000";

static int case_setup(void **state)
{
	struct program p;

	(void)state;
	fx_open(&w.fx);
	fx_program_init(&p, w.fx.shop, "USD");
	w.sally = fx_affiliate(&w.fx, fx_program_add(&w.fx, &p), "sally",
			       "sally", NULL);
	w.raw = NULL;
	return 0;
}

static int case_teardown(void **state)
{
	(void)state;
	if (w.raw)
		sqlite3_close(w.raw);
	w.raw = NULL;
	fx_close(&w.fx);
	return 0;
}

static void post(const char *bucket, const char *kind, int64_t amount,
		 const char *memo)
{
	struct ledger_post p = {w.sally, "USD", bucket, kind,
				amount,	 0,	0,	memo};

	fx_fail_on(ledger_post(w.fx.tx, &p, &w.fx.err), &w.fx, "ledger_post");
}

/* Four entries: accrual, approval (two), payout. */
static void post_four(void)
{
	post("pending", "accrual", 1000, "commission on #1001");
	post("pending", "approval", -1000, "approved");
	post("approved", "approval", 1000, "approved");
	post("approved", "adjustment", -50, "fee");
}

struct entries {
	struct ledger_entry e[8];
	size_t n;
};

static int collect(void *ctx, const struct ledger_entry *e)
{
	struct entries *es = ctx;

	if (es->n < COUNT(es->e))
		es->e[es->n] = *e;
	es->n++;
	return 0;
}

static void read_all(struct entries *es)
{
	memset(es, 0, sizeof(*es));
	fx_fail_on(store_ledger_each(w.fx.tx, 0, collect, es, &w.fx.err), &w.fx,
		   "store_ledger_each");
}

/* Commits, then opens a raw connection on the file (no tx held). */
static void raw_open(void)
{
	fx_fail_on(store_tx_finish(&w.fx.tx, &w.fx.err), &w.fx, "commit");
	assert_int_equal(
		sqlite3_open_v2(w.fx.db, &w.raw, SQLITE_OPEN_READWRITE, NULL),
		SQLITE_OK);
	sqlite3_busy_timeout(w.raw, 5000);
}

/* SQLite's error text of a statement on the raw connection ("" if OK). */
static void raw_exec(const char *sql, char *out, size_t n)
{
	char *msg = NULL;

	out[0] = '\0';
	if (sqlite3_exec(w.raw, sql, NULL, NULL, &msg) != SQLITE_OK)
		snprintf(out, n, "%s", msg ? msg : "error");
	sqlite3_free(msg);
}

static void raw_ok(const char *sql)
{
	char msg[256];

	raw_exec(sql, msg, sizeof(msg));
	if (msg[0])
		fail_msg("%s: %s", sql, msg);
}

/* Closes the raw connection and begins a store tx again. */
static void raw_close(void)
{
	sqlite3_close(w.raw);
	w.raw = NULL;
	fx_fail_on(store_tx_begin(w.fx.st, &w.fx.tx, &w.fx.err), &w.fx,
		   "begin");
}

static void expect_verify_error(const char *want)
{
	int64_t n = -1;

	buf_reset(&w.fx.err);
	assert_int_equal(ledger_verify(w.fx.tx, &n, &w.fx.err), -1);
	if (!strstr(buf_str(&w.fx.err), want))
		fail_msg("verify says '%s', want '%s'", buf_str(&w.fx.err),
			 want);
}

static void test_chain(void **state)
{
	struct entries es;
	char hash[65];
	size_t i;

	(void)state;
	post_four();
	read_all(&es);
	assert_int_equal(es.n, 4);
	assert_string_equal(es.e[0].prev_hash, zeros);
	for (i = 0; i < es.n; i++) {
		assert_int_equal(es.e[i].id, (int64_t)i + 1);
		assert_int_equal(strlen(es.e[i].hash), 64);
		ledger_hash(&es.e[i], hash);
		assert_string_equal(hash, es.e[i].hash);
		if (i > 0)
			assert_string_equal(es.e[i].prev_hash,
					    es.e[i - 1].hash);
	}
	assert_int_equal(es.e[3].amount, -50);
	assert_string_equal(es.e[3].kind, "adjustment");
}

static void test_verify_ok(void **state)
{
	int64_t n = -1;

	(void)state;
	assert_int_equal(ledger_verify(w.fx.tx, &n, &w.fx.err), 0);
	assert_int_equal(n, 0);
	post_four();
	assert_int_equal(ledger_verify(w.fx.tx, &n, &w.fx.err), 0);
	assert_int_equal(n, 4);
	/* Still fine after a commit and more entries. */
	fx_commit(&w.fx);
	post("approved", "payout", -950, "payout");
	assert_int_equal(ledger_verify(w.fx.tx, &n, &w.fx.err), 0);
	assert_int_equal(n, 5);
}

static void test_memo_separator(void **state)
{
	struct entries es;
	int64_t n;

	(void)state;
	post("pending", "accrual", 5,
	     "a\x1f"
	     "b");
	read_all(&es);
	assert_string_equal(es.e[0].memo, "a b");
	assert_int_equal(ledger_verify(w.fx.tx, &n, &w.fx.err), 0);
}

/* Tampering, each with what verify must say. */
struct tamper_case {
	const char *name;
	const char *sql; /* run with the triggers dropped */
	const char *say;
};

static const struct tamper_case tamper_cases[] = {
	{"changed amount of entry 2 is named",
	 "UPDATE ledger_entries SET amount = -1 WHERE id = 2",
	 "entry 2 was changed"},
	{"changed memo of the last entry is named",
	 "UPDATE ledger_entries SET memo = 'gift' WHERE id = 4",
	 "entry 4 was changed"},
	{"changed bucket of entry 1 is named",
	 "UPDATE ledger_entries SET bucket = 'approved' WHERE id = 1",
	 "entry 1 was changed"},
	{"changed time of entry 3 is named",
	 "UPDATE ledger_entries SET created_at = created_at + 1 WHERE id = 3",
	 "entry 3 was changed"},
	{"deleted last entry: removed",
	 "DELETE FROM ledger_entries WHERE id = 4", "removed"},
	{"deleted middle entry: missing",
	 "DELETE FROM ledger_entries WHERE id = 2", "entry 2 is missing"},
	{"deleted first entry: missing",
	 "DELETE FROM ledger_entries WHERE id = 1", "entry 1 is missing"},
	{"forged entry appended with a wrong predecessor",
	 "INSERT INTO ledger_entries (id, affiliate_id, currency, bucket,"
	 " kind, amount, memo, created_at, prev_hash, hash) SELECT 5,"
	 " affiliate_id, 'USD', 'approved', 'adjustment', 100000, 'forged',"
	 " created_at, '" /* a valid-looking but wrong predecessor */
	 "0000000000000000000000000000000000000000000000000000000000000000"
	 "', hash FROM ledger_entries WHERE id = 4",
	 "entry 5 does not follow entry 4"},
	{"changed hash of entry 2 is named",
	 "UPDATE ledger_entries SET hash = (SELECT hash FROM ledger_entries"
	 " WHERE id = 1) WHERE id = 2",
	 "entry 2 was changed"},
};

static void test_tamper(void **state)
{
	const struct tamper_case *c = *state;

	post_four();
	fx_verify(&w.fx);
	raw_open();
	raw_ok("DROP TRIGGER ledger_no_update");
	raw_ok("DROP TRIGGER ledger_no_delete");
	raw_ok(c->sql);
	raw_close();
	expect_verify_error(c->say);
}

/*
 * An attacker who rewrites entry 2 with a hash that matches its new
 * contents is caught by entry 3's prev_hash.
 */
static void test_rehash(void **state)
{
	struct entries es;
	char hash[65], sql[512];

	(void)state;
	post_four();
	read_all(&es);
	es.e[1].amount = -10;
	ledger_hash(&es.e[1], hash);
	snprintf(sql, sizeof(sql),
		 "UPDATE ledger_entries SET amount = -10, hash = '%s'"
		 " WHERE id = 2",
		 hash);
	raw_open();
	raw_ok("DROP TRIGGER ledger_no_update");
	raw_ok(sql);
	raw_close();
	expect_verify_error("entry 3 does not follow entry 2");
}

/* The triggers refuse edits while they are there. */
struct refuse_case {
	const char *name;
	const char *sql;
};

static const struct refuse_case refuse_cases[] = {
	{"trigger refuses UPDATE",
	 "UPDATE ledger_entries SET amount = 1 WHERE id = 1"},
	{"trigger refuses DELETE", "DELETE FROM ledger_entries WHERE id = 2"},
	{"trigger refuses DELETE of everything", "DELETE FROM ledger_entries"},
};

static void test_refuse(void **state)
{
	const struct refuse_case *c = *state;
	struct entries before, after;
	char msg[256];

	post_four();
	read_all(&before);
	raw_open();
	raw_exec(c->sql, msg, sizeof(msg));
	raw_close();
	if (!strstr(msg, "append-only"))
		fail_msg("'%s' gave '%s'", c->sql, msg);
	read_all(&after);
	assert_int_equal(after.n, before.n);
	assert_memory_equal(&after.e, &before.e, sizeof(before.e));
	fx_verify(&w.fx);
}

/* ledger_hash depends on every field. */
static void test_hash_fields(void **state)
{
	struct ledger_entry e, m;
	char base[65], h[65];
	int i;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.id = 7;
	e.affiliate_id = 3;
	snprintf(e.currency, sizeof(e.currency), "USD");
	snprintf(e.bucket, sizeof(e.bucket), "pending");
	snprintf(e.kind, sizeof(e.kind), "accrual");
	e.amount = 1234;
	e.commission_id = 5;
	e.order_id = 9;
	snprintf(e.memo, sizeof(e.memo), "memo");
	e.created_at = 1700000000;
	snprintf(e.prev_hash, sizeof(e.prev_hash), "%s", zeros);
	ledger_hash(&e, base);
	ledger_hash(&e, h);
	assert_string_equal(base, h);
	for (i = 0; i < 11; i++) {
		m = e;
		switch (i) {
		case 0:
			m.id++;
			break;
		case 1:
			m.affiliate_id++;
			break;
		case 2:
			m.currency[0] = 'E';
			break;
		case 3:
			m.bucket[0] = 'P';
			break;
		case 4:
			m.kind[0] = 'A';
			break;
		case 5:
			m.amount = -1234;
			break;
		case 6:
			m.commission_id = 0;
			break;
		case 7:
			m.order_id = 0;
			break;
		case 8:
			m.memo[0] = 'M';
			break;
		case 9:
			m.created_at++;
			break;
		default:
			m.prev_hash[63] = '1';
			break;
		}
		ledger_hash(&m, h);
		if (strcmp(h, base) == 0)
			fail_msg("field %d does not change the hash", i);
	}
}

enum { MAX_CASES = 32 };

static struct CMUnitTest cases[MAX_CASES];
static size_t ncases;

static void add(const char *name, CMUnitTestFunction fn, const void *row)
{
	if (ncases == MAX_CASES) {
		fprintf(stderr, "too many cases\n");
		exit(2);
	}
	cases[ncases].name = name;
	cases[ncases].test_func = fn;
	cases[ncases].setup_func = case_setup;
	cases[ncases].teardown_func = case_teardown;
	cases[ncases].initial_state = (void *)(uintptr_t)row;
	ncases++;
}

int main(void)
{
	size_t i;

	add("entries chain: prev_hash of n is the hash of n-1", test_chain,
	    NULL);
	add("verify passes on an untouched ledger", test_verify_ok, NULL);
	add("memo separator characters are blanked", test_memo_separator, NULL);
	add("ledger_hash covers every field", test_hash_fields, NULL);
	for (i = 0; i < COUNT(tamper_cases); i++)
		add(tamper_cases[i].name, test_tamper, &tamper_cases[i]);
	add("entry rewritten with a matching hash: the next names it",
	    test_rehash, NULL);
	for (i = 0; i < COUNT(refuse_cases); i++)
		add(refuse_cases[i].name, test_refuse, &refuse_cases[i]);
	return _cmocka_run_group_tests("ledger", cases, ncases, NULL, NULL);
}
