/* The action table, key names, and the lookup that dispatches keys. */
#include "keymap.h"

#include "config.h"
#include "util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct km_action_info actions[KM_COUNT];

static const struct {
    const char *name;
    int key;
} named_keys[] = {
    {"Enter", '\r'},          {"Tab", '\t'},
    {"S-Tab", KM_FN | KEY_BTAB}, {"Esc", 27},
    {"Space", ' '},           {"Backspace", KM_FN | KEY_BACKSPACE},
    {"Del", KM_FN | KEY_DC},  {"Ins", KM_FN | KEY_IC},
    {"Up", KM_FN | KEY_UP},   {"Down", KM_FN | KEY_DOWN},
    {"Left", KM_FN | KEY_LEFT}, {"Right", KM_FN | KEY_RIGHT},
    {"Home", KM_FN | KEY_HOME}, {"End", KM_FN | KEY_END},
    {"PgUp", KM_FN | KEY_PPAGE}, {"PgDn", KM_FN | KEY_NPAGE},
};

#define NNAMED (sizeof named_keys / sizeof named_keys[0])

int hk_keymap_parse_key(const char *name)
{
    int meta = 0;
    if (!strncmp(name, "M-", 2) && name[2]) {
        meta = KM_META;
        name += 2;
    }
    if (!strncmp(name, "C-", 2) && name[2] && !name[3]) {
        char c = name[2];
        if (c >= 'a' && c <= 'z')
            return meta | (c - 'a' + 1);
        if (c >= 'A' && c <= 'Z')
            return meta | (c - 'A' + 1);
        return -1;
    }
    for (size_t i = 0; i < NNAMED; i++)
        if (!strcmp(name, named_keys[i].name))
            return meta | named_keys[i].key;
    /* Shifted F1-F12 arrive as F13-F24 (xterm's convention, as terminfo has them). */
    int shift = !strncmp(name, "S-F", 3) ? 12 : 0;
    if (shift)
        name += 2;
    if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (!*end && n >= 1 && n <= (shift ? 12 : 24))
            return meta | KM_FN | KEY_F((int)n + shift);
    }
    if (shift)
        return -1;
    /* One UTF-8 character. */
    unsigned char c = (unsigned char)name[0];
    if (!c)
        return -1;
    int len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if ((int)strlen(name) != len)
        return -1;
    if (len == 1)
        return meta | c;
    int cp = c & (0xff >> (len + 1));
    for (int i = 1; i < len; i++)
        cp = (cp << 6) | (name[i] & 0x3f);
    return meta | cp;
}

void hk_keymap_key_name(int key, char *buf, int size)
{
    const char *meta = key & KM_META ? "M-" : "";
    key &= ~KM_META;
    for (size_t i = 0; i < NNAMED; i++)
        if (named_keys[i].key == key) {
            snprintf(buf, size, "%s%s", meta, named_keys[i].name);
            return;
        }
    if (key & KM_FN) {
        int k = key & ~KM_FN;
        if (k >= KEY_F(1) && k <= KEY_F(12))
            snprintf(buf, size, "%sF%d", meta, k - KEY_F(0));
        else if (k > KEY_F(12) && k <= KEY_F(24))
            snprintf(buf, size, "%sS-F%d", meta, k - KEY_F(12));
        else
            snprintf(buf, size, "%s<%d>", meta, k);
    } else if (key >= 1 && key <= 26) {
        snprintf(buf, size, "%sC-%c", meta, 'a' + key - 1);
    } else if (key < 0x80) {
        snprintf(buf, size, "%s%c", meta, key);
    } else {
        char u[5] = {0};
        if (key < 0x800) {
            u[0] = (char)(0xc0 | (key >> 6)), u[1] = (char)(0x80 | (key & 0x3f));
        } else if (key < 0x10000) {
            u[0] = (char)(0xe0 | (key >> 12)), u[1] = (char)(0x80 | ((key >> 6) & 0x3f));
            u[2] = (char)(0x80 | (key & 0x3f));
        } else {
            u[0] = (char)(0xf0 | (key >> 18)), u[1] = (char)(0x80 | ((key >> 12) & 0x3f));
            u[2] = (char)(0x80 | ((key >> 6) & 0x3f)), u[3] = (char)(0x80 | (key & 0x3f));
        }
        snprintf(buf, size, "%s%s", meta, u);
    }
}

/* Parses "a Enter C-x+C-e" into the action's bindings; -1 on a bad name. */
static int parse_bindings(struct km_action_info *info, const char *text)
{
    char *copy = hk_xstrdup(text), *save = NULL;
    int rc = 0;
    info->nkeys = 0;
    for (char *tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
        struct km_binding b = {{0, 0}};
        char *plus = strchr(tok, '+');
        if (plus && plus != tok && plus[1]) {
            *plus = '\0';
            b.key[1] = hk_keymap_parse_key(plus + 1);
        }
        b.key[0] = hk_keymap_parse_key(tok);
        if (b.key[0] < 0 || b.key[1] < 0) {
            rc = -1;
            continue;
        }
        if (info->nkeys < KM_MAX_BINDINGS)
            info->keys[info->nkeys++] = b;
    }
    free(copy);
    return rc;
}

