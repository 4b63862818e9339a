/* `affiliated programs add|list|show`. */
#include "affiliates.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/model_json.h"
#include "store/store_ledger.h"
#include "store/store_programs.h"
#include "store/store_shops.h"
#include "util/json.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int programs_add(int argc, char **argv);
static int programs_list(int argc, char **argv);
static int programs_show(int argc, char **argv);

static const struct cli_cmd program_verbs[] = {
	{"add", programs_add,
	 "programs add --shop S --name N [--kind affiliate|referral] "
	 "[--percent P | --fixed AMOUNT] [--reward cash|coupon|gift_card] "
	 "[--reward-value AMOUNT] [--friend-discount P] [--landing URL] "
	 "[--window-days N] [--on paid|created] [--hold-days N] "
	 "[--base subtotal|before_discounts|total] [--min-order AMOUNT] "
	 "[--cap AMOUNT] [--lifetime-days N] [--manual-approval] "
	 "[--approve-affiliates] [--tier ORDERS:P]... [--product ID=P]... "
	 "[--network NAME=P]... [--country CC=P]... [--networks LIST] "
	 "[--paused] [--json]",
	 "creates a program"},
	{"list", programs_list, "programs list [--shop S] [--json]",
	 "lists programs"},
	{"show", programs_show, "programs show ID [--json]", "shows a program"},
	{NULL, NULL, NULL, NULL},
};

int cmd_programs(int argc, char **argv)
{
	return cli_dispatch(argc, argv, program_verbs, "programs");
}

/* What `programs add` was given, before checking. */
struct program_args {
	const char *shop, *name, *kind, *percent, *fixed, *reward,
		*reward_value, *friend, *landing, *window, *on, *hold, *base,
		*min_order, *cap, *lifetime, *networks;
	bool manual, approve, paused, json;
	struct cli_list tiers, products, network_rules, countries;
	const char *tier_items[64], *product_items[64], *network_items[64],
		*country_items[64];
};

static int days_arg(const char *text, const char *what, int64_t max,
		    int64_t *out, struct buf *err)
{
	if (!text)
		return 0;
	if (parse_int_str(text, max, out) < 0 || *out < 0)
		return errorf(err,
			      "%s '%s' is not a number of days from 0 to "
			      "%lld",
			      what, text, (long long)max);
	return 0;
}

static int money_arg(const char *text, const char *what, int exp, int64_t *out,
		     struct buf *err)
{
	if (!text)
		return 0;
	if (money_parse(text, exp, out, err) < 0)
		return error_prefix(err, "%s", what);
	if (*out < 0)
		return errorf(err, "%s '%s' is negative", what, text);
	return 0;
}

/* "A=P" and "N:P" rules. */
static int rule_args(struct program *p, const struct cli_list *l,
		     enum rule_kind kind, char sep, struct buf *err)
{
	int i;

	for (i = 0; i < l->n; i++) {
		const char *eq = strchr(l->items[i], sep);
		int64_t bps, threshold = 0;
		char *match;

		if (!eq || eq == l->items[i])
			return errorf(
				err, "rule '%s' should read %s", l->items[i],
				sep == ':' ? "ORDERS:PERCENT" : "NAME=PERCENT");
		if (percent_parse_bps(eq + 1, &bps, err) < 0)
			return error_prefix(err, "rule '%s'", l->items[i]);
		match = xstrndup(l->items[i], (size_t)(eq - l->items[i]));
		if (kind == RULE_TIER &&
		    parse_int_str(match, 1000000, &threshold) < 0) {
			free(match);
			return errorf(err, "tier '%s' needs a number of orders",
				      l->items[i]);
		}
		program_add_rule(p, kind, kind == RULE_TIER ? "" : match,
				 threshold, bps);
		free(match);
	}
	return 0;
}

static int commission_args(const struct program_args *a, struct program *p,
			   int exp, struct buf *err)
{
	if (a->percent && a->fixed)
		return errorf(err, "give --percent or --fixed, not both");
	p->commission = a->fixed ? COMMISSION_FIXED : COMMISSION_PERCENT;
	p->rate_bps = 1000;
	if (a->percent && percent_parse_bps(a->percent, &p->rate_bps, err) < 0)
		return error_prefix(err, "--percent");
	if (money_arg(a->fixed, "--fixed", exp, &p->fixed_amount, err) < 0 ||
	    money_arg(a->reward_value, "--reward-value", exp, &p->reward_value,
		      err) < 0 ||
	    money_arg(a->min_order, "--min-order", exp, &p->min_order, err) <
		    0 ||
	    money_arg(a->cap, "--cap", exp, &p->cap, err) < 0)
		return -1;
	if (a->friend &&
	    percent_parse_bps(a->friend, &p->friend_discount_bps, err) < 0)
		return error_prefix(err, "--friend-discount");
	if (a->reward && reward_kind_parse(a->reward, &p->reward) < 0)
		return errorf(err,
			      "--reward '%s' is not cash, coupon or "
			      "gift_card",
			      a->reward);
	if (a->base && commission_base_parse(a->base, &p->base) < 0)
		return errorf(err,
			      "--base '%s' is not subtotal, "
			      "before_discounts or total",
			      a->base);
	return 0;
}

