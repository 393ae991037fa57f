# rststorm: build, test, run. `make help` lists the targets.
#
#   make                 ./rststorm
#   make run             the main job with defaults (embedded servers, 5 s)
#   make test            unit tests (cmocka) and integration tests
#   make SANITIZE=address,undefined test    the same under ASan/UBSan
#   make static          ./rststorm-static, for minimal VMs
#   make bench           the benchmark (results/bench-run.csv)
#   make kernel-matrix   rststorm in Debian's kernels under qemu (KERNELS="5.10 6.1")
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

LIBURING_VERSION := $(shell dpkg-query -W -f='$${Version}' liburing-dev 2>/dev/null | sed 's/-[^-]*$$//')
ifeq ($(LIBURING_VERSION),)
LIBURING_VERSION := unknown
endif

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifneq ($(CI),)
WARN += -Werror
endif
CFLAGS ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -DRS_LIBURING_VERSION='"$(LIBURING_VERSION)"'
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -MMD -MP -pthread
LDLIBS := -luring -pthread -lm
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

SRCS := $(wildcard src/*.c)
OBJS := $(SRCS:src/%.c=$(BUILD)/%.o)
LIB_OBJS := $(filter-out $(BUILD)/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_HELPERS := $(BUILD)/tests/noring

# Build dependencies: installed with apt when run as root, otherwise the
# exact command to run is printed.
DEP_STAMP := build/.deps
TEST_DEP_STAMP := build/.test-deps
define need
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing (needed by rststorm)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; } || \
	    { echo "rststorm: apt-get install$$missing failed: install them by hand and run make again"; exit 1; }; \
	  else \
	    echo "rststorm: missing build dependencies:$$missing: run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi
	@mkdir -p build && touch $@
endef

.PHONY: all run test unit integration static bench clean help deps
all: $(BIN)

$(DEP_STAMP):
	$(call need,liburing-dev gcc make)

$(TEST_DEP_STAMP):
	$(call need,libcmocka-dev iproute2 procps)

$(BIN): $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c | $(DEP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB_OBJS) | $(TEST_DEP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(LIB_OBJS) -lcmocka $(LDLIBS)

$(BUILD)/tests/noring: tests/integration/noring.c | $(DEP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)

rststorm-static: $(SRCS) | $(DEP_STAMP)
	@echo "  LD      $@ (static)"
	$(Q)$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) -O2 -pthread -static -o $@ $(SRCS) -l:liburing.a -pthread -lm

static: rststorm-static

run: $(BIN)
	./$(BIN) run

unit: $(UNIT_BINS)
	$(Q)RS_ONLY=unit tests/run-tests.sh $(UNIT_BINS)

integration: $(BIN) $(TEST_HELPERS) | $(TEST_DEP_STAMP)
	$(Q)RSTSTORM=$(abspath $(BIN)) NORING=$(abspath $(BUILD)/tests/noring) tests/run-tests.sh

test: $(BIN) $(UNIT_BINS) $(TEST_HELPERS) | $(TEST_DEP_STAMP)
	$(Q)RSTSTORM=$(abspath $(BIN)) NORING=$(abspath $(BUILD)/tests/noring) tests/run-tests.sh $(UNIT_BINS)

bench: $(BIN) build/floor
	bench/run-bench.sh

# the floor: the same teardown with plain epoll syscalls (bench/engines.sh)
build/floor: bench/floor.c
	@mkdir -p build
	@echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 $(WARN) -O2 -g -pthread -o $@ $<

clean:
	rm -rf build rststorm rststorm-static

help:
	@sed -n '1,10p' Makefile | sed 's/^# \{0,1\}//'

.PHONY: kernel-matrix
kernel-matrix: rststorm-static
	KERNELS='$(KERNELS)' bench/kernel-matrix.sh
