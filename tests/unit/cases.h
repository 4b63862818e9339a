/*
 * The table of named cases that the table-driven unit tests build at run
 * time: add_case() gives each row its case and a printf-style name. One
 * test program per module, so one table per program.
 * Include after cmocka.h and util/buf.h (PRINTF_LIKE).
 */
#ifndef AFFILIATED_TEST_CASES_H
#define AFFILIATED_TEST_CASES_H

#include <stdio.h>
#include <stdlib.h>

enum { MAX_CASES = 256, CASE_NAME_MAX = 112 };

static struct CMUnitTest cases[MAX_CASES];
static char names[MAX_CASES][CASE_NAME_MAX];
static size_t ncases;

static void add_case(CMUnitTestFunction fn, void *row, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

static void add_case(CMUnitTestFunction fn, void *row, const char *fmt, ...)
{
	va_list ap;

	if (ncases == MAX_CASES) {
		fprintf(stderr, "too many cases: raise MAX_CASES\n");
		exit(2);
	}
	va_start(ap, fmt);
	vsnprintf(names[ncases], sizeof(names[0]), fmt, ap);
	va_end(ap);
	cases[ncases].name = names[ncases];
	cases[ncases].test_func = fn;
	cases[ncases].initial_state = row;
	ncases++;
}

#endif
