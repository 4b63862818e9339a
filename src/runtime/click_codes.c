#include "runtime/click_codes.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct entry {
	char *code;
	char *landing_url;
	char *platform;
	char *domain;
	int64_t affiliate_id, shop_id, program_id, window_days;
	bool counted;
	size_t next; /* index + 1 of the next entry in the bucket, 0: none */
};

struct table {
	struct entry *v;
	size_t n, cap;
	size_t *bucket; /* index + 1 of the first entry; nbuckets a power of 2
			 */
	size_t nbuckets;
};

struct click_codes {
	pthread_rwlock_t lock;
	struct table t;
};

/* FNV-1a over the ASCII-folded code, matching SQLite's NOCASE. */
static size_t code_hash(const char *code)
{
	uint64_t h = 14695981039346656037u;

	for (; *code; code++)
		h = (h ^ (unsigned char)tolower((unsigned char)*code)) *
		    1099511628211u;
	return (size_t)h;
}

static void table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].code);
		free(t->v[i].landing_url);
		free(t->v[i].platform);
		free(t->v[i].domain);
	}
	free(t->v);
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}

static const struct entry *table_find(const struct table *t, const char *code)
{
	size_t i;

	if (!t->nbuckets)
		return NULL;
	for (i = t->bucket[code_hash(code) & (t->nbuckets - 1)]; i;
	     i = t->v[i - 1].next)
		if (strcasecmp(t->v[i - 1].code, code) == 0)
			return &t->v[i - 1];
	return NULL;
}

static int add_target(void *ctx, const struct click_target *ct)
{
	struct table *t = ctx;
	struct entry *e;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	e = &t->v[t->n++];
	e->code = xstrdup(ct->code);
	e->landing_url = xstrdup(ct->landing_url);
	e->platform = xstrdup(ct->platform);
	e->domain = xstrdup(ct->domain);
	e->affiliate_id = ct->affiliate_id;
	e->shop_id = ct->shop_id;
	e->program_id = ct->program_id;
	e->window_days = ct->window_days;
	e->counted = ct->counted;
	e->next = 0;
	return 0;
}

/*
 * Builds the buckets once every entry is in, dropping a later entry for
 * a code already seen: the store answers the oldest affiliate when two
 * shops share a code, and so does the table.
 */
static void table_index(struct table *t)
{
	struct table seen = {0};
	size_t i, kept = 0;

	seen.v = t->v;
	seen.nbuckets = 16;
	while (seen.nbuckets < 2 * t->n)
		seen.nbuckets *= 2;
	seen.bucket = xcalloc(seen.nbuckets, sizeof(*seen.bucket));
	for (i = 0; i < t->n; i++) {
		struct entry e = t->v[i];
		size_t b = code_hash(e.code) & (seen.nbuckets - 1);

		if (table_find(&seen, e.code)) {
			free(e.code);
			free(e.landing_url);
			free(e.platform);
			free(e.domain);
			continue;
		}
		e.next = seen.bucket[b];
		t->v[kept] = e;
		seen.bucket[b] = ++kept;
	}
	t->n = kept;
	t->bucket = seen.bucket;
	t->nbuckets = seen.nbuckets;
}

struct click_codes *click_codes_new(void)
{
	struct click_codes *cc = xcalloc(1, sizeof(*cc));

	pthread_rwlock_init(&cc->lock, NULL);
	return cc;
}

void click_codes_free(struct click_codes *cc)
{
	if (!cc)
		return;
	table_release(&cc->t);
	pthread_rwlock_destroy(&cc->lock);
	free(cc);
}

int click_codes_load(struct click_codes *cc, struct store *st, struct buf *err)
{
	struct table fresh = {0}, old;
	struct store_tx *tx;
	int rc;

	if (store_read_begin(st, &tx, err) < 0)
		return -1;
	rc = store_click_targets_each(tx, add_target, &fresh, err);
	store_tx_rollback(tx);
	if (rc < 0) {
		table_release(&fresh);
		return -1;
	}
	table_index(&fresh);
	pthread_rwlock_wrlock(&cc->lock);
	old = cc->t;
	cc->t = fresh;
	pthread_rwlock_unlock(&cc->lock);
	table_release(&old);
	return 0;
}

int click_codes_find(struct click_codes *cc, const char *code,
		     struct click_target *out)
{
	const struct entry *e;
	int found = 0;

	pthread_rwlock_rdlock(&cc->lock);
	e = table_find(&cc->t, code);
	if (e) {
		memset(out, 0, sizeof(*out));
		out->affiliate_id = e->affiliate_id;
		out->shop_id = e->shop_id;
		out->program_id = e->program_id;
		out->counted = e->counted;
		out->window_days = e->window_days;
		snprintf(out->code, sizeof(out->code), "%s", e->code);
		snprintf(out->landing_url, sizeof(out->landing_url), "%s",
			 e->landing_url);
		snprintf(out->platform, sizeof(out->platform), "%s",
			 e->platform);
		snprintf(out->domain, sizeof(out->domain), "%s", e->domain);
		found = 1;
	}
	pthread_rwlock_unlock(&cc->lock);
	return found;
}

size_t click_codes_count(struct click_codes *cc)
{
	size_t n;

	pthread_rwlock_rdlock(&cc->lock);
	n = cc->t.n;
	pthread_rwlock_unlock(&cc->lock);
	return n;
}
