/* `honk attach [--watch] [--json] [--name NAME] [ID]`: a session another
 * honk process runs, shared. With no ID, the live sessions; with one, the
 * cockpit on it (tui/cockpit/cmd_cockpit.c); with --json, its protocol's
 * lines on stdout and commands read from stdin, for scripts. */
#include "commands.h"
#include "flags.h"
#include "journal.h"
#include "json.h"
#include "loop.h"
#include "protocol.h"
#include "read_all.h"
#include "repo.h"
#include "session.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int list_live(struct hk_repo *repo)
{
    struct hk_session_info *infos;
    size_t n, shown = 0;
    char *err = NULL;
    hk_journal_list(hk_repo_gitdir(repo), &infos, &n, &err);
    free(err);
    for (size_t i = 0; i < n; i++) {
        struct hk_live live;
        if (!hk_session_live(hk_repo_gitdir(repo), infos[i].id, &live))
            continue;
        char attached[32];
        snprintf(attached, sizeof attached, "%d attached", live.clients);
        printf("%-8s  %-17s  pid %-7ld  %-11s  %.60s\n", infos[i].id, infos[i].state, (long)live.pid, attached,
               infos[i].task);
        hk_live_free(&live);
        shown++;
    }
    if (!shown)
        printf("no live session in this repository (honk log lists them all; honk attach ID opens a finished one "
               "read-only)\n");
    hk_session_info_free(infos, n);
    return HK_EXIT_OK;
}

/* --- --json: the protocol on stdout, commands from stdin ------------------- */

struct pipe {
    struct hk_loop *loop;
    struct hk_conn *conn;
    struct hk_line_reader in;
    cJSON *waiting_ids;  /* ids of the messages sent whose reply has not come */
    long next_id;
    int sent;            /* messages read from stdin and sent */
    bool stdin_done, refused, ended_seen;
    int session_status;  /* from the state the session ended in */
    int status;
    bool done;
};

static void finish(struct pipe *p, int status)
{
    p->status = status;
    p->done = true;
    hk_loop_stop(p->loop);
}

/* Once stdin is closed and every command it gave is answered. */
static void maybe_finish(struct pipe *p)
{
    if (p->stdin_done && p->sent && !cJSON_GetArraySize(p->waiting_ids) && !hk_conn_pending(p->conn))
        finish(p, p->refused ? HK_EXIT_FAILED : HK_EXIT_OK);
}

static char *id_key(const cJSON *id)
{
    return cJSON_IsString(id) ? hk_xasprintf("s:%s", id->valuestring) : hk_xasprintf("n:%.17g", id->valuedouble);
}

static int status_of(const char *state)
{
    if (!state)
        return -1;
    if (!strcmp(state, "done"))
        return HK_EXIT_OK;
    if (!strcmp(state, "failed"))
        return HK_EXIT_FAILED;
    if (!strcmp(state, "cancelled"))
        return HK_EXIT_INTERRUPTED;
    return -1;
}

static void on_session_line(const char *line, const cJSON *msg, void *user)
{
    struct pipe *p = user;
    printf("%s\n", line);
    fflush(stdout);
    const char *type = hk_json_str(msg, "type");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
    if (type && !strcmp(type, "reply") && (cJSON_IsString(id) || cJSON_IsNumber(id))) {
        char *key = id_key(id);
        if (cJSON_GetObjectItemCaseSensitive(p->waiting_ids, key)) {
            cJSON_DeleteItemFromObjectCaseSensitive(p->waiting_ids, key);
            p->refused |= !hk_json_true(msg, "ok");
        }
        free(key);
        maybe_finish(p);
    } else if (type && !strcmp(type, "event") && !strcmp(hk_json_str(msg, "kind") ? hk_json_str(msg, "kind") : "",
                                                         "state")) {
        int st = status_of(hk_json_str(cJSON_GetObjectItemCaseSensitive(msg, "data"), "state"));
        p->session_status = st;
        /* Following (nothing given on stdin): the session's end is ours. */
        if (st >= 0 && !p->sent && p->stdin_done)
            finish(p, st);
    }
}

