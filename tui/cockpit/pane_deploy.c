/* The Deploy pane: the pipeline's stages with their state marks and
 * durations, a spinner on the running one (its timer lives only while
 * something runs), a stage's log on Enter, and the approve/cancel keys. */
#include "pane.h"
#include "deploy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPIN_MS 100

enum stage_state { S_PENDING, S_RUNNING, S_PASSED, S_FAILED, S_SKIPPED, S_INTERRUPTED };

struct stage {
    char *name, *log;
    enum stage_state state;
    int exit_code;
    long duration_ms;
    int64_t started; /* monotonic ms while running */
    bool show_log;
};

struct deploy {
    struct stage *stages;
    int n;
    int selected;
    int spin;
    uint64_t timer;
};

static struct deploy *deploy_of(struct pane *p)
{
    return p->priv;
}

/* The stage states of the backend's deploy (deploy.h), in the same order. */
_Static_assert((int)S_PENDING == (int)HK_STAGE_PENDING && (int)S_SKIPPED == (int)HK_STAGE_SKIPPED &&
                   (int)S_INTERRUPTED == (int)HK_STAGE_INTERRUPTED,
               "stage_state follows hk_stage_state");

static int parse_state(const char *s)
{
    return s ? hk_stage_state_parse(s) : -1;
}

/* Row r: the stage and which log line (-1: the stage's own line). */
static bool row_at(struct deploy *d, long r, int *stage, int *line)
{
    for (int i = 0; i < d->n; i++) {
        if (r == 0) {
            *stage = i, *line = -1;
            return true;
        }
        r--;
        if (!d->stages[i].show_log || !d->stages[i].log)
            continue;
        const char *s = d->stages[i].log;
        for (int l = 0; *s; l++) {
            if (r == 0) {
                *stage = i, *line = l;
                return true;
            }
            r--;
            const char *nl = strchr(s, '\n');
            s = nl ? nl + 1 : s + strlen(s);
        }
    }
    return false;
}

static long deploy_rows(struct pane *p)
{
    struct deploy *d = deploy_of(p);
    long n = d->n;
    for (int i = 0; i < d->n; i++)
        if (d->stages[i].show_log && d->stages[i].log)
            for (const char *s = d->stages[i].log; *s;) {
                n++;
                const char *nl = strchr(s, '\n');
                s = nl ? nl + 1 : s + strlen(s);
            }
    return n;
}

static void log_line(const struct stage *st, int line, const char **s, int *len)
{
    const char *t = st->log;
    for (int l = 0; l < line; l++)
        t = strchr(t, '\n') + 1;
    const char *nl = strchr(t, '\n');
    *s = t;
    *len = nl ? (int)(nl - t) : (int)strlen(t);
}

static void stage_text(struct deploy *d, int i, struct hk_buf *b)
{
    static const char *marks[] = {"\u00b7", "", "\u2713", "\u2717", "\u2013", "?"};
    static const char *spinner[] = {"\u280b", "\u2819", "\u2839", "\u2838", "\u283c", "\u2834", "\u2826", "\u2827", "\u2807", "\u280f"};
    const struct stage *st = &d->stages[i];
    const char *mark = st->state == S_RUNNING ? spinner[d->spin % 10] : marks[st->state];
    long ms = st->state == S_RUNNING ? (long)(hk_now_ms() - st->started) : st->duration_ms;
    hk_buf_printf(b, "%s %-20s %-8s", mark, st->name, hk_stage_state_name((enum hk_stage_state)st->state));
    if (st->state != S_PENDING && st->state != S_SKIPPED)
        hk_buf_printf(b, " %6.1f s", ms / 1000.0);
    if (st->state == S_FAILED)
        hk_buf_printf(b, "  exit %d", st->exit_code);
    if (st->state == S_INTERRUPTED)
        hk_buf_adds(b, "  unknown outcome");
    if (st->log)
        hk_buf_adds(b, st->show_log ? "  (Enter: hide log)" : "  (Enter: log)");
}

static void deploy_draw(struct pane *p)
{
    static const enum th_slot slots[] = {TH_STAGE_PENDING, TH_STAGE_RUNNING, TH_STAGE_PASSED,
                                         TH_STAGE_FAILED, TH_STAGE_SKIPPED, TH_STAGE_FAILED};
    struct deploy *d = deploy_of(p);
    if (!d->n) {
        const char *msg = "No deploy yet.";
        draw_text_slot(p->win, 0, 0, msg, (int)strlen(msg), p->w, TH_INFO);
        return;
    }
    for (int y = 0; y < p->h; y++) {
        int i, line;
        if (!row_at(d, p->top + y, &i, &line))
            break;
        const struct stage *st = &d->stages[i];
        if (line >= 0) {
            const char *s;
            int len;
            log_line(st, line, &s, &len);
            draw_text_slot(p->win, y, 2, s, len, p->w - 2, TH_INFO);
            continue;
        }
        struct hk_buf b = {0};
        stage_text(d, i, &b);
        enum th_slot slot = i == d->selected && p->focused ? TH_SELECTED : slots[st->state];
        int n = draw_text_slot(p->win, y, 0, b.data, (int)b.len, p->w, slot);
        if (slot == TH_SELECTED)
            draw_fill(p->win, y, n, p->w - n);
        hk_buf_free(&b);
    }
}

