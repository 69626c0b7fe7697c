/* The cockpit's life: taking over and restoring the terminal, signals,
 * feeding events to the panes, and frames (dirty panes only, one doupdate,
 * bursts merged on a short timer). */
#include "cockpit_internal.h"
#include "json.h"

#include "runner.h"
#include "session.h"

#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MS 16

/* The terminal's modes as the shell had them, put back on every way out
 * (endwin restores ncurses' copy; this covers what ncurses never saw). */
static struct termios shell_tty;
static bool shell_tty_saved;

static void restore_tty(void)
{
    if (shell_tty_saved)
        tcsetattr(STDIN_FILENO, TCSANOW, &shell_tty);
}

/* XON/XOFF flow control off while the cockpit runs: with it on, C-s froze
 * the screen and C-q never reached honk. */
static void no_flow_control(void)
{
    struct termios t;
    if (tcgetattr(STDIN_FILENO, &t) != 0)
        return;
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
    def_prog_mode(); /* ncurses keeps it so across the editor and resizes */
}

/* A crash must not leave the terminal in curses mode: restore it, then let
 * the signal do what it would have done. */
static void on_crash(int signo)
{
    endwin();
    restore_tty();
    signal(signo, SIG_DFL);
    raise(signo);
}

static void catch_crashes(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL); /* C-\ */
#ifndef __SANITIZE_ADDRESS__ /* ASan reports these itself */
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
#endif
}

static void frame_due(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_cockpit *c = data;
    c->frame_timer = 0;
    ck_render(c);
}

void ck_mark_dirty(struct hk_cockpit *c, struct pane *p)
{
    if (p)
        p->dirty = true;
    if (!c->frame_timer && !c->released)
        c->frame_timer = hk_loop_add_timer(c->loop, FRAME_MS, frame_due, c);
}

static void set_cursor(struct hk_cockpit *c, int shown)
{
    if (c->cursor_shown != shown)
        curs_set(shown);
    c->cursor_shown = shown;
}

static void note_timings(struct hk_cockpit *c)
{
    if (!c->timings)
        return;
    int64_t now = hk_now_us();
    if (!c->first_frame) {
        struct timespec wall;
        clock_gettime(CLOCK_REALTIME, &wall);
        fprintf(c->timings, "first_frame_ms %.1f\nfirst_frame_at_ns %lld%09ld\n", (now - c->created_us) / 1000.0,
                (long long)wall.tv_sec, wall.tv_nsec);
    }
    if (c->diff_set_us)
        fprintf(c->timings, "diff_open_ms %.1f\n", (now - c->diff_set_us) / 1000.0);
    if (c->key_us)
        fprintf(c->timings, "key_ms %.3f\n", (now - c->key_us) / 1000.0);
    if (c->turn_end_us)
        fprintf(c->timings, "last_line_ms %.1f\n", (now - c->turn_end_us) / 1000.0);
    fflush(c->timings);
    c->diff_set_us = c->key_us = c->turn_end_us = 0;
}

void ck_render(struct hk_cockpit *c)
{
    if (c->frame_timer) {
        hk_loop_cancel_timer(c->loop, c->frame_timer);
        c->frame_timer = 0;
    }
    if (c->released)
        return;
    /* A pane got content or lost it: new sizes, but the terminal still shows
     * what curses thinks, so no full repaint (a chat line must not flash the
     * whole screen). */
    bool content_only = !c->full_redraw && !c->tiny && ck_layout_sig(c) != c->layout_sig;
    if (content_only || c->full_redraw) {
        ck_layout(c, !content_only);
        c->full_redraw = false;
    }
    if (c->tiny) {
        ck_draw_tiny(c);
    } else {
        if (c->help_shown) {
            if (c->help->dirty)
                ck_draw_pane(c, c->help);
        } else {
            for (int i = 0; i < CK_NPANES; i++)
                if (c->panes[i]->shown && c->panes[i]->dirty)
                    ck_draw_pane(c, c->panes[i]);
        }
        if (c->status_dirty)
            ck_draw_status(c);
        /* The input line goes last: it holds the cursor. */
        ck_draw_input(c);
        set_cursor(c, c->prompt.cb || (ck_input_active(c) && !c->help_shown));
    }
    doupdate();
    note_timings(c);
    c->first_frame = true;
}

