/* `honk __play-events FILE.jsonl`: test scaffolding that opens the cockpit
 * and feeds it a journal-like file (one event a line, optional "delay_ms"),
 * starting a real runner on test_start and writing every action to
 * --actions-log. It stands in for the session until that exists. */
#include "cockpit.h"
#include "commands.h"
#include "config.h"
#include "flags.h"
#include "runner.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct play {
    struct hk_loop *loop;
    struct hk_cockpit *ck;
    char **lines;
    int n, next;
    bool waited; /* the next line's delay has passed */
    uint64_t timer;
    FILE *log;
    struct hk_runner *runner;
    struct {
        char *proposal;
        int hunk;
    } undo[256];
    int nundo;
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int kind_of(const char *name)
{
    static const char *names[] = {
#define PLAY_NAME(id, str, doc) str,
        HK_EVENT_KINDS(PLAY_NAME)
#undef PLAY_NAME
    };
    for (int i = 0; name && i < HK_EV_COUNT; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

static void emit(struct play *pl, enum hk_event_kind kind, cJSON *data)
{
    struct hk_event ev = {kind, wall_ms(), data};
    hk_cockpit_event(pl->ck, &ev);
    cJSON_Delete(data);
}

static void logf_(struct play *pl, const char *fmt, const char *a, const char *b)
{
    if (!pl->log)
        return;
    fprintf(pl->log, fmt, a ? a : "", b ? b : "");
    fflush(pl->log);
}

static void on_send(const char *text, void *data)
{
    struct play *pl = data;
    logf_(pl, "send %s%s\n", text, NULL);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "text", text);
    emit(pl, HK_EV_USER, d);
}

static void on_interrupt(void *data)
{
    logf_(data, "interrupt%s%s\n", NULL, NULL);
}

static void on_decide(const char *proposal, int hunk, enum hk_verdict v, const char *reason,
                      const char *edited, void *data)
{
    static const char *verdicts[] = {"approve", "reject", "edit"};
    struct play *pl = data;
    if (pl->log) {
        fprintf(pl->log, "decide %s %d %s", proposal, hunk, verdicts[v]);
        if (reason)
            fprintf(pl->log, " reason=%s", reason);
        if (edited) {
            cJSON *s = cJSON_CreateString(edited);
            char *json = cJSON_PrintUnformatted(s);
            fprintf(pl->log, " edited=%s", json);
            free(json);
            cJSON_Delete(s);
        }
        fputc('\n', pl->log);
        fflush(pl->log);
    }
    if (pl->nundo < 256) {
        pl->undo[pl->nundo].proposal = hk_xstrdup(proposal);
        pl->undo[pl->nundo++].hunk = hunk;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "proposal", proposal);
    cJSON_AddNumberToObject(d, "hunk", hunk);
    cJSON_AddStringToObject(d, "verdict", verdicts[v]);
    if (reason)
        cJSON_AddStringToObject(d, "reason", reason);
    emit(pl, HK_EV_DECISION, d);
}

static void on_undo(void *data)
{
    struct play *pl = data;
    logf_(pl, "undo%s%s\n", NULL, NULL);
    if (!pl->nundo)
        return;
    pl->nundo--;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "proposal", pl->undo[pl->nundo].proposal);
    cJSON_AddNumberToObject(d, "hunk", pl->undo[pl->nundo].hunk);
    cJSON_AddStringToObject(d, "verdict", "pending");
    free(pl->undo[pl->nundo].proposal);
    emit(pl, HK_EV_DECISION, d);
}

static void on_deploy(bool approve, void *data)
{
    logf_(data, "deploy %s%s\n", approve ? "approve" : "cancel", NULL);
}

static void on_quit(void *data)
{
    struct play *pl = data;
    logf_(pl, "quit%s%s\n", NULL, NULL);
    hk_loop_stop(pl->loop);
}

static void runner_changed(struct hk_runner *r, void *data)
{
    (void)r;
    hk_cockpit_test_changed(((struct play *)data)->ck);
}

static void runner_finished(struct hk_runner *r, const struct hk_runner_result *res, void *data)
{
    struct play *pl = data;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "command", hk_runner_command(r));
    cJSON_AddNumberToObject(d, "exit", res->exit_code);
    cJSON_AddNumberToObject(d, "duration_ms", (double)res->duration_ms);
    cJSON_AddBoolToObject(d, "passed", res->exit_code == 0);
    emit(pl, HK_EV_TEST_END, d);
    hk_cockpit_test_changed(pl->ck);
}

static void start_test(struct play *pl, const cJSON *data)
{
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(data, "command");
    if (!cJSON_IsString(cmd))
        return;
    if (pl->runner) {
        hk_cockpit_set_test_runner(pl->ck, NULL);
        hk_runner_free(pl->runner);
    }
    struct hk_runner_opts o = {0};
    o.command = cmd->valuestring;
    o.on_change = runner_changed;
    o.on_finished = runner_finished;
    o.data = pl;
    char *err = NULL;
    pl->runner = hk_runner_start(pl->loop, &o, &err);
    if (!pl->runner) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "message", err);
        emit(pl, HK_EV_ERROR, d);
        free(err);
        return;
    }
    hk_cockpit_set_test_runner(pl->ck, pl->runner);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct hk_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        hk_buf_add(&b, chunk, n);
    fclose(f);
    return hk_buf_steal(&b);
}

