/* `honk inbox [--json]`: every session of the repository, what needs a
 * person first (backend/inbox.c builds the list; tui/cockpit/inbox_screen.c
 * shows it). */
#include "commands.h"
#include "flags.h"
#include "inbox.h"
#include "json.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int print_json(void)
{
    struct hk_repo *repo = NULL;
    struct hk_inbox list;
    char *err = NULL;
    if (hk_repo_open(&repo, ".", &err) != 0 || hk_inbox_read(repo, &list, &err) != 0) {
        fprintf(stderr, "honk inbox: %s\n", err);
        free(err);
        hk_repo_close(repo);
        return HK_EXIT_FAILED;
    }
    cJSON *json = hk_inbox_json(&list, hk_wall_ms());
    char *text = hk_json_print(json);
    printf("%s\n", text);
    free(text);
    cJSON_Delete(json);
    hk_inbox_clear(&list);
    hk_repo_close(repo);
    return HK_EXIT_OK;
}

int hk_cmd_inbox(int argc, char **argv)
{
    struct hk_cockpit_args args = {.model = HK_MODEL_FLAGS_NONE, .session = {.approve = -1, .deploy = -1}};
    int json = 0, rc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if ((rc = hk_flag_model(argc, argv, &i, &args.model))) {
            if (rc < 0)
                return HK_EXIT_USAGE;
        } else {
            fprintf(stderr, "honk inbox: unknown option %s\n", argv[i]);
            hk_usage("inbox", stderr);
            return HK_EXIT_USAGE;
        }
    }
    if (json)
        return print_json();
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "honk inbox: the inbox needs a terminal; from a script, use honk inbox --json\n");
        return HK_EXIT_USAGE;
    }
    return hk_inbox_main(&args);
}
