/* Named colour slots: drawing code asks for a slot, a theme file (git-config
 * format, themes/NAME.theme) maps slots to colours and attributes. */
#ifndef HK_THEME_H
#define HK_THEME_H

#include <curses.h>
#include <stdbool.h>

struct hk_config;

/* X(ID, "name", "dark fg", "dark bg", "attr", "attr without colour") */
#define TH_SLOTS(X)                                                                  \
    X(NORMAL, "normal", "default", "default", "", "")                                \
    X(BORDER, "border", "244", "default", "", "")                                    \
    X(TITLE, "title", "252", "236", "bold", "reverse")                               \
    X(TITLE_FOCUS, "title-focus", "black", "cyan", "bold", "bold,reverse")           \
    X(STATUS, "status", "252", "238", "", "reverse")                                 \
    X(INPUT, "input", "default", "default", "", "")                                  \
    X(PROMPT, "prompt", "cyan", "default", "bold", "bold")                           \
    X(SELECTED, "selected", "default", "237", "", "reverse")                         \
    X(SEARCH_MATCH, "search-match", "black", "yellow", "", "reverse")               \
    X(USER, "user", "cyan", "default", "bold", "bold")                               \
    X(ASSISTANT, "assistant", "default", "default", "", "")                          \
    X(CODE, "code", "180", "235", "", "dim")                                         \
    X(TOOL, "tool", "110", "default", "", "")                                        \
    X(TOOL_FAIL, "tool-fail", "167", "default", "", "underline")                     \
    X(INFO, "info", "245", "default", "", "dim")                                     \
    X(ERROR, "error", "white", "red", "bold", "bold,reverse")                        \
    X(RETRY, "retry", "yellow", "default", "", "underline")                          \
    X(DIFF_FILE, "diff-file", "white", "default", "bold", "bold")                    \
    X(DIFF_HUNK, "diff-hunk", "cyan", "default", "", "dim")                          \
    X(DIFF_ADD, "diff-add", "green", "default", "", "bold")                          \
    X(DIFF_DEL, "diff-delete", "red", "default", "", "underline")                    \
    X(DIFF_CONTEXT, "diff-context", "default", "default", "", "")                    \
    X(DIFF_WORD_ADD, "diff-word-add", "black", "green", "", "bold,reverse")          \
    X(DIFF_WORD_DEL, "diff-word-delete", "black", "red", "", "underline,reverse")    \
    X(DIFF_LINENO, "diff-lineno", "242", "default", "", "dim")                       \
    X(HUNK_APPROVED, "hunk-approved", "green", "default", "bold", "bold")             \
    X(HUNK_REJECTED, "hunk-rejected", "red", "default", "bold", "bold,underline")    \
    X(HUNK_EDITED, "hunk-edited", "magenta", "default", "bold", "bold")              \
    X(HUNK_PENDING, "hunk-pending", "yellow", "default", "", "")                     \
    X(TEST_HEADER, "test-header", "252", "default", "bold", "bold")                  \
    X(SPINNER, "spinner", "cyan", "default", "bold", "bold")                         \
    X(STAGE_PENDING, "stage-pending", "244", "default", "", "dim")                   \
    X(STAGE_RUNNING, "stage-running", "cyan", "default", "bold", "bold")             \
    X(STAGE_PASSED, "stage-passed", "green", "default", "", "")                      \
    X(STAGE_FAILED, "stage-failed", "red", "default", "bold", "bold,underline")      \
    X(STAGE_SKIPPED, "stage-skipped", "244", "default", "", "dim")                   \
    X(NOTICE, "notice", "yellow", "default", "bold", "bold")

enum th_slot {
#define TH_ENUM(id, name, fg, bg, attr, mono) TH_##id,
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
