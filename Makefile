# SPDX-License-Identifier: GPL-2.0
#
# kvm-hotpath: find and guard costly calls on Linux KVM's VM-exit paths.
# The user interface is this Makefile; see README.md.

# --- settings a user may override -------------------------------------------
CACHE		?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kvm-hotpath
KVERSION	?= 6.12
KDIR		?= $(CACHE)/linux-source-$(KVERSION)
MODE		?= patch
J		?= $(shell nproc 2>/dev/null || echo 1)
EXIT_PATHS	?=
KCONFIG		?=
NAME		?=
ROOTS		?=
FUNCTIONS	?=
CPU		?= zen2
EXITS		?=
REPORTS		?= reports
PATCHES		?= kernel-patches
BASE		?=
SERIES		?=
FAIL_ON		?= new
TESTS		?=
RUNS		?=
TICKS		?=
SAVE		?=
BASELINE	?=
AFTER		?=
MEASURED	?=
SCENARIO	?=
FUZZ_S		?= 60
V		?= 0

# make patches and make review price for both vendors unless CPU= is given.
comma		:= ,
PATCH_CPU	:= $(if $(filter command line environment%,$(origin CPU)),$(CPU),zen2$(comma)icelake-sp)

# The Debian trees the tests run on, and what each job needs installed.
TEST_KVERSIONS	:= 6.1 6.12
PKGS_COCCI	:= coccinelle python3
PKGS_KBUILD	:= gcc make flex bison bc libelf-dev libssl-dev cpio kmod sparse perl
PKGS_ANALYZER	:= gcc make clang-16 libclang-16-dev llvm-16
PKGS_FUZZ	:= clang-16 libclang-rt-16-dev libclang-16-dev llvm-16
PKGS_CHECK	:= $(PKGS_COCCI) $(PKGS_KBUILD) $(PKGS_ANALYZER) $(PKGS_FUZZ) \
		   $(addprefix linux-source-,$(TEST_KVERSIONS)) git patch xz-utils valgrind \
		   chromium chromium-driver python3-selenium
PKGS_BENCH	:= $(PKGS_COCCI) bc

ifeq ($(V),1)
Q :=
else
Q := @
endif

# A default tree is Debian's tarball, extracted once into the cache.
ifeq ($(origin KDIR),file)
KDIR_DEPS := $(CACHE)/linux-source-$(KVERSION)/.extracted
endif

export CACHE

.PHONY: help deps analyzer analyze validate audit patches review measure calibrate coccicheck check fuzz bench clean
.DEFAULT_GOAL := help

help:
	@echo 'make coccicheck [KDIR=tree] [MODE=patch|report|context|org] [EXIT_PATHS=file]'
	@echo 'make analyze    [KDIR=tree] [KCONFIG=.config] [NAME=linux-x.y.z] [ROOTS=file]'
	@echo 'make validate   [KDIR=tree] [FUNCTIONS="f g"]  analyzer sites against the built objects'
	@echo 'make audit      [KDIR=tree] [CPU=zen2|zen2,icelake-sp|all|FILE.profile] [EXITS=perf-kvm-stat.txt] [MEASURED=m.json[,after.json]] [SCENARIO=facts.txt]'
	@echo 'make patches    [KDIR=tree] [CPU=zen2,icelake-sp] [BASE=rev] [NAME=...] [PATCHES=kernel-patches] [MEASURED=before.json,after.json]'
	@echo 'make review     [KDIR=tree] BASE=rev|SERIES=mbox [CPU=...] [EXITS=...] [SCENARIO=facts.txt] [FAIL_ON=new|RULE|+N]'
	@echo 'make measure    [KDIR=tree] [TESTS=cpuid,vmcall,rdmsr,io] [RUNS=5] [SAVE=f.json] [BASELINE=f.json [AFTER=g.json]]'
	@echo 'make calibrate  this CPU'"'"'s profile, measured: $(REPORTS)/measure/host.profile'
	@echo 'make check      run the test suite (installs what it needs as root)'
	@echo 'make fuzz       [FUZZ_S=60] fuzz each parser that takes outside input (tests/fuzz/)'
	@echo 'make bench      coccicheck, analyzer and review times against their floors'
	@echo 'make deps       install the Debian packages the jobs need'
	@echo 'make clean      remove the cache ($(CACHE))'