static void unknown_action(const char *name, const char *value, void *data)
{
    (void)value;
    const char *action = name + strlen("honk.bind.");
    for (int a = 1; a < KM_COUNT; a++)
        if (!strcmp(actions[a].name, action))
            return;
    hk_buf_printf(data, "%s: there is no action \"%s\" (? lists them); it is ignored. ", name, action);
}

static bool same_binding(const struct km_binding *x, const struct km_binding *y)
{
    return x->key[0] == y->key[0] && x->key[1] == y->key[1];
}

/* A key bound to two actions of one scope runs only the first: say so. */
static void report_twice_bound(struct hk_buf *warn)
{
    for (int a = 1; a < KM_COUNT; a++)
        for (int i = 0; i < actions[a].nkeys; i++)
            for (int b = a + 1; b < KM_COUNT; b++) {
                if (actions[b].scope != actions[a].scope)
                    continue;
                for (int j = 0; j < actions[b].nkeys; j++) {
                    if (!same_binding(&actions[a].keys[i], &actions[b].keys[j]))
                        continue;
                    char k1[32], k2[32] = "";
                    hk_keymap_key_name(actions[a].keys[i].key[0], k1, sizeof k1);
                    if (actions[a].keys[i].key[1])
                        hk_keymap_key_name(actions[a].keys[i].key[1], k2, sizeof k2);
                    hk_buf_printf(warn, "%s%s%s is bound to both %s and %s (%s); only %s gets it. ", k1,
                                  k2[0] ? "+" : "", k2, actions[a].name, actions[b].name,
                                  hk_keymap_scope_name(actions[a].scope), actions[a].name);
                }
            }
}

void hk_keymap_init(struct hk_config *cfg, char **warning)
{
    static const struct {
        const char *name;
        enum km_scope scope;
        const char *keys, *help;
    } defaults[KM_COUNT] = {
        {NULL, KM_GLOBAL, NULL, NULL},
#define KM_DEF(id, name, scope, keys, help) {name, scope, keys, help},
        KM_ACTIONS(KM_DEF)
#undef KM_DEF
    };
    for (int a = 1; a < KM_COUNT; a++) {
        actions[a].name = defaults[a].name;
        actions[a].scope = defaults[a].scope;
        actions[a].help = defaults[a].help;
        parse_bindings(&actions[a], defaults[a].keys);
    }
    if (warning)
        *warning = NULL;
    if (!cfg)
        return;
    /* One lookup per action: a binding for no action is simply never read. */
    struct hk_buf warn = {0};
    for (int a = 1; a < KM_COUNT; a++) {
        char key[64];
        snprintf(key, sizeof key, "honk.bind.%s", actions[a].name);
        char *value = hk_config_string(cfg, key);
        if (value && parse_bindings(&actions[a], value) < 0)
            hk_buf_printf(&warn, "%s: unknown key in \"%s\" (key names: a, C-x, M-Enter, PgUp, S-Tab, F1, S-F3). ", key, value);
        free(value);
    }
    hk_config_each(cfg, "honk.bind.", unknown_action, &warn);
    report_twice_bound(&warn);
    if (warn.len && warning)
        *warning = hk_buf_steal(&warn);
    hk_buf_free(&warn);
}

const struct km_action_info *hk_keymap_info(enum km_action a)
{
    return a > KM_NONE && a < KM_COUNT ? &actions[a] : NULL;
}

enum km_action hk_keymap_lookup(enum km_scope scope, int prefix, int key, bool *is_prefix)
{
    if (is_prefix)
        *is_prefix = false;
    for (int a = 1; a < KM_COUNT; a++) {
        if (actions[a].scope != scope)
            continue;
        for (int i = 0; i < actions[a].nkeys; i++) {
            const struct km_binding *b = &actions[a].keys[i];
            if (prefix && b->key[1] && b->key[0] == prefix && b->key[1] == key)
                return (enum km_action)a;
            if (!prefix && b->key[1] && b->key[0] == key && is_prefix)
                *is_prefix = true;
            if (!prefix && !b->key[1] && b->key[0] == key)
                return (enum km_action)a;
        }
    }
    return KM_NONE;
}

void hk_keymap_keys_text(enum km_action a, char *buf, int size)
{
    const struct km_action_info *info = hk_keymap_info(a);
    int n = 0;
    buf[0] = '\0';
    for (int i = 0; info && i < info->nkeys && n < size; i++) {
        char k1[32], k2[32] = "";
        hk_keymap_key_name(info->keys[i].key[0], k1, sizeof k1);
        if (info->keys[i].key[1])
            hk_keymap_key_name(info->keys[i].key[1], k2, sizeof k2);
        n += snprintf(buf + n, size - n, "%s%s%s%s", i ? ", " : "", k1, k2[0] ? "+" : "", k2);
    }
}

const char *hk_keymap_scope_name(enum km_scope s)
{
    static const char *names[KM_SCOPES] = {"global", "any pane", "Chat", "Diff",
                                           "Tests", "Deploy", "help"};
    return names[s];
}
