/* The JSON that leaves honk (requests, the journal, --json) is valid
 * UTF-8 whatever bytes went in; NUL hidden in a tool input's text is found
 * before cJSON cuts the string at it. */
#include "check.h"
#include "json.h"
#include "util.h"

#include <stdlib.h>

static char *cleaned(const char *s, size_t len, size_t *bad)
{
    struct hk_buf b = {0};
    *bad = hk_buf_add_utf8(&b, s, len);
    return hk_buf_steal(&b);
}

#define FFFD "\xef\xbf\xbd"

TEST(valid_utf8_is_kept_byte_for_byte)
{
    const char s[] = "plain, caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x90\xa6, \xef\xbf\xbf";
    size_t bad;
    char *out = cleaned(s, sizeof s - 1, &bad);
    CHECK(bad == 0, "%zu replaced", bad);
    CHECK_STR(out, s);
    free(out);
}

TEST(each_invalid_byte_becomes_fffd)
{
    static const struct { const char *in; size_t len; const char *want; size_t bad; } cases[] = {
        {"caf\xe9!", 5, "caf" FFFD "!", 1},                     /* Latin-1 */
        {"\xff\xfe", 2, FFFD FFFD, 2},                           /* never in UTF-8 */
        {"\xc0\xaf", 2, FFFD FFFD, 2},                           /* overlong '/' */
        {"\xe0\x80\xaf", 3, FFFD FFFD FFFD, 3},                  /* overlong, 3 bytes */
        {"\xed\xa0\x80", 3, FFFD FFFD FFFD, 3},                  /* a surrogate */
        {"\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD, 4},         /* past U+10FFFF */
        {"ab\xe2\x82", 4, "ab" FFFD FFFD, 2},                    /* cut short at the end */
        {"a\0b", 3, "a" FFFD "b", 1},                            /* NUL */
        {"\x80x", 2, FFFD "x", 1},                               /* a lone continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t bad;
        char *out = cleaned(cases[i].in, cases[i].len, &bad);
        CHECK(!strcmp(out, cases[i].want) && bad == cases[i].bad, "case %zu: %zu replaced, \"%s\"", i, bad, out);
        free(out);
    }
}

TEST(printed_json_is_valid_utf8)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "content", "caf\xe9 \"q\"\n");
    char *text = hk_json_print(o);
    CHECK_STR(text, "{\"content\":\"caf" FFFD " \\\"q\\\"\\n\"}");
    cJSON *back = cJSON_Parse(text);
    CHECK(back != NULL, "does not parse back: %s", text);
    cJSON_Delete(back);
    free(text);
    cJSON_Delete(o);
}

static void check_nul(const char *json, const char *want_member)
{
    char *member = NULL;
    bool has = hk_json_has_nul(json, &member);
    if (!want_member)
        CHECK(!has, "%s: NUL found in \"%s\"", json, member);
    else
        CHECK(has && !strcmp(member, want_member), "%s: %s", json, has ? member : "no NUL found");
    free(member);
}

TEST(nul_in_a_tool_input_is_found_with_its_member)
{
    check_nul("{\"path\":\"nul\\u0000.txt\",\"content\":\"x\"}", "path");
    check_nul("{\"path\":\"a.txt\",\"content\":\"a\\u0000b\"}", "content");
    check_nul("{\"path\":\"a\\\"\\\\\",\"edits\":[{\"new\":\"\\u0000\"}]}", "edits");
    check_nul("{\"k\\u0000\":1}", "");
    check_nul("{\"path\":\"a.txt\",\"content\":\"a\\\\u0000b\"}", NULL); /* an escaped backslash, then text */
    check_nul("{\"path\":\"a\\u0001\",\"n\":0}", NULL);
    check_nul("{\"path\":\"unterminated \\", NULL);
}
