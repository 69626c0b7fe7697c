/* honk inbox in the terminal: the list the backend builds (backend/inbox.c),
 * live while the queue and the sessions' journals change, with Enter to open
 * a session in the cockpit, d to discard one and x to cancel one. */
#include "commands.h"
#include "housekeep.h"
#include "inbox.h"
#include "loop.h"
#include "util.h"

#include <curses.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct inbox_ui {
    struct hk_loop *loop;
    struct hk_repo *repo;
    struct hk_inbox list;
    struct hk_inbox_watch *watch;
    SCREEN *screen;
    size_t sel;
    char sel_id[9];     /* the selection follows its session across re-reads */
    char discarding[9]; /* d asked; y removes it */
    char *message;
    int open;           /* Enter: leave the loop and open sel_id; 2: n, a new task */
    int quit;
    uint64_t tick;
};

static void say(struct inbox_ui *u, char *message)
{
    free(u->message);
    u->message = message;
}

static void reread(struct inbox_ui *u)
{
    char *err = NULL;
    hk_inbox_clear(&u->list);
    if (hk_inbox_read(u->repo, &u->list, &err) != 0)
        say(u, err);
    u->sel = 0;
    for (size_t i = 0; i < u->list.n; i++)
        if (!strcmp(u->list.items[i].id, u->sel_id))
            u->sel = i;
    if (u->list.n)
        memcpy(u->sel_id, u->list.items[u->sel].id, 9);
}

/* "<1m", "12m", "3h", "2d": minutes at least, so the list is steady. */
static void age(char *out, size_t size, int64_t ms)
{
    int64_t m = ms / 60000;
    if (m < 1)
        snprintf(out, size, "<1m");
    else if (m < 60)
        snprintf(out, size, "%lldm", (long long)m);
    else if (m < 48 * 60)
        snprintf(out, size, "%lldh", (long long)(m / 60));
    else
        snprintf(out, size, "%lldd", (long long)(m / 1440));
}

static void row(const struct hk_inbox_item *it, char *out, size_t size, int64_t now)
{
    char state[40], when[24], from[40], diff[64], tests[8];
    if (it->need)
        snprintf(state, sizeof state, "%s: %s", hk_inbox_kind_words(it->kind), it->need);
    else
        snprintf(state, sizeof state, "%s", hk_inbox_kind_words(it->kind));
    age(when, sizeof when, now - it->created_ms);
    if (it->from && !strcmp(it->from, "slack"))
        snprintf(from, sizeof from, "%s in %s", it->user ? it->user : "?", it->channel ? it->channel : "?");
    else if (it->from && !strcmp(it->from, "queue") && it->user)
        snprintf(from, sizeof from, "queue %s", it->user);
    else
        snprintf(from, sizeof from, "%s", it->from ? it->from : "honk");
    if (it->has_diff)
        snprintf(diff, sizeof diff, "%zu file%s +%zu -%zu", it->files, it->files == 1 ? "" : "s", it->added,
                 it->deleted);
    else
        snprintf(diff, sizeof diff, "-");
    snprintf(tests, sizeof tests, "%s", !it->test_command ? "-" : it->test_passed ? "green" : "red");
    snprintf(out, size, "%-8s  %-26.26s %4s  %-18.18s %-16.16s %-5s  %s", it->id, state, when, from, diff, tests,
             it->task);
}

static void render(struct inbox_ui *u)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    erase();
    size_t waiting = hk_inbox_waiting(&u->list);
    attron(A_BOLD);
    mvprintw(0, 0, "honk inbox: %zu session%s, %zu need%s a person", u->list.n, u->list.n == 1 ? "" : "s", waiting,
             waiting == 1 ? "s" : "");
    attroff(A_BOLD);
    mvprintw(2, 0, "%-8s  %-26s %4s  %-18s %-16s %-5s  %s", "SESSION", "STATE", "AGE", "FROM", "DIFF", "TESTS",
             "TASK");
    if (!u->list.n)
        mvprintw(3, 0, "No sessions in this repository yet (honk queue TASK, honk serve, or honk TASK).");
    int64_t now = hk_wall_ms();
    char *line = hk_xmalloc((size_t)cols + 1);
    for (size_t i = 0; i < u->list.n && (int)i + 3 < rows - 2; i++) {
        row(&u->list.items[i], line, (size_t)cols + 1, now);
        if (i == u->sel)
            attron(A_REVERSE);
        mvaddstr(3 + (int)i, 0, line);
        if (i == u->sel)
            attroff(A_REVERSE);
    }
    free(line);
    if (u->message)
        mvaddnstr(rows - 2, 0, u->message, cols);
    mvaddnstr(rows - 1, 0, u->discarding[0] ? "y discard it   any other key keeps it"
                                           : "Enter open   n new task   d discard   x cancel   q quit",
              cols);
    refresh();
}

static void on_change(void *data)
{
    struct inbox_ui *u = data;
    reread(u);
    render(u);
}

/* Ages move on by the minute. */
static void on_tick(struct hk_loop *loop, void *data)
{
    struct inbox_ui *u = data;
    u->tick = hk_loop_add_timer(loop, 30000, on_tick, u);
    render(u);
}

