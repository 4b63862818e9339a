/*
 * The ledger: every money movement is an entry, nothing is edited.
 * Buckets: pending (earned, in its holding period), approved (payable),
 * paid (paid out or issued as a reward). An approval moves a commission's
 * net amount from pending to approved; a payout from approved to paid; a
 * reversal takes from whichever bucket the commission is in, so a refund
 * after a payout leaves approved negative, carried forward to the next
 * payout. Each entry holds the SHA-256 of its predecessor, so that
 * ledger_verify() proves no entry was changed, removed or reordered.
 */
#ifndef AFFILIATED_LEDGER_H
#define AFFILIATED_LEDGER_H

#include "store/store.h"
#include "store/store_ledger.h"
#include "store/store_orders.h"

struct ledger_post {
	int64_t affiliate_id;
	const char *currency;
	const char *bucket;
	const char *kind;
	int64_t amount;
	int64_t commission_id;
	int64_t order_id;
	const char *memo;
};

/* Appends one entry, chained to the current head. */
int ledger_post(struct store_tx *tx, const struct ledger_post *p,
		struct buf *err);

/* A new commission: +amount into pending. */
int ledger_accrue(struct store_tx *tx, const struct commission *c,
		  struct buf *err);
/* pending -> approved for the commission's net (amount less reversals). */
int ledger_approve(struct store_tx *tx, const struct commission *c, int64_t net,
		   const char *memo, struct buf *err);
/* -amount from the commission's current bucket. */
int ledger_reverse(struct store_tx *tx, const struct commission *c,
		   bool approved, int64_t amount, const char *memo,
		   struct buf *err);
/* approved -> paid. commission_id may be 0 for a cash payout. */
int ledger_payout(struct store_tx *tx, int64_t affiliate_id,
		  const char *currency, int64_t amount, int64_t commission_id,
		  const char *memo, struct buf *err);

/*
 * Recomputes every hash from the first entry. *count gets the number of
 * entries checked; err names the first entry that does not match.
 */
int ledger_verify(struct store_tx *tx, int64_t *count, struct buf *err);

/* The hash of an entry (its fields and prev_hash) as 64 hex characters. */
void ledger_hash(const struct ledger_entry *e, char out[65]);

#endif
