/* Keys and the mouse: reading them off the terminal, finding the action
 * through the keymap (focused pane's scope, the input line, any pane,
 * global), the prompt in the input line, and $EDITOR. */
#include "cockpit_internal.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
    const char *cap;
    int key;
} meta_caps[] = {{"kUP3", KM_META | KM_FN | KEY_UP},     {"kDN3", KM_META | KM_FN | KEY_DOWN},
                 {"kLFT3", KM_META | KM_FN | KEY_LEFT},  {"kRIT3", KM_META | KM_FN | KEY_RIGHT},
                 {"kHOM3", KM_META | KM_FN | KEY_HOME},  {"kEND3", KM_META | KM_FN | KEY_END},
                 {"kPRV3", KM_META | KM_FN | KEY_PPAGE}, {"kNXT3", KM_META | KM_FN | KEY_NPAGE}};
#define NMETA (sizeof meta_caps / sizeof meta_caps[0])
static int meta_codes[NMETA];

void ck_keys_init(struct hk_cockpit *c)
{
    (void)c;
    for (size_t i = 0; i < NMETA; i++) {
        const char *s = tigetstr(meta_caps[i].cap);
        meta_codes[i] = s && s != (char *)-1 ? key_defined(s) : 0;
    }
}

bool ck_input_active(struct hk_cockpit *c)
{
    return c->prompt.cb || c->focus == CK_CHAT;
}

static int normalize(int r, wint_t wch)
{
    if (r == KEY_CODE_YES) {
        for (size_t i = 0; i < NMETA; i++)
            if (meta_codes[i] > 0 && (int)wch == meta_codes[i])
                return meta_caps[i].key;
        if (wch == KEY_ENTER)
            return '\r';
        return KM_FN | (int)wch;
    }
    if (wch == '\n')
        return '\r';
    if (wch == 127 || wch == 8)
        return KM_FN | KEY_BACKSPACE;
    return (int)wch;
}

/* Runs $EDITOR on a temporary file holding text; the one place that waits,
 * as git commit does. Returns what was saved, or NULL. */
