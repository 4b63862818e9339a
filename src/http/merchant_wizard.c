/*
 * /wizard: the merchant's first program, one question per step. The
 * answers travel between steps in hidden fields (checked again at the
 * end), so Back, Next and a reload never lose them and the server keeps
 * no half-made program. The form itself is program_form.c.
 */
#include "runtime/app.h"
#include "http/merchant.h"
#include "http/pages.h"
#include "http/program_form.h"
#include "http/session.h"
#include "util/log.h"
#include "store/store.h"
#include "store/store_programs.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const enum msg step_titles[PG__COUNT] = {
	MSG_WIZ_Q_NAME,	      MSG_WIZ_Q_KIND,	MSG_WIZ_Q_LANDING,
	MSG_WIZ_Q_COMMISSION, MSG_WIZ_Q_FRIEND, MSG_WIZ_Q_WINDOW,
	MSG_WIZ_Q_NETWORKS,
};

/* The wizard proper. */

static void wizard_page(struct page *p, const struct merchant *m,
			const struct pform *f, int step)
{
	char num[16], total[16];

	snprintf(num, sizeof(num), "%d", step + 1);
	snprintf(total, sizeof(total), "%d", PG__COUNT);
	html(p, "<section class=\"card wizard\"><p class=\"step\" "
		"id=\"wizard-step\">");
	html_msg(p, MSG_WIZ_STEP, num, total, NULL);
	html(p,
	     "</p><progress value=\"%d\" max=\"%d\" "
	     "aria-labelledby=\"wizard-step\"></progress>"
	     "<h1>%t</h1><form method=\"post\" action=\"/wizard\" "
	     "novalidate>",
	     step + 1, PG__COUNT, step_titles[step]);
	html_csrf(p, m->s.csrf);
	html(p, "<input type=\"hidden\" name=\"step\" value=\"%d\">", step);
	pform_hidden(p, f, (enum pf_group)step);
	pform_render(p, f, (enum pf_group)step, m);
	html(p, "<div class=\"actions\">");
	if (step > 0)
		html(p,
		     "<button type=\"submit\" name=\"go\" value=\"back\" "
		     "class=\"secondary\" formnovalidate>%t</button>",
		     MSG_BACK);
	html(p,
	     "<button type=\"submit\" name=\"go\" value=\"next\" "
	     "class=\"primary\">%t</button></div></form></section>",
	     step + 1 == PG__COUNT ? MSG_WIZ_CREATE : MSG_NEXT);
}

static void wizard_send(struct app *app, struct response *resp,
			const struct merchant *m, const struct pform *f,
			int step, int status)
{
	struct page p;

	(void)app;
	page_init(&p, i18n_english());
	merchant_frame(&p, m, i18n_text(p.lang, MSG_WIZ_TITLE), TAB_WIZARD);
	wizard_page(&p, m, f, step);
	merchant_frame_end(&p);
	page_send(&p, resp, status);
	page_release(&p);
}

void page_wizard_get(struct app *app, struct request *req,
		     struct response *resp)
{
	struct merchant m;
	struct pform f;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	pform_defaults(&f, &m);
	wizard_send(app, resp, &m, &f, 0, 200);
	pform_release(&f);
	merchant_release(&m);
}

/* Creates the program; 0 and *id, or -1 after answering. */
static int wizard_create(struct app *app, struct request *req,
			 struct response *resp, const struct merchant *m,
			 const struct pform *f, int64_t *id)
{
	struct program prog;
	struct store_tx *tx;
	struct buf err;
	int rc = -1;

	buf_init(&err, BUF_SMALL);
	program_init(&prog);
	prog.shop_id = m->shop.id;
	pform_apply(f, m, &prog);
	if (store_tx_begin(app->store, &tx, &err) < 0) {
		page_fail(req, resp, "wizard.create", &err);
	} else if (store_program_add(tx, &prog, id, &err) < 0) {
		store_tx_rollback(tx);
		page_fail(req, resp, "wizard.create", &err);
	} else if (store_tx_commit(tx, &err) < 0) {
		page_fail(req, resp, "wizard.create", &err);
	} else {
		log_info("program.created", "shop=%lld program=%lld via=wizard",
			 (long long)m->shop.id, (long long)*id);
		rc = 0;
	}
	program_release(&prog);
	buf_release(&err);
	return rc;
}