void ck_apply(struct hk_cockpit *c, struct pane *p, unsigned result)
{
    if (result & PANE_QUIT)
        ck_quit(c);
    if (result & (PANE_LAYOUT | PANE_ALL))
        c->full_redraw = true;
    if (result & PANE_REDRAW)
        ck_mark_dirty(c, p);
}

/* Moves the focus to pane index; step (1 or -1) passes over panes this
 * cockpit does not have, 0 leaves the focus where it is then. */
static void focus_step(struct hk_cockpit *c, int index, int step)
{
    index = (index + CK_NPANES) % CK_NPANES;
    while (step && !ck_pane_available(c, index))
        index = (index + step + CK_NPANES) % CK_NPANES;
    if (index == c->focus || !ck_pane_available(c, index))
        return;
    c->panes[c->focus]->focused = false;
    c->panes[c->focus]->dirty = true;
    c->focus = index;
    c->panes[index]->focused = true;
    c->panes[index]->dirty = true;
    c->input_dirty = true;
    if (c->zoomed)
        c->full_redraw = true;
    ck_mark_dirty(c, NULL);
}

void ck_focus(struct hk_cockpit *c, int index)
{
    focus_step(c, index, 0);
}

void ck_focus_next(struct hk_cockpit *c, int step)
{
    focus_step(c, c->focus + step, step);
}

void ck_quit(struct hk_cockpit *c)
{
    if (c->actions.quit)
        c->actions.quit(c->adata);
    else
        hk_loop_stop(c->loop);
}

static void on_signal(struct hk_loop *loop, int signo, void *data)
{
    (void)loop;
    struct hk_cockpit *c = data;
    if (signo == SIGWINCH) {
        /* The loop owns SIGWINCH, so ask the terminal for its size. */
        struct winsize ws;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
            resizeterm(ws.ws_row, ws.ws_col);
        c->full_redraw = true;
        ck_render(c);
        return;
    }
    c->signalled = true;
    ck_quit(c);
}

bool hk_cockpit_signalled(const struct hk_cockpit *c)
{
    return c->signalled;
}

static void send_chat_event(struct hk_cockpit *c, enum hk_event_kind kind, const char *key,
                            const char *text)
{
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, key, text);
    struct hk_event ev = {kind, hk_wall_ms(), data};
    ck_apply(c, c->panes[CK_CHAT], c->panes[CK_CHAT]->ops->on_event(c->panes[CK_CHAT], &ev));
    cJSON_Delete(data);
}

void ck_chat_error(struct hk_cockpit *c, const char *message)
{
    send_chat_event(c, HK_EV_ERROR, "message", message);
}

void ck_chat_note(struct hk_cockpit *c, const char *message)
{
    send_chat_event(c, HK_EV_NOTE, "message", message);
}

bool ck_waiting_for_deploy(struct hk_cockpit *c)
{
    return c->wait == HK_WAIT_DEPLOY || c->wait == HK_WAIT_STAGE;
}

/* The clock ticks while the task lives, waiting included: only an ended
 * session stops it (a 1 s timer in the loop; idle costs nothing more). The
 * state table says which states end it. */
static bool state_active(const char *state)
{
    int st = hk_session_state_parse(state);
    return st >= 0 && !hk_session_state_terminal((enum hk_session_state)st);
}

static void tick(struct hk_loop *loop, void *data)
{
    struct hk_cockpit *c = data;
    c->tick_timer = 0;
    c->status_dirty = true;
    ck_mark_dirty(c, NULL);
    if (state_active(c->state))
        c->tick_timer = hk_loop_add_timer(loop, 1000, tick, c);
}

static void replace(char **field, const char *value)
{
    if (!value)
        return;
    free(*field);
    *field = hk_xstrdup(value);
}

static void summary_from_event(struct hk_cockpit *c, const struct hk_event *ev)
{
    char *text = ev->data ? cJSON_PrintUnformatted(ev->data) : NULL;
    struct hk_buf b = {0};
    const char *task = ev_str(ev, "task"), *state = ev_str(ev, "state");
    const char *commit = ev_str(ev, "commit"), *deploy = ev_str(ev, "deploy");
    const char *text_field = ev_str(ev, "text");
    if (text_field) {
        hk_buf_adds(&b, text_field);
    } else {
        hk_buf_printf(&b, "honk: %s%s%s", task ? task : "session", state ? " - " : "",
                      state ? state : "");
        if (commit)
            hk_buf_printf(&b, "\n  commit %s", commit);
        if (deploy)
            hk_buf_printf(&b, "\n  deploy %s", deploy);
    }
    free(c->summary);
    c->summary = hk_buf_steal(&b);
    free(text);
}

