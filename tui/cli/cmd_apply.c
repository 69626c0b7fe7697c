/* `honk apply`: applies unified diffs or *** Begin Patch envelopes to a directory
 * tree with honk's patch engine and prints one line per hunk. */
#include "commands.h"
#include "patch.h"
#include "read_all.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_patch(const char *name, struct hk_buf *b)
{
    if (strcmp(name, "-") == 0)
        return hk_read_all_stdin("honk apply: reading a patch", b);
    FILE *f = fopen(name, "rb");
    if (!f) {
        fprintf(stderr, "honk apply: cannot read '%s': %s\n", name, strerror(errno));
        return -1;
    }
    int rc = hk_read_all(f, b);
    fclose(f);
    if (rc < 0)
        fprintf(stderr, "honk apply: cannot read '%s'\n", name);
    return rc;
}

static int number(const char *s, int *out)
{
    char *end;
    long v = s ? strtol(s, &end, 10) : -1;
    if (!s || !*s || *end || v < 0 || v > 1000)
        return -1;
    *out = (int)v;
    return 0;
}

/* Parses options; returns the index of the first patch name, or -1. */
static int parse_args(int argc, char **argv, struct hk_patch_opts *o, const char **dir)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--") == 0)
            return i + 1;
        if (strcmp(a, "--check") == 0)
            o->dry_run = 1;
        else if (strcmp(a, "--reverse") == 0 || strcmp(a, "-R") == 0)
            o->reverse = 1;
        else if (strcmp(a, "--partial") == 0)
            o->partial = 1;
        else if (strcmp(a, "--fuzz") == 0 || strcmp(a, "-F") == 0) {
            if (number(val, &o->fuzz) < 0)
                return -1;
            i++;
        } else if (strncmp(a, "--fuzz=", 7) == 0) {
            if (number(a + 7, &o->fuzz) < 0)
                return -1;
        } else if (strcmp(a, "-p") == 0) {
            if (number(val, &o->strip) < 0)
                return -1;
            i++;
        } else if (strncmp(a, "-p", 2) == 0) {
            if (number(a + 2, &o->strip) < 0)
                return -1;
        } else if (strcmp(a, "--directory") == 0 || strcmp(a, "-C") == 0) {
            if (!val)
                return -1;
            *dir = val;
            i++;
        } else if (strncmp(a, "--directory=", 12) == 0) {
            *dir = a + 12;
        } else if (a[0] == '-' && a[1]) {
            return -1;
        } else {
            break;
        }
    }
    return i;
}

/* The hunks left out go to "<file>.rej" (as GNU patch does) when --partial
 * applied the rest, or when the patch came from stdin and exists nowhere else. */
static void save_rejects(const struct hk_proposal *p, int from_stdin)
{
    if (p->opts.dry_run || !(p->opts.partial || from_stdin))
        return;
    for (size_t i = 0; i < p->nfiles; i++) {
        char *where = NULL, *err = NULL;
        if (hk_patch_write_rej(p, i, &where, &err) < 0) {
            char *text = hk_patch_rej(p, i);
            fprintf(stderr, "honk apply: %s; the hunks not applied follow:\n%s", err, text);
            free(text);
        } else if (where) {
            fprintf(stderr, "honk apply: the hunks of %s not applied are in %s\n",
                    p->files[i].path, where);
        }
        free(where);
        free(err);
    }
}

int hk_cmd_apply(int argc, char **argv)
{
    struct hk_patch_opts o;
    const char *dir = ".";
    hk_patch_opts_init(&o);
    o.approve = 1; /* what it writes is applied: nobody reviews it */
    int first = parse_args(argc, argv, &o, &dir);
    if (first < 0) {
        hk_usage("apply", stderr);
        return 2;
    }
    struct hk_buf text = {0};
    int from_stdin = first >= argc;
    int rc = from_stdin ? read_patch("-", &text) : 0;
    for (int i = first; i < argc && rc == 0; i++) {
        from_stdin |= strcmp(argv[i], "-") == 0;
        rc = read_patch(argv[i], &text);
        if (text.len && text.data[text.len - 1] != '\n')
            hk_buf_addc(&text, '\n'); /* the next patch starts on a line of its own */
    }
    if (rc < 0) {
        hk_buf_free(&text);
        return 2;
    }
    struct hk_proposal *p = NULL;
    char *err = NULL;
    rc = hk_patch_apply_text(dir, NULL, text.data ? text.data : "", &o, &p, &err);
    hk_buf_free(&text);
    if (p) {
        char *report = hk_patch_report(p);
        fputs(report, stdout);
        free(report);
    }
    if (err)
        fprintf(stderr, "honk apply: %s\n", err);
    if (p && rc == 1)
        save_rejects(p, from_stdin);
    free(err);
    hk_patch_free(p);
    return rc < 0 ? 2 : rc;
}
