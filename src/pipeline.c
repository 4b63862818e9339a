#include "pipeline.h"
#include "commission.h"
#include "ledger.h"
#include "model/model.h"
#include "reward_code.h"
#include "util/seal.h"
#include "store/store_ledger.h"
#include "store/store_orders.h"
#include "store/store_outbox.h"
#include "store/store_programs.h"
#include "util/clock.h"
#include "util/money.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
/* Suspicious patterns put a commission on hold for a person to look at. */
#define SAME_IP_ORDERS	 3
#define SAME_IP_WINDOW	 DAY
#define COUPON_CUSTOMERS 5
#define COUPON_WINDOW	 600

static void row_from_order(struct order_row *row, int64_t shop_id,
			   const struct order *o, int64_t commissionable)
{
	row->shop_id = shop_id;
	free(row->platform_order_id);
	row->platform_order_id = xstrdup(o->id);
	free(row->name);
	row->name = xstrdup(o->name ? o->name : "");
	free(row->customer_id);
	row->customer_id = o->customer_id ? xstrdup(o->customer_id) : NULL;
	free(row->email);
	row->email = o->email ? email_normalize(o->email) : NULL;
	free(row->currency);
	row->currency = xstrdup(o->currency);
	free(row->presentment_currency);
	row->presentment_currency = o->presentment_currency
					    ? xstrdup(o->presentment_currency)
					    : NULL;
	row->total = o->total;
	row->presentment_total = o->presentment_total;
	row->commissionable = commissionable;
	row->financial = o->financial;
	row->cancelled = o->cancelled;
	row->placed_at = o->created_at;
	row->platform_updated_at = o->updated_at;
}

static void set_ip_hash(struct order_row *row, const struct order *o)
{
	char tag[33] = "";

	if (seal_ready())
		seal_pseudonym(o->browser_ip, tag);
	free(row->ip_hash);
	row->ip_hash = xstrdup(tag);
}

static void set_decision(struct order_row *row, const struct attribution *a)
{
	row->affiliate_id = a->affiliate_id;
	row->program_id = a->program_id;
	free(row->decision);
	row->decision = xstrdup(a->decision);
	free(row->signal);
	row->signal = xstrdup(a->affiliate_id ? signal_str(a->signal) : "");
	free(row->network);
	row->network = xstrdup(a->network);
	free(row->reason);
	row->reason = xstrdup(a->reason);
}

static void set_snapshot(struct order_row *row, const struct order *o)
{
	struct buf json;

	buf_init(&json, BUF_MEDIUM);
	if (order_to_json(o, &json) < 0)
		buf_reset(&json);
	free(row->snapshot);
	row->snapshot = buf_take(&json);
}

static bool creditable(const struct program *p, const struct order *o)
{
	if (o->financial == ORDER_VOIDED ||
	    (o->cancelled && !order_was_paid(o)))
		return false;
	return p->credit_on_paid ? order_was_paid(o) : true;
}

/* Why a new commission should wait for a person, or "" when it need not. */
static int review_reason(struct store_tx *tx, const struct program *p,
			 const struct order_row *row, char *out, size_t n,
			 struct buf *err)
{
	int64_t now = clock_now(), count;

	out[0] = '\0';
	if (row->ip_hash[0]) {
		if (store_count_orders_from_ip(
			    tx, row->affiliate_id, row->ip_hash,
			    now - SAME_IP_WINDOW, &count, err) < 0)
			return -1;
		if (count >= SAME_IP_ORDERS) {
			snprintf(out, n,
				 "held for review: %lld referred orders from "
				 "one address within a day",
				 (long long)count);
			return 0;
		}
	}
	if (strcmp(row->signal, "coupon") == 0) {
		if (store_count_coupon_customers(tx, row->affiliate_id,
						 now - COUPON_WINDOW, &count,
						 err) < 0)
			return -1;
		if (count >= COUPON_CUSTOMERS) {
			snprintf(out, n,
				 "held for review: the code was used by %lld "
				 "customers within 10 minutes",
				 (long long)count);
			return 0;
		}
	}
	if (p->manual_approval)
		snprintf(out, n, "the program approves commissions by hand");
	return 0;
}

