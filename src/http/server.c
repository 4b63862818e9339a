#include "http/server.h"
#include "runtime/app.h"
#include "config.h"
#include "http/deadlines.h"
#include "http/request.h"
#include "http/router.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum { SCRATCH_LEN = 1024 };
/*
 * A body declared larger than max_body is read and thrown away up to
 * this size before the 413 goes out: a client still sending when the
 * server answers and closes sees a reset, not the 413. Beyond it we
 * answer at once and let the connection be cut.
 */
#define DISCARD_MAX (16LL * 1024 * 1024)
/*
 * Room reserved for a body from its Content-Length, at most: a webhook
 * fits, and a client that declares a large body and sends nothing does
 * not get memory for it (the buffer grows as bytes arrive).
 */
#define RESERVE_MAX (64 * 1024)

struct http_server {
	int fd;
	struct MHD_Daemon *mhd;
	struct app *app;
	size_t max_body;
	atomic_int in_flight;
	struct deadlines *deadlines;
};

/* One request from first byte to completion; MHD's per-request pointer. */
struct exchange {
	struct http_server *srv;
	struct request req;
	struct response resp;
	uint64_t started;
	char scratch[SCRATCH_LEN];
	int toobig;
	long long received; /* body bytes, kept or thrown away */
};

static atomic_ullong request_counter;

static void exchange_id(char *out, size_t n)
{
	static unsigned prefix;
	unsigned long long c = atomic_fetch_add(&request_counter, 1);

	if (!prefix)
		prefix = (unsigned)getpid() ^ (unsigned)clock_usec();
	snprintf(out, n, "%08x%08llx", prefix, c & 0xffffffffULL);
}

static void remote_ip(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;

	snprintf(out, n, "-");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  out, (socklen_t)n);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)n);
}

static struct exchange *exchange_new(struct http_server *srv,
				     struct MHD_Connection *c,
				     const char *method, const char *url)
{
	struct exchange *ex = xcalloc(1, sizeof(*ex));

	ex->srv = srv;
	ex->started = clock_usec();
	ex->req.method = method;
	ex->req.path = url;
	ex->req.route = "unmatched";
	ex->req.conn = c;
	buf_init(&ex->req.body, srv->max_body);
	response_init(&ex->resp);
	exchange_id(ex->req.id, sizeof(ex->req.id));
	remote_ip(c, ex->req.remote_ip, sizeof(ex->req.remote_ip));
	return ex;
}

static void exchange_free(struct exchange *ex)
{
	buf_release(&ex->req.body);
	response_release(&ex->resp);
	free(ex);
}

static void dispatch(struct exchange *ex)
{
	const struct route *route;
	struct buf allow;

	buf_init(&allow, 256);
	switch (router_match_all(app_route_tables, &ex->req, ex->scratch,
				 sizeof(ex->scratch), &route, &allow)) {
	case ROUTE_FOUND:
		route->handler(ex->srv->app, &ex->req, &ex->resp);
		break;
	case ROUTE_BAD_METHOD:
		response_error(&ex->resp, 405, "method %s not allowed here",
			       ex->req.method);
		response_header(&ex->resp, "Allow", buf_str(&allow));
		break;
	case ROUTE_NOT_FOUND:
		response_error(&ex->resp, 404, "no such path");
		break;
	}
	buf_release(&allow);
}

static bool has_header(const struct response *r, const char *name)
{
	int i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->header_names[i], name) == 0)
			return true;
	return false;
}

static enum MHD_Result send_response(struct MHD_Connection *c,
				     struct exchange *ex)
{
	struct response *r = &ex->resp;
	struct MHD_Response *mr;
	enum MHD_Result ok;
	int i;

	mr = MHD_create_response_from_buffer(r->body.len, r->body.data,
					     MHD_RESPMEM_MUST_COPY);
	if (!mr)
		return MHD_NO;
	MHD_add_response_header(mr, "Content-Type", r->content_type);
	MHD_add_response_header(mr, "X-Request-Id", ex->req.id);
	/*
	 * Every answer, errors and JSON included: a browser must never
	 * guess a type from the bytes (an error page echoing a path, a
	 * text body read as script). Pages that set it already keep one.
	 */
	if (!has_header(r, "X-Content-Type-Options"))
		MHD_add_response_header(mr, "X-Content-Type-Options",
					"nosniff");
	for (i = 0; i < r->nheaders; i++)
		MHD_add_response_header(mr, r->header_names[i],
					r->header_values[i]);
	ok = MHD_queue_response(c, (unsigned)r->status, mr);
	MHD_destroy_response(mr);
	return ok;
}

/* The Content-Length header's value, or -1 when absent or malformed. */
static long long declared_length(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     "Content-Length");
	unsigned long long n = 0;
	const char *p = cl;

	if (!cl || !*cl)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (unsigned long long)LLONG_MAX / 10 - 1)
			return LLONG_MAX;
		n = n * 10 + (unsigned)(*p - '0');
	}
	return *p ? -1 : (long long)n;
}

