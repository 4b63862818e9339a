/*
 * Figures the merchant's reports and the affiliate's page both show:
 * rates, network names, the row of big numbers.
 */
#include "http/figures.h"
#include "http/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rate_text(char *out, size_t n, int64_t part, int64_t whole)
{
	int64_t permille;

	if (whole <= 0) {
		snprintf(out, n, "\u2013");
		return;
	}
	permille = (part * 1000 + whole / 2) / whole;
	snprintf(out, n, "%lld.%lld%%", (long long)(permille / 10),
		 (long long)(permille % 10));
}

enum msg network_label(const char *network)
{
	static const struct {
		const char *name;
		enum msg label;
	} names[] = {
		{"facebook", MSG_NET_FACEBOOK}, {"x", MSG_NET_X},
		{"linkedin", MSG_NET_LINKEDIN}, {"email", MSG_NET_EMAIL},
		{"direct", MSG_NET_DIRECT},	{"other", MSG_NET_OTHER},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(network, names[i].name) == 0)
			return names[i].label;
	return network[0] ? MSG_NET_OTHER : MSG_NET_NONE;
}

void report_figures(struct page *p, const struct report_row *t,
		    const char *currency, enum msg paid_label)
{
	struct buf money[3];
	char conv[32];
	int i;

	for (i = 0; i < 3; i++)
		buf_init(&money[i], 128);
	rate_text(conv, sizeof(conv), t->orders, t->clicks);
	if (i18n_money(&money[0], t->sales, currency) < 0 ||
	    i18n_money(&money[1], t->orders ? t->sales / t->orders : 0,
		       currency) < 0 ||
	    i18n_money(&money[2], t->commission, currency) < 0)
		p->failed = true;
	html(p,
	     "<ul class=\"figures\"><li><span>%t</span><strong>%D</strong>"
	     "</li><li><span>%t</span><strong>%D</strong></li><li><span>%t"
	     "</span><strong>%s</strong></li><li><span>%t</span><strong>%s"
	     "</strong></li><li><span>%t</span><strong>%s</strong></li><li>"
	     "<span>%t</span><strong>%s</strong></li></ul>",
	     MSG_CLICKS, t->clicks, MSG_ORDERS, t->orders, MSG_CONVERSION, conv,
	     MSG_SALES, buf_str(&money[0]), MSG_AOV, buf_str(&money[1]),
	     paid_label, buf_str(&money[2]));
	for (i = 0; i < 3; i++)
		buf_release(&money[i]);
}
