/* A task's process under honk serve: `honk run` (or `honk resume`) as a
 * child in its own process group, stdout a non-blocking pipe read on the
 * loop line by line (its --json events), stderr to a log file. It dies with
 * serve (PR_SET_PDEATHSIG): a serve killed with -9 leaves no session running
 * unwatched, and the next serve resumes it from its journal. */
#ifndef HK_SERVE_WORKER_H
#define HK_SERVE_WORKER_H

#include "loop.h"

#include <sys/types.h>

struct hk_worker;

struct hk_worker_ops {
    /* One line of the child's stdout, without its newline. */
    void (*line)(struct hk_worker *w, const char *line, void *user);
    /* Once, after the last line: the child's wait status (waitpid). */
    void (*exit)(struct hk_worker *w, int status, void *user);
};

/* Starts argv[0] with argv in dir; NULL with *err. */
struct hk_worker *hk_worker_spawn(struct hk_loop *loop, const char *dir, char *const argv[], const char *log_path,
                                  const struct hk_worker_ops *ops, void *user, char **err);
/* The same with envp as the child's whole environment (NULL: serve's). */
struct hk_worker *hk_worker_spawn_env(struct hk_loop *loop, const char *dir, char *const argv[], char *const envp[],
                                      const char *log_path, const struct hk_worker_ops *ops, void *user, char **err);
pid_t hk_worker_pid(const struct hk_worker *w);
void hk_worker_signal(struct hk_worker *w, int signo);
/* Tells the worker the child's wait status (from serve's SIGCHLD reaping). */
void hk_worker_exited(struct hk_worker *w, int status);
/* Stops watching and frees; the child, if alive, is left alone. */
void hk_worker_free(struct hk_worker *w);

#endif
