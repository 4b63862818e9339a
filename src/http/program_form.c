/*
 * The program form, shared by the wizard (one group per step) and the
 * admin's program page (all groups on one page): the fields, their
 * checks, their rendering, and a program's one-line summary.
 */
#include "runtime/app.h"
#include "http/merchant.h"
#include "http/pages.h"
#include "http/program_form.h"
#include "providers/provider.h"
#include "http/session.h"
#include "util/log.h"
#include "store/store.h"
#include "store/store_programs.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const share_networks[] = {"facebook", "x", "linkedin", "email"};

static const enum msg network_names[SHARE_NETWORKS] = {
	MSG_NET_FACEBOOK, MSG_NET_X, MSG_NET_LINKEDIN, MSG_NET_EMAIL};

static const char *const field_names[PF__COUNT] = {
	"name",	       /* PF_NAME */
	"kind",	       /* PF_KIND */
	"landing",     /* PF_LANDING */
	"reward_type", /* PF_REWARD */
	"rate",	       /* PF_RATE */
	"amount",      /* PF_AMOUNT */
	"friend",      /* PF_FRIEND */
	"window",      /* PF_WINDOW */
};

static void set_val(struct pform *f, enum pf_field i, const char *v)
{
	free(f->val[i]);
	f->val[i] = xstrdup(v ? v : "");
}

void pform_release(struct pform *f)
{
	size_t i;

	for (i = 0; i < PF__COUNT; i++)
		free(f->val[i]);
	memset(f, 0, sizeof(*f));
}

void landing_default(const struct shop *shop, char *out, size_t n)
{
	const struct provider *p = provider_find(shop->platform);

	if (p && provider_landing_default(p, shop->domain, out, n))
		return;
	/* A domain is most likely where the shop's storefront answers. */
	if (strchr(shop->domain, '.'))
		snprintf(out, n, "https://%s/", shop->domain);
	else
		snprintf(out, n, "%s", "");
}

enum msg landing_check(const struct shop *shop, const char *url)
{
	const struct provider *p = provider_find(shop->platform);

	if (form_url(NULL, url, NULL) != MSG_NONE)
		return MSG_ERR_URL;
	if (p && !provider_landing_allowed(p, shop->domain, url))
		return MSG_ERR_URL_DOMAIN;
	return MSG_NONE;
}

static void amount_text(char *out, size_t n, int64_t minor, int exponent)
{
	struct buf b;

	buf_init(&b, 64);
	if (money_format(&b, minor, exponent) < 0)
		buf_reset(&b);
	snprintf(out, n, "%s", buf_str(&b));
	buf_release(&b);
}

static void bps_text(char *out, size_t n, int64_t bps)
{
	if (bps % 100 == 0)
		snprintf(out, n, "%lld", (long long)(bps / 100));
	else if (bps % 10 == 0)
		snprintf(out, n, "%lld.%lld", (long long)(bps / 100),
			 (long long)(bps % 100 / 10));
	else
		snprintf(out, n, "%lld.%02lld", (long long)(bps / 100),
			 (long long)(bps % 100));
}

void pform_defaults(struct pform *f, const struct merchant *m)
{
	char landing[512];

	memset(f, 0, sizeof(*f));
	landing_default(&m->shop, landing, sizeof(landing));
	set_val(f, PF_NAME, m->shop.name[0] ? m->shop.name : m->shop.domain);
	set_val(f, PF_KIND, "referral");
	set_val(f, PF_LANDING, landing);
	set_val(f, PF_REWARD, "percent");
	set_val(f, PF_RATE, "10");
	set_val(f, PF_AMOUNT, "");
	set_val(f, PF_FRIEND, "10");
	set_val(f, PF_WINDOW, "30");
	f->networks = (1u << SHARE_NETWORKS) - 1;
}

static unsigned networks_mask(const char *list)
{
	unsigned mask = 0;
	size_t i, len;
	const char *p = list;

	while (p && *p) {
		len = strcspn(p, ",");
		for (i = 0; i < SHARE_NETWORKS; i++)
			if (strlen(share_networks[i]) == len &&
			    strncmp(p, share_networks[i], len) == 0)
				mask |= 1u << i;
		p += len + (p[len] == ',');
	}
	return mask;
}

