#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pmu_guard.cocci on our fixtures, in Coccinelle's own format: NAME.c is the
# input and NAME.res the expected output.  Each fixture gives four cases: the
# rewrite matches NAME.res, the rule leaves NAME.res as it is, NAME.res
# compiles with -Wall -Wextra -Werror, and the rewritten fixture behaves
# like the original with the PMU on and only loses PMU triggers with it off.
# spatch leaves a function it cannot parse as it is and exits 0, so the
# first two also require that spatch saw every trigger call the file's text
# holds (calls.cocci).
#
# Tags, in comments inside NAME.c (an unknown check- tag is an error):
#   check-name: what the fixture shows
#   check-options: extra spatch options, e.g. -D global_pmu
#   check-exit-paths: functions on exit paths (calls elsewhere stay as is)
#   check-pmu-off-triggers: PMU triggers the rewritten fixture still makes
#                           with the PMU off over all runs (default 0)
#   check-with: another fixture linked with this one, as pmu.c is with x86.c
#               (its NAME.res with this NAME.res, its NAME.c with this NAME.c)
#
# Usage: pmu_guard_fixtures.sh [NAME...]

. "$(dirname "$0")/../lib.sh"

ktap_require spatch coccinelle
ktap_require gcc gcc
ktap_scratch

dir=$TESTS/cocci
rule=$TOP/cocci/pmu_guard.cocci
cflags="-std=gnu11 -O1 -Wall -Wextra -Werror -I$dir"

if [ $# -gt 0 ]; then
	fixtures=("$@")
else
	fixtures=()
	for c in "$dir"/*.c; do
		[ "$(basename "$c")" = driver.c ] || fixtures+=("$(basename "$c" .c)")
	done
fi

tag()
{
	sed -n "s|^.*check-$1: *\(.*\)\$|\1|p" "$2" | head -1
}

# The trace of a build at one PMU setting; with strip, without the triggers.
trace_of()
{
	"$SCRATCH/$1.bin" "$2" | { [ "${3:-}" = strip ] && grep -v '^trigger ' || cat; }
}

spatch_to()
{
	local in=$1 out=$2
	shift 2
	spatch --sp-file "$rule" -D patch "$@" --no-includes --include-headers \
		--max-width 99 --very-quiet -o "$out" "$in" >/dev/null 2>"$out.err" ||
		{ cat "$out.err"; return 1; }
	[ -e "$out" ] || cp "$in" "$out"	# spatch writes nothing when nothing changes
}

same()
{
	diff -u "$1" "$2"
}

# parsed FILE: spatch saw each trigger call of FILE's code ("LINE NAME"),
# the calls read from the text: indented lines that are not comments.
parsed()
{
	diff -u --label "$(basename "$1"): calls in the text" --label "calls spatch parsed" \
		<(awk '/^[ \t]/ && $1 !~ /^(\*|\/\*|\/\/)/ {
			s = $0
			while (match(s, /(kvm_pmu_trigger_event|kvm_pmu_instruction_retired|kvm_pmu_branch_retired)\(/)) {
				print FNR, substr(s, RSTART, RLENGTH - 1)
				s = substr(s, RSTART + RLENGTH)
			}
		  }' "$1" | LC_ALL=C sort) \
		<(spatch --sp-file "$dir/calls.cocci" --no-includes --include-headers --very-quiet "$1" |
		  LC_ALL=C sort)
}

behaves()
{
	local f=$1 want=$2 left

	same <(trace_of "$f.orig" 1) <(trace_of "$f.new" 1) || return 1
	same <(trace_of "$f.orig" 0 strip) <(trace_of "$f.new" 0 strip) || return 1
	left=$(trace_of "$f.new" 0 | grep -c '^trigger ')
	[ "$left" = "$want" ] ||
		{ echo "$left PMU triggers with the PMU off, $want expected"; return 1; }
}

ktap_print_header
ktap_set_plan $((4 * ${#fixtures[@]}))

for f in "${fixtures[@]}"; do
	c=$dir/$f.c res=$dir/$f.res
	if [ ! -r "$c" ] || [ ! -r "$res" ]; then
		ktap_exit_fail_msg "$f: $f.c and $f.res must both exist in tests/cocci"
	fi
	bad=$(grep -o 'check-[a-z-]*:' "$c" | grep -vxE 'check-(name|options|exit-paths|pmu-off-triggers|with):')
	[ -z "$bad" ] || ktap_exit_fail_msg "$f.c: unknown tag $bad"

	read -r -a opts <<<"$(tag options "$c")"
	fns=$(tag exit-paths "$c")
	if [ -n "$fns" ]; then
		printf '%s\n' $fns >"$SCRATCH/$f.exit-paths"
		opts+=(-D "exit_paths=$SCRATCH/$f.exit-paths")
	fi
	name=$(tag name "$c")
	ktap_print_msg "$f: ${name:-(no check-name)}"

	ktap_check "$f: rewrite matches $f.res, every call parsed" \
		eval 'parsed "$c" && spatch_to "$c" "$SCRATCH/$f.out.c" "${opts[@]}" &&
		      same "$res" "$SCRATCH/$f.out.c"'
	ktap_check "$f: rule leaves $f.res unchanged, every call parsed" \
		eval 'parsed "$res" && spatch_to "$res" "$SCRATCH/$f.again.c" "${opts[@]}" &&
		      same "$res" "$SCRATCH/$f.again.c"'
	new=("$SCRATCH/$f.res.c") orig=("$c")
	cp "$res" "$SCRATCH/$f.res.c"
	with=$(tag with "$c")
	if [ -n "$with" ]; then
		[ -r "$dir/$with.c" ] && [ -r "$dir/$with.res" ] ||
			ktap_exit_fail_msg "$f.c: check-with: $with: no $with.c and $with.res in tests/cocci"
		cp "$dir/$with.res" "$SCRATCH/$with.res.c"
		new+=("$SCRATCH/$with.res.c") orig+=("$dir/$with.c")
	fi
	ktap_check "$f: $f.res compiles with -Wall -Wextra -Werror" \
		eval 'gcc $cflags -o "$SCRATCH/$f.new.bin" "$dir/driver.c" "${new[@]}" &&
		      gcc $cflags -o "$SCRATCH/$f.orig.bin" "$dir/driver.c" "${orig[@]}"'
	ktap_check "$f: same behaviour, PMU triggers gone with the PMU off" \
		behaves "$f" "$(tag pmu-off-triggers "$c" | grep . || echo 0)"
done

ktap_finished
