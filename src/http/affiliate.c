/*
 * What every affiliate page starts with: the shop of the URL, the
 * language, the affiliate's session, and the frame of the page.
 */
#include "runtime/app.h"
#include "http/pages.h"
#include "http/session.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "http/affiliate.h"
#include "http/i18n.h"
#include "store/store_reports.h"
#include "store/store_sessions.h"
#include "store/store_shops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aff_release(struct aff *a)
{
	shop_release(&a->shop);
}

/* Loads the shop of the URL (404 when unknown) and the session. */
int aff_begin(struct app *app, struct request *req, struct response *resp,
	      struct aff *a)
{
	const char *lang = request_query(req, "lang");
	struct store_tx *tx;
	struct buf err, cookie;
	int rc;

	memset(a, 0, sizeof(*a));
	a->lang = i18n_for_request(req);
	buf_init(&err, BUF_SMALL);
	rc = store_read_begin(app->store, &tx, &err);
	if (rc == 0) {
		rc = store_shop_by_domain(tx, request_param(req, 0), &a->shop,
					  &err);
		store_tx_rollback(tx);
	}
	if (rc == 1 && strcmp(a->shop.status, "active") != 0) {
		shop_release(&a->shop);
		rc = 0;
	}
	if (rc == 1 &&
	    session_load(app, req, SESSION_AFFILIATE, &a->s, &err) == 1)
		a->signed_in = a->s.shop_id == a->shop.id;
	if (rc == 1 && lang && i18n_find(lang)) {
		buf_init(&cookie, 256);
		if (cookie_format(&cookie, COOKIE_LANG, i18n_find(lang)->code,
				  365 * 86400, cookie_scope(app, req)) == 0)
			response_header(resp, "Set-Cookie", buf_str(&cookie));
		buf_release(&cookie);
	}
	if (rc < 0)
		page_fail(req, resp, "affiliate.shop", &err);
	else if (rc == 0)
		page_error(req, resp, 404, MSG_NOT_FOUND_TITLE,
			   MSG_NOT_FOUND_TEXT);
	buf_release(&err);
	return rc == 1 ? 0 : -1;
}

static void lang_switch(struct page *p)
{
	const struct i18n_lang *const *l;

	html(p,
	     "<form method=\"get\" class=\"lang inline\"><label "
	     "for=\"lang\" class=\"sr\">%t</label><select id=\"lang\" "
	     "name=\"lang\" data-autosubmit>",
	     MSG_LANGUAGE);
	for (l = i18n_langs; *l; l++)
		html(p, "<option value=\"%s\" lang=\"%s\"%r>%s</option>",
		     (*l)->code, (*l)->code, *l == p->lang ? " selected" : "",
		     (*l)->name);
	html(p,
	     "</select><button type=\"submit\" class=\"secondary "
	     "nojs\">%t</button></form>",
	     MSG_CHANGE);
}

void aff_frame(struct page *p, const struct aff *a, const char *title)
{
	page_begin(p, title);
	html(p,
	     "<header class=\"top aff\"><div class=\"bar\"><span "
	     "class=\"brand\">%s</span>",
	     shop_title(&a->shop));
	lang_switch(p);
	if (a->signed_in) {
		html(p,
		     "<form method=\"post\" action=\"/a/%u/logout\" "
		     "class=\"inline\">",
		     a->shop.domain);
		html_csrf(p, a->s.csrf);
		html(p,
		     "<button type=\"submit\" class=\"link\">%t</button>"
		     "</form>",
		     MSG_AFF_LOGOUT);
	}
	html(p, "</div></header><main id=\"main\" class=\"narrow\">");
}

void aff_frame_end(struct page *p)
{
	html(p, "</main>");
	page_end(p);
}
