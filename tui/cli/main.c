/* honk's entry point: finds the subcommand in one table, which also makes
 * `honk --help` and every command's own --help, and hands over to it. */
#include "commands.h"
#include "flags.h"

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    const char *args;
    const char *help; /* NULL: not listed */
    const char *options; /* one "  --flag  what it does" line each, or NULL */
    int model_options; /* takes the model options too */
    int options_anywhere; /* options may follow operands (GNU style) */
    int (*run)(int argc, char **argv);
};

#define APPROVE_OPTIONS                                                                      \
    "  --approve=ask|edits|all       who decides (honk.approve): ask waits for\n"            \
    "                                every proposal, edits for commands and the\n"          \
    "                                commit, all only for the deploy\n"                      \
    "  --deploy                      deploy unattended after the commit\n"
#define START_OPTIONS                                                                        \
    "  --with-changes                carry in the checkout's uncommitted changes\n"    \
    "  --base REV                    start from REV instead of HEAD\n"
#define WAIT_OPTIONS                                                                         \
    "  --wait                        stay at a decision nobody can give here,\n"           \
    "                                for honk attach to answer, rather than\n"            \
    "                                exit 3 (honk.run.wait; --no-wait: do not)\n"          \
    "  --wait-timeout SECONDS        stop waiting after SECONDS, exit 3 (implies\n"       \
    "                                --wait; honk.run.waitTimeout; 0: no limit)\n"
#define ITERATIONS_OPTION                                                                    \
    "  --max-iterations N            give up after N red test runs (honk.maxIterations)\n"
#define JSON_OPTION "  --json                        events as JSON lines on stdout\n"
#define PUSH_OPTION                                                                          \
    "  --push REMOTE                 publish the session to REMOTE as it goes\n"              \
    "                                (honk.push): branch honk/ID, refs/honk/sessions/ID\n"

