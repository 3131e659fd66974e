#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fuzz corpus replayed: every input of tests/fuzz/corpus/<harness>/ run
# once through its harness (tests/fuzz/fuzz_<harness>.c), built with
# libFuzzer, ASan and UBSan.  Deterministic: no time-based fuzzing here;
# make fuzz does that.  A crash, a sanitizer report or a leak fails the case.

. "$(dirname "$0")/../lib.sh"

ktap_require clang-16 clang-16
here=$TESTS/fuzz
# The build of this checkout's harnesses, as tests/fuzz/run names it.
out=$CACHE/fuzz/build-$(printf '%s' "$here" | sha1sum | cut -c1-10)
harnesses=$(cd "$here" && ls fuzz_*.c | sed 's/\.c$//; s/^fuzz_//')

ktap_print_header
ktap_set_plan $(($(wc -w <<<"$harnesses") + 1))

mkdir -p "$CACHE/fuzz"
ktap_check "the harnesses build (clang-16 -fsanitize=fuzzer,address,undefined, -Werror)" \
	make -s -C "$here" OUT="$out" -j "$(nproc)"
for h in $harnesses; do
	files=("$here/corpus/$h"/*)
	ktap_check "$h: the ${#files[@]} inputs of its corpus replay without a crash, a sanitizer report or a leak" \
		"$out/fuzz_$h" "${files[@]}"
done
ktap_finished
