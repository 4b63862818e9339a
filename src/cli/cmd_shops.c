/* `affiliated shops add|list` (and `shops check`, cmd_shops_check.c). */
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

static int shops_add(int argc, char **argv);
static int shops_list(int argc, char **argv);

static const struct cli_cmd shop_verbs[] = {
	{"add", shops_add,
	 "shops add --platform P --shop S --token T|--token-file F\n"
	 "          [--secret K|--secret-file F|--no-secret] [--name N]\n"
	 "          [--currency C]",
	 "registers a shop installed by hand (a custom app's token; --secret:\n"
	 "the custom app's client secret, which signs its webhooks; a file's\n"
	 "first line, or standard input for -, keeps either out of `ps`;\n"
	 "--no-secret drops the shop's own secret: the app's signs again)"},
	{"list", shops_list, "shops list [--json]",
	 "shops with platform, status and install time"},
	{"check", cmd_shops_check, "shops check [--shop S] [--json] [--fix]",
	 "each webhook topic a shop needs, as the platform holds it (ok,\n"
	 "missing, or refused with the platform's words), and the token's\n"
	 "state; --fix creates what is missing; exits 1 while anything is\n"
	 "missing or refused, or the platform could not be asked"},
	{NULL, NULL, NULL, NULL},
};

int cmd_shops(int argc, char **argv)
{
	return cli_dispatch(argc, argv, shop_verbs, "shops");
}

/* Name and currency from the platform, unless given. */
static int describe(const struct config *cfg, const char *platform,
		    const char *domain, const char *token,
		    struct shop_info *info, struct buf *err)
{
	struct platform_set set;
	const struct platform *p;
	struct provider_shop ps = {0, domain, token, NULL};
	struct provider_env env;
	enum provider_status st;

	platforms_load(&set, cfg);
	p = platforms_find(&set, platform);
	if (!p)
		return errorf(err, "no platform '%s'", platform);
	memset(&env, 0, sizeof(env));
	env.cfg = &p->cfg;
	env.shop = &ps;
	env.http = http_client_new(15000);
	env.now = clock_now();
	st = provider_describe_shop(p->provider, &env, info, err);
	http_client_free(env.http);
	return st == PROVIDER_OK ? 0 : -1;
}

/* Releases a buffer that held a secret read from a file. */
static void wipe(struct buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->cap);
	buf_release(b);
}