void hk_cockpit_set_self(struct hk_cockpit *c, const char *name)
{
    replace(&c->self, name);
}

const char *hk_cockpit_self(const struct hk_cockpit *c)
{
    return c->self;
}

void hk_cockpit_forget_others(struct hk_cockpit *c)
{
    cJSON_Delete(c->others);
    c->others = NULL;
    c->self_seen = false;
    c->status_dirty = true;
}

/* Who else is attached, from the presence events: a new process of the
 * session starts with nobody. One of the same name as this cockpit is
 * itself, once. */
static void presence_event(struct hk_cockpit *c, const struct hk_event *ev)
{
    const char *action = ev_str(ev, "action"), *who = ev_str(ev, "who");
    if (!action || !who)
        return;
    if (!c->others || !strcmp(action, "listening")) {
        cJSON_Delete(c->others);
        c->others = cJSON_CreateObject();
        c->self_seen = false;
    }
    if (!strcmp(action, "joined")) {
        if (c->self && !strcmp(who, c->self) && !c->self_seen) {
            c->self_seen = true;
            return;
        }
        cJSON_AddItemToObject(c->others, who, cJSON_CreateBool(hk_json_true(ev->data, "watch")));
    } else if (!strcmp(action, "left") || !strcmp(action, "dropped")) {
        if (cJSON_GetObjectItemCaseSensitive(c->others, who))
            cJSON_DeleteItemFromObjectCaseSensitive(c->others, who);
        else if (c->self && !strcmp(who, c->self))
            c->self_seen = false;
    }
}

static void status_event(struct hk_cockpit *c, const struct hk_event *ev)
{
    switch (ev->kind) {
    case HK_EV_PRESENCE:
        presence_event(c, ev);
        break;
    case HK_EV_TASK:
        replace(&c->provider, ev_str(ev, "provider"));
        replace(&c->model, ev_str(ev, "model"));
        replace(&c->branch, ev_str(ev, "branch"));
        c->task_started = ev->time_ms ? ev->time_ms : hk_wall_ms();
        break;
    case HK_EV_STATE:
        replace(&c->state, ev_str(ev, "state"));
        c->wait = hk_state_event_wait(ev);
        c->iteration = (long)ev_num(ev, "iteration", 0);
        if (state_active(c->state) && !c->tick_timer && !c->released)
            c->tick_timer = hk_loop_add_timer(c->loop, 1000, tick, c);
        break;
    case HK_EV_COMPACT: /* a summary's request counts like a turn */
    case HK_EV_TURN_END:
        if (c->timings && ev->kind == HK_EV_TURN_END)
            c->turn_end_us = hk_now_us();
        /* every prompt token sent, whether the provider's cache held it or not */
        c->tokens_in += (long)(ev_num(ev, "input_tokens", 0) + ev_num(ev, "cache_read_input_tokens", 0) +
                               ev_num(ev, "cache_creation_input_tokens", 0));
        c->tokens_out += (long)ev_num(ev, "output_tokens", 0);
        hk_usage_add(&c->usage, ev->data);
        break;
    case HK_EV_SUMMARY:
        summary_from_event(c, ev);
        break;
    default:
        return;
    }
    c->status_dirty = true;
    ck_mark_dirty(c, NULL);
}

/* When the session starts waiting for the engineer, focus the pane whose keys
 * answer it: in Chat, letters go to the input line, so "a" or "D" would be
 * typed rather than approve. A half-typed message keeps Chat focused. The
 * deploy waits after the commit, made from Diff: it takes the focus from any
 * pane. */
static void focus_the_decision(struct hk_cockpit *c, const struct hk_event *ev)
{
    if (ev->kind != HK_EV_STATE || (c->focus == CK_CHAT && c->input.text.len))
        return;
    enum hk_wait_kind wait = hk_state_event_wait(ev);
    if (wait == HK_WAIT_DEPLOY || wait == HK_WAIT_STAGE)
        ck_focus(c, CK_DEPLOY);
    else if (c->focus != CK_CHAT)
        return;
    else if (wait == HK_WAIT_PROPOSAL || wait == HK_WAIT_COMMIT)
        ck_focus(c, CK_DIFF);
    else if (wait == HK_WAIT_COMMAND)
        ck_focus(c, CK_TESTS); /* where the command's output will show */
}

