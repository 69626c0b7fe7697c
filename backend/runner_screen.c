/* The runner's screen model: libvterm turns a program's output into cells,
 * this file keeps the lines scrolled off the top (bounded) and hands both out
 * as neutral cells and as plain text. */
#include "runner_screen.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

struct sb_line {
    int len;
    struct hk_cell *cells;
};

struct hk_screen {
    VTerm *vt;
    VTermScreen *vs;
    int rows, cols;
    /* Scrollback is a ring: sb_count lines starting at sb_start. */
    struct sb_line *sb;
    int sb_cap, sb_start, sb_count;
    long dropped;
    struct hk_cell *scratch; /* one row, converted before it is trimmed */
    int scratch_cap;
    int cur_row, cur_col;
    bool cur_visible;
    bool dirty;
    hk_screen_reply_cb reply;
    void *reply_data;
    /* Where the bytes fed so far left a control sequence (feed_args). */
    enum { SEQ_TEXT, SEQ_ESC, SEQ_CSI, SEQ_STRING } seq;
    int seq_seps;
    bool seq_counting; /* still in the CSI's parameters */
    bool seq_plain;    /* no private marker nor intermediate: a REP is honk's to do */
    long seq_param;    /* the CSI's first parameter, as far as read */
    bool printed; /* the last character shown with a width was ASCII: safe to repeat */
    char last_ascii; /* that character */
    uint32_t cp;  /* the UTF-8 character being read, and bytes it still needs */
    int cp_need;
    char *fed;
    size_t fed_len, fed_cap;
};

/* --- conversions between libvterm cells and neutral cells -------------- */

static struct hk_color from_vterm_color(VTermColor c, bool is_fg)
{
    bool is_default = is_fg ? VTERM_COLOR_IS_DEFAULT_FG(&c) : VTERM_COLOR_IS_DEFAULT_BG(&c);
    if (is_default)
        return (struct hk_color){.kind = HK_COLOR_DEFAULT};
    if (VTERM_COLOR_IS_INDEXED(&c))
        return (struct hk_color){.kind = HK_COLOR_INDEXED, .index = c.indexed.idx};
    return (struct hk_color){.kind = HK_COLOR_RGB, .r = c.rgb.red, .g = c.rgb.green, .b = c.rgb.blue};
}

static uint8_t from_vterm_attrs(VTermScreenCellAttrs a)
{
    uint8_t attrs = 0;
    if (a.bold)
        attrs |= HK_ATTR_BOLD;
    if (a.underline)
        attrs |= HK_ATTR_UNDERLINE;
    if (a.italic)
        attrs |= HK_ATTR_ITALIC;
    if (a.reverse)
        attrs |= HK_ATTR_REVERSE;
    if (a.strike)
        attrs |= HK_ATTR_STRIKE;
    if (a.blink)
        attrs |= HK_ATTR_BLINK;
    return attrs;
}

static struct hk_cell from_vterm_cell(const VTermScreenCell *vc)
{
    struct hk_cell c;
    memset(&c, 0, sizeof c);
    /* libvterm marks the right half of a wide character with chars[0] == -1. */
    if (vc->chars[0] == (uint32_t)-1)
        c.width = 0;
    else {
        for (int i = 0; i < HK_CELL_MAX_CHARS && i < VTERM_MAX_CHARS_PER_CELL && vc->chars[i]; i++)
            c.chars[i] = vc->chars[i];
        c.width = vc->width == 2 ? 2 : 1;
    }
    c.attrs = from_vterm_attrs(vc->attrs);
    c.fg = from_vterm_color(vc->fg, true);
    c.bg = from_vterm_color(vc->bg, false);
    return c;
}

static VTermColor to_vterm_color(const struct hk_screen *s, struct hk_color c, bool is_fg)
{
    VTermColor vc, def_fg, def_bg;
    if (c.kind == HK_COLOR_INDEXED) {
        vterm_color_indexed(&vc, c.index);
        return vc;
    }
    if (c.kind == HK_COLOR_RGB) {
        vterm_color_rgb(&vc, c.r, c.g, c.b);
        return vc;
    }
    vterm_state_get_default_colors(vterm_obtain_state(s->vt), &def_fg, &def_bg);
    return is_fg ? def_fg : def_bg;
}

