/* `affiliated privacy`: the privacy requests platforms sent. */
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

struct list_ctx {
	bool json;
	cJSON *arr;
};

static const struct cli_cmd privacy_cmd = {
	"privacy", cmd_privacy, "privacy [--json]",
	"Lists the privacy requests platforms sent (data requests with what we "
	"hold\nabout the customer, redactions done)."};

static int print_privacy(void *ctx, int64_t id, int64_t shop_id,
			 const char *kind, const char *customer_id,
			 const char *email, const char *export_json,
			 int64_t created_at)
{
	struct list_ctx *l = ctx;
	cJSON *o;
	char stamp[21];

	format_iso8601(created_at, stamp);
	if (!l->json) {
		printf("%-4lld shop %-4lld %-16s %s %s %s\n", (long long)id,
		       (long long)shop_id, kind, stamp, customer_id, email);
		return 0;
	}
	o = cJSON_CreateObject();
	json_add_int(o, "id", id);
	json_add_int(o, "shop_id", shop_id);
	json_add_str(o, "kind", kind);
	json_add_str(o, "customer_id", customer_id);
	json_add_str(o, "email", email);
	json_add_str(o, "created_at", stamp);
	if (export_json && export_json[0])
		cJSON_AddItemToObject(o, "export", cJSON_Parse(export_json));
	cJSON_AddItemToArray(l->arr, o);
	return 0;
}

int cmd_privacy(int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {{"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct cli_session s;
	struct list_ctx l = {false, NULL};
	int rc = cli_parse(argc, argv, opts, NULL, 0, &privacy_cmd);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	l.json = json;
	l.arr = cJSON_CreateArray();
	rc = EXIT_FAIL;
	if (cli_session_open(&s, false) == 0)
		rc = store_privacy_each(s.tx, print_privacy, &l, &s.err) < 0
			     ? cli_fail("privacy", &s.err)
			     : EXIT_OK;
	cli_session_close(&s);
	if (rc == EXIT_OK && json)
		rc = cli_print_json(l.arr);
	else
		cJSON_Delete(l.arr);
	return rc;
}
