/* honk's entry point: finds the subcommand in one table, which also makes
 * `honk --help`, and hands over to it. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    const char *args;
    const char *help; /* NULL: not listed */
    int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
    {"ask", "[--provider P] [--model M] [--base-url URL] PROMPT",
     "ask the model once and stream its answer to stdout", hk_cmd_ask},
    {"run", "[--approve=ask|edits|all] [--deploy] [--json] TASK",
     "do a task headless: plan, edit, test until green, commit (and deploy)", hk_cmd_run},
    {"resume", "ID [--accept | --reject REASON] [--approve=...] [--json]",
     "continue an interrupted session from its journal", hk_cmd_resume},
    {"log", "", "list this repository's sessions", hk_cmd_log},
    {"show", "[--json] ID", "print a session's transcript and decisions", hk_cmd_show},
    {"review", "[REV-RANGE | PATCH]",
     "review commits or a patch hunk by hunk in the cockpit, with no model", hk_cmd_review},
    {"apply", "[--check] [--fuzz N] [--reverse] [-p N] [PATCH...|-]",
     "apply a patch as models write it to the working tree, hunk by hunk", hk_cmd_apply},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: honk [OPTIONS] [TASK...]     the cockpit, on a new task or waiting for one\n"
                 "       honk COMMAND [ARGS]\n\n"
                 "honk is a terminal cockpit for an AI coding agent.\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].help) /* hidden: test scaffolding */
            fprintf(out, "  honk %-6s %s\n      %s\n", commands[i].name, commands[i].args, commands[i].help);
    fprintf(out, "\n  honk --version   print the version\n"
                 "  honk --help      this text\n\n"
                 "Configuration: git config honk.* (see honk(1)); the API key comes from\n"
                 "ANTHROPIC_API_KEY or OPENAI_API_KEY.\n");
}

/* Edit distance with swapped neighbours counted once (optimal string
 * alignment), for short words: enough to catch "honk lgo". */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), d[32][32];
    if (la >= 32 || lb >= 32)
        return 99;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* A lone word close to a command's name is a typo, not a one-word task. */
static const char *typo_of(int argc, char **argv)
{
    if (argc != 2 || strchr(argv[1], ' '))
        return NULL;
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].help && distance(argv[1], commands[i].name) <= (strlen(commands[i].name) > 4 ? 2u : 1u))
            return commands[i].name;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return hk_cmd_cockpit(argc, argv);
    const char *name = argv[1];
    if (!strcmp(name, "--version") || !strcmp(name, "version")) {
        printf("honk %s\n", HONK_VERSION);
        return HK_EXIT_OK;
    }
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        usage(stdout);
        return HK_EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(name, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    const char *meant = typo_of(argc, argv);
    if (meant) {
        fprintf(stderr, "honk: unknown command \"%s\"; did you mean honk %s? (a one-word task: honk -- %s)\n",
                name, meant, name);
        return HK_EXIT_USAGE;
    }
    /* Anything else is a task (or the cockpit's options): honk "fix the crash". */
    return hk_cmd_cockpit(argc, argv);
}
