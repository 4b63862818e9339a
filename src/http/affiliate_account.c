/*
 * /a/<shop>/...: an affiliate's signup, login and own page. <shop> is the
 * shop's domain. Pages follow the browser's Accept-Language, with a
 * switch. An affiliate session opens only its own shop's pages and shows
 * only its own affiliate's figures: no page takes an affiliate id.
 * Signup and login are rate limited per address and per email, and
 * answer alike whether the email has an account or not.
 */
#include "runtime/app.h"
#include "http/program_form.h"
#include "http/affiliate.h"
#include "config.h"
#include "util/crypto.h"
#include "http/pages.h"
#include "http/session.h"
#include "util/log.h"
#include "util/password.h"
#include "util/seal.h"
#include "store/store.h"
#include "store/store_ledger.h"
#include "store/store_orders.h"
#include "store/store_outbox.h"
#include "store/store_programs.h"
#include "store/store_reports.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Attempts allowed per window, per address and per email. */
#define LIMIT_WINDOW   600
#define LIMIT_PER_IP   30
#define LIMIT_PER_MAIL 10

enum { MAX_PROGRAMS = 16 };

/* Rate limits: refuses (returns 1) past the limits, else counts. */
static int rate_limited(struct app *app, const struct request *req,
			int64_t shop_id, const char *email, struct buf *err)
{
	char ip[33], mail[33], kip[40], kmail[64];
	int64_t now = clock_now(), nip = 0, nmail = 0;
	struct store_tx *tx;
	char *norm = email_normalize(email ? email : "");

	seal_pseudonym(req->remote_ip, ip);
	seal_pseudonym(norm, mail);
	free(norm);
	snprintf(kip, sizeof(kip), "ip:%s", ip);
	snprintf(kmail, sizeof(kmail), "mail:%lld:%s", (long long)shop_id,
		 mail);
	if (store_tx_begin(app->store, &tx, err) < 0)
		return -1;
	if (store_attempt_count(tx, kip, now - LIMIT_WINDOW, &nip, err) < 0 ||
	    store_attempt_count(tx, kmail, now - LIMIT_WINDOW, &nmail, err) <
		    0) {
		store_tx_rollback(tx);
		return -1;
	}
	if (nip >= LIMIT_PER_IP || (mail[0] && nmail >= LIMIT_PER_MAIL)) {
		store_tx_rollback(tx);
		log_warn("signin.limited", "route=%s ip=%s", req->route, ip);
		return 1;
	}
	if (store_attempt_add(tx, kip, now, err) < 0 ||
	    (mail[0] && store_attempt_add(tx, kmail, now, err) < 0)) {
		store_tx_rollback(tx);
		return -1;
	}
	return store_tx_commit(tx, err) < 0 ? -1 : 0;
}

/* Signup. */

enum { SU_NAME, SU_EMAIL, SU_PASSWORD, SU_PROGRAM, SU__COUNT };

static enum msg check_password(const struct form_def *def, const char *text,
			       int64_t *num)
{
	size_t chars = 0;
	const char *s;

	(void)def;
	(void)num;
	if (!text_is_clean(text, false))
		return MSG_ERR_TEXT;
	for (s = text; *s; s++)
		chars += ((unsigned char)*s & 0xc0) != 0x80;
	return chars < PASSWORD_MIN ? MSG_ERR_PASSWORD_SHORT : MSG_NONE;
}

static const struct form_def signup_defs[SU__COUNT] = {
	{"name", form_text, 100, 0, 0, 0, FORM_REQUIRED},
	{"email", form_email, 254, 0, 0, 0, FORM_REQUIRED},
	{"password", check_password, PASSWORD_MAX, 0, 0, 0,
	 FORM_REQUIRED | FORM_RAW},
	{"program", form_int, 20, 1, INT64_MAX, 0, 0},
};

struct signup {
	struct form_value v[SU__COUNT];
	struct program progs[MAX_PROGRAMS];
	size_t nprogs;
	enum msg banner; /* MSG_NONE, or a message over the form */
};