static int program_from_args(const struct program_args *a,
			     const struct shop *shop, struct program *p,
			     struct buf *err)
{
	int exp = money_exponent(shop->currency);

	program_init(p);
	p->shop_id = shop->id;
	p->name = xstrdup(a->name);
	p->currency = xstrdup(shop->currency);
	p->landing_url = xstrdup(a->landing ? a->landing : "");
	p->networks = xstrdup(a->networks ? a->networks
					  : "facebook,x,linkedin,email");
	p->kind = PROGRAM_AFFILIATE;
	p->manual_approval = a->manual;
	p->approve_affiliates = a->approve;
	p->active = !a->paused;
	if (exp < 0)
		return errorf(err, "shop %s has no known currency",
			      shop->domain);
	if (!a->name[0] || strlen(a->name) > 120)
		return errorf(err, "the name must be 1 to 120 characters");
	if (a->kind && program_kind_parse(a->kind, &p->kind) < 0)
		return errorf(err, "--kind '%s' is not affiliate or referral",
			      a->kind);
	if (a->landing && !str_has_prefix(a->landing, "https://") &&
	    !str_has_prefix(a->landing, "http://"))
		return errorf(err, "--landing '%s' is not an http(s) URL",
			      a->landing);
	if (a->on && strcmp(a->on, "paid") != 0 &&
	    strcmp(a->on, "created") != 0)
		return errorf(err, "--on '%s' is not paid or created", a->on);
	p->credit_on_paid = !a->on || strcmp(a->on, "paid") == 0;
	if (commission_args(a, p, exp, err) < 0 ||
	    days_arg(a->window, "--window-days", 3650, &p->window_days, err) <
		    0 ||
	    days_arg(a->hold, "--hold-days", 365, &p->hold_days, err) < 0 ||
	    days_arg(a->lifetime, "--lifetime-days", 3650, &p->lifetime_days,
		     err) < 0 ||
	    rule_args(p, &a->tiers, RULE_TIER, ':', err) < 0 ||
	    rule_args(p, &a->products, RULE_PRODUCT, '=', err) < 0 ||
	    rule_args(p, &a->network_rules, RULE_NETWORK, '=', err) < 0 ||
	    rule_args(p, &a->countries, RULE_COUNTRY, '=', err) < 0)
		return -1;
	return 0;
}

static void print_program(const struct program *p, const char *domain)
{
	char pct[32];
	size_t i;

	bps_text(p->rate_bps, pct);
	printf("program %lld: %s (%s) on %s, %s\n", (long long)p->id, p->name,
	       program_kind_str(p->kind), domain,
	       p->active ? "active" : "paused");
	if (p->commission == COMMISSION_FIXED)
		printf("  commission: fixed %lld minor units of %s per order\n",
		       (long long)p->fixed_amount, p->currency);
	else
		printf("  commission: %s%% of the %s\n", pct,
		       commission_base_str(p->base));
	printf("  reward: %s, window %lld days, credit on %s, hold %lld days\n",
	       reward_kind_str(p->reward), (long long)p->window_days,
	       p->credit_on_paid ? "paid" : "created", (long long)p->hold_days);
	for (i = 0; i < p->nrules; i++) {
		bps_text(p->rules[i].rate_bps, pct);
		printf("  rule: %s %s%s%lld -> %s%%\n",
		       rule_kind_str(p->rules[i].kind), p->rules[i].match,
		       p->rules[i].kind == RULE_TIER ? ">= " : " ",
		       (long long)p->rules[i].threshold, pct);
	}
}