void pform_from_program(struct pform *f, const struct program *p,
			const struct merchant *m)
{
	char text[64];

	pform_defaults(f, m);
	set_val(f, PF_NAME, p->name);
	set_val(f, PF_KIND, program_kind_str(p->kind));
	set_val(f, PF_LANDING, p->landing_url);
	if (p->reward == REWARD_COUPON || p->reward == REWARD_GIFT_CARD) {
		set_val(f, PF_REWARD, reward_kind_str(p->reward));
		amount_text(text, sizeof(text),
			    p->reward_value ? p->reward_value : p->fixed_amount,
			    m->exponent);
		set_val(f, PF_AMOUNT, text);
	} else if (p->commission == COMMISSION_FIXED) {
		set_val(f, PF_REWARD, "fixed");
		amount_text(text, sizeof(text), p->fixed_amount, m->exponent);
		set_val(f, PF_AMOUNT, text);
	} else {
		bps_text(text, sizeof(text), p->rate_bps);
		set_val(f, PF_RATE, text);
	}
	bps_text(text, sizeof(text), p->friend_discount_bps);
	set_val(f, PF_FRIEND, text);
	snprintf(text, sizeof(text), "%lld", (long long)p->window_days);
	set_val(f, PF_WINDOW, text);
	f->networks = networks_mask(p->networks);
	f->networks_set = true;
}

void pform_take(struct pform *f, const struct form *form)
{
	const char *v;
	size_t i, j;

	for (i = 0; i < PF__COUNT; i++)
		if ((v = form_get(form, field_names[i])))
			set_val(f, (enum pf_field)i, v);
	if (!form_get(form, "networks_set"))
		return;
	f->networks_set = true;
	f->networks = 0;
	for (i = 0; i < form->n; i++)
		if (strcmp(form->pairs[i].name, "networks") == 0)
			for (j = 0; j < SHARE_NETWORKS; j++)
				if (strcmp(form->pairs[i].value,
					   share_networks[j]) == 0)
					f->networks |= 1u << j;
}

/* Runs a form checker over one field, with its length limit. */
static void check_field(struct pform *f, enum pf_field i, form_check *check,
			const struct form_def *def)
{
	const char *v = f->val[i] ? f->val[i] : "";
	int64_t num;

	f->err[i] = MSG_NONE;
	if (!v[0] && (def->flags & FORM_REQUIRED)) {
		f->err[i] = MSG_ERR_REQUIRED;
	} else if (strlen(v) > def->max) {
		f->err[i] = MSG_ERR_TOO_LONG;
		snprintf(f->err_arg[i], sizeof(f->err_arg[i]), "%zu", def->max);
	} else if (v[0]) {
		f->err[i] = check(def, v, &num);
		if (f->err[i] == MSG_ERR_NUMBER)
			snprintf(f->err_arg[i], sizeof(f->err_arg[i]),
				 "%lld\u2013%lld", (long long)def->min,
				 (long long)def->top);
	}
}

static bool is_one_of(const char *v, const char *a, const char *b,
		      const char *c, const char *d)
{
	return v && ((a && strcmp(v, a) == 0) || (b && strcmp(v, b) == 0) ||
		     (c && strcmp(v, c) == 0) || (d && strcmp(v, d) == 0));
}

static void check_commission(struct pform *f, const struct merchant *m)
{
	const struct form_def rate = {"rate", form_percent, 8, 1, 10000,
				      0,      FORM_REQUIRED};
	const struct form_def amount = {
		"amount",      form_amount, 20,		  1,
		INT64_MAX / 4, m->exponent, FORM_REQUIRED};

	f->err[PF_RATE] = f->err[PF_AMOUNT] = MSG_NONE;
	if (!is_one_of(f->val[PF_REWARD], "percent", "fixed", "coupon",
		       "gift_card")) {
		f->err[PF_REWARD] = MSG_ERR_CHOICE;
		return;
	}
	f->err[PF_REWARD] = MSG_NONE;
	if (strcmp(f->val[PF_REWARD], "percent") == 0)
		check_field(f, PF_RATE, form_percent, &rate);
	else
		check_field(f, PF_AMOUNT, form_amount, &amount);
}

