/*
 * What the browser tests need from the core that the command line may
 * not offer yet: "admin-link" runs the same code as `affiliated
 * admin-link` (cmd_admin_link), so the tests do not depend on the
 * command table.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "admin-link") == 0)
		return cmd_admin_link(argc - 1, argv + 1);
	fprintf(stderr, "usage: browser_helper admin-link --shop S "
			"--config FILE\n");
	return 2;
}
