/*
 * `affiliated simulate --program ID --orders FILE`: runs past orders
 * through the real pipeline with one program, inside a transaction that
 * is rolled back, and prints who would have earned what and why. Books
 * nothing. The file holds one neutral order per line (JSON; the format of
 * order_to_json, documented in the README).
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "pipeline.h"
#include "cli/model_json.h"
#include "store/store_orders.h"
#include "store/store_programs.h"
#include "util/json.h"
#include "util/money.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_cmd simulate_cmd = {
	"simulate", cmd_simulate,
	"simulate --program ID --orders FILE [--json]",
	"A dry run of a program over past orders (JSON lines of the neutral "
	"order):\nprints what each affiliate would earn and why; books "
	"nothing."};

struct orders_file {
	struct order *items;
	size_t n;
};

static void orders_file_release(struct orders_file *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		order_release(&f->items[i]);
	free(f->items);
}

/* Reads every line first: a bad line stops everything before any work. */
static int read_orders(const char *path, struct orders_file *f, struct buf *err)
{
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = 0;

	memset(f, 0, sizeof(*f));
	if (!in)
		return errorf(err, "%s: cannot read: %s", path,
			      strerror(errno));
	while (rc == 0 && (len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		while (len > 0 &&
		       (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		f->items = xrealloc(f->items, (f->n + 1) * sizeof(*f->items));
		if (order_from_json(line, (size_t)len, &f->items[f->n], err) <
		    0)
			rc = error_prefix(err, "%s:%d", path, lineno);
		else
			f->n++;
	}
	free(line);
	fclose(in);
	if (rc == 0 && f->n == 0)
		rc = errorf(err, "%s: no orders in the file", path);
	return rc;
}

struct earner {
	int64_t affiliate_id;
	char currency[4];
	int64_t orders;
	int64_t amount; /* net of reversals */
};

struct tally {
	struct earner *e;
	size_t n;
};

static void tally_add(struct tally *t, int64_t aff, const char *currency,
		      int64_t amount)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].affiliate_id == aff &&
		    strcmp(t->e[i].currency, currency) == 0)
			break;
	if (i == t->n) {
		t->e = xrealloc(t->e, (t->n + 1) * sizeof(*t->e));
		memset(&t->e[i], 0, sizeof(t->e[i]));
		t->e[i].affiliate_id = aff;
		snprintf(t->e[i].currency, sizeof(t->e[i].currency), "%s",
			 currency);
		t->n++;
	}
	t->e[i].orders++;
	t->e[i].amount += amount;
}

static void show_order(const struct order *o,
		       const struct pipeline_outcome *out, struct store_tx *tx,
		       cJSON *arr, bool json)
{
	struct order_row row;
	struct buf amount;
	int64_t net = out->accrued - out->reversed;
	cJSON *j;

	if (store_order_get(tx, out->order_id, &row, NULL) != 1)
		return;
	if (json) {
		j = cJSON_CreateObject();
		json_add_str(j, "order", o->id);
		json_add_str(j, "decision", row.decision);
		if (row.affiliate_id)
			json_add_int(j, "affiliate_id", row.affiliate_id);
		else
			cJSON_AddNullToObject(j, "affiliate_id");
		json_add_int(j, "commission", net);
		json_add_str(j, "currency", row.currency);
		json_add_str(j, "reason", row.reason);
		cJSON_AddItemToArray(arr, j);
	} else {
		buf_init(&amount, 64);
		if (money_format(&amount, net, money_exponent(row.currency)) <
		    0)
			buf_reset(&amount);
		printf("order %-12s %-14s %10s %s  %s\n", o->id, row.decision,
		       buf_str(&amount), row.currency, row.reason);
		buf_release(&amount);
	}
	order_row_release(&row);
}

