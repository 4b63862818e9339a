/*
 * Seeding a daemon's store directly, in-process, before the daemon
 * starts: shops, programs, affiliates and orders written through the
 * same core calls the commands use, so a test can start from "1,000
 * rewards due" without 1,000 webhooks. Every call asserts its success.
 */
#ifndef AFFILIATED_TEST_SEED_H
#define AFFILIATED_TEST_SEED_H

#include "harness.h"

struct store;
struct store_tx;

struct seeded {
	struct store *st;
	int64_t shop_id; /* the last shop added */
};

/* Opens (creating and migrating) the store and the key of d's directory. */
void seed_open(const struct daemon_proc *d, struct seeded *s);
void seed_close(struct seeded *s);
struct store_tx *seed_begin(struct seeded *s);
void seed_commit(struct store_tx *tx);

/* A Shopify shop selling in USD, holding token; sets s->shop_id. */
void seed_shopify_shop(struct seeded *s, const char *domain, const char *name,
		       const char *token);
/* A program of s->shop_id paying 10% as a coupon; friend_bps > 0 gives
 * the friends of its affiliates that discount. Returns its id. */
int64_t seed_coupon_program(struct seeded *s, const char *name,
			    int64_t friend_bps);
/* An active affiliate of the program who owns one coupon code. */
int64_t seed_affiliate(struct seeded *s, int64_t program_id, const char *name,
		       const char *email, const char *coupon);
/*
 * n paid USD orders of s->shop_id carrying coupon, numbered from
 * first_id, the i-th for total + i * step minor units. Each must book a
 * commission that queues a reward.
 */
void seed_paid_orders(struct seeded *s, const char *coupon, int first_id, int n,
		      int64_t total, int64_t step);

#endif
