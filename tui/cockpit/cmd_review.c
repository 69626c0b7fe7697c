/* `honk review [REV-RANGE|PATCH]`: the Diff pane on commits or a patch
 * file, hunk by hunk, with no model at all. Decisions are carried out when
 * the cockpit closes (backend/review.c). */
#include "cockpit.h"
#include "commands.h"
#include "diff_sources.h"
#include "review.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct review_app {
    struct hk_loop *loop;
    struct hk_cockpit *ck;
    struct hk_review *review;
    char *title;
};

static struct hk_dv_hunk *view_hunk_in(struct hk_diffview *dv, int flat, struct hk_dv_file **file)
{
    for (int f = 0; dv && f < dv->nfiles; f++) {
        if (flat < dv->files[f].nhunks) {
            if (file)
                *file = &dv->files[f];
            return &dv->files[f].hunks[flat];
        }
        flat -= dv->files[f].nhunks;
    }
    return NULL;
}

static struct hk_dv_hunk *view_hunk(struct hk_diffview *dv, int flat)
{
    return view_hunk_in(dv, flat, NULL);
}

/* What is reviewed, as Diff shows it before any decision. */
static struct hk_diffview *build_view(struct review_app *a)
{
    const struct hk_proposal *p = hk_review_proposal(a->review);
    struct hk_diffview *dv = p ? hk_diffview_from_proposal(p, NULL)
                               : hk_diffview_from_diff(hk_review_diff(a->review), "review", a->title);
    free(dv->summary); /* not a model's proposal: say what is reviewed */
    dv->summary = hk_xstrdup(a->title);
    return dv;
}

/* The hunk's lines as reviewed, back after its edit was undone. */
static int count_kind(const struct hk_dv_hunk *h, enum hk_dv_kind kind)
{
    int n = 0;
    for (int i = 0; i < h->nlines; i++)
        n += h->lines[i].kind == kind;
    return n;
}

static void restore_lines(struct review_app *a, int flat)
{
    struct hk_dv_file *f = NULL;
    struct hk_dv_hunk *h = view_hunk_in(hk_cockpit_diff(a->ck), flat, &f);
    struct hk_diffview *fresh = build_view(a);
    struct hk_dv_hunk *o = view_hunk_in(fresh, flat, NULL);
    if (h && o && f) {
        f->adds += count_kind(o, HK_DV_ADD) - count_kind(h, HK_DV_ADD);
        f->dels += count_kind(o, HK_DV_DEL) - count_kind(h, HK_DV_DEL);
        struct hk_dv_hunk keep = *h;
        h->lines = o->lines, h->nlines = o->nlines, h->cap = o->cap, h->new_count = o->new_count;
        o->lines = keep.lines, o->nlines = keep.nlines, o->cap = keep.cap;
    }
    hk_diffview_free(fresh);
}

static enum hk_dv_state view_state(enum hk_hunk_state s)
{
    return s == HK_HUNK_APPROVED ? HK_DV_APPROVED : s == HK_HUNK_REJECTED ? HK_DV_REJECTED
           : s == HK_HUNK_EDITED ? HK_DV_EDITED : HK_DV_PENDING;
}

static void show_states(struct review_app *a, const char *reason, int hunk)
{
    struct hk_diffview *dv = hk_cockpit_diff(a->ck);
    for (size_t i = 0; i < hk_review_hunk_count(a->review); i++) {
        struct hk_dv_hunk *h = view_hunk(dv, (int)i);
        if (!h)
            continue;
        h->state = view_state(hk_review_state(a->review, i));
        if (reason && (hunk < 0 || (size_t)hunk == i) && h->state == HK_DV_REJECTED) {
            free(h->reason);
            h->reason = hk_xstrdup(reason);
        }
    }
    hk_cockpit_diff_changed(a->ck);
}

static void say(struct review_app *a, enum hk_event_kind kind, const char *message)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "message", message);
    struct hk_event ev = {kind, 0, d};
    hk_cockpit_event(a->ck, &ev);
    cJSON_Delete(d);
}

static bool hunk_fails(struct review_app *a, size_t flat)
{
    const struct hk_proposal *p = hk_review_proposal(a->review);
    for (size_t f = 0; p && f < p->nfiles; f++) {
        if (flat < p->files[f].nhunks)
            return p->files[f].hunks[flat].result == HK_HUNK_FAILED;
        flat -= p->files[f].nhunks;
    }
    return false;
}

/* A or R once some hunks are decided: those stay as they are (300 approved
 * hunks are not flipped by one key), the undecided ones get the verdict,
 * and Chat says how many of each. */
static void decide_undecided(struct review_app *a, enum hk_verdict verdict, const char *reason)
{
    size_t n = hk_review_hunk_count(a->review), decided = 0, now = 0;
    char *err = NULL;
    for (size_t i = 0; i < n; i++) {
        if (hk_review_state(a->review, i) != HK_HUNK_PENDING) {
            decided++;
            continue;
        }
        enum hk_verdict v = verdict == HK_VERDICT_APPROVE && hunk_fails(a, i) ? HK_VERDICT_REJECT : verdict;
        if (hk_review_decide(a->review, (int)i, v, NULL, &err) < 0) {
            say(a, HK_EV_ERROR, err);
            free(err);
            continue;
        }
        now++;
        struct hk_dv_hunk *h = view_hunk(hk_cockpit_diff(a->ck), (int)i);
        if (h && reason && v == HK_VERDICT_REJECT) {
            free(h->reason);
            h->reason = hk_xstrdup(reason);
        }
    }
    const char *did = verdict == HK_VERDICT_APPROVE ? "Approved" : "Rejected";
    char *msg = now ? hk_xasprintf("%s the %zu undecided hunk%s; the %zu already decided stay as they were (u takes back one decision at a time).",
                                   did, now, now == 1 ? "" : "s", decided)
                    : hk_xasprintf("All %zu hunks are already decided; nothing changed (u takes a decision back).", decided);
    say(a, HK_EV_NOTE, msg);
    free(msg);
    show_states(a, NULL, -1);
}