void hk_cockpit_event(struct hk_cockpit *c, const struct hk_event *ev)
{
    status_event(c, ev);
    focus_the_decision(c, ev);
    for (int i = 0; i < CK_NPANES; i++) {
        struct pane *p = c->panes[i];
        if (p->ops->on_event)
            ck_apply(c, p, p->ops->on_event(p, ev));
    }
}

void hk_cockpit_set_diff(struct hk_cockpit *c, struct hk_diffview *dv)
{
    if (c->diff != dv)
        hk_diffview_free(c->diff);
    c->diff = dv;
    c->diff_set_us = hk_now_us();
    pane_diff_reload(c->panes[CK_DIFF]);
    ck_mark_dirty(c, c->panes[CK_DIFF]);
}

struct hk_diffview *hk_cockpit_diff(struct hk_cockpit *c)
{
    return c->diff;
}

void hk_cockpit_diff_changed(struct hk_cockpit *c)
{
    pane_diff_reload(c->panes[CK_DIFF]);
    ck_mark_dirty(c, c->panes[CK_DIFF]);
}

void hk_cockpit_set_test_runner(struct hk_cockpit *c, struct hk_runner *r)
{
    c->runner = r;
    struct pane *p = c->panes[CK_TESTS];
    if (p->ops->resize)
        p->ops->resize(p);
    p->follow = true;
    ck_mark_dirty(c, p);
}

void hk_cockpit_test_changed(struct hk_cockpit *c)
{
    struct pane *p = c->panes[CK_TESTS];
    pane_rows_changed(p);
    ck_mark_dirty(c, p);
}

void hk_cockpit_set_summary(struct hk_cockpit *c, const char *text)
{
    replace(&c->summary, text);
}

static SCREEN *open_terminal(char **err)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        *err = hk_xstrdup("the cockpit needs a terminal on stdin and stdout");
        return NULL;
    }
    const char *term = getenv("TERM");
    if (!term || !*term || !strcmp(term, "dumb")) {
        *err = hk_xstrdup("the cockpit needs a capable terminal (TERM is unset or dumb)");
        return NULL;
    }
    setlocale(LC_ALL, "");
    set_escdelay(25);
    shell_tty_saved = tcgetattr(STDIN_FILENO, &shell_tty) == 0;
    SCREEN *screen = newterm(NULL, stdout, stdin);
    if (!screen) {
        *err = hk_xasprintf("the terminal \"%s\" is unknown to ncurses", term);
        return NULL;
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    no_flow_control();
    return screen;
}

struct hk_cockpit *hk_cockpit_new(struct hk_loop *loop, const struct hk_cockpit_actions *actions,
                                  void *actions_data, const struct hk_cockpit_opts *opts,
                                  char **err)
{
    static const struct hk_cockpit_opts no_opts;
    if (!opts)
        opts = &no_opts;
    SCREEN *screen = open_terminal(err);
    if (!screen)
        return NULL;
    struct hk_cockpit *c = hk_xcalloc(1, sizeof *c);
    c->screen = screen;
    c->created_us = hk_now_us();
    const char *tpath = getenv("HONK_COCKPIT_TIMINGS");
    if (tpath && *tpath)
        c->timings = fopen(tpath, "a");
    c->loop = loop;
    if (actions)
        c->actions = *actions;
    c->adata = actions_data;
    c->cursor_shown = -1;
    catch_crashes();
    char *theme_err = NULL, *bind_warn = NULL;
    hk_theme_load(opts->theme, opts->config, opts->no_color, &theme_err);
    hk_keymap_init(opts->config, &bind_warn);
    c->panes[CK_CHAT] = pane_chat_new(c);
    c->panes[CK_DIFF] = pane_diff_new(c);
    c->panes[CK_TESTS] = pane_tests_new(c);
    c->panes[CK_DEPLOY] = pane_deploy_new(c);
    c->help = pane_help_new(c);
    c->review = opts->review;
    c->focus = c->review ? CK_DIFF : CK_CHAT;
    c->panes[c->focus]->focused = true;
    ck_keys_init(c);
    if (!opts->no_mouse) {
        mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        mouseinterval(0);
    }
    hk_loop_watch_fd(loop, STDIN_FILENO, POLLIN, ck_on_stdin, c);
    hk_loop_on_signal(loop, SIGWINCH, on_signal, c);
    hk_loop_on_signal(loop, SIGINT, on_signal, c);
    hk_loop_on_signal(loop, SIGTERM, on_signal, c);
    if (theme_err)
        ck_chat_error(c, theme_err);
    if (bind_warn)
        ck_chat_error(c, bind_warn);
    free(theme_err);
    free(bind_warn);
    c->full_redraw = true;
    ck_render(c);
    return c;
}