static void on_session_close(const char *why, void *user)
{
    struct pipe *p = user;
    if (p->done)
        return;
    fprintf(stderr, "honk attach: %s\n", why);
    finish(p, p->session_status >= 0 && !p->sent ? p->session_status : HK_EXIT_FAILED);
}

/* A stdin line: a protocol message as is, or a bare command object, which
 * goes as {"type": "command", "id": N, "command": LINE}. */
static int on_stdin_line(char *line, size_t len, void *data)
{
    struct pipe *p = data;
    if (!len || !line[strspn(line, " \t\r")])
        return 0;
    cJSON *msg = cJSON_ParseWithLength(line, len);
    if (!cJSON_IsObject(msg) || (!hk_json_str(msg, "type") && !hk_json_str(msg, "command"))) {
        fprintf(stderr, "honk attach: not sent: a line must be a JSON command ({\"command\": ...}) or a protocol "
                        "message ({\"type\": ...}): %.60s\n", line);
        p->refused = true;
        cJSON_Delete(msg);
        return 0;
    }
    if (!hk_json_str(msg, "type")) {
        cJSON *wrapped = hk_protocol_msg("command");
        cJSON_AddNumberToObject(wrapped, "id", (double)++p->next_id);
        cJSON_AddItemToObject(wrapped, "command", msg);
        msg = wrapped;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
    if (cJSON_IsString(id) || cJSON_IsNumber(id)) {
        char *key = id_key(id);
        cJSON_AddTrueToObject(p->waiting_ids, key);
        free(key);
    }
    hk_conn_send(p->conn, msg);
    p->sent++;
    cJSON_Delete(msg);
    return 0;
}

static void on_stdin(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)revents;
    struct pipe *p = data;
    enum hk_read_result r = hk_line_read(&p->in, fd, on_stdin_line, p);
    if (r == HK_READ_AGAIN)
        return;
    if (r == HK_READ_TOO_LONG)
        fprintf(stderr, "honk attach: a line on stdin is over %d MiB; stopped reading stdin\n",
                HK_PROTOCOL_LINE_MAX >> 20);
    else if (p->in.buf.len) /* a last line without its newline */
        on_stdin_line(p->in.buf.data, p->in.buf.len, p);
    hk_loop_unwatch_fd(loop, fd);
    p->stdin_done = true;
    maybe_finish(p);
    if (!p->sent && !p->done && p->session_status >= 0)
        finish(p, p->session_status);
}

static void on_signal(struct hk_loop *loop, int signo, void *data)
{
    (void)loop;
    (void)signo;
    finish(data, HK_EXIT_INTERRUPTED);
}

static void print_journal_event(const struct hk_event *ev, void *user)
{
    long *seq = user;
    cJSON *m = hk_protocol_msg("event");
    cJSON_AddNumberToObject(m, "seq", (double)(*seq)++);
    cJSON_AddStringToObject(m, "kind", hk_event_name(ev->kind));
    cJSON_AddNumberToObject(m, "time", (double)ev->time_ms);
    cJSON_AddItemToObject(m, "data", ev->data ? cJSON_Duplicate(ev->data, 1) : cJSON_CreateObject());
    struct hk_buf b = {0};
    hk_protocol_add(&b, m);
    fputs(b.data, stdout);
    hk_buf_free(&b);
    cJSON_Delete(m);
}

