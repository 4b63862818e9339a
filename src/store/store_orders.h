/* Orders as seen, their refunds, commissions and lifetime bindings. */
#ifndef AFFILIATED_STORE_ORDERS_H
#define AFFILIATED_STORE_ORDERS_H

#include "model/order.h"
#include "store/store.h"

/* An order row: the facts the pipeline keeps and shows. */
struct order_row {
	int64_t id;
	int64_t shop_id;
	char *platform_order_id;
	char *name;
	char *customer_id;
	char *email;
	char *ip_hash;
	char *currency;
	char *presentment_currency;
	int64_t total;
	int64_t presentment_total;
	int64_t commissionable;
	enum order_financial financial;
	bool cancelled;
	int64_t placed_at;
	int64_t platform_updated_at;
	int64_t affiliate_id; /* 0: nobody credited */
	int64_t program_id;
	char *decision; /* credited, none, self_referral, ... */
	char *signal;	/* coupon, attribute, landing, click, binding */
	char *network;
	char *reason;	/* in words, for people */
	char *snapshot; /* the neutral order as JSON */
	int64_t first_seen_at;
	int64_t updated_at;
};

struct commission {
	int64_t id;
	int64_t order_id;
	int64_t affiliate_id;
	int64_t program_id;
	char currency[4];
	int64_t base;
	int64_t amount;
	char *explanation;
	char *review; /* "" when it may be approved automatically */
	int64_t approve_after;
	int64_t created_at;
};

void order_row_release(struct order_row *r);
void commission_release(struct commission *c);

/* 1 found, 0 none, -1 error. */
int store_order_find(struct store_tx *tx, int64_t shop_id,
		     const char *platform_order_id, struct order_row *out,
		     struct buf *err);
int store_order_get(struct store_tx *tx, int64_t id, struct order_row *out,
		    struct buf *err);
/* Inserts (r->id == 0) or rewrites row r->id; sets r->id. */
int store_order_put(struct store_tx *tx, struct order_row *r, struct buf *err);
/* Orders of a shop (0: all) or an affiliate (0: all), newest first. */
int store_order_each(struct store_tx *tx, int64_t shop_id, int64_t affiliate_id,
		     int limit, int (*fn)(void *ctx, const struct order_row *r),
		     void *ctx, struct buf *err);

/* Records a refund once: 1 new, 0 already known, -1 error. */
int store_refund_add(struct store_tx *tx, int64_t order_id,
		     const struct order_refund *r, int64_t base,
		     struct buf *err);
/* Sums of the order's known refunds: money returned and base refunded. */
int store_refund_sums(struct store_tx *tx, int64_t order_id, int64_t *amount,
		      int64_t *base, struct buf *err);

int store_commission_add(struct store_tx *tx, struct commission *c,
			 struct buf *err);
int store_commission_get(struct store_tx *tx, int64_t id,
			 struct commission *out, struct buf *err);
int store_commission_by_order(struct store_tx *tx, int64_t order_id,
			      struct commission *out, struct buf *err);
/* Commissions of an affiliate created since a time (tiers). */
int store_commission_count_since(struct store_tx *tx, int64_t affiliate_id,
				 int64_t since, int64_t *count,
				 struct buf *err);
/*
 * The approval queue: commissions that approve themselves once their
 * holding period is over. due lists those whose time has come.
 */
int store_commission_due(struct store_tx *tx, int64_t now, int64_t **ids,
			 size_t *n, struct buf *err);
int store_commission_queue(struct store_tx *tx, int64_t commission_id,
			   int64_t approve_after, struct buf *err);
int store_commission_unqueue(struct store_tx *tx, int64_t commission_id,
			     struct buf *err);
/* Commissions of an affiliate, newest first (all when affiliate_id 0). */
int store_commission_each(struct store_tx *tx, int64_t affiliate_id,
			  int (*fn)(void *ctx, const struct commission *c),
			  void *ctx, struct buf *err);

/* Credited orders of an affiliate from one ip hash since a time. */
int store_count_orders_from_ip(struct store_tx *tx, int64_t affiliate_id,
			       const char *ip_hash, int64_t since,
			       int64_t *count, struct buf *err);
/* Distinct customers credited to an affiliate by coupon since a time. */
int store_count_coupon_customers(struct store_tx *tx, int64_t affiliate_id,
				 int64_t since, int64_t *count,
				 struct buf *err);

/* Lifetime binding of a customer (id or email) to an affiliate. */
struct binding {
	int64_t affiliate_id;
	int64_t program_id;
	int64_t bound_at;
	int64_t expires_at;
};
int store_binding_get(struct store_tx *tx, int64_t shop_id, const char *key,
		      struct binding *out, struct buf *err);
/* Keeps the first binding: a later order never steals the customer. */
int store_binding_put(struct store_tx *tx, int64_t shop_id, const char *key,
		      const struct binding *b, struct buf *err);

#endif
