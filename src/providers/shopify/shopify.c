/*
 * Shopify: OAuth install with query HMACs, webhooks signed over the raw
 * body, REST webhook orders and GraphQL Admin orders (reads and
 * reconciliation) into the neutral order, and rewards through the
 * GraphQL Admin API (discountCodeBasicCreate, giftCardCreate) with the
 * cost-based throttle read from every answer. Facts and sources are in
 * shared/design/PLATFORMS.md, section 1. This file holds the table the
 * core calls through; each part lives in providers/shopify/<part>.c.
 */
#include "providers/provider_int.h"
#include "providers/shopify/internal.h"

/*
 * The theme snippet: carries ?ref= (and the click id) from the landing
 * URL, or from our first-party cookies, into the cart's attributes, where
 * Shopify turns them into the order's note_attributes. A new ref replaces
 * the pair; the cart is read first, so it is written only when it does
 * not hold the pair yet (a new cart after an order gets it again).
 */
static const char shopify_storefront_js[] =
	"(function(){\n"
	"  var ok = /^[A-Za-z0-9._~-]{1,64}$/;\n"
	"  var q = new URLSearchParams(location.search);\n"
	"  function cookie(n){var m=document.cookie.match('(?:^|; )'+n+"
	"'=([^;]*)');\n"
	"    if (!m) return null; try {return decodeURIComponent(m[1]);}\n"
	"    catch (e) {return null;}}\n"
	"  function keep(n,v){document.cookie=n+'='+(v?encodeURIComponent(v)"
	":'')+\n"
	"    ';path=/;max-age='+(v?2592000:0)+';SameSite=Lax';}\n"
	"  var ref = q.get('ref'), click = q.get('affiliated_click');\n"
	"  if (click && !ok.test(click)) click = null;\n"
	"  if (ref && ok.test(ref)) { keep('aff_ref', ref); "
	"keep('aff_click', click); }\n"
	"  else { ref = cookie('aff_ref'); click = ref ? cookie('aff_click') "
	": null; }\n"
	"  if (!ref || !ok.test(ref)) return;\n"
	"  if (click && !ok.test(click)) click = null;\n"
	"  var root = (window.Shopify && Shopify.routes && Shopify.routes.root)"
	" || '/';\n"
	"  fetch(root + 'cart.js', {credentials: 'same-origin'})\n"
	"  .then(function(r){ return r.json(); })\n"
	"  .then(function(cart){\n"
	"    var a = (cart && cart.attributes) || {};\n"
	"    if (a.ref === ref && (a.affiliated_click || '') === "
	"(click || '')) return;\n"
	"    return fetch(root + 'cart/update.js', {method: 'POST',\n"
	"      credentials: 'same-origin',\n"
	"      headers: {'Content-Type': 'application/json'},\n"
	"      body: JSON.stringify({attributes: {ref: ref,\n"
	"        affiliated_click: click || ''}})});\n"
	"  }).catch(function(){});\n"
	"})();\n";

const struct provider shopify_provider = {
	.name = "shopify",
	.caps = PROVIDER_CAN_GIFT_CARD | PROVIDER_CAN_FETCH_ORDER |
		PROVIDER_CAN_API_WEBHOOKS | PROVIDER_CAN_REFRESH_TOKEN |
		PROVIDER_CAN_MIGRATE_TOKEN | PROVIDER_SHOP_SECRETS,
	.keys = shopify_keys,
	.n_keys = SHOPIFY_KEY__COUNT,
	.config_warnings = shopify_config_warnings,
	.install_redirect = shopify_install_redirect,
	.finish_install = shopify_finish_install,
	.check_webhooks = shopify_check_webhooks,
	.refresh_token = shopify_refresh_token,
	.migrate_token = shopify_migrate_token,
	.describe_shop = shopify_describe_shop,
	.verify_webhook = shopify_verify_webhook,
	.webhook_claimed_shop = shopify_claimed_shop,
	.classify_webhook = shopify_classify_webhook,
	.parse_order = shopify_parse_order,
	.parse_refund = shopify_parse_refund,
	.parse_privacy = shopify_parse_privacy,
	.fetch_order = shopify_fetch_order,
	.fetch_refund = shopify_fetch_refund,
	.list_orders = shopify_list_orders,
	.create_coupon = shopify_create_coupon,
	.find_coupon = shopify_find_coupon,
	.create_gift_card = shopify_create_gift_card,
	.find_gift_card = shopify_find_gift_card,
	.storefront_js = shopify_storefront_js,
	.landing_allowed = shopify_landing_allowed,
};
