/*
 * Durable intake with group commit: a request thread hands its delivery
 * to intake_store() and waits; one committer thread writes every delivery
 * waiting at that moment in a single transaction, so that many requests
 * share one fsync. A delivery is answered 200 only after its commit.
 */
#ifndef AFFILIATED_INTAKE_H
#define AFFILIATED_INTAKE_H

#include "store/store.h"
#include "store/store_inbox.h"

struct intake;

/* notify(ctx) runs after each commit that stored something new. */
struct intake *intake_start(struct store *st, void (*notify)(void *ctx),
			    void *ctx);
/* Commits what is queued, then stops the committer thread. */
void intake_stop(struct intake *in);

/* 1 stored, 0 already known (a redelivery), -1 not stored (err says). */
int intake_store(struct intake *in, const struct inbox_put *it,
		 struct buf *err);

#endif
