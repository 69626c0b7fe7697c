/* The Chat pane: the conversation as it streams (model text word-wrapped,
 * fenced code set apart), the engineer's messages, one-line tool entries that
 * expand, and error, retry and progress lines. */
#include "pane.h"
#include "cockpit.h"
#include "printer.h"
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum entry_kind { E_USER, E_ASSISTANT, E_TOOL, E_INFO, E_ERROR, E_RETRY };

struct entry {
    enum entry_kind kind;
    struct hk_buf disp;  /* what is shown, before wrapping */
    struct hk_buf text;  /* assistant: the reply; tool: the summary line */
    char *tool_id, *detail;
    int status;          /* tool: 0 running, 1 ok, -1 failed */
    bool expanded;
    long first_row;
};

struct row {
    int entry;
    int off, len;
    bool line_start, code, fence; /* code: inside a fence before this line */
};

struct chat {
    struct entry *entries;
    int nentries, cap;
    struct row *rows;
    long nrows, rcap;
    bool open;     /* the last entry is a reply still streaming */
    bool tests_passed; /* the last test run (not a command) passed */
    int selected;  /* the tool entry Enter expands; -1 none */
    struct hk_buf held; /* presence sentences that came while a reply streamed, one a line */
};

static struct chat *chat_of(struct pane *p)
{
    return p->priv;
}

static enum th_slot entry_slot(const struct entry *e)
{
    static const enum th_slot slots[] = {TH_USER, TH_ASSISTANT, TH_TOOL, TH_INFO, TH_ERROR, TH_RETRY};
    if (e->kind == E_TOOL && e->status < 0)
        return TH_TOOL_FAIL;
    return slots[e->kind];
}

static void add_row(struct chat *ch, struct row r)
{
    if (ch->nrows == ch->rcap) {
        ch->rcap = ch->rcap ? ch->rcap * 2 : 256;
        ch->rows = hk_xrealloc(ch->rows, (size_t)ch->rcap * sizeof *ch->rows);
    }
    ch->rows[ch->nrows++] = r;
}

static bool is_fence(const char *s, int len)
{
    while (len > 0 && *s == ' ')
        s++, len--;
    return len >= 3 && !strncmp(s, "```", 3);
}

/* Wraps entry ei from byte pos, which starts a row. */
static void wrap_from(struct pane *p, int ei, int pos, bool code, bool line_start, bool fence)
{
    struct chat *ch = chat_of(p);
    struct entry *e = &ch->entries[ei];
    const char *s = e->disp.data ? e->disp.data : "";
    int len = (int)e->disp.len, width = p->w > 2 ? p->w : 2;
    bool fences = e->kind == E_ASSISTANT;
    while (pos < len) {
        const char *nl = memchr(s + pos, '\n', (size_t)(len - pos));
        int end = nl ? (int)(nl - s) : len;
        if (line_start)
            fence = fences && is_fence(s + pos, end - pos);
        do {
            int n = wrap_next(s + pos, end - pos, width);
            add_row(ch, (struct row){ei, pos, n, line_start, code, fence});
            pos += n;
            line_start = false;
        } while (pos < end);
        if (fence)
            code = !code;
        if (!nl)
            break;
        pos = end + 1;
        line_start = true;
        fence = false;
    }
}

/* Re-wraps from entry ei on (all of it when ei is 0). */
static void rewrap_entries(struct pane *p, int ei)
{
    struct chat *ch = chat_of(p);
    if (ei < ch->nentries)
        ch->nrows = ch->entries[ei].first_row;
    for (int i = ei; i < ch->nentries; i++) {
        ch->entries[i].first_row = ch->nrows;
        wrap_from(p, i, 0, false, true, false);
    }
    pane_rows_changed(p);
}

/* Text was appended to the last entry: only its last row can change. */
static void rewrap_tail(struct pane *p)
{
    struct chat *ch = chat_of(p);
    int ei = ch->nentries - 1;
    struct entry *e = &ch->entries[ei];
    if (ch->nrows <= e->first_row) {
        rewrap_entries(p, ei);
        return;
    }
    struct row last = ch->rows[--ch->nrows];
    wrap_from(p, ei, last.off, last.code, last.line_start, last.fence);
    pane_rows_changed(p);
}

