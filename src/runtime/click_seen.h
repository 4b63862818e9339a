/*
 * The first click of each recent visit (an affiliate's code followed
 * from one address), so that repeats within [clicks] window get its id
 * without a read of the store. Bounded: a fixed table of sets, where a
 * new visit replaces the oldest one of its set; a visit forgotten that
 * way counts again if repeated, which takes more distinct visits inside
 * one window than the table holds. Not locked: its owner serialises.
 */
#ifndef AFFILIATED_CLICK_SEEN_H
#define AFFILIATED_CLICK_SEEN_H

#include <stdint.h>

struct click_seen;

struct click_seen *click_seen_new(void);
/* Accepts NULL. */
void click_seen_free(struct click_seen *cs);
/*
 * The id of the visit of affiliate_id from ip_hash that began at or
 * after since: 1 with *id set, 0 none.
 */
int click_seen_find(struct click_seen *cs, int64_t affiliate_id,
		    const char *ip_hash, int64_t since, int64_t *id);
/*
 * Remembers click id as the start of a visit, in place of the oldest
 * visit of its set when the set is full (unless the click is older than
 * all of them, as when loading the store's newest clicks first).
 */
void click_seen_note(struct click_seen *cs, int64_t affiliate_id,
		     const char *ip_hash, int64_t created_at, int64_t id);
/* How many visits the table can hold. */
int64_t click_seen_capacity(void);

#endif
