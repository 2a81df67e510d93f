# mmf — the Win32 memory-mapped-file subsystem for Linux. Plain GNU make.
#
#   make                 library (static, shared, pkg-config file)
#   make check           native tests
#   make check-wine      the same tests and the examples built with mingw-w64, run under Wine
#   make demo            the end-to-end demonstration
#   make SANITIZE=address|undefined|thread check   sanitizer builds (own build dir)
#   make WERROR=1        warnings are errors (CI)
#   make install PREFIX=/usr/local DESTDIR=

VERSION := 0.1.0
SOVERSION := 0
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

CC ?= cc
MINGW_CC ?= x86_64-w64-mingw32-gcc
WINE ?= wine
TEST_TIMEOUT ?= 60

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN += -Werror
endif
OPT ?= -O2 -g
CFLAGS_ALL := -std=gnu11 $(OPT) $(WARN) -Iinclude $(CFLAGS)
DEPFLAGS = -MMD -MP
LIBFLAGS := -fPIC -fvisibility=hidden -ftls-model=initial-exec -D_GNU_SOURCE -DMMF__LIBRARY
# Programs link with mmf's linker script, as `pkg-config --libs mmf` links them: MMF_SHARED
# variables get pages of their own (include/mmf/shared.h).
SHARED_LD := src/mm/shared.ld
PROG_LDFLAGS := -Wl,-T,$(SHARED_LD)
LDLIBS_ALL := -lpthread $(LDLIBS)

ifeq ($(SANITIZE),)
B := build
else
B := build/$(SANITIZE)
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
ifeq ($(SANITIZE),address)
SANFLAGS += -fsanitize=undefined -fno-sanitize-recover=undefined
endif
CFLAGS_ALL += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
# The library's invariant checks (MMF__ASSERT) run in the sanitizer builds.
LIB_CHECKS := -DMMF_CHECKS
endif

