/* `affiliated migrate`: applies the pending migrations of the store. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store.h"

#include <stdio.h>

static const struct cli_cmd migrate_cmd = {
	"migrate", cmd_migrate, "migrate [--config FILE]",
	"Applies pending database migrations and exits."};

int cmd_migrate(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	struct buf err;
	int rc, before = 0, applied = 0;

	rc = cli_parse(argc, argv, NULL, NULL, 0, &migrate_cmd);
	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (cli_load_config(&cfg) < 0)
		return EXIT_FAIL;
	buf_init(&err, BUF_SMALL);
	rc = EXIT_FAIL;
	st = store_open(config_get(&cfg, CFG_STORE_PATH),
			STORE_CREATE | STORE_OLD_OK, &err);
	if (!st || store_schema_version(st, &before, &err) < 0 ||
	    store_migrate(st, &applied, &err) < 0) {
		cli_fail("migrate", &err);
	} else {
		printf("database %s: schema version %d -> %d (%d applied)\n",
		       config_get(&cfg, CFG_STORE_PATH), before,
		       store_schema_latest(), applied);
		rc = EXIT_OK;
	}
	store_close(st);
	buf_release(&err);
	config_release(&cfg);
	return rc;
}
