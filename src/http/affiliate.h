/*
 * What every affiliate page knows, and the frame of the page
 * (affiliate.c).
 */
#ifndef AFFILIATED_HTTP_AFFILIATE_H
#define AFFILIATED_HTTP_AFFILIATE_H

#include "http/html.h"
#include "http/router.h"
#include "model/model.h"
#include "store/store_sessions.h"

#include <stdbool.h>
#include <stdint.h>

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

#endif