int pform_check(struct pform *f, unsigned mask, const struct merchant *m)
{
	const struct form_def name = {"name", form_text, 100,	       0,
				      0,      0,	 FORM_REQUIRED};
	const struct form_def landing = {"landing", form_url, 2000,	    0,
					 0,	    0,	      FORM_REQUIRED};
	const struct form_def friend = {"friend", form_percent, 8, 0, 10000, 0,
					0};
	const struct form_def window = {"window", form_int,	4, 1, 365,
					0,	  FORM_REQUIRED};
	int i, n = 0;

	if (mask & (1u << PG_NAME))
		check_field(f, PF_NAME, form_text, &name);
	if (mask & (1u << PG_KIND))
		f->err[PF_KIND] = is_one_of(f->val[PF_KIND], "referral",
					    "affiliate", NULL, NULL)
					  ? MSG_NONE
					  : MSG_ERR_CHOICE;
	if (mask & (1u << PG_LANDING)) {
		check_field(f, PF_LANDING, form_url, &landing);
		if (f->err[PF_LANDING] == MSG_NONE)
			f->err[PF_LANDING] =
				landing_check(&m->shop, f->val[PF_LANDING]);
		if (f->err[PF_LANDING] == MSG_ERR_URL_DOMAIN)
			snprintf(f->err_arg[PF_LANDING],
				 sizeof(f->err_arg[PF_LANDING]), "%s",
				 m->shop.domain);
	}
	if (mask & (1u << PG_COMMISSION))
		check_commission(f, m);
	if (mask & (1u << PG_FRIEND))
		check_field(f, PF_FRIEND, form_percent, &friend);
	if (mask & (1u << PG_WINDOW))
		check_field(f, PF_WINDOW, form_int, &window);
	for (i = 0; i < PF__COUNT; i++)
		n += f->err[i] != MSG_NONE;
	return n;
}

void pform_apply(const struct pform *f, const struct merchant *m,
		 struct program *p)
{
	const char *reward = f->val[PF_REWARD];
	int64_t amount = 0, bps = 0;
	uint64_t days = 30;
	struct buf nets;
	size_t i;

	free(p->name);
	p->name = xstrdup(f->val[PF_NAME]);
	program_kind_parse(f->val[PF_KIND], &p->kind);
	free(p->landing_url);
	p->landing_url = xstrdup(f->val[PF_LANDING]);
	if (strcmp(reward, "percent") == 0) {
		percent_parse_bps(f->val[PF_RATE], &bps, NULL);
		p->commission = COMMISSION_PERCENT;
		p->rate_bps = bps;
		p->fixed_amount = 0;
		p->reward = REWARD_CASH;
		p->reward_value = 0;
	} else {
		form_amount(&(struct form_def){.exponent = m->exponent,
					       .top = INT64_MAX},
			    f->val[PF_AMOUNT], &amount);
		p->commission = COMMISSION_FIXED;
		p->fixed_amount = amount;
		p->rate_bps = 0;
		p->reward = strcmp(reward, "fixed") == 0    ? REWARD_CASH
			    : strcmp(reward, "coupon") == 0 ? REWARD_COUPON
							    : REWARD_GIFT_CARD;
		p->reward_value = p->reward == REWARD_CASH ? 0 : amount;
	}
	bps = 0;
	if (f->val[PF_FRIEND][0])
		percent_parse_bps(f->val[PF_FRIEND], &bps, NULL);
	p->friend_discount_bps = bps;
	parse_uint_str(f->val[PF_WINDOW], 365, &days);
	p->window_days = (int64_t)days;
	buf_init(&nets, 256);
	for (i = 0; i < SHARE_NETWORKS; i++)
		if (f->networks & (1u << i) &&
		    buf_printf(&nets, "%s%s", nets.len ? "," : "",
			       share_networks[i]) < 0)
			BUG("network list does not fit");
	free(p->networks);
	p->networks = buf_take(&nets);
	if (!p->currency)
		p->currency = xstrdup(m->currency);
}

