/* Type-checked member access for cJSON objects (see json.h). */
#include "json.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <limits.h>
#include <math.h>

const char *hk_json_str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double hk_json_num(const cJSON *obj, const char *name, double fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

long hk_json_long(const cJSON *obj, const char *name, long fallback)
{
    double d = hk_json_num(obj, name, NAN);
    if (isnan(d))
        return fallback;
    /* LONG_MAX is not a double: compare with 2^63, the first one past it. */
    if (d >= -(double)LONG_MIN)
        return LONG_MAX;
    return d <= (double)LONG_MIN ? LONG_MIN : (long)d;
}

int hk_json_int(const cJSON *obj, const char *name, int fallback)
{
    long v = hk_json_long(obj, name, fallback);
    return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

bool hk_json_true(const cJSON *obj, const char *name)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

/* Scans the string that opens at p (just after its quote) to its end;
 * returns where it ends (the closing quote or the text's end) and sets *nul
 * when it holds \u0000. */
static const char *scan_string(const char *p, bool *nul)
{
    for (; *p && *p != '"'; p++) {
        if (*p != '\\')
            continue;
        if (p[1] == 'u' && strncasecmp(p + 2, "0000", 4) == 0)
            *nul = true;
        if (p[1])
            p++;
    }
    return p;
}

bool hk_json_has_nul(const char *json, char **member)
{
    int depth = 0, want_name = 0;
    const char *name = "";
    size_t name_len = 0;
    *member = NULL;
    for (const char *p = json; *p; p++) {
        if (*p == '{' || *p == '[') {
            depth++;
            want_name = *p == '{' && depth == 1;
        } else if (*p == '}' || *p == ']') {
            depth--;
        } else if (*p == ',') {
            want_name = depth == 1;
        } else if (*p == '"') {
            bool nul = false, is_name = want_name;
            const char *end = scan_string(p + 1, &nul);
            want_name = 0;
            if (nul) {
                *member = is_name ? hk_xstrdup("") : hk_xstrndup(name, name_len);
                return true;
            }
            if (is_name) {
                name = p + 1;
                name_len = (size_t)(end - name);
            }
            if (!*end)
                break;
            p = end;
        }
    }
    return false;
}

/* cJSON escapes quotes and control characters but copies every other byte
 * as it is, so a file, a test's output or a commit message that is not
 * UTF-8 would make the request body invalid (the provider refuses it) and
 * the journal unreadable to any strict parser. Strings reach cJSON from too
 * many places (tool results, run output, model text, git) to clean each one,
 * so the text is made valid once, here, where every request builder and the
 * journal writer print it. Whoever shows such text to the model cleans it
 * first itself (tools.c), so as to tell the model what was replaced. */
char *hk_json_print(const cJSON *item)
{
    char *raw = cJSON_PrintUnformatted(item);
    if (!raw)
        abort(); /* cJSON fails only when allocation does */
    struct hk_buf b = {0};
    hk_buf_add_utf8(&b, raw, strlen(raw));
    cJSON_free(raw);
    return hk_buf_steal(&b);
}
