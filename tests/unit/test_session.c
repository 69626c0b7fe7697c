/* The session's state machine against honk-replay, without a cockpit: every
 * wait is reached and the `waiting` object of its state event checked, and
 * every command goes through hk_session_command: the valid ones take
 * effect, the stale or malformed ones are refused with a sentence and
 * change nothing. */
#include "check.h"
#include "config.h"
#include "journal.h"
#include "json.h"
#include "loop.h"
#include "repo.h"
#include "repo_fixture.h"
#include "session.h"
#include "support.h"
#include "util.h"

#include <stdlib.h>
#include <unistd.h>

struct run {
    struct replay replay;
    char *dir;
    struct hk_loop *loop;
    struct hk_repo *repo;
    struct hk_config *cfg;
    struct hk_model_settings model;
    struct hk_session *s;
    cJSON *waiting;      /* the last state event's waiting object */
    struct hk_buf states; /* "state/kind " per state event */
    struct hk_buf errors; /* error events, one a line */
};

static void on_event(const struct hk_event *ev, void *user)
{
    struct run *r = user;
    if (ev->kind == HK_EV_ERROR)
        hk_buf_printf(&r->errors, "%s\n", hk_json_str(ev->data, "message"));
    if (ev->kind != HK_EV_STATE)
        return;
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(ev->data, "waiting");
    cJSON_Delete(r->waiting);
    r->waiting = cJSON_Duplicate(w, 1);
    hk_buf_printf(&r->states, "%s/%s ", hk_json_str(ev->data, "state"),
                  hk_wait_kind_name(hk_state_event_wait(ev)) ? hk_wait_kind_name(hk_state_event_wait(ev)) : "-");
}

/* A repository whose a.txt has twelve lines, honk.* settings from extra
 * (git config lines), and a session started on the scenario. */
