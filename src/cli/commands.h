/* The subcommands main.c dispatches to, one family per cmd_*.c file. */
#ifndef AFFILIATED_COMMANDS_H
#define AFFILIATED_COMMANDS_H

int cmd_shops(int argc, char **argv);
/* `shops check`, in cmd_shops_check.c */
int cmd_shops_check(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);
int cmd_privacy(int argc, char **argv);
int cmd_programs(int argc, char **argv);
int cmd_affiliates(int argc, char **argv);
int cmd_orders(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_commissions(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_rewards(int argc, char **argv);
int cmd_deliveries(int argc, char **argv);

#endif