static void act_decide(const char *proposal, int hunk, enum hk_verdict verdict, const char *reason,
                       const char *edited, const char *seen, void *data)
{
    (void)proposal;
    (void)seen; /* a review has nobody else deciding */
    struct review_app *a = data;
    char *err = NULL;
    bool any_decided = false;
    for (size_t i = 0; hunk < 0 && i < hk_review_hunk_count(a->review); i++)
        any_decided |= hk_review_state(a->review, i) != HK_HUNK_PENDING;
    if (any_decided) {
        decide_undecided(a, verdict, reason);
        return;
    }
    if (hk_review_decide(a->review, hunk, verdict, edited, &err) < 0) {
        say(a, HK_EV_ERROR, err);
        free(err);
    } else if (verdict == HK_VERDICT_REJECT && reason && *reason) {
        hk_review_set_reason(a->review, hunk, reason);
    } else if (verdict == HK_VERDICT_EDIT && hunk >= 0) { /* Diff shows the edit, not what it replaced */
        struct hk_dv_file *f = NULL;
        struct hk_dv_hunk *h = view_hunk_in(hk_cockpit_diff(a->ck), hunk, &f);
        if (h && f) {
            hk_diffview_hunk_set_new_text(f, h, edited ? edited : "");
            hk_diffview_word_spans(hk_cockpit_diff(a->ck));
        }
    }
    show_states(a, reason, hunk);
}

static void act_undo(void *data)
{
    struct review_app *a = data;
    int hunk = hk_review_undo(a->review);
    const struct hk_dv_hunk *h = hunk >= 0 ? view_hunk(hk_cockpit_diff(a->ck), hunk) : NULL;
    if (h && h->state == HK_DV_EDITED) {
        restore_lines(a, hunk);
        hk_diffview_word_spans(hk_cockpit_diff(a->ck));
    }
    show_states(a, NULL, -1);
}

static void act_quit(void *data)
{
    struct review_app *a = data;
    hk_loop_stop(a->loop);
}

static const struct hk_cockpit_actions review_actions = {
    .decide = act_decide,
    .undo = act_undo,
    .quit = act_quit,
};

static int open_review(const char *what, struct hk_repo **repo, struct hk_review **out, char **err)
{
    struct stat st;
    if (stat(what, &st) == 0 && S_ISREG(st.st_mode))
        return hk_review_patch(".", what, out, err);
    if (stat(what, &st) == 0 && S_ISDIR(st.st_mode)) {
        *err = hk_xasprintf("'%s' is a directory, not a patch file or a revision", what);
        return -1;
    }
    if (hk_repo_open(repo, ".", err) != 0) {
        free(*err);
        *err = hk_xasprintf("there is no file '%s', and outside a git repository it cannot be a revision", what);
        return -1;
    }
    return hk_review_revs(*repo, what, out, err);
}

int hk_cmd_review(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        hk_usage("review", stderr);
        return HK_EXIT_USAGE;
    }
    const char *what = argc == 2 ? argv[1] : "HEAD";
    struct review_app a = {0};
    struct hk_repo *repo = NULL;
    char *err = NULL, *report = NULL;
    int status = HK_EXIT_USAGE;
    /* What is wrong with the input first: the terminal is not its fix. */
    if (open_review(what, &repo, &a.review, &err) != 0) {
        fprintf(stderr, "honk: %s\n", err);
        goto out;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "honk: review needs a terminal\n");
        goto out;
    }
    a.loop = hk_loop_new();
    char *cerr = NULL;
    struct hk_config *cfg = hk_config_open(NULL, &cerr);
    free(cerr);
    struct hk_cockpit_opts opts = {.config = cfg, .review = true};
    a.ck = hk_cockpit_new(a.loop, &review_actions, &a, &opts, &err);
    if (!a.ck) {
        fprintf(stderr, "honk: %s\n", err);
        hk_config_free(cfg);
        goto out;
    }
    a.title = hk_xasprintf("review of %s: a/r per hunk, q to finish", hk_review_title(a.review));
    hk_cockpit_set_diff(a.ck, build_view(&a));
    say(&a, HK_EV_NOTE, a.title);
    hk_loop_run(a.loop);
    status = hk_review_finish(a.review, &report, &err) == 0 ? HK_EXIT_OK : HK_EXIT_FAILED;
    hk_cockpit_set_summary(a.ck, report ? report : err);
    hk_cockpit_free(a.ck);
    hk_config_free(cfg);
out:
    free(a.title);
    free(err);
    free(report);
    hk_review_free(a.review);
    hk_repo_close(repo);
    hk_loop_free(a.loop);
    return status;
}
