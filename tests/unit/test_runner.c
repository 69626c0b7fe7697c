/* Tests for the pty runner: real shell commands on a real event loop, checked
 * through the screen cells, the text tail and the finished result. */
#include "check.h"
#include "loop.h"
#include "runner.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Generous: a bug should fail a case, never hang the suite. */
#define SAFETY_MS 30000

struct run {
    struct hk_runner *r;
    bool done;
    int finished_calls;
    int changes;
    struct hk_runner_result res;
};

static void on_change(struct hk_runner *r, void *data)
{
    (void)r;
    ((struct run *)data)->changes++;
}

static void on_finished(struct hk_runner *r, const struct hk_runner_result *res, void *data)
{
    (void)r;
    struct run *run = data;
    run->done = true;
    run->finished_calls++;
    run->res = *res;
}

static struct hk_runner *start(struct hk_loop *loop, struct run *run, struct hk_runner_opts o)
{
    char *err = NULL;
    o.on_change = on_change;
    o.on_finished = on_finished;
    o.data = run;
    memset(run, 0, sizeof *run);
    run->r = hk_runner_start(loop, &o, &err);
    CHECK(run->r != NULL, "start failed: %s", err ? err : "?");
    free(err);
    return run->r;
}

static bool wait_done(struct hk_loop *loop, struct run *run)
{
    int64_t deadline = hk_now_ms() + SAFETY_MS;
    while (run->r && !run->done && hk_now_ms() < deadline)
        hk_loop_run_once(loop, 100);
    CHECK(run->done, "the finished callback never came");
    return run->done;
}

static bool text_has(struct run *run, const char *needle)
{
    char *text = hk_runner_text(run->r, 0);
    bool found = strstr(text, needle) != NULL;
    free(text);
    return found;
}

static bool wait_text(struct hk_loop *loop, struct run *run, const char *needle)
{
    int64_t deadline = hk_now_ms() + SAFETY_MS;
    while (run->r && !run->done && !text_has(run, needle) && hk_now_ms() < deadline)
        hk_loop_run_once(loop, 100);
    bool found = run->r && text_has(run, needle);
    CHECK(found, "never saw \"%s\"", needle);
    return found;
}

/* The text of one row (scrollback rows first), trailing blanks trimmed. */
static char *row_text(const struct hk_screen *s, int row)
{
    struct hk_cell cells[512];
    struct hk_buf b = {0};
    int n = hk_screen_row(s, row, cells, 512);
    for (int i = 0; i < n; i++) {
        char u[HK_CELL_UTF8_MAX];
        if (cells[i].width == 0)
            continue;
        hk_buf_adds(&b, hk_cell_utf8(&cells[i], u) ? u : " ");
    }
    while (b.len && b.data[b.len - 1] == ' ')
        b.data[--b.len] = '\0';
    return hk_buf_steal(&b);
}

/* Screen row i, not counting scrollback. */
static char *screen_row(struct hk_runner *r, int i)
{
    const struct hk_screen *s = hk_runner_screen(r);
    return row_text(s, hk_screen_scrollback(s) + i);
}

static void check_screen_row(struct hk_runner *r, int i, const char *want)
{
    char *got = screen_row(r, i);
    CHECK_STR(got, want);
    free(got);
}

static void check_tail(struct hk_runner *r, const char *want)
{
    char *got = hk_runner_tail(r, 200, 16384);
    CHECK_STR(got, want);
    free(got);
}

