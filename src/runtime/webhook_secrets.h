/*
 * The shops webhook intake knows, held in memory: each shop's id and
 * whether it is active, by platform and domain, and the webhook signing
 * secret of shops that have their own (custom apps), unsealed. A
 * delivery is verified and its shop found without a read of the store,
 * so that neither a flood of bad signatures nor one of good deliveries
 * waits for SQLite on anything but its own insert. The daemon loads the
 * table at start, after an install, and again every second, which is how
 * a shop or secret added with `affiliated shops add` reaches a running
 * daemon.
 */
#ifndef AFFILIATED_WEBHOOK_SECRETS_H
#define AFFILIATED_WEBHOOK_SECRETS_H

#include "store/store.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

struct webhook_secrets;

struct webhook_secrets *webhook_secrets_new(void);
void webhook_secrets_free(struct webhook_secrets *ws);
/*
 * Reads every shop (and its secret) from the store and swaps the table in
 * whole.
 * On an error the old table stays. A secret that does not unseal is left
 * out and logged: its deliveries fail as they would without it.
 */
int webhook_secrets_load(struct webhook_secrets *ws, struct store *st,
			 struct buf *err);
/* Copies the secret of platform's shop into out: 1 found, 0 none. */
int webhook_secrets_find(struct webhook_secrets *ws, const char *platform,
			 const char *shop, struct buf *out);
/*
 * The shop platform's domain names: 1 known (*id and *active set), 0 not
 * in the table (it may be newer than the last load).
 */
int webhook_secrets_shop(struct webhook_secrets *ws, const char *platform,
			 const char *domain, int64_t *id, bool *active);
/*
 * Marks shop id inactive at once, ahead of the next load: called as its
 * uninstall is written, so that no delivery for it is taken after the
 * uninstall is seen. Should the write not commit, the next load (within
 * a second) restores the entry.
 */
void webhook_secrets_deactivate(struct webhook_secrets *ws, int64_t id);

#endif
