/* The affiliated command: a table of subcommands (git's commands[]). */
#include "cli/cli.h"
#include "cli/commands.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef AFFILIATED_VERSION
#define AFFILIATED_VERSION "0.0.0"
#endif

/*
 * Read by jemalloc when the release build links it; ignored by any other
 * allocator. Two arenas rather than four per core, and memory freed
 * after a burst goes back to the system within a second, not ten: with
 * the store's page caches this keeps a daemon with one thread per
 * connection under 40 MiB resident at full webhook load (scripts/bench).
 */
const char *malloc_conf = "narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0";

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct cli_cmd commands[] = {
	{"serve", cmd_serve, "serve", "run the daemon"},
	{"migrate", cmd_migrate, "migrate", "apply database migrations"},
	{"check-config", cmd_check_config, "check-config",
	 "validate and print the configuration"},
	{"shops", cmd_shops, "shops", "add and list shops"},
	{"programs", cmd_programs, "programs", "add, list and show programs"},
	{"affiliates", cmd_affiliates, "affiliates",
	 "add, list, show and disable affiliates"},
	{"orders", cmd_orders, "orders",
	 "orders seen, with who was credited and why"},
	{"commissions", cmd_commissions, "commissions",
	 "list commissions, approve held ones"},
	{"ledger", cmd_ledger, "ledger",
	 "entries and balances, hash-chain check, payouts"},
	{"rewards", cmd_rewards, "rewards", "the reward outbox"},
	{"simulate", cmd_simulate, "simulate",
	 "dry run of a program over past orders"},
	{"reconcile", cmd_reconcile, "reconcile",
	 "fetch orders no webhook delivered"},
	{"privacy", cmd_privacy, "privacy", "privacy requests received"},
	{"deliveries", cmd_deliveries, "deliveries",
	 "webhook deliveries: list them, replay a failed one"},
	{"admin-link", cmd_admin_link, "admin-link --shop S",
	 "print a single-use merchant sign-in URL"},
	{"version", cmd_version, "version", "print the version"},
	{"help", cmd_help, "help", "list the commands"},
	{NULL, NULL, NULL, NULL},
};

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("affiliated %s\n", AFFILIATED_VERSION);
	return EXIT_OK;
}

static void list_commands(FILE *out)
{
	const struct cli_cmd *c;

	fprintf(out, "usage: affiliated <command> [options]\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(out, "  %-14s %s\n", c->name, c->summary);
	fprintf(out, "\n'affiliated <command> --help' tells more. Every "
		     "command takes --config FILE.\n");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	list_commands(stdout);
	return EXIT_OK;
}

static void *cjson_malloc(size_t n)
{
	return xmalloc(n);
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;
	cJSON_Hooks hooks = {cjson_malloc, free};

	/*
	 * The database, its -wal and -shm, the key and the exports hold
	 * emails, password hashes and reward codes: whatever we create is
	 * ours alone, whatever umask we were started with.
	 */
	umask(077);
	cJSON_InitHooks(&hooks);
	if (argc < 2) {
		list_commands(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc, argv);
	if (strcmp(argv[1], "--help") == 0)
		return cmd_help(argc, argv);
	for (c = commands; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr,
		"affiliated: unknown command '%s' (see 'affiliated help')\n",
		argv[1]);
	return EXIT_USAGE;
}
