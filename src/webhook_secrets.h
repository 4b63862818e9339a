/*
 * The webhook signing secrets of shops that have their own (custom apps),
 * unsealed and held in memory: a delivery that fails the app's secret is
 * checked against its shop's secret without a read of the store, so that
 * a flood of bad signatures costs no more than before. The daemon loads
 * the table at start and again every second, which is how a secret set
 * with `affiliated shops add --secret` reaches a running daemon.
 */
#ifndef AFFILIATED_WEBHOOK_SECRETS_H
#define AFFILIATED_WEBHOOK_SECRETS_H

#include "store/store.h"
#include "util/buf.h"

struct webhook_secrets;

struct webhook_secrets *webhook_secrets_new(void);
void webhook_secrets_free(struct webhook_secrets *ws);
/*
 * Reads every shop's secret from the store and swaps the table in whole.
 * On an error the old table stays. A secret that does not unseal is left
 * out and logged: its deliveries fail as they would without it.
 */
int webhook_secrets_load(struct webhook_secrets *ws, struct store *st,
			 struct buf *err);
/* Copies the secret of platform's shop into out: 1 found, 0 none. */
int webhook_secrets_find(struct webhook_secrets *ws, const char *platform,
			 const char *shop, struct buf *out);

#endif
