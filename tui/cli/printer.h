/* Session events as text for people (the progress of `honk run`, the
 * transcript of `honk show`) or as JSON lines (`--json`). */
#ifndef HK_PRINTER_H
#define HK_PRINTER_H

#include "event.h"
#include "price.h"

#include <stdio.h>

struct hk_printer {
    FILE *out;
    int in_text;  /* the model's text is mid-line */
    int verbose;  /* tool results and test output in full */
    struct hk_usage_total usage; /* summed from turn_end, for hk_printer_usage */
    char model[128];             /* from the task event */
};

void hk_printer_event(struct hk_printer *p, const struct hk_event *ev);
void hk_printer_json(FILE *out, const struct hk_event *ev);
/* "honk: tokens: ... cost ..." for the events printed so far (honk show's end). */
void hk_printer_usage(struct hk_printer *p);
/* A presence event's data as a sentence ("bob@host joined, watching"), or
 * NULL for one that says nothing to people. Caller frees. */
char *hk_presence_sentence(const cJSON *data);
/* "Compacted the conversation: ..." for a compact event's data (caller frees). */
char *hk_compact_sentence(const cJSON *data);

#endif
