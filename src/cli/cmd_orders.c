/*
 * `affiliated orders ...`, `affiliated ledger ...` and
 * `affiliated commissions ...`: what was credited, why, and the money.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "pipeline.h"
#include "ledger.h"
#include "cli/model_json.h"
#include "store/store_ledger.h"
#include "store/store_orders.h"
#include "store/store_shops.h"
#include "util/json.h"
#include "util/money.h"
#include "util/parse.h"

#include <stdio.h>
#include <string.h>

static int orders_list(int argc, char **argv);
static int orders_show(int argc, char **argv);
static int commissions_approve(int argc, char **argv);
static int commissions_list(int argc, char **argv);

static const struct cli_cmd order_verbs[] = {
	{"list", orders_list,
	 "orders list [--shop S] [--affiliate ID] [--limit N] [--json]",
	 "orders seen, with the attribution decision and its reason"},
	{"show", orders_show, "orders show ID [--json]",
	 "one order: decision, reason, commission and its entries"},
	{NULL, NULL, NULL, NULL},
};

static const struct cli_cmd commission_verbs[] = {
	{"approve", commissions_approve, "commissions approve ID",
	 "approves a commission held for review or manual approval"},
	{"list", commissions_list, "commissions list [--affiliate ID] [--json]",
	 "commissions with their state"},
	{NULL, NULL, NULL, NULL},
};

static const struct cli_cmd ledger_cmd = {
	"ledger", cmd_ledger,
	"ledger --affiliate ID [--json] | ledger verify | ledger payout "
	"--affiliate ID --currency C",
	"Shows an affiliate's entries and balance per currency, checks the "
	"hash chain\nof the whole ledger, or pays out an approved balance."};

int cmd_orders(int argc, char **argv)
{
	return cli_dispatch(argc, argv, order_verbs, "orders");
}

int cmd_commissions(int argc, char **argv)
{
	return cli_dispatch(argc, argv, commission_verbs, "commissions");
}

/* A command's config, store and transaction, opened and closed together. */
/* The commission's state in words, from its ledger entries. */
static const char *commission_status(struct store_tx *tx,
				     const struct commission *c,
				     struct buf *err)
{
	struct commission_state st;
	int64_t payout = 0;

	if (store_commission_state(tx, c->id, &st, err) < 0)
		return "unknown";
	if (st.reversed >= c->amount)
		return "reversed";
	if (!st.approved)
		return c->review[0] ? "held" : "pending";
	if (store_ledger_last_payout(tx, c->affiliate_id, c->currency, &payout,
				     err) == 0 &&
	    payout > st.approval_entry)
		return "paid";
	return st.reversed > 0 ? "approved_partly_reversed" : "approved";
}

struct order_list {
	struct store_tx *tx;
	bool json;
	cJSON *arr;
	struct buf *err;
};

static cJSON *order_doc(struct store_tx *tx, const struct order_row *r,
			struct buf *err)
{
	struct commission c;
	struct shop shop;
	const char *status = "none";
	int has_c = store_commission_by_order(tx, r->id, &c, err);
	int has_s = store_shop_get(tx, r->shop_id, &shop, err);
	cJSON *o;

	if (has_c == 1)
		status = commission_status(tx, &c, err);
	o = order_json(r, has_s == 1 ? shop.platform : "",
		       has_s == 1 ? shop.domain : "", has_c == 1 ? &c : NULL,
		       status);
	if (has_c == 1)
		commission_release(&c);
	if (has_s == 1)
		shop_release(&shop);
	return o;
}

static int list_order(void *ctx, const struct order_row *r)
{
	struct order_list *l = ctx;
	cJSON *o = order_doc(l->tx, r, l->err);
	const cJSON *status = cJSON_GetObjectItem(o, "status");
	struct buf amount;

	if (l->json) {
		cJSON_AddItemToArray(l->arr, o);
		return 0;
	}
	buf_init(&amount, 64);
	if (money_format(&amount, r->total, money_exponent(r->currency)) < 0)
		buf_reset(&amount);
	printf("%-6lld %-10s %12s %s  %-14s %-10s %s\n", (long long)r->id,
	       r->name[0] ? r->name : r->platform_order_id, buf_str(&amount),
	       r->currency, r->decision,
	       cJSON_IsString(status) ? status->valuestring : "", r->reason);
	buf_release(&amount);
	cJSON_Delete(o);
	return 0;
}

