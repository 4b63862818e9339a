/*
 * `affiliated ledger`: an affiliate's entries and balances, the hash
 * chain's check, and a payout of an approved balance.
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

static const struct cli_cmd ledger_cmd = {
	"ledger", cmd_ledger,
	"ledger --affiliate ID [--json] | ledger verify | ledger payout "
	"--affiliate ID --currency C",
	"Shows an affiliate's entries and balance per currency, checks the "
	"hash chain\nof the whole ledger, or pays out an approved balance."};

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
