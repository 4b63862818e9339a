/*
 * Group commit for writes on the request path (webhook deliveries,
 * clicks): a request hands its write to committer_run() and waits; the
 * first waiting thread that finds no commit running writes everything
 * queued at that moment in one transaction, each write in its own
 * savepoint. Many requests share one fsync, and each is answered only
 * after its own write is on disk.
 */
#ifndef AFFILIATED_COMMITTER_H
#define AFFILIATED_COMMITTER_H

#include "store/store.h"

#include <stdint.h>

struct committer;

/*
 * A write inside the shared transaction: returns 0, 1 ("news": notify
 * after the commit) or -1 with err set (its savepoint is undone).
 */
typedef int committer_write(struct store_tx *tx, void *ctx, struct buf *err);

/* notify(ctx) runs after a commit in which some write returned 1. */
struct committer *committer_new(struct store *st, void (*notify)(void *ctx),
				void *ctx);
/* Frees it; nobody may be inside committer_run(). NULL is fine. */
void committer_free(struct committer *c);

/*
 * Runs write(tx, ctx) in the next shared transaction and waits until it
 * is committed. Returns what write returned, or -1 when it failed or the
 * transaction did not commit (err says why).
 */
int committer_run(struct committer *c, committer_write *write, void *ctx,
		  struct buf *err);

/*
 * Microseconds (clock_usec) when a request last handed in a write: the
 * workers let bursts of requests have the writer first.
 */
uint64_t committer_last_write(const struct committer *c);

#endif
