/*
 * pipeline.h on a real store: each case is one scenario of the rules in the
 * engine issue, driven through pipeline_process_order, pipeline_process_refund,
 * pipeline_approve_due, pipeline_approve and pipeline_payout, and checked on
 * the ledger (entries and bucket sums), the order row, the commission and
 * the reward outbox. Every scenario ends with ledger_verify.
 *
 * The world: shop USD; program Friends (10%, credit on payment, no hold);
 * sally (code sally, coupon SALLY20) and bob (code bob, coupon BOB10) in
 * it. Scenarios that need other rules add their own program.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pipeline_fixture.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DAY	 FX_DAY

static struct world {
	struct fx fx;
	int64_t friends;
	int64_t sally, bob;
	int64_t t0;	/* updated_at of the first state of an order */
	struct order o; /* released in the teardown */
	struct order_row row;
} w;

static int case_setup(void **state)
{
	struct program p;

	(void)state;
	order_init(&w.o);
	memset(&w.row, 0, sizeof(w.row));
	fx_open(&w.fx);
	fx_program_init(&p, w.fx.shop, "USD");
	w.friends = fx_program_add(&w.fx, &p);
	w.sally = fx_affiliate(&w.fx, w.friends, "sally", "sally", "SALLY20");
	w.bob = fx_affiliate(&w.fx, w.friends, "bob", "bob", "BOB10");
	w.t0 = clock_now() - 3600;
	return 0;
}

static int case_teardown(void **state)
{
	(void)state;
	order_release(&w.o);
	order_row_release(&w.row);
	fx_close(&w.fx);
	return 0;
}

/* A new paid order in w.o: one line of `amount`, coupon, customer. */
static struct order *new_order(const char *id, int64_t amount,
			       const char *coupon)
{
	order_release(&w.o);
	fx_order(&w.o, id, "USD", amount);
	fx_set(&w.o.customer_id, "cust-1");
	fx_set(&w.o.email, "buyer@example.com");
	if (coupon)
		order_add_code(&w.o, coupon);
	w.o.created_at = w.t0;
	w.o.updated_at = w.t0;
	return &w.o;
}

/* Moves w.o to a newer state. */
static void next_state(enum order_financial f, int64_t step)
{
	w.o.financial = f;
	w.o.updated_at = w.t0 + step;
}

static void process(struct pipeline_outcome *out)
{
	fx_process(&w.fx, w.fx.shop, &w.o, out);
}

static int64_t program_with(void (*tweak)(struct program *p))
{
	struct program p;

	fx_program_init(&p, w.fx.shop, "USD");
	fx_set(&p.name, "Custom");
	tweak(&p);
	return fx_program_add(&w.fx, &p);
}

static void load_row(const char *id)
{
	order_row_release(&w.row);
	fx_row(&w.fx, w.fx.shop, id, &w.row);
}

static int64_t bucket(int64_t aff, const char *b)
{
	return fx_bucket(&w.fx, aff, "USD", b);
}

static void assert_reason_has(const char *reason, const char *want)
{
	if (!strstr(reason, want))
		fail_msg("'%s' does not say '%s'", reason, want);
}

/* Rewards of an affiliate, newest first. */
struct rewards {
	struct reward r[8];
	size_t n;
};

static int collect_reward(void *ctx, const struct reward *r)
{
	struct rewards *rs = ctx;

	if (rs->n < COUNT(rs->r))
		rs->r[rs->n] = *r;
	rs->n++;
	return 0;
}

static void rewards_of(int64_t aff, struct rewards *rs)
{
	memset(rs, 0, sizeof(*rs));
	fx_fail_on(store_reward_each(w.fx.tx, REWARD_STATUS__COUNT, aff,
				     collect_reward, rs, &w.fx.err),
		   &w.fx, "store_reward_each");
}

static void assert_code_shape(const char *code)
{
	size_t i;

	assert_int_equal(strlen(code), 16);
	for (i = 0; code[i]; i++)
		if (!(islower((unsigned char)code[i]) ||
		      isdigit((unsigned char)code[i])))
			fail_msg("reward code '%s' is not [a-z0-9]{16}", code);
}

/* ---- Accrual and idempotency ---- */

static void paid_order_credits_once(void)
{
	struct pipeline_outcome out;
	int64_t n;

	new_order("1001", 5000, "SALLY20");
	process(&out);
	assert_string_equal(out.decision, "credited");
	assert_int_equal(out.affiliate_id, w.sally);
	assert_true(out.commission_id > 0);
	assert_int_equal(out.accrued, 500);
	assert_int_equal(out.reversed, 0);
	assert_true(out.approved);
	assert_int_equal(fx_entries(&w.fx, out.commission_id, "accrual"), 1);
	assert_int_equal(bucket(w.sally, "pending"), 0);
	assert_int_equal(bucket(w.sally, "approved"), 500);
	n = fx_entries(&w.fx, 0, NULL);

	/* The same state again: nothing new. */
	process(&out);
	assert_int_equal(out.accrued, 0);
	assert_int_equal(out.reversed, 0);
	assert_false(out.approved);
	assert_int_equal(out.reward_id, 0);
	assert_false(out.stale);
	assert_int_equal(fx_entries(&w.fx, 0, NULL), n);
	assert_int_equal(bucket(w.sally, "approved"), 500);
	assert_int_equal(bucket(w.bob, "approved"), 0);
}