static int start_with(struct run *r, const char *scenario, const char *config, const char *task, int approve,
                      int deploy)
{
    memset(r, 0, sizeof *r);
    fx_begin(1);
    r->dir = fx_repo();
    write_file(r->dir, "a.txt", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n");
    sh("cd '%s' && " GIT " commit -qam twelve && %s", r->dir, config ? config : "true");
    CHECK(replay_start(&r->replay, scenario) == 0, "honk-replay started");
    char *err = NULL;
    CHECK(hk_repo_open(&r->repo, r->dir, &err) == 0, "repo: %s", err);
    r->cfg = hk_config_open(r->dir, &err);
    CHECK(r->cfg, "config: %s", err);
    r->model = (struct hk_model_settings){.provider = HK_PROVIDER_ANTHROPIC, .model = hk_xstrdup("replay-model"),
                                          .base_url = hk_xstrdup(r->replay.url), .api_key = hk_xstrdup("sk-test"),
                                          .max_tokens = 1000, .max_tries = 1, .timeout_ms = 10000,
                                          .retry_base_ms = 10};
    r->loop = hk_loop_new();
    struct hk_session_opts opts = {.task = task, .approve = approve, .deploy = deploy, .who = "alice@test", .model = &r->model,
                                   .config = r->cfg};
    if (r->cfg && r->repo)
        r->s = hk_session_start(r->loop, r->repo, NULL, &opts, on_event, r, &err);
    CHECK(r->s, "session: %s", err);
    free(err);
    return r->s ? 0 : -1;
}

static int start(struct run *r, const char *scenario, const char *config, const char *task)
{
    return start_with(r, scenario, config, task, HK_APPROVE_ASK, -1);
}

/* honk dies (the session goes without a word) and comes back from its
 * journal, as honk resume does. */
static int die_and_resume(struct run *r)
{
    char *id = hk_xstrdup(hk_session_id(r->s)), *err = NULL;
    hk_session_free(r->s);
    struct hk_session_opts opts = {.approve = -1, .deploy = -1, .who = "alice@test", .model = &r->model, .config = r->cfg};
    r->s = hk_session_start(r->loop, r->repo, id, &opts, on_event, r, &err);
    CHECK(r->s, "resumed: %s", err);
    free(err);
    free(id);
    return r->s ? 0 : -1;
}

static void finish(struct run *r)
{
    hk_session_free(r->s);
    hk_loop_free(r->loop);
    hk_config_free(r->cfg);
    hk_repo_close(r->repo);
    hk_model_settings_free(&r->model);
    replay_stop(&r->replay);
    cJSON_Delete(r->waiting);
    hk_buf_free(&r->states);
    hk_buf_free(&r->errors);
    free(r->dir);
    fx_end();
}

/* Runs the loop until the session waits for kind (or ends); a bound, not
 * a timing: a session that never gets there fails the case. */
static int run_until(struct run *r, enum hk_wait_kind kind)
{
    int64_t deadline = hk_now_ms() + 30000;
    while (hk_now_ms() < deadline) {
        enum hk_session_state st = hk_session_state(r->s);
        if (kind == HK_WAIT_NONE ? hk_session_state_terminal(st) : hk_session_wait(r->s) == kind)
            return 0;
        if (hk_session_state_terminal(st))
            break;
        hk_loop_run_once(r->loop, 100);
    }
    CHECK(0, "the session waits for %s; it is %s (states: %s; errors: %s)", hk_wait_kind_name(kind) ? hk_wait_kind_name(kind) : "its end",
          hk_session_state_name(hk_session_state(r->s)), r->states.data ? r->states.data : "",
          r->errors.data ? r->errors.data : "");
    return -1;
}

/* The command's refusal, or NULL when it took effect (caller frees). */
static char *command(struct run *r, const char *json)
{
    char *err = NULL;
    int rc = hk_session_command(r->s, json, &err);
    CHECK((rc == 0) == (err == NULL), "a refusal comes with its sentence: %s", json);
    return err;
}

#define REFUSED(r, json, sentence)                                                                  \
    do {                                                                                            \
        char *e_ = command(r, json);                                                                \
        CHECK_STR(e_, sentence);                                                                    \
        free(e_);                                                                                   \
    } while (0)

#define TAKES(r, json)                                                                              \
    do {                                                                                            \
        char *e_ = command(r, json);                                                                \
        CHECK(!e_, "%s was refused: %s", json, e_);                                                 \
        free(e_);                                                                                   \
    } while (0)

static const char *wstr(const struct run *r, const char *name)
{
    return hk_json_str(r->waiting, name);
}

/* Two proposals, a command, the review, the deploy: each answered once
 * wrongly (refused, nothing changes) and once rightly. */
static const char *whole_scenario =
    "{\"turns\": ["
    " {\"tool_calls\": [{\"id\": \"toolu_w\", \"name\": \"write_file\", \"input\": {\"path\": \"a.txt\","
    "   \"content\": \"one\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n9\\n10\\n11\\ntwelve\\n\"}}]},"
    " {\"tool_calls\": [{\"id\": \"toolu_n\", \"name\": \"write_file\", \"input\": {\"path\": \"b.txt\","
    "   \"content\": \"new\\n\"}}]},"
    " {\"tool_calls\": [{\"id\": \"toolu_c\", \"name\": \"run_command\", \"input\": {\"command\": \"echo ran\"}}]},"
    " {\"text\": \"Done.\\n```commit\\nNumber the ends\\n```\\n\"}"
    "]}";

static const char *deploy_config = "git config honk.deploy.stages 'build ship' && "
                                   "git config honk.deploy.build.command true && "
                                   "git config honk.deploy.ship.command true";

TEST(proposal_wait_and_its_refusals)
{
    struct run r;
    if (start(&r, whole_scenario, deploy_config, "number the ends") != 0 || run_until(&r, HK_WAIT_PROPOSAL) != 0)
        goto out;
    CHECK_STR(wstr(&r, "kind"), "proposal");
    CHECK_STR(wstr(&r, "id"), "p1");
    CHECK(hk_json_num(r.waiting, "hunks", 0) == 2, "two hunks");
    CHECK(hk_json_num(r.waiting, "pending", 0) == 2, "both undecided");
    CHECK_STR(hk_session_waiting_for(r.s), "a decision on a proposed change");
    REFUSED(&r, "{\"command\": \"decide\", \"proposal\": \"p9\", \"verdict\": \"approve\"}",
            "Not decided: there is no proposal p9.");
    REFUSED(&r, "{\"command\": \"decide\", \"proposal\": \"p1\", \"hunk\": 2, \"verdict\": \"approve\"}",
            "Not decided: proposal p1 has no hunk 3 (it has 2).");
    REFUSED(&r, "{\"command\": \"decide\", \"proposal\": \"p1\", \"verdict\": \"maybe\"}",
            "Not decided: \"verdict\" must be approve, reject or edit.");
    REFUSED(&r, "{\"command\": \"decide\", \"proposal\": \"p1\", \"verdict\": \"edit\"}",
            "Not decided: an edit names one \"hunk\" and carries its new \"text\".");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"command\", \"id\": \"toolu_c\", \"approve\": true}",
            "Not answered: nothing of the kind command waits (honk waits for a decision on a proposed change).");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"proposal\", \"id\": \"p0\", \"approve\": true}",
            "Not answered: proposal p0 is not waiting any more (proposal p1 is).");
    REFUSED(&r, "{\"command\": \"send\", \"text\": \"hello\"}",
            "Not sent: honk is awaiting_approval, waiting for a decision on a proposed change.");
    REFUSED(&r, "{\"command\": \"commit\"}", "Nothing to commit yet: the session is not in review.");
    REFUSED(&r, "{\"command\": \"deploy\"}",
            "No deploy is waiting for approval (honk waits for a decision on a proposed change).");
    REFUSED(&r, "{\"command\": \"undo\", \"proposal\": \"p2\"}",
            "Not undone: proposal p2 is not waiting for a decision (honk waits for a decision on a proposed change).");
    REFUSED(&r, "{\"command\": \"interrupt\"}", "Nothing to interrupt: honk is awaiting_approval.");
    CHECK(hk_json_num(r.waiting, "pending", 0) == 2, "the refusals decided nothing");
    /* Hunk by hunk: the first one, then the second with an edited text. */
    TAKES(&r, "{\"command\": \"decide\", \"proposal\": \"p1\", \"hunk\": 0, \"verdict\": \"approve\"}");
    CHECK(hk_session_wait(r.s) == HK_WAIT_PROPOSAL, "p1 still waits for its second hunk");
    /* A second person who saw hunk 1 pending is refused: it was approved meanwhile. */
    REFUSED(&r, "{\"command\": \"decide\", \"proposal\": \"p1\", \"hunk\": 0, \"verdict\": \"reject\", "
                "\"state\": \"pending\"}",
            "Not decided: hunk 1 of p1 was already decided by alice@test (approved).");
    TAKES(&r, "{\"command\": \"undo\", \"proposal\": \"p1\"}");
    TAKES(&r, "{\"command\": \"decide\", \"proposal\": \"p1\", \"hunk\": 0, \"verdict\": \"approve\"}");
    TAKES(&r, "{\"command\": \"decide\", \"proposal\": \"p1\", \"hunk\": 1, \"verdict\": \"reject\", "
              "\"reason\": \"keep 12\", \"state\": \"pending\"}");
    if (run_until(&r, HK_WAIT_PROPOSAL) != 0)
        goto out;
    CHECK_STR(wstr(&r, "id"), "p2");
    /* A decision on p1 now is stale: it is not applied to p2. */
    REFUSED(&r, "{\"command\": \"decide\", \"proposal\": \"p1\", \"hunk\": 0, \"verdict\": \"reject\"}",
            "Not decided: proposal p1 was already decided by alice@test (honk waits for a decision on a "
            "proposed change).");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"proposal\", \"id\": \"p1\", \"approve\": false}",
            "Not answered: proposal p1 is not waiting any more (proposal p2 is).");
    CHECK(hk_json_num(r.waiting, "pending", 0) == 1, "p2's hunk is still undecided");
    TAKES(&r, "{\"command\": \"answer\", \"wait\": \"proposal\", \"id\": \"p2\", \"approve\": true}");
    char *path = hk_xasprintf("%s/.git/honk/worktrees/%s/a.txt", r.dir, hk_session_id(r.s));
    char *a = read_file_all(path);
    free(path);
    CHECK(a && !strncmp(a, "one\n", 4) && strstr(a, "\n12\n"), "a.txt has the approved hunk only: %s", a);
    free(a);
