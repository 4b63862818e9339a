/*
 * Who gets credit for an order. Signals, in the default precedence:
 *   coupon     an affiliate's coupon (or referral) code used at checkout
 *   attribute  a "ref" cart/note attribute or order extra field
 *   landing    the "ref" parameter of the landing URL
 *   click      a recorded click: the "affiliated_click" attribute, else the
 *              newest click from the buyer's address within the window
 *   binding    a lifetime binding of this customer to an affiliate
 * The first signal that names an active affiliate wins; the reason names
 * the winner and any lower signal that pointed elsewhere. Codes match
 * case-insensitively. A buyer who is the affiliate (same customer id or
 * email) is refused as a self-referral.
 */
#ifndef AFFILIATED_ATTRIBUTION_H
#define AFFILIATED_ATTRIBUTION_H

#include "model/order.h"
#include "store/store.h"

enum signal_kind {
	SIGNAL_COUPON,
	SIGNAL_ATTRIBUTE,
	SIGNAL_LANDING,
	SIGNAL_CLICK,
	SIGNAL_BINDING,
	SIGNAL__COUNT
};

struct attribution {
	int64_t affiliate_id; /* 0: nobody */
	int64_t program_id;
	enum signal_kind signal;
	char decision[24]; /* credited, none, self_referral, inactive */
	char network[32];  /* of the click, when one is known */
	char reason[768];
};

struct attribution_ctx {
	int64_t shop_id;
	const char *ip_hash; /* buyer's address, pseudonymised; may be "" */
	int64_t now;
	int64_t only_program; /* simulate: consider this program only */
	/* Order of the signals; NULL: the default above. */
	const enum signal_kind *precedence;
};

const char *signal_str(enum signal_kind s);
/*
 * Parses "coupon,attribute,landing,click,binding" (any order, each once)
 * into out[SIGNAL__COUNT].
 */
int signal_precedence_parse(const char *text, enum signal_kind *out,
			    struct buf *err);

int attribution_decide(struct store_tx *tx, const struct attribution_ctx *ctx,
		       const struct order *o, struct attribution *out,
		       struct buf *err);

/* The value of the "ref" query parameter of a URL into out, or "". */
void url_ref_param(const char *url, char *out, size_t n);

#endif