static int orders_list(int argc, char **argv)
{
	const char *shop_arg = NULL, *aff_arg = NULL, *limit_arg = NULL;
	bool json = false;
	const struct cli_opt opts[] = {{"shop", CLI_STRING, &shop_arg},
				       {"affiliate", CLI_STRING, &aff_arg},
				       {"limit", CLI_STRING, &limit_arg},
				       {"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct order_list l = {NULL, false, NULL, NULL};
	struct cli_session s;
	struct shop shop;
	int64_t shop_id = 0, aff = 0, limit = 100;
	int rc = cli_parse(argc, argv, opts, NULL, 0, &order_verbs[0]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (aff_arg &&
	    (rc = cli_parse_id(&order_verbs[0], "--affiliate", aff_arg, &aff)))
		return rc;
	if (limit_arg &&
	    (parse_int_str(limit_arg, 1000000, &limit) < 0 || limit < 1))
		return cli_usage_error(&order_verbs[0],
				       "--limit '%s' is not a positive number",
				       limit_arg);
	rc = EXIT_FAIL;
	if (cli_session_open(&s, false) < 0)
		goto out;
	if (shop_arg) {
		if (cli_find_shop(s.st, shop_arg, &shop) < 0)
			goto out;
		shop_id = shop.id;
		shop_release(&shop);
	}
	l.tx = s.tx;
	l.json = json;
	l.arr = cJSON_CreateArray();
	l.err = &s.err;
	if (store_order_each(s.tx, shop_id, aff, (int)limit, list_order, &l,
			     &s.err) < 0) {
		cJSON_Delete(l.arr);
		cli_fail("orders list", &s.err);
	} else if (json) {
		rc = cli_print_json(l.arr);
	} else {
		cJSON_Delete(l.arr);
		rc = EXIT_OK;
	}
out:
	cli_session_close(&s);
	return rc;
}

struct entry_list {
	int64_t commission_id;
	cJSON *arr;
};

static int collect_entry(void *ctx, const struct ledger_entry *e)
{
	struct entry_list *l = ctx;

	if (!l->commission_id || e->commission_id == l->commission_id)
		cJSON_AddItemToArray(l->arr, entry_json(e));
	return 0;
}

static int orders_show(int argc, char **argv)
{
	const char *pos[1] = {NULL};
	bool json = false;
	const struct cli_opt opts[] = {{"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct entry_list entries = {0, NULL};
	struct order_row r;
	struct cli_session s;
	cJSON *o;
	struct buf text;
	int64_t order_id;
	int rc = cli_parse(argc, argv, opts, pos, 1, &order_verbs[1]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if ((rc = cli_parse_id(&order_verbs[1], "order ID", pos[0], &order_id)))
		return rc;
	rc = EXIT_FAIL;
	if (cli_session_open(&s, false) < 0)
		goto out;
	switch (store_order_get(s.tx, order_id, &r, &s.err)) {
	case 0:
		fprintf(stderr, "affiliated: order %lld: no such order\n",
			(long long)order_id);
		goto out;
	case -1:
		cli_fail("orders show", &s.err);
		goto out;
	}
	o = order_doc(s.tx, &r, &s.err);
	entries.arr = cJSON_AddArrayToObject(o, "entries");
	if (r.affiliate_id) {
		struct commission c;

		if (store_commission_by_order(s.tx, r.id, &c, &s.err) == 1) {
			entries.commission_id = c.id;
			store_ledger_each(s.tx, r.affiliate_id, collect_entry,
					  &entries, &s.err);
			commission_release(&c);
		}
	}
	if (r.snapshot[0])
		cJSON_AddItemToObject(o, "order", cJSON_Parse(r.snapshot));
	buf_init(&text, BUF_LARGE);
	if (json) {
		rc = cli_print_json(o);
	} else {
		printf("order %lld (%s, platform id %s) %s\n  decision: %s\n"
		       "  reason: %s\n",
		       (long long)r.id, r.name, r.platform_order_id,
		       order_financial_str(r.financial), r.decision, r.reason);
		if (json_print(&text, entries.arr) == 0)
			printf("  entries: %s\n", buf_str(&text));
		cJSON_Delete(o);
		rc = EXIT_OK;
	}
	buf_release(&text);
	order_row_release(&r);
out:
	cli_session_close(&s);
	return rc;
}

static int commissions_approve(int argc, char **argv)
{
	const char *pos[1] = {NULL};
	struct cli_session s;
	int64_t id;
	int rc = cli_parse(argc, argv, NULL, pos, 1, &commission_verbs[0]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if ((rc = cli_parse_id(&commission_verbs[0], "commission ID", pos[0],
			       &id)))
		return rc;
	rc = EXIT_FAIL;
	if (cli_session_open(&s, true) < 0)
		goto out;
	if (pipeline_approve(s.tx, id, &s.err) < 0 ||
	    store_tx_finish(&s.tx, &s.err) < 0) {
		cli_fail("commissions approve", &s.err);
	} else {
		printf("commission %lld approved\n", (long long)id);
		rc = EXIT_OK;
	}
out:
	cli_session_close(&s);
	return rc;
}

struct commission_list {
	struct store_tx *tx;
	bool json;
	cJSON *arr;
	struct buf *err;
};

static int list_commission(void *ctx, const struct commission *c)
{
	struct commission_list *l = ctx;
	const char *status = commission_status(l->tx, c, l->err);
	cJSON *o;

	if (!l->json) {
		printf("%-6lld order %-6lld affiliate %-5lld %10lld %s %-10s "
		       "%s\n",
		       (long long)c->id, (long long)c->order_id,
		       (long long)c->affiliate_id, (long long)c->amount,
		       c->currency, status, c->explanation);
		return 0;
	}
	o = cJSON_CreateObject();
	json_add_int(o, "id", c->id);
	json_add_int(o, "order_id", c->order_id);
	json_add_int(o, "affiliate_id", c->affiliate_id);
	json_add_int(o, "program_id", c->program_id);
	json_add_int(o, "base", c->base);
	json_add_int(o, "amount", c->amount);
	json_add_str(o, "currency", c->currency);
	json_add_str(o, "status", status);
	json_add_str(o, "explanation", c->explanation);
	json_add_str(o, "review", c->review[0] ? c->review : NULL);
	cJSON_AddItemToArray(l->arr, o);
	return 0;
}

static int commissions_list(int argc, char **argv)
{
	const char *aff_arg = NULL;
	bool json = false;
	const struct cli_opt opts[] = {{"affiliate", CLI_STRING, &aff_arg},
				       {"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct commission_list l = {NULL, false, NULL, NULL};
	struct cli_session s;
	int64_t aff = 0;
	int rc = cli_parse(argc, argv, opts, NULL, 0, &commission_verbs[1]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (aff_arg && (rc = cli_parse_id(&commission_verbs[1], "--affiliate",
					  aff_arg, &aff)))
		return rc;
	rc = EXIT_FAIL;
	if (cli_session_open(&s, false) < 0)
		goto out;
	l.tx = s.tx;
	l.json = json;
	l.arr = cJSON_CreateArray();
	l.err = &s.err;
	if (store_commission_each(s.tx, aff, list_commission, &l, &s.err) < 0) {
		cJSON_Delete(l.arr);
		cli_fail("commissions list", &s.err);
	} else if (json) {
		rc = cli_print_json(l.arr);
	} else {
		cJSON_Delete(l.arr);
		rc = EXIT_OK;
	}
out:
	cli_session_close(&s);
	return rc;
}

struct ledger_view {
	bool json;
	cJSON *entries;
	cJSON *balance; /* currency -> pending + approved */
	cJSON *buckets; /* currency -> {pending, approved, paid} */
};

static int print_entry(void *ctx, const struct ledger_entry *e)
{
	struct ledger_view *v = ctx;

	if (v->json) {
		cJSON_AddItemToArray(v->entries, entry_json(e));
		return 0;
	}
	printf("%-6lld %-10s %-8s %10lld %s order %-6lld %s\n",
	       (long long)e->id, e->kind, e->bucket, (long long)e->amount,
	       e->currency, (long long)e->order_id, e->memo);
	return 0;
}

static int add_bucket(void *ctx, const char *currency, const char *bucket,
		      int64_t sum)
{
	struct ledger_view *v = ctx;
	cJSON *cur = cJSON_GetObjectItemCaseSensitive(v->buckets, currency);
	struct buf text;

	if (!cur)
		cur = cJSON_AddObjectToObject(v->buckets, currency);
	json_add_int(cur, bucket, sum);
	if (!v->json) {
		buf_init(&text, 64);
		if (money_format(&text, sum, money_exponent(currency)) == 0)
			printf("%s %-8s %s\n", currency, bucket,
			       buf_str(&text));
		buf_release(&text);
	}
	return 0;
}

/* balance = what is earned and not yet paid: pending + approved. */
static void fill_balance(struct ledger_view *v)
{
	const cJSON *cur;

	cJSON_ArrayForEach(cur, v->buckets)
	{
		int64_t sum = 0, x;
		const char *b[] = {"pending", "approved"};
		int i;

		for (i = 0; i < 2; i++)
			if (json_int(cur, b[i], 0, &x, NULL) == 0)
				sum += x;
		json_add_int(v->balance, cur->string, sum);
	}
}

static int ledger_show(int64_t aff, bool json)
{
	struct ledger_view v = {json, NULL, NULL, NULL};
	struct cli_session s;
	cJSON *o = cJSON_CreateObject();
	int rc = EXIT_FAIL;

	json_add_int(o, "affiliate_id", aff);
	v.entries = cJSON_AddArrayToObject(o, "entries");
	v.balance = cJSON_AddObjectToObject(o, "balance");
	v.buckets = cJSON_AddObjectToObject(o, "buckets");
	if (cli_session_open(&s, false) < 0)
		goto out;
	if (store_ledger_each(s.tx, aff, print_entry, &v, &s.err) < 0 ||
	    store_ledger_sums(s.tx, aff, add_bucket, &v, &s.err) < 0) {
		cli_fail("ledger", &s.err);
		goto out;
	}
	fill_balance(&v);
	if (json) {
		rc = cli_print_json(o);
		o = NULL;
	} else {
		rc = EXIT_OK;
	}
out:
	cJSON_Delete(o);
	cli_session_close(&s);
	return rc;
}

static int ledger_verify_cmd(void)
{
	struct cli_session s;
	int64_t count = 0;
	int rc = EXIT_FAIL;

	if (cli_session_open(&s, false) < 0)
		goto out;
	if (ledger_verify(s.tx, &count, &s.err) < 0) {
		error_prefix(&s.err, "after %lld good entries",
			     (long long)count);
		cli_fail("ledger verify", &s.err);
	} else {
		printf("ledger OK: %lld entries, hash chain intact\n",
		       (long long)count);
		rc = EXIT_OK;
	}
out:
	cli_session_close(&s);
	return rc;
}

static int ledger_payout_cmd(int64_t aff, const char *currency)
{
	struct cli_session s;
	int64_t amount = 0;
	int rc = EXIT_FAIL;

	if (cli_session_open(&s, true) < 0)
		goto out;
	if (pipeline_payout(s.tx, aff, currency, &amount, &s.err) < 0 ||
	    store_tx_finish(&s.tx, &s.err) < 0) {
		cli_fail("ledger payout", &s.err);
	} else {
		printf("paid %lld minor units of %s to affiliate %lld%s\n",
		       (long long)amount, currency, (long long)aff,
		       amount ? "" : " (nothing approved to pay)");
		rc = EXIT_OK;
	}
out:
	cli_session_close(&s);
	return rc;
}

int cmd_ledger(int argc, char **argv)
{
	const char *aff_arg = NULL, *currency = NULL, *pos[1] = {NULL};
	bool json = false;
	const struct cli_opt opts[] = {{"affiliate", CLI_STRING, &aff_arg},
				       {"currency", CLI_STRING, &currency},
				       {"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	int64_t aff = 0;
	int rc = cli_parse(argc, argv, opts, pos, 1, &ledger_cmd);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (pos[0] && strcmp(pos[0], "verify") == 0)
		return ledger_verify_cmd();
	if (pos[0] && strcmp(pos[0], "payout") != 0)
		return cli_usage_error(&ledger_cmd, "unknown verb '%s'",
				       pos[0]);
	if ((rc = cli_parse_id(&ledger_cmd, "--affiliate", aff_arg, &aff)))
		return rc;
	if (!pos[0])
		return ledger_show(aff, json);
	if (!money_currency_valid(currency))
		return cli_usage_error(&ledger_cmd,
				       "payout needs --currency, an ISO 4217 "
				       "code");
	return ledger_payout_cmd(aff, currency);
}
