/*
 * Per-shop pacing of platform calls, from what the platform itself says:
 * a leaky bucket mirrored from its rate hints (Shopify's GraphQL
 * throttleStatus: available points, capacity, restore rate, cost of the
 * last call) and any Retry-After. The sender asks when the next call may
 * go, so that it sends at the rate the platform allows instead of
 * bouncing off the limit. One thread uses a pacer; no locking.
 */
#ifndef AFFILIATED_PACER_H
#define AFFILIATED_PACER_H

#include "providers/provider.h"

#include <stdint.h>

enum { PACER_SHOPS = 256 };

struct pacer_shop {
	int64_t shop_id;
	int64_t available_milli; /* points, in thousandths */
	int64_t capacity;
	int64_t restore;	   /* points per second */
	int64_t cost;		   /* of the last call */
	uint64_t updated_us;	   /* when available was read */
	uint64_t blocked_until_us; /* from Retry-After or a throttle */
};

struct pacer {
	struct pacer_shop shops[PACER_SHOPS];
	int n;
};

void pacer_init(struct pacer *p);
/* Microseconds to wait before the next call to shop_id may go (0: now). */
uint64_t pacer_wait_us(struct pacer *p, int64_t shop_id, uint64_t now_us);
/* Feeds what the last answer said. */
void pacer_update(struct pacer *p, int64_t shop_id, const struct rate_hint *h,
		  int64_t retry_after_ms, uint64_t now_us);

#endif