static int attach_json(struct hk_repo *repo, const char *id, const char *name, bool watch)
{
    struct hk_live live;
    if (!hk_session_live(hk_repo_gitdir(repo), id, &live)) {
        /* Nobody runs it: its journal, as the socket would have sent it. */
        char *path = hk_journal_path(hk_repo_gitdir(repo), id), *err = NULL;
        long seq = 0;
        int n = hk_journal_read(path, print_journal_event, &seq, &err);
        free(path);
        if (n < 0)
            fprintf(stderr, "honk attach: session %s has no journal (%s)\n", id, err);
        else
            fprintf(stderr, "honk attach: session %s is not running; these are its journal's events "
                            "(honk resume %s goes on with it)\n", id, id);
        free(err);
        return n < 0 ? HK_EXIT_FAILED : HK_EXIT_OK;
    }
    struct pipe p = {.loop = hk_loop_new(), .waiting_ids = cJSON_CreateObject(), .session_status = -1};
    char *err = NULL;
    p.conn = hk_conn_open(p.loop, live.socket, on_session_line, on_session_close, &p, &err);
    hk_live_free(&live);
    if (!p.conn) {
        fprintf(stderr, "honk attach: %s\n", err);
        free(err);
        cJSON_Delete(p.waiting_ids);
        hk_loop_free(p.loop);
        return HK_EXIT_FAILED;
    }
    cJSON *join = hk_protocol_msg("join");
    char *who = name ? hk_xstrdup(name) : hk_protocol_default_name();
    cJSON_AddStringToObject(join, "name", who);
    free(who);
    cJSON_AddBoolToObject(join, "watch", watch);
    hk_conn_send(p.conn, join);
    cJSON_Delete(join);
    fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
    hk_loop_watch_fd(p.loop, STDIN_FILENO, POLLIN, on_stdin, &p);
    hk_loop_on_signal(p.loop, SIGINT, on_signal, &p);
    hk_loop_on_signal(p.loop, SIGTERM, on_signal, &p);
    hk_loop_run(p.loop);
    hk_conn_free(p.conn);
    hk_line_reader_free(&p.in);
    cJSON_Delete(p.waiting_ids);
    hk_loop_free(p.loop);
    return p.status;
}

int hk_cmd_attach(int argc, char **argv)
{
    struct hk_cockpit_args args = {.model = HK_MODEL_FLAGS_NONE, .session = {.approve = -1, .deploy = -1}};
    bool json = false;
    const char *given = NULL;
    int rc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            hk_usage("attach", stdout);
            return HK_EXIT_OK;
        } else if (!strcmp(argv[i], "--watch")) {
            args.watch = true;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if ((rc = hk_flag_value(argc, argv, &i, "--name", &args.name)) ||
                   (rc = hk_flag_value(argc, argv, &i, "--theme", &args.theme))) {
            if (rc < 0)
                return HK_EXIT_USAGE;
        } else if (!strcmp(argv[i], "--no-color")) {
            args.no_color = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "honk: unknown option %s\n", argv[i]);
            hk_usage("attach", stderr);
            return HK_EXIT_USAGE;
        } else if (given) {
            hk_usage("attach", stderr);
            return HK_EXIT_USAGE;
        } else {
            given = argv[i];
        }
    }
    struct hk_repo *repo = NULL;
    char *err = NULL;
    if (hk_repo_open(&repo, ".", &err) != 0) {
        fprintf(stderr, "honk: %s\n", err);
        free(err);
        return HK_EXIT_USAGE;
    }
    if (!given) {
        rc = list_live(repo);
        hk_repo_close(repo);
        return rc;
    }
    hk_repo_close(repo);
    char *id = hk_session_id_given(given);
    if (!id)
        return HK_EXIT_USAGE;
    signal(SIGPIPE, SIG_IGN);
    if (json) {
        hk_repo_open(&repo, ".", &err);
        rc = attach_json(repo, id, args.name, args.watch);
        hk_repo_close(repo);
    } else if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "honk: the cockpit needs a terminal; from a script, use honk attach --json %s\n", id);
        rc = HK_EXIT_USAGE;
    } else {
        args.attach_id = id;
        rc = hk_cockpit_main(&args);
    }
    free(id);
    free(err);
    return rc;
}
