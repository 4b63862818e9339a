/*
 * The merchant's and the affiliate's pages: their handlers (routed in
 * pages_routes.c) and what every page file shares (pages.c). The
 * merchant's frame is merchant.h, the affiliate's affiliate.h, the
 * program form program_form.h.
 */
#ifndef AFFILIATED_PAGES_H
#define AFFILIATED_PAGES_H

#include "http/form.h"
#include "http/html.h"
#include "http/router.h"
#include "model/model.h"

#include <stdbool.h>
#include <stdint.h>

/* merchant_wizard.c */
route_handler page_wizard_get, page_wizard_post, page_wizard_done;
/* merchant_signin.c */
route_handler page_signin_get, page_signin_post, page_admin_logout;
/* merchant_programs.c */
route_handler page_programs, page_program_new_get, page_program_new_post;
route_handler page_program_get, page_program_post, page_program_status;
/* merchant_affiliates.c */
route_handler page_affiliates, page_affiliate_get, page_affiliate_status;
/* merchant_reports.c */
route_handler page_reports, page_orders, page_rewards, page_reward_retry;
/* affiliate_account.c, affiliate_home.c */
route_handler page_aff_signup_get, page_aff_signup_post;
route_handler page_aff_login_get, page_aff_login_post;
route_handler page_aff_logout, page_aff_home, page_aff_home_redirect;
/* click.c */
route_handler page_click;
/* assets.c */
route_handler page_asset_css, page_asset_js;

/* The 404 page. */
void not_found(struct request *req, struct response *resp);
/* 500 page after logging what failed. */
void page_fail(struct request *req, struct response *resp, const char *what,
	       const struct buf *err);
/* Parses a route parameter as a positive id; 0 when it is not one. */
int64_t param_id(const struct request *req, int i);
/* The shop's name, or its domain when it has none. */
const char *shop_title(const struct shop *s);

#endif
