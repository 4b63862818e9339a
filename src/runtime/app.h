/*
 * What a running daemon holds, handed to every HTTP handler and thread.
 * Owned by daemon.c; handlers only borrow it.
 */
#ifndef AFFILIATED_APP_H
#define AFFILIATED_APP_H

#include "attribution.h"
#include "config.h"
#include "platform.h"

#include <stdatomic.h>
#include <stdbool.h>

struct store;
struct committer;
struct reward_sender;
struct email_sender;
struct webhook_secrets;
struct click_queue;

struct app {
	struct config *cfg;
	struct store *store;
	struct platform_set platforms;
	struct committer *committer;  /* group commit of request writes */
	struct reward_sender *sender; /* issues rewards on the platforms */
	struct email_sender *emails;  /* sends reward emails, if [smtp] */
	/* shops' own webhook secrets (custom apps), reloaded each second */
	struct webhook_secrets *webhook_secrets;
	/* clicks queued for the store, ids and the code table in memory */
	struct click_queue *clicks;
	atomic_bool stopping; /* set once shutdown has begun */
	/* [attribution] precedence, parsed once at start */
	enum signal_kind precedence[SIGNAL__COUNT];
};

#endif