out:
    finish(&r);
}

TEST(command_review_and_deploy_waits)
{
    struct run r;
    if (start(&r, whole_scenario, deploy_config, "number the ends") != 0 || run_until(&r, HK_WAIT_PROPOSAL) != 0)
        goto out;
    TAKES(&r, "{\"command\": \"answer\", \"wait\": \"proposal\", \"id\": \"p1\", \"approve\": true}");
    if (run_until(&r, HK_WAIT_PROPOSAL) != 0)
        goto out;
    TAKES(&r, "{\"command\": \"decide\", \"proposal\": \"p2\", \"verdict\": \"approve\"}");
    if (run_until(&r, HK_WAIT_COMMAND) != 0)
        goto out;
    CHECK_STR(wstr(&r, "kind"), "command");
    CHECK_STR(wstr(&r, "id"), "toolu_c");
    CHECK_STR(wstr(&r, "command"), "echo ran");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"command\", \"id\": \"toolu_old\", \"approve\": true}",
            "Not answered: command toolu_old is not waiting any more (command toolu_c is).");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"command\", \"approve\": true}",
            "Not answered: the answer names no \"id\" of the command it answers.");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"command\", \"id\": \"toolu_c\", \"approve\": \"yes\"}",
            "Not answered: \"approve\" must be true or false.");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"later\", \"approve\": true}",
            "Not answered: \"wait\" must be proposal, command, commit, deploy, stage or message, not \"later\".");
    REFUSED(&r, "{\"command\": \"decide\", \"proposal\": \"p2\", \"verdict\": \"reject\"}",
            "Not decided: proposal p2 was already decided by alice@test (honk waits for approval to run a "
            "command).");
    TAKES(&r, "{\"command\": \"answer\", \"wait\": \"command\", \"id\": \"toolu_c\", \"approve\": true}");
    if (run_until(&r, HK_WAIT_COMMIT) != 0)
        goto out;
    CHECK(hk_session_state(r.s) == HK_STATE_REVIEW, "review");
    CHECK_STR(wstr(&r, "kind"), "commit");
    CHECK_STR(wstr(&r, "message"), "Number the ends");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"commit\", \"approve\": false}",
            "Not answered: a commit is not declined; send a message to change the work, or cancel the session.");
    REFUSED(&r, "{\"command\": \"commit\", \"message\": \" \\n\"}",
            "The commit message is empty; nothing was committed.");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"command\", \"id\": \"toolu_c\", \"approve\": true}",
            "Not answered: the command toolu_c was already decided by alice@test (honk waits for approval to commit).");
    TAKES(&r, "{\"command\": \"commit\", \"message\": \"Number the first line\"}");
    if (run_until(&r, HK_WAIT_DEPLOY) != 0)
        goto out;
    CHECK_STR(wstr(&r, "kind"), "deploy");
    const cJSON *stages = cJSON_GetObjectItemCaseSensitive(r.waiting, "stages");
    CHECK(cJSON_GetArraySize(stages) == 2 && !strcmp(cJSON_GetArrayItem(stages, 1)->valuestring, "ship"),
          "the stages are named");
    CHECK_STR(hk_session_waiting_for(r.s), "approval to deploy");
    REFUSED(&r, "{\"command\": \"skip_deploy\", \"stage\": \"ship\"}",
            "Not answered: the deploy stage ship does not wait (the whole deploy does).");
    REFUSED(&r, "{\"command\": \"commit\"}",
            "Not committed: the commit was already decided by alice@test (honk is awaiting_approval).");
    TAKES(&r, "{\"command\": \"deploy\"}");
    if (run_until(&r, HK_WAIT_NONE) != 0)
        goto out;
    CHECK(hk_session_state(r.s) == HK_STATE_DONE, "done: %s", hk_session_state_name(hk_session_state(r.s)));
    CHECK(!r.waiting, "nothing waits once done");
    REFUSED(&r, "{\"command\": \"deploy\"}",
            "No deploy is waiting for approval: it was already decided by alice@test (honk is done).");
    REFUSED(&r, "{\"command\": \"cancel\"}", "Nothing to cancel: the session is done.");
    char *msg = sh_out("cd '%s' && git log -1 --format=%%s honk/%s", r.dir, hk_session_id(r.s));
    CHECK_STR(msg, "Number the first line");
    free(msg);
