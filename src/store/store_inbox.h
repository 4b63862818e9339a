/* The webhook inbox: deliveries stored before we answer 200. */
#ifndef AFFILIATED_STORE_INBOX_H
#define AFFILIATED_STORE_INBOX_H

#include "store/store.h"

struct inbox_item {
	int64_t id;
	int64_t shop_id;
	char platform[16];
	char delivery_id[128];
	char topic[64];
	int kind; /* enum webhook_kind */
	char *body;
	size_t len;
	int64_t attempts;
};

/* A delivery to store: the body is borrowed. */
struct inbox_put {
	int64_t shop_id;
	const char *platform;
	const char *delivery_id;
	const char *topic;
	int kind;
	const char *body;
	size_t len;
};

void inbox_item_release(struct inbox_item *it);

/* Inserts unless (platform, delivery id) is known: 1 new, 0 duplicate. */
int store_inbox_put(struct store_tx *tx, const struct inbox_put *it,
		    int64_t *id, struct buf *err);
/*
 * Up to max due items (pending, next attempt passed) of the shops with
 * shop_id % nparts == part, oldest first. *items is allocated.
 */
int store_inbox_due(struct store_tx *tx, int64_t now, int part, int nparts,
		    int max, struct inbox_item **items, size_t *n,
		    struct buf *err);
int store_inbox_done(struct store_tx *tx, int64_t id, const char *status,
		     const char *note, struct buf *err);
/* Records a failed attempt and when to try again. */
int store_inbox_retry(struct store_tx *tx, int64_t id, int64_t next_at,
		      const char *error, struct buf *err);
/* Counts by status, for metrics and tests. */
int store_inbox_count(struct store_tx *tx, const char *status, int64_t *n,
		      struct buf *err);
/* Counts one shop's deliveries in status (the merchant's overview). */
int store_inbox_count_shop(struct store_tx *tx, int64_t shop_id,
			   const char *status, int64_t *n, struct buf *err);

/* A delivery as an operator sees it; strings are the row's own copies. */
struct inbox_row {
	int64_t id;
	int64_t shop_id;
	char *shop; /* the shop's domain */
	char *platform;
	char *topic;
	char *delivery_id;
	char *status; /* pending, done, failed or ignored */
	int64_t attempts;
	char *last_error; /* "" when none */
	int64_t received_at;
};

void inbox_row_release(struct inbox_row *r);
/*
 * Calls fn for each delivery, newest first, in status (NULL: any) and of
 * shop_id (0: any). The row is released after fn returns; a non-zero
 * return from fn stops the walk.
 */
int store_inbox_each(struct store_tx *tx, const char *status, int64_t shop_id,
		     int (*fn)(void *ctx, const struct inbox_row *r), void *ctx,
		     struct buf *err);
/* Reads delivery id into out: 1 found (release it), 0 none, -1. */
int store_inbox_get(struct store_tx *tx, int64_t id, struct inbox_row *out,
		    struct buf *err);
/*
 * Puts a delivery that is not done back in the queue, due now: 1 queued,
 * 0 it is done (nothing changed). Attempts keep counting, so a replay
 * shows as one more, and a delivery that had used up its retries is run
 * once more rather than given a new round of backoff.
 */
int store_inbox_requeue(struct store_tx *tx, int64_t id, struct buf *err);

/*
 * The shops a delivery can be for, as intake needs them: fn gets each
 * shop's id, platform, domain, status and sealed webhook secret (NULL
 * when the app's secret signs for it). A non-zero return stops the walk.
 */
int store_inbox_shops(struct store_tx *tx,
		      int (*fn)(void *ctx, int64_t id, const char *platform,
				const char *domain, const char *status,
				const char *sealed),
		      void *ctx, struct buf *err);

#endif