char *ck_edit_text(struct hk_cockpit *c, const char *text, const char *suffix)
{
    const char *tmp = getenv("TMPDIR");
    char *path = hk_xasprintf("%s/honk-edit-XXXXXX%s", tmp && *tmp ? tmp : "/tmp", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    char *out = NULL;
    if (fd < 0) {
        ck_chat_error(c, "could not create a temporary file for the editor");
        free(path);
        return NULL;
    }
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len;
    close(fd);
    const char *editor = getenv("VISUAL");
    if (!editor || !*editor)
        editor = getenv("EDITOR");
    if (!editor || !*editor)
        editor = "vi";
    def_prog_mode();
    endwin();
    pid_t pid = ok ? fork() : -1;
    if (pid == 0) {
        setenv("HONK_EDITOR", editor, 1);
        execl("/bin/sh", "sh", "-c", "exec $HONK_EDITOR \"$1\"", "sh", path, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    reset_prog_mode();
    c->full_redraw = true;
    if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        struct hk_buf b = {0};
        char chunk[4096];
        ssize_t n;
        fd = open(path, O_RDONLY);
        while (fd >= 0 && (n = read(fd, chunk, sizeof chunk)) > 0)
            hk_buf_add(&b, chunk, (size_t)n);
        if (fd >= 0)
            close(fd);
        out = hk_buf_steal(&b);
    } else {
        char *msg = hk_xasprintf("the editor (%s) failed; nothing changed", editor);
        ck_chat_error(c, msg);
        free(msg);
    }
    unlink(path);
    free(path);
    return out;
}

char *hk_cockpit_edit(struct hk_cockpit *c, const char *text, const char *suffix)
{
    return ck_edit_text(c, text, suffix);
}

static void edit_message(struct hk_cockpit *c)
{
    char *text = ck_edit_text(c, c->input.text.data ? c->input.text.data : "", ".md");
    if (!text)
        return;
    size_t n = strlen(text);
    while (n && text[n - 1] == '\n')
        text[--n] = '\0';
    hk_input_set(&c->input, text);
    free(text);
}

static void send_message(struct hk_cockpit *c)
{
    if (!c->input.text.len) {
        ck_apply(c, c->panes[CK_CHAT], pane_chat_toggle(c->panes[CK_CHAT]));
        return;
    }
    if (!c->actions.send_message) { /* honk review: the text stays where it is */
        ck_status_message(c, "there is no model here to send it to");
        return;
    }
    char *text = hk_input_take(&c->input, true);
    if (c->actions.send_message)
        c->actions.send_message(text, c->adata);
    free(text);
    /* Sending means following the conversation again. */
    c->panes[CK_CHAT]->follow = true;
    pane_rows_changed(c->panes[CK_CHAT]);
    ck_mark_dirty(c, c->panes[CK_CHAT]);
}

static void toggle_help(struct hk_cockpit *c)
{
    c->help_shown = !c->help_shown;
    c->help->top = 0;
    c->full_redraw = true;
}

/* Esc: stops what the model is doing, whichever pane has the focus (the
 * session ignores it when nothing runs), and clears the focused pane's
 * search, whose highlight it also ends. */
static void interrupt(struct hk_cockpit *c)
{
    struct pane *p = c->panes[c->focus];
    if (c->actions.interrupt)
        c->actions.interrupt(c->adata);
    if (p->search) {
        free(p->search);
        p->search = NULL;
        ck_status_message(c, "search cleared");
        ck_mark_dirty(c, p);
    }
}

/* Actions the cockpit itself answers; false for the focused pane's. */
static bool global_action(struct hk_cockpit *c, enum km_action a)
{
    switch (a) {
    case KM_FOCUS_NEXT: ck_focus_next(c, 1); break;
    case KM_FOCUS_PREV: ck_focus_next(c, -1); break;
    case KM_FOCUS_CHAT: ck_focus(c, CK_CHAT); break;
    case KM_FOCUS_DIFF: ck_focus(c, CK_DIFF); break;
    case KM_FOCUS_TESTS:
    case KM_FOCUS_DEPLOY:
        if (!ck_pane_available(c, a == KM_FOCUS_TESTS ? CK_TESTS : CK_DEPLOY))
            ck_status_message(c, "a review has no tests or deploy: Chat and Diff only");
        ck_focus(c, a == KM_FOCUS_TESTS ? CK_TESTS : CK_DEPLOY);
        break;
    case KM_ZOOM:
        c->zoomed = !c->zoomed;
        c->full_redraw = true;
        break;
    case KM_HELP:
    case KM_HELP_CLOSE: toggle_help(c); break;
    case KM_INTERRUPT: interrupt(c); break;
    case KM_QUIT: ck_quit(c); break;
    case KM_DETACH:
        if (c->actions.detach)
            c->actions.detach(c->adata);
        else
            ck_status_message(c, "a review has no session to leave running: q quits");
        break;
    case KM_DEPLOY_APPROVE:
    case KM_DEPLOY_CANCEL:
        if (!c->actions.deploy || !ck_waiting_for_deploy(c))
            ck_status_message(c, "no deploy is waiting for approval");
        else
            c->actions.deploy(a == KM_DEPLOY_APPROVE, c->adata);
        break;
    case KM_COMMIT:
    case KM_COMMIT_EDIT:
        if (c->actions.commit)
            c->actions.commit(a == KM_COMMIT_EDIT, c->adata);
        break;
    case KM_ALLOW:
    case KM_DENY:
        if (c->actions.answer)
            c->actions.answer(a == KM_ALLOW, c->adata);
        break;
    case KM_SEND: send_message(c); break;
    case KM_NEWLINE: hk_input_insert(&c->input, "\n", 1); break;
    case KM_HISTORY_PREV: hk_input_history(&c->input, -1); break;
    case KM_HISTORY_NEXT: hk_input_history(&c->input, +1); break;
    case KM_EDITOR: edit_message(c); break;
    default: return false;
    }
    c->input_dirty = true;
    ck_mark_dirty(c, NULL);
    return true;
}

static void run_action(struct hk_cockpit *c, struct pane *p, enum km_action a)
{
    if (global_action(c, a))
        return;
    unsigned r = p->ops->action ? p->ops->action(p, a) : 0;
    if (!(r & PANE_HANDLED))
        r = pane_default_action(p, a);
    ck_apply(c, p, r);
}

static void prompt_key(struct hk_cockpit *c, int key)
{
    if (key == '\r' || key == 27) {
        char *answer = key == '\r' ? hk_input_take(&c->prompt.text, false) : NULL;
        ck_prompt_cb cb = c->prompt.cb;
        c->prompt.cb = NULL;
        cb(c->prompt.pane, answer, c->prompt.data);
        free(answer);
        ck_mark_dirty(c, c->prompt.pane);
    } else {
        hk_input_key(&c->prompt.text, key);
    }
    c->input_dirty = true;
    ck_mark_dirty(c, NULL);
}

static void help_key(struct hk_cockpit *c, int key)
{
    enum km_action a = hk_keymap_lookup(KM_INHELP, 0, key, NULL);
    if (!a)
        a = hk_keymap_lookup(KM_PANE, 0, key, NULL);
    if (!a)
        a = hk_keymap_lookup(KM_GLOBAL, 0, key, NULL);
    if (a == KM_HELP_CLOSE || a == KM_HELP || a == KM_QUIT)
        toggle_help(c);
    else if (a)
        ck_apply(c, c->help, pane_default_action(c->help, a));
    ck_mark_dirty(c, NULL);
}

static void dispatch(struct hk_cockpit *c, int key)
{
    struct pane *p = c->panes[c->focus];
    enum km_scope scopes[] = {p->ops->scope, KM_SCOPES /* the input line */, KM_PANE, KM_GLOBAL};
    int prefix = c->prefix_key;
    c->prefix_key = 0;
    if (c->prompt.cb) { /* first: the help's own search asks here too */
        prompt_key(c, key);
        return;
    }
    if (c->help_shown) {
        help_key(c, key);
        return;
    }
    for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++) {
        if (scopes[i] == KM_SCOPES) {
            if (!prefix && c->focus == CK_CHAT && hk_input_key(&c->input, key)) {
                c->input_dirty = true;
                ck_mark_dirty(c, NULL);
                return;
            }
            continue;
        }
        bool is_prefix = false;
        enum km_action a = hk_keymap_lookup(scopes[i], prefix, key, &is_prefix);
        if (is_prefix) {
            c->prefix_key = key;
            return;
        }
        if (a) {
            run_action(c, p, a);
            return;
        }
    }
}

static void mouse(struct hk_cockpit *c)
{
    MEVENT ev;
    if (getmouse(&ev) != OK || c->tiny || c->help_shown)
        return;
    struct pane *p = ck_pane_at(c, ev.y, ev.x);
    if (!p)
        return;
    if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
        long step = ev.bstate & BUTTON4_PRESSED ? -3 : 3;
        if (p->has_cursor)
            pane_set_cursor(p, p->cursor + step);
        else
            pane_scroll_by(p, step);
        ck_mark_dirty(c, p);
        return;
    }
    for (int i = 0; i < CK_NPANES; i++)
        if (c->panes[i] == p)
            ck_focus(c, i);
}

