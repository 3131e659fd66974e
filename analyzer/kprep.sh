#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kprep.sh - get a kernel tree ready for the analyzer: its KVM objects
# built and a compile_commands.json of the KVM translation units, which
# libclang reads with clang_CompilationDatabase_fromDirectory.  Run it (it
# is not meant to be sourced); the work is done by kbuild.sh's kb_*.
#
# Usage: analyzer/kprep.sh KDIR CACHE [KCONFIG]
#        analyzer/kprep.sh --name KDIR
#        analyzer/kprep.sh --key KDIR [KCONFIG]
#        analyzer/kprep.sh --build KDIR CACHE [KCONFIG]
#
#   KDIR     the kernel source tree; never written
#   CACHE    the folder that receives build-<key>/
#   KCONFIG  a .config to build with instead of x86_64_defconfig + KVM,
#            KVM_INTEL, KVM_AMD as modules + retpoline/rethunk/SRSO
#   --name   only print the report's name: NAME, or linux- plus
#            "make -s kernelversion" of KDIR
#   --key    only print <key>, the name of KDIR's folders in the cache:
#            linux-VERSION-HASH, the hash of KDIR's real path and of
#            KCONFIG's contents (kb_cache_key)
#   --build  only print the build folder make validate and make audit read:
#            KDIR when it is configured in tree, else CACHE/build-<key>
#
# Environment: NAME (the --name), KB_JOBS (parallel jobs, default: number
# of CPUs), CLANG (the clang the analyzer's flags are meant for, default:
# clang-16).
#
# A clean KDIR is built out of tree in CACHE/build-<key>/ (configured,
# prepared, KVM objects built; redone only as far as something changed),
# with CACHE/build-<key>/compile_commands.json.  Two trees at one version
# and two KCONFIGs of one tree each get their own.  A KDIR configured in
# tree (it has a .config, so Kbuild refuses O=) is used as it is: no make
# runs in it; it must have been built, and only the compilation database
# is written, to CACHE/build-<key>/compile_commands.json, its entries
# naming KDIR as their directory.
#
# Progress goes to stderr ("  CONFIG  ...", "  KVM     ...", "  CDB     ..."),
# the compilation database's path to stdout.  On failure: one line on
# stderr ("kprep: ..." or "kbuild: ..."), exit status 1.

# shellcheck source=analyzer/kbuild.sh
. "$(dirname "${BASH_SOURCE[0]}")/kbuild.sh" || exit 1

die()
{
	echo "kprep: $*" >&2
	exit 1
}

progress()
{
	printf '  %-7s %s\n' "$1" "$2" >&2
}

usage="usage: kprep.sh KDIR CACHE [KCONFIG] | kprep.sh --name KDIR | kprep.sh --key KDIR [KCONFIG] | kprep.sh --build KDIR CACHE [KCONFIG]"

# linux-VERSION as the tree's own Makefile spells it (EXTRAVERSION
# included), from the tree alone: kernelversion reads no .config.
tree_name()
{
	local kdir=$1 v

	v=$(kb__make -s --no-print-directory -C "$kdir" kernelversion 2>/dev/null | tail -n1)
	[[ "$v" =~ ^[0-9]+\.[0-9]+ ]] ||
		die "make kernelversion failed in $kdir: not a kernel tree?"
	echo "linux-$v"
}

# A kernel tree with KVM for x86, checked before anything runs make.
check_kdir()
{
	local kdir=$1

	[ -n "$kdir" ] || die "empty KDIR: $usage"
	[ -d "$kdir" ] || die "KDIR $kdir is not a directory"
	kb_version "$kdir" >/dev/null || exit 1
	if [ ! -f "$kdir/arch/x86/kvm/Makefile" ] || [ ! -d "$kdir/virt/kvm" ]; then
		die "$kdir has no arch/x86/kvm or virt/kvm: no KVM in this tree"
	fi
}

