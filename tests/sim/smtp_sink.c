/*
 * smtp_sink: a small SMTP server for the integration tests, so that the
 * daemon's reward emails go somewhere a test can look at.
 *
 *   smtp_sink serve [--port N] [--fail-first N] [--refuse ADDR] [--out FILE]
 *
 * Listens on 127.0.0.1 only (--port 0, the default, picks a free port),
 * prints "listening port=N" on stdout once bound and flushes. Speaks the
 * part of SMTP that libcurl uses: a 220 greeting, EHLO/HELO, MAIL FROM,
 * RCPT TO, DATA (with dot-unstuffing), RSET, NOOP, VRFY, HELP and QUIT.
 * With --fail-first N the first N messages are answered "451 try again
 * later" at the end of DATA, to test retries; with --refuse ADDR that
 * recipient is answered "550 mailbox unavailable", a refusal for good.
 * Every accepted message is
 * appended to --out FILE as one JSON line, flushed at once:
 *
 *   {"from":"a@b","to":["c@d"],"data":"Date: ...\r\n...\r\n"}
 *
 * (data is the message as received, dot-unstuffing undone, every line
 * ending in CRLF, without the terminating "."). One poll loop serves all
 * connections; lines, messages, recipients and connections are bounded,
 * so garbage gets an error answer or a closed connection, never a crash.
 * SIGTERM or SIGINT: closes everything and exits 0. Exit 1 when it cannot
 * listen or write FILE, 2 on bad usage.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS     64
#define MAX_LINE      4096	  /* a command line, CRLF included */
#define MAX_DATA_LINE 65536	  /* a line of message text */
#define MAX_MESSAGE   (10u << 20) /* answered 552 when larger */
#define MAX_RCPTS     100
#define MAX_ADDR      512
#define MAX_ERRORS    20 /* bad commands before the connection is closed */
#define IDLE_SECONDS  300
#define MAX_PENDING_OUT                                       \
	(1u << 20) /* unread answers before a peer is dropped \
		    */

enum phase { PH_COMMAND, PH_DATA, PH_CLOSING };

struct bytes {
	char *data;
	size_t len, cap;
};

struct conn {
	int fd;
	enum phase phase;
	time_t last;
	struct bytes in, out;
	bool greeted;	/* EHLO or HELO seen */
	bool have_from; /* MAIL FROM seen */
	bool skip_line; /* discarding the rest of an overlong line */
	bool too_big;	/* this message went past MAX_MESSAGE */
	int errors;
	char from[MAX_ADDR];
	char *rcpt[MAX_RCPTS];
	int nrcpt;
	struct bytes msg;
};

static volatile sig_atomic_t stop_signal;
static int wake_pipe[2] = {-1, -1};
static long fail_left;
static const char *refused_rcpt = "";
static unsigned long accepted;
static FILE *out_file;

static void die_oom(void)
{
	fputs("smtp_sink: out of memory\n", stderr);
	abort();
}