static void to_vterm_cell(const struct hk_screen *s, const struct hk_cell *c, VTermScreenCell *vc)
{
    memset(vc, 0, sizeof *vc);
    for (int i = 0; i < HK_CELL_MAX_CHARS && i < VTERM_MAX_CHARS_PER_CELL && c->chars[i]; i++)
        vc->chars[i] = c->chars[i];
    /* libvterm steps over cells by width: never hand it a 0. */
    vc->width = c->width == 2 ? 2 : 1;
    vc->attrs.bold = !!(c->attrs & HK_ATTR_BOLD);
    vc->attrs.underline = (c->attrs & HK_ATTR_UNDERLINE) ? VTERM_UNDERLINE_SINGLE : 0;
    vc->attrs.italic = !!(c->attrs & HK_ATTR_ITALIC);
    vc->attrs.reverse = !!(c->attrs & HK_ATTR_REVERSE);
    vc->attrs.strike = !!(c->attrs & HK_ATTR_STRIKE);
    vc->attrs.blink = !!(c->attrs & HK_ATTR_BLINK);
    vc->fg = to_vterm_color(s, c->fg, true);
    vc->bg = to_vterm_color(s, c->bg, false);
}

static bool cell_is_blank(const struct hk_cell *c)
{
    const uint8_t visible = HK_ATTR_REVERSE | HK_ATTR_UNDERLINE | HK_ATTR_STRIKE;
    return (c->chars[0] == 0 || c->chars[0] == ' ') && c->width == 1 &&
           !(c->attrs & visible) && c->bg.kind == HK_COLOR_DEFAULT;
}

static int trimmed_len(const struct hk_cell *cells, int n)
{
    while (n > 0 && cell_is_blank(&cells[n - 1]))
        n--;
    return n;
}

/* --- scrollback ------------------------------------------------------- */

static struct sb_line *sb_at(const struct hk_screen *s, int i)
{
    return &s->sb[(s->sb_start + i) % s->sb_cap];
}

static int on_sb_pushline(int cols, const VTermScreenCell *cells, void *user)
{
    struct hk_screen *s = user;
    if (s->sb_cap == 0) {
        s->dropped++;
        return 1;
    }
    if (cols > s->scratch_cap) {
        s->scratch_cap = cols;
        s->scratch = hk_xrealloc(s->scratch, (size_t)cols * sizeof *s->scratch);
    }
    for (int i = 0; i < cols; i++)
        s->scratch[i] = from_vterm_cell(&cells[i]);
    /* Keep only up to the last non-blank cell: most lines are short. */
    int len = trimmed_len(s->scratch, cols);
    struct hk_cell *line = hk_xmalloc((size_t)(len ? len : 1) * sizeof *line);
    memcpy(line, s->scratch, (size_t)len * sizeof *line);
    if (s->sb_count == s->sb_cap) {
        free(sb_at(s, 0)->cells);
        s->sb_start = (s->sb_start + 1) % s->sb_cap;
        s->sb_count--;
        s->dropped++;
    }
    *sb_at(s, s->sb_count++) = (struct sb_line){len, line};
    s->dirty = true;
    return 1;
}

static int on_sb_popline(int cols, VTermScreenCell *cells, void *user)
{
    struct hk_screen *s = user;
    if (s->sb_count == 0)
        return 0;
    struct sb_line *line = sb_at(s, --s->sb_count);
    struct hk_cell blank = {.width = 1};
    for (int i = 0; i < cols; i++) {
        const struct hk_cell *c = i < line->len ? &line->cells[i] : &blank;
        /* A line kept from a wider screen may end in half a wide character:
         * libvterm would write its right half past the row (a fuzz finding). */
        to_vterm_cell(s, c->width == 2 && i == cols - 1 ? &blank : c, &cells[i]);
    }
    free(line->cells);
    line->cells = NULL;
    s->dirty = true;
    return 1;
}

/* --- libvterm callbacks ----------------------------------------------- */

