/* Asking an OpenAI-compatible server for its own context window, on the
 * loop, without blocking (model_window.c). */
#ifndef HK_MODEL_WINDOW_H
#define HK_MODEL_WINDOW_H

#include "model.h"

struct hk_window_probe;

/* Called once, from the loop: the server's window in tokens, or 0 when it
 * reports none (or could not be asked). */
typedef void (*hk_window_cb)(long window, void *user);

/* NULL (and no callback) for other protocols than OpenAI's. */
struct hk_window_probe *hk_window_probe_start(struct hk_loop *loop, const struct hk_model_settings *s,
                                              hk_window_cb cb, void *user);
/* Aborts a probe still out, without calling back. */
void hk_window_probe_free(struct hk_window_probe *p);

#endif
