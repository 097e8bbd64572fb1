# cvxrelu: build, dependencies, tests, reproduction of the slides' claims.
#   make reproduce   run every config in configs/ (those changed since their run), render their figures, print
#                    and check the claims table
#   make test        build and run the cmocka suite (SANITIZE=1: under ASan and UBSan)
#   make bench       benchmarks (not tests): timings against independent implementations
#   make bench-paper copy the measured benchmark tables (bench/results) to paper/bench/ for the paper
#   make install     PREFIX=/usr/local: the program, the library libcvxrelu (.a, .so), its headers, cvxrelu.pc, the
#                    man page and the Python module (see "install"); make uninstall removes them
# `make deps` installs the Debian packages every target needs; each target first checks only its own (deps-build,
# deps-test, deps-paper: see "dependencies").

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDEXPANSION:

VERSION := 0.1.0
CC      ?= gcc
PKGS    := gsl yaml-0.1 openblas
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
BUILD   := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1 -g
else
BUILD   := build
SANFLAGS :=
OPT     := -O2 -g
endif

# pkg-config is asked only once deps exist; `make deps` needs none of it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# GSL's own CBLAS is never linked: OpenBLAS provides cblas_* and LAPACK.
PKG_LIBS   = -lgsl $(shell pkg-config --libs yaml-0.1 openblas zlib 2>/dev/null) -lm
# -dirty: the program's own sources differ from the commit. Configs, figures and README.md are not part of the
# program: editing them (or a `make reproduce` redrawing the tracked figures) must not rebuild it and so rerun
# every experiment.
GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD -- src experiments 2>/dev/null || echo -dirty)

CFLAGS_ALL = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) -Wall -Wextra -Wshadow \
             -Wno-unused-parameter -MMD -MP -Isrc -Isrc/harness -Iexperiments $(PKG_CFLAGS) $(SANFLAGS) \
             -DCR_VERSION='"$(VERSION)"' $(CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)