static int on_damage(VTermRect rect, void *user)
{
    (void)rect;
    ((struct hk_screen *)user)->dirty = true;
    return 1;
}

static int on_movecursor(VTermPos pos, VTermPos oldpos, int visible, void *user)
{
    (void)oldpos;
    (void)visible;
    struct hk_screen *s = user;
    s->cur_row = pos.row;
    s->cur_col = pos.col;
    s->dirty = true;
    return 1;
}

static int on_settermprop(VTermProp prop, VTermValue *val, void *user)
{
    struct hk_screen *s = user;
    if (prop == VTERM_PROP_CURSORVISIBLE)
        s->cur_visible = val->boolean;
    s->dirty = true;
    return 1;
}

static void on_output(const char *bytes, size_t len, void *user)
{
    struct hk_screen *s = user;
    if (s->reply)
        s->reply(bytes, len, s->reply_data);
}

static const VTermScreenCallbacks screen_callbacks = {
    .damage = on_damage,
    .movecursor = on_movecursor,
    .settermprop = on_settermprop,
    .sb_pushline = on_sb_pushline,
    .sb_popline = on_sb_popline,
};

/* --- life cycle ------------------------------------------------------- */

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

struct hk_screen *hk_screen_new(int rows, int cols, int scrollback_cap,
                                hk_screen_reply_cb reply, void *data)
{
    struct hk_screen *s = hk_xcalloc(1, sizeof *s);
    s->rows = rows > 0 ? rows : 24;
    s->cols = cols > 0 ? cols : 80;
    if (s->cols < HK_SCREEN_MIN_COLS)
        s->cols = HK_SCREEN_MIN_COLS;
    s->sb_cap = scrollback_cap > 0 ? scrollback_cap : 0;
    s->sb = hk_xcalloc((size_t)(s->sb_cap ? s->sb_cap : 1), sizeof *s->sb);
    s->cur_visible = true;
    s->reply = reply;
    s->reply_data = data;
    s->vt = vterm_new(s->rows, s->cols);
    if (!s->vt)
        abort();
    vterm_set_utf8(s->vt, 1);
    vterm_output_set_callback(s->vt, on_output, s);
    s->vs = vterm_obtain_screen(s->vt);
    vterm_screen_set_callbacks(s->vs, &screen_callbacks, s);
    vterm_screen_set_damage_merge(s->vs, VTERM_DAMAGE_SCROLL);
    vterm_screen_enable_altscreen(s->vs, 1);
    vterm_screen_reset(s->vs, 1);
    return s;
}

void hk_screen_free(struct hk_screen *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->sb_count; i++)
        free(sb_at(s, i)->cells);
    free(s->sb);
    free(s->scratch);
    free(s->fed);
    vterm_free(s->vt);
    free(s);
}

/* Two fuzz findings in libvterm 0.3, kept from it here:
 * - a CSI sequence with more than 16 parameters (ESC [ and seventeen ':')
 *   writes past its argument array: the parameters past the 16th are left
 *   out, as a terminal ignores those it has no room for;
 * - REP (ESC [ b) before a character with a width was ever shown loops for
 *   ever, REP of a wide character at the right edge writes past the row,
 *   and REP after a broken UTF-8 sequence takes seconds per byte: honk does
 *   REP itself, when the character it repeats is ASCII (as ncurses uses it),
 *   as that character written again, at most a screenful of times; the
 *   sequence itself becomes an ESC [ ~, which does nothing.
 * This follows libvterm's parser as far as that needs: ESC stays pending
 * across C0, intermediates, DEL and bytes >= 0x80; ESC [ starts a CSI, in
 * which digits, ';' and ':' are parameters until an intermediate or a byte
 * >= 0x80, and which a final byte ends; ESC ] P _ ^ X start a string that
 * BEL or ESC ends. The state goes from feed to feed. */
#define CSI_MAX_SEPARATORS 15

static bool seq_esc_goes_on(unsigned char c)
{
    return (c < 0x20 && c != 0x18 && c != 0x1a) || (c >= 0x20 && c <= 0x2f) || c >= 0x7f;
}

/* Only a final byte, CAN or SUB ends a CSI here: ending it later than
 * libvterm does only misses a character shown, never counts one too many. */
