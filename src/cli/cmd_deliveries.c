/*
 * `affiliated deliveries list|retry`: the webhook inbox as an operator
 * sees it. Intake stores every signed delivery for a known shop, even
 * one whose body does not parse; the worker records why it failed, and
 * retry puts it back in the queue once whatever failed it is fixed.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store_inbox.h"
#include "store/store_shops.h"
#include "util/json.h"
#include "util/parse.h"

#include <stdio.h>
#include <string.h>

static int deliveries_list(int argc, char **argv);
static int deliveries_retry(int argc, char **argv);

static const struct cli_cmd delivery_verbs[] = {
	{"list", deliveries_list,
	 "deliveries list [--status failed|pending|done|ignored] [--shop S] "
	 "[--json]",
	 "webhook deliveries with their status, attempts and last error"},
	{"retry", deliveries_retry, "deliveries retry ID",
	 "puts a delivery that is not done back in the queue, due now"},
	{NULL, NULL, NULL, NULL},
};

int cmd_deliveries(int argc, char **argv)
{
	return cli_dispatch(argc, argv, delivery_verbs, "deliveries");
}

struct list_ctx {
	bool json;
	cJSON *arr;
};

static cJSON *row_json(const struct inbox_row *r)
{
	cJSON *o = cJSON_CreateObject();
	char at[21];

	format_iso8601(r->received_at, at);
	json_add_int(o, "id", r->id);
	json_add_int(o, "shop_id", r->shop_id);
	json_add_str(o, "shop", r->shop);
	json_add_str(o, "platform", r->platform);
	json_add_str(o, "topic", r->topic);
	json_add_str(o, "delivery_id", r->delivery_id);
	json_add_str(o, "status", r->status);
	json_add_int(o, "attempts", r->attempts);
	json_add_str(o, "last_error", r->last_error);
	json_add_str(o, "received_at", at);
	return o;
}

static int list_row(void *ctx, const struct inbox_row *r)
{
	struct list_ctx *l = ctx;
	char at[21];

	if (l->json) {
		cJSON_AddItemToArray(l->arr, row_json(r));
		return 0;
	}
	format_iso8601(r->received_at, at);
	printf("%-6lld %-24s %-7s %-22s %-36s %-8s attempts %lld %s %s\n",
	       (long long)r->id, r->shop, r->platform, r->topic, r->delivery_id,
	       r->status, (long long)r->attempts, at, r->last_error);
	return 0;
}

static bool known_status(const char *s)
{
	static const char *const all[] = {"failed", "pending", "done",
					  "ignored"};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, all[i]) == 0)
			return true;
	return false;
}

static int deliveries_list(int argc, char **argv)
{
	const char *status = NULL, *shop_arg = NULL;
	bool json = false;
	const struct cli_opt opts[] = {{"status", CLI_STRING, &status},
				       {"shop", CLI_STRING, &shop_arg},
				       {"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct list_ctx l = {false, NULL};
	struct cli_session s;
	struct shop shop;
	int64_t shop_id = 0;
	int rc = cli_parse(argc, argv, opts, NULL, 0, &delivery_verbs[0]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (status && !known_status(status))
		return cli_usage_error(&delivery_verbs[0],
				       "--status '%s' is not failed, pending, "
				       "done or ignored",
				       status);
	rc = EXIT_FAIL;
	l.json = json;
	l.arr = cJSON_CreateArray();
	if (cli_session_open(&s, false) < 0)
		goto out;
	if (shop_arg) {
		if (cli_find_shop(s.st, shop_arg, &shop) < 0)
			goto out;
		shop_id = shop.id;
		shop_release(&shop);
	}
	rc = store_inbox_each(s.tx, status, shop_id, list_row, &l, &s.err) < 0
		     ? cli_fail("deliveries list", &s.err)
		     : EXIT_OK;
out:
	cli_session_close(&s);
	if (rc == EXIT_OK && json)
		return cli_print_json(l.arr);
	cJSON_Delete(l.arr);
	return rc;
}

static int deliveries_retry(int argc, char **argv)
{
	const struct cli_cmd *cmd = &delivery_verbs[1];
	const char *pos[1] = {NULL};
	struct cli_session s;
	struct inbox_row r = {0};
	int64_t id;
	int rc = cli_parse(argc, argv, NULL, pos, 1, cmd), queued;

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if ((rc = cli_parse_id(cmd, "delivery ID", pos[0], &id)))
		return rc;
	rc = EXIT_FAIL;
	if (cli_session_open(&s, true) < 0)
		goto out;
	if (store_inbox_get(s.tx, id, &r, &s.err) != 1) {
		if (!s.err.len)
			errorf(&s.err, "no delivery %lld", (long long)id);
		cli_fail("deliveries retry", &s.err);
		goto out;
	}
	queued = store_inbox_requeue(s.tx, id, &s.err);
	if (queued < 0 || store_tx_finish(&s.tx, &s.err) < 0) {
		cli_fail("deliveries retry", &s.err);
	} else if (queued == 0) {
		fprintf(stderr,
			"affiliated: delivery %lld is done: a delivery that "
			"was processed is not run again\n",
			(long long)id);
	} else {
		printf("delivery %lld queued again (was %s)\n", (long long)id,
		       r.status);
		rc = EXIT_OK;
	}
out:
	inbox_row_release(&r);
	cli_session_close(&s);
	return rc;
}
