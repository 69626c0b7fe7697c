/* hk_client: a small client of the session socket (honk-protocol(7)) for the
 * tests and the bench. It connects to a Unix socket, sends a script of lines
 * (pausing at "#wait TEXT" until a received line holds TEXT), can misbehave
 * on purpose (garbage, an oversized line, a close mid-line, never reading),
 * and prints every line it receives, optionally after a monotonic timestamp.
 * One poll loop, no threads; libc only, so it tests the wire, not libhonk. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: hk_client [OPTIONS] SOCKET\n"
    "  --send FILE        lines to send, in order; a line '#wait TEXT' pauses until a\n"
    "                     received line holds TEXT, '#close' closes the connection at once\n"
    "  --until TEXT       exit 0 once a received line holds TEXT\n"
    "  --as-user NAME     (root only) become that user before connecting\n"
    "  --no-read          never read (a stuck client); exit 0 when the server hangs up\n"
    "  --garbage          first send a line that is not JSON (nor UTF-8)\n"
    "  --line-bytes N     first send one line of N bytes (then a newline)\n"
    "  --close-mid-line   send the --line-bytes line (or half a join) without its\n"
    "                     newline, then close\n"
    "  --timestamps       print each received line after CLOCK_MONOTONIC nanoseconds\n"
    "  --timeout SECONDS  give up after this long (default 60): exit 3\n"
    "exit: 0 the server closed, --until matched or #close; 1 no connection; 2 usage; 3 timeout\n";

struct buf {
    char *data;
    size_t len, off, cap;
};

struct client {
    int fd;
    char **script; /* the --send lines, without their newlines */
    size_t nscript, next;
    const char *waiting_for; /* the TEXT of the #wait we sit at, or NULL */
    const char *until;
    bool no_read, timestamps, close_when_sent, closing;
    struct buf out, in;
};

static void die(const char *what)
{
    fprintf(stderr, "hk_client: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fputs("hk_client: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void read_script(struct client *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die(path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        c->script = xrealloc(c->script, (c->nscript + 1) * sizeof *c->script);
        c->script[c->nscript++] = strdup(line);
    }
    free(line);
    fclose(f);
}

/* Queues script lines until a #wait (or the end); #close ends the client. */
static void advance_script(struct client *c)
{
    while (!c->waiting_for && c->next < c->nscript) {
        const char *l = c->script[c->next++];
        if (!strncmp(l, "#wait ", 6)) {
            c->waiting_for = l + 6;
        } else if (!strcmp(l, "#close")) {
            c->closing = true;
            return;
        } else {
            buf_add(&c->out, l, strlen(l));
            buf_add(&c->out, "\n", 1);
        }
    }
}

static bool received_line(struct client *c, const char *line, long long at)
{
    if (c->timestamps)
        printf("%lld %s\n", at, line);
    else
        printf("%s\n", line);
    if (c->waiting_for && strstr(line, c->waiting_for)) {
        c->waiting_for = NULL;
        advance_script(c);
    }
    return c->until && strstr(line, c->until);
}

/* Reads what is there; returns 1 to go on, 0 at EOF, 2 when --until matched. */
static int read_some(struct client *c)
{
    char chunk[65536];
    ssize_t n = read(c->fd, chunk, sizeof chunk);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 1 : 0;
    if (n == 0)
        return 0;
    long long at = now_ns();
    buf_add(&c->in, chunk, (size_t)n);
    int rc = 1;
    char *start = c->in.data, *end = c->in.data + c->in.len, *nl;
    while (rc == 1 && (nl = memchr(start, '\n', (size_t)(end - start)))) {
        *nl = '\0';
        if (received_line(c, start, at))
            rc = 2;
        start = nl + 1;
    }
    c->in.len = (size_t)(end - start);
    memmove(c->in.data, start, c->in.len);
    fflush(stdout);
    return rc;
}

/* Writes what it can; returns false when the server is gone. */
static bool write_some(struct client *c)
{
    ssize_t n = write(c->fd, c->out.data + c->out.off, c->out.len - c->out.off);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR;
    c->out.off += (size_t)n;
    if (c->out.off == c->out.len)
        c->out.off = c->out.len = 0;
    return true;
}

static void become(const char *name)
{
    if (geteuid() != 0) {
        fprintf(stderr, "hk_client: --as-user needs root\n");
        exit(2);
    }
    struct passwd *pw = getpwnam(name);
    if (!pw) {
        fprintf(stderr, "hk_client: no user %s\n", name);
        exit(2);
    }
    if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid))
        die("--as-user");
}

