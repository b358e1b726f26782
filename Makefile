# occ — build, test, demo.  `make` builds release binaries into build/,
# `make check` installs dependencies, builds an ASan+UBSan variant into
# build/asan/ and runs every test, `make demo` starts occd with demo data.

CC       ?= gcc
PKGS     := libre librem libmicrohttpd sqlite3 libpq libsodium libxml-2.0 libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libre's headers need these defines (see shared/notes/STACK-NOTES.md §1).
DEFS     := -DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -DHAVE_INET6 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wstrict-prototypes
CFLAGS_COMMON := -std=c11 $(WARN) $(DEFS) -Isrc $(PKG_CFLAGS)
LDLIBS   := $(PKG_LIBS) -lm -lpthread

REL_CFLAGS  := $(CFLAGS_COMMON) -O2 -g
ASAN_CFLAGS := $(CFLAGS_COMMON) -O1 -g -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined
ASAN_LDFLAGS := -fsanitize=address,undefined
# `make tsan`: occd under ThreadSanitizer (the media workers and the
# control loop share state by the handover lock); not part of `make
# check` — run a call suite with it: OCCD=build/tsan/occd OCC_MEDIA_THREADS=2
# tests/sip/run.sh (docs/OPERATIONS.md, Media threads)
TSAN_CFLAGS := $(CFLAGS_COMMON) -O1 -g -fno-omit-frame-pointer -fsanitize=thread
TSAN_LDFLAGS := -fsanitize=thread

LIB_SRC  := $(wildcard src/base/*.c src/store/*.c src/core/*.c src/ops/*.c src/api/*.c src/sip/*.c src/media/*.c src/events/*.c src/inbound/*.c src/acd/*.c src/dialer/*.c src/import/*.c src/cluster/*.c) \
            $(filter-out src/cli/main.c,$(wildcard src/cli/*.c))
# (src/cli: occctl's commands, which occd's admin console runs, cli/exec.h)
WEB      := $(filter-out web/vendor/%,$(wildcard web/*.html web/*.js web/*/*))
# JsSIP for the agent desktop's browser phone, bundled from npm at build
# time (scripts/vendor-web.sh; without npm a stub: the phone is unavailable)
JSSIP    := build/vendor/jssip.min.js

REL_OBJ  := $(LIB_SRC:%.c=build/obj/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=build/asan/obj/%.o)
TSAN_OBJ := $(LIB_SRC:%.c=build/tsan/obj/%.o)

BINS     := build/occd build/occctl build/occ-apidoc build/occ-amd build/occ-csv
ASAN_BINS := build/asan/occd build/asan/occctl build/asan/unit-tests build/asan/occ-csv \
             build/unit-tests

.PHONY: all asan tsan check cluster-check demo deps docs check-generated fuzz fuzz-run bench clean
all: $(BINS)
asan: $(ASAN_BINS)
tsan: build/tsan/occd

# -MMD: each object records the headers it includes (build/**/*.d)
build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(REL_CFLAGS) -MMD -MP -c $< -o $@
build/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC asan $<"
	@$(CC) $(ASAN_CFLAGS) -MMD -MP -c $< -o $@
build/tsan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC tsan $<"
	@$(CC) $(TSAN_CFLAGS) -MMD -MP -c $< -o $@
build/tsan/occd: build/tsan/obj/src/occd/main.o $(TSAN_OBJ)
	@echo "  LD tsan $@"
	@$(CC) $(TSAN_LDFLAGS) -o $@ $^ $(LDLIBS)

build/occd: build/obj/src/occd/main.o $(REL_OBJ)
	@echo "  LD      $@"
	@$(CC) -o $@ $^ $(LDLIBS)
build/occctl: build/obj/src/cli/main.o $(REL_OBJ)
	@echo "  LD      $@"
	@$(CC) -o $@ $^ $(LDLIBS)
build/occ-apidoc: build/obj/tools/apidoc.o $(REL_OBJ)
	@echo "  LD      $@"
	@$(CC) -o $@ $^ $(LDLIBS)
build/occ-csv: build/obj/tools/occ_csv.o $(REL_OBJ)
	@echo "  LD      $@"
	@$(CC) -o $@ $^ $(LDLIBS)

# the answering-machine detector alone: it needs no libre (media/amd.h)
build/occ-amd: build/obj/tools/occ-amd.o build/obj/src/media/amd.o
	@echo "  LD      $@"
	@$(CC) -o $@ $^

build/asan/occd: build/asan/obj/src/occd/main.o $(ASAN_OBJ)
	@echo "  LD asan $@"
	@$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LDLIBS)
build/asan/occctl: build/asan/obj/src/cli/main.o $(ASAN_OBJ)
	@echo "  LD asan $@"
	@$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LDLIBS)
build/asan/occ-csv: build/asan/obj/tools/occ_csv.o $(ASAN_OBJ)
	@echo "  LD asan $@"
	@$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LDLIBS)
# the release build of the unit tests runs the long simulations (the
# sanitizers would make them 5x slower and they touch no system interface)
build/unit-tests: $(patsubst %.c,build/obj/%.o,$(wildcard tests/unit/*.c)) $(REL_OBJ)
	@echo "  LD      $@"
	@$(CC) -o $@ $^ $(LDLIBS)
build/asan/unit-tests: $(patsubst %.c,build/asan/obj/%.o,$(wildcard tests/unit/*.c)) $(ASAN_OBJ)
	@echo "  LD asan $@"
	@$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@scripts/deps.sh

# docs/API.md is generated from the operation table; never edit it by hand.
# docs/OPERATIONS.md's configuration table comes from src/base/conf.c's.
docs: build/occ-apidoc
	build/occ-apidoc > docs/API.md
	build/occ-apidoc config | scripts/splice-doc.sh docs/OPERATIONS.md config-keys > docs/OPERATIONS.md.new
	mv docs/OPERATIONS.md.new docs/OPERATIONS.md
check-generated: build/occ-apidoc
	@build/occ-apidoc | diff -u docs/API.md - && echo "docs/API.md is up to date"
	@build/occ-apidoc config | scripts/splice-doc.sh docs/OPERATIONS.md config-keys | \
		diff -u docs/OPERATIONS.md - && echo "docs/OPERATIONS.md's configuration table is up to date"

check: deps
	$(MAKE) all asan
	@tests/run.sh

# several nodes behind Kamailio and nginx+nchan (tests/cluster/run.sh)
cluster-check: deps
	$(MAKE) all
	@tests/cluster/run.sh

demo: deps
	$(MAKE) all
	@scripts/demo.sh

fuzz:
	@$(MAKE) -f fuzz/Makefile

bench: all
	@scripts/deps.sh --bench
	@bench/run.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

# the pages embedded by webassets.c
build/obj/src/api/webassets.o build/asan/obj/src/api/webassets.o build/tsan/obj/src/api/webassets.o: $(WEB) $(JSSIP)
$(JSSIP): web/vendor/package.json web/vendor/package-lock.json scripts/vendor-web.sh
	@echo "  VENDOR  $@"
	@scripts/vendor-web.sh $@
# the demo's routing file embedded by demo_routing.c
build/obj/src/inbound/demo_routing.o build/asan/obj/src/inbound/demo_routing.o build/tsan/obj/src/inbound/demo_routing.o: src/inbound/demo_routing.ini
