/* `honk fetch [REMOTE]`: the sessions published on a remote (honk run
 * --push elsewhere), brought in beside this repository's own; and the
 * hidden `honk __publish REMOTE ID`, the one push a publishing session
 * runs in a child process (backend/session_publish.c). */
#include "commands.h"
#include "config.h"
#include "repo_publish.h"
#include "repo.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *default_remote(void)
{
    char *err = NULL;
    struct hk_config *cfg = hk_config_open(NULL, &err);
    char *remote = cfg ? hk_config_string(cfg, "honk.push") : NULL;
    hk_config_free(cfg);
    free(err);
    return remote && *remote ? remote : (free(remote), hk_xstrdup("origin"));
}

int hk_cmd_fetch(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        if (argc == 2 && strcmp(argv[1], "--"))
            fprintf(stderr, "honk fetch: unknown option %s\n", argv[1]);
        hk_usage("fetch", stderr);
        return HK_EXIT_USAGE;
    }
    char *err = NULL, *report = NULL;
    char *remote = argc == 2 ? hk_xstrdup(argv[1]) : default_remote();
    struct hk_repo *repo = NULL;
    int status = HK_EXIT_FAILED;
    if (hk_repo_open(&repo, ".", &err) == 0 && hk_fetch(repo, remote, &report, &err) == 0) {
        fputs(report, stdout);
        status = HK_EXIT_OK;
    } else {
        fprintf(stderr, "honk: %s\n", err);
    }
    free(report);
    free(err);
    free(remote);
    hk_repo_close(repo);
    return status;
}

int hk_cmd_publish(int argc, char **argv)
{
    if (argc != 3)
        return HK_EXIT_USAGE;
    char *err = NULL;
    struct hk_repo *repo = NULL;
    int rc = hk_repo_open(&repo, ".", &err) == 0 ? hk_publish_push(repo, argv[1], argv[2], &err) : -1;
    if (rc < 0)
        fputs(err ? err : "the push failed", stderr);
    free(err);
    hk_repo_close(repo);
    return rc < 0 ? HK_EXIT_FAILED : HK_EXIT_OK;
}