static void bytes_add(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *d;

		while (cap < b->len + n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d)
			die_oom();
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void bytes_puts(struct bytes *b, const char *s)
{
	bytes_add(b, s, strlen(s));
}

static void bytes_free(struct bytes *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Drops the first n bytes. */
static void bytes_consume(struct bytes *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	if (b->data)
		b->data[b->len] = '\0';
}

static void on_signal(int sig)
{
	int saved = errno;
	char c = 1;

	stop_signal = sig;
	if (write(wake_pipe[1], &c, 1) < 0) {
		/* The flag is set; poll's timeout notices it anyway. */
	}
	errno = saved;
}

static void reply(struct conn *c, const char *text)
{
	bytes_puts(&c->out, text);
	bytes_puts(&c->out, "\r\n");
}

static void reset_transaction(struct conn *c)
{
	int i;

	for (i = 0; i < c->nrcpt; i++)
		free(c->rcpt[i]);
	c->nrcpt = 0;
	c->have_from = false;
	c->from[0] = '\0';
	c->too_big = false;
	bytes_free(&c->msg);
}

/* JSON string body for arbitrary bytes: escapes, invalid UTF-8 as U+FFFD. */
static void json_string(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fputc('"', f);
	while (i < n) {
		unsigned char ch = p[i];
		size_t len = 0, k;
		uint32_t cp = 0, min = 0;

		if (ch == '"' || ch == '\\') {
			fputc('\\', f);
			fputc(ch, f);
			i++;
			continue;
		}
		if (ch < 0x20 || ch == 0x7f) {
			switch (ch) {
			case '\n':
				fputs("\\n", f);
				break;
			case '\r':
				fputs("\\r", f);
				break;
			case '\t':
				fputs("\\t", f);
				break;
			default:
				fprintf(f, "\\u%04x", ch);
			}
			i++;
			continue;
		}
		if (ch < 0x80) {
			fputc(ch, f);
			i++;
			continue;
		}
		if ((ch & 0xe0) == 0xc0) {
			len = 2;
			cp = ch & 0x1f;
			min = 0x80;
		} else if ((ch & 0xf0) == 0xe0) {
			len = 3;
			cp = ch & 0x0f;
			min = 0x800;
		} else if ((ch & 0xf8) == 0xf0) {
			len = 4;
			cp = ch & 0x07;
			min = 0x10000;
		}
		for (k = 1; len && k < len; k++) {
			if (i + k >= n || (p[i + k] & 0xc0) != 0x80) {
				len = 0;
				break;
			}
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (!len || cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		fwrite(p + i, 1, len, f);
		i += len;
	}
	fputc('"', f);
}

static int store_message(const struct conn *c)
{
	int i;

	accepted++;
	fprintf(stderr, "smtp_sink: message %lu from=<%s> rcpts=%d bytes=%zu\n",
		accepted, c->from, c->nrcpt, c->msg.len);
	if (!out_file)
		return 0;
	fputs("{\"from\":", out_file);
	json_string(out_file, c->from, strlen(c->from));
	fputs(",\"to\":[", out_file);
	for (i = 0; i < c->nrcpt; i++) {
		if (i)
			fputc(',', out_file);
		json_string(out_file, c->rcpt[i], strlen(c->rcpt[i]));
	}
	fputs("],\"data\":", out_file);
	json_string(out_file, c->msg.data ? c->msg.data : "", c->msg.len);
	fputs("}\n", out_file);
	if (fflush(out_file) != 0 || ferror(out_file)) {
		fprintf(stderr, "smtp_sink: cannot write the output file\n");
		return -1;
	}
	return 0;
}

/*
 * The address in "<addr> [params]" after "MAIL FROM:" or "RCPT TO:".
 * Accepts the angle brackets missing (some clients), refuses line noise.
 */
static int parse_path(const char *arg, char *out, size_t n, bool allow_empty)
{
	const char *end;
	size_t len;

	while (*arg == ' ')
		arg++;
	if (*arg == '<') {
		arg++;
		end = strchr(arg, '>');
		if (!end)
			return -1;
	} else {
		end = arg + strcspn(arg, " ");
	}
	len = (size_t)(end - arg);
	if (len >= n || (len == 0 && !allow_empty))
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)arg[i];

		if (ch <= ' ' || ch == 0x7f || ch == '<' || ch == '>')
			return -1;
	}
	memcpy(out, arg, len);
	out[len] = '\0';
	return 0;
}

/* True when line starts with the keyword (case-insensitive). */
static bool verb_is(const char *line, const char *verb)
{
	size_t n = strlen(verb);

	return strncasecmp(line, verb, n) == 0 &&
	       (line[n] == '\0' || line[n] == ' ' || verb[n - 1] == ':');
}

static void bad_command(struct conn *c, const char *text)
{
	reply(c, text);
	if (++c->errors >= MAX_ERRORS) {
		reply(c, "421 4.7.0 too many errors, closing");
		c->phase = PH_CLOSING;
	}
}

static void command(struct conn *c, const char *line)
{
	char addr[MAX_ADDR];

	if (verb_is(line, "EHLO")) {
		reset_transaction(c);
		c->greeted = true;
		reply(c, "250-smtp_sink greets you");
		reply(c, "250-8BITMIME");
		reply(c, "250 SIZE 10485760");
	} else if (verb_is(line, "HELO")) {
		reset_transaction(c);
		c->greeted = true;
		reply(c, "250 smtp_sink");
	} else if (verb_is(line, "MAIL FROM:")) {
		if (!c->greeted)
			bad_command(c, "503 5.5.1 say EHLO first");
		else if (c->have_from)
			bad_command(c, "503 5.5.1 nested MAIL command");
		else if (parse_path(line + 10, addr, sizeof(addr), true) < 0)
			bad_command(c, "501 5.1.7 bad sender address syntax");
		else {
			snprintf(c->from, sizeof(c->from), "%s", addr);
			c->have_from = true;
			reply(c, "250 2.1.0 Ok");
		}
	} else if (verb_is(line, "RCPT TO:")) {
		if (!c->have_from)
			bad_command(c, "503 5.5.1 need MAIL before RCPT");
		else if (parse_path(line + 8, addr, sizeof(addr), false) < 0)
			bad_command(c,
				    "501 5.1.3 bad recipient address syntax");
		else if (c->nrcpt >= MAX_RCPTS)
			reply(c, "452 4.5.3 too many recipients");
		else if (strcasecmp(addr, refused_rcpt) == 0)
			reply(c, "550 5.1.1 mailbox unavailable");
		else {
			c->rcpt[c->nrcpt] = strdup(addr);
			if (!c->rcpt[c->nrcpt])
				die_oom();
			c->nrcpt++;
			reply(c, "250 2.1.5 Ok");
		}
	} else if (verb_is(line, "DATA")) {
		if (!c->have_from)
			bad_command(c, "503 5.5.1 need MAIL command");
		else if (!c->nrcpt)
			bad_command(c, "554 5.5.1 no valid recipients");
		else {
			bytes_free(&c->msg);
			c->too_big = false;
			c->phase = PH_DATA;
			reply(c, "354 End data with <CR><LF>.<CR><LF>");
		}
	} else if (verb_is(line, "RSET")) {
		reset_transaction(c);
		reply(c, "250 2.0.0 Ok");
	} else if (verb_is(line, "NOOP")) {
		reply(c, "250 2.0.0 Ok");
	} else if (verb_is(line, "VRFY")) {
		reply(c, "252 2.0.0 cannot verify, will try");
	} else if (verb_is(line, "HELP")) {
		reply(c, "214 2.0.0 EHLO HELO MAIL RCPT DATA RSET NOOP QUIT");
	} else if (verb_is(line, "QUIT")) {
		reply(c, "221 2.0.0 Bye");
		c->phase = PH_CLOSING;
	} else if (verb_is(line, "STARTTLS") || verb_is(line, "AUTH") ||
		   verb_is(line, "BDAT") || verb_is(line, "EXPN") ||
		   verb_is(line, "TURN")) {
		bad_command(c, "502 5.5.1 command not implemented");
	} else {
		bad_command(c, "500 5.5.2 command not recognized");
	}
}

/* End of DATA: accepted, deferred (--fail-first) or refused. */
static void finish_message(struct conn *c)
{
	char text[80];

	c->phase = PH_COMMAND;
	if (c->too_big) {
		reply(c, "552 5.3.4 message too big");
	} else if (fail_left > 0) {
		fail_left--;
		fprintf(stderr, "smtp_sink: deferred a message (%ld more)\n",
			fail_left);
		reply(c, "451 4.3.0 try again later");
	} else {
		int rc = store_message(c);

		snprintf(text, sizeof(text), "250 2.0.0 Ok: queued as %lu",
			 accepted);
		reply(c,
		      rc == 0 ? text : "451 4.3.0 local error in processing");
	}
	reset_transaction(c);
}

static void data_line(struct conn *c, const char *line, size_t len)
{
	if (len == 1 && line[0] == '.') {
		finish_message(c);
		return;
	}
	if (line[0] == '.') {
		line++;
		len--;
	}
	if (c->too_big || c->msg.len + len + 2 > MAX_MESSAGE) {
		c->too_big = true;
		return;
	}
	bytes_add(&c->msg, line, len);
	bytes_add(&c->msg, "\r\n", 2);
}

/* Handles every complete line in c->in. */
static void process(struct conn *c)
{
	for (;;) {
		char *nl;
		size_t len, limit;

		if (c->phase == PH_CLOSING)
			return;
		limit = c->phase == PH_DATA ? MAX_DATA_LINE : MAX_LINE;
		nl = c->in.len ? memchr(c->in.data, '\n', c->in.len) : NULL;
		if (!nl) {
			if (c->in.len > limit) {
				/* Overlong: drop what we have, and the rest. */
				if (!c->skip_line && c->phase == PH_COMMAND)
					bad_command(c,
						    "500 5.5.2 line too long");
				if (c->phase == PH_DATA)
					c->too_big = true;
				c->skip_line = true;
				bytes_consume(&c->in, c->in.len);
			}
			return;
		}
		len = (size_t)(nl - c->in.data);
		*nl = '\0';
		if (len && c->in.data[len - 1] == '\r')
			c->in.data[--len] = '\0';
		if (c->skip_line) {
			c->skip_line = false;
		} else if (c->phase == PH_DATA) {
			data_line(c, c->in.data, len);
		} else if (len > limit) {
			bad_command(c, "500 5.5.2 line too long");
		} else if (memchr(c->in.data, '\0', len)) {
			bad_command(c, "500 5.5.2 NUL in command");
		} else {
			command(c, c->in.data);
		}
		bytes_consume(&c->in, (size_t)(nl - c->in.data) + 1);
	}
}

static void conn_close(struct conn *c)
{
	reset_transaction(c);
	bytes_free(&c->in);
	bytes_free(&c->out);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Writes what is queued; -1 when the peer is gone. */
static int flush_out(struct conn *c)
{
	while (c->out.len) {
		ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		bytes_consume(&c->out, (size_t)n);
	}
	return 0;
}

static int set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int listen_on(unsigned port, unsigned *bound)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 64) < 0 || set_nonblocking(fd) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		close(fd);
		return -1;
	}
	*bound = ntohs(sa.sin_port);
	return fd;
}

