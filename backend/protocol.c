/* The session socket's protocol: paths, the live-session lock, framing and
 * messages (protocol.h). */
#define _GNU_SOURCE /* F_OFD_SETLK, SO_PEERCRED */
#include "protocol.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char *sessions_dir(const char *gitdir)
{
    size_t n = strlen(gitdir);
    return hk_xasprintf("%s%shonk/sessions", gitdir, n && gitdir[n - 1] == '/' ? "" : "/");
}

static char *lock_path(const char *gitdir, const char *id)
{
    char *dir = sessions_dir(gitdir);
    char *path = hk_xasprintf("%s/%s.lock", dir, id);
    free(dir);
    return path;
}

/* A directory only we may enter: made 0700, or refused when it is someone
 * else's or others may write in it (a socket there could be swapped). */
static int private_dir(const char *path, char **err)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        *err = hk_xasprintf("cannot make the directory %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
        *err = hk_xasprintf("%s is not a directory of ours; the session socket is not opened there", path);
        return -1;
    }
    if ((st.st_mode & 077) && chmod(path, 0700) != 0) {
        *err = hk_xasprintf("cannot make %s private (0700): %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* Beside the journal, or in the runtime directory when that path is too
 * long for sun_path. */
static char *pick_socket_path(const char *gitdir, const char *id, char **err)
{
    struct sockaddr_un addr;
    char *dir = sessions_dir(gitdir);
    char *path = hk_xasprintf("%s/%s.sock", dir, id);
    free(dir);
    if (strlen(path) < sizeof addr.sun_path)
        return path;
    free(path);
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    char *base = runtime && *runtime == '/' ? hk_xasprintf("%s/honk", runtime)
                                            : hk_xasprintf("/tmp/honk-%u", (unsigned)geteuid());
    if (private_dir(base, err) != 0) {
        free(base);
        return NULL;
    }
    path = hk_xasprintf("%s/%s-%08x.sock", base, id, fnv1a(gitdir));
    free(base);
    if (strlen(path) >= sizeof addr.sun_path) {
        *err = hk_xasprintf("no place for the session socket: %s is too long for a Unix socket", path);
        free(path);
        return NULL;
    }
    return path;
}

static int ofd_lock(int fd, short type, int test)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET};
    if (fcntl(fd, test ? F_OFD_GETLK : F_OFD_SETLK, &fl) != 0)
        return -1;
    return test ? fl.l_type != F_UNLCK : 0;
}

static void read_claim(int fd, struct hk_live *out)
{
    char buf[4096];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    cJSON *j = cJSON_Parse(buf);
    out->pid = (pid_t)hk_json_long(j, "pid", 0);
    out->socket = hk_json_str(j, "socket") ? hk_xstrdup(hk_json_str(j, "socket")) : NULL;
    out->clients = (int)hk_json_long(j, "clients", 0);
    cJSON_Delete(j);
}

int hk_session_live(const char *gitdir, const char *id, struct hk_live *out)
{
    char *path = lock_path(gitdir, id);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    *out = (struct hk_live){0};
    if (fd < 0)
        return 0;
    /* Testing needs a lock type the file's mode allows: read. */
    int held = ofd_lock(fd, F_WRLCK, 1);
    if (held == 1)
        read_claim(fd, out);
    close(fd);
    return held == 1 && out->socket;
}

void hk_live_free(struct hk_live *l)
{
    free(l->socket);
    l->socket = NULL;
}

int hk_session_claim(const char *gitdir, const char *id, struct hk_session_claim *out, char **err)
{
    *out = (struct hk_session_claim){.lock_fd = -1};
    char *dir = sessions_dir(gitdir);
    int rc = private_dir(dir, err);
    free(dir);
    if (rc != 0)
        return -1;
    out->lock_path = lock_path(gitdir, id);
    out->lock_fd = open(out->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (out->lock_fd < 0) {
        *err = hk_xasprintf("cannot open the session lock %s: %s", out->lock_path, strerror(errno));
        hk_session_claim_release(out);
        return -1;
    }
    if (ofd_lock(out->lock_fd, F_WRLCK, 0) != 0) {
        struct hk_live live = {0};
        read_claim(out->lock_fd, &live);
        *err = hk_xasprintf("session %s is live in another honk (pid %ld): honk attach %s", id, (long)live.pid, id);
        hk_live_free(&live);
        close(out->lock_fd);
        out->lock_fd = -1; /* the lock file is the other process's: left as it is */
        free(out->lock_path);
        out->lock_path = NULL;
        return -1;
    }
    out->socket_path = pick_socket_path(gitdir, id, err);
    if (!out->socket_path) {
        hk_session_claim_release(out);
        return -1;
    }
    return 0;
}

void hk_session_claim_publish(const struct hk_session_claim *c, int clients)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "pid", (double)getpid());
    cJSON_AddStringToObject(j, "socket", c->socket_path);
    cJSON_AddNumberToObject(j, "clients", clients);
    char *text = hk_json_print(j);
    cJSON_Delete(j);
    if (ftruncate(c->lock_fd, 0) == 0 && pwrite(c->lock_fd, text, strlen(text), 0) < 0)
        (void)0; /* a lock without its pointer reads as not live: no worse than no socket */
    free(text);
}