static int shops_add(int argc, char **argv)
{
	const char *platform = NULL, *domain = NULL, *token = NULL;
	const char *name = NULL, *currency = NULL, *secret = NULL;
	const char *token_file = NULL, *secret_file = NULL;
	bool no_secret = false;
	const struct cli_opt opts[] = {
		{"platform", CLI_STRING, &platform},
		{"shop", CLI_STRING, &domain},
		{"token", CLI_STRING, &token},
		{"token-file", CLI_STRING, &token_file},
		{"secret", CLI_STRING, &secret},
		{"secret-file", CLI_STRING, &secret_file},
		{"no-secret", CLI_FLAG, &no_secret},
		{"name", CLI_STRING, &name},
		{"currency", CLI_STRING, &currency},
		{NULL, CLI_FLAG, NULL},
	};
	struct shop_info info;
	struct config cfg;
	struct store *st = NULL;
	struct store_tx *tx = NULL;
	struct shop shop;
	struct buf err, sealed, sealed_secret, token_read, secret_read;
	int64_t id;
	int rc = cli_parse(argc, argv, opts, NULL, 0, &shop_verbs[0]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if ((token && token_file) || (secret && secret_file))
		return cli_usage_error(&shop_verbs[0],
				       "give a value or a file, not both");
	if (no_secret && (secret || secret_file))
		return cli_usage_error(&shop_verbs[0],
				       "--no-secret and a secret contradict "
				       "each other");
	if (token_file && secret_file && strcmp(token_file, "-") == 0 &&
	    strcmp(secret_file, "-") == 0)
		return cli_usage_error(&shop_verbs[0],
				       "only one of the files can be standard "
				       "input");
	if (!platform || !domain || (!token && !token_file))
		return cli_usage_error(&shop_verbs[0],
				       "--platform, --shop and --token (or "
				       "--token-file) are required");
	if (!provider_find(platform))
		return cli_usage_error(&shop_verbs[0], "unknown platform '%s'",
				       platform);
	if (secret && !secret[0])
		return cli_usage_error(&shop_verbs[0],
				       "--secret must not be empty");
	if ((secret || secret_file) &&
	    !provider_has(provider_find(platform), PROVIDER_SHOP_SECRETS))
		return cli_usage_error(
			&shop_verbs[0],
			"%s signs every shop's webhooks with the "
			"app's secret: --secret does not apply",
			platform);
	if (currency && !money_currency_valid(currency))
		return cli_usage_error(&shop_verbs[0],
				       "currency '%s' is not ISO 4217",
				       currency);
	buf_init(&token_read, 4096);
	buf_init(&secret_read, 1024);
	if ((token_file &&
	     cli_read_secret("shops add", token_file, &token_read) < 0) ||
	    (secret_file &&
	     cli_read_secret("shops add", secret_file, &secret_read) < 0)) {
		wipe(&token_read);
		wipe(&secret_read);
		return EXIT_FAIL;
	}
	if (token_file)
		token = buf_str(&token_read);
	if (secret_file)
		secret = buf_str(&secret_read);
	if (cli_load_config(&cfg) < 0) {
		wipe(&token_read);
		wipe(&secret_read);
		return EXIT_FAIL;
	}
	buf_init(&err, BUF_SMALL);
	buf_init(&sealed, 8192);
	buf_init(&sealed_secret, 8192);
	memset(&info, 0, sizeof(info));
	rc = EXIT_FAIL;
	if (!(st = cli_open_store(&cfg)))
		goto out;
	if (!currency &&
	    describe(&cfg, platform, domain, token, &info, &err) < 0) {
		error_prefix(&err,
			     "reading the shop (pass --currency to skip)");
		cli_fail("shops add", &err);
		goto out;
	}
	memset(&shop, 0, sizeof(shop));
	shop.platform = xstrdup(platform);
	shop.domain = xstrdup(domain);
	shop.name = xstrdup(name ? name : info.name);
	shop.currency = xstrdup(currency ? currency : info.currency);
	shop.scopes = xstrdup("");
	/*
	 * Without --secret a shop keeps the secret it has (none at first);
	 * --no-secret stores none, so the app's secret signs again.
	 */
	if (shop_seal_token(platform, domain, token, &sealed, &err) < 0 ||
	    (secret && shop_seal_webhook_secret(platform, domain, secret,
						&sealed_secret, &err) < 0) ||
	    store_tx_begin(st, &tx, &err) < 0 ||
	    store_shop_put(tx, &shop,
			   &(struct shop_tokens){sealed.data, NULL, 0, 0, 0},
			   &id, &err) < 0 ||
	    ((secret || no_secret) &&
	     store_shop_set_webhook_secret(
		     tx, id, secret ? sealed_secret.data : NULL, &err) < 0) ||
	    store_tx_finish(&tx, &err) < 0) {
		store_tx_abandon(&tx);
		cli_fail("shops add", &err);
	} else {
		printf("shop %lld: %s %s (%s)%s\n", (long long)id, platform,
		       domain, shop.currency,
		       secret	   ? ", webhooks signed with its own secret"
		       : no_secret ? ", webhooks signed with the app's secret"
				   : "");
		rc = EXIT_OK;
	}
	shop_release(&shop);
out:
	store_close(st);
	buf_release(&err);
	buf_release(&sealed);
	buf_release(&sealed_secret);
	wipe(&token_read);
	wipe(&secret_read);
	config_release(&cfg);
	return rc;
}

struct list_ctx {
	bool json;
	cJSON *arr;
};

static int print_shop(void *ctx, const struct shop *s)
{
	struct list_ctx *l = ctx;
	char stamp[21];

	if (l->json) {
		cJSON_AddItemToArray(l->arr, shop_json(s));
		return 0;
	}
	format_iso8601(s->installed_at, stamp);
	printf("%-4lld %-8s %-32s %-4s %-13s %s%s\n", (long long)s->id,
	       s->platform, s->domain, s->currency, shop_status(s), stamp,
	       s->own_webhook_secret ? "  own webhook secret" : "");
	return 0;
}

static int shops_list(int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {{"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct list_ctx l = {false, NULL};
	struct cli_session s;
	int rc = cli_parse(argc, argv, opts, NULL, 0, &shop_verbs[1]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	rc = EXIT_FAIL;
	l.json = json;
	l.arr = cJSON_CreateArray();
	if (cli_session_open(&s, false) == 0)
		rc = store_shop_each(s.tx, print_shop, &l, &s.err) < 0
			     ? cli_fail("shops list", &s.err)
			     : EXIT_OK;
	cli_session_close(&s);
	if (rc == EXIT_OK && json)
		rc = cli_print_json(l.arr);
	else
		cJSON_Delete(l.arr);
	return rc;
}
