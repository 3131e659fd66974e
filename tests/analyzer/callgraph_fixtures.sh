#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The analyzer's call classification on fixtures of ours, in sparse's form:
# each NAME.c ends with a comment holding its expectations,
#   check-name: what it shows
#   check-args: extra clang arguments (optional)
#   check-roots: a roots file's lines, space-separated (+name adds, -name drops)
#   check-output-start / check-output-end: what test-callgraph prints
# An unknown check- tag is an error.
# Usage: callgraph_fixtures.sh [NAME...]

. "$(dirname "$0")/../lib.sh"

driver=$TOP/analyzer/test-callgraph
dir=$TESTS/analyzer
ktap_scratch
if [ ! -x "$driver" ]; then
	ktap_print_header
	ktap_exit_fail_msg "$driver not built: run 'make -C analyzer' (make check does)"
fi

if [ $# -gt 0 ]; then
	fixtures=("$@")
else
	fixtures=()
	for c in "$dir"/*.c; do
		fixtures+=("$(basename "$c" .c)")
	done
fi

ktap_print_header
ktap_set_plan ${#fixtures[@]}
for f in "${fixtures[@]}"; do
	c=$dir/$f.c
	[ -r "$c" ] || ktap_exit_fail_msg "$f: no $f.c in tests/analyzer"
	bad=$(grep -o 'check-[a-z-]*' "$c" | grep -vxE 'check-(name|args|roots|output-start|output-end)')
	[ -z "$bad" ] || ktap_exit_fail_msg "$f.c: unknown tag $bad"
	sed -n '/check-output-start/,/check-output-end/p' "$c" | sed '1d;$d' >"$SCRATCH/$f.want"
	read -r -a args <<<"$(sed -n 's/^.*check-args: *//p' "$c" | head -1)"
	roots=()
	if grep -q 'check-roots:' "$c"; then
		sed -n 's/^.*check-roots: *//p' "$c" | head -1 | tr ' ' '\n' >"$SCRATCH/$f.roots"
		roots=(--roots "$SCRATCH/$f.roots")
	fi
	ktap_print_msg "$f: $(sed -n 's/^.*check-name: *//p' "$c" | head -1)"
	ktap_check "$f: call graph as expected" eval \
		'(cd "$dir" && "$driver" "${roots[@]}" "$f.c" -- "${args[@]}") >"$SCRATCH/$f.got" &&
		 diff -u "$SCRATCH/$f.want" "$SCRATCH/$f.got"'
done
ktap_finished
