/*
 * An affiliate joining a program, from the CLI or the signup page: checks
 * the name, email and codes, picks a referral code when none is given,
 * stores the affiliate, and in a two-sided program queues the creation of
 * their personal discount code on the platform, in the same transaction.
 */
#ifndef AFFILIATED_AFFILIATES_H
#define AFFILIATED_AFFILIATES_H

#include "model/model.h"
#include "store/store.h"

/* Whether code is usable as a referral or coupon code: [A-Za-z0-9_-]{3,32}. */
bool affiliate_code_valid(const char *code);
bool email_valid(const char *email);

/*
 * a->name, a->email (normalised here), a->code (NULL: generated),
 * a->coupons, a->customer_id and a->status come from the caller; shop
 * and program from p. Returns 0, or -1 / STORE_DUPLICATE_CODE /
 * STORE_DUPLICATE_EMAIL with err in words. *id gets the new id and
 * a->code the referral code used.
 */
int affiliate_join(struct store_tx *tx, const struct program *p,
		   struct affiliate *a, const char *password_hash, int64_t *id,
		   struct buf *err);

#endif
