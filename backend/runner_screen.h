/* A rendering-neutral terminal screen: libvterm parses the bytes inside,
 * callers see rows of plain cells (code points, width, colours, attributes),
 * a bounded scrollback and a plain-text rendering. No libvterm types leak out,
 * so the cockpit can draw it without including libvterm. */
#ifndef HK_RUNNER_SCREEN_H
#define HK_RUNNER_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hk_color_kind { HK_COLOR_DEFAULT, HK_COLOR_INDEXED, HK_COLOR_RGB };

/* Indexed colours stay indexed (0-255) so a front end can map them to its
 * terminal's palette or its theme; r, g, b are valid only for HK_COLOR_RGB. */
struct hk_color {
    uint8_t kind;
    uint8_t index;
    uint8_t r, g, b;
};

enum {
    HK_ATTR_BOLD = 1 << 0,
    HK_ATTR_UNDERLINE = 1 << 1,
    HK_ATTR_ITALIC = 1 << 2,
    HK_ATTR_REVERSE = 1 << 3,
    HK_ATTR_STRIKE = 1 << 4,
    HK_ATTR_BLINK = 1 << 5,
};

#define HK_CELL_MAX_CHARS 6
/* Enough for HK_CELL_MAX_CHARS code points of 4 bytes and a NUL. */
#define HK_CELL_UTF8_MAX 25

struct hk_cell {
    /* chars[0] is the code point (0 for an empty cell), the rest combining
     * characters; the array ends at the first 0 if shorter. */
    uint32_t chars[HK_CELL_MAX_CHARS];
    uint8_t width; /* 1, 2 for a wide char, 0 for the right half of one */
    uint8_t attrs; /* HK_ATTR_* bits */
    struct hk_color fg, bg;
};

struct hk_screen;

/* The narrowest screen: libvterm writes out of bounds when a wide character
 * meets a 1-column screen, so every size asked for is raised to this. */
#define HK_SCREEN_MIN_COLS 2

/* Bytes the terminal answers with (cursor position reports and the like),
 * to be written back to the program. */
typedef void (*hk_screen_reply_cb)(const char *bytes, size_t len, void *data);

/* rows or cols <= 0 take 24x80; cols below HK_SCREEN_MIN_COLS are raised. */
struct hk_screen *hk_screen_new(int rows, int cols, int scrollback_cap,
                                hk_screen_reply_cb reply, void *data);
void hk_screen_free(struct hk_screen *s);

void hk_screen_feed(struct hk_screen *s, const char *bytes, size_t len);
/* Sizes <= 0 are ignored; cols below HK_SCREEN_MIN_COLS are raised. */
void hk_screen_resize(struct hk_screen *s, int rows, int cols);
/* True if anything changed since the last call; clears the flag. */
bool hk_screen_take_dirty(struct hk_screen *s);

int hk_screen_rows(const struct hk_screen *s);
int hk_screen_cols(const struct hk_screen *s);
/* Lines kept above the screen, and lines dropped because the cap was hit. */
int hk_screen_scrollback(const struct hk_screen *s);
long hk_screen_dropped(const struct hk_screen *s);

/* Reads row `row`: 0 .. scrollback-1 are scrollback lines, oldest first;
 * scrollback + i is screen row i. Fills at most max cells and returns how
 * many it filled: trailing blank cells are left out, the rest of the row is
 * blank. Returns -1 for a row out of range. */
int hk_screen_row(const struct hk_screen *s, int row, struct hk_cell *cells, int max);

/* Cursor position on the screen (not counting scrollback) and visibility. */
void hk_screen_cursor(const struct hk_screen *s, int *row, int *col, bool *visible);

/* The cell's characters as NUL-terminated UTF-8; "" for an empty cell or the
 * right half of a wide one. Returns the length. */
size_t hk_cell_utf8(const struct hk_cell *c, char out[HK_CELL_UTF8_MAX]);

/* The rendered text of scrollback and screen: one line per row, trailing
 * blanks trimmed, trailing empty rows dropped. Keeps the last max_lines
 * lines (0: all) within max_bytes (0: no limit); if anything was cut at the
 * top, the text starts with a line "[N earlier lines cut]". Caller frees. */
char *hk_screen_text(const struct hk_screen *s, int max_lines, size_t max_bytes);

#endif
