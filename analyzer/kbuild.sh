# SPDX-License-Identifier: GPL-2.0
#
# kbuild.sh - build the KVM objects of a read-only kernel source tree out
# of tree (O=), optionally from a hard-link overlay that carries patched
# files, write their compilation database, and run sparse on them.  Source
# it; every function is kb_*, and every failure is one "kbuild: ..." line on
# stderr plus a non-zero return.  Used by analyzer/kprep.sh and the e2e tests.
#
# Typical use:
#	. analyzer/kbuild.sh
#	kb_config "$kdir" "$b" && kb_prepare "$b" && kb_objs "$b" arch/x86/kvm/x86.o
#	kb_kvm_objs "$b" && kb_compdb "$b" "$b/compile_commands.json"
#	kb_configured_intree "$kdir" && kb_compdb "$kdir" "$cache/compile_commands.json"
#	kb_overlay "$kdir" "$ov" && kb_overlay_put "$ov" arch/x86/kvm/x86.c new.c
#	kb_config "$ov" "$ob" && kb_objs "$ob" arch/x86/kvm/x86.o
#	kb_sparse "$b" arch/x86/kvm/x86.o >pristine.txt
#	kb_overlay_verify "$ov"
#
# The source trees are never written: all output goes to BUILDDIR, and an
# overlay is a hard-link (or symlink) farm in which patched files are
# swapped in by rename(2), so the original inodes are never opened for
# writing.

# Bump when kb_config's recipe changes, so stamped build dirs get redone.
KB_RECIPE=2
KB_JOBS=${KB_JOBS:-$(nproc)}
# Paths that kb_overlay copies for real instead of linking.  Tools that
# rewrite a file in place (spatch --in-place runs "cp OUT INFILE", many
# editors, shell ">") would otherwise write through the shared inode into
# the pristine tree; the KVM sources are what such tools will target.
KB_OVERLAY_COPY=${KB_OVERLAY_COPY:-"arch/x86/kvm virt/kvm include/kvm include/linux/kvm_host.h include/linux/kvm_types.h arch/x86/include/asm/kvm_host.h"}

kb_err()
{
	echo "kbuild: $*" >&2
	return 1
}

# Name the failing step, the first error-looking line and the full log,
# so the caller gets one useful line rather than a wall of make output.
kb__fail_log()
{
	local msg=$1 log=$2 first

	first=$(grep -m1 -E 'error|Error|\*\*\*' "$log" 2>/dev/null)
	# A full disk may leave the log itself empty: say what df says.
	if [ -z "$first" ] && [ "$(df --output=avail -k "$(dirname "$log")" 2>/dev/null | tail -n1 | tr -d " ")" = 0 ]; then
		first="No space left on device ($(df --output=target "$(dirname "$log")" | tail -n1 | tr -d " ") is full)"
	fi
	kb_err "$msg${first:+: $first} (log: $log)"
}

kb__need()
{
	local tool=$1 pkg=$2

	command -v "$tool" >/dev/null 2>&1 ||
		kb_err "$tool not found: apt-get install -y $pkg"
}

# Everything "make prepare" needs on Debian 12; checked up front because
# a missing flex or libelf otherwise surfaces as a cryptic make error.
kb__check_tools()
{
	kb__need make make || return
	kb__need gcc gcc || return
	kb__need flex flex || return
	kb__need bison bison || return
	kb__need bc bc || return
	kb__need sha256sum coreutils || return
	[ "$(uname -m)" = x86_64 ] ||
		kb_err "host is $(uname -m), not x86_64: cross builds are not supported" || return
	# objtool (selected by the retpoline/rethunk options) links libelf.
	[ -e /usr/include/gelf.h ] ||
		kb_err "libelf headers missing (objtool needs them): apt-get install -y libelf-dev"
}

# Keep caller settings that Kbuild honours (KBUILD_OUTPUT, ARCH, LLVM, ...)
# from redirecting or changing the build, and force C messages so logs and
# sparse output compare equal across environments.  A calling make's flags
# go too: its -s would hide the CHECK lines that prove sparse ran.
kb__make()
{
	env -u KBUILD_OUTPUT -u KCONFIG_CONFIG -u KBUILD_EXTMOD -u ARCH -u MAKEFLAGS -u MFLAGS \
		-u CROSS_COMPILE -u LLVM -u CC -u C -u W -u M -u O -u V \
		LC_ALL=C make "$@"
}

# kb_version KDIR: print VERSION.PATCHLEVEL.SUBLEVEL, fail if not a kernel tree.
kb_version()
{
	local kdir=$1 v p s

	[ -n "$kdir" ] && [ -f "$kdir/Makefile" ] ||
		kb_err "${kdir:-<empty>} is not a kernel tree (no Makefile with VERSION)" || return
	v=$(sed -n 's/^VERSION = *//p' "$kdir/Makefile")
	p=$(sed -n 's/^PATCHLEVEL = *//p' "$kdir/Makefile")
	s=$(sed -n 's/^SUBLEVEL = *//p' "$kdir/Makefile")
	[ -n "$v" ] && [ -n "$p" ] ||
		kb_err "$kdir is not a kernel tree (no Makefile with VERSION)" || return
	echo "$v.$p.${s:-0}"
}

