/* Figures both the merchant's and the affiliate's pages show (figures.c). */
#ifndef AFFILIATED_HTTP_FIGURES_H
#define AFFILIATED_HTTP_FIGURES_H

#include "http/html.h"
#include "http/i18n.h"
#include "store/store_reports.h"

#include <stdbool.h>
#include <stdint.h>

/* "2.5%" from a part of a whole, one decimal, without floating point. */
void rate_text(char *out, size_t n, int64_t part, int64_t whole);
/* The label of a click's network ("" is "code or unknown"). */
enum msg network_label(const char *network);
/* The big figures of a report: clicks, orders, conversion, sales... and
 * the commissions under paid_label. */
void report_figures(struct page *p, const struct report_row *t,
		    const char *currency, enum msg paid_label);

#endif
