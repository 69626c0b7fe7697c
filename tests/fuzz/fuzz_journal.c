/* Fuzzes reading a session journal (backend/journal.c) and replaying it as
 * resume does (backend/session_resume.c): any bytes in the journal file give
 * events of known kinds, a `honk log` summary, and a session rebuilt without
 * a side effect: the worktree its proposals name is left exactly as it was.
 * Input: the journal file's bytes. */
#include "fuzz.h"
#include "journal.h"
#include "session_internal.h"

struct seen {
    int events;
};

static void on_event(const struct hk_event *ev, void *user)
{
    FZ_ASSERT(ev->kind >= 0 && ev->kind < HK_EV_COUNT, "event kind %d", (int)ev->kind);
    FZ_ASSERT(hk_event_parse_name(hk_event_name(ev->kind)) == (int)ev->kind, "kind %d's name",
              (int)ev->kind);
    char *text = ev->data ? cJSON_PrintUnformatted(ev->data) : NULL;
    free(text);
    ((struct seen *)user)->events++;
}

static void make_worktree(void)
{
    fz_empty(fz_root);
    FZ_PUT_LIT("root/n.txt", "line 1\nline 2\nline 3\nline 4\n");
    FZ_PUT_LIT("root/gone.txt", "x\ny");
    fz_link("../outside/secret.env", "root/cfg");
}

/* The session as resume makes it, without a repository, loop or model:
 * replaying has no side effects, so none of them is reached. */
static void replay(const char *path)
{
    struct hk_session *s = hk_xcalloc(1, sizeof *s);
    s->task = hk_xcalloc(1, sizeof *s->task);
    s->task->worktree = hk_xstrdup(fz_root);
    char *err = NULL;
    int rc = hk_session_replay_journal(s, path, &err);
    FZ_ASSERT(rc == 0 || err, "replay failed without a sentence");
    FZ_ASSERT(s->conv, "no conversation");
    for (size_t i = 0; i < s->nproposals; i++)
        free(hk_patch_report(s->proposals[i]));
    free(err);
    hk_session_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_sandbox_init();
    make_worktree();
    char *gitdir = hk_xasprintf("%s/gitdir", fz_sandbox);
    char *path = hk_journal_path(gitdir, "0123abcd");
    fz_empty(gitdir);
    char *sessions = hk_xasprintf("%s/honk", gitdir);
    mkdir(sessions, 0755);
    free(sessions);
    sessions = hk_xasprintf("%s/honk/sessions", gitdir);
    mkdir(sessions, 0755);
    free(sessions);
    FILE *f = fopen(path, "wb");
    FZ_ASSERT(f, "cannot write %s", path);
    if (size)
        fwrite(data, 1, size, f);
    fclose(f);
    struct hk_buf root0 = fz_snapshot(fz_root), outside0 = fz_snapshot(fz_outside);

    struct seen seen = {0};
    char *err = NULL;
    int n = hk_journal_read(path, on_event, &seen, &err);
    FZ_ASSERT(n == seen.events, "read says %d events, %d seen", n, seen.events);
    free(err);
    err = NULL;

    struct hk_session_info *infos = NULL;
    size_t count = 0;
    if (hk_journal_list(gitdir, &infos, &count, &err) == 0)
        hk_session_info_free(infos, count);
    free(err);

    replay(path);
    struct hk_buf now = fz_snapshot(fz_root);
    FZ_ASSERT(fz_same(&root0, &now), "replaying the journal changed the worktree");
    hk_buf_free(&now);
    now = fz_snapshot(fz_outside);
    FZ_ASSERT(fz_same(&outside0, &now), "replaying the journal changed files outside");
    hk_buf_free(&now);
    hk_buf_free(&root0);
    hk_buf_free(&outside0);
    free(path);
    free(gitdir);
    return 0;
}
