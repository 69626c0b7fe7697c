# honk — build, test, demo, install. Every set-up step lives here: `make`,
# `make test` and `make demo` first install missing Debian packages (scripts/deps).

PREFIX  ?= /usr/local
VERSION := 0.1.0
PKGS    := ncursesw libcurl libcjson libgit2 vterm

SANITIZE ?=
ifeq ($(SANITIZE),1)
BUILD   := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(SANITIZE),fuzz)
# The libFuzzer harnesses of tests/fuzz/ (make fuzz): clang only.
BUILD   := build/fuzz
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CC      := clang
OPT     := -O1 -g
else
BUILD   := build/out
SANFLAGS :=
endif

NO_DEPS_GOALS := clean deps help
ifneq ($(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
DEPS_STATUS := $(shell ./scripts/deps; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error missing packages: see the message above)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libmicrohttpd)
# libcurl and libgit2 are loaded at run time, on first use (backend/curl_api.h
# and backend/git_api.h say why); only the tests that use them directly link them.
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libcurl libgit2,$(PKGS))) -ldl
CURL_LIBS  := $(shell pkg-config --libs libcurl)
GIT_LIBS   := $(shell pkg-config --libs libgit2)
MHD_LIBS   := $(shell pkg-config --libs libmicrohttpd)
endif

CC      ?= cc
V       ?=
Q       := $(if $(V),,@)
OPT     ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Wpedantic -Werror $(OPT) $(SANFLAGS) -D_POSIX_C_SOURCE=200809L \
           -D_DEFAULT_SOURCE -DHONK_VERSION='"$(VERSION)"' -Ibackend $(PKG_CFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)

BACKEND_SRC := $(wildcard backend/*.c)
TUI_SRC     := $(wildcard tui/cli/*.c tui/cockpit/*.c)
REPLAY_SRC  := $(wildcard tests/replay/*.c)
FAKESLACK_SRC := $(wildcard tests/fakeslack/*.c)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c)

BACKEND_OBJ := $(BACKEND_SRC:%.c=$(BUILD)/%.o)
TUI_OBJ     := $(TUI_SRC:%.c=$(BUILD)/%.o)
REPLAY_OBJ  := $(REPLAY_SRC:%.c=$(BUILD)/%.o)
FAKESLACK_OBJ := $(FAKESLACK_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_BIN    := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60

LIBHONK := $(BUILD)/libhonk.a
HONK    := $(BUILD)/honk
REPLAY  := $(BUILD)/honk-replay
# The session socket's test client (tests/support/): libc only, no libhonk.
CLIENT  := $(BUILD)/tests/hk_client
# Slack's Web API in the tests (tests/e2e/serve.sh)
FAKESLACK := $(BUILD)/tests/fake-slack

.PHONY: all deps test bench demo install clean help fuzz fuzz-bins
all: $(HONK) $(REPLAY)
	@ln -sf $(HONK:build/%=%) build/honk; ln -sf $(REPLAY:build/%=%) build/honk-replay

deps:
	@./scripts/deps

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The default colours are themes/dark.theme itself, turned into C.
$(BUILD)/gen/dark_theme.inc: themes/dark.theme scripts/theme-to-c
	@mkdir -p $(@D)
	$(Q)scripts/theme-to-c themes/dark.theme > $@.tmp && mv $@.tmp $@
$(BUILD)/tui/cockpit/theme.o: $(BUILD)/gen/dark_theme.inc
$(BUILD)/tui/cockpit/theme.o: CFLAGS += -I$(BUILD)/gen
# The cockpit's commands share the command line's flags and entry points.
$(TUI_OBJ): CFLAGS += -Itui/cli -Itui/cockpit

$(LIBHONK): $(BACKEND_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(HONK): $(TUI_OBJ) $(LIBHONK)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(TUI_OBJ) $(LIBHONK) $(PKG_LIBS) -lm

$(REPLAY): $(REPLAY_OBJ) $(LIBHONK)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(REPLAY_OBJ) $(LIBHONK) $(MHD_LIBS) $(PKG_LIBS)

$(FAKESLACK): $(FAKESLACK_OBJ) $(LIBHONK)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(FAKESLACK_OBJ) $(LIBHONK) $(MHD_LIBS) $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBHONK)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  TEST    $@")
	$(Q)$(CC) $(CFLAGS) -Itests -o $@ $< $(LIBHONK) $(LDFLAGS) $(PKG_LIBS) $(CURL_LIBS) $(GIT_LIBS) -lm

# The Diff pane's views are plain data built without curses: their test links them.
DIFFVIEW_OBJ := $(BUILD)/tui/cockpit/diffview.o $(BUILD)/tui/cockpit/diff_sources.o
$(BUILD)/tests/test_diffview: tests/unit/test_diffview.c $(DIFFVIEW_OBJ) $(LIBHONK)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  TEST    $@")
	$(Q)$(CC) $(CFLAGS) -Itests -Itui/cockpit -o $@ $< $(DIFFVIEW_OBJ) $(LIBHONK) $(LDFLAGS) $(PKG_LIBS) $(GIT_LIBS) -lm

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(LIBHONK)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  FUZZ    $@")
	$(Q)$(CC) $(CFLAGS) -Itests/fuzz -fsanitize=fuzzer -o $@ $< $(LIBHONK) $(LDFLAGS) $(PKG_LIBS) $(CURL_LIBS) $(GIT_LIBS) -lm

$(CLIENT): tests/support/hk_client.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

fuzz-bins: $(FUZZ_BIN)

fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang with libFuzzer (apt-get install clang)"; exit 2; }
	@$(MAKE) --no-print-directory SANITIZE=fuzz fuzz-bins
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run

test: all $(UNIT_BIN) $(CLIENT) $(FAKESLACK)
	@HONK_BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/run

bench: all $(CLIENT)
	@HONK_BUILD=$(BUILD) tests/bench/run

demo: all
	@HONK_BUILD=$(BUILD) tests/demo/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
	    $(DESTDIR)$(PREFIX)/share/honk/themes \
	    $(DESTDIR)$(PREFIX)/share/honk/scenarios
	install -m 755 $(HONK) $(REPLAY) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	for f in man/*.5; do [ -e "$$f" ] && install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/man/man5/; done; true
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	for f in themes/*.theme; do [ -e "$$f" ] && install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/honk/themes/; done; true
	install -m 644 tests/scenarios/demo.json $(DESTDIR)$(PREFIX)/share/honk/scenarios/

clean:
	rm -rf build

help:
	@echo "make          build honk and honk-replay (installs missing Debian packages)"
	@echo "make demo     the whole workflow offline, against the bundled replay model"
	@echo "make test     build and run every test (SANITIZE=1 for ASan+UBSan)"
	@echo "make bench    speed and memory figures"
	@echo "make fuzz     run each libFuzzer harness (clang) for FUZZ_SECONDS=60; findings fail it"
	@echo "make install  PREFIX=/usr/local"

-include $(BACKEND_OBJ:.o=.d) $(TUI_OBJ:.o=.d) $(REPLAY_OBJ:.o=.d) $(FAKESLACK_OBJ:.o=.d) $(UNIT_BIN:=.d) $(FUZZ_BIN:=.d) $(CLIENT).d
