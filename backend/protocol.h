/* The session socket's protocol (man honk-protocol(7)): where a live
 * session's socket and lock are, whether a session is live, JSON Lines
 * framing with a bounded line, and the messages both sides build. Shared by
 * the server inside a session (session_socket.c) and its clients
 * (session_remote.c, honk attach --json). */
#ifndef HK_PROTOCOL_H
#define HK_PROTOCOL_H

#include "util.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define HK_PROTOCOL_VERSION 1
/* The longest line either side takes; a longer one ends the connection. */
#define HK_PROTOCOL_LINE_MAX (1024 * 1024)
/* How much live data a client may leave unread beyond its journal replay. */
#define HK_PROTOCOL_QUEUE_MAX (4 * 1024 * 1024)
/* The longest client name kept. */
#define HK_PROTOCOL_NAME_MAX 64

/* A session that a process holds (its lock is taken). */
struct hk_live {
    pid_t pid;
    char *socket; /* where its socket is */
    int clients;  /* how many are attached to it now */
};

/* 1 when session id of gitdir is live (out filled, free with hk_live_free),
 * 0 when not (no process holds it: a socket file left there is stale). */
int hk_session_live(const char *gitdir, const char *id, struct hk_live *out);
void hk_live_free(struct hk_live *l);


/* The live session's hold on its id: the lock (an open file description
 * lock the kernel drops when the process dies, kept across fork) and the
 * socket path it listens on. */
struct hk_session_claim {
    int lock_fd;
    char *lock_path;
    char *socket_path;
};
/* Takes the lock of session id; fails with a sentence when another process
 * holds it. Picks the socket path: beside the journal, or when that is too
 * long for a Unix socket, in the runtime directory (the lock file says
 * where). */
int hk_session_claim(const char *gitdir, const char *id, struct hk_session_claim *out, char **err);
/* Writes the pid, the socket path and how many clients are attached into
 * the lock file (honk log and honk attach read it). */
void hk_session_claim_publish(const struct hk_session_claim *c, int clients);
void hk_session_claim_release(struct hk_session_claim *c);

/* Opens a listening Unix socket at path (0600, non-blocking), replacing a
 * stale file there. -1 with *err. */
int hk_socket_listen(const char *path, char **err);
/* Connects to the socket of a live session; -1 with *err. The socket is
 * left blocking; the caller makes it non-blocking for its loop. */
int hk_socket_connect(const char *path, char **err);
/* The uid of the peer of a connected Unix socket, or (uid_t)-1. */
uid_t hk_socket_peer_uid(int fd);

/* Reading lines off a non-blocking fd, each at most HK_PROTOCOL_LINE_MAX. */
struct hk_line_reader {
    struct hk_buf buf;
    size_t scanned; /* bytes of buf known to hold no newline */
};
enum hk_read_result { HK_READ_AGAIN, HK_READ_EOF, HK_READ_TOO_LONG, HK_READ_ERROR };
/* Reads what is there; calls on_line(line, len, data) per complete line
 * (without its newline; the line is NUL-terminated) until on_line returns
 * non-zero, then returns HK_READ_AGAIN. Returns what stopped the reading. */
enum hk_read_result hk_line_read(struct hk_line_reader *r, int fd,
                                 int (*on_line)(char *line, size_t len, void *data), void *data);
void hk_line_reader_free(struct hk_line_reader *r);

/* A JSON object as one line, newline included, appended to b. */
void hk_protocol_add(struct hk_buf *b, const cJSON *msg);
/* {"type": type} */
cJSON *hk_protocol_msg(const char *type);
/* A reply to the message whose "id" was id (a copy is kept; NULL: none). */
cJSON *hk_protocol_reply(const cJSON *id, const char *error);

/* Base64 (RFC 4648), for the raw bytes of a run's output. */
void hk_base64_encode(struct hk_buf *out, const void *data, size_t len);
/* -1 when text is not base64. */
int hk_base64_decode(struct hk_buf *out, const char *text);

/* A client's connection to a session's socket, on the loop: each line the
 * session sends is handed over as text and parsed (msg NULL when it is not
 * JSON); sending never blocks (queued until the socket takes it). */
struct hk_loop;
struct hk_conn;
typedef void (*hk_conn_line_cb)(const char *line, const cJSON *msg, void *user);
/* The connection ended: why, a sentence (the peer closed it, it broke). */
typedef void (*hk_conn_close_cb)(const char *why, void *user);
struct hk_conn *hk_conn_open(struct hk_loop *loop, const char *socket_path, hk_conn_line_cb on_line,
                             hk_conn_close_cb on_close, void *user, char **err);
void hk_conn_send(struct hk_conn *c, const cJSON *msg);
/* Bytes still waiting to go out. */
size_t hk_conn_pending(const struct hk_conn *c);
void hk_conn_free(struct hk_conn *c);

/* "$USER@host", the default name of a client and of the session's owner. */
char *hk_protocol_default_name(void);

#endif
