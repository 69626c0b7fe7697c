/* `honk log` lists the sessions of this repository; `honk show ID` prints
 * one's transcript and decisions from its journal. */
#include "commands.h"
#include "housekeep.h"
#include "journal.h"
#include "printer.h"
#include "protocol.h"
#include "repo_publish.h"
#include "repo.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *age(int64_t then_ms)
{
    int64_t s = (hk_wall_ms() - then_ms) / 1000;
    if (s < 120)
        return hk_xasprintf("%llds ago", (long long)s);
    if (s < 7200)
        return hk_xasprintf("%lldm ago", (long long)s / 60);
    if (s < 172800)
        return hk_xasprintf("%lldh ago", (long long)s / 3600);
    return hk_xasprintf("%lldd ago", (long long)s / 86400);
}

/* "$0.0123", or "$?" when a turn had no price (honk show says which model). */
static char *cost_column(const struct hk_usage_total *u)
{
    return hk_usage_cost_known(u) ? hk_xasprintf("$%.4f", u->cost_usd) : hk_xstrdup("$?");
}

static struct hk_repo *open_here(void)
{
    struct hk_repo *repo = NULL;
    char *err = NULL;
    if (hk_repo_open(&repo, ".", &err) != 0) {
        fprintf(stderr, "honk: %s\n", err);
        free(err);
        return NULL;
    }
    return repo;
}

char *hk_session_id_given(const char *given)
{
    struct hk_repo *repo = open_here();
    char *id = NULL, *err = NULL;
    if (repo && hk_session_id_resolve(repo, given, &id, &err) < 0) {
        fprintf(stderr, "honk: %s\n", err);
        free(err);
    }
    hk_repo_close(repo);
    return id;
}

int hk_cmd_log(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        hk_usage("log", stderr);
        return HK_EXIT_USAGE;
    }
    struct hk_repo *repo = open_here();
    if (!repo)
        return HK_EXIT_USAGE;
    struct hk_session_info *infos;
    size_t n;
    char *err = NULL;
    hk_journal_list(hk_repo_gitdir(repo), &infos, &n, &err);
    if (!n)
        printf("no honk sessions in this repository yet (start one: honk run TASK)\n");
    /* A column for the sessions a process runs now, when there are any. */
    char **live = hk_xcalloc(n + 1, sizeof *live);
    bool any_live = false;
    for (size_t i = 0; i < n; i++) {
        struct hk_live l;
        char *from = NULL;
        if (!hk_session_live(hk_repo_gitdir(repo), infos[i].id, &l)) {
            /* a session fetched from elsewhere says where it runs */
            if ((from = hk_publish_fetched_from(repo, infos[i].id))) {
                live[i] = hk_xasprintf("from %.11s", from);
                any_live = true;
            }
            free(from);
            continue;
        }
        live[i] = l.clients ? hk_xasprintf("live, %d attached", l.clients) : hk_xstrdup("live");
        hk_live_free(&l);
        any_live = true;
    }
    for (size_t i = 0; i < n; i++) {
        char *when = age(infos[i].updated_ms);
        char *cost = cost_column(&infos[i].usage);
        if (any_live)
            printf("%-8s  %-17s  %-16s  %-9s  %-8s  %-15s  %.60s\n", infos[i].id, infos[i].state,
                   live[i] ? live[i] : "", when, cost, infos[i].branch, infos[i].task);
        else
            printf("%-8s  %-17s  %-9s  %-8s  %-15s  %.60s\n", infos[i].id, infos[i].state, when, cost,
                   infos[i].branch, infos[i].task);
        free(cost);
        free(when);
        free(live[i]);
    }
    free(live);
    hk_session_info_free(infos, n);
    hk_repo_close(repo);
    return HK_EXIT_OK;
}

static void show_event(const struct hk_event *ev, void *user)
{
    hk_printer_event(user, ev);
}

static void show_json(const struct hk_event *ev, void *user)
{
    (void)user;
    hk_printer_json(stdout, ev);
}

int hk_cmd_show(int argc, char **argv)
{
    int json = argc == 3 && !strcmp(argv[1], "--json");
    if (argc != 2 + json) {
        hk_usage("show", stderr);
        return HK_EXIT_USAGE;
    }
    struct hk_repo *repo = open_here();
    if (!repo)
        return HK_EXIT_USAGE;
    char *id = NULL, *err = NULL;
    if (hk_session_id_resolve(repo, argv[1 + json], &id, &err) < 0) {
        fprintf(stderr, "honk: %s\n", err);
        free(err);
        hk_repo_close(repo);
        return HK_EXIT_USAGE;
    }
    char *path = hk_journal_path(hk_repo_gitdir(repo), id);
    struct hk_printer printer = {.out = stdout, .verbose = 1};
    int n = json ? hk_journal_read(path, show_json, NULL, &err)
                 : hk_journal_read(path, show_event, &printer, &err);
    if (n < 0)
        fprintf(stderr, "honk: session %s has no journal (%s)\n", id, err);
    else if (!json)
        hk_printer_usage(&printer);
    free(err);
    free(path);
    free(id);
    hk_repo_close(repo);
    return n < 0 ? HK_EXIT_USAGE : HK_EXIT_OK;
}