static int collect_program(void *ctx, const struct program *p)
{
	struct signup *su = ctx;

	if (!p->active || su->nprogs == MAX_PROGRAMS)
		return 0;
	program_init(&su->progs[su->nprogs]);
	su->progs[su->nprogs].id = p->id;
	su->progs[su->nprogs].name = xstrdup(p->name);
	su->progs[su->nprogs].commission = p->commission;
	su->progs[su->nprogs].rate_bps = p->rate_bps;
	su->progs[su->nprogs].fixed_amount = p->fixed_amount;
	su->progs[su->nprogs].reward = p->reward;
	su->progs[su->nprogs].reward_value = p->reward_value;
	su->progs[su->nprogs].currency = xstrdup(p->currency);
	su->progs[su->nprogs].approve_affiliates = p->approve_affiliates;
	su->nprogs++;
	return 0;
}

static int load_programs(struct app *app, struct aff *a, struct signup *su,
			 struct buf *err)
{
	struct store_tx *tx;
	int rc;

	if (store_read_begin(app->store, &tx, err) < 0)
		return -1;
	rc = store_program_each(tx, a->shop.id, collect_program, su, err);
	store_tx_rollback(tx);
	return rc;
}

static void signup_release(struct signup *su)
{
	size_t i;

	for (i = 0; i < su->nprogs; i++)
		program_release(&su->progs[i]);
	su->nprogs = 0;
}

static void field(struct page *p, const struct form_value *v, const char *name,
		  enum msg label, const char *type, enum msg hint,
		  const char *autocomplete, bool keep)
{
	struct field_view f = {
		.name = name,
		.label = label,
		.type = type,
		.value = keep && v ? v->text : "",
		.error = v ? v->error : MSG_NONE,
		.error_arg = v ? v->error_arg : NULL,
		.hint = hint,
		.autocomplete = autocomplete,
		.required = true,
	};

	html_field(p, &f);
}

static void program_choice(struct page *p, const struct signup *su,
			   int64_t chosen)
{
	struct buf summary;
	size_t i;

	buf_init(&summary, BUF_SMALL);
	if (su->nprogs == 1) {
		commission_summary(&summary, &su->progs[0], p->lang);
		html(p, "<p class=\"offer\">%s</p>", buf_str(&summary));
	} else if (su->nprogs > 1) {
		html(p,
		     "<div class=\"field\"><label for=\"f-program\">%t</label>"
		     "<select id=\"f-program\" name=\"program\">",
		     MSG_AFF_PROGRAM);
		for (i = 0; i < su->nprogs; i++) {
			buf_reset(&summary);
			commission_summary(&summary, &su->progs[i], p->lang);
			html(p, "<option value=\"%D\"%r>%s \u2014 %s</option>",
			     su->progs[i].id,
			     su->progs[i].id == chosen ? " selected" : "",
			     su->progs[i].name, buf_str(&summary));
		}
		html(p, "</select></div>");
	}
	buf_release(&summary);
}

