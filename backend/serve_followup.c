/* A reply in a task's Slack thread becomes a follow-up message to its
 * session: the send command over the session's socket (honk-protocol(7)),
 * on serve's loop, never waiting for the answer. */
#include "serve_internal.h"
#include "json.h"
#include "protocol.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct followup {
    struct hk_serve *s;
    struct hk_conn *conn;
    char id[9];
    char *who;
    int answered;
    uint64_t reap;
};

static void reap(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct followup *f = data;
    hk_conn_free(f->conn);
    free(f->who);
    free(f);
}

/* The connection goes after the callback that ended it has returned. */
static void finish(struct followup *f)
{
    if (!f->reap)
        f->reap = hk_loop_add_timer(f->s->loop, 0, reap, f);
}

static void on_line(const char *line, const cJSON *msg, void *user)
{
    (void)line;
    struct followup *f = user;
    const char *type = hk_json_str(msg, "type");
    if (f->answered || !type || strcmp(type, "reply") != 0 || hk_json_int(msg, "id", 0) != 2)
        return;
    f->answered = 1;
    const char *error = hk_json_str(msg, "error");
    if (error)
        hk_serve_log("task %s: the follow-up from %s was not taken: %s", f->id, f->who, error);
    else
        hk_serve_log("task %s: follow-up from %s sent to its session", f->id, f->who);
    finish(f);
}

static void on_close(const char *why, void *user)
{
    struct followup *f = user;
    if (!f->answered)
        hk_serve_log("task %s: the follow-up from %s may not have arrived: %s", f->id, f->who, why);
    f->answered = 1;
    finish(f);
}

static char *gitdir_of(const struct hk_serve *s, const struct hk_serve_task *t)
{
    if (!t->repo)
        return hk_xstrdup(s->gitdir);
    struct hk_repo *repo = NULL;
    char *err = NULL, *gitdir = NULL;
    if (hk_repo_open(&repo, hk_serve_repo_dir(s, t->repo), &err) == 0)
        gitdir = hk_xstrdup(hk_repo_gitdir(repo));
    hk_repo_close(repo);
    free(err);
    return gitdir;
}

int hk_serve_followup(struct hk_serve *s, struct hk_serve_task *t, const char *text, const char *who, char **err)
{
    char *gitdir = gitdir_of(s, t);
    struct hk_live live = {0};
    int is_live = gitdir && hk_session_live(gitdir, t->id, &live);
    free(gitdir);
    if (!is_live) {
        *err = hk_xasprintf("Task %s is %s and no session of it runs now, so the reply was not passed on; "
                            "`honk resume %s` goes on with it.", t->id, t->state, t->id);
        return -1;
    }
    struct followup *f = hk_xcalloc(1, sizeof *f);
    f->s = s;
    memcpy(f->id, t->id, 9);
    f->who = hk_xstrdup(who);
    f->conn = hk_conn_open(s->loop, live.socket, on_line, on_close, f, err);
    hk_live_free(&live);
    if (!f->conn) {
        free(f->who);
        free(f);
        return -1;
    }
    /* joined past the whole journal: it is only here to say one thing */
    cJSON *join = hk_protocol_msg("join");
    cJSON_AddNumberToObject(join, "id", 1);
    char *name = hk_xasprintf("slack:%s", who);
    cJSON_AddStringToObject(join, "name", name);
    free(name);
    cJSON_AddNumberToObject(join, "from", 1e12);
    hk_conn_send(f->conn, join);
    cJSON_Delete(join);
    cJSON *msg = hk_protocol_msg("command");
    cJSON_AddNumberToObject(msg, "id", 2);
    cJSON *cmd = cJSON_AddObjectToObject(msg, "command");
    cJSON_AddStringToObject(cmd, "command", "send");
    cJSON_AddStringToObject(cmd, "text", text);
    hk_conn_send(f->conn, msg);
    cJSON_Delete(msg);
    return 0;
}