static void accept_all(int lfd, struct conn *conns)
{
	for (;;) {
		int fd = accept(lfd, NULL, NULL), i;

		if (fd < 0)
			return; /* EAGAIN, or a transient error */
		for (i = 0; i < MAX_CONNS && conns[i].fd >= 0; i++)
			;
		if (i == MAX_CONNS || set_nonblocking(fd) < 0) {
			static const char busy[] = "421 4.3.2 too busy\r\n";

			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL) <
			    0) {
				/* Closed either way. */
			}
			close(fd);
			continue;
		}
		memset(&conns[i], 0, sizeof(conns[i]));
		conns[i].fd = fd;
		conns[i].last = time(NULL);
		reply(&conns[i], "220 smtp_sink ESMTP ready");
		if (flush_out(&conns[i]) < 0)
			conn_close(&conns[i]);
	}
}

/* Reads what is there and answers it; false when the connection ends. */
static bool serve_readable(struct conn *c)
{
	char chunk[16384];

	for (;;) {
		ssize_t n = recv(c->fd, chunk, sizeof(chunk), 0);

		if (n == 0)
			return false;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK;
		}
		c->last = time(NULL);
		if (c->phase == PH_CLOSING)
			continue; /* after QUIT: ignored */
		bytes_add(&c->in, chunk, (size_t)n);
		process(c);
		/* A peer that sends without reading the answers: dropped. */
		if (c->out.len > MAX_PENDING_OUT)
			return false;
	}
}

