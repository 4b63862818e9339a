/*
 * /admin/programs: the merchant's programs, the one-page program form
 * (program_form.c) to add or change one, and pause / resume.
 */
#include "runtime/app.h"
#include "http/pages.h"
#include "http/session.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "http/merchant.h"
#include "http/program_form.h"
#include "store/store_programs.h"
#include "util/money.h"
#include "util/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
