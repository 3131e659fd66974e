# SPDX-License-Identifier: GPL-2.0
#
# Shared by the test programs: KTAP output through the kernel's own
# ktap_helpers.sh (from the extracted Debian tree, not copied here), the
# cache paths, and how a missing prerequisite is handled.

TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$TESTS")
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-hotpath}
KTAP_HELPERS=${KTAP_HELPERS:-$CACHE/linux-source-6.12/tools/testing/selftests/kselftest/ktap_helpers.sh}

if [ ! -r "$KTAP_HELPERS" ]; then
	echo "TAP version 13"
	echo "Bail out! $KTAP_HELPERS not found: run 'make check', which extracts linux-source-6.12"
	exit 1
fi
# shellcheck source=/dev/null
. "$KTAP_HELPERS"

# A missing tool skips the whole program with the reason, except in CI
# (CI=true), where every prerequisite must be there and a skip is a failure.
ktap_require()
{
	local cmd=$1 pkg=$2

	command -v "$cmd" >/dev/null && return 0
	ktap_print_header
	if [ "${CI:-}" = true ]; then
		echo "Bail out! $cmd not found (apt-get install -y $pkg); CI may not skip"
		exit "$KSFT_FAIL"
	fi
	ktap_skip_all "$cmd not found: apt-get install -y $pkg"
	exit "$KSFT_SKIP"
}

# ktap_check DESCRIPTION CMD...: one test case from a command's exit status;
# its output is shown as TAP comments when it fails.
ktap_check()
{
	local desc=$1 out
	shift

	if out=$("$@" 2>&1); then
		ktap_test_pass "$desc"
	else
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /' | head -40
		ktap_test_fail "$desc"
	fi
}

# ktap_fails_with WANT CMD...: CMD exits non-zero and prints exactly one
# line, which holds WANT: how bad input must be answered.
ktap_fails_with()
{
	local want=$1 out rc
	shift

	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc -ne 0 ] || { echo "exit 0, expected a failure"; return 1; }
	[ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] ||
		{ printf 'expected one line, got:\n%s\n' "$out"; return 1; }
	grep -qF -- "$want" <<<"$out" || { echo "'$out' does not say '$want'"; return 1; }
}

# tree_manifest DIR: the name, size, mtime and mode of every file below DIR,
# sorted: what "the tree is left as it was" compares.
tree_manifest()
{
	(cd "$1" && find . -printf '%p %s %T@ %m\n' | LC_ALL=C sort)
}

# build_of KDIR [KCONFIG]: the build folder make analyze uses for KDIR in
# $CACHE (analyzer/kprep.sh --build); key_of KDIR [KCONFIG]: its cache key.
build_of()
{
	"$TOP/analyzer/kprep.sh" --build "$1" "$CACHE" ${2:+"$2"}
}

key_of()
{
	"$TOP/analyzer/kprep.sh" --key "$@"
}

