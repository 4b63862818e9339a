/*
 * Catching up on orders no webhook delivered: lists the orders a shop
 * updated since a time through the platform's API and runs each through
 * the same idempotent pipeline as a webhook. An order the webhooks
 * already brought books nothing.
 */
#ifndef AFFILIATED_RECONCILE_H
#define AFFILIATED_RECONCILE_H

#include "attribution.h"
#include "platform.h"
#include "store/store.h"

struct reconcile_stats {
	int64_t seen;	 /* orders the platform listed */
	int64_t unknown; /* of which no webhook had delivered */
	int64_t accrued; /* commissions booked by this pass */
	int64_t skipped; /* listed, but could not be read */
	int64_t newest;	 /* newest updated_at seen */
	/*
	 * What the platform says the pass could not see ("" if nothing),
	 * e.g. orders outside the window it shows: never read it as "none".
	 */
	char note[256];
};

/*
 * One shop since a time (0: since the last pass, with an hour of
 * overlap, or two days back on the first). Waits out throttling.
 */
int reconcile_shop(struct store *st, const struct platform_set *set,
		   const enum signal_kind *precedence, int64_t shop_id,
		   int64_t since, struct reconcile_stats *out, struct buf *err);
/* Every active shop whose platform can list orders. */
int reconcile_all(struct store *st, const struct platform_set *set,
		  const enum signal_kind *precedence, struct buf *err);

#endif
