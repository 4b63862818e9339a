/*
 * The records the store hands to the domain and back: shops, programs and
 * their rules, affiliates. Strings are owned by the record; each has a
 * _release that frees them. Money fields are minor units of the record's
 * currency, rates are basis points (1500 = 15%).
 */
#ifndef AFFILIATED_MODEL_H
#define AFFILIATED_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shop {
	int64_t id;
	char *platform; /* "shopify", "ecwid" */
	char *domain;	/* sally.myshopify.com, or an Ecwid store id */
	char *name;
	char *currency;
	char *status; /* active, uninstalled, redacted */
	char *scopes;
	int64_t installed_at;
	bool own_webhook_secret; /* webhooks signed with its own (custom app) */
	int64_t token_expires_at; /* 0: the token does not expire */
	int64_t token_refresh_at; /* when to refresh it; 0: never */
	bool reauth_needed;	  /* the platform refused a refresh for good */
	char *reauth_reason;
};

enum program_kind { PROGRAM_REFERRAL, PROGRAM_AFFILIATE };
enum commission_type { COMMISSION_PERCENT, COMMISSION_FIXED };
enum reward_kind { REWARD_CASH, REWARD_COUPON, REWARD_GIFT_CARD };
enum commission_base {
	BASE_SUBTOTAL,	       /* line items after discounts (default) */
	BASE_BEFORE_DISCOUNTS, /* line items before discounts */
	BASE_TOTAL,	       /* everything paid, tax and shipping too */
};
enum rule_kind { RULE_TIER, RULE_PRODUCT, RULE_NETWORK, RULE_COUNTRY };

struct program_rule {
	enum rule_kind kind;
	char *match;	   /* product id or SKU, network, country */
	int64_t threshold; /* tier: orders in the last 30 days */
	int64_t rate_bps;
};

struct program {
	int64_t id;
	int64_t shop_id;
	char *name;
	enum program_kind kind;
	char *landing_url;
	enum commission_type commission;
	int64_t rate_bps;
	int64_t fixed_amount;
	enum reward_kind reward;
	int64_t reward_value; /* 0: the reward is worth the commission */
	char *currency;
	enum commission_base base;
	int64_t window_days;
	bool credit_on_paid; /* else on creation */
	int64_t friend_discount_bps;
	int64_t hold_days;
	bool manual_approval;
	bool approve_affiliates; /* new signups wait for the merchant */
	int64_t min_order;
	int64_t cap; /* 0: none */
	int64_t lifetime_days;
	char *networks; /* share buttons offered, comma-separated */
	bool active;
	int64_t created_at;
	struct program_rule *rules;
	size_t nrules;
};

enum affiliate_status {
	AFFILIATE_PENDING,
	AFFILIATE_ACTIVE,
	AFFILIATE_DISABLED
};

struct affiliate {
	int64_t id;
	int64_t shop_id;
	int64_t program_id;
	char *name;
	char *email;
	enum affiliate_status status;
	char *code; /* referral code in links */
	char *customer_id;
	int64_t created_at;
	char **coupons; /* coupon codes that belong to this affiliate */
	size_t ncoupons;
};

void shop_release(struct shop *s);
/*
 * The shop's status as users see it: "reauth_needed" for an active shop
 * whose token the platform refused to refresh, else the stored status.
 */
const char *shop_status(const struct shop *s);
void program_init(struct program *p);
void program_release(struct program *p);
void program_add_rule(struct program *p, enum rule_kind kind, const char *match,
		      int64_t threshold, int64_t rate_bps);
void affiliate_release(struct affiliate *a);

/* Names as stored and shown; the parse functions return -1 if unknown. */
const char *program_kind_str(enum program_kind k);
int program_kind_parse(const char *s, enum program_kind *out);
const char *reward_kind_str(enum reward_kind k);
int reward_kind_parse(const char *s, enum reward_kind *out);
const char *commission_base_str(enum commission_base b);
int commission_base_parse(const char *s, enum commission_base *out);
const char *rule_kind_str(enum rule_kind k);
int rule_kind_parse(const char *s, enum rule_kind *out);
const char *affiliate_status_str(enum affiliate_status s);
int affiliate_status_parse(const char *s, enum affiliate_status *out);

/* Lower-cases and trims an email into out (allocated). */
char *email_normalize(const char *email);

#endif