out:
    finish(&r);
}

/* Two people on one session: the first answer wins, the second is told
 * who gave it, and the journal says who decided. */
TEST(two_people_one_answer)
{
    struct run r;
    if (start(&r, whole_scenario, deploy_config, "number the ends") != 0 || run_until(&r, HK_WAIT_PROPOSAL) != 0)
        goto out;
    cJSON *cmd = cJSON_Parse("{\"command\": \"answer\", \"wait\": \"proposal\", \"id\": \"p1\", \"approve\": true}");
    char *err = NULL;
    CHECK(hk_session_command_as(r.s, cmd, "bob@test", &err) == 0, "bob's answer taken: %s", err);
    free(err);
    cJSON_Delete(cmd);
    if (run_until(&r, HK_WAIT_PROPOSAL) != 0)
        goto out;
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"proposal\", \"id\": \"p1\", \"approve\": false}",
            "Not answered: proposal p1 was already decided by bob@test.");
    char *path = hk_journal_path(hk_repo_gitdir(r.repo), hk_session_id(r.s));
    struct hk_buf j = {0};
    CHECK(hk_read_file(path, &j) == 0, "journal read");
    CHECK(j.data && strstr(j.data, "\"verdict\":\"approve\",\"by\":\"bob@test\""), "the decision says who: %s",
          j.data ? j.data : "");
    CHECK(j.data && strstr(j.data, "\"who\":\"bob@test\",\"action\":\"decided\",\"clients\":0,"
                                   "\"what\":\"answered the proposal p1: yes\""),
          "a presence event says what bob did");
    CHECK(j.data && !strstr(j.data, "\"approve\":false"), "alice's refused answer left nothing");
    hk_buf_free(&j);
    free(path);
