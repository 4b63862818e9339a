/* `affiliated serve`: start-up order, signals, graceful shutdown. */
#ifndef AFFILIATED_DAEMON_H
#define AFFILIATED_DAEMON_H

int cmd_serve(int argc, char **argv);

#endif