static bool process_alive(pid_t pid)
{
    if (kill(pid, 0) != 0)
        return false;
    /* A zombie nobody reaped yet is dead too. */
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *paren = strrchr(buf, ')');
    return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

static bool wait_gone(pid_t pid)
{
    int64_t deadline = hk_now_ms() + SAFETY_MS;
    while (process_alive(pid) && hk_now_ms() < deadline) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return !process_alive(pid);
}

static void run_simple(const char *cmd, struct run *run, struct hk_loop **loop)
{
    *loop = hk_loop_new();
    start(*loop, run, (struct hk_runner_opts){.command = cmd, .rows = 10, .cols = 40});
    wait_done(*loop, run);
}

static void finish(struct hk_loop *loop, struct run *run)
{
    hk_runner_free(run->r);
    hk_loop_free(loop);
}


/* Some machines (a chroot without devpts) have no pseudo-terminals; the
 * runner then uses a pipe, and what only a terminal can do is not tested. */
static int have_pty(void)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    int ok = fd >= 0 && grantpt(fd) == 0 && unlockpt(fd) == 0;
    if (ok) {
        int slave = open(ptsname(fd), O_RDWR | O_NOCTTY);
        ok = slave >= 0;
        if (slave >= 0)
            close(slave);
    }
    if (fd >= 0)
        close(fd);
    return ok;
}

#define NEED_PTY()                                                  \
    do {                                                            \
        if (!have_pty())                                            \
            SKIP("this machine has no pseudo-terminals (no devpts)"); \
    } while (0)

TEST(exit_code_zero_and_output)
{
    struct hk_loop *loop;
    struct run run;
    run_simple("echo hello; echo world", &run, &loop);
    if (!run.done)
        goto out;
    CHECK(run.res.exit_code == 0, "exit %d", run.res.exit_code);
    CHECK(run.res.signal == 0 && !run.res.timed_out && !run.res.cancelled, "flags");
    CHECK(run.finished_calls == 1, "finished %d times", run.finished_calls);
    CHECK(run.changes > 0, "no change notification");
    CHECK(hk_runner_state(run.r) == HK_RUNNER_FINISHED, "state");
    CHECK_STR(hk_runner_command(run.r), "echo hello; echo world");
    CHECK(hk_runner_result(run.r) != NULL, "no result");
    int64_t now = (int64_t)time(NULL) * 1000;
    CHECK(hk_runner_started_at(run.r) > now - 600000 && hk_runner_started_at(run.r) <= now + 1000,
          "start time %lld", (long long)hk_runner_started_at(run.r));
    check_tail(run.r, "hello\nworld\n");
    check_screen_row(run.r, 0, "hello");
out:
    finish(loop, &run);
}

TEST(exit_code_nonzero)
{
    struct hk_loop *loop;
    struct run run;
    run_simple("echo failing >&2; exit 3", &run, &loop);
    CHECK(run.res.exit_code == 3, "exit %d", run.res.exit_code);
    CHECK(run.res.signal == 0, "signal %d", run.res.signal);
    check_tail(run.r, "failing\n");
    finish(loop, &run);
}

TEST(indexed_colours_stay_indexed)
{
    struct hk_loop *loop;
    struct run run;
    run_simple("printf '\\033[31mred\\033[0m plain \\033[1;38;5;200mX\\033[38;2;1;2;3mY'",
               &run, &loop);
    const struct hk_screen *s = hk_runner_screen(run.r);
    struct hk_cell c[40];
    int n = hk_screen_row(s, hk_screen_scrollback(s), c, 40);
    CHECK(n == 12, "row has %d cells", n);
    if (n != 12)
        goto out;
    for (int i = 0; i < 3; i++) {
        CHECK(c[i].fg.kind == HK_COLOR_INDEXED && c[i].fg.index == 1, "cell %d fg %d/%d", i,
              c[i].fg.kind, c[i].fg.index);
        CHECK(c[i].bg.kind == HK_COLOR_DEFAULT, "cell %d bg", i);
    }
    for (int i = 3; i < 10; i++)
        CHECK(c[i].fg.kind == HK_COLOR_DEFAULT, "cell %d fg kind %d", i, c[i].fg.kind);
    CHECK(c[4].chars[0] == 'p' && c[4].width == 1 && c[4].attrs == 0, "cell 4 is 'p'");
    CHECK(c[10].fg.kind == HK_COLOR_INDEXED && c[10].fg.index == 200, "256-colour index");
    CHECK(c[10].attrs & HK_ATTR_BOLD, "bold");
    CHECK(c[11].fg.kind == HK_COLOR_RGB && c[11].fg.r == 1 && c[11].fg.g == 2 && c[11].fg.b == 3,
          "rgb colour");
out:
    finish(loop, &run);
}

