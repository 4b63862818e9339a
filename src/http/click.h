/* The click redirect's rules, for its tests too (click.c). */
#ifndef AFFILIATED_HTTP_CLICK_H
#define AFFILIATED_HTTP_CLICK_H

#include <stdbool.h>
#include <stdint.h>

/* Whether a user agent is a crawler or link preview. */
bool click_is_bot(const char *user_agent);
/* The network of a click: ?via= when given, else the Referer's host. */
const char *click_network(const char *via, const char *referer);

#endif