static struct entry *add_entry(struct pane *p, enum entry_kind kind, const char *text)
{
    struct chat *ch = chat_of(p);
    if (ch->nentries == ch->cap) {
        ch->cap = ch->cap ? ch->cap * 2 : 64;
        ch->entries = hk_xrealloc(ch->entries, (size_t)ch->cap * sizeof *ch->entries);
    }
    struct entry *e = &ch->entries[ch->nentries++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->first_row = ch->nrows;
    hk_buf_adds(&e->disp, text ? text : "");
    ch->open = false;
    wrap_from(p, ch->nentries - 1, 0, false, true, false);
    pane_rows_changed(p);
    return e;
}

static void tool_disp(struct entry *e, const struct chat *ch, int index)
{
    hk_buf_clear(&e->disp);
    const char *mark = e->status > 0 ? " \u2713" : e->status < 0 ? " \u2717" : " \u2026";
    hk_buf_printf(&e->disp, "%s %s%s", index == ch->selected ? "\u25b8" : "\u2699",
                  e->text.data ? e->text.data : "", mark);
    if (e->expanded && e->detail)
        hk_buf_printf(&e->disp, "\n%s", e->detail);
}

static void refresh_tool(struct pane *p, int index)
{
    struct chat *ch = chat_of(p);
    if (index < 0 || index >= ch->nentries)
        return;
    tool_disp(&ch->entries[index], ch, index);
    rewrap_entries(p, index);
}

static int find_tool(struct chat *ch, const char *id)
{
    for (int i = ch->nentries - 1; id && i >= 0; i--)
        if (ch->entries[i].kind == E_TOOL && ch->entries[i].tool_id &&
            !strcmp(ch->entries[i].tool_id, id))
            return i;
    return -1;
}

static void select_tool(struct pane *p, int index)
{
    struct chat *ch = chat_of(p);
    int old = ch->selected;
    ch->selected = index;
    if (old >= 0 && old != index)
        refresh_tool(p, old);
    refresh_tool(p, index);
}

static void on_tool_call(struct pane *p, const struct hk_event *ev)
{
    struct chat *ch = chat_of(p);
    const char *name = ev_str(ev, "name"), *summary = ev_str(ev, "summary");
    struct entry *e = add_entry(p, E_TOOL, "");
    /* The summary names the tool itself ("read_file src/main.c"). */
    hk_buf_adds(&e->text, summary ? summary : name ? name : "tool");
    e->tool_id = hk_xstrdup(ev_str(ev, "id") ? ev_str(ev, "id") : "");
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(ev->data, "input");
    if (input) {
        char *json = cJSON_Print(input);
        e->detail = hk_xasprintf("input: %s", json);
        free(json);
    }
    select_tool(p, ch->nentries - 1);
}

static void on_tool_result(struct pane *p, const struct hk_event *ev)
{
    struct chat *ch = chat_of(p);
    int i = find_tool(ch, ev_str(ev, "id"));
    if (i < 0) {
        on_tool_call(p, ev);
        i = ch->nentries - 1;
    }
    struct entry *e = &ch->entries[i];
    e->status = ev_num(ev, "ok", 1) ? 1 : -1;
    const char *summary = ev_str(ev, "summary"), *content = ev_str(ev, "content");
    if (summary)
        hk_buf_printf(&e->text, " \u2192 %s", summary);
    if (content) {
        char *d = hk_xasprintf("%s%s%s", e->detail ? e->detail : "", e->detail ? "\n" : "", content);
        free(e->detail);
        e->detail = d;
    }
    refresh_tool(p, i);
}

static void on_text(struct pane *p, const char *text)
{
    struct chat *ch = chat_of(p);
    if (!text)
        return;
    if (!ch->open) {
        add_entry(p, E_ASSISTANT, "");
        ch->open = true;
    }
    hk_buf_adds(&ch->entries[ch->nentries - 1].disp, text);
    rewrap_tail(p);
}

static void infof(struct pane *p, enum entry_kind kind, const char *fmt, const char *a, const char *b)
{
    char *text = hk_xasprintf(fmt, a ? a : "", b ? b : "");
    add_entry(p, kind, text);
    free(text);
}

static void on_test_end(struct pane *p, const struct hk_event *ev)
{
    char buf[160];
    bool passed = ev_num(ev, "passed", 0) != 0;
    snprintf(buf, sizeof buf, "Tests %s (exit %d, %.1f s)", passed ? "passed" : "failed",
             (int)ev_num(ev, "exit", -1), ev_num(ev, "duration_ms", 0) / 1000.0);
    add_entry(p, passed ? E_INFO : E_ERROR, buf);
    if (!hk_run_is_command(ev->data))
        chat_of(p)->tests_passed = passed;
}

/* What the engineer can do now, said once when the session starts waiting. */
static void on_state(struct pane *p, const struct hk_event *ev)
{
    int state = hk_state_event_state(ev);
    switch (hk_state_event_wait(ev)) {
    case HK_WAIT_COMMIT: /* "the tests pass" only when a run said so */
        infof(p, E_INFO, "Ready for review%s ] in Diff shows the whole change; c commits it, E edits the message first%s",
              chat_of(p)->tests_passed ? ": the tests pass." : "; no tests ran.", "");
        return;
    case HK_WAIT_COMMAND:
        infof(p, E_INFO, "The model asks to run a command: y allows it, x refuses%s%s", "", NULL);
        return;
    case HK_WAIT_STAGE:
        infof(p, E_INFO, "A deploy stage was interrupted when honk stopped; its outcome is unknown. D runs it again, C stops the deploy there (in Deploy: Alt-4)%s%s", "", NULL);
        return;
    case HK_WAIT_DEPLOY:
        infof(p, E_INFO, "Committed. D deploys, C skips the deploy; its stages wait in Deploy%s%s", "", NULL);
        return;
    case HK_WAIT_PROPOSAL:
        infof(p, E_INFO, "Waiting for your decision in Diff (Alt-2): a/r per hunk, A/R for all%s%s", "", NULL);
        return;
    case HK_WAIT_MESSAGE:
    case HK_WAIT_NONE:
        break;
    }
    if (state == HK_STATE_DONE || state == HK_STATE_FAILED)
        infof(p, state == HK_STATE_DONE ? E_INFO : E_ERROR, "Session %s. q quits%s", hk_session_state_name((enum hk_session_state)state), NULL);
}

/* The engineer's message, or one honk wrote for them (the failing tests'
 * output, which Tests shows in full): only its first line, said as honk's. */
static void on_user(struct pane *p, const struct hk_event *ev)
{
    const char *text = ev_str(ev, "text");
    if (!ev_num(ev, "automatic", 0) || !text) {
        infof(p, E_USER, "you: %s%s", text, NULL);
        return;
    }
    char *first = hk_xstrndup(text, strcspn(text, "\n"));
    infof(p, E_INFO, "honk to the model: %s%s", first, strchr(text, '\n') ? " (with the output's end)" : "");
    free(first);
}

/* Said once the reply that was streaming ends: a line in the middle would
 * cut the model's answer in two. */
static void say_held(struct pane *p)
{
    struct chat *ch = chat_of(p);
    char *held = hk_buf_steal(&ch->held);
    for (char *line = held, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        *nl = '\0';
        add_entry(p, E_INFO, line);
    }
    free(held);
}

/* Who joined, left or decided what; what this cockpit did itself it
 * knows already. */
static unsigned on_presence(struct pane *p, const struct hk_event *ev)
{
    const char *self = p->ck ? hk_cockpit_self(p->ck) : NULL;
    if (self && !strcmp(self, ev_str(ev, "who") ? ev_str(ev, "who") : "") &&
        !strcmp(ev_str(ev, "action") ? ev_str(ev, "action") : "", "decided"))
        return 0;
    char *sentence = hk_presence_sentence(ev->data);
    if (!sentence)
        return 0;
    if (chat_of(p)->open)
        hk_buf_printf(&chat_of(p)->held, "%s\n", sentence);
    else
        infof(p, E_INFO, "%s%s", sentence, NULL);
    free(sentence);
    return PANE_REDRAW;
}

static unsigned kind_event(struct pane *p, const struct hk_event *ev)
{
    struct chat *ch = chat_of(p);
    const char *proposal;
    switch (ev->kind) {
    case HK_EV_TEXT: on_text(p, ev_str(ev, "text")); break;
    case HK_EV_USER: on_user(p, ev); break;
    case HK_EV_TASK: infof(p, E_INFO, "Task: %s  (%s)", ev_str(ev, "task"), ev_str(ev, "branch")); break;
    case HK_EV_TURN_END: ch->open = false; return 0;
    case HK_EV_RETRY: /* the message says when and which try */
        infof(p, E_RETRY, "\u21bb %s%s", ev_str(ev, "message"), NULL);
        break;
    case HK_EV_TOOL_CALL: on_tool_call(p, ev); break;
    case HK_EV_TOOL_RESULT: on_tool_result(p, ev); break;
    case HK_EV_PROPOSAL:
        if (ev_num(ev, "update", 0))
            return 0; /* a decision changed it; Diff shows that */
        proposal = ev_str(ev, "id");
        infof(p, E_INFO, "Proposal %s: %s", proposal, ev_str(ev, "summary"));
        break;
    case HK_EV_COMMAND: infof(p, E_INFO, "Command awaiting approval: %s%s", ev_str(ev, "command"), NULL); break;
    case HK_EV_TEST_START: infof(p, E_INFO, "Running tests: %s%s", ev_str(ev, "command"), NULL); break;
    case HK_EV_TEST_END: on_test_end(p, ev); break;
    case HK_EV_COMMIT: infof(p, E_INFO, "Committed %s on %s", ev_str(ev, "commit"), ev_str(ev, "branch")); break;
    case HK_EV_LAND: infof(p, E_INFO, "%s%s", ev_str(ev, "message"), NULL); break;
    case HK_EV_ERROR: infof(p, E_ERROR, "\u2717 %s%s", ev_str(ev, "message"), NULL); break;
    case HK_EV_NOTE: infof(p, E_INFO, "%s%s", ev_str(ev, "message"), NULL); break;
    case HK_EV_STATE: on_state(p, ev); break;
    case HK_EV_PRESENCE: return on_presence(p, ev);
    case HK_EV_COMPACT: {
        char *sentence = hk_compact_sentence(ev->data);
        infof(p, E_INFO, "%s%s", sentence, NULL);
        free(sentence);
        break;
    }
    default: return 0;
    }
    return PANE_REDRAW;
}

static unsigned chat_event(struct pane *p, const struct hk_event *ev)
{
    struct chat *ch = chat_of(p);
    if (!ch->held.len || ev->kind == HK_EV_TEXT || ev->kind == HK_EV_PRESENCE)
        return kind_event(p, ev);
    ch->open = false; /* the reply ended (its turn, or what came after it) */
    say_held(p);
    return kind_event(p, ev) | PANE_REDRAW;
}

unsigned pane_chat_toggle(struct pane *p)
{
    struct chat *ch = chat_of(p);
    if (ch->selected < 0)
        return PANE_HANDLED;
    struct entry *e = &ch->entries[ch->selected];
    e->expanded = !e->expanded;
    refresh_tool(p, ch->selected);
    return PANE_HANDLED | PANE_REDRAW;
}

static unsigned chat_action(struct pane *p, enum km_action a)
{
    struct chat *ch = chat_of(p);
    if (a != KM_TOOL_PREV && a != KM_TOOL_NEXT)
        return 0;
    int dir = a == KM_TOOL_PREV ? -1 : 1;
    for (int i = ch->selected + dir; i >= 0 && i < ch->nentries; i += dir)
        if (ch->entries[i].kind == E_TOOL) {
            select_tool(p, i);
            long row = ch->entries[i].first_row;
            if (row < p->top || row >= p->top + p->h) {
                p->top = row;
                pane_scroll_by(p, 0);
            }
            break;
        }
    return PANE_HANDLED | PANE_REDRAW;
}

static void chat_draw(struct pane *p)
{
    struct chat *ch = chat_of(p);
    for (int y = 0; y < p->h; y++) {
        long r = p->top + y;
        if (r >= ch->nrows)
            break;
        const struct row *row = &ch->rows[r];
        const struct entry *e = &ch->entries[row->entry];
        enum th_slot slot = row->code || row->fence ? TH_CODE : entry_slot(e);
        if (row->entry == ch->selected && r == e->first_row)
            slot = TH_SELECTED;
        int n = draw_text_slot(p->win, y, 0, e->disp.data + row->off, row->len, p->w, slot);
        if (slot == TH_CODE || slot == TH_SELECTED || slot == TH_ERROR)
            draw_fill(p->win, y, n, p->w - n);
    }
}

static long chat_rows(struct pane *p)
{
    return chat_of(p)->nrows;
}

static void chat_row_text(struct pane *p, long r, struct hk_buf *out)
{
    struct chat *ch = chat_of(p);
    const struct row *row = &ch->rows[r];
    hk_buf_add(out, ch->entries[row->entry].disp.data + row->off, (size_t)row->len);
}

static void chat_resize(struct pane *p)
{
    rewrap_entries(p, 0);
}

static void chat_free(struct pane *p)
{
    struct chat *ch = chat_of(p);
    for (int i = 0; i < ch->nentries; i++) {
        hk_buf_free(&ch->entries[i].disp);
        hk_buf_free(&ch->entries[i].text);
        free(ch->entries[i].tool_id);
        free(ch->entries[i].detail);
    }
    free(ch->entries);
    free(ch->rows);
    hk_buf_free(&ch->held);
    free(ch);
}

static const struct pane_ops chat_ops = {
    .title = "Chat",
    .scope = KM_CHAT,
    .draw = chat_draw,
    .action = chat_action,
    .on_event = chat_event,
    .resize = chat_resize,
    .rows = chat_rows,
    .row_text = chat_row_text,
    .free = chat_free,
};

struct pane *pane_chat_new(struct hk_cockpit *ck)
{
    struct pane *p = hk_xmalloc(sizeof *p);
    pane_init(p, &chat_ops, ck);
    struct chat *ch = hk_xcalloc(1, sizeof *ch);
    ch->selected = -1;
    p->priv = ch;
    return p;
}