TEST(progress_line_collapses)
{
    struct hk_loop *loop;
    struct run run;
    run_simple("printf 'progress 10%%\\rprogress 50%%\\rprogress 100%%\\n'; echo done", &run,
               &loop);
    check_screen_row(run.r, 0, "progress 100%");
    check_tail(run.r, "progress 100%\ndone\n");
    finish(loop, &run);
}

TEST(cursor_movement_honoured)
{
    struct hk_loop *loop;
    struct run run;
    run_simple("printf 'a\\nb\\nc\\033[2AX\\033[?25l'", &run, &loop);
    check_screen_row(run.r, 0, "aX");
    check_screen_row(run.r, 1, "b");
    check_screen_row(run.r, 2, "c");
    int row, col;
    bool visible;
    hk_screen_cursor(hk_runner_screen(run.r), &row, &col, &visible);
    CHECK(row == 0 && col == 2, "cursor at %d,%d", row, col);
    CHECK(!visible, "cursor should be hidden");
    finish(loop, &run);
}

TEST(scrollback_is_kept_and_capped)
{
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run,
          (struct hk_runner_opts){.command = "seq 1 100", .rows = 5, .cols = 20,
                                  .scrollback_lines = 20});
    wait_done(loop, &run);
    const struct hk_screen *s = hk_runner_screen(run.r);
    CHECK(hk_screen_scrollback(s) == 20, "scrollback %d", hk_screen_scrollback(s));
    CHECK(hk_screen_dropped(s) == 76, "dropped %ld", hk_screen_dropped(s));
    char *first = row_text(s, 0);
    CHECK_STR(first, "77");
    free(first);
    check_screen_row(run.r, 0, "97");
    check_screen_row(run.r, 3, "100");
    char *text = hk_runner_text(run.r, 3);
    CHECK_STR(text, "[97 earlier lines cut]\n98\n99\n100\n");
    free(text);
    finish(loop, &run);
}

TEST(resize_brings_back_scrollback)
{
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run, (struct hk_runner_opts){.command = "seq 1 20", .rows = 5, .cols = 20});
    wait_done(loop, &run);
    const struct hk_screen *s = hk_runner_screen(run.r);
    char *before = hk_runner_text(run.r, 0);
    int sb = hk_screen_scrollback(s);
    hk_runner_resize(run.r, 10, 20);
    char *after = hk_runner_text(run.r, 0);
    CHECK_STR(after, before);
    CHECK(hk_screen_scrollback(s) < sb, "scrollback %d, was %d", hk_screen_scrollback(s), sb);
    hk_runner_resize(run.r, 3, 20);
    free(after);
    after = hk_runner_text(run.r, 0);
    CHECK_STR(after, before);
    free(before);
    free(after);
    finish(loop, &run);
}

TEST(timeout_kills_sleep)
{
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run, (struct hk_runner_opts){.command = "sleep 30", .timeout_ms = 200});
    wait_done(loop, &run);
    CHECK(run.res.timed_out && !run.res.cancelled, "timed_out %d", run.res.timed_out);
    CHECK(run.res.signal == SIGTERM && run.res.exit_code == -1, "signal %d exit %d",
          run.res.signal, run.res.exit_code);
    CHECK(run.res.duration_ms >= 200 && run.res.duration_ms < 20000, "took %lld ms",
          (long long)run.res.duration_ms);
    finish(loop, &run);
}