static int queue_reward(struct store_tx *tx, const struct program *p,
			const struct commission *c, int64_t net,
			struct pipeline_outcome *out, struct buf *err)
{
	struct reward r;
	char code[REWARD_CODE_LEN + 1];

	if (p->reward == REWARD_CASH)
		return 0;
	memset(&r, 0, sizeof(r));
	r.shop_id = p->shop_id;
	r.affiliate_id = c->affiliate_id;
	r.order_id = c->order_id;
	r.commission_id = c->id;
	snprintf(r.purpose, sizeof(r.purpose), "commission");
	snprintf(r.kind, sizeof(r.kind), "%s",
		 p->reward == REWARD_GIFT_CARD ? "gift_card" : "coupon");
	snprintf(r.value_type, sizeof(r.value_type), "amount");
	r.value = net;
	snprintf(r.currency, sizeof(r.currency), "%s", c->currency);
	snprintf(r.note, sizeof(r.note), "commission %lld, order %lld",
		 (long long)c->id, (long long)c->order_id);
	if (r.value <= 0)
		return 0;
	if (store_reward_add(tx, &r, err) < 0)
		return -1;
	if (!seal_ready())
		return errorf(err, "reward codes need the master key");
	reward_code(r.shop_id, r.id, code);
	if (out)
		out->reward_id = r.id;
	return store_reward_set_code(tx, r.id, code, err);
}

/* Approves a commission: entries, then its reward in the same tx. */
static int approve_one(struct store_tx *tx, const struct commission *c,
		       const char *memo, struct pipeline_outcome *out,
		       struct buf *err)
{
	struct commission_state st;
	struct program p;
	int64_t net;
	int rc;

	if (store_commission_state(tx, c->id, &st, err) < 0 ||
	    store_commission_unqueue(tx, c->id, err) < 0)
		return -1;
	net = c->amount - st.reversed;
	if (st.approved || net <= 0)
		return 0;
	rc = store_program_get(tx, c->program_id, &p, err);
	if (rc <= 0)
		return rc < 0 ? -1
			      : errorf(err, "program %lld is gone",
				       (long long)c->program_id);
	rc = ledger_approve(tx, c, net, memo, err);
	if (rc == 0)
		rc = queue_reward(tx, &p, c, net, out, err);
	program_release(&p);
	if (rc == 0 && out)
		out->approved = true;
	return rc;
}

/* Keeps the attribution, says why nothing is earned, saves the row. */
static int no_commission(struct store_tx *tx, struct order_row *row,
			 const char *why)
{
	size_t n = strlen(row->reason) + strlen(why) + 32;
	char *reason = xmalloc(n);

	snprintf(reason, n, "%s; no commission: %s", row->reason, why);
	free(row->reason);
	row->reason = reason;
	free(row->decision);
	row->decision = xstrdup("no_commission");
	return store_order_put(tx, row, NULL);
}

static int accrue(struct store_tx *tx, const struct program *p,
		  struct order_row *row, const struct order *o,
		  struct pipeline_outcome *out, struct buf *err)
{
	struct commission_input in = {p, o, 0, row->network};
	struct commission_result res;
	struct commission c;
	char review[256];
	int64_t now = clock_now();