static int serve(unsigned port)
{
	struct conn conns[MAX_CONNS];
	struct pollfd pfd[MAX_CONNS + 2];
	struct sigaction sa;
	unsigned bound = 0;
	int lfd, i, failed = 0;

	if (pipe(wake_pipe) < 0 || set_nonblocking(wake_pipe[0]) < 0 ||
	    set_nonblocking(wake_pipe[1]) < 0) {
		perror("smtp_sink: pipe");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(port, &bound);
	if (lfd < 0) {
		fprintf(stderr,
			"smtp_sink: cannot listen on 127.0.0.1:%u: %s\n", port,
			strerror(errno));
		close(wake_pipe[0]);
		close(wake_pipe[1]);
		return 1;
	}
	for (i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	printf("listening port=%u\n", bound);
	fflush(stdout);

	while (!stop_signal && !failed) {
		int map[MAX_CONNS + 2], n = 0, k;
		time_t now;

		pfd[n].fd = wake_pipe[0];
		pfd[n].events = POLLIN;
		map[n++] = -1;
		pfd[n].fd = lfd;
		pfd[n].events = POLLIN;
		map[n++] = -1;
		for (i = 0; i < MAX_CONNS; i++) {
			if (conns[i].fd < 0)
				continue;
			pfd[n].fd = conns[i].fd;
			pfd[n].events =
				(short)(conns[i].phase == PH_CLOSING ? 0
								     : POLLIN);
			if (conns[i].out.len)
				pfd[n].events |= POLLOUT;
			map[n++] = i;
		}
		if (poll(pfd, (nfds_t)n, 1000) < 0) {
			if (errno == EINTR)
				continue;
			perror("smtp_sink: poll");
			failed = 1;
			break;
		}
		if (pfd[1].revents & POLLIN)
			accept_all(lfd, conns);
		now = time(NULL);
		for (k = 2; k < n; k++) {
			struct conn *c = &conns[map[k]];
			bool alive = true;

			if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR))
				alive = serve_readable(c);
			if (alive && flush_out(c) < 0)
				alive = false;
			if (alive && c->phase == PH_CLOSING && !c->out.len)
				alive = false;
			if (alive && now - c->last > IDLE_SECONDS) {
				reply(c, "421 4.4.2 idle too long");
				flush_out(c);
				alive = false;
			}
			if (!alive)
				conn_close(c);
		}
	}
	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i].fd >= 0)
			conn_close(&conns[i]);
	close(lfd);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	return failed;
}