# kb_cache_key KDIR [KCONFIG]: the name of KDIR's folders in a cache,
# linux-VERSION-HASH, the hash from KDIR's real path and KCONFIG's
# contents.  Two trees at one version (~/src/linux and ~/src/kvm at the
# same -rc), or one tree with two .configs, never share a build or a TU
# cache; a report's name (NAME=) plays no part in it.
kb_cache_key()
{
	local kdir=$1 kconfig=$2 v id

	v=$(kb_version "$kdir") || return
	kdir=$(realpath -e "$kdir") || kb_err "cannot resolve KDIR $1" || return
	id="kdir=$kdir"
	if [ -n "$kconfig" ]; then
		[ -f "$kconfig" ] && [ -r "$kconfig" ] ||
			kb_err "KCONFIG $kconfig is not a readable file" || return
		id+=" kconfig=$(sha256sum <"$kconfig")" || return
	fi
	printf 'linux-%s-%s\n' "$v" "$(printf '%s' "$id" | sha256sum | cut -c1-10)"
}

# Validate KDIR as a source tree usable with O=.  An in-tree .config or
# include/config makes Kbuild refuse O= builds; the fix ("make mrproper")
# writes the tree, so only tell the user.
kb__check_kdir()
{
	local kdir=$1

	kb_version "$kdir" >/dev/null || return
	[ -d "$kdir/arch/x86/kvm" ] && [ -f "$kdir/scripts/config" ] ||
		kb_err "$kdir has no arch/x86/kvm or scripts/config: not a full x86 kernel tree" || return
	if [ -e "$kdir/.config" ] || [ -d "$kdir/include/config" ]; then
		kb_err "$kdir was configured in tree (.config or include/config exists): use a clean tree"
		return
	fi
}