	if (strcmp(row->currency, p->currency) != 0)
		return no_commission(tx, row,
				     "the order is in another currency "
				     "than the program pays in");
	if (store_commission_count_since(tx, row->affiliate_id,
					 now - COMMISSION_TIER_DAYS * DAY,
					 &in.recent_orders, err) < 0 ||
	    commission_compute(&in, &res, err) < 0)
		return -1;
	if (!res.eligible || res.amount <= 0) {
		char *reason = xmalloc(strlen(row->reason) + 600);

		snprintf(reason, strlen(row->reason) + 600,
			 "%s; no commission: %s", row->reason,
			 res.eligible ? "it comes to nothing"
				      : res.explanation);
		free(row->reason);
		row->reason = reason;
		free(row->decision);
		row->decision = xstrdup("no_commission");
		return store_order_put(tx, row, err);
	}
	if (review_reason(tx, p, row, review, sizeof(review), err) < 0)
		return -1;
	memset(&c, 0, sizeof(c));
	c.order_id = row->id;
	c.affiliate_id = row->affiliate_id;
	c.program_id = p->id;
	snprintf(c.currency, sizeof(c.currency), "%s", row->currency);
	c.base = res.base;
	c.amount = res.amount;
	c.explanation = res.explanation;
	c.review = review;
	c.approve_after = now + p->hold_days * DAY;
	if (store_commission_add(tx, &c, err) < 0 ||
	    ledger_accrue(tx, &c, err) < 0)
		return -1;
	out->commission_id = c.id;
	out->accrued = c.amount;
	if (p->lifetime_days > 0 && (o->customer_id || o->email)) {
		struct binding b = {row->affiliate_id, p->id, now,
				    now + p->lifetime_days * DAY};

		if (store_binding_put(tx, row->shop_id,
				      row->customer_id ? row->customer_id
						       : row->email,
				      &b, err) < 0)
			return -1;
	}
	/* Approved after reconcile(): a state already refunded counts first. */
	out->approve_now = !review[0] && c.approve_after <= now;
	if (!review[0] && !out->approve_now &&
	    store_commission_queue(tx, c.id, c.approve_after, err) < 0)
		return -1;
	return 0;
}

/* Refund's share of the commission base, when the platform did not say. */
static int64_t refund_base(const struct order_refund *r,
			   const struct order_row *row)
{
	int64_t v;

	if (r->base >= 0)
		return r->base;
	if (row->total <= 0 ||
	    money_scale(r->amount, row->commissionable, row->total, &v) < 0)
		return row->commissionable;
	return v;
}

static int record_refunds(struct store_tx *tx, const struct order_row *row,
			  const struct order *o, struct buf *err)
{
	size_t i;

	for (i = 0; i < o->nrefunds; i++)
		if (store_refund_add(tx, row->id, &o->refunds[i],
				     refund_base(&o->refunds[i], row), err) < 0)
			return -1;
	return 0;
}

/* How much of the commission the order's state says must be reversed. */
static int reversal_target(struct store_tx *tx, const struct order_row *row,
			   const struct commission *c, const struct program *p,
			   int64_t *target, struct buf *err)
{
	int64_t amount, base, num, den;

	if (row->cancelled || row->financial == ORDER_REFUNDED ||
	    row->financial == ORDER_VOIDED) {
		*target = c->amount;
		return 0;
	}
	if (store_refund_sums(tx, row->id, &amount, &base, err) < 0)
		return -1;
	/* Against the base the commission was computed on. */
	num = p->base == BASE_TOTAL ? amount : base;
	den = c->base;
	*target = 0;
	if (num <= 0)
		return 0;
	if (den <= 0 || num >= den) {
		*target = c->amount;
		return 0;
	}
	if (money_scale(c->amount, num, den, target) < 0)
		return errorf(err, "reversal overflows");
	if (*target > c->amount)
		*target = c->amount;
	return 0;
}

static int reconcile(struct store_tx *tx, const struct order_row *row,
		     const struct commission *c, struct pipeline_outcome *out,
		     struct buf *err)
{
	struct commission_state st;
	struct program p;
	int64_t target;
	char memo[160];
	int rc;

	rc = store_program_get(tx, c->program_id, &p, err);
	if (rc <= 0)
		return rc < 0 ? -1 : errorf(err, "program is gone");
	rc = reversal_target(tx, row, c, &p, &target, err);
	program_release(&p);
	if (rc < 0 || store_commission_state(tx, c->id, &st, err) < 0)
		return -1;
	if (target <= st.reversed)
		return 0;
	snprintf(memo, sizeof(memo), "%s order %s",
		 target == c->amount
			 ? (row->cancelled ? "cancelled" : "refunded")
			 : "partial refund of",
		 row->name[0] ? row->name : row->platform_order_id);
	if (ledger_reverse(tx, c, st.approved, target - st.reversed, memo,
			   err) < 0)
		return -1;
	out->reversed += target - st.reversed;
	if (target == c->amount &&
	    store_reward_cancel_for(tx, c->id,
				    "the commission was reversed before the "
				    "reward was issued",
				    err) < 0)
		return -1;
	return 0;
}

