/* Paths of the merchant's and the affiliate's pages. */
#include "http/pages.h"
#include "http/router.h"

#include <stddef.h>

const struct route page_routes[] = {
	{"GET", "/r/:code", page_click},
	{"GET", "/assets/app.css", page_asset_css},
	{"GET", "/assets/app.js", page_asset_js},
	{"GET", "/a/:shop", page_aff_home_redirect},
	{"GET", "/a/:shop/", page_aff_home},
	{"GET", "/a/:shop/signup", page_aff_signup_get},
	{"POST", "/a/:shop/signup", page_aff_signup_post},
	{"GET", "/a/:shop/login", page_aff_login_get},
	{"POST", "/a/:shop/login", page_aff_login_post},
	{"POST", "/a/:shop/logout", page_aff_logout},
	{"GET", "/wizard", page_wizard_get},
	{"POST", "/wizard", page_wizard_post},
	{"GET", "/wizard/done", page_wizard_done},
	{"GET", "/admin", page_reports},
	{"GET", "/admin/reports", page_reports},
	{"GET", "/admin/signin", page_signin_get},
	{"POST", "/admin/signin", page_signin_post},
	{"POST", "/admin/logout", page_admin_logout},
	{"GET", "/admin/programs", page_programs},
	{"GET", "/admin/programs/new", page_program_new_get},
	{"POST", "/admin/programs/new", page_program_new_post},
	{"GET", "/admin/programs/:id", page_program_get},
	{"POST", "/admin/programs/:id", page_program_post},
	{"POST", "/admin/programs/:id/status", page_program_status},
	{"GET", "/admin/affiliates", page_affiliates},
	{"GET", "/admin/affiliates/:id", page_affiliate_get},
	{"POST", "/admin/affiliates/:id/status", page_affiliate_status},
	{"GET", "/admin/orders", page_orders},
	{"GET", "/admin/rewards", page_rewards},
	{"POST", "/admin/rewards/:id/retry", page_reward_retry},
	{NULL, NULL, NULL},
};