static void created_then_paid_credits_at_payment(void)
{
	struct pipeline_outcome out;
	int64_t cid;

	new_order("1002", 5000, "SALLY20");
	next_state(ORDER_PENDING, 0);
	process(&out);
	assert_string_equal(out.decision, "credited");
	assert_int_equal(out.commission_id, 0);
	assert_int_equal(out.accrued, 0);
	assert_int_equal(fx_entries(&w.fx, 0, NULL), 0);
	load_row("1002");
	assert_reason_has(w.row.reason, "booked when the order is paid");

	next_state(ORDER_PAID, 60);
	process(&out);
	assert_int_equal(out.accrued, 500);
	cid = out.commission_id;
	assert_true(cid > 0);

	next_state(ORDER_PAID, 120);
	process(&out);
	assert_int_equal(out.accrued, 0);
	assert_int_equal(out.commission_id, cid);
	assert_int_equal(fx_entries(&w.fx, cid, "accrual"), 1);
	assert_int_equal(bucket(w.sally, "approved"), 500);
}

static void on_created(struct program *p)
{
	p->credit_on_paid = false;
}

static void credit_on_created_accrues_at_creation(void)
{
	struct pipeline_outcome out;
	int64_t prog = program_with(on_created), cid;

	fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1003", 8000, "CLEO5");
	next_state(ORDER_PENDING, 0);
	process(&out);
	assert_int_equal(out.accrued, 800);
	cid = out.commission_id;

	next_state(ORDER_PAID, 60);
	process(&out);
	assert_int_equal(out.accrued, 0);
	assert_int_equal(out.commission_id, cid);
	assert_int_equal(fx_entries(&w.fx, cid, "accrual"), 1);
}

static void cancelled_before_payment_books_nothing(void)
{
	struct pipeline_outcome out;

	new_order("1004", 5000, "SALLY20");
	next_state(ORDER_PENDING, 0);
	process(&out);
	w.o.cancelled = true;
	next_state(ORDER_VOIDED, 60);
	process(&out);
	assert_int_equal(out.commission_id, 0);
	assert_int_equal(fx_entries(&w.fx, 0, NULL), 0);
	load_row("1004");
	assert_reason_has(w.row.reason, "cancelled before payment");
}

static void cancelled_before_payment_on_created_reverses(void)
{
	struct pipeline_outcome out;
	int64_t prog = program_with(on_created);

	fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1005", 5000, "CLEO5");
	next_state(ORDER_PENDING, 0);
	process(&out);
	assert_int_equal(out.accrued, 500);
	w.o.cancelled = true;
	next_state(ORDER_VOIDED, 60);
	process(&out);
	assert_int_equal(out.reversed, 500);
	assert_int_equal(fx_entries_sum(&w.fx, out.commission_id, NULL, NULL),
			 0);
}

/* ---- Refunds ---- */

static void partial_refund_with_base(void)
{
	struct pipeline_outcome out;

	new_order("1010", 10000, "SALLY20");
	process(&out);
	assert_int_equal(out.accrued, 1000);
	fx_refund(&w.o, "r1", 3000, 2500);
	next_state(ORDER_PARTIALLY_REFUNDED, 60);
	process(&out);
	/* 1000 x 2500 / 10000 */
	assert_int_equal(out.reversed, 250);
	assert_int_equal(bucket(w.sally, "approved"), 750);
	assert_int_equal(fx_entries(&w.fx, out.commission_id, "reversal"), 1);
}

static void partial_refund_prorated_from_amount(void)
{
	struct pipeline_outcome out;

	new_order("1011", 10000, "SALLY20");
	w.o.tax = 1000;
	w.o.total = 11000;
	process(&out);
	assert_int_equal(out.accrued, 1000);
	/* Base unknown: 3300 x 10000 / 11000 = 3000 of the base; 10%. */
	fx_refund(&w.o, "r1", 3300, -1);
	next_state(ORDER_PARTIALLY_REFUNDED, 60);
	process(&out);
	assert_int_equal(out.reversed, 300);
	assert_int_equal(bucket(w.sally, "approved"), 700);
}

static void two_partial_refunds(void)
{
	struct pipeline_outcome out;

	new_order("1012", 10000, "SALLY20");
	process(&out);
	fx_refund(&w.o, "r1", 2500, 2500);
	next_state(ORDER_PARTIALLY_REFUNDED, 60);
	process(&out);
	assert_int_equal(out.reversed, 250);
	fx_refund(&w.o, "r2", 1234, 1234);
	next_state(ORDER_PARTIALLY_REFUNDED, 120);
	process(&out);
	/* round(1000 x 3734 / 10000) = 373; 373 - 250 */
	assert_int_equal(out.reversed, 123);
	process(&out);
	assert_int_equal(out.reversed, 0);
	assert_int_equal(bucket(w.sally, "approved"), 627);
}

static void full_refund_reverses_all(void)
{
	struct pipeline_outcome out;

	new_order("1013", 10000, "SALLY20");
	process(&out);
	fx_refund(&w.o, "r1", 2000, 2000);
	next_state(ORDER_PARTIALLY_REFUNDED, 60);
	process(&out);
	assert_int_equal(out.reversed, 200);
	fx_refund(&w.o, "r2", 8000, 8000);
	next_state(ORDER_REFUNDED, 120);
	process(&out);
	assert_int_equal(out.reversed, 800);
	assert_int_equal(bucket(w.sally, "approved"), 0);
	assert_int_equal(
		fx_entries_sum(&w.fx, out.commission_id, "reversal", NULL),
		-1000);
}

