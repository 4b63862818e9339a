/* `affiliated commissions list|approve`: commissions and their state. */
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

static int commissions_approve(int argc, char **argv);
static int commissions_list(int argc, char **argv);

static const struct cli_cmd commission_verbs[] = {
	{"approve", commissions_approve, "commissions approve ID",
	 "approves a commission held for review or manual approval"},
	{"list", commissions_list, "commissions list [--affiliate ID] [--json]",
	 "commissions with their state"},
	{NULL, NULL, NULL, NULL},
};

int cmd_commissions(int argc, char **argv)
{
	return cli_dispatch(argc, argv, commission_verbs, "commissions");
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