static bool csi_ends(unsigned char c)
{
    return (c >= 0x40 && c <= 0x7e) || c == 0x18 || c == 0x1a;
}

/* Characters surely one or two columns wide: ASCII and the common scripts,
 * symbols, box drawing, CJK and emoji, without their combining blocks. Any
 * other counts as not shown, which at worst drops a repeat of it. */
static bool has_width(uint32_t cp)
{
    static const uint32_t ranges[][2] = {
        {0x20, 0x7e},       {0xa0, 0x2ff},      {0x370, 0x482},     {0x48a, 0x52f},
        {0x2010, 0x2027},   {0x2030, 0x205e},   {0x2100, 0x2bff},   {0x3000, 0x3029},
        {0x3030, 0x3098},   {0x309b, 0x9fff},   {0xac00, 0xd7a3},   {0xff01, 0xff60},
        {0x1f300, 0x1f3fa}, {0x1f400, 0x1faff},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
        if (cp >= ranges[i][0] && cp <= ranges[i][1])
            return true;
    return false;
}

/* Follows the UTF-8 text to know when a character with a width was shown. */
static void note_text(struct hk_screen *s, unsigned char c)
{
    if (c < 0x20 || c == 0x7f)
        return; /* libvterm goes on with a UTF-8 character across controls */
    if (c < 0x80 || c >= 0xf5 || (c >= 0xc0 && c < 0xc2)) {
        s->cp_need = 0;
        if (c < 0x80 && has_width(c)) {
            s->printed = true; /* a broken byte may show nothing */
            s->last_ascii = (char)c;
        }
    } else if (c >= 0xc0) {
        s->cp_need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
        s->cp = c & (c >= 0xf0 ? 0x07 : c >= 0xe0 ? 0x0f : 0x1f);
    } else if (s->cp_need > 0) {
        s->cp = s->cp << 6 | (c & 0x3f);
        if (--s->cp_need == 0 && has_width(s->cp))
            s->printed = false; /* maybe wide: not repeated */
    }
}

static void put_fed(struct hk_screen *s, char c)
{
    if (s->fed_len == s->fed_cap) {
        s->fed_cap = s->fed_cap ? 2 * s->fed_cap : 256;
        s->fed = hk_xrealloc(s->fed, s->fed_cap);
    }
    s->fed[s->fed_len++] = c;
}

/* REP's count of the last ASCII character, as text: a screenful at most,
 * beyond which repeating shows nothing more. */
static void repeat_last(struct hk_screen *s)
{
    long n = s->seq_param > 0 ? s->seq_param : 1, most = (long)s->rows * s->cols;
    for (long i = 0; i < n && i < most; i++)
        put_fed(s, s->last_ascii);
}

/* Returns the byte to pass on, or -1 to leave it out. */
static int filter_byte(struct hk_screen *s, unsigned char c)
{
    if (c == 0x1b) {
        s->seq = SEQ_ESC;
    } else if (s->seq == SEQ_ESC && !seq_esc_goes_on(c)) {
        s->seq = c == '[' ? SEQ_CSI : strchr("]P_^X", c) ? SEQ_STRING : SEQ_TEXT;
        s->seq_seps = 0;
        s->seq_counting = true;
        s->seq_plain = true;
        s->seq_param = 0;
    } else if (s->seq == SEQ_CSI && s->seq_counting && c >= 0x30 && c <= 0x3b) {
        if (c <= '9' && s->seq_seps == 0 && s->seq_param < 1000000)
            s->seq_param = s->seq_param * 10 + (c - '0');
        s->seq_seps += c == ';' || c == ':';
        if (s->seq_seps > CSI_MAX_SEPARATORS)
            return -1;
    } else if (s->seq == SEQ_CSI && csi_ends(c)) {
        s->seq = SEQ_TEXT;
        if (c == 'b' && s->seq_plain && s->printed) {
            put_fed(s, '~');
            repeat_last(s);
            return -1;
        }
        if (c == 'b' && !s->printed)
            return '~';
    } else if (s->seq == SEQ_CSI && c >= 0x3c && c <= 0x3f) {
        s->seq_plain = false; /* a private marker */
    } else if (s->seq == SEQ_CSI && ((c >= 0x20 && c <= 0x2f) || c >= 0x80)) {
        s->seq_counting = false; /* intermediates: no more parameters */
        s->seq_plain = false;
    } else if (s->seq == SEQ_STRING && (c == 0x07 || c == 0x18 || c == 0x1a)) {
        s->seq = SEQ_TEXT;
    } else if (s->seq == SEQ_TEXT) {
        note_text(s, c);
    }
    return c;
}

void hk_screen_feed(struct hk_screen *s, const char *bytes, size_t len)
{
    s->fed_len = 0;
    for (size_t i = 0; i < len; i++) {
        int c = filter_byte(s, (unsigned char)bytes[i]);
        if (c >= 0)
            put_fed(s, (char)c);
    }
    vterm_input_write(s->vt, s->fed, s->fed_len);
    vterm_screen_flush_damage(s->vs);
}

/* libvterm keeps a scroll region set beyond a screen that then shrinks and
 * scrolls it with a negative size (a fuzz finding). The region goes back to
 * the whole screen, the cursor stays where it was, as a program redraws
 * after SIGWINCH anyway. */
static void reset_scroll_region(struct hk_screen *s)
{
    VTermPos pos;
    vterm_state_get_cursorpos(vterm_obtain_state(s->vt), &pos);
    char seq[48];
    int n = snprintf(seq, sizeof seq, "\033[r\033[%d;%dH", clamp(pos.row, 0, s->rows - 1) + 1,
                     clamp(pos.col, 0, s->cols - 1) + 1);
    vterm_input_write(s->vt, seq, (size_t)n);
}

void hk_screen_resize(struct hk_screen *s, int rows, int cols)
{
    if (rows <= 0 || cols <= 0)
        return;
    if (cols < HK_SCREEN_MIN_COLS)
        cols = HK_SCREEN_MIN_COLS;
    if (rows == s->rows && cols == s->cols)
        return;
    bool fewer_rows = rows < s->rows;
    s->rows = rows;
    s->cols = cols;
    vterm_set_size(s->vt, rows, cols);
    if (fewer_rows)
        reset_scroll_region(s);
    vterm_screen_flush_damage(s->vs);
    s->dirty = true;
}

bool hk_screen_take_dirty(struct hk_screen *s)
{
    bool dirty = s->dirty;
    s->dirty = false;
    return dirty;
}

int hk_screen_rows(const struct hk_screen *s)
{
    return s->rows;
}

int hk_screen_cols(const struct hk_screen *s)
{
    return s->cols;
}

int hk_screen_scrollback(const struct hk_screen *s)
{
    return s->sb_count;
}

long hk_screen_dropped(const struct hk_screen *s)
{
    return s->dropped;
}

void hk_screen_cursor(const struct hk_screen *s, int *row, int *col, bool *visible)
{
    /* libvterm leaves the cursor at row -1 when a scroll region set beyond
     * the screen meets a resize (a fuzz finding): report a cell on the screen. */
    if (row)
        *row = clamp(s->cur_row, 0, s->rows - 1);
    if (col)
        *col = clamp(s->cur_col, 0, s->cols - 1);
    if (visible)
        *visible = s->cur_visible;
}

/* --- reading ---------------------------------------------------------- */

int hk_screen_row(const struct hk_screen *s, int row, struct hk_cell *cells, int max)
{
    if (row < 0 || row >= s->sb_count + s->rows)
        return -1;
    if (row < s->sb_count) {
        const struct sb_line *line = sb_at(s, row);
        int n = line->len < max ? line->len : max;
        memcpy(cells, line->cells, (size_t)(n > 0 ? n : 0) * sizeof *cells);
        return n;
    }
    int n = s->cols < max ? s->cols : max;
    for (int col = 0; col < n; col++) {
        VTermScreenCell vc;
        VTermPos pos = {.row = row - s->sb_count, .col = col};
        vterm_screen_get_cell(s->vs, pos, &vc);
        cells[col] = from_vterm_cell(&vc);
    }
    return trimmed_len(cells, n);
}

static size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF)
        return utf8_encode(0xFFFD, out);
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t hk_cell_utf8(const struct hk_cell *c, char out[HK_CELL_UTF8_MAX])
{
    size_t len = 0;
    for (int i = 0; c->width != 0 && i < HK_CELL_MAX_CHARS && c->chars[i]; i++)
        len += utf8_encode(c->chars[i], out + len);
    out[len] = '\0';
    return len;
}

