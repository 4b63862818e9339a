/*
 * Reward codes are derived, not random: HMAC(master-derived key,
 * "shop:reward id"), so that a retry after a crash asks the platform for
 * the very code it may already have created, and finds it. 16 characters
 * of [a-z0-9] without look-alikes: valid as a Shopify gift card code and
 * as a discount code on every platform.
 */
#ifndef AFFILIATED_REWARD_CODE_H
#define AFFILIATED_REWARD_CODE_H

#include <stdint.h>

enum { REWARD_CODE_LEN = 16 };

void reward_code(int64_t shop_id, int64_t reward_id,
		 char out[REWARD_CODE_LEN + 1]);

#endif
