/* Test support shared by the C tests: a private honk-replay server started
 * with a scenario, and small file helpers. Header-only, like check.h. */
#ifndef HK_SUPPORT_H
#define HK_SUPPORT_H

/* Not every test uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct replay {
    pid_t pid;
    char url[128];
    char dir[64];
    char record[128];
};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    size_t n;
    while ((n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2)
            s = realloc(s, cap *= 2);
    }
    s[len] = '\0';
    fclose(f);
    return s;
}

static int spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static const char *replay_binary(void)
{
    static char path[4096];
    const char *r = getenv("REPLAY");
    if (r)
        return r;
    const char *b = getenv("HONK_BUILD");
    snprintf(path, sizeof path, "%s/honk-replay", b ? b : "build/out");
    return path;
}

/* Starts honk-replay on the scenario; 0 when its URL line has been read. */
static int replay_start(struct replay *r, const char *scenario_json)
{
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "/tmp/honk-test-XXXXXX");
    if (!mkdtemp(r->dir))
        return -1;
    char scenario[128];
    snprintf(scenario, sizeof scenario, "%s/scenario.json", r->dir);
    snprintf(r->record, sizeof r->record, "%s/record.jsonl", r->dir);
    if (spit(scenario, scenario_json) != 0)
        return -1;
    int p[2];
    if (pipe(p) != 0)
        return -1;
    r->pid = fork();
    if (r->pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execl(replay_binary(), "honk-replay", "--record", r->record, scenario, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    char c;
    while (n + 1 < sizeof r->url && read(p[0], &c, 1) == 1 && c != '\n')
        r->url[n++] = c;
    r->url[n] = '\0';
    close(p[0]);
    return strncmp(r->url, "http://", 7) == 0 ? 0 : -1;
}

/* The request record, one JSON line per request (caller frees). */
static char *replay_record(struct replay *r)
{
    char *s = slurp(r->record);
    return s ? s : strdup("");
}

/* Stops the server; returns its exit status (0 on a clean exit). */
static int replay_stop(struct replay *r)
{
    int status = -1;
    if (r->pid > 0) {
        kill(r->pid, SIGTERM);
        waitpid(r->pid, &status, 0);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
    if (system(cmd) != 0)
        status = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int count_substr(const char *haystack, const char *needle)
{
    int n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

#endif