static int decide_and_save(struct store_tx *tx, struct order_row *row,
			   const struct order *o, bool has_commission,
			   const struct pipeline_opts *opts, struct buf *err)
{
	struct attribution a;
	struct attribution_ctx ctx;
	int64_t base;

	if (commission_base(o, BASE_SUBTOTAL, &base) < 0)
		return errorf(err, "order '%s': amounts overflow", o->id);
	row_from_order(row, row->shop_id, o, base);
	set_snapshot(row, o);
	/*
	 * Attribution is decided until a commission exists, but a credit
	 * once given is kept: payment later must not lose it to a window
	 * that closed meanwhile.
	 */
	if (!has_commission &&
	    !(row->decision && strcmp(row->decision, "credited") == 0)) {
		set_ip_hash(row, o);
		memset(&ctx, 0, sizeof(ctx));
		ctx.shop_id = row->shop_id;
		ctx.ip_hash = row->ip_hash;
		/* Windows count from when the order was placed. */
		ctx.now = o->created_at > 0 ? o->created_at : clock_now();
		ctx.only_program = opts ? opts->only_program : 0;
		ctx.precedence = opts ? opts->precedence : NULL;
		if (attribution_decide(tx, &ctx, o, &a, err) < 0)
			return -1;
		set_decision(row, &a);
	}
	return store_order_put(tx, row, err);
}

static int maybe_accrue(struct store_tx *tx, struct order_row *row,
			const struct order *o, struct pipeline_outcome *out,
			struct buf *err)
{
	struct program p;
	int rc;

	if (strcmp(row->decision, "credited") != 0)
		return 0;
	if (o->test)
		return no_commission(tx, row, "a test order");
	rc = store_program_get(tx, row->program_id, &p, err);
	if (rc <= 0)
		return rc < 0 ? -1 : errorf(err, "program is gone");
	if (creditable(&p, o)) {
		rc = accrue(tx, &p, row, o, out, err);
	} else {
		/* Say why nothing is booked yet, so the order explains itself.
		 */
		char *reason = xmalloc(strlen(row->reason) + 64);

		snprintf(reason, strlen(row->reason) + 64, "%s; %s",
			 row->reason,
			 o->cancelled || o->financial == ORDER_VOIDED
				 ? "cancelled before payment: no commission"
				 : "commission booked when the order is paid");
		free(row->reason);
		row->reason = reason;
		rc = store_order_put(tx, row, err);
	}
	program_release(&p);
	return rc;
}

int pipeline_process_order(struct store_tx *tx, int64_t shop_id,
			   const struct order *o,
			   const struct pipeline_opts *opts,
			   struct pipeline_outcome *out, struct buf *err)
{
	struct order_row row;
	struct commission c;
	int found, has_c = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&row, 0, sizeof(row));
	memset(&c, 0, sizeof(c));
	found = store_order_find(tx, shop_id, o->id, &row, err);
	if (found < 0)
		return -1;
	row.shop_id = shop_id;
	if (found &&
	    (has_c = store_commission_by_order(tx, row.id, &c, err)) < 0)
		goto out;
	out->stale = found && o->updated_at &&
		     row.platform_updated_at > o->updated_at;
	if (!out->stale &&
	    decide_and_save(tx, &row, o, has_c == 1, opts, err) < 0)
		goto out;
	out->order_id = row.id;
	if (record_refunds(tx, &row, o, err) < 0)
		goto out;
	if (!out->stale && has_c == 0) {
		if (maybe_accrue(tx, &row, o, out, err) < 0)
			goto out;
		if (out->commission_id)
			has_c = store_commission_get(tx, out->commission_id, &c,
						     err);
		if (has_c < 0)
			goto out;
	}
	if (has_c == 1 && reconcile(tx, &row, &c, out, err) < 0)
		goto out;
	if (has_c == 1 && out->approve_now &&
	    approve_one(tx, &c, "approved on payment", out, err) < 0)
		goto out;
	out->commission_id = has_c == 1 ? c.id : 0;
	out->affiliate_id = row.affiliate_id;
	snprintf(out->decision, sizeof(out->decision), "%s", row.decision);
	rc = 0;
out:
	if (has_c == 1)
		commission_release(&c);
	order_row_release(&row);
	return rc;
}

