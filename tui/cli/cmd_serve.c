/* `honk serve` (the long-running supervisor: HTTP intake, the queue, task
 * processes) and `honk queue TASK` (adds to that queue from a shell, no
 * HTTP). The work is the backend's (backend/serve*.c). */
#include "commands.h"
#include "flags.h"
#include "serve.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hk_cmd_serve(int argc, char **argv)
{
    struct hk_serve_opts o = {.allow_remote = -1, .jobs = -1};
    const char *v;
    int rc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--allow-remote")) {
            o.allow_remote = 1;
        } else if ((rc = hk_flag_value(argc, argv, &i, "--listen", &o.listen))) {
            if (rc < 0)
                return HK_EXIT_USAGE;
        } else if ((rc = hk_flag_value(argc, argv, &i, "--jobs", &v))) {
            char *end;
            if (rc < 0)
                return HK_EXIT_USAGE;
            o.jobs = strtol(v, &end, 10);
            if (end == v || *end || o.jobs < 1) {
                fprintf(stderr, "honk serve: --jobs takes a whole number, 1 or more\n");
                return HK_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "honk serve: unknown option %s\n", argv[i]);
            hk_usage("serve", stderr);
            return HK_EXIT_USAGE;
        }
    }
    char *err = NULL;
    if (hk_serve_run(&o, &err) != 0) {
        fprintf(stderr, "honk serve: %s\n", err);
        free(err);
        return HK_EXIT_FAILED;
    }
    return HK_EXIT_OK;
}

int hk_cmd_queue(int argc, char **argv)
{
    const char *base = NULL;
    struct hk_buf task = {0};
    int rc, options = 1;
    for (int i = 1; i < argc; i++) {
        if (options && !strcmp(argv[i], "--")) {
            options = 0;
        } else if (options && (rc = hk_flag_value(argc, argv, &i, "--base", &base))) {
            if (rc < 0) {
                hk_buf_free(&task);
                return HK_EXIT_USAGE;
            }
        } else if (options && argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "honk queue: unknown option %s\n", argv[i]);
            hk_buf_free(&task);
            return HK_EXIT_USAGE;
        } else {
            hk_buf_printf(&task, "%s%s", task.len ? " " : "", argv[i]);
        }
    }
    if (!task.len) {
        hk_usage("queue", stderr);
        return HK_EXIT_USAGE;
    }
    char *id = NULL, *err = NULL;
    rc = hk_serve_enqueue(task.data, base, &id, &err);
    hk_buf_free(&task);
    if (rc != 0) {
        fprintf(stderr, "honk queue: %s; nothing was queued\n", err);
        free(err);
        return HK_EXIT_FAILED;
    }
    printf("%s\n", id);
    fprintf(stderr, "honk queue: task %s queued; honk serve in this repository runs it\n", id);
    free(id);
    return HK_EXIT_OK;
}
