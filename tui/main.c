/* honk's entry point: parses the subcommand and hands over to it. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("honk %s\n", HONK_VERSION);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "apply"))
        return hk_cmd_apply(argc - 1, argv + 1);
    fprintf(stderr, "honk: not yet\n");
    return 2;
}
