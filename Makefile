# Thin wrapper around meson: the two commands a new user needs.
#   make run    install what is missing, build, start Vireo with a demo VM
#   make check  install what is missing, build, run every test
BUILDDIR ?= build
MESON ?= meson

.PHONY: all deps build check run bench clean

all: build

deps:
	@./build-aux/install-deps.sh

$(BUILDDIR)/build.ninja:
	$(MESON) setup $(BUILDDIR)

build: deps $(BUILDDIR)/build.ninja
	ninja -C $(BUILDDIR)

check: build
	@./build-aux/run-tests.sh $(BUILDDIR)

run: build
	@./build-aux/run-demo.sh $(BUILDDIR)

bench: build
	@./bench/run.sh $(BUILDDIR)

clean:
	rm -rf $(BUILDDIR)