void hk_session_claim_release(struct hk_session_claim *c)
{
    /* The file stays: unlinked, a process opening it meanwhile would lock a
     * file nobody else sees. Unlocked, it says nothing. */
    if (c->lock_fd >= 0)
        close(c->lock_fd);
    free(c->lock_path);
    free(c->socket_path);
    *c = (struct hk_session_claim){.lock_fd = -1};
}

static int fill_addr(struct sockaddr_un *addr, const char *path, char **err)
{
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr->sun_path) {
        *err = hk_xasprintf("the socket path %s is too long", path);
        return -1;
    }
    memcpy(addr->sun_path, path, strlen(path) + 1);
    return 0;
}

int hk_socket_listen(const char *path, char **err)
{
    struct sockaddr_un addr;
    if (fill_addr(&addr, path, err) != 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = hk_xasprintf("cannot make a socket: %s", strerror(errno));
        return -1;
    }
    unlink(path); /* the caller holds the session's lock: a file there is stale */
    mode_t old = umask(0177);
    int rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
    umask(old);
    if (rc != 0 || chmod(path, 0600) != 0 || listen(fd, 16) != 0) {
        *err = hk_xasprintf("cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int hk_socket_connect(const char *path, char **err)
{
    struct sockaddr_un addr;
    if (fill_addr(&addr, path, err) != 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        *err = hk_xasprintf("cannot connect to the session at %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

uid_t hk_socket_peer_uid(int fd)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred)
        return (uid_t)-1;
    return cred.uid;
}

/* --- framing ---------------------------------------------------------- */

static int take_lines(struct hk_line_reader *r, int (*on_line)(char *, size_t, void *), void *data, int *stop)
{
    size_t start = 0;
    char *nl;
    if (!r->buf.data)
        return 0;
    while (!*stop && (nl = memchr(r->buf.data + start + r->scanned, '\n', r->buf.len - start - r->scanned))) {
        size_t len = (size_t)(nl - (r->buf.data + start));
        *nl = '\0';
        r->scanned = 0;
        *stop = on_line(r->buf.data + start, len, data);
        start += len + 1;
    }
    if (start) {
        memmove(r->buf.data, r->buf.data + start, r->buf.len - start);
        r->buf.len -= start;
        r->buf.data[r->buf.len] = '\0';
    }
    if (!*stop)
        r->scanned = r->buf.len;
    return r->buf.len > HK_PROTOCOL_LINE_MAX;
}

enum hk_read_result hk_line_read(struct hk_line_reader *r, int fd, int (*on_line)(char *line, size_t len, void *data),
                                 void *data)
{
    char chunk[65536];
    int stop = 0;
    /* Lines left over from the last call are taken first. */
    if (take_lines(r, on_line, data, &stop))
        return HK_READ_TOO_LONG;
    while (!stop) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n == 0)
            return HK_READ_EOF;
        if (n < 0)
            return errno == EINTR ? HK_READ_AGAIN : errno == EAGAIN || errno == EWOULDBLOCK ? HK_READ_AGAIN
                                                                                            : HK_READ_ERROR;
        hk_buf_add(&r->buf, chunk, (size_t)n);
        if (take_lines(r, on_line, data, &stop))
            return HK_READ_TOO_LONG;
    }
    return HK_READ_AGAIN;
}

void hk_line_reader_free(struct hk_line_reader *r)
{
    hk_buf_free(&r->buf);
    r->scanned = 0;
}

void hk_protocol_add(struct hk_buf *b, const cJSON *msg)
{
    char *text = hk_json_print(msg);
    hk_buf_adds(b, text);
    hk_buf_addc(b, '\n');
    free(text);
}

cJSON *hk_protocol_msg(const char *type)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "type", type);
    return m;
}

cJSON *hk_protocol_reply(const cJSON *id, const char *error)
{
    cJSON *m = hk_protocol_msg("reply");
    if (id)
        cJSON_AddItemToObject(m, "id", cJSON_Duplicate(id, 1));
    cJSON_AddBoolToObject(m, "ok", !error);
    if (error)
        cJSON_AddStringToObject(m, "error", error);
    return m;
}

/* --- base64: a few lines, so the session need not load libcrypto -------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void hk_base64_encode(struct hk_buf *out, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < len ? p[i + 2] : 0);
        char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < len ? b64[v >> 6 & 63] : '=',
                     i + 2 < len ? b64[v & 63] : '='};
        hk_buf_add(out, q, 4);
    }
}

int hk_base64_decode(struct hk_buf *out, const char *text)
{
    uint32_t v = 0;
    int bits = 0;
    for (const char *s = text; *s && *s != '='; s++) {
        const char *at = strchr(b64, *s);
        if (!at || !*s)
            return -1;
        v = v << 6 | (uint32_t)(at - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            hk_buf_addc(out, (char)(v >> bits & 0xff));
        }
    }
    return 0;
}

char *hk_protocol_default_name(void)
{
    const char *user = getenv("USER");
    struct passwd *pw = user && *user ? NULL : getpwuid(geteuid());
    if (pw)
        user = pw->pw_name;
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !*host)
        snprintf(host, sizeof host, "localhost");
    host[strcspn(host, ".")] = '\0';
    char *name = hk_xasprintf("%s@%s", user && *user ? user : "someone", host);
    if (strlen(name) > HK_PROTOCOL_NAME_MAX)
        name[HK_PROTOCOL_NAME_MAX] = '\0';
    return name;
}
