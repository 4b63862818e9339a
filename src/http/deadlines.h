/*
 * Hard deadlines per connection, against clients that trickle: MHD's
 * timeout is an idle timeout, which one byte every few seconds defeats.
 * A connection has header_s seconds for a request's headers (from its
 * start, or from the previous answer on a kept-alive connection) and
 * body_s seconds for the body after them; past that, a reaper thread
 * shuts the socket down and MHD closes the connection as a client that
 * went away. Our own handling time is not limited.
 */
#ifndef AFFILIATED_DEADLINES_H
#define AFFILIATED_DEADLINES_H

struct deadlines;
struct conn_clock;

/* Starts the reaper; never NULL (allocation failures abort). */
struct deadlines *deadlines_start(unsigned header_s, unsigned body_s);
/* Stops the reaper and frees; every connection must be closed. NULL ok. */
void deadlines_stop(struct deadlines *d);

/*
 * A connection on socket fd from ip starts waiting for headers. The
 * clock is owned by d until deadlines_close(), which must come before
 * the socket is closed: the reaper shuts down only sockets still open.
 */
struct conn_clock *deadlines_open(struct deadlines *d, int fd, const char *ip);
void deadlines_close(struct deadlines *d, struct conn_clock *c);

/* The request's headers are in: its body has body_s from now. */
void deadlines_headers_done(struct deadlines *d, struct conn_clock *c);
/* The body is in: the handler runs without a deadline. */
void deadlines_body_done(struct deadlines *d, struct conn_clock *c);
/* Answered: the next request's headers have header_s from now. */
void deadlines_answered(struct deadlines *d, struct conn_clock *c);

#endif
