/* Fuzzes the patch engine (backend/patch_*.c) with its byte-restoring
 * invariant: a patch is parsed and applied to a worktree, its hunks are
 * approved, rejected or edited as the input says, the proposal optionally
 * goes through hk_patch_to_json / hk_patch_from_json (the resume path), then
 * everything is undone or rejected: every file, mode and link of the worktree
 * must be back byte for byte, and nothing outside the worktree ever changes.
 * Input: [flags][decisions: 2 bytes][content of f] NUL [the patch]. */
#include "fuzz.h"
#include "patch.h"

enum {
    F_PARTIAL = 1 << 0,
    F_REVERSE = 1 << 1,
    F_FUZZ_SHIFT = 2, /* two bits: the fuzz factor, 0 to 3 */
    F_ROUND_TRIP = 1 << 4,
    F_UNDO = 1 << 5,
    F_EDIT = 1 << 6,
};

static void make_worktree(const char *content, size_t len)
{
    fz_empty(fz_root);
    fz_put("root/f", content, len);
    FZ_PUT_LIT("root/g", "one\ntwo\nthree\n");
    FZ_PUT_LIT("root/d/h", "x\r\ny\r\n");
    FZ_PUT_LIT("root/.git", "gitdir: /nonexistent\n");
    fz_link("../outside/secret.env", "root/cfg");
    fz_link("g", "root/g-link");
}

static void drop(char **err)
{
    free(*err);
    *err = NULL;
}

/* The texts people see (the report says each hunk's result): they must not crash. */
static void describe(const struct hk_proposal *p)
{
    free(hk_patch_report(p));
    for (size_t i = 0; i < p->nfiles; i++)
        for (size_t k = 0; k < p->files[i].nhunks; k++) {
            const struct hk_hunk *h = &p->files[i].hunks[k];
            free(hk_patch_hunk_function(&p->files[i], h));
        }
}

/* The hunk's new side as text, as an editor would show it. */
static char *new_side(const struct hk_hunk *h)
{
    struct hk_buf b = {0};
    for (size_t i = 0; i < h->nlines; i++)
        if (h->lines[i].kind != HK_LINE_DEL) {
            hk_buf_add(&b, h->lines[i].text, h->lines[i].len);
            hk_buf_addc(&b, '\n');
        }
    return hk_buf_steal(&b);
}

/* Two bits per hunk, over the whole proposal: leave, approve, reject, edit. */
static void decide(struct hk_proposal *p, unsigned decisions, int flags)
{
    char *err = NULL;
    unsigned flat = 0;
    for (size_t i = 0; i < p->nfiles; i++)
        for (size_t k = 0; k < p->files[i].nhunks && flat < 8; k++, flat++) {
            unsigned op = (decisions >> (2 * flat)) & 3;
            if (op == 1)
                hk_patch_approve(p, i, k, &err);
            else if (op == 2 || (op == 3 && !(flags & F_EDIT)))
                hk_patch_reject(p, i, k, &err);
            else if (op == 3) {
                char *text = new_side(&p->files[i].hunks[k]);
                char *edited = hk_xasprintf("%sedited\n", text ? text : "");
                hk_patch_edit_hunk(p, i, k, edited, &err);
                free(edited);
                free(text);
            }
            drop(&err);
        }
    describe(p);
}

static char *json_text(const struct hk_proposal *p)
{
    cJSON *j = hk_patch_to_json(p);
    FZ_ASSERT(j, "hk_patch_to_json gave NULL");
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

/* The proposal as the resume path rebuilds it from its journalled state. */
static struct hk_proposal *round_trip(struct hk_proposal *p)
{
    char *before = json_text(p), *err = NULL;
    cJSON *back = cJSON_Parse(before);
    if (getenv("FZ_SHOW"))
        fprintf(stderr, "STATE %s\n", before);
    FZ_ASSERT(back, "hk_patch_to_json's text does not parse: %.200s", before);
    struct hk_proposal *q = NULL;
    int rc = hk_patch_from_json(back, fz_root, &q, &err);
    cJSON_Delete(back);
    FZ_ASSERT(rc == 0 && q, "hk_patch_from_json refused its own state: %s", err ? err : "?");
    char *after = json_text(q);
    /* What is on disk must come back exactly; a proposal never written
     * has nothing there to describe. */
    FZ_ASSERT(!p->written || strcmp(before, after) == 0,
              "the state differs after a round trip:\n%.2000s\n%.2000s", before, after);
    free(before);
    free(after);
    hk_patch_free(p);
    return q;
}

static void take_back(struct hk_proposal *p, int flags)
{
    char *err = NULL;
    if (flags & F_UNDO) {
        for (int i = 0; i < 64 && hk_patch_undo(p, &err) == 0; i++) {
        }
        drop(&err);
    }
    /* A proposal that was never written has nothing to reject. */
    int rc = hk_patch_reject_all(p, &err);
    FZ_ASSERT(rc == 0 || !p->written, "reject all failed: %s", err ? err : "?");
    drop(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    fz_sandbox_init();
    int flags = data[0];
    unsigned decisions = (unsigned)data[1] | (unsigned)data[2] << 8;
    data += 3;
    size -= 3;
    char *content = fz_take_until_nul(&data, &size);
    char *patch = fz_strndup(data, size);
    make_worktree(content, strlen(content));
    struct hk_buf root0 = fz_snapshot(fz_root), outside0 = fz_snapshot(fz_outside);

    struct hk_patch_opts opts;
    hk_patch_opts_init(&opts);
    opts.partial = !!(flags & F_PARTIAL);
    opts.reverse = !!(flags & F_REVERSE);
    opts.fuzz = (flags >> F_FUZZ_SHIFT) & 3;
    struct hk_proposal *p = NULL;
    char *err = NULL;
    int rc = hk_patch_apply_text(fz_root, "p1", patch, &opts, &p, &err);
    FZ_ASSERT(rc >= -1 && rc <= 1, "rc %d", rc);
    FZ_ASSERT((rc == -1) == (p == NULL), "rc %d with%s a proposal", rc, p ? "" : "out");
    FZ_ASSERT(rc == 0 || err, "rc %d without a sentence", rc);
    drop(&err);
    if (!p || !p->written)
        fz_check_same(&root0, fz_root, "by a patch that was not written");
    if (p) {
        describe(p);
        decide(p, decisions, flags);
        fz_check_same(&outside0, fz_outside, "by decisions");
        if (flags & F_ROUND_TRIP)
            p = round_trip(p);
        take_back(p, flags);
        fz_check_same(&root0, fz_root, "after everything was taken back");
        hk_patch_free(p);
    }
    fz_check_same(&outside0, fz_outside, "at the end");
    hk_buf_free(&root0);
    hk_buf_free(&outside0);
    free(content);
    free(patch);
    return 0;
}
