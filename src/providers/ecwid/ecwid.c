/*
 * Ecwid (Lightspeed E-Series). Webhooks are signed events that only name
 * the store and the order, so order events are WEBHOOK_ORDER_REF and the
 * order is read back through the REST API (GET /{storeId}/orders/{id}).
 * Ecwid sends money as JSON numbers: util/json.h hands us the exact token
 * text and money_parse turns it into minor units, never through a double.
 *
 * Currency: an Ecwid order does not say its currency; the store profile
 * does (formatsAndUnits.currency). fetch_order and list_orders parse with
 * the shop's currency from the env. The pure parse_order member has no
 * env, so it needs a top-level "currency" member in the JSON (which Ecwid
 * never sends: tests and tools add it) and otherwise fails and says so.
 *
 * Rewards are discount coupons; Ecwid has no API that issues gift cards.
 * Webhook addresses are part of the app registration, not of the API, so
 * there is no register_webhooks.
 *
 * This file holds the table the core calls through; each part lives in
 * providers/ecwid/<part>.c.
 */
#include "providers/provider_int.h"
#include "providers/ecwid/internal.h"

/*
 * Served at /storefront/ecwid.js and registered as the app's customJsUrl
 * (needs the customize_storefront scope). It keeps ref and
 * affiliated_click from the landing URL in first-party cookies (aff_ref,
 * aff_click) for 30 days and puts them into every order as hidden extra
 * fields "ref" and "affiliated_click": ec.order.extraFields entries with
 * a value and no checkoutDisplaySection are saved with the order but
 * shown to nobody at checkout. Ecwid.refreshConfig() makes a storefront
 * that has already loaded pick them up.
 */
static const char ecwid_storefront_js[] =
	"(function () {\n"
	"  'use strict';\n"
	"  var DAYS = 30;\n"
	"  function param(name) {\n"
	"    var m = new RegExp('[?&]' + name + '=([^&#]*)')"
	".exec(location.search);\n"
	"    try { return m ? decodeURIComponent(m[1].replace(/\\+/g, ' '))"
	" : ''; }\n"
	"    catch (e) { return ''; }\n"
	"  }\n"
	"  function cookie(name) {\n"
	"    var m = new RegExp('(?:^|; )' + name + '=([^;]*)')"
	".exec(document.cookie);\n"
	"    try { return m ? decodeURIComponent(m[1]) : ''; }\n"
	"    catch (e) { return ''; }\n"
	"  }\n"
	"  function keep(name, value) {\n"
	"    document.cookie = name + '=' + encodeURIComponent(value) +\n"
	"      '; max-age=' + (value ? DAYS * 86400 : 0) +\n"
	"      '; path=/; SameSite=Lax';\n"
	"  }\n"
	"  var REF = /^[A-Za-z0-9._~-]{1,64}$/, CLICK = /^[0-9]{1,19}$/;\n"
	"  var ref = param('ref'), click = param('affiliated_click');\n"
	"  if (REF.test(ref) || CLICK.test(click)) {\n"
	"    /* a new referral link replaces the whole pair */\n"
	"    ref = REF.test(ref) ? ref : '';\n"
	"    click = CLICK.test(click) ? click : '';\n"
	"    keep('aff_ref', ref);\n"
	"    keep('aff_click', click);\n"
	"  } else {\n"
	"    ref = REF.test(cookie('aff_ref')) ? cookie('aff_ref') : '';\n"
	"    click = CLICK.test(cookie('aff_click')) ? cookie('aff_click') : "
	"'';\n"
	"  }\n"
	"  if (!ref && !click) return;\n"
	"  function fields() {\n"
	"    window.ec = window.ec || {};\n"
	"    ec.order = ec.order || {};\n"
	"    ec.order.extraFields = ec.order.extraFields || {};\n"
	"    if (ref) ec.order.extraFields.ref =\n"
	"      { title: 'Referral code', value: ref };\n"
	"    if (click) ec.order.extraFields.affiliated_click =\n"
	"      { title: 'Referral click', value: click };\n"
	"  }\n"
	"  fields();\n"
	"  var tries = 0;\n"
	"  (function hook() {\n"
	"    if (window.Ecwid && Ecwid.OnAPILoaded) {\n"
	"      Ecwid.OnAPILoaded.add(function () {\n"
	"        fields();\n"
	"        if (Ecwid.refreshConfig) Ecwid.refreshConfig();\n"
	"      });\n"
	"    } else if (++tries < 100) {\n"
	"      setTimeout(hook, 100);\n"
	"    }\n"
	"  })();\n"
	"})();\n";

/*
 * Ecwid's Control Panel shows a native app's page only after the page
 * initializes its JS SDK (EcwidApp, loaded first from [ecwid] sdk_url);
 * autoheight lets the frame follow the page's height.
 */
static const char ecwid_admin_frame_js[] =
	"(function () {\n"
	"  'use strict';\n"
	"  var me = document.currentScript;\n"
	"  var id = me && me.getAttribute('data-app-id');\n"
	"  if (!id || !window.EcwidApp) return;\n"
	"  window.EcwidApp.init({app_id: id, autoloadedflag: true,\n"
	"                        autoheight: true});\n"
	"})();\n";

const struct provider ecwid_provider = {
	.name = "ecwid",
	/* App Market installs come back with only a code, never our state. */
	.caps = PROVIDER_CAN_FETCH_ORDER | PROVIDER_UNSOLICITED_INSTALL,
	.keys = ecwid_keys,
	.n_keys = ECWID_KEY__COUNT,
	.install_redirect = ecwid_install_redirect,
	.finish_install = ecwid_finish_install,
	.describe_shop = ecwid_describe_shop,
	.verify_webhook = ecwid_verify_webhook,
	.classify_webhook = ecwid_classify_webhook,
	.parse_order = ecwid_parse_order,
	.parse_order_ref = ecwid_parse_order_ref,
	.parse_privacy = ecwid_parse_privacy,
	.fetch_order = ecwid_fetch_order,
	.list_orders = ecwid_list_orders,
	.create_coupon = ecwid_create_coupon,
	.find_coupon = ecwid_find_coupon,
	.open_app_payload = ecwid_open_app_payload,
	.storefront_js = ecwid_storefront_js,
	.admin_frame_js = ecwid_admin_frame_js,
	.landing_default = ecwid_landing_default,
};
