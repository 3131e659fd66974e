# SPDX-License-Identifier: GPL-2.0
#
# Timing for the benches (cocci/bench, analyzer/bench), sourced: medians of
# $runs wall-clock runs, and a failed run reported with what it said.
# The caller sets runs and work (a private folder).

# median_time CMD...: the median wall time of $runs runs, in seconds; on a
# failure, the time it took and the command's last error line, status 1.
median_time()
{
	local i t0 t1 us=()

	for i in $(seq "$runs"); do
		t0=$(date +%s%N)
		if ! "$@" >/dev/null 2>"$work/err"; then
			t1=$(date +%s%N)
			printf 'failed after %.1f s: %s' "$(( (t1 - t0) / 1000000 ))e-3" \
				"$(grep -v '^$' "$work/err" | tail -1)"
			return 1
		fi
		t1=$(date +%s%N)
		us+=($(( (t1 - t0) / 1000 )))
	done
	printf '%s\n' "${us[@]}" | sort -n |
		awk '{ t[NR] = $1 } END { printf "%.3f", t[int((NR + 1) / 2)] / 1e6 }'
}

# measure VAR CMD...: VAR = median_time CMD, or stop with what went wrong.
measure()
{
	local var=$1 out
	shift

	out=$(median_time "$@") || { echo "bench: '$*' $out" >&2; exit 1; }
	printf -v "$var" '%s' "$out"
}