/* Appends the text of one row, trailing blanks trimmed. */
static void row_text(const struct hk_screen *s, int row, struct hk_cell *cells, int max,
                     struct hk_buf *out)
{
    int n = hk_screen_row(s, row, cells, max);
    size_t start = out->len;
    for (int i = 0; i < n; i++) {
        char u[HK_CELL_UTF8_MAX];
        if (cells[i].width == 0)
            continue;
        if (hk_cell_utf8(&cells[i], u) == 0)
            hk_buf_addc(out, ' ');
        else
            hk_buf_adds(out, u);
    }
    while (out->len > start && out->data[out->len - 1] == ' ')
        out->data[--out->len] = '\0';
}

static int widest_row(const struct hk_screen *s)
{
    int widest = s->cols;
    for (int i = 0; i < s->sb_count; i++)
        if (sb_at(s, i)->len > widest)
            widest = sb_at(s, i)->len;
    return widest;
}

/* Keeps the end of a line that alone exceeds the byte cap, cut at a
 * character boundary. */
static char *line_tail(const char *line, size_t len, size_t max_bytes)
{
    const char *p = line + (len - max_bytes);
    while (*p && ((unsigned char)*p & 0xC0) == 0x80)
        p++;
    return hk_xstrdup(p);
}

/* Renders rows one at a time into a reused buffer. */
struct row_reader {
    const struct hk_screen *s;
    struct hk_cell *cells;
    int max;
    struct hk_buf line;
};

