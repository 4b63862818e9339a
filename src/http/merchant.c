/*
 * /admin/...: the merchant's programs, affiliates, orders and rewards,
 * and the sign-in by link. Every page is bound to the session's shop: an
 * id of another shop's record in the URL answers 404, exactly like an id
 * that does not exist.
 */
#include "runtime/app.h"
#include "http/merchant.h"
#include "config.h"
#include "http/pages.h"
#include "http/session.h"
#include "util/log.h"
#include "platform.h"
#include "store/store.h"
#include "store/store_ledger.h"
#include "store/store_inbox.h"
#include "store/store_orders.h"
#include "store/store_outbox.h"
#include "store/store_programs.h"
#include "store/store_reports.h"
#include "store/store_shops.h"
#include "util/clock.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *href;
	enum msg label;
} tabs[TAB__COUNT] = {
	{"/admin", MSG_TAB_OVERVIEW},		   /* TAB_OVERVIEW */
	{"/admin/programs", MSG_TAB_PROGRAMS},	   /* TAB_PROGRAMS */
	{"/admin/affiliates", MSG_TAB_AFFILIATES}, /* TAB_AFFILIATES */
	{"/admin/orders", MSG_TAB_ORDERS},	   /* TAB_ORDERS */
	{"/admin/rewards", MSG_TAB_REWARDS},	   /* TAB_REWARDS */
	{"/wizard", MSG_TAB_WIZARD},		   /* TAB_WIZARD */
};

void signup_link(struct app *app, const struct shop *shop, struct buf *out)
{
	const char *base = config_get(app->cfg, CFG_SERVER_PUBLIC_URL);
	size_t len = strlen(base);

	while (len && base[len - 1] == '/')
		len--;
	if (buf_printf(out, "%.*s/a/", (int)len, base) < 0 ||
	    url_encode(out, shop->domain) < 0 || buf_puts(out, "/signup") < 0)
		BUG("signup link does not fit");
}

static void merchant_currency(struct store_tx *tx, struct merchant *m)
{
	struct buf err;

	buf_init(&err, BUF_SMALL);
	if (money_currency_valid(m->shop.currency))
		snprintf(m->currency, sizeof(m->currency), "%s",
			 m->shop.currency);
	else if (store_report_currency(tx, m->shop.id, m->currency, &err) < 0 ||
		 !money_currency_valid(m->currency))
		snprintf(m->currency, sizeof(m->currency), "USD");
	m->exponent = money_exponent(m->currency);
	buf_release(&err);
}

/* The platform whose admin frame needs its script run by our pages. */
static const struct platform *admin_platform(struct app *app, const char *name)
{
	const struct platform *p = platforms_find(&app->platforms, name);

	return p && p->has_app && provider_admin_frame_js(p->provider) &&
			       p->cfg.admin_script_url[0]
		       ? p
		       : NULL;
}

static int count_topic(void *ctx, const char *topic, const char *state,
		       const char *message, int64_t checked_at)
{
	struct merchant *m = ctx;

	(void)topic;
	(void)checked_at;
	if (strcmp(state, "refused") == 0) {
		if (!m->topics_refused++)
			snprintf(m->topic_message, sizeof(m->topic_message),
				 "%s", message);
	} else if (strcmp(state, "missing") == 0) {
		m->topics_missing++;
	}
	return 0;
}

/* The newest failed delivery's reason, for the banner: one is enough. */
static int first_failed(void *ctx, const struct inbox_row *r)
{
	struct merchant *m = ctx;

	snprintf(m->delivery_error, sizeof(m->delivery_error), "%s",
		 r->last_error);
	return 1;
}

/* Deliveries the worker set aside for this shop (an index count). */
static int count_failed(struct store_tx *tx, struct merchant *m,
			struct buf *err)
{
	if (store_inbox_count_shop(tx, m->shop.id, "failed",
				   &m->deliveries_failed, err) < 0)
		return -1;
	if (m->deliveries_failed && store_inbox_each(tx, "failed", m->shop.id,
						     first_failed, m, err) < 0)
		return -1;
	return 0;
}

static void failed_warning(struct page *p, const struct merchant *m)
{
	char n[24];

	if (!m->deliveries_failed)
		return;
	snprintf(n, sizeof(n), "%lld", (long long)m->deliveries_failed);
	html(p, "<p class=\"banner error\" role=\"status\" "
		"id=\"deliveries-failed\">");
	html_msg(p, MSG_DELIVERIES_FAILED, n, m->delivery_error, NULL);
	html(p, "</p>");
}

/* What the merchant must know on every page: the shop cannot be served. */
static void merchant_warnings(struct page *p, const struct merchant *m)
{
	char n[24];

	if (m->shop.reauth_needed) {
		html(p, "<p class=\"banner error\" role=\"alert\">");
		html_msg(p, MSG_REAUTH_NEEDED, m->shop.reauth_reason, NULL,
			 NULL);
		html(p, "</p>");
	}
	if (m->topics_refused) {
		snprintf(n, sizeof(n), "%d", m->topics_refused);
		html(p, "<p class=\"banner error\" role=\"alert\">");
		html_msg(p, MSG_TOPICS_REFUSED, n, m->topic_message, NULL);
		html(p, "</p>");
	} else if (m->topics_missing) {
		snprintf(n, sizeof(n), "%d", m->topics_missing);
		html(p, "<p class=\"banner error\" role=\"alert\">");
		html_msg(p, MSG_TOPICS_MISSING, n, NULL, NULL);
		html(p, "</p>");
	}
}