static void cancellation_after_payment_reverses_all(void)
{
	struct pipeline_outcome out;

	new_order("1014", 10000, "SALLY20");
	process(&out);
	w.o.cancelled = true;
	next_state(ORDER_PAID, 60);
	process(&out);
	assert_int_equal(out.reversed, 1000);
	load_row("1014");
	assert_true(w.row.cancelled);
	assert_int_equal(bucket(w.sally, "approved"), 0);
}

static void refund_event_known_and_unknown_order(void)
{
	struct pipeline_outcome out;
	char rid[] = "re-1";
	struct order_refund r = {rid, 4000, 4000, 0};
	int rc;

	new_order("1015", 10000, "SALLY20");
	process(&out);
	rc = pipeline_process_refund(w.fx.tx, w.fx.shop, "1015", &r, &out,
				     &w.fx.err);
	fx_fail_on(rc, &w.fx, "pipeline_process_refund");
	assert_int_equal(rc, 1);
	assert_int_equal(out.reversed, 400);
	assert_true(out.commission_id > 0);
	/* The same refund again: nothing. */
	rc = pipeline_process_refund(w.fx.tx, w.fx.shop, "1015", &r, &out,
				     &w.fx.err);
	assert_int_equal(rc, 1);
	assert_int_equal(out.reversed, 0);
	/* And in the order's next state, by its id: nothing either. */
	fx_refund(&w.o, "re-1", 4000, 4000);
	next_state(ORDER_PARTIALLY_REFUNDED, 60);
	process(&out);
	assert_int_equal(out.reversed, 0);
	assert_int_equal(bucket(w.sally, "approved"), 600);

	rc = pipeline_process_refund(w.fx.tx, w.fx.shop, "no-such-order", &r,
				     &out, &w.fx.err);
	assert_int_equal(rc, 0);
	assert_int_equal(out.reversed, 0);
}

static void refund_event_prorated(void)
{
	struct pipeline_outcome out;
	char rid[] = "re-2";
	struct order_refund r = {rid, 5500, -1, 0};

	new_order("1016", 10000, "SALLY20");
	w.o.shipping = 1000;
	w.o.total = 11000;
	process(&out);
	assert_int_equal(pipeline_process_refund(w.fx.tx, w.fx.shop, "1016", &r,
						 &out, &w.fx.err),
			 1);
	/* 5500 x 10000 / 11000 = 5000 of the base: half. */
	assert_int_equal(out.reversed, 500);
}

static void stale_state_changes_nothing_but_refunds(void)
{
	struct pipeline_outcome out;
	int64_t n;

	new_order("1017", 10000, "SALLY20");
	next_state(ORDER_PAID, 100);
	process(&out);
	assert_int_equal(out.accrued, 1000);
	n = fx_entries(&w.fx, 0, NULL);

	/* An older state saying cancelled: ignored. */
	w.o.cancelled = true;
	next_state(ORDER_VOIDED, 50);
	process(&out);
	assert_true(out.stale);
	assert_int_equal(out.reversed, 0);
	assert_int_equal(fx_entries(&w.fx, 0, NULL), n);
	load_row("1017");
	assert_false(w.row.cancelled);
	assert_int_equal(w.row.financial, ORDER_PAID);
	assert_int_equal(w.row.platform_updated_at, w.t0 + 100);

	/* An older state carrying a refund not known yet: the refund. */
	w.o.cancelled = false;
	fx_refund(&w.o, "r-late", 5000, 5000);
	next_state(ORDER_PARTIALLY_REFUNDED, 70);
	process(&out);
	assert_true(out.stale);
	assert_int_equal(out.reversed, 500);
	load_row("1017");
	assert_int_equal(w.row.financial, ORDER_PAID);
	assert_int_equal(w.row.platform_updated_at, w.t0 + 100);
	assert_int_equal(bucket(w.sally, "approved"), 500);
}

static void stale_state_before_accrual_does_not_accrue(void)
{
	struct pipeline_outcome out;

	new_order("1018", 10000, "SALLY20");
	next_state(ORDER_PENDING, 100);
	process(&out);
	/* An older state that says paid must not book. */
	next_state(ORDER_PAID, 50);
	process(&out);
	assert_true(out.stale);
	assert_int_equal(out.accrued, 0);
	assert_int_equal(fx_entries(&w.fx, 0, NULL), 0);
}

static void base_total(struct program *p)
{
	p->base = BASE_TOTAL;
}

static void partial_refund_under_total_base(void)
{
	struct pipeline_outcome out;
	int64_t prog = program_with(base_total);

	fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1019", 10000, "CLEO5");
	w.o.tax = 1000;
	w.o.total = 11000;
	process(&out);
	assert_int_equal(out.accrued, 1100);
	/* The money returned decides: 5500 of 11000. */
	fx_refund(&w.o, "r1", 5500, 5000);
	next_state(ORDER_PARTIALLY_REFUNDED, 60);
	process(&out);
	assert_int_equal(out.reversed, 550);
}

/* ---- Holding period and approval ---- */

static void hold_14(struct program *p)
{
	p->hold_days = 14;
}