static const struct hk_buf *read_row(struct row_reader *rr, int row)
{
    hk_buf_clear(&rr->line);
    row_text(rr->s, row, rr->cells, rr->max, &rr->line);
    return &rr->line;
}

static int last_nonempty_row(struct row_reader *rr)
{
    int last = rr->s->sb_count + rr->s->rows - 1;
    while (last >= 0 && read_row(rr, last)->len == 0)
        last--;
    return last;
}

/* Collects rows upwards from `last` within the caps, newest first. */
static char **collect_rows(struct row_reader *rr, int last, int max_lines, size_t max_bytes,
                           int *count)
{
    char **lines = NULL;
    int n = 0;
    size_t bytes = 0;
    for (int row = last; row >= 0 && (max_lines <= 0 || n < max_lines); row--) {
        const struct hk_buf *line = read_row(rr, row);
        bool too_big = max_bytes && bytes + line->len + 1 > max_bytes;
        if (too_big && n > 0)
            break;
        lines = hk_xrealloc(lines, (size_t)(n + 1) * sizeof *lines);
        lines[n++] = too_big ? line_tail(line->data, line->len, max_bytes - 1)
                             : hk_xstrdup(line->len ? line->data : "");
        bytes += line->len + 1;
        if (too_big)
            break;
    }
    *count = n;
    return lines;
}

char *hk_screen_text(const struct hk_screen *s, int max_lines, size_t max_bytes)
{
    struct row_reader rr = {.s = s, .max = widest_row(s)};
    rr.cells = hk_xmalloc((size_t)rr.max * sizeof *rr.cells);
    int last = last_nonempty_row(&rr);
    int n;
    char **lines = collect_rows(&rr, last, max_lines, max_bytes, &n);
    struct hk_buf text = {0};
    long cut = s->dropped + (last + 1 - n);
    if (cut > 0)
        hk_buf_printf(&text, "[%ld earlier lines cut]\n", cut);
    for (int i = n - 1; i >= 0; i--) {
        hk_buf_adds(&text, lines[i]);
        hk_buf_addc(&text, '\n');
        free(lines[i]);
    }
    free(lines);
    free(rr.cells);
    hk_buf_free(&rr.line);
    return hk_buf_steal(&text);
}
