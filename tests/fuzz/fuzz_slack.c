/* Fuzzes what honk serve reads from Slack before and after the signature
 * check (backend/serve_slack.c): a body signed as Slack signs it verifies,
 * the same body with one byte changed or a signature taken from the input
 * does not (unless it is the right one), and the slash-command, Events API
 * and form parsers take any bytes without a crash, giving valid UTF-8 tasks
 * with no NUL and no space at either end.
 * Input: [flip position byte][timestamp skew byte][signature: 67 bytes][body]. */
#include "fuzz.h"
#include "serve_libs.h"
#include "serve_slack.h"

#include <ctype.h>

#define SECRET "fuzz-signing-secret"
#define NOW 1700000000

static void check_task(const struct hk_slack_request *r)
{
    if (r->kind != HK_SLACK_TASK)
        return;
    size_t n = strlen(r->text);
    FZ_ASSERT(n > 0, "a task without words");
    FZ_ASSERT(!isspace((unsigned char)r->text[0]) && !isspace((unsigned char)r->text[n - 1]), "spaces at an end");
    struct hk_buf b = {0};
    FZ_ASSERT(hk_buf_add_utf8(&b, r->text, n) == 0, "a task that is not valid UTF-8");
    hk_buf_free(&b);
    FZ_ASSERT(r->user && r->channel, "a task without who and where");
}

static void parse_all(const char *body, size_t len)
{
    struct hk_slack_request r;
    const char *err;
    if (hk_slack_parse_command(body, len, &r, &err) == 0) {
        check_task(&r);
        hk_slack_request_free(&r);
    }
    if (hk_slack_parse_event(body, len, &r, &err) == 0) {
        check_task(&r);
        FZ_ASSERT(r.kind != HK_SLACK_CHALLENGE || r.challenge, "a challenge without its text");
        hk_slack_request_free(&r);
    }
    free(hk_form_value(body, len, "text"));
    free(hk_form_value(body, len, ""));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int loaded;
    if (!loaded) {
        char *err = NULL;
        if (hk_crypto_load(&err) != 0) {
            fprintf(stderr, "%s\n", err);
            abort();
        }
        loaded = 1;
    }
    if (size < 2 + 67)
        return 0;
    size_t flip = data[0];
    int skew = (int)data[1] * 3 - 380; /* within and past 5 minutes both ways */
    char given[68];
    memcpy(given, data + 2, 67);
    given[67] = 0;
    const char *body = (const char *)data + 69;
    size_t len = size - 69;
    char ts[16];
    snprintf(ts, sizeof ts, "%d", NOW + skew);
    int fresh = skew >= -HK_SLACK_MAX_SKEW_S && skew <= HK_SLACK_MAX_SKEW_S;
    const char *why;

    char *sig = hk_slack_sign(SECRET, ts, body, len);
    FZ_ASSERT((hk_slack_verify(SECRET, ts, sig, body, len, NOW, &why) == 0) == fresh, "a signed body: %s", why);
    int right = strlen(given) == strlen(sig) && !memcmp(given, sig, strlen(sig));
    FZ_ASSERT((hk_slack_verify(SECRET, ts, given, body, len, NOW, &why) == 0) == (fresh && right),
              "a signature from the input");
    if (len) {
        char *other = hk_xmalloc(len);
        memcpy(other, body, len);
        other[flip % len] ^= 0x20;
        FZ_ASSERT(hk_slack_verify(SECRET, ts, sig, other, len, NOW, &why) != 0, "a changed body verified");
        free(other);
    }
    free(sig);
    parse_all(body, len);
    return 0;
}
