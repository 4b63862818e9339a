/* The reward outbox: rewards to issue on a platform, exactly once. */
#ifndef AFFILIATED_STORE_OUTBOX_H
#define AFFILIATED_STORE_OUTBOX_H

#include "store/store.h"

enum reward_status {
	REWARD_PENDING,
	REWARD_SENDING, /* a call is (or was, before a crash) in flight */
	REWARD_ISSUED,
	REWARD_FAILED,
	REWARD_CANCELLED,
	REWARD_STATUS__COUNT
};

struct reward {
	int64_t id;
	int64_t shop_id;
	int64_t affiliate_id;  /* 0: none */
	int64_t order_id;      /* 0: none */
	int64_t commission_id; /* 0: not for a commission */
	char purpose[16];      /* commission, friend_code */
	char kind[12];	       /* coupon, gift_card */
	char value_type[10];   /* amount, percent */
	int64_t value;	       /* minor units, or basis points */
	char currency[4];
	char code[64];
	enum reward_status status;
	int64_t attempts;
	int64_t next_attempt_at;
	char last_error[512];
	char platform_id[128];
	char note[256];
	int64_t created_at;
	int64_t updated_at;
};

const char *reward_status_str(enum reward_status s);
int reward_status_parse(const char *s, enum reward_status *out);

/* Inserts r (status pending); sets r->id. */
int store_reward_add(struct store_tx *tx, struct reward *r, struct buf *err);
int store_reward_get(struct store_tx *tx, int64_t id, struct reward *out,
		     struct buf *err);
int store_reward_set_code(struct store_tx *tx, int64_t id, const char *code,
			  struct buf *err);
/* Cancels the commission's reward unless issued: 1 cancelled, 0 not. */
int store_reward_cancel_for(struct store_tx *tx, int64_t commission_id,
			    const char *why, struct buf *err);
/*
 * Puts a failed reward back in the queue (attempts reset): 1 done, 0 when
 * the reward is not failed.
 */
int store_reward_retry(struct store_tx *tx, int64_t id, struct buf *err);
/* Cancels a pending or failed reward: 1 done, 0 when in another state. */
int store_reward_cancel(struct store_tx *tx, int64_t id, const char *why,
			struct buf *err);
/* Rewards by status (REWARD_STATUS__COUNT: all), newest first. */
int store_reward_each(struct store_tx *tx, enum reward_status status,
		      int64_t affiliate_id,
		      int (*fn)(void *ctx, const struct reward *r), void *ctx,
		      struct buf *err);

/* Due rewards (pending, next attempt passed), oldest first. */
int store_reward_due(struct store_tx *tx, int64_t now, int max,
		     struct reward **items, size_t *n, struct buf *err);
/* pending -> sending, attempts + 1: 1 done, 0 not pending any more. */
int store_reward_claim(struct store_tx *tx, int64_t id, struct buf *err);
/* Records the outcome of a call. */
int store_reward_issued(struct store_tx *tx, int64_t id,
			const char *platform_id, const char *note,
			struct buf *err);
int store_reward_again(struct store_tx *tx, int64_t id, int64_t next_at,
		       const char *error, struct buf *err);
int store_reward_fail(struct store_tx *tx, int64_t id, const char *error,
		      struct buf *err);
/*
 * Back to pending until next_at without counting the attempt: the shop
 * cannot be called until its merchant signs in again, which is no fault
 * of the reward's.
 */
int store_reward_park(struct store_tx *tx, int64_t id, int64_t next_at,
		      const char *error, struct buf *err);
/* Makes the shop's pending rewards due now (after a new sign-in). */
int store_rewards_wake_shop(struct store_tx *tx, int64_t shop_id,
			    struct buf *err);
/* The reward becomes a coupon of the same value (gift cards refused). */
int store_reward_as_coupon(struct store_tx *tx, int64_t id, const char *note,
			   struct buf *err);
/* After a crash: calls in flight are unknown; the codes make them safe. */
int store_reward_requeue_sending(struct store_tx *tx, int64_t *n,
				 struct buf *err);
/* Queue depth and the creation time of the oldest pending reward (0). */
int store_reward_backlog(struct store_tx *tx, int64_t *depth, int64_t *oldest,
			 struct buf *err);

/* Emails telling recipients about their rewards. */
struct email {
	int64_t id;
	int64_t shop_id;
	int64_t reward_id;
	char *recipient;
	char *subject;
	char *body;
	int64_t attempts;
};
void email_release(struct email *e);
int store_email_add(struct store_tx *tx, const struct email *e,
		    struct buf *err);
int store_email_due(struct store_tx *tx, int64_t now, int max,
		    struct email **items, size_t *n, struct buf *err);
int store_email_result(struct store_tx *tx, int64_t id, const char *status,
		       int64_t next_at, const char *error, struct buf *err);
int store_shop_no_gift_cards(struct store_tx *tx, int64_t shop_id,
			     const char *notice, struct buf *err);

#endif