static void holding_period(void)
{
	struct pipeline_outcome out;
	int64_t prog = program_with(hold_14), cleo, now = clock_now();
	int count = -1;

	cleo = fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1020", 10000, "CLEO5");
	process(&out);
	assert_int_equal(out.accrued, 1000);
	assert_false(out.approved);
	assert_int_equal(bucket(cleo, "pending"), 1000);

	fx_fail_on(pipeline_approve_due(w.fx.tx, now + 13 * DAY, &count,
					&w.fx.err),
		   &w.fx, "approve_due");
	assert_int_equal(count, 0);
	assert_int_equal(bucket(cleo, "approved"), 0);

	fx_fail_on(pipeline_approve_due(w.fx.tx, now + 15 * DAY, &count,
					&w.fx.err),
		   &w.fx, "approve_due");
	assert_int_equal(count, 1);
	assert_int_equal(bucket(cleo, "pending"), 0);
	assert_int_equal(bucket(cleo, "approved"), 1000);

	/* Once. */
	fx_fail_on(pipeline_approve_due(w.fx.tx, now + 30 * DAY, &count,
					&w.fx.err),
		   &w.fx, "approve_due");
	assert_int_equal(count, 0);
	assert_int_equal(fx_entries(&w.fx, out.commission_id, "approval"), 2);
}

static void refund_inside_holding_period_never_approved(void)
{
	struct pipeline_outcome out;
	int64_t prog = program_with(hold_14), cleo, now = clock_now();
	int count = -1;

	cleo = fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1021", 10000, "CLEO5");
	process(&out);
	fx_refund(&w.o, "r1", 10000, 10000);
	next_state(ORDER_REFUNDED, 60);
	process(&out);
	assert_int_equal(out.reversed, 1000);
	assert_int_equal(
		fx_entries_sum(&w.fx, out.commission_id, "reversal", "pending"),
		-1000);
	fx_fail_on(pipeline_approve_due(w.fx.tx, now + 15 * DAY, &count,
					&w.fx.err),
		   &w.fx, "approve_due");
	assert_int_equal(count, 0);
	assert_int_equal(fx_entries(&w.fx, out.commission_id, "approval"), 0);
	assert_int_equal(bucket(cleo, "pending"), 0);
	assert_int_equal(bucket(cleo, "approved"), 0);
	/* Nothing to approve by hand either. */
	assert_int_equal(
		pipeline_approve(w.fx.tx, out.commission_id, &w.fx.err), -1);
	assert_reason_has(buf_str(&w.fx.err), "reversed in full");
}

static void partial_refund_inside_holding_period(void)
{
	struct pipeline_outcome out;
	int64_t prog = program_with(hold_14), cleo, now = clock_now();
	int count = -1;

	cleo = fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1022", 10000, "CLEO5");
	process(&out);
	fx_refund(&w.o, "r1", 2500, 2500);
	next_state(ORDER_PARTIALLY_REFUNDED, 60);
	process(&out);
	assert_int_equal(out.reversed, 250);
	fx_fail_on(pipeline_approve_due(w.fx.tx, now + 15 * DAY, &count,
					&w.fx.err),
		   &w.fx, "approve_due");
	assert_int_equal(count, 1);
	assert_int_equal(bucket(cleo, "pending"), 0);
	assert_int_equal(bucket(cleo, "approved"), 750);
}

static void manual(struct program *p)
{
	p->manual_approval = true;
}

static void manual_approval(void)
{
	struct pipeline_outcome out;
	struct commission c;
	int64_t prog = program_with(manual), cleo;
	int count = -1;

	cleo = fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1023", 10000, "CLEO5");
	process(&out);
	assert_int_equal(out.accrued, 1000);
	assert_false(out.approved);
	assert_int_equal(
		store_commission_get(w.fx.tx, out.commission_id, &c, &w.fx.err),
		1);
	assert_reason_has(c.review, "by hand");
	commission_release(&c);
	fx_fail_on(pipeline_approve_due(w.fx.tx, clock_now() + 400 * DAY,
					&count, &w.fx.err),
		   &w.fx, "approve_due");
	assert_int_equal(count, 0);
	assert_int_equal(bucket(cleo, "pending"), 1000);

	fx_fail_on(pipeline_approve(w.fx.tx, out.commission_id, &w.fx.err),
		   &w.fx, "pipeline_approve");
	assert_int_equal(bucket(cleo, "pending"), 0);
	assert_int_equal(bucket(cleo, "approved"), 1000);
	assert_int_equal(
		pipeline_approve(w.fx.tx, out.commission_id, &w.fx.err), -1);
	assert_reason_has(buf_str(&w.fx.err), "already approved");
	assert_int_equal(pipeline_approve(w.fx.tx, 99999, &w.fx.err), -1);
	assert_reason_has(buf_str(&w.fx.err), "no commission 99999");
	assert_int_equal(fx_entries(&w.fx, out.commission_id, "approval"), 2);
}

/* ---- Suspicious patterns ---- */

static void held(int64_t commission_id, const char *why)
{
	struct commission c;

	assert_int_equal(
		store_commission_get(w.fx.tx, commission_id, &c, &w.fx.err), 1);
	if (why)
		assert_reason_has(c.review, why);
	else if (c.review[0])
		fail_msg("commission %lld held: %s", (long long)commission_id,
			 c.review);
	commission_release(&c);
}

static void same_ip_orders_held(void)
{
	struct pipeline_outcome out;
	char id[16], cust[16];
	int i, count = -1;

	for (i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "11%02d", i);
		snprintf(cust, sizeof(cust), "cust-%d", i);
		new_order(id, 10000, NULL);
		fx_set(&w.o.customer_id, cust);
		fx_set(&w.o.email, NULL);
		fx_set(&w.o.landing_url, "https://shop.test/?ref=sally");
		fx_set(&w.o.browser_ip, "198.51.100.9");
		process(&out);
		assert_int_equal(out.accrued, 1000);
		if (i < 2) {
			assert_true(out.approved);
			held(out.commission_id, NULL);
		} else {
			assert_false(out.approved);
			held(out.commission_id,
			     "3 referred orders from one address");
		}
	}
	/* Held commissions wait for a person, whatever the date. */
	fx_fail_on(pipeline_approve_due(w.fx.tx, clock_now() + 400 * DAY,
					&count, &w.fx.err),
		   &w.fx, "approve_due");
	assert_int_equal(count, 0);
	assert_int_equal(bucket(w.sally, "pending"), 1000);
	fx_fail_on(pipeline_approve(w.fx.tx, out.commission_id, &w.fx.err),
		   &w.fx, "pipeline_approve");
	assert_int_equal(bucket(w.sally, "approved"), 3000);
}