TEST(stdin_prompt_ends_by_timeout)
{
    NEED_PTY();
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run,
          (struct hk_runner_opts){.command = "printf 'name? '; read x; echo got $x",
                                  .timeout_ms = 300});
    wait_done(loop, &run);
    CHECK(run.res.timed_out, "not timed out");
    CHECK(run.res.signal != 0, "not killed: exit %d", run.res.exit_code);
    check_tail(run.r, "name?\n");
    finish(loop, &run);
}

TEST(cancel_escalates_to_sigkill)
{
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run,
          (struct hk_runner_opts){.command = "trap '' TERM; echo ready; sleep 30",
                                  .kill_grace_ms = 300});
    if (wait_text(loop, &run, "ready")) {
        int64_t t0 = hk_now_ms();
        hk_runner_cancel(run.r);
        hk_runner_cancel(run.r);
        wait_done(loop, &run);
        CHECK(run.res.cancelled && !run.res.timed_out, "cancelled %d", run.res.cancelled);
        CHECK(run.res.signal == SIGKILL, "signal %d", run.res.signal);
        CHECK(hk_now_ms() - t0 >= 300, "SIGKILL before the grace period");
    }
    finish(loop, &run);
}

TEST(whole_group_is_killed)
{
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run,
          (struct hk_runner_opts){.command = "(trap '' HUP; exec sleep 30) & echo \"pid=$!.\"; wait"});
    if (wait_text(loop, &run, ".")) {
        char *text = hk_runner_text(run.r, 0);
        char *p = strstr(text, "pid=");
        pid_t pid = p ? (pid_t)atoi(p + 4) : 0;
        free(text);
        CHECK(pid > 0, "no pid printed");
        CHECK(pid <= 0 || process_alive(pid), "grandchild not running");
        hk_runner_cancel(run.r);
        wait_done(loop, &run);
        CHECK(run.res.cancelled, "not cancelled");
        CHECK(pid <= 0 || wait_gone(pid), "grandchild %d still alive", (int)pid);
    }
    finish(loop, &run);
}

TEST(leftover_background_process_does_not_hang)
{
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run,
          (struct hk_runner_opts){.command = "trap '' HUP; (trap '' HUP; exec sleep 30) & "
                                             "echo \"pid=$!.\"; echo bye"});
    wait_done(loop, &run);
    CHECK(run.res.exit_code == 0, "exit %d", run.res.exit_code);
    char *text = hk_runner_text(run.r, 0);
    char *p = strstr(text, "pid=");
    pid_t pid = p ? (pid_t)atoi(p + 4) : 0;
    CHECK(strstr(text, "bye") != NULL, "output lost: %s", text);
    free(text);
    CHECK(pid > 0 && wait_gone(pid), "leftover %d still alive", (int)pid);
    finish(loop, &run);
}

static char *make_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *dir = hk_xasprintf("%s/honk-runner-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    return dir;
}

static pid_t read_pid_file(const char *path)
{
    FILE *f = fopen(path, "r");
    int pid = 0;
    if (f) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return (pid_t)pid;
}

TEST(flooding_leftover_does_not_hang)
{
    char *dir = make_tmpdir();
    CHECK(dir != NULL, "mkdtemp failed");
    if (!dir)
        return;
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run,
          (struct hk_runner_opts){.command = "trap '' HUP; (trap '' HUP; exec yes) & "
                                             "echo $! >pid; sleep 0.2; exit 4",
                                  .cwd = dir, .scrollback_lines = 100});
    wait_done(loop, &run);
    CHECK(run.res.exit_code == 4, "exit %d", run.res.exit_code);
    char *path = hk_xasprintf("%s/pid", dir);
    pid_t pid = read_pid_file(path);
    CHECK(pid > 0 && wait_gone(pid), "leftover %d still alive", (int)pid);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
    finish(loop, &run);
}

