/* The session journal: every event as one JSON line in
 * .git/honk/sessions/<id>.jsonl, written before the event takes effect and
 * fsynced at state changes, so a killed honk can resume and others follow. */
#ifndef HK_JOURNAL_H
#define HK_JOURNAL_H

#include "price.h"
#include "event.h"

#include <stdint.h>

struct hk_journal;

/* Opens (creating directories as needed) the journal of session id for
 * appending. NULL with *err on failure. */
struct hk_journal *hk_journal_open(const char *gitdir, const char *id, char **err);
void hk_journal_close(struct hk_journal *j);
/* Appends the event; fsyncs when sync is set. -1 with *err on failure. */
int hk_journal_append(struct hk_journal *j, const struct hk_event *ev, int sync, char **err);

char *hk_journal_path(const char *gitdir, const char *id);

/* Calls cb for each event of the journal file in order. A torn last line (a
 * crash mid-write) is skipped; so is any line that is not an event. Returns
 * the number of events read, or -1 with *err when the file cannot be read. */
int hk_journal_read(const char *path, hk_event_cb cb, void *user, char **err);

/* One line per session for `honk log`. */
struct hk_session_info {
    char *id;
    char *task;
    char *state;
    char *branch;
    int64_t started_ms;
    int64_t updated_ms;
    struct hk_usage_total usage; /* tokens and cost, from its turn_end events */
};

/* Every session under gitdir, newest first. */
int hk_journal_list(const char *gitdir, struct hk_session_info **out, size_t *count, char **err);
void hk_session_info_free(struct hk_session_info *infos, size_t count);

#endif
