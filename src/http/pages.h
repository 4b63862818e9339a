/*
 * The merchant's and the affiliate's pages: handlers (routed in
 * pages_routes.c) and what their files share.
 */
#ifndef AFFILIATED_PAGES_H
#define AFFILIATED_PAGES_H

#include "http/form.h"
#include "http/html.h"
#include "http/router.h"
#include "model/model.h"
#include "store/store_reports.h"
#include "store/store_sessions.h"

#include <stdbool.h>
#include <stdint.h>

/* pages_wizard.c */
route_handler page_wizard_get, page_wizard_post, page_wizard_done;
/* pages_admin.c */
route_handler page_signin_get, page_signin_post, page_admin_logout;
route_handler page_programs, page_program_new_get, page_program_new_post;
route_handler page_program_get, page_program_post, page_program_status;
route_handler page_affiliates, page_affiliate_get, page_affiliate_status;
route_handler page_orders, page_rewards, page_reward_retry;
/* pages_reports.c */
route_handler page_reports;
/* pages_affiliate.c */
route_handler page_aff_signup_get, page_aff_signup_post;
route_handler page_aff_login_get, page_aff_login_post;
route_handler page_aff_logout, page_aff_home, page_aff_home_redirect;
/* pages_click.c */
route_handler page_click;
/* assets.c */
route_handler page_asset_css, page_asset_js;

/* "2.5%" from a part of a whole, one decimal, without floating point. */
void rate_text(char *out, size_t n, int64_t part, int64_t whole);
/* The label of a click's network ("" is "code or unknown"). */
enum msg network_label(const char *network);
/* The big figures of a report: clicks, orders, conversion, sales... and
 * the commissions under paid_label. */
void report_figures(struct page *p, const struct report_row *t,
		    const char *currency, enum msg paid_label);

/* pages_click.c: whether a user agent is a crawler or link preview. */
bool click_is_bot(const char *user_agent);
/* The network of a click: ?via= when given, else the Referer's host. */
const char *click_network(const char *via, const char *referer);

/* What every affiliate page knows: the shop and the language. */
struct aff {
	struct shop shop;
	const struct i18n_lang *lang;
	struct session_row s; /* valid when signed_in */
	bool signed_in;
};

/*
 * Loads the shop of the URL (a domain; 404 when unknown or not active),
 * the language (?lang= is remembered in a cookie) and the affiliate
 * session of that shop, if any. -1 after answering.
 */
int aff_begin(struct app *app, struct request *req, struct response *resp,
	      struct aff *a);
void aff_release(struct aff *a);
/* page_begin, the header (shop, language switch, log out) and <main>. */
void aff_frame(struct page *p, const struct aff *a, const char *title);
void aff_frame_end(struct page *p);
/* The shop's name, or its domain when it has none. */
const char *shop_title(const struct shop *s);

/* The signed-in merchant of a request (pages_admin.c). */
struct platform;

struct merchant {
	struct session_row s;
	struct shop shop;
	char currency[4]; /* the shop's, else its orders', else USD */
	int exponent;
	/* the shop's platform when the page shows in its admin's frame and
	 * must run the admin's script there; else NULL */
	const struct platform *in_admin;
	/* the last check of the shop's webhook subscriptions */
	int topics_refused, topics_missing;
	char topic_message[256];   /* the platform's words for a refusal */
	int64_t deliveries_failed; /* set aside by the worker: the overview */
	char delivery_error[256];  /* the newest one's reason */
};

enum admin_tab {
	TAB_OVERVIEW,
	TAB_PROGRAMS,
	TAB_AFFILIATES,
	TAB_ORDERS,
	TAB_REWARDS,
	TAB_WIZARD,
	TAB__COUNT
};

/*
 * Loads the merchant's session and shop; without one answers 401 with a
 * page telling how to sign in and returns -1.
 */
int merchant_begin(struct app *app, struct request *req, struct response *resp,
		   struct merchant *m);
void merchant_release(struct merchant *m);
/* page_begin, the header with the navigation, and <main>. */
void merchant_frame(struct page *p, const struct merchant *m, const char *title,
		    enum admin_tab tab);
/* </main> and page_end. */
void merchant_frame_end(struct page *p);
/* Reads a POSTed form checked against the merchant's CSRF token. */
int merchant_form(struct app *app, struct request *req,
		  const struct merchant *m, struct form *f,
		  struct response *resp);
/* The 404 page. */
void not_found(struct request *req, struct response *resp);
/* Where a signed-in merchant starts: /admin once the shop has a program,
 * the wizard before. */
const char *merchant_landing(struct app *app, int64_t shop_id);
/*
 * Sends the browser to confirm a sign-in to shop_id (303 to a fresh
 * single-use sign-in link, whose page names the shop), for sign-ins a
 * third party could have started: the merchant sees whose admin opens.
 */
void merchant_offer_signin(struct app *app, struct request *req,
			   struct response *resp, int64_t shop_id);
/* 500 page after logging what failed. */
void page_fail(struct request *req, struct response *resp, const char *what,
	       const struct buf *err);
/* Parses a route parameter as a positive id; 0 when it is not one. */
int64_t param_id(const struct request *req, int i);
/* The signup link of a shop into out: <public_url>/a/<domain>/signup. */
void signup_link(struct app *app, const struct shop *shop, struct buf *out);

/*
 * The program form, shared by the wizard (one group per step) and the
 * admin (all groups on one page). Values are kept as text so that they
 * come back as typed after an error.
 */
enum pf_group {
	PG_NAME,
	PG_KIND,
	PG_LANDING,
	PG_COMMISSION,
	PG_FRIEND,
	PG_WINDOW,
	PG_NETWORKS,
	PG__COUNT
};

enum pf_field {
	PF_NAME,
	PF_KIND,
	PF_LANDING,
	PF_REWARD,
	PF_RATE,
	PF_AMOUNT,
	PF_FRIEND,
	PF_WINDOW,
	PF__COUNT
};

struct pform {
	char *val[PF__COUNT]; /* owned */
	enum msg err[PF__COUNT];
	char err_arg[PF__COUNT][64];
	unsigned networks; /* bit i: share_networks[i] offered */
	bool networks_set; /* the networks step was answered */
};

/* The share buttons a program can offer, in display order. */
extern const char *const share_networks[];
enum { SHARE_NETWORKS = 4 };

/* Defaults: the shop's name, referral, home page, 10%, 30 days, all. */
void pform_defaults(struct pform *f, const struct merchant *m);
void pform_from_program(struct pform *f, const struct program *p,
			const struct merchant *m);
/* Takes the values present in form (absent ones stay). */
void pform_take(struct pform *f, const struct form *form);
/* Checks the fields of the groups in mask (1 << group); error count. */
int pform_check(struct pform *f, unsigned mask, const struct merchant *m);
/* Writes a checked form into p (its other fields untouched). */
void pform_apply(const struct pform *f, const struct merchant *m,
		 struct program *p);
void pform_render(struct page *p, const struct pform *f, enum pf_group g,
		  const struct merchant *m);
/* Hidden inputs for every group but except (PG__COUNT: all). */
void pform_hidden(struct page *p, const struct pform *f, enum pf_group except);
void pform_release(struct pform *f);
/* MSG_NONE when url may be a landing page of the shop. */
enum msg landing_check(const struct shop *shop, const char *url);
/* The shop's home page, or "" when it cannot be told. */
void landing_default(const struct shop *shop, char *out, size_t n);
/* "10% of each order", "$5.00 coupon" ... */
void commission_summary(struct buf *out, const struct program *p,
			const struct i18n_lang *lang);

#endif