static int connect_to(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        fprintf(stderr, "hk_client: %s: the path is too long for a Unix socket\n", path);
        exit(1);
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa))
        die(path);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* The misbehaving payloads go out first, before the script. */
static void queue_payloads(struct client *c, bool garbage, long line_bytes, bool mid_line)
{
    if (garbage)
        buf_add(&c->out, "this is not JSON \x01\xff\xfe{\n", 22);
    if (line_bytes >= 0) {
        char *line = xrealloc(NULL, (size_t)line_bytes + 1);
        memset(line, 'x', (size_t)line_bytes);
        line[line_bytes] = '\n';
        buf_add(&c->out, line, (size_t)line_bytes + !mid_line);
        free(line);
    } else if (mid_line) {
        buf_add(&c->out, "{\"type\":\"join\",\"na", 18);
    }
    c->close_when_sent = mid_line;
}

/* The loop: returns the exit status. */
static int run(struct client *c, int timeout_s)
{
    long long deadline = now_ns() + (long long)timeout_s * 1000000000LL;
    for (;;) {
        bool pending = c->out.len > c->out.off;
        if (!pending && (c->closing || c->close_when_sent))
            return 0;
        struct pollfd p = {.fd = c->fd, .events = (short)((c->no_read ? 0 : POLLIN) | (pending ? POLLOUT : 0))};
        long long left = deadline - now_ns();
        if (left <= 0) {
            fprintf(stderr, "hk_client: timed out after %d s\n", timeout_s);
            return 3;
        }
        int r = poll(&p, 1, (int)(left / 1000000 + 1));
        if (r < 0 && errno != EINTR)
            die("poll");
        if (r <= 0)
            continue;
        if (p.revents & POLLOUT && !write_some(c))
            pending = false, c->out.len = c->out.off = 0;
        if (c->no_read && p.revents & (POLLHUP | POLLERR)) {
            fputs("hk_client: the server closed the connection\n", stderr);
            return 0;
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            int rc = read_some(c);
            if (rc != 1)
                return 0;
        }
    }
}

int main(int argc, char **argv)
{
    struct client c = {.fd = -1};
    const char *socket_path = NULL, *as_user = NULL, *send = NULL;
    bool garbage = false, mid_line = false;
    long line_bytes = -1;
    int timeout_s = 60;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "--send") && has_value) send = argv[++i];
        else if (!strcmp(a, "--until") && has_value) c.until = argv[++i];
        else if (!strcmp(a, "--as-user") && has_value) as_user = argv[++i];
        else if (!strcmp(a, "--line-bytes") && has_value) line_bytes = atol(argv[++i]);
        else if (!strcmp(a, "--timeout") && has_value) timeout_s = atoi(argv[++i]);
        else if (!strcmp(a, "--no-read")) c.no_read = true;
        else if (!strcmp(a, "--garbage")) garbage = true;
        else if (!strcmp(a, "--close-mid-line")) mid_line = true;
        else if (!strcmp(a, "--timestamps")) c.timestamps = true;
        else if (a[0] != '-' && !socket_path) socket_path = a;
        else {
            fputs(usage_text, stderr);
            return 2;
        }
    }
    if (!socket_path || timeout_s <= 0) {
        fputs(usage_text, stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a server that closes is seen by write and read */
    if (send)
        read_script(&c, send);
    if (as_user)
        become(as_user);
    c.fd = connect_to(socket_path);
    queue_payloads(&c, garbage, line_bytes, mid_line);
    if (!mid_line)
        advance_script(&c);
    int rc = run(&c, timeout_s);
    if (c.in.len && !c.no_read) /* a last line without its newline is shown too */
        printf("%.*s\n", (int)c.in.len, c.in.data);
    close(c.fd);
    for (size_t i = 0; i < c.nscript; i++)
        free(c.script[i]);
    free(c.script);
    free(c.out.data);
    free(c.in.data);
    return rc;
}
