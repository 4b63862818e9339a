/*
 * The pipeline from a verified, parsed order to the ledger, inside the
 * caller's write transaction: attribution, commission, accrual, approval
 * (and the reward it earns), reversals for refunds and cancellations.
 * Idempotent: processing the same order state again books nothing, and an
 * older state arriving after a newer one changes nothing but adds any
 * refund it carries that was not known yet.
 */
#ifndef AFFILIATED_ENGINE_H
#define AFFILIATED_ENGINE_H

#include "attribution.h"
#include "model/order.h"
#include "store/store.h"

struct pipeline_opts {
	int64_t only_program;		    /* simulate: this program only */
	const enum signal_kind *precedence; /* NULL: the default */
};

struct pipeline_outcome {
	int64_t order_id;
	bool stale;	       /* an older state than one already seen */
	int64_t commission_id; /* 0: none */
	int64_t accrued;       /* booked by this call */
	int64_t reversed;      /* booked by this call */
	bool approved;	       /* approved by this call */
	bool approve_now;      /* internal: accrued with nothing to wait for */
	int64_t reward_id;     /* queued by this call */
	int64_t affiliate_id;
	char decision[24];
};

int pipeline_process_order(struct store_tx *tx, int64_t shop_id,
			   const struct order *o,
			   const struct pipeline_opts *opts,
			   struct pipeline_outcome *out, struct buf *err);

/*
 * A refund that arrived on its own (Shopify's refunds/create). Returns 1
 * when booked against a known order, 0 when the order is unknown (the
 * caller fetches it), -1 on error.
 */
int pipeline_process_refund(struct store_tx *tx, int64_t shop_id,
			    const char *platform_order_id,
			    const struct order_refund *r,
			    struct pipeline_outcome *out, struct buf *err);

/* Approves commissions whose holding period is over; *count approved. */
int pipeline_approve_due(struct store_tx *tx, int64_t now, int *count,
			 struct buf *err);
/* Approves one commission by hand (manual approval, held for review). */
int pipeline_approve(struct store_tx *tx, int64_t commission_id,
		     struct buf *err);
/*
 * Pays out an affiliate's approved balance in a currency: *amount gets
 * what was paid (0 when the balance is not positive).
 */
int pipeline_payout(struct store_tx *tx, int64_t affiliate_id,
		    const char *currency, int64_t *amount, struct buf *err);

#endif
