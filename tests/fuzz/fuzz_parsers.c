/*
 * libFuzzer target: every parser a delivery, a simulate file or a form
 * can reach gets the fuzzer's input, and each must keep the promises of
 * tests/common/parser_checks.c; a broken one aborts with its name. The
 * first byte picks the parser (4: Shopify's GraphQL answers), so that one
 * corpus serves them all.
 * Built by scripts/fuzz (clang, -DSANITIZE=fuzzer), seeded with the
 * fixtures.
 */
#include "util/log.h"
#include "parser_checks.h"
#include "providers/provider_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each provider call logs a line: at this rate only errors are worth it. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1, *broken = NULL;
	size_t len = size ? size - 1 : 0;
	int rc;

	if (size == 0)
		return 0;
	switch (data[0] % 5) {
	case 0:
		rc = check_provider_parsers(&shopify_provider, text, len,
					    &broken);
		break;
	case 1:
		rc = check_provider_parsers(&ecwid_provider, text, len,
					    &broken);
		break;
	case 2:
		rc = check_neutral_order(text, len, &broken);
		break;
	case 4:
		rc = check_shopify_graphql(text, len, &broken);
		break;
	default: /* 3 */
		rc = check_form(text, len, &broken);
		break;
	}
	if (rc < 0) {
		fprintf(stderr, "broken promise: %s\n", broken);
		abort();
	}
	return 0;
}
