/* Theme files, colour parsing and the mapping from a theme's colours to what
 * the terminal can show (direct colour, 256, 8, or attributes alone). */
#include "theme.h"

#include "config.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct color {
    int kind; /* 0 default, 1 indexed, 2 rgb */
    int index, r, g, b;
};

#define DEFAULT_THEME "dark" /* themes/dark.theme */

/* {"slot", "fg", "bg", "attr"} per section of themes/dark.theme, made by
 * scripts/theme-to-c at build time: the file is the one copy of the
 * default colours. */
static const char *const dark_theme[][4] = {
#include "dark_theme.inc"
};

static struct {
    const char *name, *fg, *bg, *attr, *mono;
} slot_defaults[TH_COUNT] = {
#define TH_DEF(id, name, mono) {name, NULL, NULL, NULL, mono},
    TH_SLOTS(TH_DEF)
#undef TH_DEF
};

/* A slot the default theme does not name is a mistake in the source tree. */
static void fill_defaults(void)
{
    if (slot_defaults[0].fg)
        return; /* an earlier load did */
    for (int i = 0; i < TH_COUNT; i++) {
        for (size_t j = 0; j < sizeof dark_theme / sizeof *dark_theme; j++) {
            if (!strcmp(dark_theme[j][0], slot_defaults[i].name)) {
                slot_defaults[i].fg = dark_theme[j][1];
                slot_defaults[i].bg = dark_theme[j][2];
                slot_defaults[i].attr = dark_theme[j][3];
            }
        }
        if (!slot_defaults[i].fg) {
            fprintf(stderr, "honk: themes/dark.theme has no [color \"%s\"]\n", slot_defaults[i].name);
            abort();
        }
    }
}

static struct {
    attr_t attrs;
    int pair;
} slots[TH_COUNT];

static enum th_depth depth = TH_MONO;
static char search_path[1024];

static const char *color_names[] = {"black", "red",     "green", "yellow",
                                    "blue",  "magenta", "cyan",  "white"};

static int parse_color(const char *s, struct color *c)
{
    memset(c, 0, sizeof *c);
    if (!s || !*s || !strcasecmp(s, "default") || !strcasecmp(s, "normal"))
        return 0;
    if (s[0] == '#' && strlen(s) == 7) {
        unsigned v;
        if (sscanf(s + 1, "%6x", &v) != 1)
            return -1;
        *c = (struct color){2, 0, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff};
        return 0;
    }
    char *end;
    long n = strtol(s, &end, 10);
    if (end != s && !*end) {
        if (n < 0 || n > 255)
            return -1;
        *c = (struct color){1, (int)n, 0, 0, 0};
        return 0;
    }
    int bright = 0;
    if (!strncasecmp(s, "bright-", 7))
        bright = 8, s += 7;
    else if (!strncasecmp(s, "bright", 6))
        bright = 8, s += 6;
    for (int i = 0; i < 8; i++)
        if (!strcasecmp(s, color_names[i])) {
            *c = (struct color){1, i + bright, 0, 0, 0};
            return 0;
        }
    return -1;
}