int pipeline_process_refund(struct store_tx *tx, int64_t shop_id,
			    const char *platform_order_id,
			    const struct order_refund *r,
			    struct pipeline_outcome *out, struct buf *err)
{
	struct order_row row;
	struct commission c;
	int rc, has_c;

	memset(out, 0, sizeof(*out));
	rc = store_order_find(tx, shop_id, platform_order_id, &row, err);
	if (rc <= 0)
		return rc;
	out->order_id = row.id;
	rc = store_refund_add(tx, row.id, r, refund_base(r, &row), err);
	has_c = rc < 0 ? -1 : store_commission_by_order(tx, row.id, &c, err);
	if (has_c == 1) {
		rc = reconcile(tx, &row, &c, out, err);
		out->commission_id = c.id;
		commission_release(&c);
	}
	out->affiliate_id = row.affiliate_id;
	order_row_release(&row);
	return rc < 0 || has_c < 0 ? -1 : 1;
}

int pipeline_approve_due(struct store_tx *tx, int64_t now, int *count,
			 struct buf *err)
{
	struct pipeline_outcome out;
	struct commission c;
	int64_t *ids;
	size_t n, i;
	int rc = 0;

	*count = 0;
	if (store_commission_due(tx, now, &ids, &n, err) < 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		memset(&out, 0, sizeof(out));
		if (store_commission_get(tx, ids[i], &c, err) != 1) {
			rc = -1;
			break;
		}
		rc = approve_one(tx, &c, "holding period over", &out, err);
		commission_release(&c);
		if (out.approved)
			(*count)++;
	}
	free(ids);
	return rc;
}

int pipeline_approve(struct store_tx *tx, int64_t commission_id,
		     struct buf *err)
{
	struct pipeline_outcome out;
	struct commission_state st;
	struct commission c;
	int rc = store_commission_get(tx, commission_id, &c, err);

	if (rc <= 0)
		return rc < 0 ? -1
			      : errorf(err, "no commission %lld",
				       (long long)commission_id);
	memset(&out, 0, sizeof(out));
	rc = store_commission_state(tx, c.id, &st, err);
	if (rc == 0 && st.approved)
		rc = errorf(err, "commission %lld is already approved",
			    (long long)commission_id);
	else if (rc == 0 && st.reversed >= c.amount)
		rc = errorf(err, "commission %lld was reversed in full",
			    (long long)commission_id);
	else if (rc == 0)
		rc = approve_one(tx, &c, "approved by the merchant", &out, err);
	commission_release(&c);
	return rc;
}

struct bucket_sum {
	const char *currency;
	int64_t approved;
};

static int sum_approved(void *ctx, const char *currency, const char *bucket,
			int64_t sum)
{
	struct bucket_sum *b = ctx;

	if (strcmp(currency, b->currency) == 0 &&
	    strcmp(bucket, "approved") == 0)
		b->approved = sum;
	return 0;
}

int pipeline_payout(struct store_tx *tx, int64_t affiliate_id,
		    const char *currency, int64_t *amount, struct buf *err)
{
	struct bucket_sum b = {currency, 0};
	struct affiliate a;
	struct program p;
	enum reward_kind kind;
	int rc;

	*amount = 0;
	rc = store_affiliate_get(tx, affiliate_id, &a, err);
	if (rc <= 0)
		return rc < 0 ? -1
			      : errorf(err, "no affiliate %lld",
				       (long long)affiliate_id);
	rc = store_program_get(tx, a.program_id, &p, err);
	affiliate_release(&a);
	if (rc <= 0)
		return -1;
	kind = p.reward;
	program_release(&p);
	/* Rewards pay these affiliates; cash on top would pay them twice. */
	if (kind != REWARD_CASH)
		return errorf(err, "affiliate %lld is paid in %ss, not in cash",
			      (long long)affiliate_id, reward_kind_str(kind));
	if (store_ledger_sums(tx, affiliate_id, sum_approved, &b, err) < 0)
		return -1;
	if (b.approved <= 0)
		return 0;
	*amount = b.approved;
	return ledger_payout(tx, affiliate_id, currency, b.approved, 0,
			     "payout of the approved balance", err);
}