/* The connection's clock (deadlines.h), set when it started. */
static struct conn_clock *clock_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *srv = cls;
	const union MHD_ConnectionInfo *info;
	char ip[64];

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		deadlines_close(srv->deadlines, *ctx);
		*ctx = NULL;
		return;
	}
	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!info)
		return;
	remote_ip(c, ip, sizeof(ip));
	*ctx = deadlines_open(srv->deadlines, info->connect_fd, ip);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct http_server *srv = cls;
	struct exchange *ex = *state;
	long long declared;

	(void)version;
	if (!ex) {
		deadlines_headers_done(srv->deadlines, clock_of(c));
		*state = ex = exchange_new(srv, c, method, url);
		atomic_fetch_add(&srv->in_flight, 1);
		declared = declared_length(c);
		if (declared > (long long)srv->max_body &&
		    declared > DISCARD_MAX) {
			ex->toobig = 1;
			response_error(&ex->resp, 413,
				       "body larger than %zu bytes",
				       srv->max_body);
			return send_response(c, ex);
		}
		if (declared > (long long)srv->max_body)
			ex->toobig = 1;
		/* One allocation for the body, not one per doubling. */
		if (declared > 0 && !ex->toobig &&
		    buf_reserve(&ex->req.body, declared < RESERVE_MAX
						       ? (size_t)declared
						       : RESERVE_MAX) < 0)
			ex->toobig = 1;
		return MHD_YES;
	}
	if (*upload_size) {
		/* Past the cap we keep reading, discarding, then answer 413. */
		ex->received += (long long)*upload_size;
		if (!ex->toobig &&
		    buf_append(&ex->req.body, upload, *upload_size) < 0)
			ex->toobig = 1;
		*upload_size = 0;
		if (!ex->toobig || ex->received <= DISCARD_MAX)
			return MHD_YES;
		/* A body with no end in sight (chunked): answer, then cut. */
		response_error(&ex->resp, 413, "body larger than %zu bytes",
			       srv->max_body);
		return send_response(c, ex);
	}
	deadlines_body_done(srv->deadlines, clock_of(c));
	if (ex->toobig)
		response_error(&ex->resp, 413, "body larger than %zu bytes",
			       srv->max_body);
	else
		dispatch(ex);
	return send_response(c, ex);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
			 enum MHD_RequestTerminationCode code)
{
	struct http_server *srv = cls;
	struct exchange *ex = *state;
	uint64_t usec;

	deadlines_answered(srv->deadlines, clock_of(c));
	if (!ex)
		return;
	usec = clock_usec() - ex->started;
	metrics_observe_request(ex->req.route, ex->resp.status, usec);
	log_info("http.request",
		 "id=%s method=%s route=%s path=%s status=%d bytes=%zu "
		 "usec=%llu%s",
		 ex->req.id, ex->req.method, ex->req.route, ex->req.path,
		 ex->resp.status, ex->resp.body.len, (unsigned long long)usec,
		 code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ""
							     : " aborted=1");
	exchange_free(ex);
	*state = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static int bind_socket(const char *address, uint16_t *port, struct buf *err)
{
	char host[256];
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (config_split_address(address, host, sizeof(host), port, err) < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) ==
	    1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(*port);
		len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host,
			     &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(*port);
		len = sizeof(struct sockaddr_in6);
	} else {
		return errorf(err, "listen address '%s' is not an IP literal",
			      host);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errorf(err, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 512) < 0) {
		errorf(err, "cannot listen on %s: %s", address,
		       strerror(errno));
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(ss.ss_family == AF_INET
			      ? ((struct sockaddr_in *)&ss)->sin_port
			      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

struct http_server *http_server_bind(const char *address, uint16_t *port,
				     struct buf *err)
{
	struct http_server *srv;
	int fd = bind_socket(address, port, err);

	if (fd < 0)
		return NULL;
	srv = xcalloc(1, sizeof(*srv));
	srv->fd = fd;
	return srv;
}

int http_server_start(struct http_server *srv, struct app *app, struct buf *err)
{
	srv->app = app;
	srv->max_body = (size_t)config_int(app->cfg, CFG_SERVER_MAX_BODY);
	srv->deadlines = deadlines_start(
		(unsigned)config_int(app->cfg, CFG_SERVER_HEADER_TIMEOUT),
		(unsigned)config_int(app->cfg, CFG_SERVER_BODY_TIMEOUT));
	/*
	 * One address may hold only per_ip_connections of the slots, so a
	 * flood from one address leaves the rest to everyone else.
	 */
	srv->mhd = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION |
			MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
			MHD_USE_ITC,
		0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET,
		srv->fd, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)config_int(app->cfg, CFG_SERVER_MAX_CONNECTIONS),
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)config_int(app->cfg, CFG_SERVER_TIMEOUT),
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)config_int(app->cfg, CFG_SERVER_PER_IP_CONNECTIONS),
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
	if (!srv->mhd)
		return errorf(err, "cannot start the HTTP server");
	return 0;
}

void http_server_stop(struct http_server *srv, unsigned drain_ms)
{
	unsigned waited = 0;
	int fd;

	if (!srv)
		return;
	if (srv->mhd) {
		/* Stop accepting; connections already open finish. */
		fd = MHD_quiesce_daemon(srv->mhd);
		if (fd >= 0)
			close(fd);
		while (atomic_load(&srv->in_flight) > 0 && waited < drain_ms) {
			clock_sleep_ms(10);
			waited += 10;
		}
		MHD_stop_daemon(srv->mhd);
	} else if (srv->fd >= 0) {
		close(srv->fd);
	}
	deadlines_stop(srv->deadlines);
	free(srv);
}