static void free_pane(struct pane *p)
{
    if (p->ops->free)
        p->ops->free(p);
    if (p->win)
        delwin(p->win);
    if (p->frame)
        delwin(p->frame);
    free(p->search);
    free(p);
}

/* Everything of curses: its windows, then the terminal back as the shell had it. */
static void end_curses(struct hk_cockpit *c)
{
    for (int i = 0; i < CK_NPANES; i++) {
        struct pane *p = c->panes[i];
        if (p->win)
            delwin(p->win);
        if (p->frame)
            delwin(p->frame);
        p->win = p->frame = NULL;
    }
    if (c->help->win)
        delwin(c->help->win);
    if (c->help->frame)
        delwin(c->help->frame);
    c->help->win = c->help->frame = NULL;
    if (c->status_win)
        delwin(c->status_win);
    if (c->input_win)
        delwin(c->input_win);
    c->status_win = c->input_win = NULL;
    endwin();
    restore_tty();
    delscreen(c->screen);
    c->screen = NULL;
}

static void stop_watching(struct hk_cockpit *c)
{
    hk_loop_unwatch_fd(c->loop, STDIN_FILENO);
    if (c->frame_timer)
        hk_loop_cancel_timer(c->loop, c->frame_timer);
    if (c->tick_timer)
        hk_loop_cancel_timer(c->loop, c->tick_timer);
    c->frame_timer = c->tick_timer = 0;
}

void hk_cockpit_release(struct hk_cockpit *c)
{
    if (c->released)
        return;
    stop_watching(c);
    hk_loop_off_signal(c->loop, SIGWINCH, on_signal, c);
    hk_loop_off_signal(c->loop, SIGINT, on_signal, c);
    hk_loop_off_signal(c->loop, SIGTERM, on_signal, c);
    /* A crash from now on has no screen to give back. */
    signal(SIGABRT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
#ifndef __SANITIZE_ADDRESS__
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
#endif
    end_curses(c);
    c->released = true;
}

void hk_cockpit_free(struct hk_cockpit *c)
{
    if (!c)
        return;
    if (!c->released) {
        stop_watching(c);
        end_curses(c);
    }
    for (int i = 0; i < CK_NPANES; i++)
        free_pane(c->panes[i]);
    free_pane(c->help);
    if (c->summary)
        printf("%s\n", c->summary);
    fflush(stdout);
    hk_input_free(&c->input);
    hk_input_free(&c->prompt.text);
    free(c->prompt.question);
    hk_diffview_free(c->diff);
    free(c->state), free(c->provider), free(c->model), free(c->branch);
    free(c->self);
    cJSON_Delete(c->others);
    free(c->status_msg), free(c->summary);
    if (c->timings)
        fclose(c->timings);
    free(c);
}

/* Services for panes. */
const struct hk_cockpit_actions *ck_actions(struct hk_cockpit *c, void **data)
{
    *data = c->adata;
    return &c->actions;
}

struct hk_loop *ck_loop(struct hk_cockpit *c)
{
    return c->loop;
}

struct hk_runner *ck_test_runner(struct hk_cockpit *c)
{
    return c->runner;
}

struct hk_diffview *ck_diff(struct hk_cockpit *c)
{
    return c->diff;
}

void ck_status_message(struct hk_cockpit *c, const char *msg)
{
    replace(&c->status_msg, msg);
    c->status_dirty = true;
    ck_mark_dirty(c, NULL);
}

void ck_prompt(struct hk_cockpit *c, struct pane *p, const char *question, ck_prompt_cb cb,
               void *data)
{
    free(c->prompt.question);
    c->prompt.question = hk_xstrdup(question);
    c->prompt.pane = p;
    c->prompt.cb = cb;
    c->prompt.data = data;
    hk_input_set(&c->prompt.text, "");
    c->input_dirty = true;
    ck_mark_dirty(c, NULL);
}
