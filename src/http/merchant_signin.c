/*
 * The merchant's sign-in by link (a single-use link from admin-link or an
 * install) and the sign-out.
 */
#include "runtime/app.h"
#include "http/pages.h"
#include "http/session.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "http/merchant.h"
#include "store/store_shops.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sign-in by link: GET names the shop and shows a button (link previews
 * must not use the link up), POST spends the link and starts the
 * session. */

void page_signin_get(struct app *app, struct request *req,
		     struct response *resp)
{
	const char *token = request_query(req, "token");
	char hash[65], csrf[CSRF_HEX_LEN + 1];
	struct store_tx *tx;
	struct shop shop;
	struct buf err;
	struct page p;
	int64_t shop_id = 0;
	int rc = 0;

	buf_init(&err, BUF_SMALL);
	memset(&shop, 0, sizeof(shop));
	if (token && strlen(token) < 128 &&
	    (rc = store_read_begin(app->store, &tx, &err)) == 0) {
		token_hash(token, hash);
		rc = store_signin_link_check(tx, hash, clock_now(), false,
					     &shop_id, &err);
		if (rc == 1)
			rc = store_shop_get(tx, shop_id, &shop, &err);
		store_tx_rollback(tx);
	}
	if (rc < 0) {
		page_fail(req, resp, "signin", &err);
	} else if (rc == 0) {
		page_error(req, resp, 410, MSG_SIGNIN_EXPIRED_TITLE,
			   MSG_SIGNIN_EXPIRED_TEXT);
	} else {
		page_init(&p, i18n_english());
		csrf_anonymous(app, req, resp, csrf);
		page_begin(&p, i18n_text(p.lang, MSG_SIGNIN_TITLE));
		html(&p,
		     "<main class=\"narrow\"><section class=\"card\"><h1>%t"
		     "</h1><p>%t</p><p><strong>%s</strong><br>"
		     "<span class=\"hint\">%s, %s</span></p>"
		     "<form method=\"post\" action=\"/admin/signin\">",
		     MSG_SIGNIN_TITLE, MSG_SIGNIN_TEXT, shop_title(&shop),
		     shop.domain, shop.platform);
		html_csrf(&p, csrf);
		html(&p,
		     "<input type=\"hidden\" name=\"token\" value=\"%s\">"
		     "<button type=\"submit\" class=\"primary\">%t</button>"
		     "</form></section></main>",
		     token, MSG_SIGNIN_BUTTON);
		page_end(&p);
		page_send(&p, resp, 200);
		page_release(&p);
	}
	shop_release(&shop);
	buf_release(&err);
}

void page_signin_post(struct app *app, struct request *req,
		      struct response *resp)
{
	const char *token;
	struct store_tx *tx;
	struct form f;
	struct buf err;
	char hash[65];
	int64_t shop = 0;
	int rc = -1;

	if (session_read_form(app, req, NULL, &f, resp) < 0)
		return;
	buf_init(&err, BUF_SMALL);
	token = form_get(&f, "token");
	if (token && strlen(token) < 128 &&
	    (rc = store_tx_begin(app->store, &tx, &err)) == 0) {
		token_hash(token, hash);
		rc = store_signin_link_check(tx, hash, clock_now(), true, &shop,
					     &err);
		if (rc < 0)
			store_tx_rollback(tx);
		else if (store_tx_commit(tx, &err) < 0)
			rc = -1;
	}
	if (rc == 0 || !token) {
		page_error(req, resp, 410, MSG_SIGNIN_EXPIRED_TITLE,
			   MSG_SIGNIN_EXPIRED_TEXT);
	} else if (rc < 0 ||
		   session_start_merchant(app, req, resp, shop, &err) < 0) {
		page_fail(req, resp, "signin", &err);
	} else {
		log_info("admin.signin", "shop=%lld via=link", (long long)shop);
		response_redirect(resp, 303, merchant_landing(app, shop));
	}
	form_release(&f);
	buf_release(&err);
}

void page_admin_logout(struct app *app, struct request *req,
		       struct response *resp)
{
	struct merchant m;
	struct form f;
	struct buf err;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	if (merchant_form(app, req, &m, &f, resp) == 0) {
		buf_init(&err, BUF_SMALL);
		if (session_end(app, req, resp, SESSION_MERCHANT, &err) < 0)
			page_fail(req, resp, "logout", &err);
		else
			page_error(req, resp, 200, MSG_SIGNED_OUT_TITLE,
				   MSG_SIGNED_OUT_TEXT);
		buf_release(&err);
		form_release(&f);
	}
	merchant_release(&m);
}
