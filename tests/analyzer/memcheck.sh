#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The analyzer stays clean under ASan/UBSan and valgrind: a sanitized build
# (from a scratch copy of analyzer/, so the normal build is left alone) and
# valgrind both run the fixtures and a multi-TU callgraph, with the same
# output as the normal build; calibrate runs under the sanitizers only.

. "$(dirname "$0")/../lib.sh"

ktap_require valgrind valgrind
ktap_require make make
ktap_scratch
dir=$TESTS/analyzer
hp=$TOP/analyzer/hotpath
if [ ! -x "$hp" ]; then
	ktap_print_header
	ktap_exit_fail_msg "$hp not built: run 'make -C analyzer' (make check does)"
fi

fixtures=()
for c in "$dir"/*.c; do
	fixtures+=("$(basename "$c" .c)")
done

# A compilation database over tests/analyzer/cdb, as hotpath_cli.sh uses.
mkdir -p "$SCRATCH/db/build"
printf '[{"directory": "%s", "file": "%s/cpuid.c", "arguments": ["gcc", "-I%s", "-c", "%s/cpuid.c"]},
 {"directory": "%s", "file": "%s/exits.c", "arguments": ["gcc", "-I%s", "-c", "%s/exits.c"]}]\n' \
	"$SCRATCH/db/build" "$dir/cdb" "$dir/cdb" "$dir/cdb" \
	"$SCRATCH/db/build" "$dir/cdb" "$dir/cdb" "$dir/cdb" >"$SCRATCH/db/compile_commands.json"
# cg OPTIONS -- PROGRAM...: PROGRAM (with any wrapper) making that graph.
cg()
{
	local opts=()

	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	"$@" callgraph --cdb "$SCRATCH/db" --srctree "$dir/cdb" --scope "" --quiet --output - \
		"${opts[@]}"
}

ktap_print_header
ktap_set_plan $((2 * ${#fixtures[@]} + 8))

mkdir "$SCRATCH/asan" && cp "$TOP"/analyzer/*.[chS] "$TOP/analyzer/Makefile" "$SCRATCH/asan/"
ktap_check "ASan/UBSan build with -Wall -Wextra -Werror" make -s -C "$SCRATCH/asan" SANITIZE=1
# Without this, a build that lost its -fsanitize flags passes every case.
ktap_check "the ASan/UBSan build is instrumented: ASan checks and UBSan handlers linked in" eval \
	'for b in hotpath test-callgraph; do
		syms=$(nm "$SCRATCH/asan/$b") &&
		grep -q "__asan_report_load" <<<"$syms" && grep -q "__ubsan_handle_" <<<"$syms" ||
			{ echo "$b: no ASan checks or UBSan handlers"; exit 1; }
	 done'
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite)
for f in "${fixtures[@]}"; do
	(cd "$dir" && "$TOP/analyzer/test-callgraph" "$f.c") >"$SCRATCH/$f.want" 2>&1
	ktap_check "$f: clean under ASan/UBSan, same output" eval \
		'(cd "$dir" && "$SCRATCH/asan/test-callgraph" "$f.c") 2>&1 | diff "$SCRATCH/$f.want" -'
	ktap_check "$f: clean under valgrind, same output" eval \
		'(cd "$dir" && "${vg[@]}" "$TOP/analyzer/test-callgraph" "$f.c") 2>&1 |
		 diff "$SCRATCH/$f.want" -'
done
cg -- "$hp" >"$SCRATCH/cg.want" 2>&1
ktap_check "hotpath callgraph: clean under ASan/UBSan, same output (2 jobs)" eval \
	'cg --jobs 2 -- "$SCRATCH/asan/hotpath" 2>&1 | diff "$SCRATCH/cg.want" -'
# One job parses in-process: valgrind checks parsing, caching and merging,
# leaks included.  With two, forked parsers exit holding what they inherited,
# which is no leak: there, memory errors only, in parent and parsers alike.
ktap_check "hotpath callgraph: clean under valgrind, same output (1 job, in-process)" eval \
	'cg --jobs 1 -- "${vg[@]}" "$hp" 2>&1 | diff "$SCRATCH/cg.want" -'
cg --roots <(echo +handle_exit) -- "$hp" >"$SCRATCH/r.json" 2>/dev/null
ktap_check "hotpath paths and dot: clean under valgrind, same output" eval \
	'"${vg[@]}" "$hp" paths --to note_exit "$SCRATCH/r.json" 2>&1 |
	 diff <("$hp" paths --to note_exit "$SCRATCH/r.json") - &&
	 "${vg[@]}" "$hp" dot --to note_exit "$SCRATCH/r.json" 2>&1 |
	 diff <("$hp" dot --to note_exit "$SCRATCH/r.json") -'
ktap_check "hotpath callgraph: no memory errors under valgrind (2 jobs, forked)" eval \
	'cg --jobs 2 -- valgrind -q --error-exitcode=99 --leak-check=no "$hp" 2>&1 |
	 diff "$SCRATCH/cg.want" -'
# measure: a figures file of exit_cost's shape, the table, a comparison
# (valgrind runs in measure_cli.sh).
printf '%s\n' 'exit_cost 1' 'vendor intel' 'hwvirt no' 'target_ticks 1024' \
	'case cpuid default ok 64 - 5000.500 5100.000 4900.250' \
	'case cpuid off skip KVM has no KVM_CAP_PMU_CAPABILITY' 'tsc_khz 2600000' \
	'cycles unknown no cycle counter' >"$SCRATCH/raw"
ktap_check "hotpath measure --output and --compare: clean under ASan/UBSan, same output" eval \
	'"$hp" measure --output "$SCRATCH/m.json" "$SCRATCH/raw" >"$SCRATCH/m.want" &&
	 "$SCRATCH/asan/hotpath" measure --output "$SCRATCH/m2.json" "$SCRATCH/raw" 2>&1 | diff "$SCRATCH/m.want" - &&
	 cmp "$SCRATCH/m.json" "$SCRATCH/m2.json" &&
	 "$SCRATCH/asan/hotpath" measure --compare "$SCRATCH/m.json" "$SCRATCH/m2.json" 2>&1 |
	 diff <("$hp" measure --compare "$SCRATCH/m.json" "$SCRATCH/m2.json") -'
# Its times differ from run to run, and valgrind cannot time anything.
if [ "$(uname -m)" = x86_64 ]; then
	ktap_check "hotpath calibrate: clean under ASan/UBSan, the same keys" eval \
		'"$SCRATCH/asan/hotpath" calibrate --runs 3 2>&1 | grep -v "^#" | cut -f1 |
		 diff <("$hp" calibrate --runs 3 | grep -v "^#" | cut -f1) -'
else
	ktap_check "hotpath calibrate: clean under ASan/UBSan, says it is x86-64 only" \
		ktap_fails_with "calibrate: x86-64 only" "$SCRATCH/asan/hotpath" calibrate
fi
ktap_finished
