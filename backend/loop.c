/* The event loop. poll() is the only place honk waits; libcurl is driven with
 * curl_multi_socket_action so its sockets and its timeout are ordinary entries
 * here, next to the terminal, pty masters and the signal self-pipe. */
#include "loop.h"
#include "util.h"

#include "curl_api.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct watch {
    int fd;
    short events;
    hk_fd_cb cb;
    void *data;
};

struct timer {
    uint64_t id;
    int64_t due_ms;
    hk_timer_cb cb;
    void *data;
};

struct sig_handler {
    int signo;
    hk_signal_cb cb;
    void *data;
};

struct transfer {
    CURL *easy;
    hk_transfer_cb done;
    void *data;
};

struct hk_loop {
    struct watch *watches;
    size_t nwatches, capwatches;
    struct timer *timers;
    size_t ntimers, captimers;
    uint64_t next_timer_id;
    struct sig_handler *sigs;
    size_t nsigs;
    struct transfer *transfers;
    size_t ntransfers, captransfers;
    CURLM *multi;
    uint64_t curl_timer;
    int stopped;
};

/* The self-pipe is process-wide because signal handlers are. */
static int signal_pipe[2] = {-1, -1};

static void on_signal_raw(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    if (write(signal_pipe[1], &b, 1) < 0) {
        /* A full pipe already holds a wake-up; dropping this one is fine. */
    }
    errno = saved;
}

static void set_nonblock_cloexec(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static struct watch *find_watch(struct hk_loop *loop, int fd)
{
    for (size_t i = 0; i < loop->nwatches; i++)
        if (loop->watches[i].fd == fd)
            return &loop->watches[i];
    return NULL;
}

void hk_loop_watch_fd(struct hk_loop *loop, int fd, short events, hk_fd_cb cb, void *data)
{
    struct watch *w = find_watch(loop, fd);
    if (!w) {
        if (loop->nwatches == loop->capwatches) {
            loop->capwatches = loop->capwatches ? loop->capwatches * 2 : 8;
            loop->watches = hk_xrealloc(loop->watches, loop->capwatches * sizeof *w);
        }
        w = &loop->watches[loop->nwatches++];
    }
    *w = (struct watch){fd, events, cb, data};
}

void hk_loop_unwatch_fd(struct hk_loop *loop, int fd)
{
    struct watch *w = find_watch(loop, fd);
    if (w)
        *w = loop->watches[--loop->nwatches];
}

uint64_t hk_loop_add_timer(struct hk_loop *loop, int64_t delay_ms, hk_timer_cb cb, void *data)
{
    if (loop->ntimers == loop->captimers) {
        loop->captimers = loop->captimers ? loop->captimers * 2 : 8;
        loop->timers = hk_xrealloc(loop->timers, loop->captimers * sizeof *loop->timers);
    }
    uint64_t id = ++loop->next_timer_id;
    loop->timers[loop->ntimers++] = (struct timer){id, hk_now_ms() + delay_ms, cb, data};
    return id;
}

void hk_loop_cancel_timer(struct hk_loop *loop, uint64_t id)
{
    for (size_t i = 0; i < loop->ntimers; i++) {
        if (loop->timers[i].id == id) {
            loop->timers[i] = loop->timers[--loop->ntimers];
            return;
        }
    }
}

static void drain_signals(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)revents;
    (void)data;
    unsigned char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            for (size_t s = 0; s < loop->nsigs; s++)
                if (loop->sigs[s].signo == buf[i])
                    loop->sigs[s].cb(loop, buf[i], loop->sigs[s].data);
        }
    }
}

void hk_loop_on_signal(struct hk_loop *loop, int signo, hk_signal_cb cb, void *data)
{
    if (signal_pipe[0] < 0) {
        if (pipe(signal_pipe) != 0)
            abort();
        set_nonblock_cloexec(signal_pipe[0]);
        set_nonblock_cloexec(signal_pipe[1]);
    }
    hk_loop_watch_fd(loop, signal_pipe[0], POLLIN, drain_signals, NULL);
    loop->sigs = hk_xrealloc(loop->sigs, (loop->nsigs + 1) * sizeof *loop->sigs);
    loop->sigs[loop->nsigs++] = (struct sig_handler){signo, cb, data};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal_raw;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(signo, &sa, NULL);
}

void hk_loop_off_signal(struct hk_loop *loop, int signo, hk_signal_cb cb, void *data)
{
    for (size_t i = 0; i < loop->nsigs; i++) {
        if (loop->sigs[i].signo == signo && loop->sigs[i].cb == cb && loop->sigs[i].data == data) {
            memmove(&loop->sigs[i], &loop->sigs[i + 1], (loop->nsigs - i - 1) * sizeof *loop->sigs);
            loop->nsigs--;
            return;
        }
    }
}

/* --- libcurl ---------------------------------------------------------- */

static void check_finished_transfers(struct hk_loop *loop)
{
    CURLMsg *msg;
    int left;
    while ((msg = hk_curl.multi_info_read(loop->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        int result = (int)msg->data.result;
        for (size_t i = 0; i < loop->ntransfers; i++) {
            if (loop->transfers[i].easy != easy)
                continue;
            struct transfer t = loop->transfers[i];
            loop->transfers[i] = loop->transfers[--loop->ntransfers];
            hk_curl.multi_remove_handle(loop->multi, easy);
            t.done(loop, easy, result, t.data);
            break;
        }
    }
}

static void on_curl_socket_ready(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)data;
    int mask = 0, running;
    if (revents & POLLIN)
        mask |= CURL_CSELECT_IN;
    if (revents & POLLOUT)
        mask |= CURL_CSELECT_OUT;
    if (revents & (POLLERR | POLLHUP | POLLNVAL))
        mask |= CURL_CSELECT_ERR;
    hk_curl.multi_socket_action(loop->multi, fd, mask, &running);
    check_finished_transfers(loop);
}

static int curl_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    (void)socketp;
    struct hk_loop *loop = userp;
    if (what == CURL_POLL_REMOVE) {
        hk_loop_unwatch_fd(loop, s);
        return 0;
    }
    short events = 0;
    if (what & CURL_POLL_IN)
        events |= POLLIN;
    if (what & CURL_POLL_OUT)
        events |= POLLOUT;
    hk_loop_watch_fd(loop, s, events, on_curl_socket_ready, NULL);
    return 0;
}

