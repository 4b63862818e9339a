/* `affiliated reconcile`: the orders no webhook brought, through the API. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/model_json.h"
#include "platform.h"
#include "reconcile.h"
#include "shop_access.h"
#include "store/store_platform.h"
#include "store/store_shops.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_cmd reconcile_cmd = {
	"reconcile", cmd_reconcile,
	"reconcile --shop S [--since TIME] [--json]",
	"Fetches the orders a shop updated since TIME (ISO 8601; default: "
	"since the\nlast pass) through the platform's API and processes any "
	"that no webhook\ndelivered. Idempotent: what webhooks brought books "
	"nothing."};

int cmd_reconcile(int argc, char **argv)
{
	const char *shop_arg = NULL, *since_arg = NULL;
	bool json = false;
	const struct cli_opt opts[] = {{"shop", CLI_STRING, &shop_arg},
				       {"since", CLI_STRING, &since_arg},
				       {"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct reconcile_stats stats;
	struct platform_set set;
	struct config cfg;
	struct store *st;
	struct shop shop;
	struct buf err;
	int64_t since = 0;
	int rc = cli_parse(argc, argv, opts, NULL, 0, &reconcile_cmd);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (!shop_arg)
		return cli_usage_error(&reconcile_cmd, "--shop is required");
	if (since_arg && parse_iso8601(since_arg, &since) < 0)
		return cli_usage_error(&reconcile_cmd,
				       "--since '%s' is not an ISO 8601 time",
				       since_arg);
	if (cli_load_config(&cfg) < 0)
		return EXIT_FAIL;
	buf_init(&err, BUF_SMALL);
	rc = EXIT_FAIL;
	platforms_load(&set, &cfg);
	if ((st = cli_open_store(&cfg)) &&
	    cli_find_shop(st, shop_arg, &shop) == 0) {
		enum signal_kind order[SIGNAL__COUNT];

		signal_precedence_parse(
			config_get(&cfg, CFG_ATTRIBUTION_PRECEDENCE), order,
			NULL);
		if (reconcile_shop(st, &set, order, shop.id, since, &stats,
				   &err) < 0) {
			cli_fail("reconcile", &err);
		} else if (json) {
			cJSON *o = cJSON_CreateObject();

			json_add_str(o, "shop", shop.domain);
			json_add_int(o, "seen", stats.seen);
			json_add_int(o, "unknown", stats.unknown);
			json_add_int(o, "accrued", stats.accrued);
			json_add_int(o, "skipped", stats.skipped);
			if (stats.note[0])
				json_add_str(o, "note", stats.note);
			rc = cli_print_json(o);
		} else {
			printf("%s: %lld orders seen, %lld no webhook had "
			       "delivered, %lld commissions booked%s\n",
			       shop.domain, (long long)stats.seen,
			       (long long)stats.unknown,
			       (long long)stats.accrued,
			       stats.skipped ? "; some orders could not be "
					       "read (see the log)"
					     : "");
			if (stats.note[0])
				printf("%s: %s\n", shop.domain, stats.note);
			rc = EXIT_OK;
		}
		shop_release(&shop);
	}
	store_close(st);
	buf_release(&err);
	config_release(&cfg);
	return rc;
}