static void signup_page(struct app *app, struct request *req,
			struct response *resp, struct aff *a,
			const struct signup *su, int status)
{
	const struct form_value *v = status == 200 ? NULL : su->v;
	char csrf[CSRF_HEX_LEN + 1];
	struct buf title;
	struct page p;

	page_init(&p, a->lang);
	buf_init(&title, BUF_SMALL);
	csrf_anonymous(app, req, resp, csrf);
	if (msg_format(&title, a->lang, MSG_AFF_SIGNUP_TITLE,
		       shop_title(&a->shop), NULL, NULL) < 0)
		buf_reset(&title);
	aff_frame(&p, a, buf_str(&title));
	html(&p, "<section class=\"card\"><h1>%s</h1><p>", buf_str(&title));
	html_msg(&p, MSG_AFF_SIGNUP_INTRO, shop_title(&a->shop), NULL, NULL);
	html(&p, "</p>");
	if (su->banner != MSG_NONE)
		html(&p, "<p class=\"banner error\" role=\"alert\">%t</p>",
		     su->banner);
	if (su->nprogs == 0) {
		html(&p, "<p class=\"banner\">%t</p>", MSG_AFF_NO_PROGRAM);
	} else {
		program_choice(&p, su, v ? v[SU_PROGRAM].num : 0);
		html(&p,
		     "<form method=\"post\" action=\"/a/%u/signup\" "
		     "novalidate>",
		     a->shop.domain);
		html_csrf(&p, csrf);
		field(&p, v ? &v[SU_NAME] : NULL, "name", MSG_AFF_NAME, "text",
		      MSG_NONE, "name", true);
		field(&p, v ? &v[SU_EMAIL] : NULL, "email", MSG_AFF_EMAIL,
		      "email", MSG_NONE, "email", true);
		field(&p, v ? &v[SU_PASSWORD] : NULL, "password",
		      MSG_AFF_PASSWORD, "password", MSG_AFF_PASSWORD_HINT,
		      "new-password", false);
		html(&p,
		     "<div class=\"actions\"><button type=\"submit\" "
		     "class=\"primary\">%t</button></div></form>",
		     MSG_AFF_SIGNUP_BUTTON);
	}
	html(&p,
	     "<p class=\"alt\">%t <a href=\"/a/%u/login\">%t</a></p>"
	     "</section>",
	     MSG_AFF_HAVE_ACCOUNT, a->shop.domain, MSG_AFF_LOGIN_LINK);
	aff_frame_end(&p);
	page_send(&p, resp, status);
	page_release(&p);
	buf_release(&title);
}

void page_aff_signup_get(struct app *app, struct request *req,
			 struct response *resp)
{
	struct signup su;
	struct aff a;
	struct buf err;

	if (aff_begin(app, req, resp, &a) < 0)
		return;
	memset(&su, 0, sizeof(su));
	buf_init(&err, BUF_SMALL);
	if (load_programs(app, &a, &su, &err) < 0)
		page_fail(req, resp, "signup", &err);
	else
		signup_page(app, req, resp, &a, &su, 200);
	signup_release(&su);
	buf_release(&err);
	aff_release(&a);
}

/* A referral code from the name and some randomness: "JANE7K2". */
static void make_code(const char *name, int attempt, char *out, size_t n)
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	size_t len = 0, i, extra = attempt < 4 ? 3 : 5;

	for (; *name && len < 5 && len + 1 < n; name++)
		if (isalnum((unsigned char)*name) &&
		    !((unsigned char)*name & 0x80))
			out[len++] = (char)toupper((unsigned char)*name);
	if (len < 2)
		len = (size_t)snprintf(out, n, "REF");
	for (i = 0; i < extra && len + 1 < n; i++)
		out[len++] =
			alphabet[crypto_random_below(sizeof(alphabet) - 1)];
	out[len] = '\0';
}

static int free_code(struct store_tx *tx, const struct affiliate *a, char *code,
		     size_t n, struct buf *err)
{
	int attempt, rc;

	for (attempt = 0; attempt < 8; attempt++) {
		make_code(a->name, attempt, code, n);
		rc = store_code_taken(tx, a->shop_id, code, err);
		if (rc == 0)
			rc = store_code_taken_anywhere(tx, code, err);
		if (rc <= 0)
			return rc;
	}
	return errorf(err, "no free referral code after %d tries", attempt);
}

/* Creates the affiliate: 0 and *id, STORE_DUPLICATE_EMAIL, or -1. */
static int create_affiliate(struct app *app, struct affiliate *a,
			    const char *hash, int64_t *id, struct buf *err)
{
	struct store_tx *tx;
	char code[16];
	int rc;

	if (store_tx_begin(app->store, &tx, err) < 0)
		return -1;
	rc = free_code(tx, a, code, sizeof(code), err);
	if (rc == 0) {
		a->code = code;
		rc = store_affiliate_add(tx, a, hash, id, err);
		a->code = NULL;
	}
	if (rc < 0) {
		store_tx_rollback(tx);
		return rc;
	}
	return store_tx_commit(tx, err);
}