# interrupt_at [-n N] PATTERN SIGNAL ERRFILE CMD...: run CMD in a process
# group of its own (stdout dropped, stderr into ERRFILE) and, as soon as N
# lines (default 1) of its stderr match the extended regex PATTERN, send
# SIGNAL to the whole group, as a terminal's ^C or a CI runner's stop does; then
# wait for every process of the group to end.  Returns 0 once the signal was sent, 1 if CMD ended before
# printing PATTERN N times, 2 if it did but ended before the signal could
# reach it.
interrupt_at()
{
	local n=1 pat sig err pid

	if [ "$1" = -n ]; then
		n=$2
		shift 2
	fi
	pat=$1 sig=$2 err=$3
	shift 3
	: >"$err"
	# A process group of its own, with job control: without it, bash
	# starts background commands with SIGINT ignored.
	set -m
	"$@" >/dev/null 2>"$err" &
	pid=$!
	set +m
	until [ "$(grep -cE -- "$pat" "$err")" -ge "$n" ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			[ "$(grep -cE -- "$pat" "$err")" -ge "$n" ] && return 2
			return 1
		fi
		sleep 0.05
	done
	kill -s "$sig" -- "-$pid" 2>/dev/null || { wait "$pid"; return 2; }
	wait "$pid"
	# The group's last process, not just CMD: a program that holds the
	# signal back to finish its writes outlives make.
	while kill -0 -- "-$pid" 2>/dev/null; do
		sleep 0.05
	done
	return 0
}

# kvm_module SRC C=O...: each SRC/C built with the kernel's code-generation
# flags (thunked indirect calls and returns, no red zone, kernel code model)
# into SCRATCH/build/arch/x86/kvm/O and listed in its kvm.mod, and
# SCRATCH/db/compile_commands.json for them: a tiny KVM module of fixtures
# for hotpath callgraph and audit.  Bails out when gcc fails.
kvm_module()
{
	local src=$1 f sep=
	shift

	mkdir -p "$SCRATCH/db" "$SCRATCH/build/arch/x86/kvm"
	for f in "$@"; do
		mkdir -p "$SCRATCH/build/arch/x86/kvm/$(dirname "${f#*=}")"
		gcc -O2 -fno-pic -mcmodel=kernel -mno-red-zone -fno-jump-tables \
			-mindirect-branch=thunk-extern -mindirect-branch-register \
			-mfunction-return=thunk-extern "-I$src" \
			-c -o "$SCRATCH/build/arch/x86/kvm/${f#*=}" "$src/${f%%=*}" ||
			{ ktap_print_header; ktap_exit_fail_msg "gcc failed on $src/${f%%=*}"; }
		echo "arch/x86/kvm/${f#*=}" >>"$SCRATCH/build/arch/x86/kvm/kvm.mod"
	done
	{
		echo "["
		for f in "$@"; do
			printf '%s{"directory": "%s", "file": "%s/%s", "arguments": ["gcc", "-O2", "-I%s", "-c", "%s/%s"]}\n' \
				"$sep" "$SCRATCH/build" "$src" "${f%%=*}" "$src" "$src" "${f%%=*}"
			sep=,
		done
		echo "]"
	} >"$SCRATCH/db/compile_commands.json"
}

# ro_bind DIR: DIR bind-mounted read-only over itself, so that any write
# into it fails (EROFS) while every path stays the same; false where this
# machine allows no mounts.  ro_unbind DIR undoes it; a test that calls
# ro_bind must call ro_unbind on exit too.
ro_bind()
{
	mount --bind "$1" "$1" 2>/dev/null || return 1
	mount -o remount,bind,ro "$1" 2>/dev/null || { umount "$1"; return 1; }
	! touch "$1/.kvm-hotpath-ro-check" 2>/dev/null || { rm -f "$1/.kvm-hotpath-ro-check"; umount "$1"; return 1; }
}

ro_unbind()
{
	mountpoint -q "$1" || return 0
	umount "$1" 2>/dev/null || umount -l "$1"
}

# mkseries OUT KDIR FILE SUBJECT PYTHON [FILE SUBJECT PYTHON]...: a
# git format-patch series in OUT/, one patch per edit; PYTHON rewrites the
# file's text s (and must change it), or is "@rename NEWPATH"; the SUBJECT
# "@amend" folds the edit into the patch before.
mkseries()
{
	local out=$1 k=$2 g n=0 a
	shift 2
	g=$(mktemp -d "$SCRATCH/git.XXXXXX") && git -C "$g" init -q || return 1
	a=("$@")
	while [ ${#a[@]} -ge 3 ]; do
		mkdir -p "$g/$(dirname "${a[0]}")" && cp "$k/${a[0]}" "$g/${a[0]}" || return 1
		a=("${a[@]:3}")
	done
	git -C "$g" add -A && git -C "$g" commit -q -m import || return 1
	while [ $# -ge 3 ]; do
		if [ "${3#@rename }" != "$3" ]; then
			git -C "$g" mv "$1" "${3#@rename }" && git -C "$g" commit -q -m "$2" || return 1
			n=$((n + 1))
			shift 3
			continue
		fi
		python3 -c '
import sys
p, code = sys.argv[1:]
s = open(p).read()
old = s
exec(code)
assert s != old, "the edit changed nothing"
open(p, "w").write(s)' "$g/$1" "$3" || return 1
		if [ "$2" = @amend ]; then
			git -C "$g" commit -q -a --amend --no-edit || return 1
		else
			git -C "$g" commit -q -a -m "$2" || return 1
			n=$((n + 1))
		fi
		shift 3
	done
	rm -rf "$out" && git -C "$g" format-patch -q -o "$out" "HEAD~$n..HEAD" && rm -rf "$g"
}

# same_reports DIR REF...: DIR holds make audit's outputs (callgraph.json
# and the five reports) byte for byte as one of the REF folders does.
same_reports()
{
	local d=$1 r f ok

	shift
	for r in "$@"; do
		ok=1
		for f in callgraph.json audit.json audit.md audit.html audit.sarif exit-paths.folded; do
			cmp -s "$d/$f" "$r/$f" || ok=
		done
		[ -n "$ok" ] && return 0
	done
	return 1
}

# A scratch folder per test program, removed on exit.
ktap_scratch()
{
	SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/kvm-hotpath-test.XXXXXX") || exit 1
	trap 'rm -rf "$SCRATCH"' EXIT
}

# git_test_identity: the test's own git identity (Hot Path Tester), in a
# global config of its scratch folder, whatever the machine has.
git_test_identity()
{
	export GIT_CONFIG_GLOBAL=$SCRATCH/gitconfig
	git config --global user.name "Hot Path Tester" &&
		git config --global user.email "tester@example.org" &&
		git config --global init.defaultBranch master
}

# sarif_multitool: the path of Microsoft's SARIF Multitool (npm package
# @microsoft/sarif-multitool-linux, a self-contained binary), installed once
# into the cache.  npm 11 skips the package's own chmod, so it is done here.
SARIF_MULTITOOL_VERSION=5.7.0
sarif_multitool()
{
	local dir=$CACHE/sarif-multitool-$SARIF_MULTITOOL_VERSION
	local bin=$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool

	if [ ! -x "$bin" ]; then
		rm -rf "$dir.tmp" &&
			npm install --silent --no-audit --no-fund --prefix "$dir.tmp" \
				"@microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION" >&2 &&
			chmod u+x "$dir.tmp/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" &&
			rm -rf "$dir" && mv "$dir.tmp" "$dir" || return 1
	fi
	echo "$bin"
}

# sarif_valid LOG: Microsoft's SARIF Multitool validates LOG against the
# SARIF 2.1.0 schema and its rules, with no error and exactly one warning:
# the tool's informationUri, which needs a public home for kvm-hotpath that
# it does not have yet.  That warning also shows the log was read: the
# Multitool drops a log it cannot deserialize without a word.
sarif_valid()
{
	local mt out schema

	mt=$(sarif_multitool) || { echo "cannot install the SARIF Multitool with npm"; return 1; }
	out=$(mktemp "${TMPDIR:-/tmp}/kvm-hotpath-sarif.XXXXXX") || return 1
	rm -f "$out"
	schema=$(dirname "$mt")/sarif-2.1.0.json
	"$mt" validate "$1" --json-schema "$schema" --output "$out" >"$out.log" 2>&1 ||
		{ cat "$out.log"; rm -f "$out" "$out.log"; return 1; }
	python3 -c '
import json, sys
results = [r for run in json.load(open(sys.argv[1]))["runs"] for r in run.get("results", [])]
ids = [r["message"].get("id") for r in results]
assert ids == ["Warning_ProvideToolnformationUri"], results
' "$out" "$out.log" || { cat "$out.log"; rm -f "$out" "$out.log"; return 1; }
	rm -f "$out" "$out.log"
}

# fake_measure OUT VENDOR FAMILY MODEL KERNEL TEST:PMU:TICKS,TICKS... ...:
# a made-up measure.json (the format tests/kvm/README.md documents) with
# these runs, on a host with hardware virtualisation ("exit costs").
fake_measure()
{
	python3 - "$@" <<'PY'
import json, statistics, sys
out, vendor, family, model, kernel = sys.argv[1:6]
tests = []
for spec in sys.argv[6:]:
    test, pmu, ticks = spec.split(":")
    runs = [float(t) for t in ticks.split(",")]
    reason = {"cpuid": ("EXIT_REASON_CPUID", "SVM_EXIT_CPUID"),
              "vmcall": ("EXIT_REASON_VMCALL", "SVM_EXIT_VMMCALL"),
              "rdmsr": ("EXIT_REASON_MSR_READ", "SVM_EXIT_MSR"),
              "io": ("EXIT_REASON_IO_INSTRUCTION", "SVM_EXIT_IOIO")}[test][vendor == "amd"]
    tests.append({"test": test, "pmu": pmu, "exit_reason": reason, "status": "ok",
                  "iterations": 1 << 20, "ticks": runs, "median": statistics.median(runs),
                  "cycles_per_tick": 1.0, "cycles": statistics.median(runs)})
doc = {"format": "kvm-hotpath measure 1",
       "tool": {"name": "kvm-hotpath", "version": "test"},
       "host": {"name": "testhost", "kernel": kernel, "kernel_build": "#1 SMP", "cmdline": "quiet",
                "cpu": {"vendor": vendor, "vendor_id": {"amd": "AuthenticAMD"}.get(vendor, "GenuineIntel"),
                        "family": int(family, 0), "model": int(model, 0), "stepping": 1,
                        "model_name": "Test CPU %s %s" % (family, model), "microcode": "0x1",
                        "hardware_virtualization": "svm" if vendor == "amd" else "vmx",
                        "hypervisor": False},
                "vulnerabilities": {"spectre_v2": "Mitigation: Retpolines"},
                "kvm_parameters": {"kvm": {"enable_pmu": "Y"}}},
       "figures": "exit costs",
       "selftest": {"program": "tests/kvm/exit_cost", "tree": "linux-test", "target_ticks": 1 << 30},
       "clock": {"tsc_khz": 2000000, "tsc_source": "KVM_GET_TSC_KHZ", "cycles_known": True,
                 "cycles_source": "made up by the test"},
       "tests": tests}
with open(out, "w") as f:
    json.dump(doc, f, indent=1)
PY
}