out:
    finish(&r);
}

TEST(message_wait_send_interrupt_cancel)
{
    struct run r;
    const char *scenario = "{\"turns\": [{\"text\": \"Nothing to change.\"},"
                           " {\"text\": \"slow\", \"stall_ms\": 20000}]}";
    if (start(&r, scenario, NULL, "look around") != 0 || run_until(&r, HK_WAIT_MESSAGE) != 0)
        goto out;
    CHECK(hk_session_state(r.s) == HK_STATE_IDLE, "idle");
    CHECK_STR(wstr(&r, "kind"), "message");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"message\", \"approve\": true}",
            "Not answered: honk waits for a message; send one.");
    REFUSED(&r, "{\"command\": \"send\", \"text\": \"\"}", "Not sent: the message is empty.");
    REFUSED(&r, "{\"command\": \"skip_deploy\"}",
            "No deploy is waiting for approval (honk waits for a message from the engineer).");
    REFUSED(&r, "{\"command\": \"undo\", \"proposal\": \"p1\"}",
            "Not undone: proposal p1 is not waiting for a decision (honk waits for a message from the engineer).");
    TAKES(&r, "{\"command\": \"send\", \"text\": \"go on\"}");
    CHECK(hk_session_state(r.s) == HK_STATE_THINKING, "thinking");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"command\", \"id\": \"t1\", \"approve\": true}",
            "Not answered: nothing waits for an answer (honk is thinking).");
    CHECK(hk_session_wait(r.s) == HK_WAIT_NONE, "nothing waits while the model answers");
    REFUSED(&r, "{\"command\": \"send\", \"text\": \"again\"}", "Not sent: honk is thinking.");
    TAKES(&r, "{\"command\": \"interrupt\"}");
    if (run_until(&r, HK_WAIT_MESSAGE) != 0)
        goto out;
    TAKES(&r, "{\"command\": \"cancel\"}");
    CHECK(hk_session_state(r.s) == HK_STATE_CANCELLED, "cancelled");
    CHECK(strstr(r.states.data, "idle/message thinking/- idle/message cancelled/- "), "states: %s", r.states.data);