static const struct program *chosen_program(const struct signup *su)
{
	size_t i;

	for (i = 0; i < su->nprogs; i++)
		if (su->progs[i].id == su->v[SU_PROGRAM].num)
			return &su->progs[i];
	return su->nprogs ? &su->progs[0] : NULL;
}

/*
 * Signups a shop takes per hour before the next ones are held for the
 * merchant's approval: 1 when this one is past it. Every attempt counts,
 * whether its email is new or not, so the count says nothing either.
 */
static int signup_burst(struct app *app, int64_t shop_id, struct buf *err)
{
	int64_t limit = config_int(app->cfg, CFG_ACCOUNTS_SIGNUPS_PER_HOUR);
	int64_t now = clock_now(), n = 0;
	struct store_tx *tx;
	char key[40];

	snprintf(key, sizeof(key), "signup:%lld", (long long)shop_id);
	if (store_tx_begin(app->store, &tx, err) < 0)
		return -1;
	if (store_attempt_count(tx, key, now - 3600, &n, err) < 0 ||
	    store_attempt_add(tx, key, now, err) < 0) {
		store_tx_rollback(tx);
		return -1;
	}
	if (store_tx_commit(tx, err) < 0)
		return -1;
	return limit > 0 && n >= limit;
}

/*
 * Everything after the form checked out. A new email gets its account
 * (held for approval when the program asks for it, or when the shop
 * took too many signups this hour); an email that has one gets nothing,
 * after the same work: the password is hashed and the insert tried
 * either way, and both are answered alike (0), so that signup does not
 * tell who is an affiliate. Nobody is signed in: they log in next.
 */
static int signup_commit(struct app *app, struct aff *a, struct signup *su,
			 struct buf *err)
{
	const struct program *prog = chosen_program(su);
	struct affiliate af;
	struct buf hash;
	int64_t id = 0;
	int rc, held;

	held = signup_burst(app, a->shop.id, err);
	if (held < 0)
		return -1;
	memset(&af, 0, sizeof(af));
	af.shop_id = a->shop.id;
	af.program_id = prog->id;
	af.name = xstrdup(su->v[SU_NAME].text);
	af.email = email_normalize(su->v[SU_EMAIL].text);
	af.status = prog->approve_affiliates || held ? AFFILIATE_PENDING
						     : AFFILIATE_ACTIVE;
	buf_init(&hash, 256);
	rc = password_hash(su->v[SU_PASSWORD].text, &hash, err);
	if (rc == 0)
		rc = create_affiliate(app, &af, buf_str(&hash), &id, err);
	if (rc == STORE_DUPLICATE_EMAIL) {
		/* The owner of the email is not told here: they may not be
		 * the one signing up. */
		log_info("affiliate.signup_existing", "shop=%lld",
			 (long long)a->shop.id);
		rc = 0;
	} else if (rc == 0) {
		log_info("affiliate.signup",
			 "shop=%lld affiliate=%lld status=%s held=%d",
			 (long long)a->shop.id, (long long)id,
			 affiliate_status_str(af.status), held);
	}
	free(af.name);
	free(af.email);
	buf_release(&hash);
	return rc;
}

/* 303 to /a/<shop><rest>. */
static void go_to(struct response *resp, const struct aff *a, const char *rest)
{
	struct buf where;

	buf_init(&where, BUF_SMALL);
	if (buf_puts(&where, "/a/") < 0 ||
	    url_encode(&where, a->shop.domain) < 0 ||
	    buf_puts(&where, rest) < 0)
		BUG("redirect does not fit");
	response_redirect(resp, 303, buf_str(&where));
	buf_release(&where);
}

static void go_home(struct response *resp, const struct aff *a)
{
	go_to(resp, a, "/");
}

static void go_login(struct response *resp, const struct aff *a,
		     const char *query)
{
	struct buf rest;

	buf_init(&rest, BUF_SMALL);
	if (buf_printf(&rest, "/login%s", query) < 0)
		BUG("redirect does not fit");
	go_to(resp, a, buf_str(&rest));
	buf_release(&rest);
}

/* The checks of a signup in order; the status to answer with. */
static int signup_run(struct app *app, struct request *req, struct aff *a,
		      struct signup *su, struct form *f, struct buf *err)
{
	int rc;

