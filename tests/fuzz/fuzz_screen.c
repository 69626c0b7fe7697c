/* Fuzzes the runner's screen (backend/runner_screen.c over libvterm): bytes
 * fed to a screen of a size taken from the input, resized along the way
 * (sizes below the minimum included: the screen must raise them), read back
 * as cells, cursor and text after each piece.
 * Input: [rows][cols][scrollback][bytes...], where the two bytes 0xFF 0xFE
 * followed by rows and cols resize the screen instead of being fed. */
#include "fuzz.h"
#include "runner_screen.h"

static void on_reply(const char *bytes, size_t len, void *data)
{
    FZ_ASSERT(bytes || !len, "a reply without bytes");
    *(size_t *)data += len;
}

static void check_screen(const struct hk_screen *s)
{
    int rows = hk_screen_rows(s), cols = hk_screen_cols(s);
    FZ_ASSERT(rows > 0 && cols >= HK_SCREEN_MIN_COLS, "a %dx%d screen", rows, cols);
    int row, col;
    bool visible;
    hk_screen_cursor(s, &row, &col, &visible);
    FZ_ASSERT(row >= 0 && row < rows && col >= 0 && col < cols, "cursor at %d,%d on %dx%d", row,
              col, rows, cols);
    struct hk_cell cells[256];
    int total = hk_screen_scrollback(s) + rows;
    for (int r = 0; r < total; r++) {
        int n = hk_screen_row(s, r, cells, 256);
        FZ_ASSERT(n >= 0 && n <= 256, "row %d gave %d cells", r, n);
        for (int i = 0; i < n; i++) {
            char u[HK_CELL_UTF8_MAX];
            FZ_ASSERT(cells[i].width <= 2, "cell width %d", cells[i].width);
            hk_cell_utf8(&cells[i], u);
        }
    }
    FZ_ASSERT(hk_screen_row(s, total, cells, 256) == -1, "a row past the end");
}

static void check_text(const struct hk_screen *s, int max_lines, size_t max_bytes)
{
    char *text = hk_screen_text(s, max_lines, max_bytes);
    FZ_ASSERT(text, "no text");
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    /* The kept lines, and one "[N earlier lines cut]" above them. */
    FZ_ASSERT(max_lines <= 0 || lines <= max_lines + 1, "%d lines for a cap of %d", lines, max_lines);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    size_t replied = 0;
    struct hk_screen *s = hk_screen_new(data[0] % 64, data[1] % 200, data[2] % 50, on_reply, &replied);
    check_screen(s);
    size_t at = 3, start = 3;
    while (at <= size) {
        int resize = at + 3 < size && data[at] == 0xFF && data[at + 1] == 0xFE;
        if (at < size && !resize) {
            at++;
            continue;
        }
        hk_screen_feed(s, (const char *)data + start, at - start);
        check_screen(s);
        if (!resize)
            break;
        hk_screen_resize(s, data[at + 2] % 64, data[at + 3] % 200);
        check_screen(s);
        at += 4;
        start = at;
    }
    hk_screen_take_dirty(s);
    check_text(s, 0, 0);
    check_text(s, data[0] % 7, data[1] % 100);
    hk_screen_free(s);
    return 0;
}
