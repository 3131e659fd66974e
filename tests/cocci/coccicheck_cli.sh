#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# cocci/coccicheck and "make coccicheck" as a user meets them, on the
# miniature trees in trees/: the four modes, trees before 5.18, trees
# without enable_pmu or KVM, git checkouts, exit-path lists, bad input
# (one line naming the input, non-zero exit) and a KDIR that stays as it was.

. "$(dirname "$0")/../lib.sh"

ktap_require spatch coccinelle
ktap_require git git
ktap_scratch

cc=$TOP/cocci/coccicheck
trees=$TESTS/cocci/trees

guards()
{
	grep '^+' "$2" | grep -cF "if (unlikely($1))"
}

ktap_print_header
ktap_set_plan 37

tree_manifest "$trees/per-vm" >"$SCRATCH/before"
"$cc" -j 1 "$trees/per-vm" >"$SCRATCH/per-vm.diff" 2>"$SCRATCH/per-vm.err"
ktap_check "patch: three call sites guarded per VM, the guarded one left" \
	test "$(guards 'vcpu->kvm->arch.enable_pmu' "$SCRATCH/per-vm.diff")" = 3
ktap_check "patch: nothing on stderr for a current tree" test ! -s "$SCRATCH/per-vm.err"
ktap_check "patch: only files with calls appear, with a/ b/ headers" eval \
	'test "$(grep "^diff " "$SCRATCH/per-vm.diff")" = "$(printf "%s\n" \
	"diff -u -p a/arch/x86/kvm/vmx/nested.c b/arch/x86/kvm/vmx/nested.c" \
	"diff -u -p a/arch/x86/kvm/x86.c b/arch/x86/kvm/x86.c")"'
cp -r "$trees/per-vm" "$SCRATCH/applied"
ktap_check "patch: the diff applies with patch -p1" \
	patch -s -p1 -d "$SCRATCH/applied" -i "$SCRATCH/per-vm.diff"
ktap_check "patch: the patched tree gives an empty diff, exit 0 and no message" \
	eval '"$cc" "$SCRATCH/applied" >"$SCRATCH/applied.diff" 2>"$SCRATCH/applied.err" &&
	      test ! -s "$SCRATCH/applied.diff" && test ! -s "$SCRATCH/applied.err" ||
	      { cat "$SCRATCH/applied.err"; false; }'
"$cc" -j 2 "$trees/per-vm" >"$SCRATCH/per-vm-j2.diff" 2>&1
ktap_check "patch: -j 1 and -j 2 give byte-identical output" \
	cmp "$SCRATCH/per-vm.diff" "$SCRATCH/per-vm-j2.diff"

"$cc" -m report "$trees/per-vm" >"$SCRATCH/report" 2>&1
ktap_check "report: one file:line:col-col line a finding" eval \
	'test "$(wc -l <"$SCRATCH/report")" = 4 &&
	 ! grep -vE "^arch/x86/kvm/[a-z/0-9]+\.c:[0-9]+:[0-9]+-[0-9]+: kvm_pmu_trigger_event\(\) in [a-z_]+\(\) runs with" "$SCRATCH/report"'
ktap_check "report: the pair's second call is a finding of its own" \
	grep -q '^arch/x86/kvm/x86.c:18:' "$SCRATCH/report"
"$cc" -m context "$trees/per-vm" >"$SCRATCH/context" 2>&1
ktap_check "context: the four calls marked with -, nothing added" eval \
	'test "$(grep -c "^-.*kvm_pmu_trigger_event" "$SCRATCH/context")" = 4 &&
	 test "$(grep "^+" "$SCRATCH/context" | grep -vc "^+++ ")" = 0'
"$cc" -m org "$trees/per-vm" >"$SCRATCH/org" 2>&1
# Report mode's findings, as org-mode TODO items.
sed -E 's/^([^:]+):([0-9]+):([0-9]+)-([0-9]+): (.*) runs with .* guard it with (.*)$/* TODO [[view:\1::face=ovl-face1::linb=\2::colb=\3::cole=\4][\5 unguarded: \6]]/' \
	"$SCRATCH/report" >"$SCRATCH/org.want"
ktap_check "org: one TODO a finding, with report mode's place and message" \
	diff -u "$SCRATCH/org.want" "$SCRATCH/org"

