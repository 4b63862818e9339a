/*
 * The commands main.c dispatches to: one cmd_<command>.c each (a
 * command's verbs, like `shops check`, may have a file of their own).
 */
#ifndef AFFILIATED_COMMANDS_H
#define AFFILIATED_COMMANDS_H

/* Running it */
int cmd_serve(int argc, char **argv); /* start-up, signals, shutdown */
int cmd_migrate(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
/* Shops and their platforms */
int cmd_shops(int argc, char **argv);
int cmd_shops_check(int argc, char **argv); /* `shops check` */
int cmd_reconcile(int argc, char **argv);
int cmd_privacy(int argc, char **argv);
int cmd_deliveries(int argc, char **argv);
/* Programs, affiliates and the money */
int cmd_programs(int argc, char **argv);
int cmd_affiliates(int argc, char **argv);
int cmd_orders(int argc, char **argv);
int cmd_commissions(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_rewards(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
/* A single-use merchant sign-in URL */
int cmd_admin_link(int argc, char **argv);

#endif
