# rststorm: build, test, run. `make help` lists the targets.
#
#   make                 ./rststorm
#   make run             the main job with defaults (embedded servers, 5 s)
#   make test            unit tests (cmocka) and integration tests
#   make SANITIZE=address,undefined test    the same under ASan/UBSan
#   make tsan            make SANITIZE=thread test (tests/tsan.supp)
#   make mutants         mutation testing (tests/mutants/run.sh; MUTANTS_ARGS)
#   make deps            install what build and tests need (apt, as root)
#   make static          ./rststorm-static, for minimal VMs
#   make bench           the benchmark (results/bench-run.csv)
#   make peers           rststorm against neper and netperf, from their sources:
#                        make peers NEPER_SRC=DIR NETPERF_SRC=DIR
#   make kernel-matrix   rststorm in Debian's kernels under qemu (KERNELS="5.10 6.1")
#   make install         binary, man page, bash completion under PREFIX
#                        (default /usr/local; DESTDIR for staging)
#   make uninstall       remove exactly those files
#   V=1                  show the commands

CC ?= cc
comma := ,
SANITIZE ?=
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

ifeq ($(SANITIZE),)
VARIANT := rel
else
VARIANT := san-$(subst $(comma),-,$(SANITIZE))
endif
BUILD := build/$(VARIANT)
BIN := $(if $(SANITIZE),$(BUILD)/rststorm,rststorm)

# liburing's version is read at build time, after the install step (a
# generated header, rewritten only when the version changes): read at parse
# time it would be "unknown" on a machine where make installs liburing-dev.
VERSION_H := $(BUILD)/liburing_version.h

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifneq ($(CI),)
WARN += -Werror
endif
CFLAGS ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -include $(VERSION_H)
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -MMD -MP -pthread
LDLIBS := -luring -pthread -lm -lz
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

# ThreadSanitizer: io_uring fd paths it cannot see are suppressed (the file
# says which and why); everything else it reports fails the test.
ifneq ($(filter thread,$(subst $(comma), ,$(SANITIZE))),)
export TSAN_OPTIONS ?= suppressions=$(abspath tests/tsan.supp) second_deadlock_stack=1
endif

