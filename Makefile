# Thin wrapper around meson: the two commands a new user needs.
#   make run    install what is missing, build, start Vireo with a demo VM
#   make check  install what is missing, build, run every test; then the
#               unit and integration tests again under AddressSanitizer and
#               UBSan (build-asan), and each fuzzer for 20 s (build-fuzz)
#   make fuzz   each libFuzzer harness for FUZZ_SECONDS (default 300)
#   make screenshots  retake data/screenshots/*.png, the metainfo's, of
#               the real windows under Xvfb (make check does not)
BUILDDIR ?= build
ASANDIR ?= build-asan
FUZZDIR ?= build-fuzz
FUZZ_SECONDS ?= 300
MESON ?= meson

.PHONY: all deps build build-asan build-fuzz check fuzz run bench screenshots clean

all: build

deps:
	@./build-aux/install-deps.sh

$(BUILDDIR)/build.ninja:
	$(MESON) setup $(BUILDDIR)

build: deps $(BUILDDIR)/build.ninja
	ninja -C $(BUILDDIR)

$(ASANDIR)/build.ninja:
	$(MESON) setup $(ASANDIR) -Db_sanitize=address,undefined -Db_lundef=false

build-asan: deps $(ASANDIR)/build.ninja
	ninja -C $(ASANDIR)

# The harnesses need clang's libFuzzer; only they are built there.
$(FUZZDIR)/build.ninja:
	CC=clang $(MESON) setup $(FUZZDIR) -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false

build-fuzz: deps $(FUZZDIR)/build.ninja
	ninja -C $(FUZZDIR) fuzzers

# Every stage runs; build-aux/check-all.sh says which failed, and counts.
check: build build-asan build-fuzz
	@./build-aux/check-all.sh $(BUILDDIR) $(ASANDIR) $(FUZZDIR)

fuzz: build-fuzz
	@./tests/fuzz/run-fuzz.sh $(FUZZDIR) $(FUZZ_SECONDS)

run: build
	@./build-aux/run-demo.sh $(BUILDDIR)

bench: build
	@./bench/run.sh $(BUILDDIR)

screenshots: build
	@./build-aux/take-screenshots.sh $(BUILDDIR)

clean:
	rm -rf $(BUILDDIR) $(ASANDIR) $(FUZZDIR)
