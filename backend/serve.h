/* honk serve: a supervisor in one repository. HTTP intake (Slack and a JSON
 * API) and `honk queue` feed one journalled queue; up to honk.serve.jobs
 * task processes (`honk run --approve=edits --wait --json`) work it, each in its
 * own worktree; their events say each task's state. All on one loop. */
#ifndef HK_SERVE_H
#define HK_SERVE_H

struct hk_serve_opts {
    const char *listen; /* host:port; NULL: honk.serve.listen */
    int allow_remote;   /* 1: a non-loopback listen address is wanted; -1: honk.serve.allowRemote */
    long jobs;          /* -1: honk.serve.jobs */
};

/* Runs until SIGTERM or SIGINT in the repository of the current directory.
 * The exit status: 0 after a stop, 1 with *err when it cannot start. */
int hk_serve_run(const struct hk_serve_opts *opts, char **err);

/* honk queue: journals a task for the serve of this repository (running or
 * not) and says its id (*id, caller frees). 0, or -1 with *err. */
int hk_serve_enqueue(const char *task, const char *base, char **id, char **err);

#endif
