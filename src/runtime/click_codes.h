/*
 * The referral codes of every affiliate with where their links lead,
 * held in memory so that /r/<code> is answered without a read of the
 * store. The click queue's thread reloads the table each second, which
 * is how a new code, a paused affiliate or a changed landing page
 * reaches the links; a code not (yet) in the table is looked up in the
 * store by the page, so a link works as soon as its affiliate exists.
 */
#ifndef AFFILIATED_CLICK_CODES_H
#define AFFILIATED_CLICK_CODES_H

#include "store/store.h"
#include "store/store_reports.h"
#include "util/buf.h"

struct click_codes;

struct click_codes *click_codes_new(void);
/* Frees the table; accepts NULL. */
void click_codes_free(struct click_codes *cc);
/* Reads every code from the store and swaps the table in whole; on an
 * error the old table stays. */
int click_codes_load(struct click_codes *cc, struct store *st, struct buf *err);
/* Copies the target of code (compared case-insensitively, as the store
 * does) into out: 1 found, 0 not in the table. */
int click_codes_find(struct click_codes *cc, const char *code,
		     struct click_target *out);
/* How many codes the table holds. */
size_t click_codes_count(struct click_codes *cc);

#endif