	if (load_programs(app, a, su, err) < 0)
		return -1;
	if (form_validate(f, signup_defs, SU__COUNT, su->v) > 0)
		return 422;
	if (su->nprogs == 0)
		return 409;
	rc = rate_limited(app, req, a->shop.id, su->v[SU_EMAIL].text, err);
	if (rc != 0) {
		su->banner = MSG_TOO_MANY;
		return rc < 0 ? -1 : 429;
	}
	return signup_commit(app, a, su, err) < 0 ? -1 : 303;
}

void page_aff_signup_post(struct app *app, struct request *req,
			  struct response *resp)
{
	struct signup su;
	struct form f;
	struct aff a;
	struct buf err;
	int status;

	if (aff_begin(app, req, resp, &a) < 0)
		return;
	if (session_read_form(app, req, NULL, &f, resp) < 0) {
		aff_release(&a);
		return;
	}
	memset(&su, 0, sizeof(su));
	buf_init(&err, BUF_SMALL);
	status = signup_run(app, req, &a, &su, &f, &err);
	if (status < 0)
		page_fail(req, resp, "signup", &err);
	else if (status == 303)
		go_login(resp, &a, "?joined=1");
	else
		signup_page(app, req, resp, &a, &su, status);
	signup_release(&su);
	form_release(&f);
	buf_release(&err);
	aff_release(&a);
}

/* Login. */

static const struct form_def login_defs[2] = {
	{"email", form_email, 254, 0, 0, 0, FORM_REQUIRED},
	{"password", NULL, PASSWORD_MAX, 0, 0, 0, FORM_REQUIRED | FORM_RAW},
};

static void login_page(struct app *app, struct request *req,
		       struct response *resp, struct aff *a,
		       const struct form_value *v, enum msg banner, int status)
{
	char csrf[CSRF_HEX_LEN + 1];
	struct page p;

	page_init(&p, a->lang);
	csrf_anonymous(app, req, resp, csrf);
	aff_frame(&p, a, i18n_text(a->lang, MSG_AFF_LOGIN_TITLE));
	html(&p, "<section class=\"card\"><h1>%t</h1>", MSG_AFF_LOGIN_TITLE);
	if (banner == MSG_AFF_JOINED)
		html(&p, "<p class=\"banner\" role=\"status\">%t</p>", banner);
	else if (banner != MSG_NONE)
		html(&p, "<p class=\"banner error\" role=\"alert\">%t</p>",
		     banner);
	html(&p, "<form method=\"post\" action=\"/a/%u/login\" novalidate>",
	     a->shop.domain);
	html_csrf(&p, csrf);
	field(&p, v ? &v[0] : NULL, "email", MSG_AFF_EMAIL, "email", MSG_NONE,
	      "email", true);
	field(&p, v ? &v[1] : NULL, "password", MSG_AFF_PASSWORD, "password",
	      MSG_NONE, "current-password", false);
	html(&p,
	     "<div class=\"actions\"><button type=\"submit\" "
	     "class=\"primary\">%t</button></div></form><p class=\"alt\">%t "
	     "<a href=\"/a/%u/signup\">%t</a></p></section>",
	     MSG_AFF_LOGIN_BUTTON, MSG_AFF_NO_ACCOUNT, a->shop.domain,
	     MSG_AFF_SIGNUP_LINK);
	aff_frame_end(&p);
	page_send(&p, resp, status);
	page_release(&p);
}

void page_aff_login_get(struct app *app, struct request *req,
			struct response *resp)
{
	struct aff a;

	if (aff_begin(app, req, resp, &a) < 0)
		return;
	if (a.signed_in)
		go_home(resp, &a);
	else
		login_page(app, req, resp, &a, NULL,
			   request_query(req, "joined") ? MSG_AFF_JOINED
							: MSG_NONE,
			   200);
	aff_release(&a);
}

