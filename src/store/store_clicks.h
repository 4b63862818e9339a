/* Click rows kept only as long as attribution can use them. */
#ifndef AFFILIATED_STORE_CLICKS_H
#define AFFILIATED_STORE_CLICKS_H

#include "store/store.h"

#include <stdint.h>

/*
 * Deletes up to limit click rows older than keep_days before now, or
 * than the longest attribution window of any program when that is
 * longer, so that no click an order could still be credited to goes.
 * *deleted gets how many went (fewer than limit: none are left).
 */
int store_clicks_prune(struct store_tx *tx, int64_t now, int64_t keep_days,
		       int64_t limit, int64_t *deleted, struct buf *err);

#endif