static int usage(void)
{
	fputs("usage: smtp_sink serve [--port N] [--fail-first N] "
	      "[--refuse ADDR] [--out FILE]\n",
	      stderr);
	return 2;
}

static int parse_number(const char *s, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL;
	long port = 0;
	int i, rc;

	if (argc < 2 || strcmp(argv[1], "serve") != 0)
		return usage();
	for (i = 2; i < argc; i++) {
		const char *opt = argv[i],
			   *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "--port") == 0) {
			if (parse_number(val, 65535, &port) < 0)
				return usage();
		} else if (strcmp(opt, "--fail-first") == 0) {
			if (parse_number(val, 1000000, &fail_left) < 0)
				return usage();
		} else if (strcmp(opt, "--refuse") == 0) {
			if (!val || !*val)
				return usage();
			refused_rcpt = val;
		} else if (strcmp(opt, "--out") == 0) {
			if (!val || !*val)
				return usage();
			out_path = val;
		} else {
			return usage();
		}
		i++;
	}
	if (out_path && !(out_file = fopen(out_path, "a"))) {
		fprintf(stderr, "smtp_sink: cannot open %s: %s\n", out_path,
			strerror(errno));
		return 1;
	}
	rc = serve((unsigned)port);
	if (out_file && fclose(out_file) != 0)
		rc = 1;
	fprintf(stderr, "smtp_sink: stopped, %lu message(s) accepted\n",
		accepted);
	return rc;
}
