#include "wakeup.h"

#include <time.h>

void wakeup_init(struct wakeup *w)
{
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->generation = 0;
	atomic_init(&w->stopping, false);
}

void wakeup_destroy(struct wakeup *w)
{
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

unsigned long wakeup_mark(struct wakeup *w)
{
	unsigned long g;

	pthread_mutex_lock(&w->lock);
	g = w->generation;
	pthread_mutex_unlock(&w->lock);
	return g;
}

bool wakeup_wait(struct wakeup *w, unsigned long mark, uint64_t usec)
{
	struct timespec until;

	pthread_mutex_lock(&w->lock);
	if (usec > 0 && w->generation == mark && !atomic_load(&w->stopping)) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(usec % 1000000) * 1000;
		until.tv_sec +=
			(time_t)(usec / 1000000) + until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&w->cond, &w->lock, &until);
	}
	pthread_mutex_unlock(&w->lock);
	return !atomic_load(&w->stopping);
}

void wakeup_notify(struct wakeup *w)
{
	pthread_mutex_lock(&w->lock);
	w->generation++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void wakeup_stop(struct wakeup *w)
{
	pthread_mutex_lock(&w->lock);
	atomic_store(&w->stopping, true);
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

bool wakeup_stopping(const struct wakeup *w)
{
	return atomic_load(&w->stopping);
}