# Mainline's shape: pmu.c's wrappers call the static trigger; x86.c calls
# the wrappers.  The wrappers' own calls are no findings, and findings come
# in file, then line order.
mkdir -p "$SCRATCH/mainline"
cp -r "$trees/per-vm/." "$SCRATCH/mainline/"
rm "$SCRATCH/mainline/arch/x86/kvm/vmx/nested.c"
cp "$TESTS/cocci/mainline_pmu.c" "$SCRATCH/mainline/arch/x86/kvm/pmu.c"
cp "$TESTS/cocci/mainline_x86.c" "$SCRATCH/mainline/arch/x86/kvm/x86.c"
"$cc" -m report "$SCRATCH/mainline" >"$SCRATCH/ml.report" 2>&1
ktap_check "mainline: report lists the wrappers' callers, not their bodies, in file and line order" \
	diff -u <(printf '%s\n' arch/x86/kvm/pmu.c:63:kvm_pmu_emulate_rdpmc \
		arch/x86/kvm/x86.c:27:kvm_skip_emulated_instruction \
		arch/x86/kvm/x86.c:38:x86_emulate_instruction arch/x86/kvm/x86.c:40:x86_emulate_instruction \
		arch/x86/kvm/x86.c:52:nested_vmx_run) \
		<(sed -E 's/^([^:]+:[0-9]+):[^:]*: [a-z0-9_]+\(\) in ([a-z0-9_]+)\(\) runs with .*/\1:\2/' "$SCRATCH/ml.report")
"$cc" -m org "$SCRATCH/mainline" >"$SCRATCH/ml.org" 2>&1
ktap_check "mainline: org mode, the same findings in the same order" \
	diff -u <(cut -d: -f1,2 "$SCRATCH/ml.report") \
		<(sed -E 's/^\* TODO \[\[view:([^:]+)::face=[^:]*::linb=([0-9]+)::.*/\1:\2/' "$SCRATCH/ml.org")
# As the kernel's own make coccicheck runs it: one spatch, --jobs 2 workers
# whose findings the rule's finalize merges.
(cd "$SCRATCH/mainline" && spatch --sp-file "$TOP/cocci/pmu_guard.cocci" -D report --very-quiet \
	--no-includes --include-headers --jobs 2 --chunksize 1 --dir arch/x86/kvm) \
	>"$SCRATCH/ml.jobs" 2>"$SCRATCH/ml.jobs.err"
ktap_check "mainline: spatch --jobs 2 over the tree gives the same report, in the same order" \
	diff -u "$SCRATCH/ml.report" "$SCRATCH/ml.jobs"