# $(call need,packages): install the missing ones when root, else say how.
# Machines without dpkg are left to the tools' own "not found" messages.
define need
$(Q)command -v dpkg-query >/dev/null || exit 0; \
missing=$$(echo $$(for p in $(1); do \
	dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
done)); \
[ -z "$$missing" ] && exit 0; \
if [ "$$(id -u)" != 0 ]; then \
	echo "kvm-hotpath: missing packages; install them as root: apt-get update && apt-get install -y $$missing" >&2; \
	exit 1; \
fi; \
echo "  APT     $$missing" >&2; \
{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } >&2 || \
	{ echo "kvm-hotpath: apt-get install -y $$missing failed (output above)" >&2; exit 1; }
endef

# $(call mkdirs,DIR,WHAT): mkdir -p DIR, or one line naming it and why not.
define mkdirs
{ why=$$(mkdir -p $(1) 2>&1) || { echo "kvm-hotpath: cannot create $(2) $(1): $${why##*: }" >&2; exit 1; }; }
endef

deps:
	$(call need,$(PKGS_CHECK) $(PKGS_BENCH))

$(CACHE)/linux-source-%/.extracted:
	$(call need,linux-source-$*)
	$(Q)mkdir -p $(CACHE)
	@echo "  EXTRACT /usr/src/linux-source-$*.tar.xz -> $(CACHE)/linux-source-$*" >&2
	$(Q)rm -rf $(CACHE)/.extract-$* && mkdir $(CACHE)/.extract-$* && \
	  tar -C $(CACHE)/.extract-$* -xf /usr/src/linux-source-$*.tar.xz && \
	  rm -rf $(CACHE)/linux-source-$* && \
	  mv $(CACHE)/.extract-$*/linux-source-$* $(CACHE)/linux-source-$* && \
	  rmdir $(CACHE)/.extract-$* && touch $@

coccicheck: $(KDIR_DEPS)
	$(call need,$(PKGS_COCCI))
	$(Q)cocci/coccicheck -m $(MODE) -j $(J) $(if $(EXIT_PATHS),-e $(EXIT_PATHS)) \
	  $(if $(filter 1,$(V)),-v) $(KDIR)

# The analyzer's programs (analyzer/Makefile builds them).
analyzer:
	$(call need,$(PKGS_ANALYZER))
	$(Q)$(MAKE) -s -C analyzer V=$(V)

# The call graph of a tree's VM-exit paths: $(REPORTS)/<tree>/callgraph.json.
analyze: $(KDIR_DEPS)
	$(call need,$(PKGS_ANALYZER) $(PKGS_KBUILD))
	$(Q)$(MAKE) -s -C analyzer V=$(V)
	$(Q)name=$$(NAME=$(NAME) analyzer/kprep.sh --name $(KDIR)) && \
	  key=$$(analyzer/kprep.sh --key $(KDIR) $(KCONFIG)) && \
	  cdb=$$(KB_JOBS=$(J) analyzer/kprep.sh $(KDIR) $(CACHE) $(KCONFIG)) && \
	  $(call mkdirs,$(REPORTS)/$$name,REPORTS folder) && \
	  analyzer/hotpath callgraph --cdb "$$(dirname "$$cdb")" --srctree $(KDIR) \
	    --name $$name --jobs $(J) --cache $(CACHE)/tu-$$key $(if $(ROOTS),--roots $(ROOTS)) \
	    --output $(REPORTS)/$$name/callgraph.json && \
	  echo "  JSON    $(REPORTS)/$$name/callgraph.json" >&2

# The analyzer's indirect and static-call sites against the compiler's,
# read with objdump -drl from the objects make analyze built.
validate: analyze
	$(Q)name=$$(NAME=$(NAME) analyzer/kprep.sh --name $(KDIR)) && \
	  build=$$(analyzer/kprep.sh --build $(KDIR) $(CACHE) $(KCONFIG)) && \
	  analyzer/hotpath validate --build "$$build" $(addprefix --function ,$(FUNCTIONS)) \
	    $(REPORTS)/$$name/callgraph.json

# The exit-path sites priced per CPU profile: $(REPORTS)/<tree>/audit.*.
audit: analyze
	$(Q)name=$$(NAME=$(NAME) analyzer/kprep.sh --name $(KDIR)) && \
	  build=$$(analyzer/kprep.sh --build $(KDIR) $(CACHE) $(KCONFIG)) && \
	  profiles=$$(analyzer/profiles/select '$(CPU)') && \
	  analyzer/hotpath audit --build "$$build" $$profiles $(if $(EXITS),--exits '$(EXITS)') \
	    $(if $(MEASURED),--measured '$(MEASURED)') $(if $(SCENARIO),--scenario '$(SCENARIO)') \
	    --output-dir $(REPORTS)/$$name $(REPORTS)/$$name/callgraph.json && \
	  echo "  AUDIT   $(REPORTS)/$$name/audit.md audit.html audit.json audit.sarif exit-paths.folded" >&2

