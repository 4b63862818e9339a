/*
 * /admin/...: the merchant's programs, affiliates, orders and rewards,
 * and the sign-in by link. Every page is bound to the session's shop: an
 * id of another shop's record in the URL answers 404, exactly like an id
 * that does not exist.
 */
#include "runtime/app.h"
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

void not_found(struct request *req, struct response *resp)
{
	page_error(req, resp, 404, MSG_NOT_FOUND_TITLE, MSG_NOT_FOUND_TEXT);
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

/* Programs. */

struct program_list {
	struct store_tx *tx;
	struct table *t;
	const struct i18n_lang *lang;
	struct buf *err;
	int failed;
};

static int count_affiliate(void *ctx, const struct affiliate *a)
{
	(void)a;
	(*(int64_t *)ctx)++;
	return 0;
}

static int program_row(void *ctx, const struct program *p)
{
	struct program_list *l = ctx;
	struct buf summary;
	char href[64];
	int64_t n = 0;

	buf_init(&summary, BUF_SMALL);
	snprintf(href, sizeof(href), "/admin/programs/%lld", (long long)p->id);
	commission_summary(&summary, p, l->lang);
	if (store_affiliate_each(l->tx, p->shop_id, p->id, count_affiliate, &n,
				 l->err) < 0)
		l->failed = 1;
	table_cell(l->t, p->name, NULL, href);
	table_cell(l->t,
		   i18n_text(l->lang, p->kind == PROGRAM_REFERRAL
					      ? MSG_KIND_REFERRAL
					      : MSG_KIND_AFFILIATE),
		   program_kind_str(p->kind), NULL);
	table_cell(l->t, buf_str(&summary), NULL, NULL);
	table_cell(l->t,
		   i18n_text(l->lang,
			     p->active ? MSG_STATUS_ACTIVE : MSG_STATUS_PAUSED),
		   p->active ? "active" : "paused", NULL);
	table_int(l->t, n);
	buf_release(&summary);
	return l->failed;
}

void page_programs(struct app *app, struct request *req, struct response *resp)
{
	static const enum msg heads[] = {MSG_COL_NAME, MSG_COL_KIND,
					 MSG_COL_COMMISSION, MSG_COL_STATUS,
					 MSG_COL_AFFILIATES};
	struct program_list l;
	struct merchant m;
	struct table t;
	struct buf err;
	struct page p;
	int rc;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	buf_init(&err, BUF_SMALL);
	page_init(&p, i18n_english());
	table_init(&t, 5, heads, 1u << 4);
	l = (struct program_list){NULL, &t, p.lang, &err, 0};
	rc = store_read_begin(app->store, &l.tx, &err);
	if (rc == 0) {
		rc = store_program_each(l.tx, m.shop.id, program_row, &l, &err);
		store_tx_rollback(l.tx);
	}
	if (rc < 0 || l.failed) {
		page_fail(req, resp, "programs", &err);
	} else {
		merchant_frame(&p, &m, i18n_text(p.lang, MSG_TAB_PROGRAMS),
			       TAB_PROGRAMS);
		html(&p,
		     "<div class=\"head\"><h1>%t</h1><a class=\"button\" "
		     "href=\"/admin/programs/new\">%t</a></div>"
		     "<section class=\"card\">",
		     MSG_TAB_PROGRAMS, MSG_NEW_PROGRAM);
		table_html(&p, &t, MSG_TAB_PROGRAMS);
		html(&p, "</section>");
		merchant_frame_end(&p);
		page_send(&p, resp, 200);
	}
	page_release(&p);
	table_release(&t);
	buf_release(&err);
	merchant_release(&m);
}

/* The edit (prog != NULL) or creation form with every group. */
static void program_form_page(struct app *app, struct response *resp,
			      const struct merchant *m,
			      const struct program *prog, const struct pform *f,
			      int status)
{
	struct page p;
	struct buf link;
	int g;

	page_init(&p, i18n_english());
	buf_init(&link, BUF_SMALL);
	merchant_frame(&p, m, prog ? prog->name : "", TAB_PROGRAMS);
	if (prog) {
		signup_link(app, &m->shop, &link);
		html(&p,
		     "<div class=\"head\"><h1>%s</h1><span class=\"badge\">%t"
		     "</span></div><section class=\"card\"><label "
		     "for=\"signup-link\">%t</label><div class=\"copy\"><input "
		     "id=\"signup-link\" readonly value=\"%s\"><button "
		     "type=\"button\" data-copy=\"signup-link\" "
		     "data-copied=\"%t\">%t</button></div><form "
		     "method=\"post\" "
		     "action=\"/admin/programs/%D/status\" class=\"inline\">",
		     prog->name,
		     prog->active ? MSG_STATUS_ACTIVE : MSG_STATUS_PAUSED,
		     MSG_SIGNUP_LINK, buf_str(&link), MSG_COPIED, MSG_COPY,
		     prog->id);
		html_csrf(&p, m->s.csrf);
		html(&p,
		     "<button type=\"submit\" name=\"active\" value=\"%r\" "
		     "class=\"secondary\">%t</button></form></section>",
		     prog->active ? "0" : "1",
		     prog->active ? MSG_PAUSE : MSG_RESUME);
		html(&p,
		     "<section class=\"card\"><h2>%t</h2><form "
		     "method=\"post\" action=\"/admin/programs/%D\" "
		     "novalidate>",
		     MSG_EDIT_PROGRAM, prog->id);
	} else {
		html(&p,
		     "<h1>%t</h1><section class=\"card\"><form method=\"post\" "
		     "action=\"/admin/programs/new\" novalidate>",
		     MSG_NEW_PROGRAM);
	}
	html_csrf(&p, m->s.csrf);
	for (g = 0; g < PG__COUNT; g++)
		pform_render(&p, f, (enum pf_group)g, m);
	html(&p,
	     "<div class=\"actions\"><button type=\"submit\" "
	     "class=\"primary\">%t</button></div></form></section>",
	     prog ? MSG_SAVE : MSG_WIZ_CREATE);
	merchant_frame_end(&p);
	page_send(&p, resp, status);
	page_release(&p);
	buf_release(&link);
}

/* Loads a program of the merchant's shop: 1, 0 (404 sent), -1 (500). */
static int own_program(struct app *app, struct request *req,
		       struct response *resp, const struct merchant *m,
		       struct program *out)
{
	struct store_tx *tx;
	struct buf err;
	int rc;

	buf_init(&err, BUF_SMALL);
	rc = store_read_begin(app->store, &tx, &err);
	if (rc == 0) {
		rc = store_program_get(tx, param_id(req, 0), out, &err);
		store_tx_rollback(tx);
	}
	if (rc == 1 && out->shop_id != m->shop.id) {
		program_release(out);
		rc = 0;
	}
	if (rc < 0)
		page_fail(req, resp, "program", &err);
	else if (rc == 0)
		not_found(req, resp);
	buf_release(&err);
	return rc;
}

void page_program_new_get(struct app *app, struct request *req,
			  struct response *resp)
{
	struct merchant m;
	struct pform f;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	pform_defaults(&f, &m);
	program_form_page(app, resp, &m, NULL, &f, 200);
	pform_release(&f);
	merchant_release(&m);
}

static int save_program(struct app *app, struct program *prog, bool add,
			struct buf *err)
{
	struct store_tx *tx;
	int64_t id;
	int rc;

	if (store_tx_begin(app->store, &tx, err) < 0)
		return -1;
	rc = add ? store_program_add(tx, prog, &id, err)
		 : store_program_update(tx, prog, err);
	if (rc < 0) {
		store_tx_rollback(tx);
		return -1;
	}
	if (add)
		prog->id = id;
	return store_tx_commit(tx, err);
}

/* The shared body of creating and editing from the one-page form. */
static void program_submit(struct app *app, struct request *req,
			   struct response *resp, struct merchant *m,
			   struct program *prog, bool add)
{
	struct form form;
	struct pform f;
	struct buf err;
	char where[64];

	if (merchant_form(app, req, m, &form, resp) < 0)
		return;
	buf_init(&err, BUF_SMALL);
	if (add)
		pform_defaults(&f, m);
	else
		pform_from_program(&f, prog, m);
	f.networks_set = false;
	pform_take(&f, &form);
	if (!form_get(&form, "networks_set"))
		f.networks = 0, f.networks_set = true;
	if (pform_check(&f, (1u << PG__COUNT) - 1, m) > 0) {
		program_form_page(app, resp, m, add ? NULL : prog, &f, 422);
	} else {
		pform_apply(&f, m, prog);
		if (save_program(app, prog, add, &err) < 0) {
			page_fail(req, resp, "program.save", &err);
		} else {
			log_info("program.saved", "shop=%lld program=%lld",
				 (long long)m->shop.id, (long long)prog->id);
			snprintf(where, sizeof(where), "/admin/programs/%lld",
				 (long long)prog->id);
			response_redirect(resp, 303, where);
		}
	}
	pform_release(&f);
	form_release(&form);
	buf_release(&err);
}

void page_program_new_post(struct app *app, struct request *req,
			   struct response *resp)
{
	struct merchant m;
	struct program prog;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	program_init(&prog);
	prog.shop_id = m.shop.id;
	program_submit(app, req, resp, &m, &prog, true);
	program_release(&prog);
	merchant_release(&m);
}

void page_program_get(struct app *app, struct request *req,
		      struct response *resp)
{
	struct merchant m;
	struct program prog;
	struct pform f;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	if (own_program(app, req, resp, &m, &prog) == 1) {
		pform_from_program(&f, &prog, &m);
		program_form_page(app, resp, &m, &prog, &f, 200);
		pform_release(&f);
		program_release(&prog);
	}
	merchant_release(&m);
}

void page_program_post(struct app *app, struct request *req,
		       struct response *resp)
{
	struct merchant m;
	struct program prog;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	if (own_program(app, req, resp, &m, &prog) == 1) {
		program_submit(app, req, resp, &m, &prog, false);
		program_release(&prog);
	}
	merchant_release(&m);
}

void page_program_status(struct app *app, struct request *req,
			 struct response *resp)
{
	struct merchant m;
	struct program prog;
	struct form f;
	struct buf err;
	char where[64];
	const char *active;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	if (own_program(app, req, resp, &m, &prog) == 1) {
		if (merchant_form(app, req, &m, &f, resp) == 0) {
			buf_init(&err, BUF_SMALL);
			active = form_get(&f, "active");
			prog.active = active && strcmp(active, "1") == 0;
			if (save_program(app, &prog, false, &err) < 0) {
				page_fail(req, resp, "program.status", &err);
			} else {
				snprintf(where, sizeof(where),
					 "/admin/programs/%lld",
					 (long long)prog.id);
				response_redirect(resp, 303, where);
			}
			buf_release(&err);
			form_release(&f);
		}
		program_release(&prog);
	}
	merchant_release(&m);
}
