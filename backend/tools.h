/* The tools honk offers the model: their JSON Schema definitions, and the
 * ones that only read (read_file, list_files, search), executed inside the
 * task's worktree. Edits go through the patch engine and commands through
 * the runner; the session drives those. */
#ifndef HK_TOOLS_H
#define HK_TOOLS_H

#include "model.h"

#include <cJSON.h>

enum hk_tool_kind {
    HK_TOOL_READ,    /* answered at once */
    HK_TOOL_EDIT,    /* becomes a proposal */
    HK_TOOL_TESTS,   /* runs the configured test command */
    HK_TOOL_COMMAND, /* runs a shell command after approval */
    HK_TOOL_UNKNOWN,
};

/* Adds every tool's definition to the conversation. */
void hk_tools_define(struct hk_conversation *conv);
enum hk_tool_kind hk_tool_kind(const char *name);

/* Runs a reading tool in root. Returns 0 with the result text, or -1 with
 * an error text for the model; either way *out is set (caller frees). */
int hk_tool_read(const char *root, const char *name, const cJSON *input, char **out);

/* A one-line summary of a call for people: `read_file src/a.c:10-40`. */
char *hk_tool_summary(const char *name, const cJSON *input);
/* A tool's result in a few words for people ("52 lines", "3 matches",
 * "12 files"); an error or another tool's result gives its first line. */
char *hk_tool_result_summary(const char *name, const char *content, int ok);

#endif