void page_wizard_post(struct app *app, struct request *req,
		      struct response *resp)
{
	struct merchant m;
	struct pform f;
	struct form form;
	uint64_t step = 0;
	const char *go;
	char where[64];
	int64_t id = 0;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	if (merchant_form(app, req, &m, &form, resp) < 0) {
		merchant_release(&m);
		return;
	}
	pform_defaults(&f, &m);
	pform_take(&f, &form);
	go = form_get(&form, "go");
	if (!form_get(&form, "step") ||
	    parse_uint_str(form_get(&form, "step"), PG__COUNT - 1, &step) < 0)
		step = 0;
	if (go && strcmp(go, "back") == 0) {
		wizard_send(app, resp, &m, &f, step > 0 ? (int)step - 1 : 0,
			    200);
	} else if (pform_check(&f, 1u << step, &m) > 0) {
		wizard_send(app, resp, &m, &f, (int)step, 422);
	} else if (step + 1 < PG__COUNT) {
		wizard_send(app, resp, &m, &f, (int)step + 1, 200);
	} else if (pform_check(&f, (1u << PG__COUNT) - 1, &m) > 0) {
		/* A tampered hidden field: back to the first bad step. */
		for (step = 0; step < PG__COUNT; step++)
			if (pform_check(&f, 1u << step, &m) > 0)
				break;
		wizard_send(app, resp, &m, &f, (int)step, 422);
	} else if (wizard_create(app, req, resp, &m, &f, &id) == 0) {
		snprintf(where, sizeof(where), "/wizard/done?program=%lld",
			 (long long)id);
		response_redirect(resp, 303, where);
	}
	pform_release(&f);
	form_release(&form);
	merchant_release(&m);
}

static void done_page(struct app *app, struct page *p, const struct merchant *m,
		      const struct program *prog)
{
	struct buf link, summary;

	buf_init(&link, BUF_SMALL);
	buf_init(&summary, BUF_SMALL);
	signup_link(app, &m->shop, &link);
	commission_summary(&summary, prog, p->lang);
	html(p, "<section class=\"card done\"><h1>%t</h1><p>",
	     MSG_WIZ_DONE_TITLE);
	html_msg(p, MSG_WIZ_DONE_TEXT, prog->name, buf_str(&summary), NULL);
	html(p,
	     "</p><label for=\"signup-link\">%t</label><div class=\"copy\">"
	     "<input id=\"signup-link\" readonly value=\"%s\">"
	     "<button type=\"button\" class=\"primary\" "
	     "data-copy=\"signup-link\" data-copied=\"%t\">%t</button></div>"
	     "<h2>%t</h2><ol class=\"next\"><li>%t</li><li>%t</li><li>%t</li>"
	     "<li>%t</li></ol><p class=\"actions\"><a class=\"button\" "
	     "href=\"/admin/programs/%D\">%t</a> <a href=\"/admin\">%t</a></p>"
	     "</section>",
	     MSG_SIGNUP_LINK, buf_str(&link), MSG_COPIED, MSG_COPY,
	     MSG_WIZ_NEXT_TITLE, MSG_WIZ_NEXT_1, MSG_WIZ_NEXT_2, MSG_WIZ_NEXT_3,
	     MSG_WIZ_NEXT_4, prog->id, MSG_WIZ_SEE_PROGRAM, MSG_WIZ_TO_ADMIN);
	buf_release(&link);
	buf_release(&summary);
}

void page_wizard_done(struct app *app, struct request *req,
		      struct response *resp)
{
	const char *arg = request_query(req, "program");
	struct merchant m;
	struct program prog;
	struct store_tx *tx;
	struct buf err;
	struct page p;
	uint64_t id = 0;
	int rc = 0;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	buf_init(&err, BUF_SMALL);
	if (arg && parse_uint_str(arg, INT64_MAX, &id) == 0 &&
	    (rc = store_read_begin(app->store, &tx, &err)) == 0) {
		rc = store_program_get(tx, (int64_t)id, &prog, &err);
		store_tx_rollback(tx);
	}
	if (rc < 0) {
		page_fail(req, resp, "wizard.done", &err);
	} else if (rc == 0 || prog.shop_id != m.shop.id) {
		if (rc == 1)
			program_release(&prog);
		page_error(req, resp, 404, MSG_NOT_FOUND_TITLE,
			   MSG_NOT_FOUND_TEXT);
	} else {
		page_init(&p, i18n_english());
		merchant_frame(&p, &m, i18n_text(p.lang, MSG_WIZ_DONE_TITLE),
			       TAB_WIZARD);
		done_page(app, &p, &m, &prog);
		merchant_frame_end(&p);
		page_send(&p, resp, 200);
		page_release(&p);
		program_release(&prog);
	}
	buf_release(&err);
	merchant_release(&m);
}
