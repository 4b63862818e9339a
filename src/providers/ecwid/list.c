/*
 * Ecwid reconciliation: the orders updated since a time, one page per
 * call, in an order that cannot skip one.
 *
 * Offsets alone skip orders: when an order already read is updated during
 * the pass it leaves its place, everything behind it moves up one, and
 * the first order of the next page is never seen. So the pages are asked
 * for in update order (sortBy=UPDATED_DATE_ASC) and each page starts
 * again from the last update time seen, that second included: an order
 * updated meanwhile can only move to a later time, which is still ahead.
 * The orders of that boundary second already handed over are named in
 * the cursor and passed over, so none is handed over twice in a row.
 *
 * Ecwid documents sortBy for customers, products and subscriptions but
 * not for orders (PLATFORMS.md, end of 1g), so nothing here trusts it:
 * a page that is not in update order is refused rather than read, since
 * paging by time through an unsorted answer would skip orders silently.
 */
#include "providers/ecwid/internal.h"
#include "util/parse.h"

#include <stdio.h>
#include <string.h>

/*
 * Where the next page starts. In cursor->next as "<from> <offset> <ids>":
 * ids is ",id,id," or "-" for none.
 */
struct ecwid_mark {
	int64_t from;	 /* updatedFrom, Unix seconds, inclusive */
	uint64_t offset; /* orders of second `from` passed by offset */
	char ids[900];	 /* ",id,": second `from`, already handed over */
};

/* One item's id and update time; -1 when it has no usable pair. */
static int ecwid_item_key(const cJSON *it, const char **id, int64_t *t)
{
	struct buf ignored;
	bool bad = false;
	const char *stamp, *date;
	int rc = -1;

	buf_init(&ignored, BUF_SMALL);
	*id = ecwid_text(it, "id", &bad, &ignored);
	if (!*id)
		*id = ecwid_text(it, "orderNumber", &bad, &ignored);
	stamp = ecwid_text(it, "updateTimestamp", &bad, &ignored);
	date = ecwid_text(it, "updateDate", &bad, &ignored);
	if (!bad && *id) {
		if (stamp)
			rc = parse_int_str(stamp, INT64_MAX, t);
		else if (date)
			rc = ecwid_parse_date(date, t);
	}
	buf_release(&ignored);
	return rc;
}

/* An id the mark can hold between commas: no comma, space or control. */
static bool ecwid_mark_id_ok(const char *id)
{
	for (const char *p = id; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == ',')
			return false;
	return id[0] != '\0';
}

static bool ecwid_mark_has(const struct ecwid_mark *m, const char *id)
{
	char key[160];
	int n = snprintf(key, sizeof(key), ",%s,", id);

	return n > 0 && (size_t)n < sizeof(key) && strstr(m->ids, key);
}

static int ecwid_mark_read(const char *next, int64_t since,
			   struct ecwid_mark *m, struct buf *err)
{
	const char *p = next;
	size_t n;

	memset(m, 0, sizeof(*m));
	m->from = since < 0 ? 0 : since;
	if (!next[0])
		return 0;
	if (parse_int(&p, INT64_MAX, &m->from) < 0 || !parse_char(&p, ' ') ||
	    parse_uint(&p, UINT32_MAX, &m->offset) < 0 ||
	    !parse_char(&p, ' ') || (n = strlen(p)) >= sizeof(m->ids) ||
	    !(strcmp(p, "-") == 0 ||
	      (n >= 2 && p[0] == ',' && p[n - 1] == ',')))
		return errorf(err, "bad Ecwid orders cursor '%.40s'", next);
	if (p[0] == ',')
		memcpy(m->ids, p, n + 1);
	return 0;
}

static void ecwid_mark_write(const struct ecwid_mark *m,
			     struct order_page_cursor *cursor)
{
	snprintf(cursor->next, sizeof(cursor->next), "%lld %llu %s",
		 (long long)m->from, (unsigned long long)m->offset,
		 m->ids[0] ? m->ids : "-");
}

/*
 * Every item at or after the mark's second, in update order. Items
 * without an id and time are not checked here: they are skipped as
 * unreadable when handed over.
 */
static int ecwid_page_sorted(const cJSON *items, int64_t from, struct buf *err)
{
	const cJSON *it;
	int64_t last = from, t;
	const char *id;

	cJSON_ArrayForEach(it, items)
	{
		if (ecwid_item_key(it, &id, &t) < 0)
			continue;
		if (t < last)
			return errorf(
				err,
				"the Ecwid orders answer is not in update "
				"order (order %.40s at %lld after %lld): "
				"sortBy=UPDATED_DATE_ASC not honoured",
				id, (long long)t, (long long)last);
		last = t;
	}
	return 0;
}

/*
 * Hands each order of a page to fn, but those of the mark's second that
 * the mark names. An order that cannot be read does not stop the page:
 * it is counted in the cursor's skipped, with the first reason. fn
 * failing stops at once. Returns -1 when fn failed, else 0.
 */