static bool any_running(struct deploy *d)
{
    for (int i = 0; i < d->n; i++)
        if (d->stages[i].state == S_RUNNING)
            return true;
    return false;
}

static void spin(struct hk_loop *loop, void *data)
{
    struct pane *p = data;
    struct deploy *d = deploy_of(p);
    d->timer = 0;
    d->spin++;
    ck_mark_dirty(p->ck, p);
    if (any_running(d))
        d->timer = hk_loop_add_timer(loop, SPIN_MS, spin, p);
}

static struct stage *find_stage(struct deploy *d, const char *name)
{
    for (int i = 0; i < d->n; i++)
        if (!strcmp(d->stages[i].name, name))
            return &d->stages[i];
    d->stages = hk_xrealloc(d->stages, (size_t)(d->n + 1) * sizeof *d->stages);
    struct stage *st = &d->stages[d->n++];
    memset(st, 0, sizeof *st);
    st->name = hk_xstrdup(name);
    return st;
}

static unsigned deploy_event(struct pane *p, const struct hk_event *ev)
{
    struct deploy *d = deploy_of(p);
    if (ev->kind == HK_EV_STATE)
        return PANE_REDRAW; /* the title says whether the deploy waits */
    const char *name = ev_str(ev, "stage");
    int state = parse_state(ev_str(ev, "state"));
    if (ev->kind != HK_EV_DEPLOY_STAGE || !name || state < 0)
        return 0;
    struct stage *st = find_stage(d, name);
    if (state == S_RUNNING && st->state != S_RUNNING)
        st->started = hk_now_ms();
    st->state = (enum stage_state)state;
    st->exit_code = (int)ev_num(ev, "exit", 0);
    st->duration_ms = (long)ev_num(ev, "duration_ms", (double)st->duration_ms);
    const char *log = ev_str(ev, "log");
    if (log) {
        free(st->log);
        st->log = hk_xstrdup(log);
    }
    if (any_running(d) && !d->timer)
        d->timer = hk_loop_add_timer(ck_loop(p->ck), SPIN_MS, spin, p);
    pane_rows_changed(p);
    return PANE_REDRAW;
}

static long stage_row(struct deploy *d, int index)
{
    long r = 0;
    for (int i = 0; i < index; i++) {
        r++;
        if (d->stages[i].show_log && d->stages[i].log)
            for (const char *s = d->stages[i].log; *s; r++) {
                const char *nl = strchr(s, '\n');
                s = nl ? nl + 1 : s + strlen(s);
            }
    }
    return r;
}

static unsigned deploy_action(struct pane *p, enum km_action a)
{
    struct deploy *d = deploy_of(p);
    switch (a) {
    case KM_STAGE_NEXT:
    case KM_STAGE_PREV:
        if (d->n) {
            d->selected += a == KM_STAGE_NEXT ? 1 : -1;
            d->selected = d->selected < 0 ? 0 : d->selected >= d->n ? d->n - 1 : d->selected;
            long r = stage_row(d, d->selected);
            if (r < p->top || r >= p->top + p->h) {
                p->top = r;
                pane_scroll_by(p, 0);
            }
        }
        break;
    case KM_STAGE_LOG:
        if (d->n)
            d->stages[d->selected].show_log = !d->stages[d->selected].show_log;
        pane_rows_changed(p);
        break;
    default: return 0;
    }
    return PANE_HANDLED | PANE_REDRAW;
}

static void deploy_row_text(struct pane *p, long r, struct hk_buf *out)
{
    struct deploy *d = deploy_of(p);
    int i, line;
    if (!row_at(d, r, &i, &line))
        return;
    if (line < 0) {
        stage_text(d, i, out);
        return;
    }
    const char *s;
    int len;
    log_line(&d->stages[i], line, &s, &len);
    hk_buf_add(out, s, (size_t)len);
}

static void deploy_title(struct pane *p, char *buf, int size)
{
    /* D and C answer the wait only: once the deploy runs or ran, they do nothing */
    if (deploy_of(p)->n && ck_waiting_for_deploy(p->ck))
        snprintf(buf, size, "waiting: D deploys, C skips");
}

static void deploy_free(struct pane *p)
{
    struct deploy *d = deploy_of(p);
    if (d->timer)
        hk_loop_cancel_timer(ck_loop(p->ck), d->timer);
    for (int i = 0; i < d->n; i++)
        free(d->stages[i].name), free(d->stages[i].log);
    free(d->stages);
    free(d);
}

static const struct pane_ops deploy_ops = {
    .title = "Deploy",
    .scope = KM_DEPLOY,
    .draw = deploy_draw,
    .action = deploy_action,
    .on_event = deploy_event,
    .rows = deploy_rows,
    .row_text = deploy_row_text,
    .title_extra = deploy_title,
    .free = deploy_free,
};

struct pane *pane_deploy_new(struct hk_cockpit *ck)
{
    struct pane *p = hk_xmalloc(sizeof *p);
    pane_init(p, &deploy_ops, ck);
    p->priv = hk_xcalloc(1, sizeof(struct deploy));
    p->follow = false;
    return p;
}
