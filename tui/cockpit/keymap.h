/* Every cockpit action declared once (id, scope, default keys, help text):
 * the table that dispatches keys also makes the help screen and reads
 * `git config honk.bind.<action> <keys>` overrides. */
#ifndef HK_KEYMAP_H
#define HK_KEYMAP_H

#include <stdbool.h>

struct hk_config;

/* Where an action applies. The focused pane's own scope is tried first, then
 * the shared pane scope, then the global one. */
enum km_scope { KM_GLOBAL, KM_PANE, KM_CHAT, KM_DIFF, KM_TESTS, KM_DEPLOY, KM_INHELP, KM_SCOPES };

/* X(ID, "name", scope, "default keys, space-separated; a chord joined by +", "help") */
#define KM_ACTIONS(X)                                                                        \
    X(FOCUS_NEXT, "focus-next", KM_GLOBAL, "Tab", "focus the next pane")                     \
    X(FOCUS_PREV, "focus-prev", KM_GLOBAL, "S-Tab", "focus the previous pane")               \
    X(FOCUS_CHAT, "focus-chat", KM_GLOBAL, "1 M-1", "focus the Chat pane")                   \
    X(FOCUS_DIFF, "focus-diff", KM_GLOBAL, "2 M-2", "focus the Diff pane")                   \
    X(FOCUS_TESTS, "focus-tests", KM_GLOBAL, "3 M-3", "focus the Tests pane")                \
    X(FOCUS_DEPLOY, "focus-deploy", KM_GLOBAL, "4 M-4", "focus the Deploy pane")             \
    X(ZOOM, "zoom", KM_GLOBAL, "z M-z", "zoom the focused pane (again: back)")               \
    X(HELP, "help", KM_GLOBAL, "? F1", "show every key binding")                             \
    X(INTERRUPT, "interrupt", KM_GLOBAL, "Esc", "interrupt the model")                       \
    X(QUIT, "quit", KM_GLOBAL, "q C-q", "quit honk")                                         \
    X(DETACH, "detach", KM_GLOBAL, "M-d", "leave with the session running on")               \
    X(COMMIT, "commit", KM_GLOBAL, "c", "commit the reviewed change")                        \
    X(COMMIT_EDIT, "commit-edit", KM_GLOBAL, "E", "edit the commit message, then commit")    \
    X(ALLOW, "allow", KM_GLOBAL, "y", "allow the command the model asks to run")             \
    X(DENY, "deny", KM_GLOBAL, "x", "refuse the command the model asks to run")              \
    X(LINE_DOWN, "line-down", KM_PANE, "j Down", "move down one line")                       \
    X(LINE_UP, "line-up", KM_PANE, "k Up", "move up one line")                               \
    X(PAGE_DOWN, "page-down", KM_PANE, "PgDn Space", "move down one page")                   \
    X(PAGE_UP, "page-up", KM_PANE, "PgUp", "move up one page")                               \
    X(TOP, "top", KM_PANE, "g Home", "go to the top")                                        \
    X(BOTTOM, "bottom", KM_PANE, "G End", "go to the bottom and follow new output")          \
    X(SEARCH, "search", KM_PANE, "/ M-/ C-s", "search for text (M-/, C-s also in Chat)")  \
    X(SEARCH_NEXT, "search-next", KM_PANE, "F3 C-n", "find the next match")                  \
    X(SEARCH_PREV, "search-prev", KM_PANE, "S-F3 C-p", "find the previous match")            \
    X(SEND, "send", KM_CHAT, "Enter", "send the message (empty: expand the tool entry)")     \
    X(NEWLINE, "newline", KM_CHAT, "M-Enter", "insert a line break in the message")          \
    X(HISTORY_PREV, "history-prev", KM_CHAT, "Up", "previous message from the history")      \
    X(HISTORY_NEXT, "history-next", KM_CHAT, "Down", "next message from the history")        \
    X(TOOL_PREV, "tool-prev", KM_CHAT, "M-Up", "select the previous tool entry")             \
    X(TOOL_NEXT, "tool-next", KM_CHAT, "M-Down", "select the next tool entry")               \
    X(EDITOR, "editor", KM_CHAT, "C-x+C-e", "edit the message in $EDITOR")                   \
    X(NEXT_HUNK, "next-hunk", KM_DIFF, "n", "go to the next hunk")                           \
    X(PREV_HUNK, "prev-hunk", KM_DIFF, "N", "go to the previous hunk")                       \
    X(APPROVE_HUNK, "approve-hunk", KM_DIFF, "a", "approve the hunk")                        \
    X(REJECT_HUNK, "reject-hunk", KM_DIFF, "r", "reject the hunk (asks for a reason)")       \
    X(APPROVE_ALL, "approve-all", KM_DIFF, "A", "approve the whole proposal")                \
    X(REJECT_ALL, "reject-all", KM_DIFF, "R", "reject the whole proposal (asks why)")        \
    X(EDIT_HUNK, "edit-hunk", KM_DIFF, "e", "edit the hunk in $EDITOR")                      \
    X(SIDE_BY_SIDE, "side-by-side", KM_DIFF, "s", "toggle side-by-side view")                \
    X(SCROLL_LEFT, "scroll-left", KM_DIFF, "Left h", "scroll the lines' text half a width left") \
    X(SCROLL_RIGHT, "scroll-right", KM_DIFF, "Right l", "scroll the lines' text half a width right") \
    X(UNDO, "undo", KM_DIFF, "u", "undo the last decision")                                  \
    X(PREV_PROPOSAL, "prev-proposal", KM_DIFF, "[", "show the session's previous proposal")  \
    X(NEXT_PROPOSAL, "next-proposal", KM_DIFF, "]", "show the session's next proposal")      \
    X(STAGE_NEXT, "stage-next", KM_DEPLOY, "j Down", "select the next stage")                \
    X(STAGE_PREV, "stage-prev", KM_DEPLOY, "k Up", "select the previous stage")              \
    X(STAGE_LOG, "stage-log", KM_DEPLOY, "Enter", "show or hide the stage's log")            \
    X(DEPLOY_APPROVE, "deploy-approve", KM_GLOBAL, "D", "approve the deploy that waits")     \
    X(DEPLOY_CANCEL, "deploy-cancel", KM_GLOBAL, "C", "skip the deploy that waits")          \
    X(HELP_CLOSE, "help-close", KM_INHELP, "q Esc ?", "close the help")