# src/ is the numerics (libcvxrelu.a); src/harness/ and experiments/ are the program (libcrprog.a plus main).
LIB_SRC := $(sort $(wildcard src/*.c))
HARNESS_SRC := $(filter-out src/harness/main.c,$(sort $(wildcard src/harness/*.c)))
EXP_SRC := $(sort $(wildcard experiments/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
PROG_OBJ := $(HARNESS_SRC:%.c=$(BUILD)/%.o) $(EXP_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
LIB      := $(BUILD)/libcvxrelu.a
PROGLIB  := $(BUILD)/libcrprog.a
PROG     := $(BUILD)/cvxrelu
# The program's archive first: it calls the library, never the other way round.
LINK_LIBS = $(PROGLIB) $(LIB)

.PHONY: all deps test reproduce figures clean bench bench-deps readme paper ablations

all: $(LIB) $(PROGLIB) $(PROG)

# ---------------------------------------------------------------- dependencies
# Each target checks only the Debian packages it needs, by asking dpkg (as any user, with any PATH: no daemon
# has to be on PATH). Missing ones are installed through apt-get as root; any other user gets the exact
# apt-get line to run as root, and the target fails. a/b/c: any one of a, b, c (a is installed).
#   deps-build: make reproduce, make ablations; deps-test: make test; deps-paper: make paper; deps: all three.
DEBS_BUILD  := gcc libc6-dev pkg-config/pkgconf libgsl-dev libyaml-dev libopenblas-dev zlib1g-dev \
               gnuplot-nox/gnuplot-qt/gnuplot-x11
DEBS_TEST   := libcmocka-dev python3-numpy python3-scipy python3-cvxopt python3-yaml git
# Installed without their recommendations (large and unused): GNU parallel and a single-node Slurm for the
# sweep tests (tests/test_sweep.c), LaTeX for paper/; the real data sets of configs/real/ and tests/test_dataload.c
# (scikit-learn's bundled CSV files, Fashion-MNIST; docs/data.md).
DEBS_REAL_NOREC  := python3-sklearn dataset-fashion-mnist
DEBS_TEST_NOREC  := parallel slurmctld slurmd slurm-client munge $(DEBS_REAL_NOREC)
DEBS_PAPER_NOREC := latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended

# $(call debs,NAME,PACKAGES,PACKAGES-WITHOUT-RECOMMENDS): recipe of a dependency target called NAME.
define debs
@have() { local p; for p in $$(echo "$$1" | tr / ' '); do \
  dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q ' installed$$' && return 0; done; return 1; }; \
if ! command -v dpkg-query >/dev/null; then \
  echo "$(1): not a Debian system (no dpkg-query), not checked; needs the equivalents of: $(2) $(3)" >&2; exit 0; fi; \
rec=; norec=; \
for a in $(2); do have "$$a" || rec="$$rec $${a%%/*}"; done; \
for a in $(3); do have "$$a" || norec="$$norec $${a%%/*}"; done; \
if [ -z "$$rec$$norec" ]; then echo "$(1): all Debian packages present"; exit 0; fi; \
line="apt-get update"; \
[ -z "$$rec" ] || line="$$line && apt-get install -y$$rec"; \
[ -z "$$norec" ] || line="$$line && apt-get install -y --no-install-recommends$$norec"; \
if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
  echo "$(1): installing Debian packages:$$rec$$norec"; \
  export DEBIAN_FRONTEND=noninteractive; \
  { apt-get update -q >/dev/null && \
    { [ -z "$$rec" ] || apt-get install -y -q $$rec >/dev/null; } && \
    { [ -z "$$norec" ] || apt-get install -y -q --no-install-recommends $$norec >/dev/null; }; } \
    || { echo "$(1): apt-get failed; run: $$line" >&2; exit 1; }; \
else \
  echo "$(1): missing Debian packages:$$rec$$norec; as root run:" >&2; echo "  $$line" >&2; exit 1; \
fi
endef

.PHONY: deps-build deps-test deps-paper
deps-build:
	$(call debs,$@,$(DEBS_BUILD),)
deps-test:
	$(call debs,$@,$(DEBS_BUILD) $(DEBS_TEST),$(DEBS_TEST_NOREC))
deps-paper:
	$(call debs,$@,$(DEBS_BUILD),$(DEBS_PAPER_NOREC))
deps:
	$(call debs,$@,$(DEBS_BUILD) $(DEBS_TEST),$(DEBS_TEST_NOREC) $(DEBS_PAPER_NOREC))

# -------------------------------------------------------------------- building
$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# The commit is baked only into the object that reports it, so a commit does not rebuild everything.
$(BUILD)/src/harness/manifest.o: CFLAGS_ALL += -DCR_GIT_COMMIT='"$(GIT_COMMIT)"'
$(BUILD)/src/harness/manifest.o: $(BUILD)/git-commit.txt
$(BUILD)/git-commit.txt: FORCE
	@mkdir -p $(@D); echo '$(GIT_COMMIT)' | cmp -s - $@ || echo '$(GIT_COMMIT)' > $@
FORCE:

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(PROGLIB): $(PROG_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(PROG): $(BUILD)/src/harness/main.o $(PROGLIB) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LINK_LIBS) $(PKG_LIBS)

$(BUILD)/tests/%: tests/%.c $(LIB) $(PROGLIB) tests/testutil.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests -DCR_SOURCE_DIR='"$(CURDIR)"' $< -o $@ $(LDFLAGS_ALL) $(LINK_LIBS) \
	  $(PKG_LIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

# bench/benchutil.c (not a bench_*.c, so not a benchmark itself) holds what the benchmarks share.
BENCH_UTIL := $(BUILD)/bench/benchutil.o
$(BUILD)/bench/%: bench/%.c $(BENCH_UTIL) $(LIB) $(PROGLIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $< -o $@ $(LDFLAGS_ALL) $(BENCH_UTIL) $(LINK_LIBS) $(PKG_LIBS)

-include $(wildcard $(BUILD)/src/*.d $(BUILD)/src/harness/*.d $(BUILD)/experiments/*.d $(BUILD)/tests/*.d $(BUILD)/bench/*.d)

# ----------------------------------------------------------------------- tests
# Each cmocka binary, then each tests/test_*.sh (the Makefile's own tests), runs from the source root; a failing
# one fails the target after all have run. Debian installs the daemons test_sweep starts (slurmctld, munged)
# in /usr/sbin, which an ordinary user's PATH lacks.
TEST_SH := $(sort $(wildcard tests/test_*.sh))
test: deps-test
	@$(MAKE) --no-print-directory all-tests
	@fail=0; for t in $(TEST_BIN) $(TEST_SH); do \
	  echo "== $$t"; case $$t in *.sh) run="bash $$t" ;; *) run=$$t ;; esac; \
	  PATH="$$PATH:/usr/sbin:/sbin" CR_PROG=$(CURDIR)/$(PROG) $$run || fail=1; done; \
	if [ $$fail = 0 ]; then echo "make test: all test binaries passed"; else echo "make test: FAILURES" >&2; exit 1; fi

.PHONY: all-tests
all-tests: $(PROG) $(TEST_BIN)

# -------------------------------------------------------------------- install
# `make install PREFIX=/usr/local` (DESTDIR=... stages into DESTDIR$(PREFIX)), `make uninstall` with the same
# variables removes exactly what install wrote. Installed: the program (bin/cvxrelu); the numerics of src/ (never
# the harness nor the experiment drivers) as lib/libcvxrelu.a and the shared library lib/libcvxrelu.so.$(VERSION)
# (SONAME libcvxrelu.so.$(SOMAJOR), built from its own -fPIC objects in $(BUILD)/pic) with its two links; the
# public headers (src/*.h except the private *_impl.h) as include/cvxrelu/*.h, so that a program includes
# <cvxrelu/convex.h>, or all of them through <cvxrelu/cvxrelu.h> (written here from that list);
# lib/pkgconfig/cvxrelu.pc; the man page share/man/man1/cvxrelu.1; the Python module (python/cvxrelu.py, ctypes
# over the shared library) in PYTHONDIR, told where the library was installed. As root without DESTDIR, install refreshes the loader's cache (ldconfig).
# tests/test_install.sh installs into a temporary prefix and builds the README's C and Python examples there.
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
MANDIR       ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# Where Debian's python3 looks for modules under /usr/local (lib/python3.X/dist-packages); elsewhere put PYTHONDIR
# on PYTHONPATH.
PYTHONDIR    ?= $(PREFIX)/lib/$(shell /usr/bin/python3 -c 'import sys; print("python%d.%d" % sys.version_info[:2])' 2>/dev/null || echo python3)/dist-packages
LDCONFIG     ?= ldconfig

SOMAJOR    := $(firstword $(subst ., ,$(VERSION)))
SONAME     := libcvxrelu.so.$(SOMAJOR)
SHLIB_REAL := $(BUILD)/libcvxrelu.so.$(VERSION)
SHLIB      := $(BUILD)/libcvxrelu.so
PIC_OBJ    := $(LIB_SRC:%.c=$(BUILD)/pic/%.o)
# Everything under src/ but the private headers of a method's several files.
INSTALL_HDR := $(filter-out %_impl.h,$(sort $(wildcard src/*.h)))
# Link lines of the shared library and of cvxrelu.pc: GSL is part of the public interface (gsl_rng * arguments,
# so a caller that frees its generator links GSL itself); OpenBLAS (cblas_* and LAPACK, never -lgslcblas) and
# libm are the library's own business.
SHLIB_LIBS  = -lgsl $(shell pkg-config --libs openblas 2>/dev/null) -lm

# tests/test_python.sh (make test) runs the Python module's tests with Debian's pytest.
DEBS_TEST += python3-pytest

.PHONY: install uninstall shared
all: $(SHLIB)
all-tests: $(SHLIB)
shared: $(SHLIB)

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fPIC -c $< -o $@

# --no-undefined: the library must not call into the program (the harness, the drivers).
$(SHLIB_REAL): $(PIC_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined $(LDFLAGS_ALL) -o $@ $^ $(SHLIB_LIBS)

$(SHLIB): $(SHLIB_REAL)
	ln -sf $(notdir $<) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $@

-include $(wildcard $(BUILD)/pic/src/*.d)

# The installed files, relative to DESTDIR: uninstall removes these and nothing else (and include/cvxrelu/ once
# empty), so directories such as $(PREFIX)/lib that others share stay.
INSTALLED = $(BINDIR)/cvxrelu $(LIBDIR)/libcvxrelu.a $(LIBDIR)/libcvxrelu.so.$(VERSION) $(LIBDIR)/$(SONAME) \
            $(LIBDIR)/libcvxrelu.so $(INSTALL_HDR:src/%=$(INCLUDEDIR)/cvxrelu/%) $(INCLUDEDIR)/cvxrelu/cvxrelu.h \
            $(PKGCONFIGDIR)/cvxrelu.pc \
            $(MANDIR)/man1/cvxrelu.1 $(PYTHONDIR)/cvxrelu.py

install: all
	@[ "$(SANITIZE)" != 1 ] || { echo "install: not a sanitizer build (drop SANITIZE=1)" >&2; exit 1; }
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(LIBDIR)' '$(DESTDIR)$(INCLUDEDIR)/cvxrelu' \
	  '$(DESTDIR)$(PKGCONFIGDIR)' '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(PYTHONDIR)'
	install -m 755 $(PROG) '$(DESTDIR)$(BINDIR)/cvxrelu'
	install -m 644 $(LIB) '$(DESTDIR)$(LIBDIR)/libcvxrelu.a'
	install -m 755 $(SHLIB_REAL) '$(DESTDIR)$(LIBDIR)/libcvxrelu.so.$(VERSION)'
	ln -sfn libcvxrelu.so.$(VERSION) '$(DESTDIR)$(LIBDIR)/$(SONAME)'
	ln -sfn $(SONAME) '$(DESTDIR)$(LIBDIR)/libcvxrelu.so'
	install -m 644 $(INSTALL_HDR) '$(DESTDIR)$(INCLUDEDIR)/cvxrelu/'
	{ echo '/* Every header of the cvxrelu library (generated by make install). */'; \
	  echo '#ifndef CVXRELU_CVXRELU_H'; echo '#define CVXRELU_CVXRELU_H'; \
	  for h in $(notdir $(INSTALL_HDR)); do echo "#include <cvxrelu/$$h>"; done; \
	  echo '#endif'; } > '$(DESTDIR)$(INCLUDEDIR)/cvxrelu/cvxrelu.h'
	chmod 644 '$(DESTDIR)$(INCLUDEDIR)/cvxrelu/cvxrelu.h'
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' 'Name: cvxrelu' \
	  'Description: convex training of two-layer ReLU networks: patterns, the certified convex program, networks, training' \
	  'Version: $(VERSION)' 'Requires.private: openblas' 'Libs: -L$${libdir} -lcvxrelu -lgsl' 'Libs.private: -lm' \
	  'Cflags: -I$${includedir}' > '$(DESTDIR)$(PKGCONFIGDIR)/cvxrelu.pc'
	chmod 644 '$(DESTDIR)$(PKGCONFIGDIR)/cvxrelu.pc'
	install -m 644 man/cvxrelu.1 '$(DESTDIR)$(MANDIR)/man1/cvxrelu.1'
	sed 's|^_INSTALLED_LIBDIR = None$$|_INSTALLED_LIBDIR = "$(LIBDIR)"|' python/cvxrelu.py > '$(DESTDIR)$(PYTHONDIR)/cvxrelu.py'
	chmod 644 '$(DESTDIR)$(PYTHONDIR)/cvxrelu.py'
	@if [ -z '$(DESTDIR)' ] && [ "$$(id -u)" = 0 ]; then $(LDCONFIG) || true; fi

# Python leaves the module's bytecode beside it (__pycache__) when it may write there: it goes too.
uninstall:
	rm -f $(foreach f,$(INSTALLED),'$(DESTDIR)$(f)') '$(DESTDIR)$(PYTHONDIR)'/__pycache__/cvxrelu.*.pyc
	@! [ -d '$(DESTDIR)$(PYTHONDIR)/__pycache__' ] || rmdir --ignore-fail-on-non-empty '$(DESTDIR)$(PYTHONDIR)/__pycache__'
	@! [ -d '$(DESTDIR)$(INCLUDEDIR)/cvxrelu' ] || rmdir '$(DESTDIR)$(INCLUDEDIR)/cvxrelu'
	@if [ -z '$(DESTDIR)' ] && [ "$$(id -u)" = 0 ]; then $(LDCONFIG) || true; fi

# ------------------------------------------------------------------ reproduce
# Each config runs once per call, and only when it or the program changed since its run (results/NAME/claims.csv
# older than either); a figure is redrawn only when its run changed. `make reproduce CONFIGS="configs/a.yaml
# configs/b.yaml"` restricts everything to those configs and their figures.
CONFIGS  := $(sort $(wildcard configs/*.yaml))
ifneq ($(filter-out configs/%.yaml,$(CONFIGS)),)
$(error CONFIGS: not of the form configs/NAME.yaml: $(filter-out configs/%.yaml,$(CONFIGS)))
endif
RUN_DIRS := $(CONFIGS:configs/%.yaml=results/%)
# Ablation sweeps (configs/ablations/, see below) run with reproduce unless CONFIGS restricts it.
ifeq ($(origin CONFIGS),command line)
ABL_CONFIGS :=
else
ABL_CONFIGS := $(sort $(wildcard configs/ablations/*.yaml))
endif
ABL_SWEEPS  := $(ABL_CONFIGS:configs/ablations/%.yaml=results/ablations/%/sweep.csv)
ABL_FIGS    := $(ABL_CONFIGS:configs/ablations/%.yaml=figures/ablations/%.png) \
               $(ABL_CONFIGS:configs/ablations/%.yaml=figures/ablations/%.pdf)
RUNS     := $(RUN_DIRS:%=%/claims.csv)
# figures/NAME.gp and figures/NAME-PART.gp read results/NAME/.
fig_run = results/$(firstword $(subst -, ,$(notdir $(basename $(1)))))/claims.csv
FIG_GP   := $(foreach g,$(sort $(wildcard figures/*.gp)),$(if $(filter $(call fig_run,$(g)),$(RUNS)),$(g)))
FIG_PNG  := $(FIG_GP:%.gp=%.png)
FIG_PDF  := $(FIG_GP:%.gp=%.pdf)
# OpenBLAS threads are pinned by the program itself (config key `threads`), recorded in each manifest.

# A run folder belongs to the program (complete or absent): make never deletes a file in it. Exit status 3 (the
# run completed, a claim failed) leaves a complete, current run: its figures are drawn and the claims table
# (below) fails. Any other failure makes the old claims.csv, if any, out of date so that the next call reruns it.
.PRECIOUS: results/%/claims.csv
results/%/claims.csv: configs/%.yaml $(PROG)
	@echo "$(PROG) run $< --out results/$* --quiet"; \
	$(PROG) run $< --out results/$* --quiet; st=$$?; \
	case $$st in \
	  0) ;; \
	  3) echo "run $<: a claim failed (see the claims table)" >&2 ;; \
	  *) [ ! -e $@ ] || touch -d @0 $@; echo "run $<: failed (exit status $$st)" >&2; exit $$st ;; \
	esac

figures/%.png figures/%.pdf: figures/%.gp figures/style.gnuplot $$(call fig_run,$$*)
	@echo "gnuplot $< (figures/$*.png, figures/$*.pdf)"; \
	res=$(dir $(call fig_run,$*)); res=$${res%/}; \
	gnuplot -e "res='$$res'; out='figures/$*'; term='png'" $< && mv -f figures/$*.png.tmp figures/$*.png && \
	gnuplot -e "res='$$res'; out='figures/$*'; term='pdf'" $< && mv -f figures/$*.pdf.tmp figures/$*.pdf

figures: $(FIG_PNG) $(FIG_PDF)

# Everything reproduce makes, in one make so that figures wait for their runs: -k runs every config it can.
# The ablation sweeps (below) are part of it: their figures are drawn from this call's runs, never committed
# leftovers.
.PHONY: reproduce-files
reproduce-files: $(PROG) $(RUNS) $(FIG_PNG) $(FIG_PDF) $(ABL_FIGS)

# The claims table is aggregated from the runs' claims.csv (it runs nothing), so it is printed on every call,
# and fails the target when a claim failed or a run is missing.
reproduce: deps-build
	@$(MAKE) --no-print-directory -k -j$$(nproc) reproduce-files; st=$$?; \
	if [ -x $(PROG) ]; then $(PROG) claims $(if $(wildcard configs/refuted.csv),--refuted configs/refuted.csv) \
	  results $(RUN_DIRS) || st=1; fi; \
	for f in $(FIG_PNG) $(FIG_PDF) $(ABL_FIGS); do [ -s $$f ] || { echo "reproduce: missing figure $$f" >&2; st=1; }; done; \
	[ $$st = 0 ] || echo "make reproduce: FAILED (see above)" >&2; exit $$st

# ------------------------------------------------------------ reproduce-full
# configs/full/NAME.yaml: the many-instance studies at full size (too long for `make reproduce`'s five
# minutes), run into results/full/NAME; figures/full/NAME*.gp read them. CI runs this target too.
FULL_CONFIGS := $(sort $(wildcard configs/full/*.yaml))
FULL_DIRS    := $(FULL_CONFIGS:configs/full/%.yaml=results/full/%)
FULL_RUNS    := $(FULL_DIRS:%=%/claims.csv)
full_run = results/full/$(firstword $(subst -, ,$(notdir $(basename $(1)))))/claims.csv
FULL_FIG_GP  := $(foreach g,$(sort $(wildcard figures/full/*.gp)),$(if $(filter $(call full_run,$(g)),$(FULL_RUNS)),$(g)))
FULL_FIGS    := $(FULL_FIG_GP:%.gp=%.png) $(FULL_FIG_GP:%.gp=%.pdf)

.PRECIOUS: results/full/%/claims.csv
results/full/%/claims.csv: configs/full/%.yaml $(PROG)
	@echo "$(PROG) run $< --out results/full/$* --quiet"; \
	$(PROG) run $< --out results/full/$* --quiet; st=$$?; \
	case $$st in \
	  0) ;; \
	  3) echo "run $<: a claim failed (see the claims table)" >&2 ;; \
	  *) [ ! -e $@ ] || touch -d @0 $@; echo "run $<: failed (exit status $$st)" >&2; exit $$st ;; \
	esac

figures/full/%.png figures/full/%.pdf: figures/full/%.gp figures/style.gnuplot $$(call full_run,$$*)
	@echo "gnuplot $< (figures/full/$*.png, figures/full/$*.pdf)"; \
	res=$(dir $(call full_run,$*)); res=$${res%/}; \
	gnuplot -e "res='$$res'; out='figures/full/$*'; term='png'" $< && mv -f figures/full/$*.png.tmp figures/full/$*.png && \
	gnuplot -e "res='$$res'; out='figures/full/$*'; term='pdf'" $< && mv -f figures/full/$*.pdf.tmp figures/full/$*.pdf

.PHONY: reproduce-full reproduce-full-files
reproduce-full-files: $(PROG) $(FULL_RUNS) $(FULL_FIGS)
reproduce-full: deps-build
	@[ -n "$(FULL_CONFIGS)" ] || { echo "reproduce-full: no configs/full/*.yaml"; exit 0; }; \
	$(MAKE) --no-print-directory -k -j$$(nproc) reproduce-full-files; st=$$?; \
	if [ -x $(PROG) ]; then $(PROG) claims $(if $(wildcard configs/full/refuted.csv),--refuted configs/full/refuted.csv) \
	  results/full $(FULL_DIRS) || st=1; fi; \
	[ $$st = 0 ] || echo "make reproduce-full: FAILED (see above)" >&2; exit $$st

# ------------------------------------------------------------------ ablations
# configs/ablations/NAME.yaml is a base config whose `# grid: key=v1,v2,...` lines give the sweep; the figure
# figures/ablations/NAME.gp reads results/ablations/NAME/sweep.csv. A failed point (e.g. a diverging step) is
# recorded in sweep.csv, as is a point whose claims failed (e.g. a width below m*), so the sweep's own exit
# status 1 or 3 is not an error here; a missing sweep.csv is.

# The sweeps are only reached through the figures' pattern rule, so make would treat them as intermediate and
# delete them after drawing (every reproduce then reran them, and results/ablations/*/ lost sweep.csv).
.PRECIOUS: results/ablations/%/sweep.csv
results/ablations/%/sweep.csv: configs/ablations/%.yaml $(PROG)
	@grids=$$(sed -n 's/^# grid: *\(.*\)$$/--grid \1/p' $<); \
	[ -n "$$grids" ] || { echo "$<: no '# grid:' line" >&2; exit 2; }; \
	echo "sweep $< $$grids"; \
	$(PROG) sweep $< $$grids --out results/ablations/$* --jobs $$(nproc) --quiet; st=$$?; \
	{ [ $$st -le 1 ] || [ $$st = 3 ]; } && [ -s $@ ] || { echo "ablation $* failed (status $$st)" >&2; exit 1; }

figures/ablations/%.png figures/ablations/%.pdf: figures/ablations/%.gp figures/style.gnuplot figures/ablations/runs_common.gnuplot \
  results/ablations/%/sweep.csv
	gnuplot -e "res='results/ablations/$*'; out='figures/ablations/$*'; term='png'" $< && \
	  mv -f figures/ablations/$*.png.tmp figures/ablations/$*.png && \
	gnuplot -e "res='results/ablations/$*'; out='figures/ablations/$*'; term='pdf'" $< && \
	  mv -f figures/ablations/$*.pdf.tmp figures/ablations/$*.pdf

ablations: deps-build
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory $(ABL_SWEEPS)
	@$(MAKE) --no-print-directory $(ABL_FIGS)

# ---------------------------------------------------------------------- paper
# paper/generated/*.tex come from results/ (cvxrelu latex); the figures are the PDFs of figures/. The performance
# tables come from the committed benchmark CSVs of paper/bench/ (cvxrelu bench-latex; `make bench-paper` below):
# without them the tables say they were not measured, and the paper still builds.
paper: deps-paper
	@$(MAKE) --no-print-directory -j$$(nproc) reproduce-files
	@mkdir -p paper/generated
	$(PROG) latex $(if $(wildcard configs/refuted.csv),--refuted configs/refuted.csv) paper/generated \
	  $(CONFIGS:configs/%.yaml=results/%)
	$(PROG) bench-latex paper/bench paper/generated
	@cd paper && latexmk -pdf -interaction=nonstopmode -halt-on-error reproduction.tex >/dev/null 2>&1 \
	  || { tail -40 paper/reproduction.log 2>/dev/null || tail -40 reproduction.log; echo "paper: LaTeX failed" >&2; exit 1; }
	@if grep -E "undefined references|Reference .* undefined|File .* not found|no value .* in run" paper/reproduction.log; then \
	  echo "paper: unresolved references, values or figures (see above)" >&2; exit 1; fi
	@echo "paper: paper/reproduction.pdf"

# ---------------------------------------------------------------------- bench
# PyTorch (Debian's python3-torch) is the reference for the training benchmark only; never a test dependency.
# cvxopt (the convex benchmark's reference) comes with the test packages.
bench-deps: deps-test
	@/usr/bin/python3 -c 'import torch' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch >/dev/null; \
	  else echo "bench-deps: as root run: apt-get install -y python3-torch" >&2; exit 1; fi; }

bench: bench-deps
	@$(MAKE) --no-print-directory $(BENCH_BIN)
	@mkdir -p bench/results
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b bench/results || exit 1; done

# The paper's performance tables read a committed copy of measured benchmark tables: after `make bench` (on a
# quiet machine), `make bench-paper` copies each table of PAPER_BENCH that bench/results holds, with the machine
# file the benchmark wrote beside it (STEM_machine.csv), to paper/bench/; commit paper/bench/ afterwards. A table
# whose machine file is missing is copied without one (the paper then says the machine was not recorded).
PAPER_BENCH := bench_convex bench_convex_robust bench_scale bench_train
.PHONY: bench-paper
bench-paper:
	@mkdir -p paper/bench
	@n=0; for s in $(PAPER_BENCH); do \
	  [ -f bench/results/$$s.csv ] || { echo "bench-paper: no bench/results/$$s.csv (kept paper/bench as it is)"; continue; }; \
	  cp bench/results/$$s.csv paper/bench/$$s.csv.tmp && mv -f paper/bench/$$s.csv.tmp paper/bench/$$s.csv || exit 1; \
	  if [ -f bench/results/$${s}_machine.csv ]; then \
	    cp bench/results/$${s}_machine.csv paper/bench/$${s}_machine.csv.tmp && \
	    mv -f paper/bench/$${s}_machine.csv.tmp paper/bench/$${s}_machine.csv || exit 1; \
	  else rm -f paper/bench/$${s}_machine.csv; fi; \
	  echo "bench-paper: paper/bench/$$s.csv"; n=$$((n + 1)); done; \
	[ $$n -gt 0 ] || { echo "bench-paper: no benchmark table in bench/results (run make bench first)" >&2; exit 1; }

clean:
	rm -rf build build-san build-fuzz results bench/results figures/*.tmp paper/generated
	cd paper && latexmk -C reproduction.tex >/dev/null 2>&1 || true

# ------------------------------------------------------------ README generation
# The config reference and the results table in README.md are generated (from the schema and from the
# runs' claims), so they cannot drift. `make reproduce` runs the configs first.
splice = awk -v src=$(2) '/<!-- $(1):start -->/ { print; while ((getline l < src) > 0) print l; skip = 1; next } \
	  /<!-- $(1):end -->/ { skip = 0 } !skip' README.md > README.md.tmp && mv README.md.tmp README.md
readme: $(PROG) $(RUNS)
	@$(PROG) keys > $(BUILD)/keys.md
	@$(PROG) readme-table $(CONFIGS:configs/%.yaml=results/%) > $(BUILD)/results.md
	@$(call splice,keys,$(BUILD)/keys.md)
	@$(call splice,results,$(BUILD)/results.md)
	@echo "README.md: config reference and results table regenerated"

# ---------------------------------------------------------------- fuzzing (clang, libFuzzer)
# `make fuzz FUZZ_SECONDS=N` runs each target N seconds from a seed corpus built from configs/ and the
# bad-input fixtures; any crash, leak, timeout or property violation fails.
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := config csv
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Wshadow \
                -Wno-unused-parameter -Isrc -Isrc/harness -Iexperiments $(PKG_CFLAGS) $(FUZZ_SAN) \
                -DCR_VERSION='"$(VERSION)"'
FUZZ_BIN     := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
# The same two archives as the program's (the library, and the program that calls it), built with clang.
FUZZ_LIB     := $(FUZZ_BUILD)/libcvxrelu.a
FUZZ_PROGLIB := $(FUZZ_BUILD)/libcrprog.a

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(FUZZ_LIB): $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
	rm -f $@ && ar rcs $@ $^
$(FUZZ_PROGLIB): $(PROG_OBJ:$(BUILD)/%=$(FUZZ_BUILD)/%)
	rm -f $@ && ar rcs $@ $^
$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_PROGLIB) $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< -o $@ $(FUZZ_PROGLIB) $(FUZZ_LIB) $(PKG_LIBS)
-include $(wildcard $(FUZZ_BUILD)/src/*.d $(FUZZ_BUILD)/src/harness/*.d $(FUZZ_BUILD)/experiments/*.d)

.PHONY: fuzz fuzz-build fuzz-deps
fuzz-deps: deps-build
	@command -v $(FUZZ_CC) >/dev/null && [ -n "$$(find /usr/lib/llvm-*/lib/clang -name 'libclang_rt.fuzzer*' 2>/dev/null | head -1)" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-14-dev >/dev/null; \
	  else echo "fuzz-deps: as root run: apt-get install -y clang libclang-rt-14-dev" >&2; exit 1; fi; }
fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
fuzz: fuzz-build
	@tests/fuzz/make_corpus.sh $(FUZZ_BUILD)/corpus
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t-found; echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  OPENBLAS_NUM_THREADS=1 $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 -dict=tests/fuzz/$$t.dict -artifact_prefix=$(FUZZ_BUILD)/$$t- \
	    $(FUZZ_BUILD)/corpus/$$t-found $(FUZZ_BUILD)/corpus/$$t 2>$(FUZZ_BUILD)/fuzz_$$t.log; st=$$?; \
	  grep -E '^(stat::|#[0-9]+[[:space:]]+DONE)|PROPERTY|ERROR|SUMMARY' $(FUZZ_BUILD)/fuzz_$$t.log; \
	  if [ $$st != 0 ]; then echo "make fuzz: fuzz_$$t failed (log $(FUZZ_BUILD)/fuzz_$$t.log); reproduce with" \
	    "$(FUZZ_BUILD)/fuzz_$$t $$(ls -t $(FUZZ_BUILD)/$$t-* 2>/dev/null | head -1)" >&2; exit 1; fi; \
	done

# ---------------------------------------------------------------- valgrind (memcheck)
VALGRIND      := valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
                 --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 --child-silent-after-fork=yes --quiet
VALGRIND_SETS := --set count.n=4,8,16 --set count.samples=200 --set landscape.grid=41
.PHONY: valgrind
valgrind: deps-test
	$(call debs,$@,valgrind,)
	@$(MAKE) --no-print-directory all-tests
	@fail=0; for t in $(TEST_BIN); do echo "== valgrind $$t"; \
	  PATH="$$PATH:/usr/sbin:/sbin" CR_PROG=$(CURDIR)/$(PROG) $(VALGRIND) $$t || fail=1; done; \
	for c in $(CONFIGS); do echo "== valgrind $(PROG) run $$c"; \
	  $(VALGRIND) $(PROG) run $$c $(VALGRIND_SETS) --out $(BUILD)/valgrind/$$(basename $$c .yaml) --quiet || fail=1; done; \
	if [ $$fail = 0 ]; then echo "make valgrind: no errors, no leaks"; else echo "make valgrind: FAILURES" >&2; exit 1; fi
