/* `affiliated shops check`: the shops' webhook subscriptions and tokens. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "shop_access.h"
#include "store/store_shops.h"
#include "util/json.h"
#include "webhook_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_cmd check_cmd = {
	"check", cmd_shops_check, "shops check [--shop S] [--json] [--fix]",
	"Asks each shop's platform which webhook subscriptions it holds for "
	"this\ndaemon and prints each topic the shop needs: ok, missing, or "
	"refused: <the\nplatform's message>, with the state of the shop's "
	"token. --fix creates the\nmissing ones. Exits 1 while anything is "
	"missing or refused."};

static const char *state_text(const struct topic_check *t, char *out, size_t n)
{
	if (t->state == TOPIC_OK)
		return "ok";
	snprintf(out, n, "%s%s%s", topic_state_str(t->state),
		 t->message[0] ? ": " : "", t->message);
	return out;
}

static cJSON *check_json(const struct shop *s, const struct webhook_check *c)
{
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	size_t i;

	json_add_int(o, "id", s->id);
	json_add_str(o, "platform", s->platform);
	json_add_str(o, "shop", s->domain);
	json_add_str(o, "token", c->token_state);
	cJSON_AddBoolToObject(o, "supported", c->supported);
	if (c->error[0])
		json_add_str(o, "error", c->error);
	for (i = 0; i < c->ntopics; i++) {
		cJSON *t = cJSON_CreateObject();
		char text[400];

		json_add_str(t, "topic", c->topics[i].topic);
		json_add_str(t, "state",
			     state_text(&c->topics[i], text, sizeof(text)));
		if (c->topics[i].message[0])
			json_add_str(t, "message", c->topics[i].message);
		cJSON_AddItemToArray(arr, t);
	}
	cJSON_AddItemToObject(o, "topics", arr);
	return o;
}

static void check_print(const struct shop *s, const struct webhook_check *c)
{
	size_t i;

	printf("%s %s: token %s\n", s->platform, s->domain, c->token_state);
	if (!c->supported)
		printf("  webhooks are set up in the platform's app settings, "
		       "not through its API: nothing to check\n");
	if (c->error[0])
		printf("  the check could not be made: %s\n", c->error);
	for (i = 0; i < c->ntopics; i++) {
		char text[400];

		printf("  %-20s %s\n", c->topics[i].topic,
		       state_text(&c->topics[i], text, sizeof(text)));
	}
}

int cmd_shops_check(int argc, char **argv)
{
	const char *shop_arg = NULL;
	bool json = false, fix = false, bad = false;
	const struct cli_opt opts[] = {{"shop", CLI_STRING, &shop_arg},
				       {"json", CLI_FLAG, &json},
				       {"fix", CLI_FLAG, &fix},
				       {NULL, CLI_FLAG, NULL}};
	struct platform_set set;
	struct config cfg;
	struct store *st = NULL;
	struct store_tx *tx;
	int64_t *ids = NULL, one = 0;
	size_t n = 0;
	struct buf err;
	cJSON *arr = NULL;
	size_t i;
	int rc = cli_parse(argc, argv, opts, NULL, 0, &check_cmd);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (cli_load_config(&cfg) < 0)
		return EXIT_FAIL;
	buf_init(&err, BUF_SMALL);
	rc = EXIT_FAIL;
	platforms_load(&set, &cfg);
	if (!(st = cli_open_store(&cfg)))
		goto out;
	if (shop_arg) {
		struct shop shop;

		if (cli_find_shop(st, shop_arg, &shop) < 0)
			goto out;
		one = shop.id;
		shop_release(&shop);
	} else if (shop_active_ids(st, &ids, &n, &err) < 0) {
		cli_fail("shops check", &err);
		goto out;
	}
	arr = cJSON_CreateArray();
	for (i = 0; i < (shop_arg ? 1 : n); i++) {
		int64_t id = shop_arg ? one : ids[i];
		struct webhook_check c;
		struct shop shop;

		if (webhook_check_shop(st, &set, &cfg, id, fix, &c, &err) < 0 ||
		    store_read_begin(st, &tx, &err) < 0) {
			cli_fail("shops check", &err);
			goto out;
		}
		/* Read after the check: a refresh may have changed the row. */
		if (store_shop_get(tx, id, &shop, &err) != 1) {
			store_tx_rollback(tx);
			cli_fail("shops check", &err);
			goto out;
		}
		store_tx_rollback(tx);
		if (c.error[0] || webhook_check_incomplete(&c) ||
		    shop.reauth_needed)
			bad = true;
		if (json)
			cJSON_AddItemToArray(arr, check_json(&shop, &c));
		else
			check_print(&shop, &c);
		shop_release(&shop);
	}
	if (json) {
		rc = cli_print_json(arr);
		arr = NULL;
		if (rc == EXIT_OK && bad)
			rc = EXIT_FAIL;
	} else {
		rc = bad ? EXIT_FAIL : EXIT_OK;
	}
out:
	free(ids);
	cJSON_Delete(arr);
	store_close(st);
	buf_release(&err);
	config_release(&cfg);
	return rc;
}
