# SPDX-License-Identifier: GPL-2.0
#
# scratch.sh - the user's tree, checked, and the scratch repository in the
# cache where make patches commits its series and make review applies and
# audits one.  Sourced (by kernel-patches/series and reports/review), after
# the caller has defined die MESSAGE and progress TAG TEXT.
#
# scratch_kdir KDIR [BASE]
#   KDIR must be a directory; a git checkout must have no local changes.
#   Sets kdir (its real path) and is_git (1 for a git checkout whose top
#   is KDIR); for a git checkout head, and base (BASE, an ancestor of HEAD,
#   or HEAD).  BASE needs a git checkout.
#
# audit_failure LOG
#   The line of a failed make audit's LOG that says why: the first a tool
#   of ours wrote (kprep:, kbuild:, hotpath:), else the first error, else
#   the last line.  A progress line names the cache, which may hold any of
#   those words, so only a line's prefix counts.
#
# scratch_repo DIR NAME
#   DIR/src becomes a git repository holding KDIR: a --shared clone of a
#   checkout, or a commit of a plain tree (redone when the tree changed).
#   Sets src; for a plain tree base, the commit that holds it.  The caller
#   holds DIR's lock: what an interrupted run left in the repository (git's
#   lock files, a git am under way) is cleared first.
#
# swap_in NEW DST
#   NEW (a folder beside DST) replaces DST: DST moved aside, NEW renamed
#   to DST, the old one removed, with SIGINT, SIGTERM and SIGHUP ignored
#   meanwhile, so an interrupt leaves the old DST or the new one, whole.

git_in()
{
	if [ -n "$is_git" ]; then git -C "$kdir" "$@"; else git "$@"; fi
}

scratch_kdir()
{
	local base_rev=$2 dirty

	kdir=$1
	[ -d "$kdir" ] || die "KDIR $kdir is not a directory"
	kdir=$(realpath -e "$kdir") || exit 1
	is_git=
	if [ "$(git -C "$kdir" rev-parse --show-toplevel 2>/dev/null)" = "$kdir" ]; then
		is_git=1
	fi
	if [ -z "$is_git" ]; then
		[ -z "$base_rev" ] ||
			die "BASE=$base_rev needs KDIR to be a git checkout; $kdir is a plain directory, whose base is recorded in CACHE"
		return 0
	fi
	# GIT_OPTIONAL_LOCKS=0: status must not refresh KDIR's index.
	dirty=$(GIT_OPTIONAL_LOCKS=0 git -C "$kdir" status --porcelain --untracked-files=no)
	[ -z "$dirty" ] ||
		die "KDIR $kdir has local changes ($(awk 'NR == 1 { f = substr($0, 4) } END { print NR (NR == 1 ? " file: " : " files, e.g. ") f }' <<<"$dirty")); commit or stash them: a series is made against a commit"
	head=$(git -C "$kdir" rev-parse --verify -q HEAD^{commit}) ||
		die "KDIR $kdir is a git checkout without a commit"
	if [ -n "$base_rev" ]; then
		base=$(git -C "$kdir" rev-parse --verify -q "$base_rev^{commit}") ||
			die "BASE=$base_rev is not a commit in $kdir"
		git -C "$kdir" merge-base --is-ancestor "$base" "$head" ||
			die "BASE=$base_rev is not an ancestor of $kdir's HEAD"
	else
		base=$head
	fi
}

swap_in()
{
	local new=$1 dst=$2 ok=1

	trap '' INT TERM HUP
	rm -rf "$dst.old"
	if [ -e "$dst" ] && ! mv -T "$dst" "$dst.old"; then
		ok=
	elif ! mv -T "$new" "$dst"; then
		[ ! -e "$dst.old" ] || mv -T "$dst.old" "$dst"
		ok=
	fi
	# The old one goes before the signals do: a stop now would leave it.
	[ -z "$ok" ] || rm -rf "$dst.old"
	trap - INT TERM HUP
	[ -n "$ok" ]
}

audit_failure()
{
	grep -m1 -E '^(kprep|kbuild|hotpath|kvm-hotpath): ' "$1" ||
		grep -m1 -E '[Ee]rror' "$1" || tail -n1 "$1"
}

scratch_repo()
{
	local dir=$1 name=$2 stamp date

	src=$dir/src
	if [ -d "$src/.git" ]; then
		find "$src/.git" -name '*.lock' -type f -delete 2>/dev/null
		if [ -d "$src/.git/rebase-apply" ]; then
			git -C "$src" am --abort >/dev/null 2>&1 || rm -rf "$src/.git/rebase-apply"
		fi
	fi
	if [ -n "$is_git" ]; then
		if [ ! -d "$src/.git" ] || [ "$(git -C "$src" config kvmhotpath.kdir)" != "$kdir" ]; then
			progress CLONE "$src (--shared, from $kdir)"
			rm -rf "$src"
			git clone -q --shared --no-checkout "$kdir" "$src" ||
				die "cannot clone $kdir into $src"
			git -C "$src" config kvmhotpath.kdir "$kdir"
		fi
		return 0
	fi
	stamp="$kdir $(find "$kdir" -type f -newer "$kdir/Makefile" | wc -l) $(stat -c %Y "$kdir/Makefile")"
	if [ ! -d "$src/.git" ] || [ "$(git -C "$src" config kvmhotpath.stamp)" != "$stamp" ]; then
		progress GIT "$src (a scratch repository of $kdir)"
		rm -rf "$src" && git init -q "$src" || die "cannot create $src"
		date=$(stat -c %Y "$kdir/Makefile")
		git --git-dir="$src/.git" --work-tree="$kdir" add -A -f &&
			GIT_AUTHOR_DATE="$date +0000" GIT_COMMITTER_DATE="$date +0000" \
			git --git-dir="$src/.git" --work-tree="$kdir" \
				-c user.name=kvm-hotpath -c user.email=kvm-hotpath@localhost \
				commit -q -m "$name as found in $kdir" ||
			die "cannot commit $kdir into $src"
		git -C "$src" config kvmhotpath.base "$(git -C "$src" rev-parse HEAD^{commit})" &&
			git -C "$src" config kvmhotpath.stamp "$stamp" || die "cannot record the base in $src"
	fi
	base=$(git -C "$src" config kvmhotpath.base)
}