TEST(window_size_and_resize_and_cwd)
{
    NEED_PTY();
    char *dir = make_tmpdir();
    CHECK(dir != NULL, "mkdtemp failed");
    if (!dir)
        return;
    unsetenv("CI"); /* inherited from a CI machine, not set by the runner */
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run,
          (struct hk_runner_opts){
              .command = "stty size; echo \"dir=$(pwd)\"; echo \"term=$TERM ci=${CI:-no}\"; "
                         "echo ready; while [ ! -e go ]; do sleep 0.05; done; stty size",
              .cwd = dir, .rows = 30, .cols = 100});
    char *go = hk_xasprintf("%s/go", dir);
    if (wait_text(loop, &run, "ready")) {
        hk_runner_resize(run.r, 20, 60);
        CHECK(hk_screen_rows(hk_runner_screen(run.r)) == 20, "screen rows");
        CHECK(hk_screen_cols(hk_runner_screen(run.r)) == 60, "screen cols");
        FILE *f = fopen(go, "w");
        if (f)
            fclose(f);
        wait_done(loop, &run);
        char *want = hk_xasprintf("30 100\ndir=%s\nterm=xterm-256color ci=no\nready\n20 60\n", dir);
        check_tail(run.r, want);
        free(want);
    }
    unlink(go);
    free(go);
    rmdir(dir);
    free(dir);
    finish(loop, &run);
}

TEST(ci_and_extra_env)
{
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    const char *env[] = {"HONK_TEST_VAR=a b", NULL};
    start(loop, &run,
          (struct hk_runner_opts){.command = "echo \"$CI $NO_COLOR $HONK_TEST_VAR\"", .env = env,
                                  .ci = true});
    wait_done(loop, &run);
    check_tail(run.r, "1 1 a b\n");
    finish(loop, &run);
}

TEST(missing_directory_is_an_error)
{
    struct hk_loop *loop = hk_loop_new();
    char *err = NULL;
    struct hk_runner *r = hk_runner_start(
        loop, &(struct hk_runner_opts){.command = "true", .cwd = "/nonexistent/honk"}, &err);
    CHECK(r == NULL, "started anyway");
    CHECK(err && strstr(err, "/nonexistent/honk"), "error: %s", err ? err : "(none)");
    free(err);
    hk_runner_free(r);
    hk_loop_free(loop);
}

TEST(wide_characters)
{
    struct hk_loop *loop;
    struct run run;
    run_simple("printf '\\346\\227\\245\\346\\234\\254x'", &run, &loop);
    const struct hk_screen *s = hk_runner_screen(run.r);
    struct hk_cell c[40];
    int n = hk_screen_row(s, hk_screen_scrollback(s), c, 40);
    CHECK(n == 5, "%d cells", n);
    if (n == 5) {
        CHECK(c[0].chars[0] == 0x65E5 && c[0].width == 2, "cell 0: %x w%d", c[0].chars[0],
              c[0].width);
        CHECK(c[1].width == 0, "cell 1 width %d", c[1].width);
        CHECK(c[2].chars[0] == 0x672C && c[2].width == 2, "cell 2");
        CHECK(c[3].width == 0, "cell 3 width %d", c[3].width);
        CHECK(c[4].chars[0] == 'x' && c[4].width == 1, "cell 4");
    }
    check_tail(run.r, "日本x\n");
    finish(loop, &run);
}

/* A wide character on a 1-column libvterm screen writes out of bounds (a fuzz
 * finding): every screen, made or resized, is at least 2 columns wide. */
TEST(one_column_screen_holds_a_wide_character)
{
    struct hk_screen *s = hk_screen_new(3, 1, 10, NULL, NULL);
    CHECK(hk_screen_cols(s) == HK_SCREEN_MIN_COLS, "cols %d", hk_screen_cols(s));
    const char wide[] = "\346\227\245\346\234\254";
    hk_screen_feed(s, wide, sizeof wide - 1);
    char *text = hk_screen_text(s, 0, 0);
    CHECK_STR(text, "日\n本\n");
    free(text);
    hk_screen_resize(s, 4, 3);
    hk_screen_resize(s, 4, 1);
    CHECK(hk_screen_cols(s) == HK_SCREEN_MIN_COLS, "cols after resize %d", hk_screen_cols(s));
    const char more[] = "\r\n\346\227\245x\346\234\254";
    hk_screen_feed(s, more, sizeof more - 1);
    text = hk_screen_text(s, 0, 0);
    CHECK(text && strstr(text, "本"), "text after resize: %s", text ? text : "(null)");
    free(text);
    hk_screen_free(s);
}

