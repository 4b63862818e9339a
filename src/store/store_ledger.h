/* Ledger entries: append-only rows; the database refuses edits. */
#ifndef AFFILIATED_STORE_LEDGER_H
#define AFFILIATED_STORE_LEDGER_H

#include "store/store.h"

struct ledger_entry {
	int64_t id;
	int64_t affiliate_id;
	char currency[4];
	char bucket[10]; /* pending, approved, paid */
	char kind[12];	 /* accrual, approval, reversal, adjustment, payout */
	int64_t amount;	 /* minor units, signed */
	int64_t commission_id; /* 0: none */
	int64_t order_id;      /* 0: none */
	char memo[256];
	int64_t created_at;
	char prev_hash[65];
	char hash[65];
};

/* The hash of the newest entry, or 64 zeros for an empty ledger. */
int store_ledger_head(struct store_tx *tx, char out[65], struct buf *err);
/* Appends e (hashes already computed); sets e->id. */
int store_ledger_append(struct store_tx *tx, struct ledger_entry *e,
			struct buf *err);
/* The id the next entry will get (ids are never reused). */
int store_ledger_next_id(struct store_tx *tx, int64_t *id, struct buf *err);
/* Entries in id order, of one affiliate or all (0). */
int store_ledger_each(struct store_tx *tx, int64_t affiliate_id,
		      int (*fn)(void *ctx, const struct ledger_entry *e),
		      void *ctx, struct buf *err);
/* Sums per currency and bucket of an affiliate (all when 0). */
int store_ledger_sums(struct store_tx *tx, int64_t affiliate_id,
		      int (*fn)(void *ctx, const char *currency,
				const char *bucket, int64_t sum),
		      void *ctx, struct buf *err);

/* Where a commission stands, from its entries. */
struct commission_state {
	bool approved;
	int64_t reversed;	/* total reversed so far, positive */
	int64_t approval_entry; /* id of its approval entry, 0 none */
};
int store_commission_state(struct store_tx *tx, int64_t commission_id,
			   struct commission_state *out, struct buf *err);
/* Id of the newest payout entry of an affiliate in a currency (0 none). */
int store_ledger_last_payout(struct store_tx *tx, int64_t affiliate_id,
			     const char *currency, int64_t *id,
			     struct buf *err);

#endif
