/* `affiliated rewards list|retry|cancel`: the reward outbox. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/model_json.h"
#include "store/store_outbox.h"
#include "util/parse.h"

#include <stdio.h>
#include <string.h>

static int rewards_list(int argc, char **argv);
static int rewards_retry(int argc, char **argv);
static int rewards_cancel(int argc, char **argv);

static const struct cli_cmd reward_verbs[] = {
	{"list", rewards_list,
	 "rewards list [--status pending|sending|issued|failed|cancelled] "
	 "[--affiliate ID] [--json]",
	 "rewards with their status, code and last error"},
	{"retry", rewards_retry, "rewards retry ID",
	 "puts a failed reward back in the queue"},
	{"cancel", rewards_cancel, "rewards cancel ID",
	 "cancels a reward that was not issued"},
	{NULL, NULL, NULL, NULL},
};

int cmd_rewards(int argc, char **argv)
{
	return cli_dispatch(argc, argv, reward_verbs, "rewards");
}

struct list_ctx {
	bool json;
	cJSON *arr;
};

static int list_reward(void *ctx, const struct reward *r)
{
	struct list_ctx *l = ctx;

	if (l->json) {
		cJSON_AddItemToArray(l->arr, reward_json(r));
		return 0;
	}
	printf("%-6lld %-11s %-9s %8lld %s %-9s %-18s attempts %lld %s\n",
	       (long long)r->id, r->purpose, r->kind, (long long)r->value,
	       strcmp(r->value_type, "percent") == 0 ? "bps" : r->currency,
	       reward_status_str(r->status), r->code, (long long)r->attempts,
	       r->last_error);
	return 0;
}

static int rewards_list(int argc, char **argv)
{
	const char *status_arg = NULL, *aff_arg = NULL;
	bool json = false;
	const struct cli_opt opts[] = {{"status", CLI_STRING, &status_arg},
				       {"affiliate", CLI_STRING, &aff_arg},
				       {"json", CLI_FLAG, &json},
				       {NULL, CLI_FLAG, NULL}};
	enum reward_status status = REWARD_STATUS__COUNT;
	struct list_ctx l = {false, NULL};
	struct cli_session s;
	int64_t aff = 0;
	int rc = cli_parse(argc, argv, opts, NULL, 0, &reward_verbs[0]);

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (status_arg && reward_status_parse(status_arg, &status) < 0)
		return cli_usage_error(&reward_verbs[0],
				       "--status '%s' is not pending, sending, "
				       "issued, failed or cancelled",
				       status_arg);
	if (aff_arg &&
	    (rc = cli_parse_id(&reward_verbs[0], "--affiliate", aff_arg, &aff)))
		return rc;
	rc = EXIT_FAIL;
	l.json = json;
	l.arr = cJSON_CreateArray();
	if (cli_session_open(&s, false) == 0)
		rc = store_reward_each(s.tx, status, aff, list_reward, &l,
				       &s.err) < 0
			     ? cli_fail("rewards list", &s.err)
			     : EXIT_OK;
	cli_session_close(&s);
	if (rc == EXIT_OK && json)
		rc = cli_print_json(l.arr);
	else
		cJSON_Delete(l.arr);
	return rc;
}

/* retry and cancel: one id, one state change, one line of output. */
static int change(int argc, char **argv, const struct cli_cmd *cmd, bool retry)
{
	const char *pos[1] = {NULL};
	struct cli_session s;
	struct reward r;
	int64_t id;
	int rc = cli_parse(argc, argv, NULL, pos, 1, cmd), done = -1;

	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if ((rc = cli_parse_id(cmd, "reward ID", pos[0], &id)))
		return rc;
	rc = EXIT_FAIL;
	if (cli_session_open(&s, true) < 0)
		goto out;
	if (store_reward_get(s.tx, id, &r, &s.err) != 1) {
		if (!s.err.len)
			errorf(&s.err, "no reward %lld", (long long)id);
		cli_fail(cmd->name, &s.err);
		goto out;
	}
	done = retry ? store_reward_retry(s.tx, id, &s.err)
		     : store_reward_cancel(s.tx, id,
					   "cancelled by the operator", &s.err);
	if (done < 0 || store_tx_finish(&s.tx, &s.err) < 0) {
		cli_fail(cmd->name, &s.err);
	} else if (done == 0) {
		fprintf(stderr,
			"affiliated: reward %lld is %s: only %s rewards can "
			"be %s\n",
			(long long)id, reward_status_str(r.status),
			retry ? "failed" : "pending or failed",
			retry ? "retried" : "cancelled");
	} else {
		printf("reward %lld %s\n", (long long)id,
		       retry ? "queued again" : "cancelled");
		rc = EXIT_OK;
	}
out:
	cli_session_close(&s);
	return rc;
}

static int rewards_retry(int argc, char **argv)
{
	return change(argc, argv, &reward_verbs[1], true);
}

static int rewards_cancel(int argc, char **argv)
{
	return change(argc, argv, &reward_verbs[2], false);
}