SRCS := $(wildcard src/*.c)
# The built-in scenarios: scenarios/*.scn, in scenarios/index order, turned
# into a C array (rs_builtin_scen, src/scenfile.h) by scenarios/embed.sh;
# shared by every variant, the static build and the fuzz build.
SCEN_FILES := scenarios/index $(wildcard scenarios/*.scn)
SCEN_C := build/gen/scenarios.c
OBJS := $(SRCS:src/%.c=$(BUILD)/%.o) $(BUILD)/scenarios_embed.o
LIB_OBJS := $(filter-out $(BUILD)/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_HELPERS := $(BUILD)/tests/noring $(BUILD)/link-rtt

# Dependencies: installed with apt when run as root, otherwise the exact
# command to run is printed. One install step for everything: the test
# stamp runs after the build stamp, never beside it (make -j), and apt-get
# runs under a lock so that two makes at once (SANITIZE variants) take
# turns instead of one dying on the dpkg lock. A package apt does not know
# yet is retried after `apt-get update`.
BUILD_DEPS := liburing-dev zlib1g-dev gcc make
# mandoc, groff-base, man-db: tests/integration/t_man.sh lints the man page;
# python3: tests/integration/t_json.sh parses the JSON reports;
# chromium: tests/integration/t_report_html.sh loads the HTML reports headless;
# nodejs, npm: t_hlog.sh decodes --hlog with hdr-histogram-js (build/npm);
# Debian's npm is asked for only when no npm is there (a nodejs package
# that carries its own npm conflicts with Debian's);
# clang: make fuzz (libFuzzer)
NPM_DEP := $(if $(shell command -v npm 2>/dev/null),,npm)
TEST_DEPS := libcmocka-dev iproute2 procps nginx mandoc groff-base man-db python3 chromium nodejs $(NPM_DEP) clang
DEP_STAMP := build/.deps
TEST_DEP_STAMP := build/.test-deps
APT_LOCK := build/.apt.lock
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends
define need
	@mkdir -p build; exec 9>$(APT_LOCK); flock 9 2>/dev/null || true; \
	missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing (needed by rststorm)"; \
	    log=build/.apt.log; \
	    $(APT_INSTALL) $$missing >$$log 2>&1 || \
	    { apt-get -o DPkg::Lock::Timeout=300 update -q >>$$log 2>&1 && \
	      $(APT_INSTALL) $$missing >>$$log 2>&1; } || \
	    { tail -n 5 $$log; echo "rststorm: apt-get install$$missing failed (log: $$log): install them by hand and run make again"; exit 1; }; \
	  else \
	    echo "rststorm: missing dependencies:$$missing: run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi; \
	touch $@
endef

.PHONY: all run test unit integration static bench clean help deps npm fuzz FORCE
all: $(BIN)

# The stamps depend on the Makefile: a package added to a list is then
# checked (and installed) in trees that had the stamp already.
$(DEP_STAMP): Makefile
	$(call need,$(BUILD_DEPS))

$(TEST_DEP_STAMP): Makefile | $(DEP_STAMP)
	$(call need,$(TEST_DEPS))

# Rewritten only when the version changes, so objects rebuild only then.
# dpkg first (the Debian package make installs), then pkg-config (a
# liburing built from source), else "unknown".
$(VERSION_H): FORCE | $(DEP_STAMP)
	@mkdir -p $(dir $@)
	@v=$$(dpkg-query -W -f='$${Version}' liburing-dev 2>/dev/null | sed 's/^[0-9]*://; s/-[^-]*$$//'); \
	[ -n "$$v" ] || v=$$(pkg-config --modversion liburing 2>/dev/null); \
	[ -n "$$v" ] || v=unknown; \
	printf '/* generated by make: the liburing rststorm was built with */\n#define RS_LIBURING_VERSION "%s"\n' "$$v" >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "  GEN     $@ (liburing $$v)"; fi

FORCE:

deps: $(TEST_DEP_STAMP)

$(BIN): $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c $(VERSION_H) | $(DEP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(SCEN_C): $(SCEN_FILES) scenarios/embed.sh
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)sh scenarios/embed.sh scenarios $@

$(BUILD)/scenarios_embed.o: $(SCEN_C) $(VERSION_H) | $(DEP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB_OBJS) $(VERSION_H) | $(TEST_DEP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(LIB_OBJS) -lcmocka $(LDLIBS)

$(BUILD)/tests/noring: tests/integration/noring.c $(VERSION_H) | $(DEP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# the emulated link's accuracy: asked vs measured round trip (bench/link-accuracy.sh,
# tests/integration/t_link.sh)
$(BUILD)/link-rtt: bench/link_rtt.c $(LIB_OBJS) $(VERSION_H) | $(DEP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)

rststorm-static: $(SRCS) $(SCEN_C) $(VERSION_H) | $(DEP_STAMP)
	@echo "  LD      $@ (static)"
	$(Q)$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) -O2 -pthread -static -Isrc -o $@ $(SRCS) $(SCEN_C) -l:liburing.a -pthread -lm -l:libz.a

static: rststorm-static

run: $(BIN)
	./$(BIN) run

unit: $(UNIT_BINS)
	$(Q)RS_ONLY=unit tests/run-tests.sh $(UNIT_BINS)

# hdr-histogram-js, the independent decoder of --hlog (t_hlog.sh), from
# the npm registry into build/npm; when the registry cannot be reached
# the rule says so and t_hlog.sh skips (77).
HDRJS_VERSION := 3.0.1
HDRJS := build/npm/node_modules/hdr-histogram-js/package.json
$(HDRJS): | $(TEST_DEP_STAMP)
	@mkdir -p build/npm
	@echo "  NPM     hdr-histogram-js@$(HDRJS_VERSION)"
	$(Q)npm install --prefix build/npm --no-save --no-audit --no-fund \
	  --loglevel=error hdr-histogram-js@$(HDRJS_VERSION) >build/npm/install.log 2>&1 || \
	  { tail -n 3 build/npm/install.log; echo "rststorm: npm install hdr-histogram-js failed (log: build/npm/install.log): t_hlog.sh will skip"; }

npm: $(HDRJS)

# make fuzz FUZZ_SECONDS=N: libFuzzer on the report reader
# (tests/fuzz/fuzz_repdir.c) and on the scenario file parser
# (tests/fuzz/fuzz_scenfile.c), N seconds split between them, clang with
# ASan and UBSan, objects of their own under build/fuzz. The regression
# inputs (tests/fuzz/regress) run through both first; then each fuzzer runs
# from its seeds (the golden reports, tests/fuzz/mkseeds.sh; the built-in
# scenario files) and its corpus in build/fuzz/corpus-NAME. A crash is
# written to build/fuzz/ as crash-*: copy it into tests/fuzz/regress.
FUZZ_SECONDS ?= 30
FUZZ_HALF = $$(( ($(FUZZ_SECONDS) + 1) / 2 ))
FUZZ_BUILD := build/fuzz
FUZZ_CC := clang
FUZZ_FLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJS := $(filter-out $(FUZZ_BUILD)/main.o,$(SRCS:src/%.c=$(FUZZ_BUILD)/%.o)) \
	$(FUZZ_BUILD)/scenarios_embed.o
FUZZ_RUN := -max_len=65536 -timeout=10 -rss_limit_mb=1024 -print_final_stats=1
-include $(FUZZ_OBJS:.o=.d)
$(FUZZ_BUILD)/%.o: src/%.c $(VERSION_H) | $(TEST_DEP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CLANG   $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
$(FUZZ_BUILD)/scenarios_embed.o: $(SCEN_C) $(VERSION_H) | $(TEST_DEP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CLANG   $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -Isrc -MMD -MP -c -o $@ $<
$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@echo "  CLANG   $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -Isrc -o $@ $^ $(LDLIBS)
fuzz: $(FUZZ_BUILD)/fuzz_repdir $(FUZZ_BUILD)/fuzz_scenfile
	$(Q)rm -rf $(FUZZ_BUILD)/seeds && tests/fuzz/mkseeds.sh $(FUZZ_BUILD)/seeds
	$(Q)rm -rf $(FUZZ_BUILD)/seeds-scen && mkdir -p $(FUZZ_BUILD)/seeds-scen && \
	  cp scenarios/*.scn $(FUZZ_BUILD)/seeds-scen/
	$(Q)mkdir -p $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/corpus-scen
	$(Q)$(FUZZ_BUILD)/fuzz_repdir -runs=0 tests/fuzz/regress $(FUZZ_BUILD)/seeds
	$(Q)$(FUZZ_BUILD)/fuzz_scenfile -runs=0 tests/fuzz/regress $(FUZZ_BUILD)/seeds-scen
	$(Q)cd $(FUZZ_BUILD) && ./fuzz_repdir -max_total_time=$(FUZZ_HALF) \
	  $(FUZZ_RUN) corpus seeds ../../tests/fuzz/regress
	$(Q)cd $(FUZZ_BUILD) && ./fuzz_scenfile -max_total_time=$(FUZZ_HALF) \
	  $(FUZZ_RUN) corpus-scen seeds-scen ../../tests/fuzz/regress

integration: $(BIN) $(TEST_HELPERS) $(HDRJS) | $(TEST_DEP_STAMP)
	$(Q)RSTSTORM=$(abspath $(BIN)) NORING=$(abspath $(BUILD)/tests/noring) LINK_RTT=$(abspath $(BUILD)/link-rtt) tests/run-tests.sh

test: $(BIN) $(UNIT_BINS) $(TEST_HELPERS) $(HDRJS) | $(TEST_DEP_STAMP)
	$(Q)RSTSTORM=$(abspath $(BIN)) NORING=$(abspath $(BUILD)/tests/noring) LINK_RTT=$(abspath $(BUILD)/link-rtt) tests/run-tests.sh $(UNIT_BINS)

bench: $(BIN) build/floor
	bench/run-bench.sh

.PHONY: peers
peers: $(BIN)
	NEPER_SRC='$(NEPER_SRC)' NETPERF_SRC='$(NETPERF_SRC)' bench/peers.sh $(PEERS_ARGS)

# the floor: the same teardown with plain epoll syscalls (bench/engines.sh)
build/floor: bench/floor.c
	@mkdir -p build
	@echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 $(WARN) -O2 -g -pthread -o $@ $<

clean:
	rm -rf build rststorm rststorm-static

help:
	@sed -n '1,/^$$/p' Makefile | sed -n 's/^# \{0,1\}//p'

.PHONY: tsan mutants
# ThreadSanitizer in its own build dir (build/san-thread)
tsan:
	$(MAKE) SANITIZE=thread test

# Mutation testing: the script copies HEAD per mutant; the build here first
# proves the tree builds and the unit tests and helpers link.
mutants: $(BIN) $(UNIT_BINS) $(TEST_HELPERS) | $(TEST_DEP_STAMP)
	@[ -f tests/mutants/run.sh ] || \
	  { echo "rststorm: tests/mutants/run.sh is missing: check out a tree that has it"; exit 1; }
	bash tests/mutants/run.sh $(MUTANTS_ARGS)

.PHONY: kernel-matrix
kernel-matrix: rststorm-static
	KERNELS='$(KERNELS)' bench/kernel-matrix.sh

# Install: the release binary, the man page (man/rststorm.1) and the bash
# completion (completion/rststorm.bash), under $(DESTDIR)$(PREFIX).
# uninstall removes exactly these three files, and no directory.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MAN1DIR ?= $(PREFIX)/share/man/man1
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL ?= install
# the binary to install (the tests pass the one they test)
INSTALL_BIN ?= $(BIN)
INSTALLED := $(DESTDIR)$(BINDIR)/rststorm $(DESTDIR)$(MAN1DIR)/rststorm.1 \
	$(DESTDIR)$(COMPDIR)/rststorm

.PHONY: install uninstall
install: $(INSTALL_BIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(COMPDIR)
	$(INSTALL) -m 755 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/rststorm
	$(INSTALL) -m 644 man/rststorm.1 $(DESTDIR)$(MAN1DIR)/rststorm.1
	$(INSTALL) -m 644 completion/rststorm.bash $(DESTDIR)$(COMPDIR)/rststorm

uninstall:
	rm -f $(INSTALLED)
