#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A KDIR configured and built in tree, as a developer's own checkout is:
# make analyze uses that tree's own build (make O= would refuse the tree),
# writes nothing inside it, and make validate reads that build's objects.
# The tree is a hard-link farm of Debian's 6.12 with the project's KVM
# config, built in place.
#
# Usage: intree_kdir.sh

. "$(dirname "$0")/../lib.sh"
. "$TOP/analyzer/kbuild.sh"

ktap_require python3 python3
ktap_require objdump binutils
ktap_scratch

kdir=$CACHE/linux-source-6.12
ov=$SCRATCH/tree
name=intree-test
log=$SCRATCH/build.log

ktap_print_header
ktap_set_plan 5

[ -f "$kdir/Makefile" ] ||
	ktap_exit_fail_msg "$kdir missing: run 'make check', which extracts linux-source-6.12"
tree_manifest "$kdir" >"$SCRATCH/manifest.pristine"

# The project's own config recipe, made in a scratch build dir, then
# copied into the tree and built there the way a developer would.
ktap_check "a tree configured and built in place (KVM objects)" eval '
	kb_overlay "$kdir" "$ov" >"$log" 2>&1 &&
	kb_config "$kdir" "$SCRATCH/cfg" >>"$log" 2>&1 &&
	cp "$SCRATCH/cfg/.config" "$ov/.config" &&
	make -s -C "$ov" -j"$(nproc)" olddefconfig prepare >>"$log" 2>&1 &&
	make -s -C "$ov" -j"$(nproc)" arch/x86/kvm/ >>"$log" 2>&1 &&
	test -f "$ov/arch/x86/kvm/x86.o" || { tail -20 "$log"; false; }'
tree_manifest "$ov" >"$SCRATCH/manifest.built"

make -s -C "$TOP" validate KDIR="$ov" NAME="$name" REPORTS="$SCRATCH/r" \
	>"$SCRATCH/validate" 2>"$SCRATCH/err"
ktap_check "make analyze uses the in-tree build: no make O=, every TU parses" eval '
	grep -q "CDB .*(from the in-tree build of $ov)" "$SCRATCH/err" &&
	! grep -q "CONFIG\|PREPARE" "$SCRATCH/err" &&
	grep -qE "^hotpath: [0-9]+ TUs .* 0 unparsable, 0 with errors" "$SCRATCH/err" &&
	test -s "$SCRATCH/r/$name/callgraph.json" || { cat "$SCRATCH/err"; false; }'
ktap_check "make validate reads the tree's own objects" eval '
	grep -q "^validate $name: .* against $(realpath "$ov")$" "$SCRATCH/validate" &&
	grep -q "^  objtool: .* (the same)$" "$SCRATCH/validate" || { cat "$SCRATCH/validate" "$SCRATCH/err"; false; }'
sed -n '1,7s/^/# /p' "$SCRATCH/validate"
ktap_check "nothing is written inside the in-tree KDIR" eval \
	'tree_manifest "$ov" | diff "$SCRATCH/manifest.built" -'
ktap_check "the pristine tree the farm links to is untouched" eval \
	'tree_manifest "$kdir" | diff "$SCRATCH/manifest.pristine" -'
key=$(key_of "$ov")
rm -rf "$CACHE/build-$key" "$CACHE/tu-$key" "$CACHE/.build-$key.lock"

ktap_finished