static const struct command commands[] = {
    {"ask", "[OPTIONS] [PROMPT...]",
     "ask the model once and stream its answer to stdout; stdin, when it is\n"
     "not a terminal, goes with the prompt (no PROMPT, or -: it is the prompt)",
     "  --system TEXT                 system prompt\n", 1, 0, hk_cmd_ask},
    {"run", "[OPTIONS] TASK...",
     "do a task headless: plan, edit, test until green, commit (and deploy); an\n"
     "operand - stands for the text read from standard input",
     APPROVE_OPTIONS WAIT_OPTIONS ITERATIONS_OPTION JSON_OPTION PUSH_OPTION START_OPTIONS
     "  --id ID                       the new session's id (8 hex digits; honk serve\n"
     "                                picks it before the session starts)\n", 1, 1, hk_cmd_run},
    {"resume", "ID [--accept | --reject REASON] [OPTIONS]",
     "continue an interrupted session from its journal (ID: a unique prefix is\n"
     "enough); in a terminal with no decision given, in the cockpit",
     "  --accept                      approve what waits (a proposal, a command,\n"
     "                                the deploy)\n"
     "  --reject REASON               decline it and tell the model why\n" APPROVE_OPTIONS WAIT_OPTIONS
         ITERATIONS_OPTION JSON_OPTION PUSH_OPTION,
     1, 1, hk_cmd_resume},
    {"attach", "[--watch] [--json] [--name NAME] [ID]",
     "open the cockpit on a session another honk runs, shared with it (ID: a\n"
     "unique prefix is enough; a finished one read-only); no ID: the live ones",
     "  --watch                       read-only: keys that decide are refused\n"
     "  --json                        no cockpit: the session's protocol lines on\n"
     "                                stdout, commands (JSON lines) from stdin\n"
     "  --name NAME                   who you are for the others ($USER@host)\n",
     0, 1, hk_cmd_attach},
    {"log", "", "list this repository's sessions (live: a process runs them)", NULL, 0, 1, hk_cmd_log},
    {"show", "[--json] ID", "print a session's transcript and decisions (ID: a unique prefix is enough)",
     "  --json                        the journal's events as JSON lines\n", 0, 1, hk_cmd_show},
    {"fetch", "[REMOTE]",
     "bring in the sessions published on REMOTE (default honk.push, else\n"
     "origin): honk log, show and resume --accept then work on them here",
     NULL, 0, 1, hk_cmd_fetch},
    {"__publish", "REMOTE ID", NULL, NULL, 0, 0, hk_cmd_publish},
    {"review", "[REV-RANGE | PATCH]",
     "review commits (default HEAD) or a patch file hunk by hunk in the\n"
     "cockpit, with no model",
     NULL, 0, 1, hk_cmd_review},
    {"apply", "[OPTIONS] [PATCH...|-]",
     "apply a patch as models write it to the working tree, hunk by hunk\n"
     "(no PATCH, or -: read it from standard input)",
     "  --check                       change nothing; say where each hunk fits\n"
     "  --partial                     apply what fits, the rest to a .rej file\n"
     "  --fuzz N, -F N                context a hunk may lose at its edges (2)\n"
     "  --reverse, -R                 take the patch out instead\n"
     "  -p N                          strip N leading path components\n"
     "  --directory DIR, -C DIR       apply inside DIR\n",
     0, 0, hk_cmd_apply},
    {"discard", "[--yes] [--journals] [--remote REMOTE] ID...",
     "remove sessions' branches and worktrees (ID: a unique prefix is\n"
     "enough); asks first in a terminal, naming unmerged or unfinished work",
     "  --yes, -y                     do not ask\n"
     "  --journals                    remove the sessions' journals too\n"
     "  --remote REMOTE               and their published refs on REMOTE\n", 0, 1, hk_cmd_discard},
    {"gc", "[--yes] [--journals] [--remote REMOTE]",
     "remove the branches and worktrees of finished sessions whose work is\n"
     "merged; unfinished sessions and unmerged work are kept and named",
     "  --yes, -y                     do not ask\n"
     "  --journals                    remove the sessions' journals too\n"
     "  --remote REMOTE               and their published refs on REMOTE\n", 0, 1, hk_cmd_gc},
    {"serve", "[--listen HOST:PORT] [--allow-remote] [--jobs N]",
     "take tasks from Slack, a JSON API and honk queue, and run them in this\n"
     "repository, each in its own worktree, until SIGTERM",
     "  --listen HOST:PORT            where to listen (honk.serve.listen, 127.0.0.1:8737)\n"
     "  --allow-remote                listen on an address other machines reach\n"
     "  --jobs N                      sessions at work at once (honk.serve.jobs, 2)\n", 0, 1, hk_cmd_serve},
    {"queue", "[--base REV] TASK...",
     "add a task to honk serve's queue in this repository (no HTTP); prints its id",
     "  --base REV                    start from REV instead of HEAD\n", 0, 1, hk_cmd_queue},
    {"inbox", "[--json] [MODEL OPTIONS]",
     "every session of this repository, what needs a person first; Enter opens\n"
     "one in the cockpit, n a new one, d discards one, x cancels one (plain honk\n"
     "opens it when sessions wait)",
     "  --json                        no screen: the list as JSON, for scripts\n"
     "  MODEL OPTIONS                 for the sessions it resumes\n", 0, 1, hk_cmd_inbox},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char cockpit_options[] =
    APPROVE_OPTIONS START_OPTIONS
    "  --theme NAME                  colour theme (honk.theme)\n"
    "  --no-color                    no colours\n";

/* Options text indented by extra spaces, for honk --help. */
static void print_indented(FILE *out, const char *text, const char *indent)
{
    while (text && *text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        fprintf(out, "%s%.*s\n", indent, (int)n, text);
        text += n + (nl != NULL);
    }
}

static void usage(FILE *out)
{
    fprintf(out, "usage: honk [OPTIONS] [TASK...]     the cockpit, on a new task or waiting for one\n"
                 "       honk COMMAND [ARGS]\n\n"
                 "honk is a terminal cockpit for an AI coding agent.\n\n"
                 "honk [OPTIONS] [TASK...]  (+ model options)\n");
    print_indented(out, cockpit_options, "  ");
    fprintf(out, "  A TASK whose first word is close to a command's name is taken for a typo;\n"
                 "  honk -- TASK (or the task in quotes) starts it anyway.\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (!commands[i].help) /* hidden: test scaffolding */
            continue;
        fprintf(out, "  honk %s%s%s%s\n", commands[i].name, *commands[i].args ? " " : "", commands[i].args,
                commands[i].model_options ? "  (+ model options)" : "");
        print_indented(out, commands[i].help, "      ");
        print_indented(out, commands[i].options, "    ");
    }
    fprintf(out, "\nmodel options:\n" HK_MODEL_FLAGS_HELP);
    fprintf(out, "\n  honk --version   print the version\n"
                 "  honk --help      this text (honk COMMAND --help: one command's)\n\n"
                 "Configuration: git config honk.* (see honk(1)); the API key comes from\n"
                 "ANTHROPIC_API_KEY or OPENAI_API_KEY.\n");
}

static const struct command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(name, commands[i].name))
            return &commands[i];
    return NULL;
}