static void coupon_by_many_customers_held(void)
{
	struct pipeline_outcome out;
	char id[16], cust[16];
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "12%02d", i);
		snprintf(cust, sizeof(cust), "cust-%d", i);
		new_order(id, 10000, "SALLY20");
		fx_set(&w.o.customer_id, cust);
		process(&out);
		assert_int_equal(out.accrued, 1000);
		if (i < 4)
			held(out.commission_id, NULL);
		else
			held(out.commission_id,
			     "used by 5 customers within 10 minutes");
	}
	assert_int_equal(bucket(w.sally, "approved"), 4000);
	assert_int_equal(bucket(w.sally, "pending"), 1000);
}

static void coupon_by_one_customer_many_times_not_held(void)
{
	struct pipeline_outcome out;
	char id[16];
	int i;

	for (i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "13%02d", i);
		new_order(id, 10000, "SALLY20");
		process(&out);
		held(out.commission_id, NULL);
	}
}

/* ---- Rewards ---- */

static void coupon_reward(struct program *p)
{
	p->reward = REWARD_COUPON;
}

static void gift_card_hold(struct program *p)
{
	p->reward = REWARD_GIFT_CARD;
	p->hold_days = 14;
}

static void reward_queued_at_approval(void)
{
	struct pipeline_outcome out;
	struct rewards rs;
	int64_t prog = program_with(coupon_reward), cleo;

	cleo = fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1030", 10000, "CLEO5");
	process(&out);
	assert_true(out.approved);
	assert_true(out.reward_id > 0);
	rewards_of(cleo, &rs);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].id, out.reward_id);
	assert_string_equal(rs.r[0].purpose, "commission");
	assert_string_equal(rs.r[0].kind, "coupon");
	assert_string_equal(rs.r[0].value_type, "amount");
	assert_int_equal(rs.r[0].value, 1000);
	assert_string_equal(rs.r[0].currency, "USD");
	assert_int_equal(rs.r[0].commission_id, out.commission_id);
	assert_int_equal(rs.r[0].status, REWARD_PENDING);
	assert_code_shape(rs.r[0].code);

	/* Again: still one. */
	process(&out);
	assert_int_equal(out.reward_id, 0);
	rewards_of(cleo, &rs);
	assert_int_equal(rs.n, 1);
}

static void reward_after_hold_is_worth_the_net(void)
{
	struct pipeline_outcome out;
	struct rewards rs;
	int64_t prog = program_with(gift_card_hold), cleo;
	int count = -1;

	cleo = fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1031", 10000, "CLEO5");
	process(&out);
	rewards_of(cleo, &rs);
	assert_int_equal(rs.n, 0);
	fx_refund(&w.o, "r1", 2500, 2500);
	next_state(ORDER_PARTIALLY_REFUNDED, 60);
	process(&out);
	fx_fail_on(pipeline_approve_due(w.fx.tx, clock_now() + 15 * DAY, &count,
					&w.fx.err),
		   &w.fx, "approve_due");
	assert_int_equal(count, 1);
	rewards_of(cleo, &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].kind, "gift_card");
	assert_int_equal(rs.r[0].value, 750);
	assert_code_shape(rs.r[0].code);
	fx_fail_on(pipeline_approve_due(w.fx.tx, clock_now() + 30 * DAY, &count,
					&w.fx.err),
		   &w.fx, "approve_due");
	rewards_of(cleo, &rs);
	assert_int_equal(rs.n, 1);
}

static void reversal_before_issue_cancels_reward(void)
{
	struct pipeline_outcome out;
	struct rewards rs;
	int64_t prog = program_with(coupon_reward), cleo;

	cleo = fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1032", 10000, "CLEO5");
	process(&out);
	assert_true(out.reward_id > 0);
	fx_refund(&w.o, "r1", 10000, 10000);
	next_state(ORDER_REFUNDED, 60);
	process(&out);
	assert_int_equal(out.reversed, 1000);
	rewards_of(cleo, &rs);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].status, REWARD_CANCELLED);
}

static void reward_first_seen_partly_refunded(void)
{
	struct pipeline_outcome out;
	struct rewards rs;
	int64_t prog = program_with(coupon_reward), cleo;

	/* The first state the pipeline sees is already partly refunded (a
	   missed webhook, a backfill): the reward is worth what is left. */
	cleo = fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1033", 10000, "CLEO5");
	fx_refund(&w.o, "r1", 5000, 5000);
	next_state(ORDER_PARTIALLY_REFUNDED, 0);
	process(&out);
	assert_int_equal(out.accrued, 1000);
	assert_int_equal(out.reversed, 500);
	assert_int_equal(bucket(cleo, "approved") + bucket(cleo, "pending"),
			 500);
	rewards_of(cleo, &rs);
	assert_int_equal(rs.n, 1);
	if (rs.r[0].value != 500)
		fail_msg("reward worth %lld for a net commission of 500",
			 (long long)rs.r[0].value);
}

/* ---- Payouts and negative balances ---- */