/* Checks the password: 1 and *id when it matches, 0 not, -1 error. */
static int login_check(struct app *app, const struct aff *a, const char *email,
		       const char *password, struct affiliate *out,
		       struct buf *err)
{
	struct store_tx *tx;
	struct buf hash;
	char *norm = email_normalize(email);
	int rc;

	buf_init(&hash, 512);
	rc = store_read_begin(app->store, &tx, err);
	if (rc == 0) {
		rc = store_affiliate_by_email(tx, a->shop.id, norm, out, err);
		if (rc == 1 &&
		    store_affiliate_password(tx, out->id, &hash, err) < 0)
			rc = -1;
		store_tx_rollback(tx);
	}
	free(norm);
	/*
	 * An unknown email and an affiliate without a password (added by
	 * the merchant) cost one argon2 run too, like a wrong password.
	 */
	if (rc == 0 || (rc == 1 && hash.len == 0)) {
		password_burn(password);
		rc = 0;
	} else if (rc == 1 && !password_verify(buf_str(&hash), password)) {
		rc = 0;
	}
	if (rc != 1 && out->name)
		affiliate_release(out);
	buf_release(&hash);
	return rc;
}

void page_aff_login_post(struct app *app, struct request *req,
			 struct response *resp)
{
	struct form_value v[2];
	struct affiliate who;
	struct form f;
	struct aff a;
	struct buf err;
	int rc;

	if (aff_begin(app, req, resp, &a) < 0)
		return;
	if (session_read_form(app, req, NULL, &f, resp) < 0) {
		aff_release(&a);
		return;
	}
	buf_init(&err, BUF_SMALL);
	memset(&who, 0, sizeof(who));
	if (form_validate(&f, login_defs, 2, v) > 0) {
		login_page(app, req, resp, &a, v, MSG_NONE, 422);
	} else if ((rc = rate_limited(app, req, a.shop.id, v[0].text, &err)) !=
		   0) {
		if (rc < 0)
			page_fail(req, resp, "login", &err);
		else
			login_page(app, req, resp, &a, v, MSG_TOO_MANY, 429);
	} else if ((rc = login_check(app, &a, v[0].text, v[1].text, &who,
				     &err)) <= 0) {
		if (rc < 0)
			page_fail(req, resp, "login", &err);
		else
			login_page(app, req, resp, &a, v, MSG_AFF_LOGIN_FAILED,
				   401);
	} else if (who.status == AFFILIATE_DISABLED) {
		login_page(app, req, resp, &a, v, MSG_AFF_DISABLED, 403);
	} else if (session_start_affiliate(app, req, resp, a.shop.id, who.id,
					   &err) < 0) {
		page_fail(req, resp, "login", &err);
	} else {
		log_info("affiliate.login", "shop=%lld affiliate=%lld",
			 (long long)a.shop.id, (long long)who.id);
		go_home(resp, &a);
	}
	if (who.name)
		affiliate_release(&who);
	form_release(&f);
	buf_release(&err);
	aff_release(&a);
}

void page_aff_logout(struct app *app, struct request *req,
		     struct response *resp)
{
	struct form f;
	struct aff a;
	struct buf err, where;

	if (aff_begin(app, req, resp, &a) < 0)
		return;
	if (session_read_form(app, req, a.signed_in ? &a.s : NULL, &f, resp) ==
	    0) {
		buf_init(&err, BUF_SMALL);
		buf_init(&where, BUF_SMALL);
		if (session_end(app, req, resp, SESSION_AFFILIATE, &err) < 0) {
			page_fail(req, resp, "logout", &err);
		} else {
			if (buf_puts(&where, "/a/") < 0 ||
			    url_encode(&where, a.shop.domain) < 0 ||
			    buf_puts(&where, "/login") < 0)
				BUG("redirect does not fit");
			response_redirect(resp, 303, buf_str(&where));
		}
		buf_release(&where);
		buf_release(&err);
		form_release(&f);
	}
	aff_release(&a);
}

void page_aff_home_redirect(struct app *app, struct request *req,
			    struct response *resp)
{
	struct aff a;

	if (aff_begin(app, req, resp, &a) < 0)
		return;
	go_home(resp, &a);
	aff_release(&a);
}