# A verified patch series: $(PATCHES)/<tree>/ (kernel-patches/series).
patches: $(KDIR_DEPS)
	$(call need,$(PKGS_CHECK))
	$(Q)$(MAKE) -s -C analyzer V=$(V)
	$(Q)KB_JOBS=$(J) kernel-patches/series -c '$(PATCH_CPU)' $(if $(BASE),-b '$(BASE)') \
	  $(if $(NAME),-n '$(NAME)') $(if $(MEASURED),-m '$(MEASURED)') -o '$(PATCHES)' -r '$(REPORTS)' $(KDIR) $(CACHE)

# The audit of a change, patch by patch: $(REPORTS)/<tree>/review/
# (reports/review); fails (exit 2) when the change adds what FAIL_ON names.
review: $(KDIR_DEPS)
	$(call need,$(PKGS_ANALYZER) $(PKGS_KBUILD) git)
	$(Q)$(MAKE) -s -C analyzer V=$(V)
	$(Q)KB_JOBS=$(J) reports/review -c '$(PATCH_CPU)' $(if $(BASE),-b '$(BASE)') \
	  $(if $(SERIES),-s '$(SERIES)') $(if $(EXITS),-e '$(EXITS)') $(if $(SCENARIO),-S '$(SCENARIO)') -f '$(FAIL_ON)' \
	  $(if $(NAME),-n '$(NAME)') -r '$(REPORTS)' $(KDIR) $(CACHE)

# The cost of a VM exit on this host, timed in a guest by the KVM selftest
# tests/kvm/exit_cost: $(REPORTS)/measure/ (tests/kvm/README.md).
measure: $(KDIR_DEPS)
	$(call need,$(PKGS_KBUILD) $(PKGS_ANALYZER))
	$(Q)$(MAKE) -s -C analyzer V=$(V)
	$(Q)NAME=$(NAME) tests/kvm/measure $(if $(TESTS),-t '$(TESTS)') \
	  $(if $(RUNS),-n '$(RUNS)') $(if $(TICKS),-T '$(TICKS)') -j $(J) \
	  $(if $(SAVE),-s '$(SAVE)') $(if $(BASELINE),-b '$(BASELINE)') $(if $(AFTER),-a '$(AFTER)') \
	  -o '$(REPORTS)/measure' $(KDIR) $(CACHE)

# This CPU's cost profile, measured by hotpath calibrate, beside measure.json.
calibrate:
	$(call need,$(PKGS_ANALYZER))
	$(Q)$(MAKE) -s -C analyzer V=$(V)
	$(Q)$(call mkdirs,$(REPORTS)/measure,REPORTS folder) && \
	  analyzer/hotpath calibrate >$(REPORTS)/measure/.host.profile.tmp && \
	  mv $(REPORTS)/measure/.host.profile.tmp $(REPORTS)/measure/host.profile || \
	  { rm -f $(REPORTS)/measure/.host.profile.tmp; exit 1; }
	@echo "  PROFILE $(REPORTS)/measure/host.profile" >&2

check: $(addprefix $(CACHE)/linux-source-,$(addsuffix /.extracted,$(TEST_KVERSIONS)))
	$(call need,$(PKGS_CHECK))
	$(Q)$(MAKE) -s -C analyzer V=$(V)
	$(Q)tests/run $(T)

# Each parser's libFuzzer harness for FUZZ_S seconds (tests/fuzz/README.md);
# make check only replays the corpus.
fuzz:
	$(call need,$(PKGS_FUZZ))
	$(Q)tests/fuzz/run -t '$(FUZZ_S)' -j $(J) $(CACHE)

bench: $(KDIR_DEPS)
	$(call need,$(PKGS_BENCH) $(PKGS_ANALYZER) $(PKGS_KBUILD))
	$(Q)$(MAKE) -s -C analyzer V=$(V)
	$(Q)cocci/bench $(KDIR)
	$(Q)J=$(J) analyzer/bench $(KDIR) $(CACHE)
	$(Q)J=$(J) reports/bench $(KDIR) $(CACHE)

clean:
	$(MAKE) -s -C analyzer clean
	rm -rf $(CACHE)
