/*
 * Click rows: written in batches by the click queue with ids it chose,
 * read back at start for the ids and the recent visits, and kept only as
 * long as attribution can use them.
 */
#ifndef AFFILIATED_STORE_CLICKS_H
#define AFFILIATED_STORE_CLICKS_H

#include "store/store.h"
#include "store/store_programs.h"

#include <stdint.h>

/*
 * Deletes up to limit click rows older than keep_days before now, or
 * than the longest attribution window of any program when that is
 * longer, so that no click an order could still be credited to goes.
 * *deleted gets how many went (fewer than limit: none are left).
 */
int store_clicks_prune(struct store_tx *tx, int64_t now, int64_t keep_days,
		       int64_t limit, int64_t *deleted, struct buf *err);
/*
 * Inserts c with its own c->id. A row that already has that id is left
 * as it is (a batch retried after a commit that did reach the disk).
 */
int store_click_put(struct store_tx *tx, const struct click *c,
		    struct buf *err);
/* The largest click id in the store, 0 when there is none. */
int store_click_max_id(struct store_tx *tx, int64_t *max, struct buf *err);
/*
 * Calls fn for the newest clicks made at or after since, at most limit,
 * newest first (user_agent is not read). fn returning non-zero stops.
 */
int store_clicks_since(struct store_tx *tx, int64_t since, int64_t limit,
		       int (*fn)(void *ctx, const struct click *c), void *ctx,
		       struct buf *err);

#endif