static void palette_rgb(int i, int *r, int *g, int *b)
{
    static const int base[16][3] = {
        {0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
        {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
        {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
        {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255}};
    static const int level[6] = {0, 95, 135, 175, 215, 255};
    if (i < 16) {
        *r = base[i][0], *g = base[i][1], *b = base[i][2];
    } else if (i < 232) {
        i -= 16;
        *r = level[i / 36], *g = level[(i / 6) % 6], *b = level[i % 6];
    } else {
        *r = *g = *b = 8 + 10 * (i - 232);
    }
}

static int dist2(int r1, int g1, int b1, int r2, int g2, int b2)
{
    return (r1 - r2) * (r1 - r2) + (g1 - g2) * (g1 - g2) + (b1 - b2) * (b1 - b2);
}

static int nearest(int r, int g, int b, int first, int last)
{
    int best = first, bestd = INT_MAX;
    for (int i = first; i <= last; i++) {
        int pr, pg, pb;
        palette_rgb(i, &pr, &pg, &pb);
        int d = dist2(r, g, b, pr, pg, pb);
        if (d < bestd)
            best = i, bestd = d;
    }
    return best;
}

int hk_theme_map_color(int kind, int index, int r, int g, int b)
{
    if (kind == 0 || depth == TH_MONO)
        return -1;
    if (kind == 1) {
        if (depth == TH_256 || (depth == TH_DIRECT && index < 8))
            return index;
        if (depth == TH_8)
            return index < 16 ? index % 8 : (palette_rgb(index, &r, &g, &b), nearest(r, g, b, 0, 7));
        palette_rgb(index, &r, &g, &b);
    }
    if (depth == TH_DIRECT)
        return (r << 16) | (g << 8) | b;
    return depth == TH_256 ? nearest(r, g, b, 16, 255) : nearest(r, g, b, 0, 7);
}

int hk_theme_pair(int fg, int bg)
{
    if (depth == TH_MONO || (fg < 0 && bg < 0))
        return 0;
    int p = alloc_pair(fg, bg);
    return p < 0 ? 0 : p;
}

static attr_t parse_attrs(const char *s)
{
    static const struct {
        const char *name;
        attr_t a;
    } names[] = {{"bold", A_BOLD},       {"dim", A_DIM},       {"underline", A_UNDERLINE},
                 {"ul", A_UNDERLINE},    {"reverse", A_REVERSE}, {"italic", A_ITALIC},
                 {"blink", A_BLINK},     {"standout", A_STANDOUT}};
    attr_t a = 0;
    char *copy = hk_xstrdup(s ? s : ""), *save = NULL;
    for (char *t = strtok_r(copy, " ,", &save); t; t = strtok_r(NULL, " ,", &save))
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (!strcasecmp(t, names[i].name))
                a |= names[i].a;
    free(copy);
    return a;
}

static enum th_depth detect_depth(bool no_color)
{
    const char *nc = getenv("NO_COLOR");
    if (no_color || (nc && *nc) || !has_colors())
        return TH_MONO;
    start_color();
    use_default_colors();
    const char *ct = getenv("COLORTERM");
    bool truecolor = ct && (!strcmp(ct, "truecolor") || !strcmp(ct, "24bit"));
    if (truecolor && COLORS >= 0x1000000)
        return TH_DIRECT;
    return COLORS >= 256 ? TH_256 : TH_8;
}

static void set_slot(int i, const char *fg, const char *bg, const char *attr)
{
    struct color f, b;
    if (parse_color(fg, &f) < 0)
        parse_color(slot_defaults[i].fg, &f);
    if (parse_color(bg, &b) < 0)
        parse_color(slot_defaults[i].bg, &b);
    if (depth == TH_MONO) {
        slots[i].attrs = parse_attrs(slot_defaults[i].mono) | (parse_attrs(attr) & ~A_DIM);
        slots[i].pair = 0;
        return;
    }
    slots[i].attrs = parse_attrs(attr);
    slots[i].pair = hk_theme_pair(hk_theme_map_color(f.kind, f.index, f.r, f.g, f.b),
                                  hk_theme_map_color(b.kind, b.index, b.r, b.g, b.b));
}

/* The theme directories, most specific first. */
static int theme_dirs(char dirs[3][PATH_MAX + 64])
{
    int n = 0;
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(dirs[n++], PATH_MAX + 64, "%s/honk/themes", xdg);
    else if (home)
        snprintf(dirs[n++], PATH_MAX + 64, "%s/.config/honk/themes", home);
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
#ifdef HK_SHARE_DIR
        snprintf(dirs[n++], PATH_MAX + 64, "%s/themes", HK_SHARE_DIR);
#else
        snprintf(dirs[n++], PATH_MAX + 64, "%s/../share/honk/themes", exe);
#endif
        /* build/out/honk or build/san/honk inside the source tree */
        snprintf(dirs[n++], PATH_MAX + 64, "%s/../../themes", exe);
    }
    return n;
}

static char *find_theme(const char *name)
{
    char dirs[3][PATH_MAX + 64];
    int n = theme_dirs(dirs);
    struct hk_buf b = {0};
    for (int i = 0; i < n; i++)
        hk_buf_printf(&b, "%s%s", i ? ", " : "", dirs[i]);
    size_t len = b.len < sizeof search_path - 1 ? b.len : sizeof search_path - 1;
    memcpy(search_path, b.data ? b.data : "", len);
    search_path[len] = '\0';
    hk_buf_free(&b);
    if (strchr(name, '/'))
        return access(name, R_OK) == 0 ? hk_xstrdup(name) : NULL;
    for (int i = 0; i < n; i++) {
        char *path = hk_xasprintf("%s/%s.theme", dirs[i], name);
        if (access(path, R_OK) == 0)
            return path;
        free(path);
    }
    return NULL;
}

static void apply(struct hk_config *theme)
{
    for (int i = 0; i < TH_COUNT; i++) {
        char *fg = NULL, *bg = NULL, *attr = NULL;
        if (theme) {
            char key[96];
            snprintf(key, sizeof key, "color.%s.fg", slot_defaults[i].name);
            fg = hk_config_string(theme, key);
            snprintf(key, sizeof key, "color.%s.bg", slot_defaults[i].name);
            bg = hk_config_string(theme, key);
            snprintf(key, sizeof key, "color.%s.attr", slot_defaults[i].name);
            attr = hk_config_string(theme, key);
        }
        set_slot(i, fg ? fg : slot_defaults[i].fg, bg ? bg : slot_defaults[i].bg,
                 attr ? attr : slot_defaults[i].attr);
        free(fg), free(bg), free(attr);
    }
}

int hk_theme_load(const char *name, struct hk_config *cfg, bool no_color, char **err)
{
    char *configured = NULL, *path = NULL;
    struct hk_config *theme = NULL;
    int rc = 0;
    fill_defaults();
    depth = detect_depth(no_color);
    if (!name && cfg)
        name = configured = hk_config_string(cfg, "honk.theme");
    if (!name)
        name = DEFAULT_THEME;
    path = find_theme(name);
    if (!path) {
        if (strcmp(name, DEFAULT_THEME))
            /* the sentence first: the places looked in can be long and wrap */
            *err = hk_xasprintf("no theme \"%s\"; using the default theme, %s (looked in %s)", name,
                                DEFAULT_THEME, search_path), rc = -1;
    } else if (!(theme = hk_config_open_file(path, err))) {
        char *why = *err;
        *err = hk_xasprintf("%s; using the default theme, %s", why ? why : path, DEFAULT_THEME);
        free(why);
        rc = -1;
    }
    /* A theme that is missing or unreadable gives way to the default one,
     * not to the bare 8-colour slots below every theme. */
    if (!theme && strcmp(name, DEFAULT_THEME)) {
        free(path);
        path = find_theme(DEFAULT_THEME);
        char *ignored = NULL;
        theme = path ? hk_config_open_file(path, &ignored) : NULL;
        free(ignored);
    }
    apply(theme);
    hk_config_free(theme);
    free(path);
    free(configured);
    return rc;
}

void hk_theme_attr(enum th_slot slot, attr_t *attrs, int *pair)
{
    *attrs = slots[slot].attrs;
    *pair = slots[slot].pair;
}

void hk_theme_set(WINDOW *w, enum th_slot slot)
{
    int pair = slots[slot].pair;
    wattr_set(w, slots[slot].attrs, (short)pair, &pair);
}

enum th_depth hk_theme_depth(void)
{
    return depth;
}

const char *hk_theme_search_path(void)
{
    return search_path;
}