/* A line scrolled off a wider screen, ending in a wide character at the
 * new last column, comes back on a resize without libvterm writing past the
 * row (a fuzz finding): the half character is left out. */
TEST(scrollback_wide_character_at_the_new_edge)
{
    struct hk_screen *s = hk_screen_new(3, 5, 27, NULL, NULL);
    const char out[] = "[6\346\227\245\n\n\n";
    hk_screen_feed(s, out, sizeof out - 1);
    hk_screen_resize(s, 23, 3);
    char *text = hk_screen_text(s, 0, 0);
    CHECK_STR(text, "[6\n");
    free(text);
    hk_screen_free(s);
}

/* A scroll region set on a tall screen, then the screen shrinks below it:
 * libvterm scrolled with a negative size and put the cursor at row -1 (fuzz
 * findings). The region becomes the whole screen, the cursor stays on it. */
TEST(scroll_region_beyond_a_shrunk_screen)
{
    struct hk_screen *s = hk_screen_new(39, 55, 5, NULL, NULL);
    hk_screen_feed(s, "\033[3r", 4);
    hk_screen_resize(s, 1, 3);
    int row = -2, col = -2;
    hk_screen_cursor(s, &row, &col, NULL);
    CHECK(row == 0 && col == 0, "cursor at %d,%d", row, col);
    hk_screen_feed(s, "\nab", 3);
    char *text = hk_screen_text(s, 0, 0);
    CHECK_STR(text, "ab\n");
    free(text);
    hk_screen_free(s);
    /* The fuzzer's own bytes: libvterm put the cursor at -1,1 here. */
    const char odd[] = "\344\270\255x\033[\255x\033[31mr[\255x\033[31r[";
    s = hk_screen_new(5, 2, 5, NULL, NULL);
    hk_screen_feed(s, odd, sizeof odd);
    hk_screen_resize(s, 3, 10);
    hk_screen_cursor(s, &row, &col, NULL);
    CHECK(row == 0 && col == 1, "cursor at %d,%d after the odd bytes", row, col);
    hk_screen_free(s);
}

/* A CSI sequence with more parameters than libvterm has room for wrote past
 * its array (a fuzz finding), even cut across two reads: the parameters past
 * the 16th are left out and the text after the sequence shows. */
TEST(csi_with_too_many_parameters)
{
    struct hk_screen *s = hk_screen_new(3, 20, 5, NULL, NULL);
    const char colons[] = "\033[:::::::::::::::::::[";
    hk_screen_feed(s, colons, sizeof colons - 1);
    /* libvterm keeps an ESC pending across a byte >= 0x80 */
    const char late[] = "\033\313[::::::::::::::::;2[";
    hk_screen_feed(s, late, sizeof late - 1);
    struct hk_buf many = {0};
    hk_buf_adds(&many, "\033[31");
    for (int i = 0; i < 40; i++)
        hk_buf_adds(&many, ";1");
    hk_buf_adds(&many, "mok");
    hk_screen_feed(s, many.data, 20);
    hk_screen_feed(s, many.data + 20, many.len - 20);
    char *text = hk_screen_text(s, 0, 0);
    CHECK(text && strstr(text, "ok") && !strstr(text, ";"), "text: %s", text ? text : "(null)");
    free(text);
    struct hk_cell c[20];
    int n = hk_screen_row(s, hk_screen_scrollback(s), c, 20);
    CHECK(n >= 2 && c[n - 1].fg.kind == HK_COLOR_INDEXED && c[n - 1].fg.index == 1,
          "ok is not red: %d cells", n);
    hk_buf_free(&many);
    hk_screen_free(s);
}

