/*
 * The webhook subscriptions a shop needs, as the platform holds them: a
 * platform that refuses a topic (Shopify, until the app is approved for
 * protected customer data) or deletes one after failed deliveries would
 * otherwise leave orders unseen and nobody the wiser. The check runs at
 * install, at start and every [server] subscriptions_interval seconds in
 * the daemon, and by hand with `affiliated shops check`; each run records
 * every topic's state for the merchant's pages.
 */
#ifndef AFFILIATED_WEBHOOK_CHECK_H
#define AFFILIATED_WEBHOOK_CHECK_H

#include "config.h"
#include "platform.h"
#include "providers/provider.h"
#include "store/store.h"

struct webhook_check {
	struct topic_check topics[PROVIDER_MAX_TOPICS];
	size_t ntopics;
	bool supported;	      /* false: the platform has no subscription API */
	char token_state[64]; /* ok, expiring, reauth_needed, none */
	/* with supported and a platform failure: why the check stopped */
	char error[256];
};

/*
 * Checks (and with fix, re-creates) shop_id's subscriptions and records
 * what was found. 0 when the check could be made or does not apply (err
 * empty; out->error says when the platform could not be asked), -1 on a
 * failure of ours.
 */
int webhook_check_shop(struct store *st, const struct platform_set *set,
		       const struct config *cfg, int64_t shop_id, bool fix,
		       struct webhook_check *out, struct buf *err);

/*
 * Checks every active shop whose platform subscribes through its API,
 * creating what is missing; logs what it could not do.
 */
void webhook_check_all(struct store *st, const struct platform_set *set,
		       const struct config *cfg);

/* Whether any of the checked topics is missing or refused. */
bool webhook_check_incomplete(const struct webhook_check *c);

#endif