static void on_curl_timeout(struct hk_loop *loop, void *data)
{
    (void)data;
    int running;
    loop->curl_timer = 0;
    hk_curl.multi_socket_action(loop->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_finished_transfers(loop);
}

static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct hk_loop *loop = userp;
    if (loop->curl_timer)
        hk_loop_cancel_timer(loop, loop->curl_timer);
    loop->curl_timer = 0;
    if (timeout_ms >= 0)
        loop->curl_timer = hk_loop_add_timer(loop, timeout_ms, on_curl_timeout, NULL);
    return 0;
}

/* The multi handle is made with the first transfer: libcurl is loaded by
 * then (hk_curl_load), and a loop that never talks HTTP never needs it. */
static void ensure_multi(struct hk_loop *loop)
{
    if (loop->multi)
        return;
    loop->multi = hk_curl.multi_init();
    hk_curl.multi_setopt(loop->multi, CURLMOPT_SOCKETFUNCTION, curl_socket_cb);
    hk_curl.multi_setopt(loop->multi, CURLMOPT_SOCKETDATA, loop);
    hk_curl.multi_setopt(loop->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
    hk_curl.multi_setopt(loop->multi, CURLMOPT_TIMERDATA, loop);
}

void hk_loop_add_transfer(struct hk_loop *loop, CURL *easy, hk_transfer_cb done, void *data)
{
    ensure_multi(loop);
    if (loop->ntransfers == loop->captransfers) {
        loop->captransfers = loop->captransfers ? loop->captransfers * 2 : 4;
        loop->transfers = hk_xrealloc(loop->transfers, loop->captransfers * sizeof *loop->transfers);
    }
    loop->transfers[loop->ntransfers++] = (struct transfer){easy, done, data};
    hk_curl.multi_add_handle(loop->multi, easy);
}

void hk_loop_remove_transfer(struct hk_loop *loop, CURL *easy)
{
    for (size_t i = 0; i < loop->ntransfers; i++) {
        if (loop->transfers[i].easy == easy) {
            loop->transfers[i] = loop->transfers[--loop->ntransfers];
            hk_curl.multi_remove_handle(loop->multi, easy);
            return;
        }
    }
}

/* --- life cycle and dispatch ------------------------------------------ */

struct hk_loop *hk_loop_new(void)
{
    return hk_xcalloc(1, sizeof(struct hk_loop));
}

void hk_loop_free(struct hk_loop *loop)
{
    if (!loop)
        return;
    for (size_t i = 0; i < loop->ntransfers; i++)
        hk_curl.multi_remove_handle(loop->multi, loop->transfers[i].easy);
    if (loop->multi)
        hk_curl.multi_cleanup(loop->multi);
    for (size_t s = 0; s < loop->nsigs; s++)
        signal(loop->sigs[s].signo, SIG_DFL);
    free(loop->watches);
    free(loop->timers);
    free(loop->sigs);
    free(loop->transfers);
    free(loop);
}

static int next_timeout_ms(struct hk_loop *loop, int max_wait_ms)
{
    int64_t wait = max_wait_ms;
    int64_t now = hk_now_ms();
    for (size_t i = 0; i < loop->ntimers; i++) {
        int64_t left = loop->timers[i].due_ms - now;
        if (left < 0)
            left = 0;
        if (wait < 0 || left < wait)
            wait = left;
    }
    return (int)wait;
}

static void fire_due_timers(struct hk_loop *loop)
{
    int64_t now = hk_now_ms();
    /* A callback may add or cancel timers, so pick one due timer at a time. */
    for (;;) {
        size_t i;
        for (i = 0; i < loop->ntimers; i++)
            if (loop->timers[i].due_ms <= now)
                break;
        if (i == loop->ntimers)
            return;
        struct timer t = loop->timers[i];
        loop->timers[i] = loop->timers[--loop->ntimers];
        t.cb(loop, t.data);
    }
}

void hk_loop_run_once(struct hk_loop *loop, int max_wait_ms)
{
    size_t n = loop->nwatches;
    struct pollfd *pfds = hk_xmalloc((n ? n : 1) * sizeof *pfds);
    for (size_t i = 0; i < n; i++)
        pfds[i] = (struct pollfd){loop->watches[i].fd, loop->watches[i].events, 0};
    int ready = poll(pfds, n, next_timeout_ms(loop, max_wait_ms));
    for (size_t i = 0; ready > 0 && i < n; i++) {
        if (!pfds[i].revents)
            continue;
        /* An earlier callback may have removed or replaced this watch. */
        struct watch *w = find_watch(loop, pfds[i].fd);
        if (w)
            w->cb(loop, w->fd, pfds[i].revents, w->data);
    }
    free(pfds);
    fire_due_timers(loop);
}

void hk_loop_run(struct hk_loop *loop)
{
    loop->stopped = 0;
    while (!loop->stopped)
        hk_loop_run_once(loop, -1);
}

void hk_loop_stop(struct hk_loop *loop)
{
    loop->stopped = 1;
}
