/* `affiliated check-config`: the effective configuration, or what is wrong. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "util/clock.h"

#include <stdio.h>

static const struct cli_cmd check_cmd = {
	"check-config", cmd_check_config, "check-config [--config FILE]",
	"Validates the configuration and prints the effective values, secrets\n"
	"masked."};

int cmd_check_config(int argc, char **argv)
{
	struct config cfg;
	int rc;

	rc = cli_parse(argc, argv, NULL, NULL, 0, &check_cmd);
	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (cli_load_config(&cfg) < 0)
		return EXIT_FAIL;
	config_print(&cfg, stdout);
	config_warnings(&cfg, clock_now(), stderr);
	printf("\n; configuration OK\n");
	config_release(&cfg);
	return EXIT_OK;
}