# src/ by component; an include or a call may only point down the layers (check-layers).
COMPONENTS := base ob io sync mm ps admin
LIB_SRC := $(foreach l,$(COMPONENTS),$(wildcard src/$(l)/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(B)/obj/%.o)
HEADERS := $(wildcard include/*.h include/mmf/*.h)
TEST_SRC := $(wildcard test/*.c)
EXAMPLES := $(patsubst examples/%.c,$(B)/examples/%,$(wildcard examples/*.c))
TEST_HDR := $(wildcard test/*.h)

.PHONY: all check check-clients bench-clients check-wine check-valgrind check-symbols check-layers demo bench bench-wine bench-build \
    install clean
all: $(B)/libmmf.a $(B)/libmmf.so $(B)/mmf.pc $(B)/mmf-win32.pc $(B)/mmf

$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LIBFLAGS) $(LIB_CHECKS) -Isrc $(DEPFLAGS) -c $< -o $@

-include $(LIB_OBJ:.o=.d)

$(B)/libmmf.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/libmmf.so.$(VERSION): $(LIB_OBJ) src/libmmf.map
	$(CC) -shared -Wl,-soname,libmmf.so.$(SOVERSION) -Wl,--no-undefined \
	    -Wl,--version-script=src/libmmf.map $(LDFLAGS) -o $@ $(LIB_OBJ) $(LDLIBS_ALL)

$(B)/libmmf.so: $(B)/libmmf.so.$(VERSION)
	ln -sf libmmf.so.$(VERSION) $(B)/libmmf.so.$(SOVERSION)
	ln -sf libmmf.so.$(VERSION) $@

# The command-line tool, built on the public API only.
$(B)/mmf: tools/mmf.c $(HEADERS) $(B)/libmmf.so
	$(CC) $(CFLAGS_ALL) -o $@ $< -L$(B) -Wl,-rpath,$(CURDIR)/$(B) -lmmf $(LDFLAGS) $(LDLIBS_ALL)

# The in-tree pkg-config file points at this checkout; `make install` writes another.
define PCFILE
prefix=$(1)
includedir=$(2)
libdir=$(3)

Name: mmf
Description: Win32 memory-mapped files, named shared memory and sync objects for Linux
Version: $(VERSION)
Cflags: -I$${includedir}
Libs: -L$${libdir} -Wl,-rpath,$${libdir} -lmmf -Wl,-T,$(4)
Libs.private: -Wl,-u,mmf__kinds -lpthread
endef

# mmf-win32: the flags that compile a program's Windows code path on Linux (README.md,
# "Porting a Windows code path"): _WIN32 and _WIN64 as a Windows compiler defines them, the
# Linux macros gone (code that tests them first would take its Linux path), L"" as WCHAR.
define PCWIN32
Name: mmf-win32
Description: Compile a program's Windows code path against mmf
Version: $(VERSION)
Requires: mmf
Cflags: -D_WIN32 -D_WIN64 -DWIN32 -U__linux -U__linux__ -Ulinux -U__gnu_linux__ -fshort-wchar
endef

$(B)/mmf.pc: Makefile
	@mkdir -p $(@D)
	$(file >$@,$(call PCFILE,$(CURDIR),$(CURDIR)/include,$(CURDIR)/$(B),$(CURDIR)/$(SHARED_LD)))
	@echo wrote $@

$(B)/mmf-win32.pc: Makefile
	@mkdir -p $(@D)
	$(file >$@,$(PCWIN32))
	@echo wrote $@

# Tests: one runner binary with every test, linked against the shared library so the
# exported API is exactly what the tests can use. The UNICODE test is built the way ported
# code that writes L"" must be: with 16-bit wchar_t.
TEST_OBJ := $(TEST_SRC:test/%.c=$(B)/test/%.o)
$(B)/test/test-unicode.o $(B)/test/test-runtime.o $(B)/test/test-paths.o: CFLAGS_ALL += -fshort-wchar
$(B)/test/%.o: test/%.c $(TEST_HDR) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(B)/test/runner: $(TEST_OBJ) $(B)/libmmf.so $(SHARED_LD)
	$(CC) $(CFLAGS_ALL) -o $@ $(TEST_OBJ) -L$(B) -Wl,-rpath,$(CURDIR)/$(B) -lmmf $(PROG_LDFLAGS) \
	    $(LDFLAGS) $(LDLIBS_ALL)

# The library test-shared.c loads (MMF_SHARED in a library), next to the runner.
$(B)/test/mmfprobe.so: test/probe/mmfprobe.c $(HEADERS) $(B)/libmmf.so $(SHARED_LD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fPIC -shared -o $@ $< -L$(B) -Wl,-rpath,$(CURDIR)/$(B) -lmmf \
	    $(PROG_LDFLAGS) $(LDFLAGS) $(LDLIBS_ALL)
build/wine/mmfprobe.dll: test/probe/mmfprobe.c
	@mkdir -p $(@D)
	$(MINGW_CC) -std=gnu11 -O1 $(WARN) -shared -o $@ $<

# PE32+ and PE32 images for the SEC_IMAGE tests, built by mingw-w64 (x86-64 and i686), next
# to each runner.
MINGW32_CC ?= i686-w64-mingw32-gcc
FIXTURE_FLAGS := -std=gnu11 -O1 -shared -s
$(B)/test/fixture64.dll build/wine/fixture64.dll: test/probe/fixture.c
	@mkdir -p $(@D)
	$(MINGW_CC) $(FIXTURE_FLAGS) -o $@ $<
$(B)/test/fixture32.dll build/wine/fixture32.dll: test/probe/fixture.c
	@mkdir -p $(@D)
	$(MINGW32_CC) $(FIXTURE_FLAGS) -o $@ $<

# Native-only tests: fault injection through the library's system-call table (so they
# link the archive), mmf's own API, permissions as another user, the on-disk namespace.
NATIVE_SRC := $(wildcard test/native/*.c)
$(B)/test/native: $(NATIVE_SRC) test/native/native-list.h test/native/native.h test/runner.c $(TEST_HDR) $(B)/libmmf.a \
    $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LIB_CHECKS) -Isrc -D_GNU_SOURCE '-DTEST_LIST="native/native-list.h"' -o $@ \
	    test/runner.c $(NATIVE_SRC) -Wl,-u,mmf__kinds $(B)/libmmf.a $(LDFLAGS) $(LDLIBS_ALL)

check: $(B)/test/runner $(B)/test/mmfprobe.so $(B)/test/fixture64.dll $(B)/test/fixture32.dll \
    $(B)/test/native $(B)/mmf $(EXAMPLES) check-symbols check-layers
	MMF_TEST_TIMEOUT=$(TEST_TIMEOUT) $(B)/test/native
	sh test/cli.sh $(B)
	sh test/examples.sh $(B)
	MMF_TEST_TIMEOUT=$(TEST_TIMEOUT) $(B)/test/runner

# Real programs' Windows code paths on mmf: LMDB and SQLite from Debian's source packages
# (fetched at test time, cached outside the tree), our drivers and the seeds' programs.
check-clients: all
	sh test/clients/run.sh $(B)

# Every test process under memcheck: any error or definite leak fails the run.
check-valgrind: $(B)/test/runner $(B)/test/mmfprobe.so $(B)/test/fixture64.dll \
    $(B)/test/fixture32.dll
	MMF_TEST_TIMEOUT=300 valgrind -q --trace-children=yes --error-exitcode=9 \
	    --suppressions=$(CURDIR)/test/valgrind.supp \
	    --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite $(B)/test/runner

# Only Win32 names, the Microsoft C runtime's (_str*, _beginthreadex…) and mmf_ ones may leave
# the shared library.
check-symbols: $(B)/libmmf.so
	@bad=$$(nm -D --defined-only $(B)/libmmf.so | awk '$$2 ~ /[TDBR]/ {print $$3}' | grep -Ev '^([A-Z][A-Za-z0-9]+|lstr[a-z]+[AW]?|mmf_[a-z_]+|_(get|open)_osfhandle|_aligned_(malloc|free)|_(begin|end)threadex|_getche?|_kbhit|_(str|wcs)[a-z]+|_init|_fini)$$' || true); \
	if [ -n "$$bad" ]; then echo "non-public symbols exported: $$bad"; exit 1; fi; \
	echo "exported symbols: ok"

# Components only point down: base <- ob <- io, sync <- mm <- ps <- admin, by include and
# by call (each object's undefined symbols), and no two files call each other in a cycle.
check-layers: $(LIB_OBJ)
	@sh test/check-layers.sh $(B)/obj base ob io,sync mm ps admin

build/wine/runner.exe: $(TEST_SRC) $(TEST_HDR)
	@mkdir -p $(@D)
	$(MINGW_CC) -std=gnu11 -O1 $(WARN) -D__USE_MINGW_ANSI_STDIO=1 -o $@ $(TEST_SRC)

WINE_EXAMPLES := $(patsubst examples/%.c,build/wine/examples/%.exe,$(wildcard examples/*.c))

build/wine/examples/%.exe: examples/%.c examples/shared.h
	@mkdir -p $(@D)
	$(MINGW_CC) -std=gnu11 -O1 $(WARN) -D__USE_MINGW_ANSI_STDIO=1 -o $@ $<

check-wine: build/wine/runner.exe build/wine/mmfprobe.dll build/wine/fixture64.dll \
    build/wine/fixture32.dll $(WINE_EXAMPLES)
	WINEDEBUG=-all MMF_TEST_TIMEOUT=$(TEST_TIMEOUT) $(WINE) build/wine/runner.exe
	WINEDEBUG=-all WINE=$(WINE) sh test/examples.sh build/wine/examples --wine

# Benchmarks: Win32 programs (bench/*.c) built against mmf and, for bench-wine, with
# mingw-w64; the POSIX floor (bench/floor/*.c) built plainly. One table, medians.
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
FLOOR_BIN := $(B)/bench/floor/futex_pingpong_tuned $(B)/bench/floor/futex_pingpong_plain \
    $(B)/bench/floor/futex_turn_tuned $(B)/bench/floor/pipe_pingpong_plain \
    $(B)/bench/floor/ring_plain $(B)/bench/floor/ring_tuned \
    $(B)/bench/floor/shm_tuned $(B)/bench/floor/memory_tuned $(B)/bench/floor/scale_once \
    $(B)/bench/floor/spawn_tuned
WINE_BENCH := $(BENCH_SRC:bench/%.c=build/wine/bench/%.exe)
# Boost.Interprocess, the peer a Linux user would pick: built when libboost-dev is there.
BOOST_BIN := $(if $(wildcard /usr/include/boost/interprocess/shared_memory_object.hpp),$(B)/bench/peers/boost)
CXX ?= g++

$(B)/bench/peers/boost: bench/peers/boost.cpp bench/floor/floor.h
	@mkdir -p $(@D)
	$(CXX) -std=gnu++17 -O2 -Wall -Wextra -Wshadow $(filter -Werror,$(WARN)) -o $@ $< -lpthread -lrt

$(B)/bench/%: bench/%.c bench/bench.h $(B)/libmmf.so
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< -L$(B) -Wl,-rpath,$(CURDIR)/$(B) -lmmf $(LDFLAGS) $(LDLIBS_ALL)

$(B)/bench/floor/futex_pingpong_tuned: SPINS := 30000
$(B)/bench/floor/futex_pingpong_plain: SPINS := 0
$(B)/bench/floor/futex_pingpong_%: bench/floor/futex_pingpong.c bench/floor/floor.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -DSPINS=$(SPINS) -o $@ $< $(LDFLAGS) $(LDLIBS_ALL)

# ring_tuned: the ring whose two sides poll (no system call), the copies' own bound.
$(B)/bench/floor/ring_tuned: bench/floor/ring.c bench/floor/floor.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -DBUSY_WAIT -o $@ $< $(LDFLAGS) $(LDLIBS_ALL)

# scale_once: bench/run.sh runs it once, beside bench/scale.
$(B)/bench/floor/%_tuned $(B)/bench/floor/%_plain $(B)/bench/floor/%_once: bench/floor/%.c \
    bench/floor/floor.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LDFLAGS) $(LDLIBS_ALL)

build/wine/bench/%.exe: bench/%.c bench/bench.h
	@mkdir -p $(@D)
	$(MINGW_CC) -std=gnu11 -O2 $(WARN) -D__USE_MINGW_ANSI_STDIO=1 -o $@ $<

# Builds every benchmark without running one (CI: they compile with -Werror).
bench-build: $(BENCH_BIN) $(FLOOR_BIN) $(BOOST_BIN) $(WINE_BENCH)

bench: $(BENCH_BIN) $(FLOOR_BIN) $(BOOST_BIN)
	@sh bench/run.sh $(B)

bench-wine: $(BENCH_BIN) $(FLOOR_BIN) $(BOOST_BIN) $(WINE_BENCH)
	@sh bench/run.sh $(B) --wine

# LMDB and SQLite (as make check-clients gets them): their Windows code paths through mmf
# against their own POSIX builds, the same workload, in one run.
bench-clients: all
	@sh bench/clients/run.sh $(B)

# Fuzzing (test/fuzz/): what mmf reads from the namespace, with clang's libFuzzer, ASan,
# UBSan and the invariant checks; seeds in test/fuzz/corpus, what a run finds in
# build/fuzz/corpus. `make fuzz` runs FUZZ_SECONDS (CI: 120); longer by hand.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -DMMF_CHECKS
.PHONY: fuzz fuzz-lib fuzz-seeds
fuzz-lib:
	@$(MAKE) --no-print-directory B=build/fuzz CC=$(FUZZ_CC) \
	    CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" build/fuzz/libmmf.a

build/fuzz/namespace: test/fuzz/namespace.c fuzz-lib
	$(FUZZ_CC) -std=gnu11 -g -O1 $(WARN) -Iinclude -Isrc -D_GNU_SOURCE -fsanitize=fuzzer \
	    $(FUZZ_SAN) -o $@ $< build/fuzz/libmmf.a -lpthread

build/fuzz/handoff: test/fuzz/handoff.c fuzz-lib
	$(FUZZ_CC) -std=gnu11 -g -O1 $(WARN) -Iinclude -Isrc -D_GNU_SOURCE -fsanitize=fuzzer \
	    $(FUZZ_SAN) -o $@ $< -Wl,-u,mmf__kinds build/fuzz/libmmf.a -lpthread

build/fuzz/image: test/fuzz/image.c fuzz-lib
	$(FUZZ_CC) -std=gnu11 -g -O1 $(WARN) -Iinclude -Isrc -D_GNU_SOURCE -fsanitize=fuzzer \
	    $(FUZZ_SAN) -o $@ $< build/fuzz/libmmf.a -lpthread

# The PE parser's seeds: the smallest programs mingw-w64 makes, PE32+ and PE32 (each
# where its compiler is installed), built here rather than committed.
build/fuzz/image-seeds:
	@mkdir -p $@
	@for cc in x86_64-w64-mingw32-gcc i686-w64-mingw32-gcc; do \
	    ! command -v $$cc >/dev/null || \
	        echo 'int main(void) { return 0; }' | $$cc -x c -O1 -s -o $@/$$cc.exe - ; done

# Each target runs FUZZ_SECONDS: the namespace (corpus test/fuzz/corpus), the handoff a
# child reads (test/fuzz/handoff-corpus), and the PE parser.
fuzz: build/fuzz/namespace build/fuzz/handoff build/fuzz/image build/fuzz/image-seeds
	@mkdir -p build/fuzz/corpus build/fuzz/handoff-corpus build/fuzz/image-corpus
	@echo "fuzzing for $(FUZZ_SECONDS) s a target, progress in build/fuzz/*.log"
	@build/fuzz/namespace -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 build/fuzz/corpus test/fuzz/corpus >build/fuzz/fuzz.log 2>&1 \
	    || { tail -n 60 build/fuzz/fuzz.log; exit 1; }
	@grep -E '^(Done|stat::)' build/fuzz/fuzz.log
	@build/fuzz/handoff -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 build/fuzz/handoff-corpus test/fuzz/handoff-corpus \
	    >build/fuzz/handoff.log 2>&1 || { tail -n 60 build/fuzz/handoff.log; exit 1; }
	@grep -E '^(Done|stat::)' build/fuzz/handoff.log
	@build/fuzz/image -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -max_len=70000 -print_final_stats=1 build/fuzz/image-corpus build/fuzz/image-seeds \
	    >build/fuzz/image.log 2>&1 || { tail -n 60 build/fuzz/image.log; exit 1; }
	@grep -E '^(Done|stat::)' build/fuzz/image.log

# The corpus's seeds of the current format, from real objects (after a format change).
fuzz-seeds: $(B)/libmmf.a
	$(CC) $(CFLAGS_ALL) -Isrc -D_GNU_SOURCE -o $(B)/fuzz-seeds test/fuzz/seeds.c $(B)/libmmf.a \
	    $(LDFLAGS) $(LDLIBS_ALL)
	$(B)/fuzz-seeds test/fuzz/corpus
	$(CC) $(CFLAGS_ALL) -Isrc -D_GNU_SOURCE -o $(B)/handoff-seeds test/fuzz/handoff-seeds.c \
	    -Wl,-u,mmf__kinds $(B)/libmmf.a $(LDFLAGS) $(LDLIBS_ALL)
	@mkdir -p test/fuzz/handoff-corpus
	$(B)/handoff-seeds test/fuzz/handoff-corpus

demo: all $(EXAMPLES)
	@sh examples/demo.sh $(B)

$(B)/examples/%: examples/%.c examples/shared.h $(B)/libmmf.so $(SHARED_LD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< -L$(B) -Wl,-rpath,$(CURDIR)/$(B) -lmmf $(PROG_LDFLAGS) $(LDFLAGS) \
	    $(LDLIBS_ALL)

# Headers go to a root of their own: a <windows.h> in the system include path would make
# other software's configure checks believe they are building for Windows.
WININC = $(INCLUDEDIR)/mmf-win32
install: all
	install -d $(DESTDIR)$(WININC)/mmf $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(B)/mmf $(DESTDIR)$(BINDIR)/
	install -m 644 docs/mmf.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 include/*.h $(DESTDIR)$(WININC)/
	install -m 644 include/mmf/*.h $(DESTDIR)$(WININC)/mmf/
	install -m 644 $(B)/libmmf.a $(DESTDIR)$(LIBDIR)/
	install -d $(DESTDIR)$(LIBDIR)/mmf
	install -m 644 $(SHARED_LD) $(DESTDIR)$(LIBDIR)/mmf/
	install -m 755 $(B)/libmmf.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libmmf.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libmmf.so.$(SOVERSION)
	ln -sf libmmf.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libmmf.so
	$(file >$(B)/mmf-installed.pc,$(call PCFILE,$(PREFIX),$(WININC),$(LIBDIR),$(LIBDIR)/mmf/shared.ld))
	install -m 644 $(B)/mmf-installed.pc $(DESTDIR)$(LIBDIR)/pkgconfig/mmf.pc
	install -m 644 $(B)/mmf-win32.pc $(DESTDIR)$(LIBDIR)/pkgconfig/

clean:
	rm -rf build
