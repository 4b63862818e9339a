#include "runtime/pacer.h"

#include <string.h>

void pacer_init(struct pacer *p)
{
	memset(p, 0, sizeof(*p));
}

static struct pacer_shop *find(struct pacer *p, int64_t shop_id)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (p->shops[i].shop_id == shop_id)
			return &p->shops[i];
	if (p->n == PACER_SHOPS) {
		/* Forget the oldest: a shop unheard of for long paces afresh.
		 */
		memmove(&p->shops[0], &p->shops[1],
			(PACER_SHOPS - 1) * sizeof(p->shops[0]));
		p->n--;
	}
	memset(&p->shops[p->n], 0, sizeof(p->shops[0]));
	p->shops[p->n].shop_id = shop_id;
	return &p->shops[p->n++];
}

/* The bucket's level now, refilled at the restore rate since the read. */
static int64_t level_milli(const struct pacer_shop *s, uint64_t now_us)
{
	uint64_t elapsed = now_us > s->updated_us ? now_us - s->updated_us : 0;
	int64_t v = s->available_milli + (int64_t)(elapsed / 1000) * s->restore;

	return v > s->capacity * 1000 ? s->capacity * 1000 : v;
}

uint64_t pacer_wait_us(struct pacer *p, int64_t shop_id, uint64_t now_us)
{
	struct pacer_shop *s = find(p, shop_id);
	uint64_t wait = 0;
	int64_t level, need;

	if (s->blocked_until_us > now_us)
		wait = s->blocked_until_us - now_us;
	if (s->capacity <= 0 || s->restore <= 0 || s->cost <= 0)
		return wait;
	level = level_milli(s, now_us);
	need = s->cost * 1000 - level;
	if (need > 0) {
		uint64_t refill = (uint64_t)(need / s->restore) * 1000 + 1000;

		if (refill > wait)
			wait = refill;
	}
	return wait;
}

void pacer_update(struct pacer *p, int64_t shop_id, const struct rate_hint *h,
		  int64_t retry_after_ms, uint64_t now_us)
{
	struct pacer_shop *s = find(p, shop_id);

	if (h && h->capacity > 0) {
		s->capacity = h->capacity;
		s->restore = h->restore;
		s->available_milli = h->available * 1000;
		if (h->cost > 0)
			s->cost = h->cost;
		s->updated_us = now_us;
	}
	if (retry_after_ms > 0)
		s->blocked_until_us = now_us + (uint64_t)retry_after_ms * 1000;
}
