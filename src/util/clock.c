#include "util/clock.h"
#include "util/parse.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static int64_t offset;
static pthread_once_t offset_once = PTHREAD_ONCE_INIT;

static void offset_read(void)
{
	const char *env = getenv("AFFILIATED_TIME_OFFSET");
	int64_t v;

	if (env && parse_int_str(env, INT32_MAX, &v) == 0)
		offset = v;
}

int64_t clock_now(void)
{
	pthread_once(&offset_once, offset_read);
	return (int64_t)time(NULL) + offset;
}

uint64_t clock_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void clock_sleep_ms(uint64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000),
			      (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}
