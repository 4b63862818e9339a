/*
 * The HTTP server: libmicrohttpd, one thread per connection (handlers may
 * block on the database), a body cap (413 past max_body), a request id,
 * one access-log line and one metrics observation per request.
 */
#ifndef AFFILIATED_SERVER_H
#define AFFILIATED_SERVER_H

#include "util/buf.h"

#include <stdint.h>

struct app;
struct http_server;

/*
 * Binds the listen address now, so that "address in use" is reported
 * before anything else starts. *port gets the bound port (useful with 0).
 */
struct http_server *http_server_bind(const char *address, uint16_t *port,
				     struct buf *err);
/* Starts serving on the bound socket. */
int http_server_start(struct http_server *srv, struct app *app,
		      struct buf *err);
/*
 * Stops accepting, waits up to drain_ms for requests in flight to finish,
 * then stops every connection thread and frees the server. NULL is fine.
 */
void http_server_stop(struct http_server *srv, unsigned drain_ms);

#endif
