/* `affiliated admin-link --shop S`: a single-use merchant sign-in URL. */
#ifndef AFFILIATED_CMD_ADMIN_LINK_H
#define AFFILIATED_CMD_ADMIN_LINK_H

int cmd_admin_link(int argc, char **argv);

#endif