static int ecwid_page_orders(const cJSON *items, const struct ecwid_mark *m,
			     const char *cur,
			     int (*fn)(void *ctx, const struct order *o),
			     void *ctx, struct order_page_cursor *cursor,
			     struct buf *err)
{
	struct buf first;
	const cJSON *it;
	size_t bad = 0;
	int rc = 0;

	buf_init(&first, BUF_SMALL);
	cJSON_ArrayForEach(it, items)
	{
		struct order o;
		const char *id;
		int64_t t;

		if (ecwid_item_key(it, &id, &t) == 0 && t == m->from &&
		    ecwid_mark_has(m, id))
			continue;
		order_init(&o);
		if (ecwid_order_from(it, cur, &o, bad ? NULL : &first) < 0) {
			if (!bad)
				error_prefix(&first, "order %s",
					     o.id ? o.id : "without an id");
			bad++;
		} else if (fn(ctx, &o) != 0)
			rc = -1;
		order_release(&o);
		if (rc < 0)
			break;
	}
	if (rc < 0)
		errorf(err, "ecwid orders: the caller refused an order");
	if (bad && !cursor->skipped)
		snprintf(cursor->skip_error, sizeof(cursor->skip_error), "%s",
			 buf_str(&first));
	cursor->skipped += (int64_t)bad;
	buf_release(&first);
	return rc;
}

/*
 * The mark after a page whose last order changed at second t (> the
 * mark's): the page's orders of that second, by id. When they do not fit
 * (or an id cannot be written), by offset, which trusts Ecwid to keep the
 * orders of one second in the same order between two calls.
 */
static void ecwid_mark_at(const cJSON *items, int64_t t,
			  struct ecwid_mark *next)
{
	const cJSON *it;
	size_t len = 1, count = 0;
	bool fits = true;

	next->from = t;
	next->offset = 0;
	memcpy(next->ids, ",", 2);
	cJSON_ArrayForEach(it, items)
	{
		const char *id;
		int64_t at;
		size_t n;

		if (ecwid_item_key(it, &id, &at) < 0 || at != t)
			continue;
		count++;
		n = strlen(id);
		if (!fits || !ecwid_mark_id_ok(id) ||
		    len + n + 1 >= sizeof(next->ids)) {
			fits = false;
			continue;
		}
		memcpy(next->ids + len, id, n);
		len += n;
		memcpy(next->ids + len, ",", 2);
		len++;
	}
	if (!fits) {
		next->ids[0] = '\0';
		next->offset = count;
	}
}

/*
 * Moves the cursor past a page of {total, count, offset, items}: "" once
 * the answer held the last order of the result.
 */
static void ecwid_advance(const cJSON *root, const struct ecwid_mark *m,
			  struct order_page_cursor *cursor)
{
	const cJSON *items = json_get(root, "items");
	int n = cJSON_GetArraySize(items);
	struct ecwid_mark next = *m;
	int64_t total = 0, t = m->from;
	const cJSON *it;
	const char *id;

	cursor->next[0] = '\0';
	if (json_int(root, "total", 0, &total, NULL) < 0 || n <= 0 ||
	    m->offset + (uint64_t)n >= (uint64_t)(total < 0 ? 0 : total))
		return;
	cJSON_ArrayForEach(it, items)
	{
		int64_t at;

		if (ecwid_item_key(it, &id, &at) == 0)
			t = at;
	}
	if (t > m->from)
		ecwid_mark_at(items, t, &next);
	else
		next.offset += (uint64_t)n;
	ecwid_mark_write(&next, cursor);
}

enum provider_status
ecwid_list_orders(const struct provider_env *env, int64_t since,
		  struct order_page_cursor *cursor,
		  int (*fn)(void *ctx, const struct order *o), void *ctx,
		  struct buf *err)
{
	const char *cur = ecwid_shop_currency(env, err);
	char path[192];
	struct ecwid_call c = {"GET", path, NULL, &cursor->retry_after_ms};
	enum provider_status st = PROVIDER_REJECTED;
	struct ecwid_mark m;
	struct http_result r;
	const cJSON *items;
	cJSON *root = NULL;

	cursor->retry_after_ms = 0;
	if (!cur || ecwid_mark_read(cursor->next, since, &m, err) < 0)
		return PROVIDER_REJECTED;
	snprintf(path, sizeof(path),
		 "orders?updatedFrom=%lld&sortBy=UPDATED_DATE_ASC"
		 "&offset=%llu&limit=%d",
		 (long long)m.from, (unsigned long long)m.offset, ECWID_PAGE);
	http_result_init(&r);
	st = ecwid_api(env, &c, &r, err);
	if (st != PROVIDER_OK)
		goto out;
	st = PROVIDER_REJECTED;
	root = json_parse(r.body.data, r.body.len, err);
	items = json_get(root, "items");
	if (!cJSON_IsArray(items))
		errorf(err, "the Ecwid orders answer holds no items");
	else if (ecwid_page_sorted(items, m.from, err) == 0 &&
		 ecwid_page_orders(items, &m, cur, fn, ctx, cursor, err) == 0) {
		ecwid_advance(root, &m, cursor);
		st = PROVIDER_OK;
	}
out:
	cJSON_Delete(root);
	http_result_release(&r);
	return st;
}