static void render_text(struct page *p, const struct pform *f, enum pf_field i,
			enum msg label, enum msg hint, const char *type,
			const char *attrs)
{
	struct field_view v = {
		.name = field_names[i],
		.label = label,
		.type = type,
		.value = f->val[i],
		.error = f->err[i],
		.error_arg = f->err_arg[i],
		.hint = hint,
		.attrs = attrs,
		.required = i != PF_FRIEND && i != PF_RATE && i != PF_AMOUNT,
	};

	html_field(p, &v);
}

static void render_choice(struct page *p, const struct pform *f,
			  enum pf_field i, const char *value, enum msg label,
			  enum msg hint)
{
	bool on = f->val[i] && strcmp(f->val[i], value) == 0;

	html(p,
	     "<label class=\"choice\"><input type=\"radio\" name=\"%s\" "
	     "value=\"%s\"%r><span><strong>%t</strong>",
	     field_names[i], value, on ? " checked" : "", label);
	if (hint != MSG_NONE)
		html(p, "<small>%t</small>", hint);
	html(p, "</span></label>");
}

static void render_error(struct page *p, const struct pform *f, enum pf_field i)
{
	if (f->err[i] == MSG_NONE)
		return;
	html(p, "<p class=\"error\" id=\"f-%s-err\">", field_names[i]);
	html_msg(p, f->err[i], f->err_arg[i], NULL, NULL);
	html(p, "</p>");
}

static void render_commission(struct page *p, const struct pform *f,
			      const struct merchant *m)
{
	char attrs[64];

	html(p, "<fieldset><legend>%t</legend>", MSG_WIZ_REWARD_TYPE);
	render_error(p, f, PF_REWARD);
	render_choice(p, f, PF_REWARD, "percent", MSG_WIZ_REWARD_PERCENT,
		      MSG_WIZ_REWARD_PERCENT_HINT);
	render_choice(p, f, PF_REWARD, "fixed", MSG_WIZ_REWARD_FIXED,
		      MSG_WIZ_REWARD_FIXED_HINT);
	render_choice(p, f, PF_REWARD, "coupon", MSG_WIZ_REWARD_COUPON,
		      MSG_WIZ_REWARD_COUPON_HINT);
	render_choice(p, f, PF_REWARD, "gift_card", MSG_WIZ_REWARD_GIFT,
		      MSG_WIZ_REWARD_GIFT_HINT);
	html(p, "</fieldset>");
	render_text(p, f, PF_RATE, MSG_WIZ_RATE, MSG_WIZ_RATE_HINT, "text",
		    " inputmode=\"decimal\"");
	snprintf(attrs, sizeof(attrs), " inputmode=\"decimal\"");
	render_text(p, f, PF_AMOUNT, MSG_WIZ_AMOUNT, MSG_NONE, "text", attrs);
	html(p, "<p class=\"hint\">");
	html_msg(p, MSG_WIZ_AMOUNT_HINT, m->currency, NULL, NULL);
	html(p, "</p>");
}

static void render_networks(struct page *p, const struct pform *f)
{
	size_t i;

	html(p,
	     "<fieldset><legend>%t</legend><input type=\"hidden\" "
	     "name=\"networks_set\" value=\"1\">",
	     MSG_WIZ_Q_NETWORKS);
	for (i = 0; i < SHARE_NETWORKS; i++)
		html(p,
		     "<label class=\"check\"><input type=\"checkbox\" "
		     "name=\"networks\" value=\"%s\"%r> %t</label>",
		     share_networks[i],
		     f->networks & (1u << i) ? " checked" : "",
		     network_names[i]);
	html(p, "</fieldset>");
}