int merchant_begin(struct app *app, struct request *req, struct response *resp,
		   struct merchant *m)
{
	struct store_tx *tx;
	struct buf err;
	int rc;

	memset(m, 0, sizeof(*m));
	buf_init(&err, BUF_SMALL);
	rc = session_load(app, req, SESSION_MERCHANT, &m->s, &err);
	if (rc == 1 && (rc = store_read_begin(app->store, &tx, &err)) == 0) {
		rc = store_shop_get(tx, m->s.shop_id, &m->shop, &err);
		if (rc == 1)
			merchant_currency(tx, m);
		if (rc == 1 && store_shop_topics_each(tx, m->shop.id,
						      count_topic, m, &err) < 0)
			rc = -1;
		if (rc == 1 && count_failed(tx, m, &err) < 0)
			rc = -1;
		store_tx_rollback(tx);
	}
	if (rc < 0)
		page_fail(req, resp, "merchant.session", &err);
	else if (rc == 0)
		page_error(req, resp, 401, MSG_SIGNIN_NEEDED_TITLE,
			   MSG_SIGNIN_NEEDED_TEXT);
	else if (request_in_frame(req))
		m->in_admin = admin_platform(app, m->shop.platform);
	buf_release(&err);
	return rc == 1 ? 0 : -1;
}

void merchant_release(struct merchant *m)
{
	shop_release(&m->shop);
}

void merchant_frame(struct page *p, const struct merchant *m, const char *title,
		    enum admin_tab tab)
{
	int i;

	page_begin(p, title);
	/* The admin's own script first, then ours, which talks to it. */
	if (m->in_admin)
		html(p,
		     "<script src=\"%s\"></script><script "
		     "src=\"/embed/%s.js?v=%s\" data-app-id=\"%s\"></script>",
		     m->in_admin->cfg.admin_script_url,
		     provider_name(m->in_admin->provider), AFFILIATED_VERSION,
		     m->in_admin->cfg.client_id);
	html(p, "<header class=\"top\">");
	/*
	 * Inside the platform's admin, which names the app and signs the
	 * merchant in and out, the page is only its tabs and its content
	 * (Ecwid asks for no header of our own).
	 */
	if (!m->in_admin) {
		html(p,
		     "<div class=\"bar\"><a class=\"brand\" href=\"/admin\">%t"
		     "</a><span class=\"shop\">%s</span><form method=\"post\" "
		     "action=\"/admin/logout\" class=\"inline\">",
		     MSG_APP_NAME,
		     m->shop.name[0] ? m->shop.name : m->shop.domain);
		html_csrf(p, m->s.csrf);
		html(p,
		     "<button type=\"submit\" class=\"link\">%t</button>"
		     "</form></div>",
		     MSG_SIGN_OUT);
	}
	html(p, "<nav aria-label=\"%t\"><ul>", MSG_NAV_LABEL);
	for (i = 0; i < TAB__COUNT; i++)
		html(p, "<li><a href=\"%s\"%r>%t</a></li>", tabs[i].href,
		     i == (int)tab ? " aria-current=\"page\"" : "",
		     tabs[i].label);
	html(p, "</ul></nav></header><main id=\"main\">");
	merchant_warnings(p, m);
	if (tab == TAB_OVERVIEW)
		failed_warning(p, m);
}

void merchant_frame_end(struct page *p)
{
	html(p, "</main>");
	page_end(p);
}

int merchant_form(struct app *app, struct request *req,
		  const struct merchant *m, struct form *f,
		  struct response *resp)
{
	return session_read_form(app, req, &m->s, f, resp);
}

/* Stops at the first program: one is enough to know. */
static int count_program(void *ctx, const struct program *p)
{
	(void)p;
	(*(int *)ctx)++;
	return 1;
}

const char *merchant_landing(struct app *app, int64_t shop_id)
{
	struct store_tx *tx;
	struct buf err;
	int programs = 0;

	buf_init(&err, BUF_SMALL);
	if (store_read_begin(app->store, &tx, &err) == 0) {
		if (store_program_each(tx, shop_id, count_program, &programs,
				       &err) < 0)
			programs = 0;
		store_tx_rollback(tx);
	}
	/* Only a landing page: the wizard is a fine guess, but say why. */
	if (err.len)
		log_warn("merchant.landing", "shop=%lld error=\"%s\"",
			 (long long)shop_id, buf_str(&err));
	buf_release(&err);
	return programs ? "/admin" : "/wizard";
}

void merchant_offer_signin(struct app *app, struct request *req,
			   struct response *resp, int64_t shop_id)
{
	struct store_tx *tx = NULL;
	struct buf token, err, location;

	buf_init(&token, 128);
	buf_init(&err, BUF_SMALL);
	buf_init(&location, 256);
	if (store_tx_begin(app->store, &tx, &err) < 0 ||
	    signin_link_issue(tx, shop_id, &token, &err) < 0 ||
	    store_tx_finish(&tx, &err) < 0 ||
	    buf_printf(&location, "/admin/signin?token=%s", buf_str(&token)) <
		    0) {
		store_tx_abandon(&tx);
		page_fail(req, resp, "signin", &err);
	} else {
		response_redirect(resp, 303, buf_str(&location));
	}
	buf_release(&token);
	buf_release(&err);
	buf_release(&location);
}
