/*
 * `affiliated admin-link --shop S` prints <public_url>/admin/signin?token=T
 * for an operator without a platform admin (a custom app, a test store).
 * The link works once, for ten minutes; the database keeps only the
 * token's SHA-256.
 */
#include "cli/commands.h"
#include "cli/cli.h"
#include "http/session.h"
#include "model/model.h"

#include <stdio.h>
#include <string.h>

static const struct cli_cmd link_cmd = {
	"admin-link", cmd_admin_link, "admin-link --shop S [--config FILE]",
	"Prints a sign-in URL for the merchant admin of shop S (id or\n"
	"domain). It works once and expires after 10 minutes."};

int cmd_admin_link(int argc, char **argv)
{
	const char *shop_arg = NULL, *base;
	const struct cli_opt opts[] = {
		{"shop", CLI_STRING, &shop_arg},
		{NULL, CLI_FLAG, NULL},
	};
	struct cli_session s;
	struct shop shop;
	struct buf token;
	int rc;

	rc = cli_parse(argc, argv, opts, NULL, 0, &link_cmd);
	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (!shop_arg)
		return cli_usage_error(&link_cmd, "--shop is required");
	rc = EXIT_FAIL;
	buf_init(&token, 128);
	if (cli_session_open(&s, true) == 0 &&
	    cli_find_shop(s.st, shop_arg, &shop) == 0) {
		if (signin_link_issue(s.tx, shop.id, &token, &s.err) < 0 ||
		    store_tx_finish(&s.tx, &s.err) < 0) {
			cli_fail("admin-link", &s.err);
		} else {
			base = config_get(&s.cfg, CFG_SERVER_PUBLIC_URL);
			printf("%.*s/admin/signin?token=%s\n",
			       (int)(strlen(base) -
				     (base[0] &&
				      base[strlen(base) - 1] == '/')),
			       base, buf_str(&token));
			rc = EXIT_OK;
		}
		shop_release(&shop);
	}
	buf_release(&token);
	cli_session_close(&s);
	return rc;
}
