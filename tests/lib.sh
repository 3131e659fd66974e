# SPDX-License-Identifier: GPL-2.0
#
# Shared by the test programs: KTAP output through the kernel's own
# ktap_helpers.sh (from the extracted Debian tree, not copied here), the
# cache paths, and how a missing prerequisite is handled.

TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$TESTS")
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-hotpath}
KTAP_HELPERS=${KTAP_HELPERS:-$CACHE/linux-source-6.12/tools/testing/selftests/kselftest/ktap_helpers.sh}

if [ ! -r "$KTAP_HELPERS" ]; then
	echo "TAP version 13"
	echo "Bail out! $KTAP_HELPERS not found: run 'make check', which extracts linux-source-6.12"
	exit 1
fi
# shellcheck source=/dev/null
. "$KTAP_HELPERS"

# A missing tool skips the whole program with the reason, except in CI
# (CI=true), where every prerequisite must be there and a skip is a failure.
ktap_require()
{
	local cmd=$1 pkg=$2

	command -v "$cmd" >/dev/null && return 0
	ktap_print_header
	if [ "${CI:-}" = true ]; then
		echo "Bail out! $cmd not found (apt-get install -y $pkg); CI may not skip"
		exit "$KSFT_FAIL"
	fi
	ktap_skip_all "$cmd not found: apt-get install -y $pkg"
	exit "$KSFT_SKIP"
}

# ktap_check DESCRIPTION CMD...: one test case from a command's exit status;
# its output is shown as TAP comments when it fails.
ktap_check()
{
	local desc=$1 out
	shift

	if out=$("$@" 2>&1); then
		ktap_test_pass "$desc"
	else
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /' | head -40
		ktap_test_fail "$desc"
	fi
}

# ktap_fails_with WANT CMD...: CMD exits non-zero and prints exactly one
# line, which holds WANT: how bad input must be answered.
ktap_fails_with()
{
	local want=$1 out rc
	shift

	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc -ne 0 ] || { echo "exit 0, expected a failure"; return 1; }
	[ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] ||
		{ printf 'expected one line, got:\n%s\n' "$out"; return 1; }
	grep -qF -- "$want" <<<"$out" || { echo "'$out' does not say '$want'"; return 1; }
}

# tree_manifest DIR: the name, size, mtime and mode of every file below DIR,
# sorted: what "the tree is left as it was" compares.
tree_manifest()
{
	(cd "$1" && find . -printf '%p %s %T@ %m\n' | LC_ALL=C sort)
}

# A scratch folder per test program, removed on exit.
ktap_scratch()
{
	SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/kvm-hotpath-test.XXXXXX") || exit 1
	trap 'rm -rf "$SCRATCH"' EXIT
}
