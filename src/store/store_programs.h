/* Programs with their rules, affiliates with their codes, and clicks. */
#ifndef AFFILIATED_STORE_PROGRAMS_H
#define AFFILIATED_STORE_PROGRAMS_H

#include "model/model.h"
#include "store/store.h"

struct click {
	int64_t id;
	int64_t shop_id;
	int64_t affiliate_id;
	int64_t program_id;
	char network[32];
	char ip_hash[65];
	char visitor[65];
	const char *user_agent; /* borrowed; not read back */
	int64_t created_at;
};

/* Inserts p and its rules; *id gets the new id. */
int store_program_add(struct store_tx *tx, const struct program *p, int64_t *id,
		      struct buf *err);
/* Rewrites every field and the rules of program p->id. */
int store_program_update(struct store_tx *tx, const struct program *p,
			 struct buf *err);
/* 1 found, 0 none, -1 error. */
int store_program_get(struct store_tx *tx, int64_t id, struct program *out,
		      struct buf *err);
/* Programs of a shop (0: all), by id. fn returning non-zero stops. */
int store_program_each(struct store_tx *tx, int64_t shop_id,
		       int (*fn)(void *ctx, const struct program *p), void *ctx,
		       struct buf *err);

/*
 * Inserts a and its coupon codes. Returns STORE_DUPLICATE_CODE or
 * STORE_DUPLICATE_EMAIL (err says which value) when taken.
 */
enum { STORE_DUPLICATE_CODE = -3, STORE_DUPLICATE_EMAIL = -4 };
int store_affiliate_add(struct store_tx *tx, const struct affiliate *a,
			const char *password_hash, int64_t *id,
			struct buf *err);
int store_affiliate_get(struct store_tx *tx, int64_t id, struct affiliate *out,
			struct buf *err);
/* By referral code or coupon code, case-insensitive; *is_coupon tells. */
int store_affiliate_by_code(struct store_tx *tx, int64_t shop_id,
			    const char *code, struct affiliate *out,
			    bool *is_coupon, struct buf *err);
int store_affiliate_by_email(struct store_tx *tx, int64_t shop_id,
			     const char *email, struct affiliate *out,
			     struct buf *err);
/* The stored argon2 hash into out: 1 found, 0 none. */
int store_affiliate_password(struct store_tx *tx, int64_t id, struct buf *out,
			     struct buf *err);
int store_affiliate_set_status(struct store_tx *tx, int64_t id,
			       enum affiliate_status status, struct buf *err);
/* Adds a coupon code; STORE_DUPLICATE_CODE when taken. */
int store_affiliate_add_coupon(struct store_tx *tx, int64_t shop_id,
			       int64_t affiliate_id, const char *code,
			       struct buf *err);
/* Affiliates of a program (0: all), of a shop (0: all). */
int store_affiliate_each(struct store_tx *tx, int64_t shop_id,
			 int64_t program_id,
			 int (*fn)(void *ctx, const struct affiliate *a),
			 void *ctx, struct buf *err);
/* Whether code is a referral or coupon code of any affiliate of the shop. */
int store_code_taken(struct store_tx *tx, int64_t shop_id, const char *code,
		     struct buf *err);

int store_click_add(struct store_tx *tx, const struct click *c, int64_t *id,
		    struct buf *err);
int store_click_get(struct store_tx *tx, int64_t id, struct click *out,
		    struct buf *err);
/* The newest click of the shop from ip_hash since a time: 1, 0 or -1. */
int store_click_latest_by_ip(struct store_tx *tx, int64_t shop_id,
			     const char *ip_hash, int64_t since,
			     struct click *out, struct buf *err);
/* The newest click of an affiliate from ip_hash since a time. */
int store_click_latest_for(struct store_tx *tx, int64_t affiliate_id,
			   const char *ip_hash, int64_t since,
			   struct click *out, struct buf *err);

#endif
