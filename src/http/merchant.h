/*
 * The signed-in merchant of a request, and the frame of the merchant's
 * pages (merchant.c): every /admin and /wizard page starts here.
 */
#ifndef AFFILIATED_HTTP_MERCHANT_H
#define AFFILIATED_HTTP_MERCHANT_H

#include "http/form.h"
#include "http/html.h"
#include "http/router.h"
#include "model/model.h"
#include "store/store_sessions.h"

#include <stdbool.h>
#include <stdint.h>

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
/* The signup link of a shop into out: <public_url>/a/<domain>/signup. */
void signup_link(struct app *app, const struct shop *shop, struct buf *out);

#endif
