/* English: the complete catalogue; other languages fall back to it. */
#include "http/i18n.h"

const char *const i18n_msgs_en[MSG__COUNT] = {
	[MSG_NONE] = "",
	[MSG_APP_NAME] = "Affiliated",
	[MSG_LANGUAGE] = "Language",
	[MSG_CHANGE] = "Change",
	[MSG_NAV_LABEL] = "Main",
	[MSG_COPY] = "Copy",
	[MSG_COPIED] = "Copied",
	[MSG_BACK] = "Back",
	[MSG_NEXT] = "Next",
	[MSG_SAVE] = "Save changes",
	[MSG_NOTHING_YET] = "Nothing here yet.",
	[MSG_DOWNLOAD_CSV] = "Download CSV",
	[MSG_DAYS] = "days",
	[MSG_PERIOD] = "Period",
	[MSG_ERR_REQUIRED] = "Please fill this in.",
	[MSG_ERR_TOO_LONG] = "This is too long: at most {1} characters.",
	[MSG_ERR_TEXT] = "This contains characters that cannot be used.",
	[MSG_ERR_EMAIL] = "Enter an email address like name@example.com.",
	[MSG_ERR_NUMBER] = "Enter a whole number in the range {1}.",
	[MSG_ERR_PERCENT] =
		"Enter a percentage between 0 and 100, like 10 or 12.5.",
	[MSG_ERR_AMOUNT] = "Enter an amount like 5 or 12.50.",
	[MSG_ERR_URL] = "Enter a full address starting with https://",
	[MSG_ERR_URL_DOMAIN] =
		"The landing page must be on your shop: https://{1}/...",
	[MSG_ERR_TWICE] = "This field was sent more than once.",
	[MSG_ERR_CHOICE] = "Choose one of the options.",
	[MSG_ERR_EMAIL_TAKEN] =
		"This email already has an account — log in instead.",
	[MSG_ERR_PASSWORD_SHORT] = "Use at least 10 characters.",
	[MSG_BAD_FORM_TITLE] = "This form could not be read",
	[MSG_BAD_FORM_TEXT] = "Something in the form was malformed. Go back, "
			      "reload the page and try again.",
	[MSG_CSRF_TITLE] = "This form has expired",
	[MSG_CSRF_TEXT] = "For your safety the form was not sent. Go back, "
			  "reload the page and try again.",
	[MSG_NOT_FOUND_TITLE] = "Page not found",
	[MSG_NOT_FOUND_TEXT] =
		"There is nothing at this address. Check the link, or go back.",
	[MSG_ERROR_TITLE] = "Something went wrong",
	[MSG_ERROR_TEXT] =
		"We could not finish this. Please try again in a moment.",
	[MSG_TOO_MANY] =
		"Too many attempts. Please wait 10 minutes and try again.",
	[MSG_LINK_UNKNOWN_TITLE] = "This link does not work",
	[MSG_LINK_UNKNOWN_TEXT] =
		"The referral link you followed is not known. Ask the person "
		"who shared it for a new one.",
	[MSG_CLICKS] = "Clicks",
	[MSG_ORDERS] = "Orders",
	[MSG_CONVERSION] = "Conversion",
	[MSG_SALES] = "Sales",
	[MSG_AOV] = "Average order",
	[MSG_COMMISSIONS] = "Commissions",
	[MSG_EARNINGS] = "Earnings",
	[MSG_NETWORK] = "Network",
	[MSG_BALANCE] = "Balance",
	[MSG_PENDING] = "Pending",
	[MSG_APPROVED] = "Approved",
	[MSG_PAID] = "Paid out",
	[MSG_COUPON] = "Coupon",
	[MSG_GIFT_CARD] = "Gift card",
	[MSG_NET_FACEBOOK] = "Facebook",
	[MSG_NET_X] = "X",
	[MSG_NET_LINKEDIN] = "LinkedIn",
	[MSG_NET_EMAIL] = "Email",
	[MSG_NET_OTHER] = "Other sites",
	[MSG_NET_DIRECT] = "Direct",
	[MSG_NET_NONE] = "Coupon code or unknown",
	[MSG_SUMMARY_PERCENT] = "{1}% of each order",
	[MSG_SUMMARY_FIXED] = "{1} for each order",
	[MSG_SUMMARY_COUPON] = "A {1} coupon for each order",
	[MSG_SUMMARY_GIFT] = "A {1} gift card for each order",
	[MSG_REWARD_PENDING] = "Being prepared",
	[MSG_REWARD_ISSUED] = "Ready to use",
	[MSG_REWARD_DELAYED] = "Delayed",
	[MSG_REWARD_CANCELLED] = "Cancelled",
	[MSG_COL_NAME] = "Name",
	[MSG_COL_KIND] = "Kind",
	[MSG_COL_COMMISSION] = "Commission",
	[MSG_COL_STATUS] = "Status",
	[MSG_COL_AFFILIATES] = "Affiliates",
	[MSG_COL_AFFILIATE] = "Affiliate",
	[MSG_COL_PROGRAM] = "Program",
	[MSG_COL_EMAIL] = "Email",
	[MSG_COL_CODE] = "Code",
	[MSG_COL_DATE] = "Date",
	[MSG_COL_ORDER] = "Order",
	[MSG_COL_ORDER_VALUE] = "Order value",
	[MSG_COL_TOTAL] = "Total",
	[MSG_COL_DECISION] = "Decision",
	[MSG_COL_REASON] = "Reason",
	[MSG_COL_CURRENCY] = "Currency",
	[MSG_COL_AMOUNT] = "Amount",
	[MSG_COL_ID] = "Id",
	[MSG_COL_VALUE] = "Value",
	[MSG_COL_ATTEMPTS] = "Attempts",
	[MSG_COL_LAST_ERROR] = "Last error",
	[MSG_AFF_SIGNUP_TITLE] = "Become a partner of {1}",
	[MSG_AFF_SIGNUP_INTRO] =
		"Share {1} with your friends and followers, and earn a reward "
		"for every order they place.",
	[MSG_AFF_NAME] = "Your name",
	[MSG_AFF_EMAIL] = "Email",
	[MSG_AFF_PASSWORD] = "Password",
	[MSG_AFF_PASSWORD_HINT] = "At least 10 characters.",
	[MSG_AFF_PROGRAM] = "Program",
	[MSG_AFF_SIGNUP_BUTTON] = "Create my account",
	[MSG_AFF_HAVE_ACCOUNT] = "Already have an account?",
	[MSG_AFF_LOGIN_LINK] = "Log in",
	[MSG_AFF_NO_PROGRAM] =
		"This shop has no open partner program right now.",
	[MSG_AFF_LOGIN_TITLE] = "Log in",
	[MSG_AFF_LOGIN_BUTTON] = "Log in",
	[MSG_AFF_LOGIN_FAILED] = "Wrong email or password.",
	[MSG_AFF_DISABLED] = "This account has been closed by the shop.",
	[MSG_AFF_NO_ACCOUNT] = "New here?",
	[MSG_AFF_SIGNUP_LINK] = "Create an account",
	[MSG_AFF_LOGOUT] = "Log out",
	[MSG_AFF_DASH_TITLE] = "Your partner page",
	[MSG_AFF_HELLO] = "Hello, {1}",
	[MSG_AFF_PENDING] = "Your account is waiting for the shop's approval. "
			    "Your link starts counting once it is approved.",
	[MSG_AFF_YOUR_LINK] = "Your link",
	[MSG_AFF_LINK_HELP] = "Share this link. Orders placed after someone "
			      "follows it are credited to you.",
	[MSG_AFF_YOUR_CODES] = "Your coupon codes",
	[MSG_AFF_NO_CODES] = "No coupon codes yet.",
	[MSG_AFF_SHARE] = "Share",
	[MSG_AFF_SHARE_TEXT] = "Have a look at {1}: {2}",
	[MSG_AFF_STATS] = "Your results",
	[MSG_AFF_PER_NETWORK] = "By network",
	[MSG_AFF_BALANCE_HELP] = "Pending earnings are approved once the "
				 "shop's return period is over.",
	[MSG_AFF_RECENT] = "Recent sales",
	[MSG_AFF_REWARDS] = "Your rewards",
	[MSG_TAB_OVERVIEW] = "Overview",
	[MSG_TAB_PROGRAMS] = "Programs",
	[MSG_TAB_AFFILIATES] = "Affiliates",
	[MSG_TAB_ORDERS] = "Orders",
	[MSG_TAB_REWARDS] = "Rewards",
	[MSG_TAB_WIZARD] = "Setup",
	[MSG_SIGN_OUT] = "Sign out",
	[MSG_REAUTH_NEEDED] =
		"Your store stopped accepting this app's access ({1}). Open "
		"the app again from your store's admin to renew it: until "
		"then rewards wait and orders are not read from the store.",
	[MSG_TOPICS_REFUSED] =
		"Your store refused {1} of the order notifications this app "
		"needs: \"{2}\". Orders are still found by the "
		"regular check of your store, but later; the notifications "
		"are asked for again regularly.",
	[MSG_TOPICS_MISSING] =
		"{1} of the order notifications this app needs are missing "
		"in your store. They are asked for again regularly; orders "
		"are still found by the regular check of your store.",
	[MSG_DELIVERIES_FAILED] =
		"{1} notifications from your store could not be processed "
		"and were set aside (the first: \"{2}\"). Nothing is lost: "
		"the operator can see them with 'affiliated deliveries list "
		"--status failed' and replay them once the cause is fixed.",
	[MSG_SIGNIN_NEEDED_TITLE] = "Please sign in",
	[MSG_SIGNIN_NEEDED_TEXT] =
		"Open the app from your store's admin, or ask the operator for "
		"a sign-in link (affiliated admin-link --shop YOUR-SHOP).",
	[MSG_SIGNIN_TITLE] = "Sign in",
	[MSG_SIGNIN_TEXT] = "This signs you in to the affiliate admin of the "
			    "shop below. Continue only if it is yours: the "
			    "link works once.",
	[MSG_SIGNIN_BUTTON] = "Sign in",
	[MSG_SIGNIN_EXPIRED_TITLE] = "This sign-in link has expired",
	[MSG_SIGNIN_EXPIRED_TEXT] = "Sign-in links work once and for 10 "
				    "minutes. Ask for a new one.",
	[MSG_SIGNED_OUT_TITLE] = "You are signed out",
	[MSG_SIGNED_OUT_TEXT] =
		"Open the app from your store's admin to sign in again.",
	[MSG_STATUS_ACTIVE] = "Active",
	[MSG_STATUS_PAUSED] = "Paused",
	[MSG_STATUS_PENDING] = "Waiting for approval",
	[MSG_STATUS_DISABLED] = "Disabled",
	[MSG_KIND_REFERRAL] = "Customer referral",
	[MSG_KIND_AFFILIATE] = "Affiliates and influencers",
	[MSG_NEW_PROGRAM] = "New program",
	[MSG_EDIT_PROGRAM] = "Edit the program",
	[MSG_PAUSE] = "Pause the program",
	[MSG_RESUME] = "Resume the program",
	[MSG_SIGNUP_LINK] = "Signup link for your partners",
	[MSG_APPROVE] = "Approve",
	[MSG_DISABLE] = "Disable",
	[MSG_ENABLE] = "Enable again",
	[MSG_WAITING_APPROVAL] = "Waiting for your approval",
	[MSG_COUPON_CODES] = "Coupon codes",
	[MSG_RETRY] = "Retry",
	[MSG_FAILED_REWARDS] = "Rewards that failed",
	[MSG_REPORT_BY_AFFILIATE] = "By affiliate",
	[MSG_REPORT_BY_PROGRAM] = "By program",
	[MSG_REPORT_BY_NETWORK] = "By social network",
	[MSG_REPORT_BY_DAY] = "By day",
	[MSG_CHART_SALES] = "Sales per day",
	[MSG_CHART_CLICKS] = "Clicks per day",
	[MSG_WIZ_TITLE] = "Set up your program",
	[MSG_WIZ_STEP] = "Step {1} of {2}",
	[MSG_WIZ_CREATE] = "Create program",
	[MSG_WIZ_Q_NAME] = "What should the program be called?",
	[MSG_WIZ_Q_KIND] = "Who will share your shop?",
	[MSG_WIZ_Q_LANDING] = "Where should shared links lead?",
	[MSG_WIZ_Q_COMMISSION] = "How do you reward them?",
	[MSG_WIZ_Q_FRIEND] = "Do friends get a discount?",
	[MSG_WIZ_Q_WINDOW] = "How long does a click count?",
	[MSG_WIZ_Q_NETWORKS] = "Which share buttons should partners get?",
	[MSG_WIZ_NAME] = "Program name",
	[MSG_WIZ_NAME_HINT] = "Partners see this name when they sign up.",
	[MSG_WIZ_KIND_REFERRAL_HINT] =
		"Your customers recommend you to friends.",
	[MSG_WIZ_KIND_AFFILIATE_HINT] =
		"Bloggers, creators and other partners promote you.",
	[MSG_WIZ_LANDING] = "Landing page",
	[MSG_WIZ_LANDING_HINT] =
		"Your home page, a product page, or any page of your shop.",
	[MSG_WIZ_REWARD_TYPE] = "Reward",
	[MSG_WIZ_REWARD_PERCENT] = "A percentage of each order",
	[MSG_WIZ_REWARD_PERCENT_HINT] =
		"Paid out by you from the balance we keep.",
	[MSG_WIZ_REWARD_FIXED] = "A fixed amount per order",
	[MSG_WIZ_REWARD_FIXED_HINT] =
		"The same amount for every order, paid out by you.",
	[MSG_WIZ_REWARD_COUPON] = "A discount coupon of a set value",
	[MSG_WIZ_REWARD_COUPON_HINT] =
		"Created in your store automatically for each order.",
	[MSG_WIZ_REWARD_GIFT] = "A gift card of a set value",
	[MSG_WIZ_REWARD_GIFT_HINT] = "Created in your store automatically; "
				     "needs gift cards enabled.",
	[MSG_WIZ_RATE] = "Percentage of the order",
	[MSG_WIZ_RATE_HINT] = "For a percentage reward, e.g. 10.",
	[MSG_WIZ_AMOUNT] = "Amount",
	[MSG_WIZ_AMOUNT_HINT] = "For a fixed amount, coupon or gift card, in "
				"{1}, e.g. 5 or 12.50.",
	[MSG_WIZ_FRIEND] = "Friend's discount (percent)",
	[MSG_WIZ_FRIEND_HINT] =
		"Off the first order of a referred friend. 0 for none.",
	[MSG_WIZ_WINDOW] = "Attribution window (days)",
	[MSG_WIZ_WINDOW_HINT] =
		"An order within this many days of a click is credited.",
	[MSG_WIZ_DONE_TITLE] = "Your program is ready",
	[MSG_WIZ_DONE_TEXT] = "{1} is live: {2}. Give this link to your "
			      "customers and partners so they can sign up.",
	[MSG_WIZ_NEXT_TITLE] = "What to do next",
	[MSG_WIZ_NEXT_1] =
		"Put the signup link in your order confirmation emails.",
	[MSG_WIZ_NEXT_2] = "Tell your customers about it: a post, a "
			   "newsletter, a card in the parcel.",
	[MSG_WIZ_NEXT_3] =
		"Invite the creators and bloggers you already work with.",
	[MSG_WIZ_NEXT_4] =
		"Check the overview for clicks, orders and commissions.",
	[MSG_WIZ_SEE_PROGRAM] = "See the program",
	[MSG_WIZ_TO_ADMIN] = "Go to the overview",
	[MSG_AFF_JOINED] = "Thank you for signing up. Log in with your email "
			   "and password. If this email already had an "
			   "account, use that account's password.",
};