static void payout_then_refund_carries_forward(void)
{
	struct pipeline_outcome out;
	int64_t paid = -1;

	new_order("1040", 10000, "SALLY20");
	process(&out);
	fx_fail_on(pipeline_payout(w.fx.tx, w.sally, "USD", &paid, &w.fx.err),
		   &w.fx, "payout");
	assert_int_equal(paid, 1000);
	assert_int_equal(bucket(w.sally, "approved"), 0);
	assert_int_equal(bucket(w.sally, "paid"), 1000);

	fx_refund(&w.o, "r1", 10000, 10000);
	next_state(ORDER_REFUNDED, 60);
	process(&out);
	assert_int_equal(out.reversed, 1000);
	assert_int_equal(bucket(w.sally, "approved"), -1000);
	assert_int_equal(bucket(w.sally, "paid"), 1000);

	/* Nothing to pay while negative. */
	fx_fail_on(pipeline_payout(w.fx.tx, w.sally, "USD", &paid, &w.fx.err),
		   &w.fx, "payout");
	assert_int_equal(paid, 0);
	assert_int_equal(bucket(w.sally, "approved"), -1000);

	/* The next order nets it. */
	new_order("1041", 25000, "SALLY20");
	process(&out);
	assert_int_equal(bucket(w.sally, "approved"), 1500);
	fx_fail_on(pipeline_payout(w.fx.tx, w.sally, "USD", &paid, &w.fx.err),
		   &w.fx, "payout");
	assert_int_equal(paid, 1500);
	assert_int_equal(bucket(w.sally, "approved"), 0);
	assert_int_equal(bucket(w.sally, "paid"), 2500);
	/* Another currency has nothing. */
	fx_fail_on(pipeline_payout(w.fx.tx, w.sally, "EUR", &paid, &w.fx.err),
		   &w.fx, "payout");
	assert_int_equal(paid, 0);
}

/* ---- Lifetime binding ---- */

static void lifetime(struct program *p)
{
	p->lifetime_days = 365;
}

static void lifetime_binding_credits_later_orders(void)
{
	struct pipeline_outcome out;
	struct binding b;
	int64_t prog = program_with(lifetime), cleo;

	cleo = fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1050", 10000, "CLEO5");
	fx_set(&w.o.customer_id, "cust-9");
	process(&out);
	assert_int_equal(out.affiliate_id, cleo);
	assert_int_equal(
		store_binding_get(w.fx.tx, w.fx.shop, "cust-9", &b, &w.fx.err),
		1);
	assert_int_equal(b.affiliate_id, cleo);
	assert_true(b.expires_at >= clock_now() + 364 * DAY);

	new_order("1051", 20000, NULL);
	fx_set(&w.o.customer_id, "cust-9");
	process(&out);
	assert_string_equal(out.decision, "credited");
	assert_int_equal(out.affiliate_id, cleo);
	assert_int_equal(out.accrued, 2000);
	load_row("1051");
	assert_string_equal(w.row.signal, "binding");

	/* Another customer without a signal: nobody. */
	new_order("1052", 20000, NULL);
	fx_set(&w.o.customer_id, "cust-10");
	process(&out);
	assert_string_equal(out.decision, "none");
	/* A program without lifetime binds nobody. */
	new_order("1053", 20000, "SALLY20");
	fx_set(&w.o.customer_id, "cust-11");
	process(&out);
	assert_int_equal(
		store_binding_get(w.fx.tx, w.fx.shop, "cust-11", &b, &w.fx.err),
		0);
}

static void lifetime_binding_by_email(void)
{
	struct pipeline_outcome out;
	int64_t prog = program_with(lifetime), cleo;

	/* A guest checkout: no customer id, the email is the key. */
	cleo = fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1054", 10000, "CLEO5");
	fx_set(&w.o.customer_id, NULL);
	fx_set(&w.o.email, "Guest@Example.com");
	process(&out);
	assert_int_equal(out.affiliate_id, cleo);

	new_order("1055", 20000, NULL);
	fx_set(&w.o.customer_id, NULL);
	fx_set(&w.o.email, "Guest@Example.com");
	process(&out);
	if (strcmp(out.decision, "credited") != 0) {
		load_row("1055");
		fail_msg("later order of the same guest: decision '%s' (%s)",
			 out.decision, w.row.reason);
	}
	assert_int_equal(out.affiliate_id, cleo);
}

/*
 * A click near the end of the window: the order is attributed when it is
 * created (pending); when its payment arrives a little later, the click
 * is just past the window counted from the payment. The order was placed
 * inside the window, so it must still be credited at payment.
 */
static void click_window_counts_from_the_order(void)
{
	struct pipeline_outcome out;
	struct click c;
	char num[24];
	int64_t id;

	memset(&c, 0, sizeof(c));
	c.shop_id = w.fx.shop;
	c.affiliate_id = w.bob;
	c.program_id = w.friends;
	snprintf(c.network, sizeof(c.network), "facebook");
	c.created_at = clock_now() - 30 * DAY + 1;
	fx_fail_on(store_click_add(w.fx.tx, &c, &id, &w.fx.err), &w.fx,
		   "click");
	snprintf(num, sizeof(num), "%lld", (long long)id);
	new_order("1056", 10000, NULL);
	order_add_attr(&w.o, "affiliated_click", num);
	w.o.created_at = clock_now();
	w.o.updated_at = w.o.created_at;
	next_state(ORDER_PENDING, 3600);
	process(&out);
	assert_string_equal(out.decision, "credited");
	assert_int_equal(out.affiliate_id, w.bob);

	clock_sleep_ms(2100);
	next_state(ORDER_PAID, 3660);
	process(&out);
	if (out.accrued != 1000) {
		load_row("1056");
		fail_msg("paid 2 s later: decision '%s', accrued %lld (%s)",
			 out.decision, (long long)out.accrued, w.row.reason);
	}
}