out:
    finish(&r);
}

/* A stage that was running when honk died has an unknown outcome: the
 * resumed session waits for a decision on that stage, by its name. */
TEST(interrupted_stage_wait)
{
    struct run r;
    char config[1024], started[600];
    snprintf(config, sizeof config, "git config honk.deploy.stages 'build ship' && "
             "git config honk.deploy.build.command true && "
             "git config honk.deploy.ship.command 'touch ../started; while [ -e ../slow ]; do sleep 0.05; done'");
    const char *scenario = "{\"turns\": [{\"tool_calls\": [{\"id\": \"t1\", \"name\": \"write_file\", \"input\": "
                           "{\"path\": \"b.txt\", \"content\": \"b\\n\"}}]}, {\"text\": \"Done.\"}]}";
    if (start_with(&r, scenario, config, "add b", HK_APPROVE_ALL, 1) != 0)
        goto out;
    /* The stage runs in the task's worktree, .git/honk/worktrees/ID: ../ is worktrees/. */
    snprintf(started, sizeof started, "%s/.git/honk/worktrees/started", r.dir);
    sh("touch '%s/.git/honk/worktrees/slow'", r.dir);
    int64_t deadline = hk_now_ms() + 30000;
    while (access(started, F_OK) != 0 && hk_now_ms() < deadline && !hk_session_state_terminal(hk_session_state(r.s)))
        hk_loop_run_once(r.loop, 100);
    CHECK(access(started, F_OK) == 0, "the ship stage started (states: %s; errors: %s)", r.states.data,
          r.errors.data ? r.errors.data : "");
    if (access(started, F_OK) != 0 || die_and_resume(&r) != 0)
        goto out;
    CHECK(hk_session_wait(r.s) == HK_WAIT_STAGE, "the resumed session waits on the stage: %s", r.states.data);
    cJSON *w = hk_session_waiting(r.s);
    CHECK_STR(hk_json_str(w, "kind"), "stage");
    CHECK_STR(hk_json_str(w, "id"), "ship");
    cJSON_Delete(w);
    CHECK_STR(hk_session_waiting_for(r.s), "a decision on a deploy stage interrupted with an unknown outcome: run it again?");
    REFUSED(&r, "{\"command\": \"deploy\", \"stage\": \"build\"}",
            "Not answered: the deploy stage build does not wait (ship).");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"stage\", \"id\": \"build\", \"approve\": true}",
            "Not answered: stage build is not waiting any more (stage ship is).");
    REFUSED(&r, "{\"command\": \"send\", \"text\": \"hi\"}",
            "Not sent: honk is awaiting_approval, waiting for a decision on a deploy stage interrupted with an "
            "unknown outcome: run it again?");
    sh("rm -f '%s/.git/honk/worktrees/slow'", r.dir);
    TAKES(&r, "{\"command\": \"deploy\", \"stage\": \"ship\"}");
    if (run_until(&r, HK_WAIT_NONE) == 0)
        CHECK(hk_session_state(r.s) == HK_STATE_DONE, "done after the stage ran again: %s",
              hk_session_state_name(hk_session_state(r.s)));
