/* Slack's side of honk serve: the signature check against Slack's own
 * documented example, each way a request is refused, and the parsers of
 * slash commands and Events API bodies. */
#include "check.h"
#include "serve_libs.h"
#include "serve_slack.h"

#include <stdlib.h>

/* The example of Slack's "Verifying requests from Slack" page. */
static const char example_secret[] = "8f742231b10e8888abcd99yyyzzz85a5";
static const char example_ts[] = "1531420618";
static const char example_body[] =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
    "channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
    "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
    "trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
static const char example_sig[] = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

static int load(void)
{
    char *err = NULL;
    int rc = hk_crypto_load(&err);
    free(err);
    return rc;
}

static int verify(const char *secret, const char *ts, const char *sig, const char *body, int64_t now, const char **why)
{
    return hk_slack_verify(secret, ts, sig, body, strlen(body), now, why);
}

TEST(slack_signature_of_slacks_example)
{
    if (load() != 0)
        SKIP("no libcrypto");
    char *sig = hk_slack_sign(example_secret, example_ts, example_body, strlen(example_body));
    CHECK_STR(sig, example_sig);
    free(sig);
    const char *why = NULL;
    CHECK(verify(example_secret, example_ts, example_sig, example_body, 1531420618 + 60, &why) == 0, "%s", why);
}

TEST(slack_refusals)
{
    if (load() != 0)
        SKIP("no libcrypto");
    const char *why = NULL;
    int64_t now = 1531420618;
    char other[] = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b504";
    CHECK(verify(example_secret, example_ts, other, example_body, now, &why) == -1 && strstr(why, "does not match"),
          "wrong signature");
    CHECK(verify("another-secret", example_ts, example_sig, example_body, now, &why) == -1, "another secret");
    CHECK(verify(example_secret, example_ts, example_sig, "token=x", now, &why) == -1, "another body");
    CHECK(verify(example_secret, example_ts, "v0=a2114d", example_body, now, &why) == -1, "a cut signature");
    CHECK(verify(example_secret, example_ts, example_sig, example_body, now + 301, &why) == -1 &&
              strstr(why, "5 minutes"), "old by 5 minutes and a second");
    CHECK(verify(example_secret, example_ts, example_sig, example_body, now - 301, &why) == -1, "from the future");
    CHECK(verify(example_secret, example_ts, example_sig, example_body, now + 300, &why) == 0, "5 minutes is fine");
    CHECK(verify(example_secret, NULL, example_sig, example_body, now, &why) == -1 && strstr(why, "no X-Slack"),
          "no timestamp");
    CHECK(verify(example_secret, example_ts, NULL, example_body, now, &why) == -1, "no signature");
    CHECK(verify(NULL, example_ts, example_sig, example_body, now, &why) == -1 && strstr(why, "SLACK_SIGNING_SECRET"),
          "no secret");
    CHECK(verify("", example_ts, example_sig, example_body, now, &why) == -1, "an empty secret");
    CHECK(verify(example_secret, "1531420618x", example_sig, example_body, now, &why) == -1, "a bad timestamp");
    CHECK(verify(example_secret, "99999999999999999999", example_sig, example_body, now, &why) == -1, "a huge one");
}

TEST(slack_slash_command_parsed)
{
    const char body[] = "team_id=T1&channel_id=C9&user_id=U7&command=%2Fhonk&text=fix+the+%22crash%22+%26+more%21"
                        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fx";
    struct hk_slack_request r;
    const char *err = NULL;
    CHECK(hk_slack_parse_command(body, strlen(body), &r, &err) == 0, "%s", err);
    CHECK(r.kind == HK_SLACK_TASK, "kind %d", r.kind);
    CHECK_STR(r.text, "fix the \"crash\" & more!");
    CHECK_STR(r.user, "U7");
    CHECK_STR(r.channel, "C9");
    hk_slack_request_free(&r);
    CHECK(hk_slack_parse_command(example_body, strlen(example_body), &r, &err) == 0 && r.kind == HK_SLACK_EMPTY,
          "an empty text");
    hk_slack_request_free(&r);
    CHECK(hk_slack_parse_command("text=x", 6, &r, &err) == -1, "no user_id");
    char *nul = hk_form_value("text=a%00b%ff", 13, "text");
    CHECK_STR(nul, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
    free(nul);
}

TEST(slack_events_parsed)
{
    struct hk_slack_request r;
    const char *err = NULL;
    const char *challenge = "{\"token\":\"t\",\"challenge\":\"abc123\",\"type\":\"url_verification\"}";
    CHECK(hk_slack_parse_event(challenge, strlen(challenge), &r, &err) == 0 && r.kind == HK_SLACK_CHALLENGE,
          "challenge");
    CHECK_STR(r.challenge, "abc123");
    hk_slack_request_free(&r);
    const char *mention = "{\"type\":\"event_callback\",\"event_id\":\"Ev1\",\"event\":{\"type\":\"app_mention\","
                          "\"user\":\"U1\",\"text\":\"<@U0BOT> fix it <@U2|bob> now\",\"ts\":\"1.2\","
                          "\"thread_ts\":\"1.0\",\"channel\":\"C1\"}}";
    CHECK(hk_slack_parse_event(mention, strlen(mention), &r, &err) == 0 && r.kind == HK_SLACK_TASK, "mention");
    CHECK_STR(r.text, "fix it  now");
    CHECK_STR(r.event_id, "Ev1");
    CHECK_STR(r.thread, "1.0");
    hk_slack_request_free(&r);
    const char *bot = "{\"type\":\"event_callback\",\"event\":{\"type\":\"app_mention\",\"bot_id\":\"B1\","
                      "\"user\":\"U1\",\"text\":\"hi\",\"ts\":\"1\",\"channel\":\"C1\"}}";
    CHECK(hk_slack_parse_event(bot, strlen(bot), &r, &err) == 0 && r.kind == HK_SLACK_IGNORED, "a bot's mention");
    hk_slack_request_free(&r);
    CHECK(hk_slack_parse_event("[1]", 3, &r, &err) == -1, "not an object");
    const char *bare = "{\"type\":\"event_callback\",\"event\":{\"type\":\"app_mention\"}}";
    CHECK(hk_slack_parse_event(bare, strlen(bare), &r, &err) == -1, "a mention without its members");
}

/* A fuzz finding: an event's JSON carried bytes that are not UTF-8 into the task. */
TEST(slack_event_task_is_utf8)
{
    const char ev[] = "{\"type\":\"event_callback\",\"event\":{\"type\":\"app_mention\",\"user\":\"U1\","
                      "\"text\":\"fix \xff\xfe it\",\"ts\":\"1\",\"channel\":\"C1\"}}";
    struct hk_slack_request r;
    const char *err = NULL;
    CHECK(hk_slack_parse_event(ev, strlen(ev), &r, &err) == 0 && r.kind == HK_SLACK_TASK, "parsed");
    CHECK_STR(r.text, "fix \xef\xbf\xbd\xef\xbf\xbd it");
    hk_slack_request_free(&r);
}

TEST(slack_allow_list)
{
    char *allow[] = {"U1", "C2"};
    CHECK(hk_slack_allowed(allow, 2, "U1", "C9"), "a listed user");
    CHECK(hk_slack_allowed(allow, 2, "U9", "C2"), "a listed channel");
    CHECK(!hk_slack_allowed(allow, 2, "U9", "C9"), "neither");
    CHECK(!hk_slack_allowed(NULL, 0, "U1", "C2"), "nobody when none is set");
}