/* ---- Two-sided programs ---- */

static void two_sided(struct program *p)
{
	p->friend_discount_bps = 1500;
}

static void two_sided_queues_friend_code(void)
{
	struct rewards rs;
	int64_t prog = program_with(two_sided), cleo;

	cleo = fx_affiliate(&w.fx, prog, "cleo", "CleoCode", NULL);
	rewards_of(cleo, &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].purpose, "friend_code");
	assert_string_equal(rs.r[0].kind, "coupon");
	assert_string_equal(rs.r[0].value_type, "percent");
	assert_int_equal(rs.r[0].value, 1500);
	assert_string_equal(rs.r[0].code, "CleoCode");
	assert_int_equal(rs.r[0].commission_id, 0);
	/* One-sided: none. */
	rewards_of(w.sally, &rs);
	assert_int_equal(rs.n, 0);
}

/* ---- Currencies ---- */

static void multi_currency_in_shop_currency(void)
{
	struct pipeline_outcome out;
	struct commission c;

	new_order("1060", 10000, "SALLY20");
	fx_set(&w.o.presentment_currency, "EUR");
	w.o.presentment_total = 9200;
	process(&out);
	assert_int_equal(out.accrued, 1000);
	assert_int_equal(
		store_commission_get(w.fx.tx, out.commission_id, &c, &w.fx.err),
		1);
	assert_string_equal(c.currency, "USD");
	commission_release(&c);
	load_row("1060");
	assert_string_equal(w.row.currency, "USD");
	assert_string_equal(w.row.presentment_currency, "EUR");
	assert_int_equal(w.row.presentment_total, 9200);
	assert_int_equal(w.row.total, 10000);
	assert_int_equal(fx_bucket(&w.fx, w.sally, "EUR", "approved"), 0);
	assert_int_equal(bucket(w.sally, "approved"), 1000);
}

static void jpy_shop(void)
{
	struct pipeline_outcome out;
	struct program p;
	int64_t shop = fx_shop_add(&w.fx, "tokyo.myshopify.com", "JPY"), prog,
		kei;

	fx_program_init(&p, shop, "JPY");
	p.rate_bps = 750;
	prog = fx_program_add(&w.fx, &p);
	kei = fx_affiliate(&w.fx, prog, "kei", "kei", "KEI7");
	order_release(&w.o);
	fx_order(&w.o, "2001", "JPY", 1995);
	order_add_code(&w.o, "kei7");
	fx_process(&w.fx, shop, &w.o, &out);
	/* 7.5% of 1995 = 149.625 -> 150 */
	assert_int_equal(out.accrued, 150);
	assert_int_equal(fx_bucket(&w.fx, kei, "JPY", "approved"), 150);
	/* The same code in the USD shop means nothing. */
	order_release(&w.o);
	fx_order(&w.o, "2001", "USD", 1995);
	order_add_code(&w.o, "KEI7");
	process(&out);
	assert_string_equal(out.decision, "none");
}

/* ---- Reasons on the order row ---- */

static void min_order(struct program *p)
{
	p->min_order = 5000;
}

static void order_reasons(void)
{
	struct pipeline_outcome out;
	char want[96];
	int64_t prog = program_with(min_order);

	fx_affiliate(&w.fx, prog, "cleo", "cleo", "CLEO5");
	new_order("1070", 10000, "SALLY20");
	process(&out);
	load_row("1070");
	assert_string_equal(w.row.decision, "credited");
	assert_string_equal(w.row.signal, "coupon");
	assert_int_equal(w.row.affiliate_id, w.sally);
	assert_int_equal(w.row.program_id, w.friends);
	snprintf(want, sizeof(want),
		 "coupon SALLY20 belongs to affiliate %lld (sally)",
		 (long long)w.sally);
	assert_reason_has(w.row.reason, want);

	new_order("1071", 10000, NULL);
	process(&out);
	load_row("1071");
	assert_string_equal(w.row.decision, "none");
	assert_int_equal(w.row.affiliate_id, 0);
	assert_reason_has(w.row.reason, "no affiliate signal");

	new_order("1072", 4000, "CLEO5");
	process(&out);
	assert_int_equal(out.commission_id, 0);
	load_row("1072");
	assert_string_equal(w.row.decision, "no_commission");
	assert_reason_has(w.row.reason, "below the program minimum 50.00 USD");

	new_order("1073", 4000, "SALLY20");
	fx_set(&w.o.email, "SALLY@aff.test");
	process(&out);
	assert_string_equal(out.decision, "self_referral");
	assert_int_equal(out.commission_id, 0);
	load_row("1073");
	assert_string_equal(w.row.decision, "self_referral");
	assert_int_equal(w.row.affiliate_id, 0);
	assert_reason_has(w.row.reason, "self-referral refused");

	new_order("1074", 4000, "bob10");
	fx_set(&w.o.landing_url, "https://shop.test/?ref=sally");
	process(&out);
	load_row("1074");
	assert_int_equal(w.row.affiliate_id, w.bob);
	assert_reason_has(w.row.reason, "not credited: ref=sally");
	assert_int_equal(bucket(w.bob, "approved"), 400);
	assert_int_equal(bucket(w.sally, "approved"), 1000);
}