out:
    finish(&r);
}

/* Stopped at honk.maxTurns: a message wait that says so, and that an
 * answer (more turns) ends as well as a message. */
TEST(out_of_turns_wait)
{
    struct run r;
    const char *read = "{\"tool_calls\": [{\"name\": \"read_file\", \"input\": {\"path\": \"a.txt\"}}]}";
    char scenario[512];
    snprintf(scenario, sizeof scenario, "{\"turns\": [%s, {\"text\": \"Read it.\"}]}", read);
    if (start(&r, scenario, "git config honk.maxTurns 1", "read a") != 0 || run_until(&r, HK_WAIT_MESSAGE) != 0)
        goto out;
    CHECK(hk_json_true(r.waiting, "out_of_turns"), "the wait says why");
    REFUSED(&r, "{\"command\": \"answer\", \"wait\": \"message\", \"approve\": false}",
            "Not answered: send a message, or accept more turns.");
    TAKES(&r, "{\"command\": \"answer\", \"wait\": \"message\", \"approve\": true}");
    CHECK(hk_session_state(r.s) == HK_STATE_THINKING, "more turns: %s", hk_session_state_name(hk_session_state(r.s)));
    if (run_until(&r, HK_WAIT_MESSAGE) != 0)
        goto out;
    CHECK(!hk_json_true(r.waiting, "out_of_turns"), "a plain message wait now");
out:
    finish(&r);
}

TEST(malformed_and_unknown_commands)
{
    struct run r;
    if (start(&r, "{\"turns\": [{\"text\": \"Hello.\"}]}", NULL, "say hello") != 0 ||
        run_until(&r, HK_WAIT_MESSAGE) != 0)
        goto out;
    REFUSED(&r, "{\"command\": \"send\", \"text\": ", "The command is not valid JSON; nothing was done.");
    REFUSED(&r, "[\"send\"]", "A command is a JSON object, such as {\"command\": \"send\", \"text\": \"...\"}.");
    REFUSED(&r, "{\"command\": \"launch\"}", "There is no command \"launch\"; the commands are decide, answer, "
                                             "undo, send, interrupt, commit, deploy, skip_deploy and cancel.");
    REFUSED(&r, "{\"text\": \"hi\"}", "There is no command \"\"; the commands are decide, answer, undo, send, "
                                      "interrupt, commit, deploy, skip_deploy and cancel.");
    REFUSED(&r, "{\"command\": \"send\", \"text\": \"a\\u0000b\"}",
            "The command's \"text\" holds a NUL character (\\u0000); nothing was done.");
    CHECK(hk_session_state(r.s) == HK_STATE_IDLE, "nothing happened");
out:
    finish(&r);
}

/* The tables: every state and wait name reads back as itself. */
TEST(state_and_wait_tables)
{
    for (int i = 0; i <= HK_STATE_CANCELLED; i++)
        CHECK(hk_session_state_parse(hk_session_state_name((enum hk_session_state)i)) == i, "state %d", i);
    for (int k = HK_WAIT_PROPOSAL; k <= HK_WAIT_MESSAGE; k++)
        CHECK(hk_wait_kind_parse(hk_wait_kind_name((enum hk_wait_kind)k)) == (enum hk_wait_kind)k, "wait %d", k);
    CHECK(hk_session_state_parse("awaiting") == -1, "unknown state");
    CHECK(hk_wait_kind_parse("nothing") == HK_WAIT_NONE, "unknown wait");
    CHECK(hk_session_state_active(HK_STATE_THINKING) && !hk_session_state_active(HK_STATE_REVIEW), "active");
    CHECK(hk_session_state_terminal(HK_STATE_FAILED) && !hk_session_state_terminal(HK_STATE_IDLE), "terminal");
    for (int c = HK_CMD_DECIDE; c <= HK_CMD_CANCEL; c++)
        CHECK(hk_session_command_name((enum hk_session_command_kind)c), "command %d", c);
}