enum km_action {
    KM_NONE = 0,
#define KM_ENUM(id, name, scope, keys, help) KM_##id,
    KM_ACTIONS(KM_ENUM)
#undef KM_ENUM
        KM_COUNT
};

/* A key: a Unicode code point, or KM_FN | an ncurses KEY_* code; KM_META
 * marks Alt/Escape-prefixed keys. */
#define KM_FN (1 << 22)
#define KM_META (1 << 23)
#define KM_MAX_BINDINGS 4

struct km_binding {
    int key[2]; /* key[1] != 0: a two-key chord such as C-x C-e */
};

struct km_action_info {
    const char *name;
    enum km_scope scope;
    const char *help;
    struct km_binding keys[KM_MAX_BINDINGS];
    int nkeys;
};

/* The defaults, then `honk.bind.<action>` from cfg (may be NULL). Unknown
 * actions or key names are reported in *warning (caller frees) and skipped. */
void hk_keymap_init(struct hk_config *cfg, char **warning);
const struct km_action_info *hk_keymap_info(enum km_action a);

/* The action for key (or chord prefix+key) in scope; KM_NONE if unbound.
 * *is_prefix is set when key starts a chord in that scope. */
enum km_action hk_keymap_lookup(enum km_scope scope, int prefix, int key, bool *is_prefix);

/* Parses a key name ("a", "C-x", "M-Enter", "PgUp", "S-Tab", "F1"); -1 if unknown. */
int hk_keymap_parse_key(const char *name);
/* Writes a key's name into buf. */
void hk_keymap_key_name(int key, char *buf, int size);
/* The bindings of an action as text, "a, Enter". */
void hk_keymap_keys_text(enum km_action a, char *buf, int size);
const char *hk_keymap_scope_name(enum km_scope s);

#endif
