/* Wall and monotonic clocks. */
#ifndef AFFILIATED_CLOCK_H
#define AFFILIATED_CLOCK_H

#include <stdint.h>

/*
 * Seconds since the epoch. AFFILIATED_TIME_OFFSET (seconds, read once)
 * shifts it, so tests can start a daemon "days later" to see holding
 * periods and attribution windows end.
 */
int64_t clock_now(void);
/* Microseconds from a monotonic clock, for durations. */
uint64_t clock_usec(void);
/* Sleeps for ms milliseconds. */
void clock_sleep_ms(uint64_t ms);

#endif