static void show_totals(const struct tally *t, struct store_tx *tx, cJSON *arr,
			bool json)
{
	struct affiliate a;
	struct buf amount;
	size_t i;

	if (!json)
		printf("\nwould earn:\n");
	for (i = 0; i < t->n; i++) {
		const struct earner *e = &t->e[i];
		int found = store_affiliate_get(tx, e->affiliate_id, &a, NULL);
		cJSON *j;

		if (json) {
			j = cJSON_CreateObject();
			json_add_int(j, "affiliate_id", e->affiliate_id);
			json_add_str(j, "name", found == 1 ? a.name : "");
			json_add_int(j, "orders", e->orders);
			json_add_int(j, "commission", e->amount);
			json_add_str(j, "currency", e->currency);
			cJSON_AddItemToArray(arr, j);
		} else {
			buf_init(&amount, 64);
			if (money_format(&amount, e->amount,
					 money_exponent(e->currency)) < 0)
				buf_reset(&amount);
			printf("  affiliate %-5lld %-24s %4lld orders %10s "
			       "%s\n",
			       (long long)e->affiliate_id,
			       found == 1 ? a.name : "", (long long)e->orders,
			       buf_str(&amount), e->currency);
			buf_release(&amount);
		}
		if (found == 1)
			affiliate_release(&a);
	}
}

static int run(struct store_tx *tx, const struct program *p,
	       const struct orders_file *f, const enum signal_kind *precedence,
	       bool json, struct buf *err)
{
	struct pipeline_opts opts = {p->id, precedence};
	struct pipeline_outcome out;
	struct tally t = {NULL, 0};
	cJSON *doc = cJSON_CreateObject();
	cJSON *orders = cJSON_AddArrayToObject(doc, "orders");
	size_t i;
	int rc = 0;

	json_add_int(doc, "program", p->id);
	cJSON_AddBoolToObject(doc, "dry_run", true);
	for (i = 0; rc == 0 && i < f->n; i++) {
		rc = pipeline_process_order(tx, p->shop_id, &f->items[i], &opts,
					    &out, err);
		if (rc < 0) {
			error_prefix(err, "order %s", f->items[i].id);
			break;
		}
		show_order(&f->items[i], &out, tx, orders, json);
		if (out.affiliate_id && out.commission_id)
			tally_add(&t, out.affiliate_id, f->items[i].currency,
				  out.accrued - out.reversed);
	}
	if (rc == 0) {
		show_totals(&t, tx, cJSON_AddArrayToObject(doc, "affiliates"),
			    json);
		if (json) {
			rc = cli_print_json(doc) == EXIT_OK ? 0 : -1;
			doc = NULL;
		} else {
			printf("\ndry run: nothing was booked\n");
		}
	}
	cJSON_Delete(doc);
	free(t.e);
	return rc;
}

int cmd_simulate(int argc, char **argv)
{
	const char *program_arg = NULL, *file = NULL;
	bool json = false;
	const struct cli_opt opts[] = {{"program", CLI_STRING, &program_arg},
				       {"orders", CLI_STRING, &file},
				       {"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	struct orders_file f = {NULL, 0};
	enum signal_kind order[SIGNAL__COUNT];
	struct cli_session s;
	struct program p;
	int64_t id;
	int rc = cli_parse(argc, argv, opts, NULL, 0, &simulate_cmd);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if ((rc = cli_parse_id(&simulate_cmd, "--program", program_arg, &id)))
		return rc;
	if (!file)
		return cli_usage_error(&simulate_cmd, "--orders is required");
	rc = EXIT_FAIL;
	if (cli_session_open(&s, true) < 0)
		goto out;
	if (read_orders(file, &f, &s.err) < 0) {
		cli_fail("simulate", &s.err);
		goto out;
	}
	signal_precedence_parse(config_get(&s.cfg, CFG_ATTRIBUTION_PRECEDENCE),
				order, NULL);
	switch (store_program_get(s.tx, id, &p, &s.err)) {
	case 1:
		if (run(s.tx, &p, &f, order, json, &s.err) == 0)
			rc = EXIT_OK;
		else
			cli_fail("simulate", &s.err);
		program_release(&p);
		break;
	case 0:
		fprintf(stderr, "affiliated: simulate: no program %lld\n",
			(long long)id);
		break;
	default:
		cli_fail("simulate", &s.err);
	}
out:
	/* A dry run: closing abandons whatever the pipeline wrote. */
	cli_session_close(&s);
	orders_file_release(&f);
	return rc;
}
