/* What every page shares: the 500 and 404 pages, route ids, shop titles. */
#include "http/pages.h"
#include "util/log.h"
#include "util/parse.h"
#include "store/store_shops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void page_fail(struct request *req, struct response *resp, const char *what,
	       const struct buf *err)
{
	log_error("page.failed", "route=%s what=%s error=%s", req->route, what,
		  buf_str(err));
	page_error(req, resp, 500, MSG_ERROR_TITLE, MSG_ERROR_TEXT);
}

int64_t param_id(const struct request *req, int i)
{
	uint64_t v;

	if (parse_uint_str(request_param(req, i), INT64_MAX, &v) < 0)
		return 0;
	return (int64_t)v;
}

void not_found(struct request *req, struct response *resp)
{
	page_error(req, resp, 404, MSG_NOT_FOUND_TITLE, MSG_NOT_FOUND_TEXT);
}

const char *shop_title(const struct shop *s)
{
	return s->name[0] ? s->name : s->domain;
}