static void show_proposal(struct play *pl, const cJSON *data)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(data, "id");
    const cJSON *summary = cJSON_GetObjectItemCaseSensitive(data, "summary");
    const cJSON *patch = cJSON_GetObjectItemCaseSensitive(data, "patch");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(data, "patch_file");
    char *text = cJSON_IsString(patch) ? hk_xstrdup(patch->valuestring)
                 : cJSON_IsString(file) ? read_file(file->valuestring) : NULL;
    if (!text)
        return;
    char *err = NULL;
    int64_t t0 = hk_now_ms();
    struct hk_diffview *dv = hk_diffview_from_patch(cJSON_IsString(id) ? id->valuestring : "p1",
                                                    cJSON_IsString(summary) ? summary->valuestring : NULL,
                                                    text, &err);
    free(text);
    const char *timings = getenv("HONK_COCKPIT_TIMINGS");
    FILE *tf = timings && *timings ? fopen(timings, "a") : NULL;
    if (tf) {
        fprintf(tf, "diff_parse_ms %lld\n", (long long)(hk_now_ms() - t0));
        fclose(tf);
    }
    if (dv)
        hk_cockpit_set_diff(pl->ck, dv);
    free(err);
}

static void quit_soon(struct hk_loop *loop, void *data)
{
    (void)loop;
    ((struct play *)data)->timer = 0;
    on_quit(data);
}

/* Feeds lines until one asks to wait. */
static void feed(struct hk_loop *loop, void *data)
{
    struct play *pl = data;
    pl->timer = 0;
    while (pl->next < pl->n) {
        cJSON *j = cJSON_Parse(pl->lines[pl->next]);
        if (!j) {
            pl->next++;
            continue;
        }
        const cJSON *delay = cJSON_GetObjectItemCaseSensitive(j, "delay_ms");
        if (cJSON_IsNumber(delay) && delay->valuedouble > 0 && !pl->waited) {
            pl->waited = true;
            pl->timer = hk_loop_add_timer(loop, (int64_t)delay->valuedouble, feed, pl);
            cJSON_Delete(j);
            return;
        }
        pl->waited = false;
        pl->next++;
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
        const cJSON *time = cJSON_GetObjectItemCaseSensitive(j, "time");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "data");
        const char *name = cJSON_IsString(kind) ? kind->valuestring : "";
        if (!strcmp(name, "quit")) { /* from the loop, which may not run yet */
            cJSON_Delete(j);
            pl->timer = hk_loop_add_timer(loop, 0, quit_soon, pl);
            return;
        }
        int k = kind_of(name);
        if (k == HK_EV_TEST_START)
            start_test(pl, d);
        if (k == HK_EV_PROPOSAL)
            show_proposal(pl, d);
        if (k >= 0) {
            struct hk_event ev = {(enum hk_event_kind)k, cJSON_IsNumber(time) ? (int64_t)time->valuedouble : wall_ms(), d};
            hk_cockpit_event(pl->ck, &ev);
        }
        cJSON_Delete(j);
    }
}

static int load_lines(struct play *pl, const char *path)
{
    char *text = read_file(path);
    if (!text)
        return -1;
    for (char *s = text, *save = NULL, *line = strtok_r(s, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        pl->lines = hk_xrealloc(pl->lines, (size_t)(pl->n + 1) * sizeof *pl->lines);
        pl->lines[pl->n++] = hk_xstrdup(line);
    }
    free(text);
    return 0;
}

int hk_cmd_play_events(int argc, char **argv)
{
    struct play pl = {0};
    struct hk_cockpit_opts opts = {0};
    const char *file = NULL, *log = NULL;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = hk_flag_value(argc, argv, &i, "--actions-log", &log)) != 0 ||
            (r = hk_flag_value(argc, argv, &i, "--theme", &opts.theme)) != 0) {
            if (r < 0)
                return HK_EXIT_USAGE;
        } else if (!strcmp(argv[i], "--no-color")) {
            opts.no_color = true;
        } else if (argv[i][0] != '-' && !file) {
            file = argv[i];
        } else {
            fprintf(stderr, "honk: __play-events: unknown argument %s\n", argv[i]);
            return HK_EXIT_USAGE;
        }
    }
    if (!file || load_lines(&pl, file) < 0) {
        fprintf(stderr, "honk: __play-events needs a readable FILE.jsonl\n");
        return HK_EXIT_USAGE;
    }
    if (log && !(pl.log = fopen(log, "w"))) {
        fprintf(stderr, "honk: cannot write %s\n", log);
        return HK_EXIT_USAGE;
    }
    char *err = NULL;
    opts.config = hk_config_open(NULL, &err);
    free(err);
    err = NULL;
    pl.loop = hk_loop_new();
    static const struct hk_cockpit_actions actions = {
        .send_message = on_send, .interrupt = on_interrupt, .decide = on_decide,
        .undo = on_undo, .deploy = on_deploy, .quit = on_quit,
    };
    pl.ck = hk_cockpit_new(pl.loop, &actions, &pl, &opts, &err);
    int rc = HK_EXIT_OK;
    if (!pl.ck) {
        fprintf(stderr, "honk: %s\n", err);
        free(err);
        rc = HK_EXIT_FAILED;
        goto out;
    }
    feed(pl.loop, &pl);
    hk_loop_run(pl.loop);
    if (pl.timer)
        hk_loop_cancel_timer(pl.loop, pl.timer);
    hk_cockpit_set_test_runner(pl.ck, NULL);
    hk_cockpit_free(pl.ck);
out:
    if (pl.runner)
        hk_runner_free(pl.runner);
    hk_loop_free(pl.loop);
    hk_config_free(opts.config);
    for (int i = 0; i < pl.n; i++)
        free(pl.lines[i]);
    free(pl.lines);
    for (int i = 0; i < pl.nundo; i++)
        free(pl.undo[i].proposal);
    if (pl.log)
        fclose(pl.log);
    return rc;
}
