#include "cli/cli.h"
#include "model/model.h"
#include "util/seal.h"
#include "store/store.h"
#include "store/store_shops.h"
#include "util/json.h"
#include "util/parse.h"

#include "util/xalloc.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *cli_config_flag;

void cli_usage(const struct cli_cmd *cmd, FILE *out)
{
	fprintf(out, "usage: affiliated %s\n\n%s\n", cmd->usage, cmd->summary);
	fprintf(out,
		"\ncommon options:\n"
		"  --config FILE  configuration (default: "
		"$AFFILIATED_CONFIG, config/affiliated.conf, the example)\n"
		"  --help         this text\n");
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("affiliated: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (usage: affiliated %s)\n", cmd->usage);
	return EXIT_USAGE;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts,
				      const char *name, size_t len)
{
	for (; opts && opts->name; opts++)
		if (strlen(opts->name) == len &&
		    strncmp(opts->name, name, len) == 0)
			return opts;
	return NULL;
}

static int take_value(const struct cli_opt *o, const char *value)
{
	struct cli_list *list;

	switch (o->kind) {
	case CLI_STRING:
		*(const char **)o->target = value;
		break;
	case CLI_LIST:
		list = o->target;
		if (list->n == 64)
			return -1;
		list->items[list->n++] = value;
		break;
	case CLI_FLAG:
		*(bool *)o->target = true;
		break;
	}
	return 0;
}

/* Handles one "--name[=value]" at argv[*i]; returns 0, 1 (help) or 2. */
static int parse_long(int argc, char **argv, int *i, const struct cli_opt *opts,
		      const struct cli_cmd *cmd)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct cli_opt *o = find_opt(opts, arg, len);
	const char *value = eq ? eq + 1 : NULL;
	bool is_config = len == 6 && strncmp(arg, "config", 6) == 0;

	if (len == 4 && strncmp(arg, "help", 4) == 0) {
		cli_usage(cmd, stdout);
		return 1;
	}
	if (!o && !is_config)
		return cli_usage_error(cmd, "unknown option '--%.*s'", (int)len,
				       arg);
	if (o && o->kind == CLI_FLAG) {
		if (value)
			return cli_usage_error(
				cmd, "option '--%s' takes no value", o->name);
		return take_value(o, NULL) < 0 ? EXIT_USAGE : 0;
	}
	if (!value) {
		if (*i + 1 >= argc)
			return cli_usage_error(cmd,
					       "option '--%.*s' needs a value",
					       (int)len, arg);
		value = argv[++*i];
	}
	if (is_config) {
		cli_config_flag = value;
		return 0;
	}
	if (take_value(o, value) < 0)
		return cli_usage_error(cmd, "too many '--%s' options", o->name);
	return 0;
}

int cli_parse(int argc, char **argv, const struct cli_opt *opts,
	      const char **pos, int max_pos, const struct cli_cmd *cmd)
{
	int i, npos = 0, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strncmp(argv[i], "--", 2) == 0) {
			rc = parse_long(argc, argv, &i, opts, cmd);
			if (rc)
				return rc;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error(cmd, "unknown option '%s'",
					       argv[i]);
		if (npos == max_pos)
			return cli_usage_error(cmd, "unexpected argument '%s'",
					       argv[i]);
		pos[npos++] = argv[i];
	}
	for (; i < argc; i++) {
		if (npos == max_pos)
			return cli_usage_error(cmd, "unexpected argument '%s'",
					       argv[i]);
		pos[npos++] = argv[i];
	}
	return 0;
}

int cli_fail(const char *what, const struct buf *why)
{
	fprintf(stderr, "affiliated: %s: %s\n", what, buf_str(why));
	return EXIT_FAIL;
}

int cli_load_config(struct config *cfg)
{
	struct buf err;
	int rc;

	buf_init(&err, BUF_SMALL);
	rc = config_load(cfg, config_default_path(cli_config_flag), &err);
	if (rc < 0)
		cli_fail("config", &err);
	buf_release(&err);
	return rc;
}

int cli_dispatch(int argc, char **argv, const struct cli_cmd *verbs,
		 const char *family)
{
	const struct cli_cmd *v;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		FILE *out = argc < 2 ? stderr : stdout;

		fprintf(out, "usage: affiliated %s <verb> [options]\n\n",
			family);
		for (v = verbs; v->name; v++)
			fprintf(out, "  %-44s %s\n", v->usage, v->summary);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (v = verbs; v->name; v++)
		if (strcmp(v->name, argv[1]) == 0)
			return v->fn(argc - 1, argv + 1);
	fprintf(stderr,
		"affiliated: unknown verb '%s' for '%s' (see 'affiliated %s "
		"--help')\n",
		argv[1], family, family);
	return EXIT_USAGE;
}

