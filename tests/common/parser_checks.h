/*
 * What every parser a delivery, a simulate file or a browser's form can
 * reach must do with any input: answer 0 with a usable result or -1 with
 * a reason, and never both missing. The
 * mutation test (tests/unit/test_parse_mutations.c) and the fuzzer
 * (tests/fuzz/fuzz_parsers.c) feed these the inputs they make.
 */
#ifndef AFFILIATED_PARSER_CHECKS_H
#define AFFILIATED_PARSER_CHECKS_H

#include "providers/provider.h"

#include <stddef.h>

/*
 * Runs every parser of provider p on len bytes of data: 0 when each kept
 * its promise, -1 with *broken naming the first that did not.
 */
int check_provider_parsers(const struct provider *p, const char *data,
			   size_t len, const char **broken);
/*
 * The same for Shopify's GraphQL Admin answers (an order(id:) or a
 * refund(id:) answer), which no provider member exposes.
 */
int check_shopify_graphql(const char *data, size_t len, const char **broken);
/* The same for the neutral order of simulate files (order_from_json). */
int check_neutral_order(const char *data, size_t len, const char **broken);
/*
 * The same for a form body (form_parse): decoded pairs with a name, none
 * over its limit, and nothing held after a failure.
 */
int check_form(const char *data, size_t len, const char **broken);

#endif
