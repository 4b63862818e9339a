/*
 * Shared by the subcommands: option parsing with one error style, the
 * config and store every command opens, and exit codes.
 * Errors: one line "affiliated: <what>: <why>" on stderr.
 * Exit codes: 0 ok, 1 failure, 2 bad usage.
 */
#ifndef AFFILIATED_CLI_H
#define AFFILIATED_CLI_H

#include "config.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

enum cli_opt_kind {
	CLI_FLAG,   /* --json: sets *flag */
	CLI_STRING, /* --name VALUE: sets *value (last one wins) */
	CLI_LIST,   /* --coupon VALUE, repeatable: appends to *list */
};

struct cli_list {
	const char **items; /* borrowed from argv */
	int n;
};

struct cli_opt {
	const char *name; /* without the dashes */
	enum cli_opt_kind kind;
	void *target; /* bool *, const char **, or struct cli_list * */
};

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage; /* one line after "affiliated " */
	const char *summary;
};

/*
 * Parses argv[1..] (argv[0] is the command's name) against opts, which
 * ends with a NULL name. "--config FILE" and "--help" are always known.
 * Positional arguments are collected into pos (up to max_pos).
 * Returns 0; 1 when --help was shown (exit 0); 2 after printing a
 * one-line usage error.
 */
int cli_parse(int argc, char **argv, const struct cli_opt *opts,
	      const char **pos, int max_pos, const struct cli_cmd *cmd);
/* Prints the usage of cmd to out. */
void cli_usage(const struct cli_cmd *cmd, FILE *out);

/* The --config value seen by the last cli_parse(), or NULL. */
extern const char *cli_config_flag;

/* Prints "affiliated: what: why" to stderr; returns EXIT_FAIL. */
int cli_fail(const char *what, const struct buf *why);
/* Prints "affiliated: message" with a usage hint; returns EXIT_USAGE. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
	PRINTF_LIKE(2, 3);

/* Loads the configuration a command should use (see config.h). */
int cli_load_config(struct config *cfg);

struct store;
struct store_tx;
struct shop;

/*
 * Opens the store a command works on (creating and migrating it, like the
 * daemon) and the master key; prints the error and returns NULL.
 */
struct store *cli_open_store(const struct config *cfg);
/* Finds a shop by id or domain (any platform); prints the error. */
int cli_find_shop(struct store *st, const char *arg, struct shop *out);
/* Parses a positive id argument; prints a usage error. */
int cli_parse_id(const struct cli_cmd *cmd, const char *what, const char *arg,
		 int64_t *id);
/*
 * A secret given as --x-file PATH ("-": standard input) instead of on the
 * command line, where `ps` shows it: the first line, without its line
 * end, into out. Prints why and returns -1 when it cannot be read or is
 * empty.
 */
int cli_read_secret(const char *what, const char *path, struct buf *out);
/*
 * Config, store and one transaction (read, or write when write is true)
 * for a command. Open prints why it failed; close rolls back whatever was
 * not finished with store_tx_finish(&s->tx) and releases the rest.
 */
struct cli_session {
	struct config cfg;
	struct store *st;
	struct store_tx *tx;
	struct buf err;
	bool have_cfg;
};
int cli_session_open(struct cli_session *s, bool write);
void cli_session_close(struct cli_session *s);
/* Prints a JSON document built with util/json.h and frees it. */
int cli_print_json(void *tree);

/* Runs a family of sub-verbs ("programs add ..."): argv[0] is the family. */
int cli_dispatch(int argc, char **argv, const struct cli_cmd *verbs,
		 const char *family);

#endif
