/* `affiliated affiliates add|list|show|disable`. */
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

static int affiliates_add(int argc, char **argv);
static int affiliates_list(int argc, char **argv);
static int affiliates_show(int argc, char **argv);
static int affiliates_disable(int argc, char **argv);

static const struct cli_cmd affiliate_verbs[] = {
	{"add", affiliates_add,
	 "affiliates add --program ID --name N --email E [--code C] "
	 "[--coupon CODE]... [--customer-id ID] [--pending] [--json]",
	 "adds an affiliate"},
	{"list", affiliates_list, "affiliates list [--program ID] [--json]",
	 "lists affiliates"},
	{"show", affiliates_show, "affiliates show ID [--json]",
	 "shows an affiliate and their balance"},
	{"disable", affiliates_disable, "affiliates disable ID",
	 "stops crediting an affiliate"},
	{NULL, NULL, NULL, NULL},
};

int cmd_affiliates(int argc, char **argv)
{
	return cli_dispatch(argc, argv, affiliate_verbs, "affiliates");
}

struct list_ctx {
	bool json;
	cJSON *arr;
	struct store_tx *tx;
};

static int affiliates_add(int argc, char **argv)
{
	const char *program_arg = NULL, *name = NULL, *email = NULL;
	const char *code = NULL, *customer = NULL, *coupon_items[64];
	struct cli_list coupons = {coupon_items, 0};
	bool pending = false, json = false;
	const struct cli_opt opts[] = {
		{"program", CLI_STRING, &program_arg},
		{"name", CLI_STRING, &name},
		{"email", CLI_STRING, &email},
		{"code", CLI_STRING, &code},
		{"customer-id", CLI_STRING, &customer},
		{"coupon", CLI_LIST, &coupons},
		{"pending", CLI_FLAG, &pending},
		{"json", CLI_FLAG, &json},
		{NULL, CLI_FLAG, NULL},
	};
	struct cli_session s;
	struct affiliate a;
	struct program p;
	int64_t program_id, id;
	int i, rc = cli_parse(argc, argv, opts, NULL, 0, &affiliate_verbs[0]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if ((rc = cli_parse_id(&affiliate_verbs[0], "--program", program_arg,
			       &program_id)))
		return rc;
	if (!name || !email)
		return cli_usage_error(&affiliate_verbs[0],
				       "--name and --email are required");
	memset(&a, 0, sizeof(a));
	rc = EXIT_FAIL;
	if (cli_session_open(&s, true) < 0)
		goto out;
	switch (store_program_get(s.tx, program_id, &p, &s.err)) {
	case 0:
		errorf(&s.err, "no program %lld", (long long)program_id);
		/* fall through */
	case -1:
		cli_fail("affiliates add", &s.err);
		goto out;
	}
	a.name = xstrdup(name);
	a.email = xstrdup(email);
	a.code = code ? xstrdup(code) : NULL;
	a.customer_id = customer ? xstrdup(customer) : NULL;
	a.status = pending ? AFFILIATE_PENDING : AFFILIATE_ACTIVE;
	a.coupons = xcalloc((size_t)coupons.n + 1, sizeof(char *));
	for (i = 0; i < coupons.n; i++)
		a.coupons[a.ncoupons++] = xstrdup(coupons.items[i]);
	if (affiliate_join(s.tx, &p, &a, NULL, &id, &s.err) != 0 ||
	    store_tx_finish(&s.tx, &s.err) < 0) {
		cli_fail("affiliates add", &s.err);
	} else {
		if (json)
			rc = cli_print_json(affiliate_json(&a));
		else {
			printf("affiliate %lld: %s <%s>, code %s, program "
			       "%lld\n",
			       (long long)id, a.name, a.email, a.code,
			       (long long)p.id);
			rc = EXIT_OK;
		}
	}
	program_release(&p);
out:
	affiliate_release(&a);
	cli_session_close(&s);
	return rc;
}

static int list_affiliate(void *ctx, const struct affiliate *a)
{
	struct list_ctx *l = ctx;

	if (l->json) {
		cJSON_AddItemToArray(l->arr, affiliate_json(a));
		return 0;
	}
	printf("%-5lld %-24s %-32s %-10s %-8s program %lld\n", (long long)a->id,
	       a->name, a->email, a->code, affiliate_status_str(a->status),
	       (long long)a->program_id);
	return 0;
}

static int affiliates_list(int argc, char **argv)
{
	const char *program_arg = NULL;
	bool json = false;
	const struct cli_opt opts[] = {{"program", CLI_STRING, &program_arg},
				       {"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct list_ctx l = {false, NULL, NULL};
	struct cli_session r;
	int64_t program_id = 0;
	int rc = cli_parse(argc, argv, opts, NULL, 0, &affiliate_verbs[1]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (program_arg && (rc = cli_parse_id(&affiliate_verbs[1], "--program",
					      program_arg, &program_id)))
		return rc;
	rc = EXIT_FAIL;
	if (cli_session_open(&r, false) < 0)
		goto out;
	l.json = json;
	l.arr = cJSON_CreateArray();
	if (store_affiliate_each(r.tx, 0, program_id, list_affiliate, &l,
				 &r.err) < 0) {
		cli_fail("affiliates list", &r.err);
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

static int add_sum(void *ctx, const char *currency, const char *bucket,
		   int64_t sum)
{
	cJSON *balances = ctx, *cur;

	cur = cJSON_GetObjectItemCaseSensitive(balances, currency);
	if (!cur)
		cur = cJSON_AddObjectToObject(balances, currency);
	json_add_int(cur, bucket, sum);
	return 0;
}

static int affiliates_show(int argc, char **argv)
{
	const char *pos[1] = {NULL};
	bool json = false;
	const struct cli_opt opts[] = {{"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct cli_session r;
	struct affiliate a;
	cJSON *o, *balances;
	struct buf text;
	int64_t id;
	int rc = cli_parse(argc, argv, opts, pos, 1, &affiliate_verbs[2]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if ((rc = cli_parse_id(&affiliate_verbs[2], "affiliate ID", pos[0],
			       &id)))
		return rc;
	rc = EXIT_FAIL;
	if (cli_session_open(&r, false) < 0)
		goto out;
	switch (store_affiliate_get(r.tx, id, &a, &r.err)) {
	case 0:
		fprintf(stderr,
			"affiliated: affiliate %lld: no such affiliate\n",
			(long long)id);
		goto out;
	case -1:
		cli_fail("affiliates show", &r.err);
		goto out;
	}
	o = affiliate_json(&a);
	balances = cJSON_AddObjectToObject(o, "balances");
	if (store_ledger_sums(r.tx, id, add_sum, balances, &r.err) < 0) {
		cJSON_Delete(o);
		cli_fail("affiliates show", &r.err);
	} else if (json) {
		rc = cli_print_json(o);
	} else {
		buf_init(&text, BUF_MEDIUM);
		if (json_print(&text, balances) == 0)
			printf("affiliate %lld: %s <%s> %s, code %s, program "
			       "%lld\n  balances: %s\n",
			       (long long)a.id, a.name, a.email,
			       affiliate_status_str(a.status), a.code,
			       (long long)a.program_id, buf_str(&text));
		buf_release(&text);
		cJSON_Delete(o);
		rc = EXIT_OK;
	}
	affiliate_release(&a);
out:
	cli_session_close(&r);
	return rc;
}

static int affiliates_disable(int argc, char **argv)
{
	const char *pos[1] = {NULL};
	struct cli_session s;
	struct affiliate a;
	int64_t id;
	int rc = cli_parse(argc, argv, NULL, pos, 1, &affiliate_verbs[3]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if ((rc = cli_parse_id(&affiliate_verbs[3], "affiliate ID", pos[0],
			       &id)))
		return rc;
	rc = EXIT_FAIL;
	if (cli_session_open(&s, true) < 0)
		goto out;
	switch (store_affiliate_get(s.tx, id, &a, &s.err)) {
	case 1:
		affiliate_release(&a);
		if (store_affiliate_set_status(s.tx, id, AFFILIATE_DISABLED,
					       &s.err) == 0 &&
		    store_tx_finish(&s.tx, &s.err) == 0) {
			printf("affiliate %lld disabled\n", (long long)id);
			rc = EXIT_OK;
			break;
		}
		/* fall through */
	case -1:
		cli_fail("affiliates disable", &s.err);
		break;
	default:
		fprintf(stderr,
			"affiliated: affiliate %lld: no such affiliate\n",
			(long long)id);
	}
out:
	cli_session_close(&s);
	return rc;
}
