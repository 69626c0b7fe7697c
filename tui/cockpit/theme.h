/* Named colour slots: drawing code asks for a slot, a theme file (git-config
 * format, themes/NAME.theme) maps slots to colours and attributes. */
#ifndef HK_THEME_H
#define HK_THEME_H

#include <curses.h>
#include <stdbool.h>

struct hk_config;

/* X(ID, "name", "attr without colour"). The colours of the default theme
 * are themes/dark.theme itself, compiled in (scripts/theme-to-c). */
#define TH_SLOTS(X)                                           \
    X(NORMAL, "normal", "")                                   \
    X(BORDER, "border", "")                                   \
    X(TITLE, "title", "reverse")                              \
    X(TITLE_FOCUS, "title-focus", "bold,reverse")             \
    X(STATUS, "status", "reverse")                            \
    X(INPUT, "input", "")                                     \
    X(PROMPT, "prompt", "bold")                               \
    X(SELECTED, "selected", "reverse")                        \
    X(SEARCH_MATCH, "search-match", "reverse")                \
    X(USER, "user", "bold")                                   \
    X(ASSISTANT, "assistant", "")                             \
    X(CODE, "code", "dim")                                    \
    X(TOOL, "tool", "")                                       \
    X(TOOL_FAIL, "tool-fail", "underline")                    \
    X(INFO, "info", "dim")                                    \
    X(ERROR, "error", "bold,reverse")                         \
    X(RETRY, "retry", "underline")                            \
    X(DIFF_FILE, "diff-file", "bold")                         \
    X(DIFF_HUNK, "diff-hunk", "dim")                          \
    X(DIFF_ADD, "diff-add", "bold")                           \
    X(DIFF_DEL, "diff-delete", "underline")                   \
    X(DIFF_CONTEXT, "diff-context", "")                       \
    X(DIFF_WORD_ADD, "diff-word-add", "bold,reverse")         \
    X(DIFF_WORD_DEL, "diff-word-delete", "underline,reverse") \
    X(DIFF_LINENO, "diff-lineno", "dim")                      \
    X(HUNK_APPROVED, "hunk-approved", "bold")                 \
    X(HUNK_REJECTED, "hunk-rejected", "bold,underline")       \
    X(HUNK_EDITED, "hunk-edited", "bold")                     \
    X(HUNK_PENDING, "hunk-pending", "")                       \
    X(TEST_HEADER, "test-header", "bold")                     \
    X(SPINNER, "spinner", "bold")                             \
    X(STAGE_PENDING, "stage-pending", "dim")                  \
    X(STAGE_RUNNING, "stage-running", "bold")                 \
    X(STAGE_PASSED, "stage-passed", "")                       \
    X(STAGE_FAILED, "stage-failed", "bold,underline")         \
    X(STAGE_SKIPPED, "stage-skipped", "dim")                  \
    X(NOTICE, "notice", "bold")

enum th_slot {
#define TH_ENUM(id, name, mono) TH_##id,
    TH_SLOTS(TH_ENUM)
#undef TH_ENUM
        TH_COUNT
};

/* How many colours the terminal gets. */
enum th_depth { TH_MONO, TH_8, TH_256, TH_DIRECT };

/* Finds and reads the theme (NULL: honk.theme from cfg, else "dark") and
 * sets up colour pairs; call after initscr. no_color forces attributes
 * only (NO_COLOR in the environment does too). Returns 0, or -1 with *err
 * set (the built-in colours are used then). */
int hk_theme_load(const char *name, struct hk_config *cfg, bool no_color, char **err);

/* The curses attributes and pair for a slot. */
void hk_theme_attr(enum th_slot slot, attr_t *attrs, int *pair);
/* Sets the window's drawing attributes to the slot's. */
void hk_theme_set(WINDOW *w, enum th_slot slot);
enum th_depth hk_theme_depth(void);

/* A terminal colour (from runner cells) mapped to what the terminal has:
 * kind 0 default, 1 indexed (index), 2 rgb. -1 means the default colour. */
int hk_theme_map_color(int kind, int index, int r, int g, int b);
/* A pair for two mapped colours (cached by ncurses' alloc_pair). */
int hk_theme_pair(int fg, int bg);

/* The directories searched for NAME.theme, for messages. */
const char *hk_theme_search_path(void);

#endif