/* REP (ESC [ b) before a character with a width was shown made libvterm
 * loop for ever (fuzz findings); after one it repeats it, as ncurses uses it. */
TEST(repeat_before_any_character)
{
    struct hk_screen *s = hk_screen_new(3, 20, 5, NULL, NULL);
    /* a title, zero-width characters and broken UTF-8 show no character */
    const char out[] = "\033]0;title\007\342\200\213\314\201\363\005\n\033[b\033[3bx\033[2b";
    hk_screen_feed(s, out, sizeof out - 1);
    char *text = hk_screen_text(s, 0, 0);
    CHECK_STR(text, "\342\200\213\314\201\nxxx\n");
    free(text);
    hk_screen_free(s);
    /* REP of a wide character at the right edge wrote past the row */
    s = hk_screen_new(3, 4, 5, NULL, NULL);
    const char wide[] = "ab\346\227\245\033[5b";
    hk_screen_feed(s, wide, sizeof wide - 1);
    text = hk_screen_text(s, 0, 0);
    CHECK_STR(text, "ab\346\227\245\n");
    free(text);
    hk_screen_free(s);
}

/* REP after a broken UTF-8 sequence took libvterm 17 s for 28 bytes (a fuzz
 * finding): honk repeats the character itself, a screenful at most, and a
 * REP with a private marker or an intermediate is no REP. */
TEST(repeat_is_honks_and_bounded)
{
    struct hk_screen *s = hk_screen_new(56, 80, 0, NULL, NULL);
    const char slow[] = "\0\0\302\302\377\0b\346\026\227\0\0\0\0\0\0\0\0\033[1;3\035\0\0\0b";
    hk_screen_feed(s, slow, sizeof slow - 1);
    char *text = hk_screen_text(s, 0, 0);
    CHECK(text && strstr(text, "b"), "text: %s", text ? text : "(null)");
    free(text);
    hk_screen_free(s);
    s = hk_screen_new(2, 4, 0, NULL, NULL);
    const char huge[] = "a\033[999999999b";
    hk_screen_feed(s, huge, sizeof huge - 1);
    text = hk_screen_text(s, 0, 0);
    CHECK_STR(text, "[1 earlier lines cut]\naaaa\na\n"); /* 1 + a screenful of 8 */
    free(text);
    hk_screen_free(s);
    s = hk_screen_new(2, 10, 0, NULL, NULL);
    const char marked[] = "a\033[?3bb\033[3 b";
    hk_screen_feed(s, marked, sizeof marked - 1);
    text = hk_screen_text(s, 0, 0);
    CHECK_STR(text, "ab\n");
    free(text);
    hk_screen_free(s);
}

/* The program is told the width the screen took, not the one asked for. */
TEST(one_column_runner_reports_two)
{
    NEED_PTY();
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run, (struct hk_runner_opts){.command = "stty size | cut -d' ' -f2; printf '\\346\\227\\245\\n'",
                                              .rows = 5, .cols = 1});
    wait_done(loop, &run);
    check_tail(run.r, "2\n日\n");
    finish(loop, &run);
}

TEST(cursor_position_query_is_answered)
{
    NEED_PTY();
    struct hk_loop *loop;
    struct run run;
    run_simple("stty -icanon -echo min 1; printf 'ab\\033[6n'; x=$(dd bs=1 count=6 2>/dev/null); "
               "stty sane; echo; printf '%s' \"$x\" | od -An -c | tr -s ' '",
               &run, &loop);
    CHECK(run.res.exit_code == 0, "exit %d", run.res.exit_code);
    CHECK(text_has(&run, "033 [ 1 ; 3 R"), "no cursor report in the output");
    finish(loop, &run);
}