"$cc" "$SCRATCH/mainline" >"$SCRATCH/ml.diff" 2>&1
ktap_check "mainline: patch guards the five calls and leaves the wrappers' bodies" eval \
	'test "$(guards "vcpu->kvm->arch.enable_pmu" "$SCRATCH/ml.diff")" = 4 &&
	 test "$(grep -c "^-.*kvm_pmu_[a-z_]*(vcpu" "$SCRATCH/ml.diff")" = 5 &&
	 ! grep -q "^[-+].*kvm_pmu_trigger_event" "$SCRATCH/ml.diff"'

printf 'skip_instruction\n# a comment\nvmlaunch\n' >"$SCRATCH/exit-paths"
"$cc" -e "$SCRATCH/exit-paths" "$trees/per-vm" >"$SCRATCH/ep.diff" 2>&1
ktap_check "exit paths: only calls in listed functions are rewritten" eval \
	'test "$(guards "vcpu->kvm->arch.enable_pmu" "$SCRATCH/ep.diff")" = 2 &&
	 diff -u <(printf "%s\n" "-	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);" \
			"-	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);") \
		 <(grep "^-[^-]" "$SCRATCH/ep.diff")'
"$cc" -m report -e "$SCRATCH/exit-paths" "$trees/per-vm" >"$SCRATCH/ep.report" 2>&1
ktap_check "exit paths: the others are reported off-path" \
	test "$(grep -c 'in emulate() is off the VM-exit paths' "$SCRATCH/ep.report")" = 2

"$cc" "$trees/module-param" >"$SCRATCH/mp.diff" 2>"$SCRATCH/mp.err"
ktap_check "before 5.18: one line says the module parameter is used" eval \
	'test "$(wc -l <"$SCRATCH/mp.err")" = 1 && grep -q "struct kvm_arch has no enable_pmu" "$SCRATCH/mp.err"'
ktap_check "before 5.18: guards test the enable_pmu module parameter" \
	test "$(guards enable_pmu "$SCRATCH/mp.diff")" = 3
"$cc" "$trees/no-enable-pmu" >"$SCRATCH/none.diff" 2>"$SCRATCH/none.err"
ktap_check "no enable_pmu anywhere: nothing rewritten, one line says why" eval \
	'test ! -s "$SCRATCH/none.diff" && test "$(wc -l <"$SCRATCH/none.err")" = 1 &&
	 grep -q "nothing to rewrite" "$SCRATCH/none.err"'

cp -r "$trees/per-vm" "$SCRATCH/git"
git -C "$SCRATCH/git" init -q && git -C "$SCRATCH/git" add -A &&
	git -C "$SCRATCH/git" -c user.name=t -c user.email=t@t commit -qm base
echo 'kvm_pmu_trigger_event(vcpu, 1);' >"$SCRATCH/git/untracked.c"
"$cc" -j 1 "$SCRATCH/git" >"$SCRATCH/git.diff" 2>&1
ktap_check "git checkout: same diff as the plain tree (git grep, tracked files)" \
	cmp "$SCRATCH/per-vm.diff" "$SCRATCH/git.diff"

RUNS=1 "$TOP/cocci/bench" "$trees/per-vm" >"$SCRATCH/bench" 2>&1
ktap_check "bench: prints the whole-tree ratio against the floor" \
	grep -qE '^  whole tree / floor +[0-9]+\.[0-9]+x  \(goal: at most 2x\)$' "$SCRATCH/bench"
# Its figures agree with each other, to the rounding of two decimals.
ktap_check "bench: floor = grep + spatch, and each ratio is its quotient" python3 -c '
import re, sys
t = open(sys.argv[1]).read()
def fig(label):
	m = re.search(r"^  " + label + r" +([0-9.]+)(?: s|x)", t, re.M)
	assert m, "no line: " + label
	return float(m.group(1))
g, sp, fl, w = (fig(l) for l in (r"grep floor \(grep -rlw over the tree\)",
	r"spatch on the [0-9]+ matching files", r"floor: grep \+ spatch on the matching files",
	r"make coccicheck, whole tree"))
assert abs(fl - (g + sp)) <= 0.011, (g, sp, fl)
def quotient(r, a, b):
	lo, hi = (a - 0.005) / (b + 0.005), (a + 0.005) / max(b - 0.005, 1e-9)
	assert lo - 0.005 <= r <= hi + 0.005, (r, a, b)
quotient(fig(r"whole tree / floor"), w, fl)
quotient(fig(r"whole tree / grep alone"), w, g)
' "$SCRATCH/bench"

ktap_check "KDIR is left exactly as it was (coccicheck and bench)" eval \
	'tree_manifest "$trees/per-vm" | diff "$SCRATCH/before" -'

# reflow.awk on a diff of our own: tab/space mixes and long continuations.
T=$(printf '\t')
printf '%s\n' "--- a/x.c" "+++ b/x.c" "@@ -1,1 +1,3 @@" \
	"+${T}${T}kvm_pmu_trigger_event(vcpu," \
	"+${T}${T}${T}${T}              kvm_pmu_eventsel.INSTRUCTIONS_RETIRED);" \
	"+${T}${T}${T}${T}${T}kvm_pmu_trigger_event(vcpu," \
	"+${T}${T}${T}${T}${T}${T}${T}      kvm_pmu_eventsel.BRANCH_INSTRUCTIONS_RETIRED);" \
	" ${T}${T}${T}${T}              unchanged(context);" >"$SCRATCH/reflow.in"
awk -f "$TOP/cocci/reflow.awk" "$SCRATCH/reflow.in" >"$SCRATCH/reflow.out"
ktap_check "reflow: an aligned continuation uses tabs first, then spaces" \
	grep -qx "+${T}${T}${T}${T}${T}      kvm_pmu_eventsel.INSTRUCTIONS_RETIRED);" "$SCRATCH/reflow.out"
ktap_check "reflow: past 100 columns, tab-indented one deeper; context kept" eval \
	'grep -qx "+${T}${T}${T}${T}${T}${T}kvm_pmu_eventsel.BRANCH_INSTRUCTIONS_RETIRED);" "$SCRATCH/reflow.out" &&
	 diff <(grep -v "^+" "$SCRATCH/reflow.in") <(grep -v "^+" "$SCRATCH/reflow.out")'

ktap_check "bad input: a missing KDIR" ktap_fails_with "KDIR=$SCRATCH/nope: no such directory" \
	"$cc" "$SCRATCH/nope"
ktap_check "bad input: not a kernel tree" ktap_fails_with "not a kernel tree" "$cc" "$SCRATCH"
ktap_check "bad input: a tree without KVM" ktap_fails_with "no arch/x86/kvm" "$cc" "$trees/no-kvm"
ktap_check "bad input: an unknown MODE" ktap_fails_with "MODE=fix is not one of" \
	"$cc" -m fix "$trees/per-vm"
ktap_check "bad input: EXIT_PATHS missing, or a folder" eval \
	'ktap_fails_with "EXIT_PATHS=$SCRATCH/nope: cannot read it" "$cc" -e "$SCRATCH/nope" "$trees/per-vm" &&
	 ktap_fails_with "EXIT_PATHS=$SCRATCH: cannot read it" "$cc" -e "$SCRATCH" "$trees/per-vm"'
# Hostile EXIT_PATHS: each ends in one line naming the file and line.
e=$SCRATCH/ep-bad
ktap_check "bad input: EXIT_PATHS with a NUL byte, invalid UTF-8, a non-name, or 65 MB: one line each" eval \
	'printf "vmlaunch\nskip\0x\n" >"$e.nul" && printf "vmlaunch\n\xff\xfe\n" >"$e.utf8" &&
	 printf "vmlaunch\n# fine\nfoo(bar)\n" >"$e.name" && truncate -s 65M "$e.big" &&
	 ktap_fails_with "EXIT_PATHS=$e.nul:2: a NUL byte" "$cc" -e "$e.nul" "$trees/per-vm" &&
	 ktap_fails_with "EXIT_PATHS=$e.utf8:2: not UTF-8" "$cc" -e "$e.utf8" "$trees/per-vm" &&
	 ktap_fails_with "EXIT_PATHS=$e.name:3: \"foo(bar)\" is not a function name" "$cc" -e "$e.name" "$trees/per-vm" &&
	 ktap_fails_with "EXIT_PATHS=$e.big: larger than 64 MB" "$cc" -e "$e.big" "$trees/per-vm"'
printf 'skip_instruction\r\n  # a comment\r\n\r\n\tvmlaunch # and one after\r\n' >"$SCRATCH/exit-paths.crlf"
"$cc" -e "$SCRATCH/exit-paths.crlf" "$trees/per-vm" >"$SCRATCH/ep-crlf.diff" 2>&1
ktap_check "EXIT_PATHS with CRLF lines, indents and comments after a name: as the plain file" \
	cmp "$SCRATCH/ep.diff" "$SCRATCH/ep-crlf.diff"
# Everything on PATH but spatch.
mkdir "$SCRATCH/bin"
for d in ${PATH//:/ }; do
	for f in "$d"/*; do
		[ -x "$f" ] && ln -s "$f" "$SCRATCH/bin/" 2>/dev/null
	done
done
rm -f "$SCRATCH/bin/spatch"
ktap_check "bad input: spatch missing" ktap_fails_with "apt-get install -y coccinelle" \
	env PATH="$SCRATCH/bin" "$cc" "$trees/per-vm"

# As a user who cannot install, make names the exact command and stops
# (make's own "make: *** ... Error 1" line aside).
mkdir "$SCRATCH/mk" && cp "$TOP/Makefile" "$SCRATCH/mk/" && chmod a+rx "$SCRATCH" "$SCRATCH/mk"
make_as_nobody()
{
	local as=()

	[ "$(id -u)" = 0 ] && as=(runuser -u nobody --)
	"${as[@]}" env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS \
		make -s -C "$SCRATCH/mk" "$@" 2>&1 >/dev/null |
		grep -vE '^make(\[[0-9]+\])?: \*\*\* ' >&2
	return "${PIPESTATUS[0]}"
}
ktap_check "make, not root, a package missing: one line with the apt-get command" \
	ktap_fails_with "install them as root: apt-get update && apt-get install -y kvm-hotpath-no-such-package" \
	make_as_nobody coccicheck KDIR="$trees/per-vm" \
		PKGS_COCCI="coccinelle kvm-hotpath-no-such-package"

# A tree with a name holding a space (spatch drops such a file's diff
# without a word), a symlink out of the tree and one within it: the first
# two named on stderr and left alone, the third not searched twice.
h=$SCRATCH/hostile
cp -r "$trees/per-vm" "$h" && mkdir -p "$SCRATCH/elsewhere" &&
	cp "$h/arch/x86/kvm/vmx/nested.c" "$h/arch/x86/kvm/vmx/odd name.c" &&
	cp "$h/arch/x86/kvm/vmx/nested.c" "$SCRATCH/elsewhere/outside.c" &&
	ln -s "$SCRATCH/elsewhere/outside.c" "$h/arch/x86/kvm/outside.c" &&
	ln -s vmx/nested.c "$h/arch/x86/kvm/alias.c"
"$cc" "$h" >"$SCRATCH/hostile.diff" 2>"$SCRATCH/hostile.err"
rc=$?
ktap_check "a name with a space and a symlink out of the tree: a line each, left alone; a symlink within it not searched twice" eval \
	'[ $rc = 0 ] &&
	 [ "$(cat "$SCRATCH/hostile.err")" = "$(printf "%s\n" \
		"coccicheck: arch/x86/kvm/outside.c is a symlink out of the tree (to $SCRATCH/elsewhere/outside.c): not searched; copy the file into the tree to have it checked" \
		"coccicheck: arch/x86/kvm/vmx/odd\\ name.c: spatch cannot take a name with a space or shell character: not searched; rename the file to have it checked")" ] &&
	 [ "$(grep "^+++ " "$SCRATCH/hostile.diff")" = "$(printf "%s\n" "+++ b/arch/x86/kvm/vmx/nested.c" \
		"+++ b/arch/x86/kvm/x86.c")" ] ||
	 { cat "$SCRATCH/hostile.err"; grep "^+++ " "$SCRATCH/hostile.diff"; false; }'
cp -a "$h" "$SCRATCH/hostile-applied"
ktap_check "that diff applies with patch -p1, and the patched tree gives none" eval \
	'patch -s -p1 -d "$SCRATCH/hostile-applied" -i "$SCRATCH/hostile.diff" &&
	 cmp "$SCRATCH/elsewhere/outside.c" "$h/arch/x86/kvm/vmx/nested.c" &&
	 "$cc" "$SCRATCH/hostile-applied" 2>/dev/null >"$SCRATCH/hostile-applied.diff" &&
	 [ ! -s "$SCRATCH/hostile-applied.diff" ]'

# A file that goes between the search and spatch (a spatch that first
# deletes it stands in for a user's rm or git checkout meanwhile).
v=$SCRATCH/vanish
cp -r "$trees/per-vm" "$v" && cp "$v/arch/x86/kvm/vmx/nested.c" "$v/arch/x86/kvm/vmx/vanish.c"
mkdir -p "$SCRATCH/vbin"
printf '#!/bin/sh\nrm -f "%s"\nexec "%s" "$@"\n' "$v/arch/x86/kvm/vmx/vanish.c" "$(command -v spatch)" \
	>"$SCRATCH/vbin/spatch"
chmod +x "$SCRATCH/vbin/spatch"
env PATH="$SCRATCH/vbin:$PATH" "$cc" -j 1 "$v" >"$SCRATCH/vanish.out" 2>"$SCRATCH/vanish.err"
rc=$?
ktap_check "a file that vanishes after the search: one line naming it, exit 1, no diff" eval \
	'[ $rc = 1 ] && [ ! -s "$SCRATCH/vanish.out" ] &&
	 [ "$(cat "$SCRATCH/vanish.err")" = "coccicheck: arch/x86/kvm/vmx/vanish.c vanished after the search (deleted or renamed while coccicheck ran): run it again" ] ||
	 cat "$SCRATCH/vanish.err"'

ktap_finished
