/* The event loop: fds, timers and signals, each dispatched from one poll. */
#include "check.h"
#include "loop.h"
#include "util.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

struct seen {
    int reads;
    char last;
    int fired[4];
    int order[4];
    int norder;
    int signo;
};

static void on_readable(struct hk_loop *loop, int fd, short revents, void *data)
{
    struct seen *s = data;
    CHECK(revents & POLLIN, "revents %d", revents);
    CHECK(read(fd, &s->last, 1) == 1, "read");
    s->reads++;
    hk_loop_stop(loop);
}

TEST(fd_readiness_is_dispatched)
{
    struct hk_loop *loop = hk_loop_new();
    struct seen s = {0};
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    hk_loop_watch_fd(loop, p[0], POLLIN, on_readable, &s);
    hk_loop_run_once(loop, 0);
    CHECK(s.reads == 0, "nothing to read yet");
    CHECK(write(p[1], "x", 1) == 1, "write");
    hk_loop_run(loop);
    CHECK(s.reads == 1 && s.last == 'x', "reads %d", s.reads);
    hk_loop_unwatch_fd(loop, p[0]);
    CHECK(write(p[1], "y", 1) == 1, "write");
    hk_loop_run_once(loop, 20);
    CHECK(s.reads == 1, "an unwatched fd is not dispatched");
    close(p[0]);
    close(p[1]);
    hk_loop_free(loop);
}

struct timer_ctx {
    struct seen *s;
    int which;
};

static void on_timer(struct hk_loop *loop, void *data)
{
    struct timer_ctx *t = data;
    t->s->fired[t->which]++;
    t->s->order[t->s->norder++] = t->which;
    if (t->s->norder == 2)
        hk_loop_stop(loop);
}

TEST(timers_fire_in_order_and_cancel)
{
    struct hk_loop *loop = hk_loop_new();
    struct seen s = {0};
    struct timer_ctx a = {&s, 0}, b = {&s, 1}, c = {&s, 2};
    hk_loop_add_timer(loop, 60, on_timer, &b);
    hk_loop_add_timer(loop, 10, on_timer, &a);
    uint64_t id = hk_loop_add_timer(loop, 30, on_timer, &c);
    hk_loop_cancel_timer(loop, id);
    int64_t start = hk_now_ms();
    hk_loop_run(loop);
    int64_t took = hk_now_ms() - start;
    CHECK(s.order[0] == 0 && s.order[1] == 1, "order %d %d", s.order[0], s.order[1]);
    CHECK(s.fired[2] == 0, "a cancelled timer never fires");
    CHECK(took >= 60, "the later timer waited its time (%lld ms)", (long long)took);
    hk_loop_free(loop);
}

static void on_sig(struct hk_loop *loop, int signo, void *data)
{
    struct seen *s = data;
    s->signo = signo;
    hk_loop_stop(loop);
}

TEST(signals_arrive_through_the_loop)
{
    struct hk_loop *loop = hk_loop_new();
    struct seen s = {0};
    hk_loop_on_signal(loop, SIGUSR1, on_sig, &s);
    raise(SIGUSR1);
    CHECK(s.signo == 0, "not delivered from the handler itself");
    hk_loop_run(loop);
    CHECK(s.signo == SIGUSR1, "signo %d", s.signo);
    hk_loop_free(loop);
}

/* The cockpit hands its signals over when it leaves a session running in
 * the background: its handler goes, the one registered after it stays. */
TEST(a_signal_handler_can_be_removed)
{
    struct hk_loop *loop = hk_loop_new();
    struct seen first = {0}, second = {0};
    hk_loop_on_signal(loop, SIGUSR2, on_sig, &first);
    hk_loop_on_signal(loop, SIGUSR2, on_sig, &second);
    hk_loop_off_signal(loop, SIGUSR2, on_sig, &first);
    raise(SIGUSR2);
    hk_loop_run(loop);
    CHECK(first.signo == 0, "the removed handler was called");
    CHECK(second.signo == SIGUSR2, "the other handler got %d", second.signo);
    hk_loop_free(loop);
}

TEST(idle_wait_returns_on_timeout)
{
    struct hk_loop *loop = hk_loop_new();
    int64_t start = hk_now_ms();
    hk_loop_run_once(loop, 30);
    int64_t took = hk_now_ms() - start;
    CHECK(took >= 30, "waited %lld ms", (long long)took);
    hk_loop_free(loop);
}