static int programs_add(int argc, char **argv)
{
	struct program_args a;
	struct cli_session s;
	struct program p;
	struct shop shop;
	int64_t id;
	int rc;

	memset(&a, 0, sizeof(a));
	a.tiers.items = a.tier_items;
	a.products.items = a.product_items;
	a.network_rules.items = a.network_items;
	a.countries.items = a.country_items;
	{
		const struct cli_opt opts[] = {
			{"shop", CLI_STRING, &a.shop},
			{"name", CLI_STRING, &a.name},
			{"kind", CLI_STRING, &a.kind},
			{"percent", CLI_STRING, &a.percent},
			{"fixed", CLI_STRING, &a.fixed},
			{"reward", CLI_STRING, &a.reward},
			{"reward-value", CLI_STRING, &a.reward_value},
			{"friend-discount", CLI_STRING, &a.friend},
			{"landing", CLI_STRING, &a.landing},
			{"window-days", CLI_STRING, &a.window},
			{"on", CLI_STRING, &a.on},
			{"hold-days", CLI_STRING, &a.hold},
			{"base", CLI_STRING, &a.base},
			{"min-order", CLI_STRING, &a.min_order},
			{"cap", CLI_STRING, &a.cap},
			{"lifetime-days", CLI_STRING, &a.lifetime},
			{"networks", CLI_STRING, &a.networks},
			{"manual-approval", CLI_FLAG, &a.manual},
			{"approve-affiliates", CLI_FLAG, &a.approve},
			{"paused", CLI_FLAG, &a.paused},
			{"json", CLI_FLAG, &a.json},
			{"tier", CLI_LIST, &a.tiers},
			{"product", CLI_LIST, &a.products},
			{"network", CLI_LIST, &a.network_rules},
			{"country", CLI_LIST, &a.countries},
			{NULL, CLI_FLAG, NULL},
		};

		rc = cli_parse(argc, argv, opts, NULL, 0, &program_verbs[0]);
	}
	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (!a.shop || !a.name)
		return cli_usage_error(&program_verbs[0],
				       "--shop and --name are required");
	rc = EXIT_FAIL;
	if (cli_session_open(&s, true) < 0 ||
	    cli_find_shop(s.st, a.shop, &shop) < 0)
		goto out;
	if (program_from_args(&a, &shop, &p, &s.err) < 0) {
		cli_fail("programs add", &s.err);
	} else if (store_program_add(s.tx, &p, &id, &s.err) < 0 ||
		   store_tx_finish(&s.tx, &s.err) < 0) {
		cli_fail("programs add", &s.err);
	} else {
		p.id = id;
		if (a.json)
			rc = cli_print_json(program_json(&p, shop.domain));
		else {
			print_program(&p, shop.domain);
			rc = EXIT_OK;
		}
	}
	program_release(&p);
	shop_release(&shop);
out:
	cli_session_close(&s);
	return rc;
}

struct list_ctx {
	bool json;
	cJSON *arr;
	struct store_tx *tx;
};

static void shop_domain(struct store_tx *tx, int64_t id, char out[256])
{
	struct shop s;

	snprintf(out, 256, "%lld", (long long)id);
	if (store_shop_get(tx, id, &s, NULL) == 1) {
		snprintf(out, 256, "%s", s.domain);
		shop_release(&s);
	}
}

static int list_program(void *ctx, const struct program *p)
{
	struct list_ctx *l = ctx;
	char domain[256], pct[32];

	shop_domain(l->tx, p->shop_id, domain);
	if (l->json) {
		cJSON_AddItemToArray(l->arr, program_json(p, domain));
		return 0;
	}
	bps_text(p->rate_bps, pct);
	printf("%-4lld %-24s %-9s %-6s %-8s %s\n", (long long)p->id, p->name,
	       program_kind_str(p->kind),
	       p->commission == COMMISSION_FIXED ? "fixed" : pct,
	       p->active ? "active" : "paused", domain);
	return 0;
}

static int programs_list(int argc, char **argv)
{
	const char *shop_arg = NULL;
	bool json = false;
	const struct cli_opt opts[] = {{"shop", CLI_STRING, &shop_arg},
				       {"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct list_ctx l = {false, NULL, NULL};
	struct cli_session r;
	struct shop shop;
	int64_t shop_id = 0;
	int rc = cli_parse(argc, argv, opts, NULL, 0, &program_verbs[1]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	rc = EXIT_FAIL;
	if (cli_session_open(&r, false) < 0)
		goto out;
	if (shop_arg) {
		if (cli_find_shop(r.st, shop_arg, &shop) < 0)
			goto out;
		shop_id = shop.id;
		shop_release(&shop);
	}
	l.json = json;
	l.arr = cJSON_CreateArray();
	l.tx = r.tx;
	if (store_program_each(r.tx, shop_id, list_program, &l, &r.err) < 0) {
		cli_fail("programs list", &r.err);
		cJSON_Delete(l.arr);
	} else if (json) {
		rc = cli_print_json(l.arr);
	} else {
		cJSON_Delete(l.arr);
		rc = EXIT_OK;
	}
out:
	cli_session_close(&r);
	return rc;
}

static int programs_show(int argc, char **argv)
{
	const char *pos[1] = {NULL};
	bool json = false;
	const struct cli_opt opts[] = {{"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct cli_session r;
	struct program p;
	char domain[256];
	int64_t id;
	int rc = cli_parse(argc, argv, opts, pos, 1, &program_verbs[2]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if ((rc = cli_parse_id(&program_verbs[2], "program ID", pos[0], &id)))
		return rc;
	rc = EXIT_FAIL;
	if (cli_session_open(&r, false) < 0)
		goto out;
	switch (store_program_get(r.tx, id, &p, &r.err)) {
	case 1:
		shop_domain(r.tx, p.shop_id, domain);
		if (json) {
			rc = cli_print_json(program_json(&p, domain));
		} else {
			print_program(&p, domain);
			rc = EXIT_OK;
		}
		program_release(&p);
		break;
	case 0:
		fprintf(stderr, "affiliated: program %lld: no such program\n",
			(long long)id);
		break;
	default:
		cli_fail("programs show", &r.err);
	}
out:
	cli_session_close(&r);
	return rc;
}
