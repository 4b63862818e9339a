#include "model/model.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define NAMES(x) (sizeof(x) / sizeof((x)[0]))

static const char *const program_kinds[] = {
	"referral",  /* PROGRAM_REFERRAL */
	"affiliate", /* PROGRAM_AFFILIATE */
};
static const char *const reward_kinds[] = {
	"cash",	     /* REWARD_CASH */
	"coupon",    /* REWARD_COUPON */
	"gift_card", /* REWARD_GIFT_CARD */
};
static const char *const bases[] = {
	"subtotal",	    /* BASE_SUBTOTAL */
	"before_discounts", /* BASE_BEFORE_DISCOUNTS */
	"total",	    /* BASE_TOTAL */
};
static const char *const rule_kinds[] = {
	"tier",	   /* RULE_TIER */
	"product", /* RULE_PRODUCT */
	"network", /* RULE_NETWORK */
	"country", /* RULE_COUNTRY */
};
static const char *const affiliate_statuses[] = {
	"pending",  /* AFFILIATE_PENDING */
	"active",   /* AFFILIATE_ACTIVE */
	"disabled", /* AFFILIATE_DISABLED */
};

static int name_parse(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

#define ENUM_FUNCS(fn, type, names)                                     \
	const char *fn##_str(type v)                                    \
	{                                                               \
		return (size_t)v < NAMES(names) ? names[v] : "unknown"; \
	}                                                               \
	int fn##_parse(const char *s, type *out)                        \
	{                                                               \
		int i = name_parse(names, NAMES(names), s);             \
		if (i < 0)                                              \
			return -1;                                      \
		*out = (type)i;                                         \
		return 0;                                               \
	}

ENUM_FUNCS(program_kind, enum program_kind, program_kinds)
ENUM_FUNCS(reward_kind, enum reward_kind, reward_kinds)
ENUM_FUNCS(commission_base, enum commission_base, bases)
ENUM_FUNCS(rule_kind, enum rule_kind, rule_kinds)
ENUM_FUNCS(affiliate_status, enum affiliate_status, affiliate_statuses)

void shop_release(struct shop *s)
{
	free(s->platform);
	free(s->domain);
	free(s->name);
	free(s->currency);
	free(s->status);
	free(s->scopes);
	free(s->reauth_reason);
	memset(s, 0, sizeof(*s));
}

const char *shop_status(const struct shop *s)
{
	if (s->reauth_needed && s->status && strcmp(s->status, "active") == 0)
		return "reauth_needed";
	return s->status ? s->status : "";
}

void program_init(struct program *p)
{
	memset(p, 0, sizeof(*p));
	p->window_days = 30;
	p->credit_on_paid = true;
	p->active = true;
}

void program_release(struct program *p)
{
	size_t i;

	for (i = 0; i < p->nrules; i++)
		free(p->rules[i].match);
	free(p->rules);
	free(p->name);
	free(p->landing_url);
	free(p->currency);
	free(p->networks);
	memset(p, 0, sizeof(*p));
}

void program_add_rule(struct program *p, enum rule_kind kind, const char *match,
		      int64_t threshold, int64_t rate_bps)
{
	struct program_rule *r;

	p->rules = xrealloc(p->rules, (p->nrules + 1) * sizeof(*p->rules));
	r = &p->rules[p->nrules++];
	r->kind = kind;
	r->match = xstrdup(match ? match : "");
	r->threshold = threshold;
	r->rate_bps = rate_bps;
}

void affiliate_release(struct affiliate *a)
{
	size_t i;

	for (i = 0; i < a->ncoupons; i++)
		free(a->coupons[i]);
	free(a->coupons);
	free(a->name);
	free(a->email);
	free(a->code);
	free(a->customer_id);
	memset(a, 0, sizeof(*a));
}

char *email_normalize(const char *email)
{
	size_t start = 0, end = strlen(email), i;
	char *out;

	while (start < end && isspace((unsigned char)email[start]))
		start++;
	while (end > start && isspace((unsigned char)email[end - 1]))
		end--;
	out = xstrndup(email + start, end - start);
	for (i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return out;
}