# BUILDDIR must be disjoint from KDIR: inside it we would write the tree
# (and Kbuild would use a relative srctree), around it "rm -rf BUILDDIR"
# would take the tree with it.
kb__check_disjoint()
{
	local kdir=$1 b=$2

	case "$b/" in
	"$kdir"/*) kb_err "build dir $b is inside source tree $kdir: pick a dir outside it"; return ;;
	esac
	case "$kdir/" in
	"$b"/*) kb_err "source tree $kdir is inside build dir $b: pick a dir outside it"; return ;;
	esac
}

# Print the source tree a kb_config'ed BUILDDIR belongs to.
kb__kdir_of()
{
	local b=$1 kdir

	[ -f "$b/.kb-config" ] ||
		kb_err "$b is not a configured build dir (no .kb-config): run kb_config KDIR $b" || return
	kdir=$(sed -n 's/^kdir=//p' "$b/.kb-config")
	[ -d "$kdir" ] ||
		kb_err "$b was configured for $kdir, which is gone: run kb_config again" || return
	echo "$kdir"
}

# First Kconfig symbol among the arguments that the tree defines: the x86
# mitigation options were renamed to MITIGATION_* in 6.9.  grep -R, as
# in a symlink-farm overlay the Kconfig files are symlinks.
kb__sym()
{
	local kdir=$1 s

	shift
	for s in "$@"; do
		if grep -Rqs --include='Kconfig*' -x "config $s" "$kdir/arch/x86" "$kdir/lib"; then
			echo "$s"
			return 0
		fi
	done
	return 1
}

# The identity of a configuration: tree, version, compiler, recipe and the
# .config contents.  A stamp holding it is only written after success.
kb__config_key()
{
	local kdir=$1 kconfig=$2

	echo "kdir=$kdir"
	echo "version=$(kb_version "$kdir")"
	echo "cc=$(gcc --version | head -n1)"
	echo "recipe=$KB_RECIPE"
	# Only with a user .config, so stamps made before KCONFIG existed stay valid.
	[ -z "$kconfig" ] || echo "kconfig=$(sha256sum <"$kconfig")"
}

# kb__user_config KDIR BUILDDIR KCONFIG LOG: the user's .config as given,
# completed by olddefconfig.  It is what the user wants analysed, so it is
# not edited; it must only build KVM and one of its vendor modules.
kb__user_config()
{
	local kdir=$1 b=$2 kconfig=$3 log=$4

	cp -f -- "$kconfig" "$b/.config" ||
		kb_err "cannot copy $kconfig to $b/.config" || return
	kb__make -C "$kdir" O="$b" olddefconfig >"$log" 2>&1 ||
		kb__fail_log "olddefconfig failed on $kconfig for $kdir in $b" "$log" || return
	if ! grep -qE '^CONFIG_KVM=[ym]$' "$b/.config" ||
	   ! grep -qE '^CONFIG_KVM_(INTEL|AMD)=[ym]$' "$b/.config"; then
		mv -f "$b/.config" "$b/.config.kb-rejected"
		kb_err "$kconfig does not enable KVM and KVM_INTEL or KVM_AMD (after olddefconfig), see $b/.config.kb-rejected"
		return
	fi
}

# kb_config KDIR BUILDDIR [KCONFIG]: x86_64_defconfig + KVM/KVM_INTEL/KVM_AMD=m
# + retpoline/rethunk/SRSO, no WERROR, DWARF 4 line info; verified, stamped.
# With KCONFIG, that .config (through olddefconfig) instead.
kb_config()
{
	local kdir=$1 b=$2 kconfig=$3 log key retp rethunk srso dwarf opt
	local want

	[ $# -eq 2 ] || [ $# -eq 3 ] || kb_err "usage: kb_config KDIR BUILDDIR [KCONFIG]" || return
	if [ $# -eq 3 ]; then
		[ -f "$kconfig" ] && [ -r "$kconfig" ] ||
			kb_err "KCONFIG ${kconfig:-<empty>} is not a readable file" || return
		kconfig=$(realpath -e "$kconfig") || return
	fi
	kb__check_tools || return
	kb__check_kdir "$kdir" || return
	kdir=$(realpath -e "$kdir") || return
	[ -n "$b" ] || kb_err "empty BUILDDIR" || return
	# Check before mkdir: a BUILDDIR inside KDIR must not even be created.
	b=$(realpath -m "$b") || return
	kb__check_disjoint "$kdir" "$b" || return
	mkdir -p "$b" || kb_err "cannot create build dir $b" || return
	if [ -f "$b/.kb-config" ]; then
		local old
		old=$(sed -n 's/^kdir=//p' "$b/.kb-config")
		[ "$old" = "$kdir" ] ||
			kb_err "$b belongs to source tree $old, not $kdir: use another dir or rm -rf $b" || return
	fi

	key=$(kb__config_key "$kdir" "$kconfig")
	# Fast path: same key and an untouched .config mean nothing to do.
	if [ -f "$b/.config" ] && [ -f "$b/.kb-config" ] &&
	   [ "$(cat "$b/.kb-config")" = "$key
config=$(sha256sum <"$b/.config")" ]; then
		return 0
	fi

	# Invalidate first so an interrupted run never leaves a valid stamp.
	rm -f "$b/.kb-config" "$b/.kb-prepared"
	mkdir -p "$b/.kb-log"
	log=$b/.kb-log/config.log

	if [ -n "$kconfig" ]; then
		kb__user_config "$kdir" "$b" "$kconfig" "$log" || return
		kb__stamp_config "$b" "$key"
		return
	fi

	retp=$(kb__sym "$kdir" MITIGATION_RETPOLINE RETPOLINE) ||
		kb_err "$kdir: no RETPOLINE or MITIGATION_RETPOLINE Kconfig symbol" || return
	rethunk=$(kb__sym "$kdir" MITIGATION_RETHUNK RETHUNK) ||
		kb_err "$kdir: no RETHUNK or MITIGATION_RETHUNK Kconfig symbol (kernel older than 5.19?)" || return
	# SRSO only exists from 6.1.44/6.5 on; enable and verify it when present.
	srso=$(kb__sym "$kdir" MITIGATION_SRSO CPU_SRSO)
	# Line info lets make validate map each emitted retpoline to its
	# source line; -g does not change gcc's code.  DWARF 4, because
	# binutils 2.40's objdump -l names the wrong file for DWARF 5 rows of
	# CREATE_TRACE_POINTS code (__traceiter_kvm_exit shown in x86.c).
	# DEBUG_INFO_DWARF4 is a choice from 5.12 on, a plain bool before.
	dwarf=$(kb__sym "$kdir" DEBUG_INFO_DWARF4) ||
		kb_err "$kdir: no DEBUG_INFO_DWARF4 Kconfig symbol (kernel older than 5.10?)" || return

	kb__make -C "$kdir" O="$b" x86_64_defconfig >"$log" 2>&1 ||
		kb__fail_log "x86_64_defconfig failed for $kdir in $b" "$log" || return
	# x86_64_defconfig sets CONFIG_WERROR=y; new gcc warnings in old trees
	# must not turn into build failures.  LOCALVERSION_AUTO would run git
	# on the tree (and pick up an enclosing repo), so drop it too.
	bash "$kdir/scripts/config" --file "$b/.config" \
		-e VIRTUALIZATION -m KVM -m KVM_INTEL -m KVM_AMD \
		-e "$retp" -e "$rethunk" ${srso:+-e "$srso"} \
		-d WERROR -d LOCALVERSION_AUTO \
		-e DEBUG_INFO -d DEBUG_INFO_NONE -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
		-e "$dwarf" -d DEBUG_INFO_DWARF5 -d DEBUG_INFO_BTF \
		-d DEBUG_INFO_REDUCED -d DEBUG_INFO_SPLIT \
		>>"$log" 2>&1 ||
		kb__fail_log "scripts/config failed on $b/.config" "$log" || return
	kb__make -C "$kdir" O="$b" olddefconfig >>"$log" 2>&1 ||
		kb__fail_log "olddefconfig failed for $kdir in $b" "$log" || return

	# olddefconfig silently drops options whose dependencies are unmet, so
	# check that what we asked for is really there.  A rejected .config is
	# renamed so that not even a plain "make O=" takes it for a valid one.
	want="KVM=m KVM_INTEL=m KVM_AMD=m $retp=y $rethunk=y${srso:+ $srso=y} DEBUG_INFO=y $dwarf=y"
	for opt in $want; do
		if ! grep -qx "CONFIG_$opt" "$b/.config"; then
			mv -f "$b/.config" "$b/.config.kb-rejected"
			kb_err "CONFIG_$opt missing after olddefconfig (unmet Kconfig dependency in $kdir?), see $b/.config.kb-rejected"
			return
		fi
	done
	for opt in WERROR DEBUG_INFO_REDUCED DEBUG_INFO_SPLIT; do
		if grep -qx "CONFIG_$opt=y" "$b/.config"; then
			mv -f "$b/.config" "$b/.config.kb-rejected"
			kb_err "CONFIG_$opt=y still set after olddefconfig, see $b/.config.kb-rejected"
			return
		fi
	done

	kb__stamp_config "$b" "$key"
}

kb__stamp_config()
{
	local b=$1 key=$2

	{
		echo "$key"
		echo "config=$(sha256sum <"$b/.config")"
	} >"$b/.kb-config.tmp" && mv -f "$b/.kb-config.tmp" "$b/.kb-config"
}

# kb_prepare BUILDDIR: "make prepare" once per configuration (stamped).
kb_prepare()
{
	local b=$1 kdir log stamp

	[ $# -eq 1 ] || kb_err "usage: kb_prepare BUILDDIR" || return
	kdir=$(kb__kdir_of "$b") || return
	b=$(realpath -e "$b") || return
	stamp=$(cat "$b/.kb-config")
	[ -f "$b/.kb-prepared" ] && [ "$(cat "$b/.kb-prepared")" = "$stamp" ] &&
		return 0

	rm -f "$b/.kb-prepared"
	log=$b/.kb-log/prepare.log
	# "prepare" generates headers and builds objtool, which is all single
	# object builds need; modules_prepare would add modpost for nothing.
	kb__make -C "$b" -j"$KB_JOBS" prepare >"$log" 2>&1 ||
		kb__fail_log "make prepare failed in $b" "$log" || return
	echo "$stamp" >"$b/.kb-prepared"
}

# Check OBJ arguments and print the source file of each, relative to KDIR.
kb__obj_srcs()
{
	local kdir=$1 o

	shift
	[ $# -gt 0 ] || kb_err "no objects given (e.g. arch/x86/kvm/x86.o)" || return
	for o in "$@"; do
		case "$o" in
		/* | *..* | *[[:space:]]* | "" | *[!a-zA-Z0-9_./-]*)
			kb_err "bad object name '$o': want a relative path like arch/x86/kvm/x86.o"; return ;;
		*.o) ;;
		*)	kb_err "bad object name '$o': must end in .o"; return ;;
		esac
		if [ -f "$kdir/${o%.o}.c" ]; then
			echo "${o%.o}.c"
		elif [ -f "$kdir/${o%.o}.S" ]; then
			echo "${o%.o}.S"
		else
			kb_err "$o: no ${o%.o}.c or ${o%.o}.S in $kdir"; return
		fi
	done
}

kb__fp_file()
{
	echo "$1/.kb-fp/$(echo "$2" | tr / _).fp"
}

# Fingerprint of an object's inputs: device, inode, mtime and size of its
# source and of every source-tree header in its .cmd dependency list.
kb__obj_fp()
{
	local b=$1 o=$2 dir base cmd

	dir=$(dirname "$o")
	base=$(basename "$o")
	cmd=$b/$dir/.$base.cmd
	[ -f "$cmd" ] || return 1
	# shellcheck disable=SC2016 # "$(wildcard" is literal .cmd text
	sed -n -e 's/^source_[^ ]* := //p' \
		-e '/^deps_/,/^$/{/^deps_/d;/\$(wildcard/d;s/^ *//;s/ *\\$//;/^$/d;p}' "$cmd" |
		(cd "$b" && xargs -r stat -L -c '%d %i %Y %s %n' 2>/dev/null) |
		sha256sum
}