struct store *cli_open_store(const struct config *cfg)
{
	struct store *st;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	st = store_open(config_get(cfg, CFG_STORE_PATH),
			STORE_CREATE | STORE_MIGRATE, &err);
	if (!st) {
		cli_fail("store", &err);
	} else if (!seal_ready() &&
		   seal_open(config_get(cfg, CFG_SECURITY_KEY_FILE), true,
			     &err) < 0) {
		cli_fail("security", &err);
		store_close(st);
		st = NULL;
	}
	buf_release(&err);
	return st;
}

struct shop_search {
	const char *arg;
	int64_t id;
	struct shop *out;
	int found;
};

static int shop_match(void *ctx, const struct shop *s)
{
	struct shop_search *q = ctx;

	if (q->found || (s->id != q->id && strcmp(s->domain, q->arg) != 0))
		return 0;
	q->out->id = s->id;
	q->out->platform = xstrdup(s->platform);
	q->out->domain = xstrdup(s->domain);
	q->out->name = xstrdup(s->name);
	q->out->currency = xstrdup(s->currency);
	q->out->status = xstrdup(s->status);
	q->out->scopes = xstrdup(s->scopes);
	q->out->installed_at = s->installed_at;
	q->found = 1;
	return 1;
}

int cli_find_shop(struct store *st, const char *arg, struct shop *out)
{
	struct shop_search q = {arg, -1, out, 0};
	struct store_tx *tx;
	struct buf err;
	uint64_t id;
	int rc = -1;

	buf_init(&err, BUF_SMALL);
	if (parse_uint_str(arg, INT64_MAX, &id) == 0)
		q.id = (int64_t)id;
	memset(out, 0, sizeof(*out));
	if (store_read_begin(st, &tx, &err) < 0 ||
	    store_shop_each(tx, shop_match, &q, &err) < 0) {
		if (tx)
			store_tx_rollback(tx);
		cli_fail("shops", &err);
	} else {
		store_tx_rollback(tx);
		if (q.found)
			rc = 0;
		else
			fprintf(stderr,
				"affiliated: shop '%s': no such shop (see "
				"'affiliated shops list')\n",
				arg);
	}
	buf_release(&err);
	return rc;
}

int cli_parse_id(const struct cli_cmd *cmd, const char *what, const char *arg,
		 int64_t *id)
{
	uint64_t v;

	if (!arg)
		return cli_usage_error(cmd, "%s is required", what);
	if (parse_uint_str(arg, INT64_MAX, &v) < 0 || v == 0)
		return cli_usage_error(cmd, "%s '%s' is not a positive number",
				       what, arg);
	*id = (int64_t)v;
	return 0;
}

int cli_read_secret(const char *what, const char *path, struct buf *out)
{
	bool from_stdin = strcmp(path, "-") == 0;
	FILE *f = from_stdin ? stdin : fopen(path, "r");
	const char *name = from_stdin ? "standard input" : path;
	char line[4096];
	size_t n = 0;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "affiliated: %s: cannot open %s: %s\n", what,
			path, strerror(errno));
		return -1;
	}
	if (fgets(line, sizeof(line), f))
		n = strcspn(line, "\r\n");
	if (!from_stdin)
		fclose(f);
	line[n] = '\0';
	if (n == 0) {
		fprintf(stderr,
			"affiliated: %s: %s has no secret on its first "
			"line\n",
			what, name);
		rc = -1;
	} else if (buf_puts(out, line) < 0) {
		fprintf(stderr,
			"affiliated: %s: the secret in %s is too long\n", what,
			name);
		rc = -1;
	}
	OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

int cli_session_open(struct cli_session *s, bool write)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->err, BUF_SMALL);
	if (cli_load_config(&s->cfg) < 0)
		return -1;
	s->have_cfg = true;
	if (!(s->st = cli_open_store(&s->cfg)))
		return -1;
	if ((write ? store_tx_begin(s->st, &s->tx, &s->err)
		   : store_read_begin(s->st, &s->tx, &s->err)) < 0) {
		s->tx = NULL;
		cli_fail("store", &s->err);
		return -1;
	}
	return 0;
}

void cli_session_close(struct cli_session *s)
{
	store_tx_abandon(&s->tx);
	store_close(s->st);
	if (s->have_cfg)
		config_release(&s->cfg);
	buf_release(&s->err);
}

int cli_print_json(void *tree)
{
	struct buf out;
	int rc;

	buf_init(&out, BUF_LARGE);
	rc = json_print(&out, tree);
	if (rc == 0)
		printf("%s\n", buf_str(&out));
	buf_release(&out);
	cJSON_Delete(tree);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}
