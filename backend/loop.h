/* The one event loop: a single poll() over registered file descriptors,
 * libcurl's sockets (multi interface, socket_action style), timers and
 * signals (delivered through a self-pipe). Nothing else in honk blocks. */
#ifndef HK_LOOP_H
#define HK_LOOP_H

#include <stdint.h>

/* libcurl's easy handle, declared as curl.h does so that the front ends can
 * use the loop without seeing libcurl. */
typedef void CURL;

struct hk_loop;

typedef void (*hk_fd_cb)(struct hk_loop *loop, int fd, short revents, void *data);
typedef void (*hk_timer_cb)(struct hk_loop *loop, void *data);
typedef void (*hk_signal_cb)(struct hk_loop *loop, int signo, void *data);
/* result is the transfer's CURLcode. */
typedef void (*hk_transfer_cb)(struct hk_loop *loop, CURL *easy, int result, void *data);

struct hk_loop *hk_loop_new(void);
void hk_loop_free(struct hk_loop *loop);

/* Watches fd for poll() events (POLLIN, POLLOUT). Registering an fd again
 * replaces its events, callback and data. */
void hk_loop_watch_fd(struct hk_loop *loop, int fd, short events, hk_fd_cb cb, void *data);
void hk_loop_unwatch_fd(struct hk_loop *loop, int fd);

/* One-shot timer; returns a non-zero id for hk_loop_cancel_timer. */
uint64_t hk_loop_add_timer(struct hk_loop *loop, int64_t delay_ms, hk_timer_cb cb, void *data);
void hk_loop_cancel_timer(struct hk_loop *loop, uint64_t id);

/* Catches signo and calls cb from the loop, never from the signal handler. */
void hk_loop_on_signal(struct hk_loop *loop, int signo, hk_signal_cb cb, void *data);
/* Forgets the handler registered with exactly these arguments (others for
 * signo stay; the signal stays caught, so it is then ignored when none is left). */
void hk_loop_off_signal(struct hk_loop *loop, int signo, hk_signal_cb cb, void *data);

/* Runs an HTTP transfer on the loop's curl multi handle; done is called once
 * when it ends. hk_loop_remove_transfer aborts it without calling done. */
void hk_loop_add_transfer(struct hk_loop *loop, CURL *easy, hk_transfer_cb done, void *data);
void hk_loop_remove_transfer(struct hk_loop *loop, CURL *easy);

/* Waits at most max_wait_ms (-1: until something happens) and dispatches. */
void hk_loop_run_once(struct hk_loop *loop, int max_wait_ms);
/* Dispatches until hk_loop_stop. */
void hk_loop_run(struct hk_loop *loop);
void hk_loop_stop(struct hk_loop *loop);

#endif
