#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile files, each answered by one error line naming the limit or what
# is wrong, within bounded memory (ulimit -v 1.2 GB, so that an unbounded
# parse dies "out of memory" instead): JSON nested 100,000 deep, 5 million
# values, 140 MB, NUL bytes, text that is not UTF-8, half a surrogate pair,
# numbers JSON does not have; a surrogate pair read right; a 100 MB line
# and a NUL byte in a profile, a roots file and exit_cost's figures.  The
# limits are the ones README.md states.

. "$(dirname "$0")/../lib.sh"

ktap_require python3 python3
hp=$TOP/analyzer/hotpath
[ -x "$hp" ] || { ktap_print_header; echo "Bail out! $hp not built: run make analyzer"; exit 1; }
ktap_scratch
ktap_print_header
ktap_set_plan 12

# hostile WANT CMD...: one line holding WANT and a non-zero exit, within
# 1.2 GB of memory.
hostile()
{
	ktap_fails_with "$1" limited "${@:2}"
}
limited()
{
	(ulimit -v 1200000 && "$@")
}
j=$SCRATCH/j.json
check() { "$hp" measure --check "$j"; }

python3 -c 'import sys; sys.stdout.write("[" * 100000 + "]" * 100000)' >"$j"
ktap_check "JSON nested 100,000 deep: one line, no stack overflow" \
	hostile "j.json:1: not valid JSON (nested more than 64 deep)" check
python3 -c 'import sys; sys.stdout.write("[" + ",".join(["1"] * 5000000) + "]")' >"$j"
ktap_check "JSON of 5 million values: one line, bounded memory" \
	hostile "not valid JSON (more than 4194304 values)" check
head -c 140000000 /dev/zero | tr '\0' ' ' >"$j"
ktap_check "a 140 MB JSON file: one line, never read whole" \
	hostile "j.json: more than 128 MB, more than kvm-hotpath reads" check

ktap_check "JSON with a NUL byte, raw or as \\u0000: one line each" eval '
	printf "[1]\0" >"$j" && hostile "(text after the document)" check &&
	printf "\0[1]" >"$j" && hostile "(unexpected text)" check &&
	printf "[\"a\\\\u0000b\"]" >"$j" && hostile "(a NUL (\\u0000) in a string)" check'
ktap_check "JSON strings that are not UTF-8 (a stray byte, an overlong form, an encoded surrogate): one line each" eval '
	for bad in "\xff" "\xc0\x80" "\xed\xa0\x80" "\xe2\x82"; do
		printf "[\"a$bad\"]" >"$j" && hostile "(a string that is not UTF-8)" check || exit 1
	done'
ktap_check "JSON with half a surrogate pair: one line" eval '
	printf "[\"\\\\ud83d x\"]" >"$j" && hostile "(half a UTF-16 surrogate pair in a \\u escape)" check &&
	printf "[\"\\\\ude00\"]" >"$j" && hostile "(half a UTF-16 surrogate pair in a \\u escape)" check'
ktap_check "numbers JSON does not have (01, 1., .5, +1, nan, 0x10, 1e, 1e999): one line each" eval '
	for n in 01 1. .5 +1 nan 0x10 1e 1e999; do
		printf "[$n]" >"$j" && hostile "not valid JSON" check || exit 1
	done'

# A surrogate pair is one character, read as UTF-8: a host named U+1F600.
fake_measure "$SCRATCH/m.json" intel 6 0x6a 6.12.0 cpuid:default:1000,1010
sed -i 's/"name": "testhost"/"name": "\\ud83d\\ude00 \\u00e9"/' "$SCRATCH/m.json"
ktap_check "JSON's surrogate pairs and escapes come out as the UTF-8 they stand for" eval \
	'"$hp" measure --table "$SCRATCH/m.json" | head -n1 | grep -q "host $(printf "\xf0\x9f\x98\x80 \xc3\xa9"), Linux 6.12.0$"'

# Line-based files: a 100 MB line, and a NUL byte.
p=$SCRATCH/big.profile
echo "{}" >"$SCRATCH/none.json"
{ printf 'name x'; head -c 100000000 /dev/zero | tr '\0' x; printf '\n'; } >"$p"
ktap_check "a profile with a 100 MB line: one line, bounded memory" \
	hostile "big.profile: no vendor line; say vendor amd or vendor intel" \
	"$hp" audit --build "$SCRATCH" --profile "$p" "$SCRATCH/none.json"
printf 'name x\ncpu y\0z\n' >"$p"
ktap_check "a profile with a NUL byte: one line naming the line" \
	hostile "big.profile:2: a NUL byte; a profile is text" \
	"$hp" audit --build "$SCRATCH" --profile "$p" "$SCRATCH/none.json"

src=$TESTS/analyzer/cdb
mkdir -p "$SCRATCH/db/build"
printf '[{"directory": "%s", "file": "%s", "arguments": ["gcc", "-c", "-o", "x.o", "%s"]}]\n' \
	"$SCRATCH/db/build" "$src/cpuid.c" "$src/cpuid.c" >"$SCRATCH/db/compile_commands.json"
roots()
{
	"$hp" callgraph --cdb "$SCRATCH/db" --srctree "$src" --scope "" --quiet --roots "$SCRATCH/roots" \
		--output "$SCRATCH/cg.json"
}
ktap_check "roots files: a 600-character line is one line, a NUL byte an error" eval '
	{ printf "+handle_cpuid\n"; printf "%0600d\n" 0; } >"$SCRATCH/roots" &&
	hostile "roots:2: '"'"'$(printf "%064d" 0)...'"'"': write +name to add a root or -name to drop one" roots &&
	printf "+handle_cpuid\0x\n" >"$SCRATCH/roots" &&
	hostile "roots:1: a NUL byte; a roots file is text" roots'
ktap_check "exit_cost figures with a NUL byte or a 100 MB line: one line" eval '
	printf "exit_cost 1\nvendor intel\0\n" >"$SCRATCH/raw" &&
	hostile "raw:2: not a line exit_cost writes" "$hp" measure --output "$SCRATCH/o.json" "$SCRATCH/raw" &&
	{ printf "exit_cost 1\nvendor "; head -c 100000000 /dev/zero | tr "\0" x; printf "\n"; } >"$SCRATCH/raw" &&
	hostile "no exit_cost header, vendor or case line" "$hp" measure --output "$SCRATCH/o.json" "$SCRATCH/raw" &&
	[ ! -e "$SCRATCH/o.json" ]'

ktap_finished