void ck_on_stdin(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)loop, (void)fd, (void)revents;
    struct hk_cockpit *c = data;
    wint_t wch;
    int r, handled = 0;
    c->key_us = hk_now_us();
    while ((r = get_wch(&wch)) != ERR) {
        int key = normalize(r, wch);
        if (key == (KM_FN | KEY_RESIZE))
            continue;
        if (key == (KM_FN | KEY_MOUSE)) {
            mouse(c);
            handled++;
            continue;
        }
        /* Alt-x arrives as Esc then x; Esc Esc is two presses of Esc (a
         * second press must not turn the first into nothing). */
        while (key == 27) {
            wint_t next;
            int r2 = get_wch(&next);
            if (r2 == ERR)
                break;
            int k2 = normalize(r2, next);
            if (k2 != 27) {
                key = KM_META | k2;
                break;
            }
            dispatch(c, 27);
            handled++;
        }
        dispatch(c, key);
        handled++;
    }
    if (handled) {
        ck_render(c); /* answer keys at once rather than on the frame timer */
    } else {
        c->key_us = 0;
        if (revents & (POLLHUP | POLLERR)) { /* the terminal went away */
            hk_loop_unwatch_fd(c->loop, STDIN_FILENO);
            ck_quit(c);
        }
    }
}