void hk_usage(const char *name, FILE *out)
{
    const struct command *c = name ? find(name) : NULL;
    if (!c) {
        fprintf(out, "usage: honk [OPTIONS] [TASK...]\n"
                     "the cockpit, on TASK or waiting for one\n\noptions:\n%s" HK_MODEL_FLAGS_HELP,
                cockpit_options);
        return;
    }
    fprintf(out, "usage: honk %s%s%s\n", c->name, *c->args ? " " : "", c->args);
    print_indented(out, c->help, "");
    if (c->options || c->model_options)
        fprintf(out, "\noptions:\n%s%s", c->options ? c->options : "", c->model_options ? HK_MODEL_FLAGS_HELP : "");
}

static int is_help(const char *arg)
{
    return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

/* --help or -h among the command's options (before --, and before the
 * first operand for commands whose options end there). */
static int wants_help(const struct command *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            return 0;
        if (is_help(argv[i]))
            return 1;
        if (!c->options_anywhere && (argv[i][0] != '-' || !argv[i][1]))
            return 0;
    }
    return 0;
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

/* A first word close to a command's name is a typo whatever follows, as
 * git's autocorrect sees it: two edits for names of four letters or more,
 * one for three, none for shorter ones. A first argument with a space in it
 * was quoted, so it is a task. */
static const char *typo_of(const char *word)
{
    if (strchr(word, ' ') || word[0] == '-')
        return NULL;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        size_t len = strlen(commands[i].name);
        size_t most = len >= 4 ? 2 : len == 3 ? 1 : 0;
        if (commands[i].help && most && distance(word, commands[i].name) <= most)
            return commands[i].name;
    }
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
    if (is_help(name) || !strcmp(name, "help")) {
        const struct command *c = argc > 2 && !strcmp(name, "help") ? find(argv[2]) : NULL;
        if (c)
            hk_usage(c->name, stdout);
        else
            usage(stdout);
        return HK_EXIT_OK;
    }
    const struct command *c = find(name);
    if (c && wants_help(c, argc - 1, argv + 1)) {
        hk_usage(c->name, stdout);
        return HK_EXIT_OK;
    }
    if (c)
        return c->run(argc - 1, argv + 1);
    const char *meant = typo_of(name);
    if (meant) {
        fprintf(stderr, "honk: '%s' is not a command; did you mean '%s'? (to give it as a task: honk -- %s%s)\n",
                name, meant, name, argc > 2 ? " ..." : "");
        return HK_EXIT_USAGE;
    }
    /* Anything else is a task (or the cockpit's options): honk "fix the crash". */
    return hk_cmd_cockpit(argc, argv);
}
