/* `affiliated orders list|show`: what was credited, and why. */
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

static const struct cli_cmd order_verbs[] = {
	{"list", orders_list,
	 "orders list [--shop S] [--affiliate ID] [--limit N] [--json]",
	 "orders seen, with the attribution decision and its reason"},
	{"show", orders_show, "orders show ID [--json]",
	 "one order: decision, reason, commission and its entries"},
	{NULL, NULL, NULL, NULL},
};

int cmd_orders(int argc, char **argv)
{
	return cli_dispatch(argc, argv, order_verbs, "orders");
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