static void first_seen_refunded(void)
{
	/* The order's own refunds and a cancellation, all in one process
	   call: accrue then reverse, net zero, one accrual. */
	struct pipeline_outcome out;

	new_order("1080", 10000, "SALLY20");
	fx_refund(&w.o, "r1", 10000, 10000);
	next_state(ORDER_REFUNDED, 0);
	process(&out);
	assert_int_equal(out.accrued, 1000);
	assert_int_equal(out.reversed, 1000);
	assert_int_equal(bucket(w.sally, "approved"), 0);
	assert_int_equal(bucket(w.sally, "pending"), 0);
	process(&out);
	assert_int_equal(out.accrued, 0);
	assert_int_equal(out.reversed, 0);
}

struct scenario {
	const char *name;
	void (*fn)(void);
};

/*
 * A generated referral code never takes one of the affiliate's own
 * coupons: with every TESSA10..TESSA99 brought as a coupon, joining
 * "Tessa" without a code still works (the codes go to four digits).
 */
static void generated_code_avoids_own_coupons(void)
{
	static char names[90][8];
	const char *coupons[91];
	struct affiliate a;
	int i;

	for (i = 0; i < 90; i++) {
		snprintf(names[i], sizeof(names[i]), "TESSA%d", i + 10);
		coupons[i] = names[i];
	}
	coupons[90] = NULL;
	i = (int)fx_affiliate_full(&w.fx, w.friends, "Tessa", "tessa@aff.test",
				   NULL, coupons, NULL);
	assert_int_equal(store_affiliate_get(w.fx.tx, i, &a, &w.fx.err), 1);
	assert_int_equal(strncmp(a.code, "TESSA", 5), 0);
	assert_true(strlen(a.code) == 8 || strlen(a.code) == 9);
	affiliate_release(&a);
}

static const struct scenario scenarios[] = {
	{"paid order credits once; the same state twice books nothing",
	 paid_order_credits_once},
	{"created then paid: one accrual, at payment",
	 created_then_paid_credits_at_payment},
	{"credit on creation: accrues when created, once",
	 credit_on_created_accrues_at_creation},
	{"cancelled before payment: nothing booked",
	 cancelled_before_payment_books_nothing},
	{"credit on creation, cancelled before payment: reversed",
	 cancelled_before_payment_on_created_reverses},
	{"partial refund with its base: proportional reversal",
	 partial_refund_with_base},
	{"partial refund without base: prorated from the amount",
	 partial_refund_prorated_from_amount},
	{"two partial refunds", two_partial_refunds},
	{"full refund reverses all", full_refund_reverses_all},
	{"cancellation after payment reverses all",
	 cancellation_after_payment_reverses_all},
	{"refund event: known order 1, again nothing, unknown order 0",
	 refund_event_known_and_unknown_order},
	{"refund event without base: prorated", refund_event_prorated},
	{"stale state: changes nothing but adds unknown refunds",
	 stale_state_changes_nothing_but_refunds},
	{"stale paid state before accrual: nothing",
	 stale_state_before_accrual_does_not_accrue},
	{"partial refund under a total base: money returned decides",
	 partial_refund_under_total_base},
	{"holding period: pending until due, then approved once",
	 holding_period},
	{"full refund inside the holding period: never approved",
	 refund_inside_holding_period_never_approved},
	{"partial refund inside the holding period: net approved",
	 partial_refund_inside_holding_period},
	{"manual approval: held; pipeline_approve once, then an error",
	 manual_approval},
	{"3 referred orders from one address: held for review",
	 same_ip_orders_held},
	{"coupon used by 5 customers in 10 minutes: held",
	 coupon_by_many_customers_held},
	{"coupon used by one customer 6 times: not held",
	 coupon_by_one_customer_many_times_not_held},
	{"reward program: one reward at approval, derived code",
	 reward_queued_at_approval},
	{"reward after the holding period is worth the net",
	 reward_after_hold_is_worth_the_net},
	{"reversal before the reward is issued cancels it",
	 reversal_before_issue_cancels_reward},
	{"reward of an order first seen partly refunded is worth the net",
	 reward_first_seen_partly_refunded},
	{"payout, refund: negative balance carried to the next payout",
	 payout_then_refund_carries_forward},
	{"lifetime binding credits the customer's later orders",
	 lifetime_binding_credits_later_orders},
	{"lifetime binding of a guest by email", lifetime_binding_by_email},
	{"click window counts from the order, not from its payment",
	 click_window_counts_from_the_order},
	{"two-sided program: friend code queued at join",
	 two_sided_queues_friend_code},
	{"multi-currency: credited in the shop currency",
	 multi_currency_in_shop_currency},
	{"JPY shop: amounts in yen, codes per shop", jpy_shop},
	{"order rows explain themselves", order_reasons},
	{"a generated code avoids the affiliate's own coupons",
	 generated_code_avoids_own_coupons},
	{"first seen refunded: accrue and reverse, net zero",
	 first_seen_refunded},
};

static void run_scenario(void **state)
{
	const struct scenario *s = *state;

	s->fn();
	fx_verify(&w.fx);
}

int main(void)
{
	static struct CMUnitTest cases[COUNT(scenarios)];
	size_t i;

	for (i = 0; i < COUNT(scenarios); i++) {
		cases[i].name = scenarios[i].name;
		cases[i].test_func = run_scenario;
		cases[i].setup_func = case_setup;
		cases[i].teardown_func = case_teardown;
		cases[i].initial_state = (void *)(uintptr_t)&scenarios[i];
	}
	return _cmocka_run_group_tests("pipeline", cases, COUNT(scenarios),
				       NULL, NULL);
}
