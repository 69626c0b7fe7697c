/* Slack requests: signatures, slash commands, Events API bodies (see
 * serve_slack.h). Nothing here trusts a byte before hk_slack_verify. */
#include "serve_slack.h"
#include "json.h"
#include "serve_libs.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = 0;
}

char *hk_hmac_sha256_hex(const char *key, const char *data, size_t len)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)data, len, mac, &maclen);
    char *out = hk_xmalloc(2 * maclen + 1);
    hex(mac, maclen, out);
    return out;
}

char *hk_slack_sign(const char *secret, const char *timestamp, const char *body, size_t len)
{
    struct hk_buf base = {0};
    hk_buf_printf(&base, "v0:%s:", timestamp);
    hk_buf_add(&base, body, len);
    char *mac = hk_hmac_sha256_hex(secret, base.data, base.len);
    char *out = hk_xasprintf("v0=%s", mac);
    free(mac);
    hk_buf_free(&base);
    return out;
}

/* Digits only, at most 12 of them: a time in seconds, never a number that
 * overflows. */
static int parse_timestamp(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    if (!n || n > 12)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int hk_slack_verify(const char *secret, const char *timestamp, const char *signature,
                    const char *body, size_t len, int64_t now_s, const char **why)
{
    int64_t ts;
    if (!secret || !*secret) {
        *why = "SLACK_SIGNING_SECRET is not set, so no Slack request can be verified";
        return -1;
    }
    if (!timestamp || !signature) {
        *why = "the request has no X-Slack-Signature or no X-Slack-Request-Timestamp";
        return -1;
    }
    if (parse_timestamp(timestamp, &ts) != 0) {
        *why = "X-Slack-Request-Timestamp is not a time in seconds";
        return -1;
    }
    if (ts > now_s + HK_SLACK_MAX_SKEW_S || ts < now_s - HK_SLACK_MAX_SKEW_S) {
        *why = "the request's timestamp is more than 5 minutes off (an old request sent again?)";
        return -1;
    }
    char *want = hk_slack_sign(secret, timestamp, body, len);
    size_t n = strlen(want);
    /* The length is no secret; the bytes are compared in constant time. */
    int same = strlen(signature) == n && CRYPTO_memcmp(want, signature, n) == 0;
    free(want);
    if (!same) {
        *why = "X-Slack-Signature does not match the body and the signing secret";
        return -1;
    }
    return 0;
}

/* --- form bodies ---------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static char *form_decode(const char *s, size_t n)
{
    struct hk_buf raw = {0}, out = {0};
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+')
            hk_buf_addc(&raw, ' ');
        else if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0) {
            hk_buf_addc(&raw, (char)(hi * 16 + lo));
            i += 2;
        } else
            hk_buf_addc(&raw, s[i]);
    }
    hk_buf_add_utf8(&out, raw.data ? raw.data : "", raw.len);
    hk_buf_free(&raw);
    return hk_buf_steal(&out);
}

char *hk_form_value(const char *body, size_t len, const char *name)
{
    size_t nlen = strlen(name);
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq && (size_t)(eq - p) == nlen && !memcmp(p, name, nlen))
            return form_decode(eq + 1, (size_t)(stop - eq - 1));
        p = stop + 1;
    }
    return NULL;
}

/* --- requests --------------------------------------------------------------- */

void hk_slack_request_free(struct hk_slack_request *r)
{
    free(r->text);
    free(r->user);
    free(r->channel);
    free(r->team);
    free(r->thread);
    free(r->ts);
    free(r->event_id);
    free(r->challenge);
    memset(r, 0, sizeof *r);
}

/* The words of a message without the <@U...> mentions (the bot's own name
 * among them) and the spaces around them. */
static char *task_words(const char *text)
{
    struct hk_buf b = {0};
    for (const char *p = text; *p;) {
        if (p[0] == '<' && p[1] == '@') {
            const char *close = strchr(p, '>');
            if (close) {
                p = close + 1;
                continue;
            }
        }
        hk_buf_addc(&b, *p++);
    }
    char *s = hk_buf_steal(&b);
    size_t start = 0, n = strlen(s);
    while (start < n && isspace((unsigned char)s[start]))
        start++;
    while (n > start && isspace((unsigned char)s[n - 1]))
        n--;
    /* An event's JSON may hold bytes that are not UTF-8: the task is text. */
    struct hk_buf out = {0};
    hk_buf_add_utf8(&out, s + start, n - start);
    free(s);
    return hk_buf_steal(&out);
}

static char *dup_or_null(const char *s)
{
    return s ? hk_xstrdup(s) : NULL;
}

int hk_slack_parse_command(const char *body, size_t len, struct hk_slack_request *out, const char **err)
{
    memset(out, 0, sizeof *out);
    char *text = hk_form_value(body, len, "text");
    out->user = hk_form_value(body, len, "user_id");
    out->channel = hk_form_value(body, len, "channel_id");
    out->team = hk_form_value(body, len, "team_id");
    if (!text || !out->user || !out->channel) {
        free(text);
        hk_slack_request_free(out);
        *err = "a slash command has text, user_id and channel_id; this body lacks one";
        return -1;
    }
    out->text = task_words(text);
    free(text);
    out->kind = *out->text ? HK_SLACK_TASK : HK_SLACK_EMPTY;
    return 0;
}

static int parse_mention(const cJSON *ev, struct hk_slack_request *out, const char **err)
{
    const char *text = hk_json_str(ev, "text"), *user = hk_json_str(ev, "user");
    const char *channel = hk_json_str(ev, "channel"), *ts = hk_json_str(ev, "ts");
    if (!text || !user || !channel || !ts) {
        *err = "an app_mention event has text, user, channel and ts; this one lacks one";
        return -1;
    }
    out->text = task_words(text);
    out->user = hk_xstrdup(user);
    out->channel = hk_xstrdup(channel);
    /* A mention inside a thread keeps the task in that thread. */
    out->thread = hk_xstrdup(hk_json_str(ev, "thread_ts") ? hk_json_str(ev, "thread_ts") : ts);
    out->ts = hk_xstrdup(ts);
    out->in_thread = hk_json_str(ev, "thread_ts") && strcmp(hk_json_str(ev, "thread_ts"), ts) != 0;
    out->kind = *out->text ? HK_SLACK_TASK : HK_SLACK_EMPTY;
    return 0;
}

/* A person's message in a thread (not its first, not an edit, not a bot's). */
static int parse_reply(const cJSON *ev, struct hk_slack_request *out)
{
    const char *text = hk_json_str(ev, "text"), *user = hk_json_str(ev, "user");
    const char *channel = hk_json_str(ev, "channel"), *ts = hk_json_str(ev, "ts");
    const char *thread = hk_json_str(ev, "thread_ts");
    if (!text || !user || !channel || !ts || !thread || !strcmp(thread, ts) || hk_json_str(ev, "subtype"))
        return 0;
    out->text = task_words(text);
    out->user = hk_xstrdup(user);
    out->channel = hk_xstrdup(channel);
    out->thread = hk_xstrdup(thread);
    out->ts = hk_xstrdup(ts);
    out->in_thread = true;
    out->kind = *out->text ? HK_SLACK_REPLY : HK_SLACK_IGNORED;
    return 0;
}

int hk_slack_parse_event(const char *body, size_t len, struct hk_slack_request *out, const char **err)
{
    memset(out, 0, sizeof *out);
    cJSON *root = cJSON_ParseWithLength(body, len);
    int rc = -1;
    const char *type = hk_json_str(root, "type");
    if (!cJSON_IsObject(root) || !type) {
        *err = "an Events API body is a JSON object with a type";
        goto out;
    }
    if (!strcmp(type, "url_verification")) {
        const char *challenge = hk_json_str(root, "challenge");
        if (!challenge) {
            *err = "url_verification without a challenge";
            goto out;
        }
        out->kind = HK_SLACK_CHALLENGE;
        out->challenge = hk_xstrdup(challenge);
        rc = 0;
        goto out;
    }
    out->kind = HK_SLACK_IGNORED;
    out->event_id = dup_or_null(hk_json_str(root, "event_id"));
    out->team = dup_or_null(hk_json_str(root, "team_id"));
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(root, "event");
    const char *etype = hk_json_str(ev, "type");
    rc = 0;
    if (!strcmp(type, "event_callback") && etype && !strcmp(etype, "app_mention") && !hk_json_str(ev, "bot_id"))
        rc = parse_mention(ev, out, err);
    else if (!strcmp(type, "event_callback") && etype && !strcmp(etype, "message") && !hk_json_str(ev, "bot_id"))
        rc = parse_reply(ev, out);
out:
    cJSON_Delete(root);
    if (rc != 0)
        hk_slack_request_free(out);
    return rc;
}

bool hk_slack_allowed(char *const *allow, size_t n, const char *user, const char *channel)
{
    for (size_t i = 0; i < n; i++)
        if ((user && !strcmp(allow[i], user)) || (channel && !strcmp(allow[i], channel)))
            return true;
    return false;
}
