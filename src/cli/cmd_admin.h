/* Operator commands that manage the installation itself. */
#ifndef AFFILIATED_CMD_ADMIN_H
#define AFFILIATED_CMD_ADMIN_H

int cmd_migrate(int argc, char **argv);
int cmd_check_config(int argc, char **argv);

#endif