static void discard(struct inbox_ui *u)
{
    struct hk_leftover l;
    char *err = NULL;
    int found = hk_leftover_find(u->repo, u->discarding, &l, &err);
    if (found == 1 && hk_leftover_remove(u->repo, &l, 1, &err) == 0)
        say(u, hk_xasprintf("Session %s discarded: its branch, worktree and journal are gone.", u->discarding));
    else if (found == 0)
        say(u, hk_xasprintf("Nothing of session %s is left to discard.", u->discarding));
    else
        say(u, hk_xasprintf("Not discarded: %s", err));
    if (found == 1)
        hk_leftover_clear(&l);
    free(err);
    u->discarding[0] = 0;
    reread(u);
}

static void on_key(struct inbox_ui *u, int key)
{
    const struct hk_inbox_item *it = u->list.n ? &u->list.items[u->sel] : NULL;
    if (u->discarding[0]) {
        if (key == 'y' || key == 'Y')
            discard(u);
        else
            say(u, hk_xasprintf("Session %s kept.", u->discarding));
        u->discarding[0] = 0;
        return;
    }
    if (key == 'q' || key == 27) {
        u->quit = 1;
    } else if ((key == KEY_DOWN || key == 'j') && u->sel + 1 < u->list.n) {
        memcpy(u->sel_id, u->list.items[++u->sel].id, 9);
    } else if ((key == KEY_UP || key == 'k') && u->sel > 0) {
        memcpy(u->sel_id, u->list.items[--u->sel].id, 9);
    } else if (key == 'n') {
        u->open = 2;
    } else if (!it) {
        return;
    } else if (key == '\r' || key == '\n' || key == KEY_ENTER) {
        if (it->kind == HK_INBOX_QUEUED)
            say(u, hk_xasprintf("Task %s is still queued: honk serve starts it when a worker is free.", it->id));
        else
            u->open = 1;
    } else if (key == 'd') {
        memcpy(u->discarding, it->id, 9);
        say(u, hk_xasprintf("Discard session %s? Its branch, worktree and journal go.", it->id));
    } else if (key == 'x') {
        char *err = NULL;
        if (hk_inbox_cancel(u->repo, it->id, &err) == 0)
            say(u, hk_xasprintf("Session %s is told to cancel.", it->id));
        else
            say(u, hk_xasprintf("Not cancelled: %s", err));
        free(err);
        reread(u);
    }
}

static void on_stdin(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)fd;
    (void)revents;
    struct inbox_ui *u = data;
    int key;
    while (!u->open && !u->quit && (key = getch()) != ERR)
        on_key(u, key);
    if (u->open || u->quit)
        hk_loop_stop(loop);
    else
        render(u);
}

static int open_screen(struct inbox_ui *u)
{
    u->screen = newterm(NULL, stdout, stdin);
    if (!u->screen)
        return -1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    return 0;
}

static void close_screen(struct inbox_ui *u)
{
    endwin();
    delscreen(u->screen);
    u->screen = NULL;
}

/* One spell of the list on the screen, until Enter or q. */
static int run_list(struct inbox_ui *u)
{
    if (open_screen(u) != 0) {
        fprintf(stderr, "honk inbox: the terminal \"%s\" is unknown to ncurses\n", getenv("TERM"));
        return -1;
    }
    reread(u);
    render(u);
    hk_loop_watch_fd(u->loop, STDIN_FILENO, POLLIN, on_stdin, u);
    u->tick = hk_loop_add_timer(u->loop, 30000, on_tick, u);
    hk_loop_run(u->loop);
    hk_loop_cancel_timer(u->loop, u->tick);
    hk_loop_unwatch_fd(u->loop, STDIN_FILENO);
    close_screen(u);
    return 0;
}

/* The session in the cockpit: attached when a process runs it, resumed
 * from its journal otherwise. */
static void open_session(struct inbox_ui *u, const struct hk_cockpit_args *base)
{
    struct hk_cockpit_args args = *base;
    args.task = NULL;
    args.resume_id = args.attach_id = NULL;
    if (u->open == 1 && u->list.n) {
        const struct hk_inbox_item *it = &u->list.items[u->sel];
        args.resume_id = it->live_pid ? NULL : it->id;
        args.attach_id = it->live_pid ? it->id : NULL;
    }
    hk_cockpit_main(&args);
}

int hk_inbox_main(const struct hk_cockpit_args *base)
{
    struct inbox_ui u = {0};
    char *err = NULL;
    if (hk_repo_open(&u.repo, ".", &err) != 0) {
        fprintf(stderr, "honk inbox: %s\n", err);
        free(err);
        return HK_EXIT_USAGE;
    }
    setlocale(LC_ALL, "");
    set_escdelay(25);
    u.loop = hk_loop_new();
    u.watch = hk_inbox_watch_new(u.loop, u.repo, on_change, &u, &err);
    if (!u.watch) {
        say(&u, hk_xasprintf("Not live (%s): the list is read again when you come back to it.", err));
        free(err);
    }
    int status = HK_EXIT_OK;
    while (!u.quit) {
        if (run_list(&u) != 0) {
            status = HK_EXIT_USAGE;
            break;
        }
        if (u.open) {
            open_session(&u, base);
            u.open = 0;
        }
    }
    hk_inbox_watch_free(u.watch);
    hk_inbox_clear(&u.list);
    free(u.message);
    hk_loop_free(u.loop);
    hk_repo_close(u.repo);
    return status;
}
