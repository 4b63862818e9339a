#include "affiliates.h"
#include "util/crypto.h"
#include "reward_code.h"
#include "util/seal.h"
#include "store/store_outbox.h"
#include "store/store_programs.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_LEN  120
#define EMAIL_MAX_LEN 254

bool affiliate_code_valid(const char *code)
{
	size_t n = code ? strlen(code) : 0, i;

	if (n < 3 || n > 32)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)code[i]) && code[i] != '_' &&
		    code[i] != '-')
			return false;
	return true;
}

bool email_valid(const char *email)
{
	const char *at = email ? strchr(email, '@') : NULL;
	size_t n = email ? strlen(email) : 0, i;

	if (!at || at == email || n > EMAIL_MAX_LEN || strchr(at + 1, '@') ||
	    !strchr(at + 1, '.') || at[1] == '.' || email[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (isspace((unsigned char)email[i]) ||
		    iscntrl((unsigned char)email[i]))
			return false;
	return true;
}

/* Whether code is one of the coupons the affiliate brings along. */
static bool own_coupon(const struct affiliate *a, const char *code)
{
	size_t i;

	for (i = 0; i < a->ncoupons; i++)
		if (strcasecmp(a->coupons[i], code) == 0)
			return true;
	return false;
}

/*
 * Letters of the name, upper case, then digits: SALLY42. Unique in the
 * shop, and not one of the affiliate's own coupons, which are stored
 * with the affiliate and so are not taken yet (Sally, SALLY20).
 */
static int generate_code(struct store_tx *tx, const struct affiliate *a,
			 int64_t shop_id, char out[33], struct buf *err)
{
	const char *name = a->name;
	char stem[9];
	size_t n = 0, i;
	int tries, rc;

	for (i = 0; name[i] && n < 6; i++)
		if (isalpha((unsigned char)name[i]) &&
		    !((unsigned char)name[i] & 0x80))
			stem[n++] = (char)toupper((unsigned char)name[i]);
	if (n < 2)
		n = (size_t)snprintf(stem, sizeof(stem), "AFF");
	stem[n] = '\0';
	for (tries = 0; tries < 50; tries++) {
		snprintf(out, 33, "%s%lu", stem,
			 10 + crypto_random_below(tries < 20 ? 90 : 9990));
		if (own_coupon(a, out))
			continue;
		rc = store_code_taken(tx, shop_id, out, err);
		if (rc <= 0)
			return rc;
	}
	return errorf(err, "no free referral code for '%s'", name);
}

static int check_fields(const struct affiliate *a, struct buf *err)
{
	size_t i;

	if (!a->name || !a->name[0] || strlen(a->name) > NAME_MAX_LEN)
		return errorf(err, "the name must be 1 to %d characters",
			      NAME_MAX_LEN);
	for (i = 0; a->name[i]; i++)
		if (iscntrl((unsigned char)a->name[i]))
			return errorf(err, "the name holds control characters");
	if (!email_valid(a->email))
		return errorf(err, "'%s' is not an email address",
			      a->email ? a->email : "");
	if (a->code && !affiliate_code_valid(a->code))
		return errorf(err,
			      "code '%s' must be 3 to 32 letters, digits, "
			      "'-' or '_'",
			      a->code);
	for (i = 0; i < a->ncoupons; i++)
		if (!affiliate_code_valid(a->coupons[i]))
			return errorf(err,
				      "coupon '%s' must be 3 to 32 letters, "
				      "digits, '-' or '_'",
				      a->coupons[i]);
	return 0;
}

/* The affiliate's shareable discount code, created on the platform. */
static int queue_friend_code(struct store_tx *tx, const struct program *p,
			     const struct affiliate *a, int64_t id,
			     struct buf *err)
{
	struct reward r;

	if (p->friend_discount_bps <= 0)
		return 0;
	memset(&r, 0, sizeof(r));
	r.shop_id = p->shop_id;
	r.affiliate_id = id;
	snprintf(r.purpose, sizeof(r.purpose), "friend_code");
	snprintf(r.kind, sizeof(r.kind), "coupon");
	snprintf(r.value_type, sizeof(r.value_type), "percent");
	r.value = p->friend_discount_bps;
	snprintf(r.currency, sizeof(r.currency), "%s", p->currency);
	snprintf(r.code, sizeof(r.code), "%s", a->code);
	snprintf(r.note, sizeof(r.note), "friend discount of %s", a->name);
	return store_reward_add(tx, &r, err);
}

int affiliate_join(struct store_tx *tx, const struct program *p,
		   struct affiliate *a, const char *password_hash, int64_t *id,
		   struct buf *err)
{
	char code[33];
	char *email;
	int rc;

	if (check_fields(a, err) < 0)
		return -1;
	email = email_normalize(a->email);
	free(a->email);
	a->email = email;
	a->shop_id = p->shop_id;
	a->program_id = p->id;
	if (!a->code) {
		if (generate_code(tx, a, p->shop_id, code, err) < 0)
			return -1;
		a->code = xstrdup(code);
	}
	rc = store_affiliate_add(tx, a, password_hash, id, err);
	if (rc < 0)
		return rc;
	a->id = *id;
	return queue_friend_code(tx, p, a, *id, err);
}
