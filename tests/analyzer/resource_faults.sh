#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotpath on a full and on a read-only filesystem (a small tmpfs the test
# mounts): one line naming the file and the system's reason, exit 1, the
# folder left as it was (no half-written file, no temporary), and once
# there is space again the same output as a run that never failed.

. "$(dirname "$0")/../lib.sh"

ktap_require python3 python3
hp=$TOP/analyzer/hotpath
[ -x "$hp" ] || { ktap_print_header; echo "Bail out! $hp not built: run make analyzer"; exit 1; }
ktap_scratch
ktap_print_header
mnt=$SCRATCH/mnt
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=4k tmpfs "$mnt" 2>/dev/null; then
	ktap_skip_all "cannot mount a tmpfs here (not root?): the faults need one"
	exit "$KSFT_SKIP"
fi
trap 'umount "$mnt" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
ktap_set_plan 5

# exit_cost's figures of 2000 runs: a measure.json of ~20 KB, five pages.
python3 - "$SCRATCH/raw" <<'EOF'
import sys
lines = ["exit_cost 1", "vendor intel", "hwvirt yes", "target_ticks 1024"]
lines += ["case cpuid default ok 64 - " + " ".join(["5000.500"] * 2000)]
lines += ["tsc_khz 2600000", "cycles unknown none"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
EOF
"$hp" measure --output "$SCRATCH/want.json" "$SCRATCH/raw" >/dev/null

# A callgraph of the analyzer's own test sources, for hotpath callgraph.
src=$TESTS/analyzer/cdb
mkdir -p "$SCRATCH/db/build"
printf '[{"directory": "%s", "file": "%s", "arguments": ["gcc", "-c", "-o", "x.o", "%s"]}]\n' \
	"$SCRATCH/db/build" "$src/exits.c" "$src/exits.c" >"$SCRATCH/db/compile_commands.json"
callgraph()
{
	"$hp" callgraph --cdb "$SCRATCH/db" --srctree "$src" --scope "" --quiet --name test --output "$1"
}
callgraph "$SCRATCH/want-cg.json"

# fails WANT CMD...: one line holding WANT, a non-zero exit, and the folder
# still empty (but for the test's filler).
fails()
{
	ktap_fails_with "$@" || return
	[ -z "$(ls -A "$mnt" | grep -vx filler)" ] || { echo "left in the folder: $(ls -A "$mnt")"; return 1; }
}

ktap_check "a full filesystem: measure.json not written, one line with the reason, nothing left" \
	fails "$mnt/measure.json: writing it failed (No space left on device); it was left as it was" \
	"$hp" measure --output "$mnt/measure.json" "$SCRATCH/raw"
# callgraph.json is small: the filesystem is filled first.
head -c 4096 /dev/zero >"$mnt/filler" 2>/dev/null
ktap_check "a full filesystem: callgraph.json not written, one line with the reason, nothing left" \
	fails "$mnt/cg.json: writing it failed (No space left on device); it was left as it was" \
	callgraph "$mnt/cg.json"

rm -f "$mnt/filler"
mount -o remount,size=4m "$mnt"
ktap_check "with space again, the same files as runs that never failed" eval \
	'"$hp" measure --output "$mnt/measure.json" "$SCRATCH/raw" >/dev/null &&
	 python3 -c "
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert a == b
" "$SCRATCH/want.json" "$mnt/measure.json" &&
	 callgraph "$mnt/cg.json" && cmp "$SCRATCH/want-cg.json" "$mnt/cg.json" &&
	 rm "$mnt/measure.json" "$mnt/cg.json"'

mount -o remount,ro "$mnt"
ktap_check "a read-only folder: one line with the reason" \
	fails "$mnt/measure.json: cannot write it (Read-only file system); give a folder that exists and is writable" \
	"$hp" measure --output "$mnt/measure.json" "$SCRATCH/raw"
ktap_check "a folder that is not there: one line with the reason" \
	fails "$mnt/no/cg.json: cannot write it (No such file or directory); give a folder that exists and is writable" \
	callgraph "$mnt/no/cg.json"

ktap_finished