TEST(big_output_tail_is_capped)
{
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run, (struct hk_runner_opts){.command = "seq 1 200000", .rows = 24, .cols = 80});
    wait_done(loop, &run);
    CHECK(run.res.exit_code == 0, "exit %d", run.res.exit_code);
    char *tail = hk_runner_tail(run.r, 200, 16384);
    CHECK(strncmp(tail, "[199800 earlier lines cut]\n199801\n", 34) == 0, "tail starts %.60s",
          tail);
    size_t len = strlen(tail);
    CHECK(len > 7 && strcmp(tail + len - 7, "200000\n") == 0, "tail ends wrong");
    free(tail);
    tail = hk_runner_tail(run.r, 200, 100);
    CHECK(strlen(tail) < 100 + 40, "byte cap ignored: %zu", strlen(tail));
    CHECK(strstr(tail, "earlier lines cut]\n") && strstr(tail, "\n200000\n"), "tail %s", tail);
    free(tail);
    const struct hk_screen *s = hk_runner_screen(run.r);
    CHECK(hk_screen_scrollback(s) == 10000, "scrollback %d", hk_screen_scrollback(s));
    finish(loop, &run);
}

TEST(two_runners_at_once)
{
    struct hk_loop *loop = hk_loop_new();
    struct run a, b;
    start(loop, &a, (struct hk_runner_opts){.command = "sleep 0.3; echo one; exit 1"});
    start(loop, &b, (struct hk_runner_opts){.command = "echo two"});
    wait_done(loop, &b);
    wait_done(loop, &a);
    CHECK(a.res.exit_code == 1 && b.res.exit_code == 0, "exits %d %d", a.res.exit_code,
          b.res.exit_code);
    check_tail(a.r, "one\n");
    check_tail(b.r, "two\n");
    hk_runner_free(a.r);
    hk_runner_free(b.r);
    hk_loop_free(loop);
}

TEST(free_while_running_kills)
{
    struct hk_loop *loop = hk_loop_new();
    struct run run;
    start(loop, &run, (struct hk_runner_opts){.command = "echo started; sleep 30"});
    if (wait_text(loop, &run, "started")) {
        pid_t pid = hk_runner_pid(run.r);
        hk_runner_free(run.r);
        run.r = NULL;
        CHECK(kill(pid, 0) != 0 && errno == ESRCH, "child %d not reaped", (int)pid);
    }
    finish(loop, &run);
}

static void free_in_callback(struct hk_runner *r, const struct hk_runner_result *res, void *data)
{
    (void)res;
    hk_runner_free(r);
    *(bool *)data = true;
}

TEST(free_from_finished_callback)
{
    struct hk_loop *loop = hk_loop_new();
    bool freed = false;
    char *err = NULL;
    struct hk_runner *r = hk_runner_start(
        loop,
        &(struct hk_runner_opts){.command = "echo x", .on_finished = free_in_callback,
                                 .data = &freed},
        &err);
    CHECK(r != NULL, "start: %s", err ? err : "?");
    int64_t deadline = hk_now_ms() + SAFETY_MS;
    while (r && !freed && hk_now_ms() < deadline)
        hk_loop_run_once(loop, 100);
    CHECK(freed, "never finished");
    free(err);
    hk_loop_free(loop);
}

/* A run read back from a journal: no process, the output on its screen. */
TEST(replayed_run_shows_its_output)
{
    struct hk_loop *loop = hk_loop_new();
    struct hk_runner_result res = {.exit_code = 1, .duration_ms = 40};
    struct hk_runner *r = hk_runner_replayed(loop, "sh test.sh", 24, 100, "checking add\nFAIL add: got 6\n", &res);
    check_screen_row(r, 0, "checking add");
    check_screen_row(r, 1, "FAIL add: got 6");
    check_tail(r, "checking add\nFAIL add: got 6\n");
    CHECK(hk_runner_state(r) == HK_RUNNER_FINISHED, "state");
    CHECK(hk_runner_result(r) && hk_runner_result(r)->exit_code == 1, "result");
    CHECK_STR(hk_runner_command(r), "sh test.sh");
    hk_runner_free(r);
    hk_loop_free(loop);
}