# Kbuild rebuilds only when an input is NEWER than the object.  Swapping a
# file back to the pristine one (re-created overlay, reverted header) makes
# an input older, and a stale patched object would be reused.  So drop an
# object whose inputs changed identity since we last built it.
kb__invalidate()
{
	local b=$1 o fp old

	shift
	for o in "$@"; do
		[ -e "$b/$o" ] || continue
		fp=$(kb__obj_fp "$b" "$o") || fp=none
		old=$(cat "$(kb__fp_file "$b" "$o")" 2>/dev/null)
		[ "$fp" = "$old" ] || rm -f "$b/$o"
	done
}

kb__record_fp()
{
	local b=$1 o

	shift
	mkdir -p "$b/.kb-fp"
	for o in "$@"; do
		kb__obj_fp "$b" "$o" >"$(kb__fp_file "$b" "$o")" ||
			rm -f "$(kb__fp_file "$b" "$o")"
	done
}

# kb_objs BUILDDIR OBJ...: build just these objects with -j$KB_JOBS.
# Compiler diagnostics go to stderr and to BUILDDIR/.kb-log/objs.log.
kb_objs()
{
	local b=$1 kdir log o rc

	[ $# -ge 2 ] || kb_err "usage: kb_objs BUILDDIR OBJ..." || return
	kdir=$(kb__kdir_of "$b") || return
	b=$(realpath -e "$b") || return
	shift
	kb__obj_srcs "$kdir" "$@" >/dev/null || return
	kb_prepare "$b" || return
	kb__invalidate "$b" "$@"

	log=$b/.kb-log/objs.log
	# -s hides the "CC" lines, so what reaches stderr is compiler output.
	kb__make -s -C "$b" -j"$KB_JOBS" "$@" 2>&1 | tee "$log" >&2
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || kb__fail_log "building $* in $b failed" "$log" || return
	for o in "$@"; do
		[ -f "$b/$o" ] || kb_err "$b/$o was not produced (not enabled in .config?)" || return
	done
	kb__record_fp "$b" "$@"
}

# The KVM sources: arch/x86/kvm (with vmx/, svm/, mmu/) and the virt/kvm
# files its Makefile pulls in through ../../../virt/kvm, whose objects
# land in BUILDDIR/virt/kvm.
KB_KVM_DIRS="arch/x86/kvm virt/kvm"

# kb_kvm_objs BUILDDIR: build every object of the KVM modules with
# -j$KB_JOBS.  The directory target compiles arch/x86/kvm's obj-y and
# obj-m (virt/kvm included) and links kvm.o, kvm-intel.o and kvm-amd.o,
# without modpost or vmlinux: 15 s on 2 cores for 6.1 or 6.12, 0.9 s when
# nothing changed.  Compiler output goes to BUILDDIR/.kb-log/kvm.log only.
kb_kvm_objs()
{
	local b=$1 kdir log d objs

	[ $# -eq 1 ] || kb_err "usage: kb_kvm_objs BUILDDIR" || return
	kdir=$(kb__kdir_of "$b") || return
	b=$(realpath -e "$b") || return
	[ -f "$kdir/arch/x86/kvm/Makefile" ] ||
		kb_err "$kdir has no arch/x86/kvm/Makefile: no KVM in this tree" || return
	kb_prepare "$b" || return
	# In an overlay, a file swapped back to the pristine one is older than
	# the object built from the patched one: drop objects whose inputs
	# changed identity, as kb_objs does.  Only there: fingerprinting all
	# KVM objects costs 0.8 s, as much as the whole up-to-date make.
	if [ -f "$kdir/.kb-overlay" ]; then
		objs=$(for d in $KB_KVM_DIRS; do
			[ -d "$b/$d" ] && (cd "$b" && find "$d" -name '*.o')
		done)
		# shellcheck disable=SC2086 # one object a word, names have no spaces
		[ -z "$objs" ] || kb__invalidate "$b" $objs
	fi

	log=$b/.kb-log/kvm.log
	kb__make -s -C "$b" -j"$KB_JOBS" arch/x86/kvm/ >"$log" 2>&1 ||
		kb__fail_log "building arch/x86/kvm/ in $b failed" "$log" || return
	# A .config without KVM builds nothing and make still succeeds.
	[ -f "$b/arch/x86/kvm/x86.o" ] && [ -f "$b/virt/kvm/kvm_main.o" ] ||
		kb_err "no KVM objects in $b after make arch/x86/kvm/ (CONFIG_KVM not set in $b/.config?)" || return
	if [ -f "$kdir/.kb-overlay" ]; then
		objs=$(for d in $KB_KVM_DIRS; do (cd "$b" && find "$d" -name '*.o'); done)
		# shellcheck disable=SC2086
		kb__record_fp "$b" $objs
	fi
}

# kb_compdb BUILDDIR OUTFILE: write OUTFILE, a compile_commands.json of
# the KVM C translation units only, with the tree's own
# scripts/clang-tools/gen_compile_commands.py over BUILDDIR's .cmd files.
# BUILDDIR is an O= build dir or a tree built in place (never written).
# Each entry's "directory" is BUILDDIR (the commands use paths relative to
# it: -I./include, -Iarch/x86/kvm) and "file" is absolute, so libclang's
# clang_CompilationDatabase_fromDirectory works on OUTFILE's folder.
# Dropped: the vmenter.S entries (6.3+ scripts list .S too) and *.mod.c of
# a fully built tree.  Sorted by file (6.1's script keeps walk order), so
# the same build gives the same bytes.
kb_compdb()
{
	local b=$1 out=$2 gen tmp d n

	[ $# -eq 2 ] || kb_err "usage: kb_compdb BUILDDIR OUTFILE" || return
	kb__need python3 python3 || return
	[ -d "$b" ] || kb_err "build dir ${b:-<empty>} does not exist" || return
	b=$(realpath -e "$b") || return
	[ -n "$out" ] || kb_err "empty OUTFILE" || return
	[ -f "$b/include/config/auto.conf" ] ||
		kb_err "$b is not a configured kernel build (no include/config/auto.conf)" || return
	[ -f "$b/arch/x86/kvm/.x86.o.cmd" ] ||
		kb_err "no arch/x86/kvm/.x86.o.cmd in $b: build the KVM objects first (make arch/x86/kvm/)" || return
	# O= build dirs carry a "source" link to the tree; a tree built in
	# place is its own source.
	if [ -f "$b/source/scripts/clang-tools/gen_compile_commands.py" ]; then
		gen=$b/source/scripts/clang-tools/gen_compile_commands.py
	elif [ -f "$b/scripts/clang-tools/gen_compile_commands.py" ]; then
		gen=$b/scripts/clang-tools/gen_compile_commands.py
	else
		kb_err "no scripts/clang-tools/gen_compile_commands.py for $b (tree older than 5.10?)"
		return
	fi

	mkdir -p "$(dirname "$out")" 2>/dev/null ||
		kb_err "cannot create the folder of $out" || return
	tmp=$out.kb-tmp.$$
	set --
	for d in $KB_KVM_DIRS; do
		[ -d "$b/$d" ] && set -- "$@" "$b/$d"
	done
	if ! python3 "$gen" -d "$b" -o "$tmp" "$@" 2>"$tmp.log"; then
		kb__fail_log "$gen failed on $b" "$tmp.log"
		rm -f "$tmp"
		return 1
	fi
	# Keep the C files, and check that the build was complete: a make
	# stopped halfway leaves a partial database and nothing says so.  The
	# .mod files, written when a module is linked, list all its objects;
	# a built-in KVM has none, only built-in.a.
	n=$(python3 -c '
import glob, json, os, sys
src, dst, b = sys.argv[1:4]
tus = [e for e in json.load(open(src))
       if e["file"].endswith(".c") and not e["file"].endswith(".mod.c")]
mods = sorted(glob.glob(os.path.join(b, "arch/x86/kvm/*.mod")))
if not mods and not os.path.exists(os.path.join(b, "arch/x86/kvm/built-in.a")):
    sys.exit("the KVM modules of %s are not linked (no .mod files): build arch/x86/kvm/ to the end" % b)
for m in mods:
    for o in open(m).read().split():
        if not o.endswith(".o"):
            continue
        d, f = os.path.split(os.path.normpath(o))
        if not os.path.exists(os.path.join(b, d, "." + f + ".cmd")):
            sys.exit("%s is partly built: %s (in %s) was never compiled; build arch/x86/kvm/ to the end"
                     % (b, os.path.join(d, f), os.path.basename(m)))
tus.sort(key=lambda e: e["file"])
with open(dst, "w") as f:
    json.dump(tus, f, indent=2, sort_keys=True)
    f.write("\n")
print(len(tus))' "$tmp" "$tmp.json" "$b" 2>"$tmp.log")
	if [ -z "$n" ]; then
		kb_err "$(tail -n1 "$tmp.log")"
		rm -f "$tmp" "$tmp.json" "$tmp.log"
		return 1
	fi
	rm -f "$tmp" "$tmp.log"
	if [ "$n" = 0 ]; then
		rm -f "$tmp.json"
		kb_err "no KVM C files in the .cmd files under $b: build the KVM objects first (make arch/x86/kvm/)"
		return
	fi
	mv -f "$tmp.json" "$out" || { rm -f "$tmp.json"; kb_err "cannot write $out"; return; }
}

# kb_configured_intree KDIR: true if KDIR has its own .config.  Kbuild
# refuses O= builds of such a tree, and "make mrproper" would write it, so
# the tools must use KDIR's own build outputs, read-only.  Only detects.
kb_configured_intree()
{
	[ $# -eq 1 ] && [ -n "$1" ] && [ -f "$1/.config" ]
}

# kb_sparse BUILDDIR OBJ...: run sparse through Kbuild (C=2 checks even
# up-to-date objects) and print, sorted, only the "warning:"/"error:" lines
# located in the objects' own .c files, with paths relative to the source
# tree so that pristine and overlay runs compare equal.  Full output is in
# BUILDDIR/.kb-log/sparse.log.
kb_sparse()
{
	local b=$1 kdir log srcs s rc

	[ $# -ge 2 ] || kb_err "usage: kb_sparse BUILDDIR OBJ..." || return
	kb__need sparse sparse || return
	kdir=$(kb__kdir_of "$b") || return
	b=$(realpath -e "$b") || return
	shift
	srcs=$(kb__obj_srcs "$kdir" "$@") || return
	kb_prepare "$b" || return
	kb__invalidate "$b" "$@"

	log=$b/.kb-log/sparse.log
	# sparse stops reporting after 100 warnings by default, which would
	# make counts meaningless.  Not -s: the CHECK lines prove it ran.
	kb__make -C "$b" -j"$KB_JOBS" C=2 \
		CF="-fmax-warnings=unlimited -fmax-errors=unlimited" \
		"$@" >"$log" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || kb__fail_log "sparse build of $* in $b failed" "$log" || return
	kb__record_fp "$b" "$@"
	for s in $srcs; do
		case "$s" in *.c) ;; *) continue ;; esac
		grep -qE "^  CHECK +(.*/)?$s\$" "$log" ||
			kb_err "sparse did not run on $s (no CHECK line in $log)" || return
	done

	kb__diags "$kdir" "$srcs" "$log"
}

# kb__diags KDIR SRCS LOG: the "file:line:col: warning|error: text" lines
# of LOG about the files SRCS (relative to KDIR), sorted.
kb__diags()
{
	local kdir=$1 srcs=$2 log=$3

	# Kbuild uses the absolute srctree for O= builds outside the tree;
	# also accept "./" and "../" prefixes in case a future Kbuild
	# goes relative.  Sort on file, line, column, then text: -j makes the
	# raw order depend on scheduling.
	awk -v pfx="$kdir/" -v srcs="$srcs" '
	BEGIN {
		n = split(srcs, a, /[ \n]+/)
		for (i = 1; i <= n; i++)
			want[a[i]] = 1
	}
	{
		line = $0
		if (index(line, pfx) == 1)
			line = substr(line, length(pfx) + 1)
		else
			sub(/^(\.\.?\/)+/, "", line)
		if (split(line, f, ":") < 4)
			next
		if (!(f[1] in want) || f[2] !~ /^[0-9]+$/ || f[3] !~ /^[0-9]+$/)
			next
		if (f[4] != " warning" && f[4] != " error")
			next
		print line
	}' "$log" | LC_ALL=C sort -t: -k1,1 -k2,2n -k3,3n -k4
}

# kb_warnings BUILDDIR OBJ...: build the objects with W=1 and print the
# compiler's warnings about their sources, as kb_sparse prints sparse's.
kb_warnings()
{
	local b=$1 kdir log srcs

	[ $# -ge 2 ] || kb_err "usage: kb_warnings BUILDDIR OBJ..." || return
	kdir=$(kb__kdir_of "$b") || return
	b=$(realpath -e "$b") || return
	shift
	srcs=$(kb__obj_srcs "$kdir" "$@") || return
	kb_prepare "$b" || return
	# Removed first: an object already built with W=1 would not be
	# rebuilt, and its warnings would not be printed.
	rm -f "${@/#/$b/}"
	log=$b/.kb-log/w1.log
	kb__make -C "$b" -j"$KB_JOBS" W=1 "$@" >"$log" 2>&1 ||
		kb__fail_log "W=1 build of $* in $b failed" "$log" || return
	kb__diags "$kdir" "$srcs" "$log"
}

# Remove a tree we created.  Its directories may have inherited a-w
# modes from a read-only KDIR; they are our own (only files are shared),
# so making them writable is safe.  Never chmod the files.
kb__rmtree()
{
	[ -e "$1" ] || return 0
	find "$1" -type d ! -perm -u=w -exec chmod u+w {} + 2>/dev/null
	rm -rf "$1"
}

# kb_why CMD...: run CMD, its output dropped; when it fails, print the
# reason its message ends with ("Read-only file system", "No space left on
# device"), for a one-line error of the caller's own.
kb_why()
{
	local err

	err=$("$@" 2>&1 >/dev/null) && return 0
	echo "${err##*: }"
	return 1
}

# kb_mkdir DIR [WHAT]: mkdir -p DIR, or one line naming it (as WHAT DIR)
# and the reason.
kb_mkdir()
{
	local why

	why=$(kb_why mkdir -p -- "$1") || kb_err "cannot create ${2:+$2 }$1: ${why:-unknown error}"
}

# kb_open_lock FD FILE: FILE opened for writing on FD (for kb_wait_lock),
# or one line naming it and the reason.
kb_open_lock()
{
	local why

	{ eval "exec $1>\"\$2\""; } 2>/dev/null && return 0
	why=$(kb_why touch -- "$2")
	kb_err "cannot create $2: ${why:-unknown error}"
}

# kb_wait_lock FD FILE: flock FD, open on FILE; when another run holds it,
# say so once (a progress line) and wait for that run to finish.
kb_wait_lock()
{
	flock -n "$1" && return 0
	printf '  %-7s %s\n' WAIT "another run holds $2; waiting for it to finish" >&2
	flock "$1"
}

# kb_overlay KDIR OVERLAYDIR: (re)create OVERLAYDIR as a hard-link farm of
# KDIR (about a second, vs ~20 s for a real copy), with $KB_OVERLAY_COPY
# copied for real.  Files must be replaced, never written in place: use
# kb_overlay_put.  Editing a hard-linked file in place edits KDIR, and so
# does chmod/touch on it (inode metadata is shared).
# Hard links need the same filesystem and, with fs.protected_hardlinks, a
# user owning KDIR's files; otherwise (or with KB_OVERLAY_MODE=symlink) it
# falls back to a "cp -as" symlink farm, which Kbuild handles as well.
kb_overlay()
{
	local kdir=$1 ov=$2 tmp p mode=${KB_OVERLAY_MODE:-auto}

	[ $# -eq 2 ] || kb_err "usage: kb_overlay KDIR OVERLAYDIR" || return
	case "$mode" in
	auto | hardlink | symlink) ;;
	*) kb_err "KB_OVERLAY_MODE=$mode: want auto, hardlink or symlink"; return ;;
	esac
	kb__check_kdir "$kdir" || return
	kdir=$(realpath -e "$kdir") || return
	[ -n "$ov" ] || kb_err "empty OVERLAYDIR" || return
	ov=$(realpath -m "$ov") || return
	kb__check_disjoint "$kdir" "$ov" || return
	if [ -e "$ov" ] && [ ! -f "$ov/.kb-overlay" ]; then
		kb_err "$ov exists and is not a kb overlay (no .kb-overlay): remove it or pick another dir"
		return
	fi
	mkdir -p "$(dirname "$ov")" || kb_err "cannot create $(dirname "$ov")" || return

	# Build next to the target and rename, so a failed copy never looks
	# like a usable overlay.
	tmp=$ov.kb-tmp.$$
	kb__rmtree "$tmp"
	mkdir "$tmp" || kb_err "cannot create $tmp" || return
	# Probe with one link rather than let cp -al fail after seconds.
	if [ "$mode" = auto ]; then
		if ln "$kdir/Makefile" "$tmp/.kb-probe" 2>/dev/null; then
			mode=hardlink
		else
			mode=symlink
		fi
		rm -f "$tmp/.kb-probe"
	fi
	rmdir "$tmp"
	if [ "$mode" = hardlink ]; then
		cp -al "$kdir" "$tmp" 2>/dev/null ||
			{ kb__rmtree "$tmp"; kb_err "cp -al $kdir $tmp failed (other filesystem? not owner? try KB_OVERLAY_MODE=symlink)"; return; }
	else
		cp -as "$kdir" "$tmp" 2>/dev/null ||
			{ kb__rmtree "$tmp"; kb_err "cp -as $kdir $tmp failed (disk full?)"; return; }
	fi
	# Directories are never shared, and kb_overlay_put must create files in them.
	find "$tmp" -type d ! -perm -u=w -exec chmod u+w {} +
	for p in $KB_OVERLAY_COPY; do
		[ -e "$kdir/$p" ] || continue
		rm -rf "${tmp:?}/$p"
		# -a keeps the mtimes, so a pristine overlay builds like KDIR.
		if ! cp -a "$kdir/$p" "$tmp/$p"; then
			kb__rmtree "$tmp"
			kb_err "copying $p into $tmp failed"
			return
		fi
		[ -d "$tmp/$p" ] && find "$tmp/$p" -type d -exec chmod u+w {} +
	done
	# The stamp's mtime is the reference for kb_overlay_verify.
	printf 'kdir=%s\nmode=%s\n' "$kdir" "$mode" >"$tmp/.kb-overlay"
	kb__rmtree "$ov" || kb_err "cannot remove old overlay $ov" || return
	mv "$tmp" "$ov" || kb_err "cannot move $tmp to $ov" || return
}

kb__overlay_kdir()
{
	local ov=$1 kdir

	[ -f "$ov/.kb-overlay" ] ||
		kb_err "$ov is not a kb overlay (no .kb-overlay): run kb_overlay KDIR $ov" || return
	kdir=$(sed -n 's/^kdir=//p' "$ov/.kb-overlay")
	[ -d "$kdir" ] || kb_err "source tree $kdir of overlay $ov is gone" || return
	echo "$kdir"
}

# kb_overlay_put OVERLAYDIR RELPATH SRCFILE: install SRCFILE as RELPATH.
# Written to a temp name and renamed over the old entry: rename(2) swaps
# the directory entry and never opens the (possibly shared) old inode.
kb_overlay_put()
{
	local ov=$1 rel=$2 src=$3 dst tmp

	[ $# -eq 3 ] || kb_err "usage: kb_overlay_put OVERLAYDIR RELPATH SRCFILE" || return
	kb__overlay_kdir "$ov" >/dev/null || return
	case "$rel" in
	/* | *..* | "" | .kb-overlay)
		kb_err "bad RELPATH '$rel': want a path relative to the tree, like arch/x86/kvm/x86.c"; return ;;
	esac
	[ -f "$src" ] || kb_err "$src is not a file (kb_overlay_put $ov $rel $src)" || return
	dst=$ov/$rel
	[ ! -d "$dst" ] || kb_err "$dst is a directory, not a file" || return
	mkdir -p "$(dirname "$dst")" || kb_err "cannot create $(dirname "$dst")" || return
	tmp=$(dirname "$dst")/.kb-put.$$.$(basename "$dst")
	# A new mtime (no -p) makes Kbuild rebuild what includes the file.
	if ! cp -- "$src" "$tmp" || ! mv -f -- "$tmp" "$dst"; then
		rm -f "$tmp"
		kb_err "cannot install $src as $dst"
		return
	fi
}

# kb_overlay_diff OVERLAYDIR: print RELPATHs whose content differs from
# the source tree.  Only unlinked files (link count 1) can differ.
kb_overlay_diff()
{
	local ov=$1 kdir rel

	[ $# -eq 1 ] || kb_err "usage: kb_overlay_diff OVERLAYDIR" || return
	kdir=$(kb__overlay_kdir "$ov") || return
	(cd "$ov" && find . -type f -links 1 ! -name .kb-overlay -printf '%P\n') |
		LC_ALL=C sort | while IFS= read -r rel; do
			cmp -s "$ov/$rel" "$kdir/$rel" || echo "$rel"
		done
}

# kb_overlay_verify OVERLAYDIR: fail if any file of the pristine tree was
# modified since the overlay was made (i.e. something wrote through a
# hard link).  Checks mtimes only: cheap (~0.2 s) and catches every
# ordinary write.
kb_overlay_verify()
{
	local ov=$1 kdir bad

	[ $# -eq 1 ] || kb_err "usage: kb_overlay_verify OVERLAYDIR" || return
	kdir=$(kb__overlay_kdir "$ov") || return
	bad=$(find "$kdir" -type f -newer "$ov/.kb-overlay" -print -quit)
	[ -z "$bad" ] ||
		kb_err "pristine tree modified through overlay $ov: $bad (and maybe more); re-extract $kdir"
}