void pform_render(struct page *p, const struct pform *f, enum pf_group g,
		  const struct merchant *m)
{
	switch (g) {
	case PG_NAME:
		render_text(p, f, PF_NAME, MSG_WIZ_NAME, MSG_WIZ_NAME_HINT,
			    "text", " maxlength=\"100\"");
		break;
	case PG_KIND:
		html(p, "<fieldset><legend>%t</legend>", MSG_WIZ_Q_KIND);
		render_error(p, f, PF_KIND);
		render_choice(p, f, PF_KIND, "referral", MSG_KIND_REFERRAL,
			      MSG_WIZ_KIND_REFERRAL_HINT);
		render_choice(p, f, PF_KIND, "affiliate", MSG_KIND_AFFILIATE,
			      MSG_WIZ_KIND_AFFILIATE_HINT);
		html(p, "</fieldset>");
		break;
	case PG_LANDING:
		render_text(p, f, PF_LANDING, MSG_WIZ_LANDING,
			    MSG_WIZ_LANDING_HINT, "url", NULL);
		break;
	case PG_COMMISSION:
		render_commission(p, f, m);
		break;
	case PG_FRIEND:
		render_text(p, f, PF_FRIEND, MSG_WIZ_FRIEND,
			    MSG_WIZ_FRIEND_HINT, "text",
			    " inputmode=\"decimal\"");
		break;
	case PG_WINDOW:
		render_text(p, f, PF_WINDOW, MSG_WIZ_WINDOW,
			    MSG_WIZ_WINDOW_HINT, "number",
			    " min=\"1\" max=\"365\"");
		break;
	case PG_NETWORKS:
	case PG__COUNT:
		render_networks(p, f);
		break;
	}
}

static const unsigned group_fields[PG__COUNT] = {
	1u << PF_NAME,					   /* PG_NAME */
	1u << PF_KIND,					   /* PG_KIND */
	1u << PF_LANDING,				   /* PG_LANDING */
	1u << PF_REWARD | 1u << PF_RATE | 1u << PF_AMOUNT, /* PG_COMMISSION */
	1u << PF_FRIEND,				   /* PG_FRIEND */
	1u << PF_WINDOW,				   /* PG_WINDOW */
	0,						   /* PG_NETWORKS */
};

void pform_hidden(struct page *p, const struct pform *f, enum pf_group except)
{
	size_t i;

	for (i = 0; i < PF__COUNT; i++)
		if (except == PG__COUNT || !(group_fields[except] & (1u << i)))
			html(p,
			     "<input type=\"hidden\" name=\"%s\" value=\"%s\">",
			     field_names[i], f->val[i] ? f->val[i] : "");
	if (except == PG_NETWORKS || !f->networks_set)
		return;
	html(p, "<input type=\"hidden\" name=\"networks_set\" value=\"1\">");
	for (i = 0; i < SHARE_NETWORKS; i++)
		if (f->networks & (1u << i))
			html(p,
			     "<input type=\"hidden\" name=\"networks\" "
			     "value=\"%s\">",
			     share_networks[i]);
}

void commission_summary(struct buf *out, const struct program *p,
			const struct i18n_lang *lang)
{
	struct buf money;
	char pct[32];
	int rc = 0;

	buf_init(&money, 128);
	if (p->commission == COMMISSION_PERCENT) {
		bps_text(pct, sizeof(pct), p->rate_bps);
		rc = msg_format(out, lang, MSG_SUMMARY_PERCENT, pct, NULL,
				NULL);
	} else {
		rc = i18n_money(&money,
				p->reward_value ? p->reward_value
						: p->fixed_amount,
				p->currency);
		rc = rc < 0 ? rc
			    : msg_format(out, lang,
					 p->reward == REWARD_COUPON
						 ? MSG_SUMMARY_COUPON
					 : p->reward == REWARD_GIFT_CARD
						 ? MSG_SUMMARY_GIFT
						 : MSG_SUMMARY_FIXED,
					 buf_str(&money), NULL, NULL);
	}
	if (rc < 0)
		buf_reset(out);
	buf_release(&money);
}
