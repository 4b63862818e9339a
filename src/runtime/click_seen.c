#include "runtime/click_seen.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 32768 visits in about 3 MB. */
enum { SEEN_SETS = 8192, SEEN_WAYS = 4 };

struct visit {
	int64_t affiliate_id; /* 0: empty */
	int64_t created_at;
	int64_t id;
	char ip_hash[65];
};

struct click_seen {
	struct visit set[SEEN_SETS][SEEN_WAYS];
};

static struct visit *set_of(struct click_seen *cs, int64_t affiliate_id,
			    const char *ip_hash)
{
	uint64_t h = 14695981039346656037u ^ (uint64_t)affiliate_id;
	const char *c;

	for (c = ip_hash; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211u;
	return cs->set[h % SEEN_SETS];
}

struct click_seen *click_seen_new(void)
{
	return xcalloc(1, sizeof(struct click_seen));
}

void click_seen_free(struct click_seen *cs)
{
	free(cs);
}

int click_seen_find(struct click_seen *cs, int64_t affiliate_id,
		    const char *ip_hash, int64_t since, int64_t *id)
{
	const struct visit *v = set_of(cs, affiliate_id, ip_hash);
	int i;

	for (i = 0; i < SEEN_WAYS; i++)
		if (v[i].affiliate_id == affiliate_id &&
		    v[i].created_at >= since &&
		    strcmp(v[i].ip_hash, ip_hash) == 0) {
			*id = v[i].id;
			return 1;
		}
	return 0;
}

void click_seen_note(struct click_seen *cs, int64_t affiliate_id,
		     const char *ip_hash, int64_t created_at, int64_t id)
{
	struct visit *v = set_of(cs, affiliate_id, ip_hash), *victim = v;
	int i;

	for (i = 0; i < SEEN_WAYS; i++) {
		if (!v[i].affiliate_id ||
		    (v[i].affiliate_id == affiliate_id &&
		     strcmp(v[i].ip_hash, ip_hash) == 0)) {
			victim = &v[i];
			break;
		}
		if (v[i].created_at < victim->created_at)
			victim = &v[i];
	}
	if (victim->affiliate_id && victim->created_at > created_at)
		return;
	victim->affiliate_id = affiliate_id;
	victim->created_at = created_at;
	victim->id = id;
	snprintf(victim->ip_hash, sizeof(victim->ip_hash), "%s", ip_hash);
}

int64_t click_seen_capacity(void)
{
	return SEEN_SETS * SEEN_WAYS;
}
