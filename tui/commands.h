/* The subcommands tui/main.c dispatches to. */
#ifndef HK_COMMANDS_H
#define HK_COMMANDS_H

/* honk apply [--check] [--fuzz N] [--reverse] [-p N] [--directory DIR] [PATCH...|-] */
int hk_cmd_apply(int argc, char **argv);

#endif
