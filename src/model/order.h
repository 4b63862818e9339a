/*
 * The platform-neutral order: what providers translate a platform's JSON
 * into, and the only shape the pipeline works on. Money is int64_t minor
 * units of `currency` (the shop's currency) unless a field says otherwise.
 * Every string is owned by the order (order_release frees them); NULL means
 * "not sent".
 */
#ifndef AFFILIATED_ORDER_H
#define AFFILIATED_ORDER_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum order_financial {
	ORDER_PENDING, /* created, not paid (or authorised only) */
	ORDER_PAID,
	ORDER_PARTIALLY_REFUNDED, /* was paid, part refunded */
	ORDER_REFUNDED,		  /* was paid, all refunded */
	ORDER_VOIDED,		  /* never paid, cancelled */
	ORDER_FINANCIAL__COUNT
};

struct order_line {
	char *id;
	char *product_id;
	char *sku;
	char *title;
	int64_t quantity;
	int64_t price;	  /* unit price before discounts */
	int64_t discount; /* discounts allocated to the whole line */
	bool gift_card;	  /* buying a gift card earns no commission */
};

struct order_attr {
	char *name;
	char *value;
};

struct order_refund {
	char *id;	/* the platform's refund id: the dedupe key */
	int64_t amount; /* money returned, tax and shipping included */
	int64_t base;	/* part of the commission base refunded; -1 unknown */
	int64_t created_at;
};

struct order {
	char *id;   /* the platform's order id, as text (ids pass 2^53) */
	char *name; /* "#1042" */
	char *customer_id;
	char *email;
	char *country;	  /* buyer's ISO 3166 country, upper case */
	char *browser_ip; /* never stored in clear: hashed by the pipeline */
	char *currency;	  /* shop currency, ISO 4217 */
	char *presentment_currency;
	int64_t total;	  /* everything the buyer paid */
	int64_t subtotal; /* line items after discounts */
	int64_t tax;
	int64_t shipping;
	int64_t discounts;
	int64_t presentment_total; /* in presentment_currency */
	enum order_financial financial;
	bool cancelled;
	bool test;
	int64_t created_at; /* seconds since the epoch; 0 unknown */
	int64_t updated_at;
	struct order_line *lines;
	size_t nlines;
	char **codes; /* discount codes as typed, in order */
	size_t ncodes;
	struct order_attr *attrs; /* cart/note attributes, extra fields */
	size_t nattrs;
	char *landing_url;    /* first page the buyer landed on */
	char *referring_site; /* where the buyer came from */
	struct order_refund *refunds;
	size_t nrefunds;
};

void order_init(struct order *o);
void order_release(struct order *o);

/* Appends to the arrays, copying the strings. */
void order_add_code(struct order *o, const char *code);
void order_add_attr(struct order *o, const char *name, const char *value);
struct order_line *order_add_line(struct order *o);
struct order_refund *order_add_refund(struct order *o);

/* The attribute value named name (case-insensitive), or NULL. */
const char *order_attr(const struct order *o, const char *name);
/* Total refunded so far. */
int64_t order_refunded(const struct order *o);
/* Whether the order was ever paid, from its financial status. */
bool order_was_paid(const struct order *o);

const char *order_financial_str(enum order_financial f);
int order_financial_parse(const char *s, enum order_financial *out);

/*
 * The neutral order as JSON (the format of `simulate --orders` lines and
 * of the stored snapshot), and back. order_from_json checks types, the
 * currency and that amounts are integers; err names the field.
 */
int order_to_json(const struct order *o, struct buf *out) WARN_UNUSED_RESULT;
int order_from_json(const char *json, size_t len, struct order *o,
		    struct buf *err);

#endif