case $1 in
--name)
	[ $# -eq 2 ] || die "$usage"
	check_kdir "$2"
	name=${NAME:-$(tree_name "$2")} || exit 1
	# One folder name: the report's.
	[[ "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] ||
		die "bad NAME '$name': use letters, digits and . _ + -"
	echo "$name"
	exit 0
	;;
--key)
	[ $# -eq 2 ] || [ $# -eq 3 ] || die "$usage"
	check_kdir "$2"
	kb_cache_key "$2" "$3" || exit 1
	exit 0
	;;
--build)
	[ $# -eq 3 ] || [ $# -eq 4 ] || die "$usage"
	check_kdir "$2"
	if kb_configured_intree "$2"; then
		realpath -e "$2"
	else
		key=$(kb_cache_key "$2" "$4") || exit 1
		echo "$(realpath -m "$3")/build-$key"
	fi
	exit 0
	;;
esac

[ $# -eq 2 ] || [ $# -eq 3 ] || die "$usage"
kdir=$1
cache=$2
kconfig=$3

check_kdir "$kdir"
kdir=$(realpath -e "$kdir") || exit 1
[ -n "$cache" ] || die "empty CACHE: $usage"
if [ $# -eq 3 ] && { [ ! -f "$kconfig" ] || [ ! -r "$kconfig" ]; }; then
	die "KCONFIG ${kconfig:-<empty>} is not a readable file"
fi
kb__need python3 python3 || exit 1
clang=${CLANG:-clang-16}
command -v "$clang" >/dev/null 2>&1 ||
	die "$clang not found (the compilation database is for it): apt-get install -y clang-16, or set CLANG="

key=$(kb_cache_key "$kdir" "$kconfig") || exit 1
# Check before mkdir: a CACHE inside KDIR must not even be created.
cache=$(realpath -m "$cache") || exit 1
b=$cache/build-$key
kb__check_disjoint "$kdir" "$b" || exit 1
kb_mkdir "$cache" CACHE || exit 1

# Two runs on one build dir would race in make and in the rename of the
# database; the second waits.
kb_open_lock 9 "$cache/.build-$key.lock" || exit 1
kb_wait_lock 9 "$cache/.build-$key.lock" || die "cannot lock $cache/.build-$key.lock"

# The key holds the tree's path; a build dir that says otherwise was
# made by hand or moved: never mix two trees.
if [ -f "$b/.kb-config" ]; then
	old=$(sed -n 's/^kdir=//p' "$b/.kb-config")
	[ "$old" = "$kdir" ] ||
		die "$b is the build of $old, not $kdir: rm -rf $b"
fi

cdb=$b/compile_commands.json
if kb_configured_intree "$kdir"; then
	[ -z "$kconfig" ] ||
		die "$kdir is configured in tree, so its own .config is used: drop KCONFIG, or use a clean tree"
	[ ! -f "$b/.kb-config" ] ||
		die "$b is an out-of-tree build of $kdir from before it was configured in tree: rm -rf $b"
	grep -qE '^CONFIG_KVM=[ym]$' "$kdir/.config" ||
		die "$kdir/.config does not enable KVM (CONFIG_KVM=y or m)"
	if [ ! -f "$kdir/include/config/auto.conf" ] || [ ! -f "$kdir/arch/x86/kvm/.x86.o.cmd" ]; then
		die "$kdir is configured in tree but its KVM objects are not built: run make -C $kdir arch/x86/kvm/ (or a full build), or use a clean tree"
	fi
	[ ! "$kdir/.config" -nt "$kdir/include/config/auto.conf" ] ||
		die "$kdir/.config changed after the last build of $kdir: rebuild it (make -C $kdir arch/x86/kvm/)"
	kb_mkdir "$b" || exit 1
	progress CDB "$cdb (from the in-tree build of $kdir)"
	kb_compdb "$kdir" "$cdb" || exit 1
else
	kb__check_tools || exit 1
	progress CONFIG "$b${kconfig:+ from $kconfig}"
	kb_config "$kdir" "$b" ${kconfig:+"$kconfig"} || exit 1
	progress PREPARE "$b"
	kb_prepare "$b" || exit 1
	progress KVM "$b/arch/x86/kvm"
	kb_kvm_objs "$b" || exit 1
	progress CDB "$cdb"
	kb_compdb "$b" "$cdb" || exit 1
fi
echo "$cdb"
