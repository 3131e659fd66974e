#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make patches on Debian's 6.1 and 6.12 trees: the series is generated and
# verified, git am applies it to a fresh git copy of the tree and patch -p1
# to the plain tree, one patch per subsystem with KVM's prefixes, the
# motivating kvm_skip_emulated_instruction hunk exactly, checkpatch clean,
# the user's identity and the cost model's figures in the changelogs,
# To/Cc from get_maintainer.pl, byte-identical reruns.  On a git checkout
# of 6.12: prefixes from the file's history, base-commit, and a second run
# on the patched tree gives an empty series.  Bad input (no KVM, local
# changes, no git identity, a tree that does not build) gets one line.
#
# Usage: patch_series.sh

. "$(dirname "$0")/../lib.sh"

ktap_require git git
ktap_require perl perl
ktap_require patch patch
ktap_require spatch coccinelle
ktap_require sparse sparse
ktap_require python3 python3
ktap_require npm npm
ktap_scratch

versions=(6.1 6.12)
for v in "${versions[@]}"; do
	[ -f "$CACHE/linux-source-$v/Makefile" ] ||
		ktap_exit_fail_msg "$CACHE/linux-source-$v missing: run 'make check', which extracts it"
done

git_test_identity

# The event kvm_skip_emulated_instruction counts in each tree.
event_of()
{
	case $1 in
	6.1) echo PERF_COUNT_HW_INSTRUCTIONS ;;
	*) echo kvm_pmu_eventsel.INSTRUCTIONS_RETIRED ;;
	esac
}

# A git repository of a tree: a real copy, one commit.
git_copy()
{
	local kdir=$1 dst=$2

	rm -rf "$dst" && cp -a "$kdir" "$dst" && git -C "$dst" init -q &&
		git -C "$dst" add -A -f && git -C "$dst" commit -q -m "import $(basename "$kdir")"
}

# The patches of a series folder, without the cover letter.
patches_in()
{
	ls "$1"/0*-*.patch | grep -v /0000-cover-letter.patch
}

# The Debian trees read-only for the whole test (a bind mount over each:
# the same paths, any write an EROFS), the checkout below for its runs.
ro=()
for v in "${versions[@]}"; do
	ro_bind "$CACHE/linux-source-$v" && ro+=("$CACHE/linux-source-$v")
done
trap 'for d in "${ro[@]}" "$CACHE/e2e-series-6.12/checkout"; do ro_unbind "$d"; done; rm -rf "$SCRATCH"' EXIT

ktap_print_header
[ ${#ro[@]} = ${#versions[@]} ] || echo "# cannot bind-mount the trees read-only here: they are only read"
ktap_set_plan $((14 * ${#versions[@]} + 13))

for v in "${versions[@]}"; do
	kdir=$CACHE/linux-source-$v
	w=$CACHE/e2e-series-$v
	rm -rf "$w" && mkdir -p "$w"
	kp=$SCRATCH/kp-$v

	make -s -C "$TOP" patches KDIR="$kdir" PATCHES="$kp" REPORTS="$SCRATCH/r" \
		>"$SCRATCH/out.$v" 2>"$SCRATCH/err.$v"
	rc=$?
	name=$(ls "$kp" 2>/dev/null | head -n1)
	s=$kp/$name
	ktap_check "$v: make patches writes a cover letter, patches and the verification summary" eval \
		'[ $rc = 0 ] && [ -f "$s/0000-cover-letter.patch" ] && [ -n "$(patches_in "$s")" ] &&
		 grep -q "^All [0-9]* patches verified on" "$s/summary.txt" &&
		 cmp "$s/summary.txt" "$SCRATCH/out.$v" || { tail -n5 "$SCRATCH/err.$v"; false; }'
	sed 's/^/# /' "$s/summary.txt"

	ktap_check "$v: one patch per subsystem: x86.c as \"KVM: x86:\", vmx/nested.c as \"KVM: nVMX:\"" eval '
		p=($(patches_in "$s")) &&
		[ ${#p[@]} = 2 ] &&
		[ "$(sed -n "s|^+++ b/||p" "${p[0]}")" = arch/x86/kvm/x86.c ] &&
		[ "$(sed -n "s|^+++ b/||p" "${p[1]}")" = arch/x86/kvm/vmx/nested.c ] &&
		grep -q "^Subject: \[PATCH 1/2\] KVM: x86: Skip " "${p[0]}" &&
		grep -q "^Subject: \[PATCH 2/2\] KVM: nVMX: Skip " "${p[1]}" &&
		for f in "${p[@]}"; do
			subj=$(git mailinfo /dev/null /dev/null <"$f" | sed -n "s/^Subject: //p")
			[ ${#subj} -lt 75 ] || { echo "$f: subject of ${#subj} characters"; exit 1; }
		done'

	ev=$(event_of "$v")
	ktap_check "$v: the series has the exact kvm_skip_emulated_instruction hunk" eval \
		'grep -qxF -- "-	kvm_pmu_trigger_event(vcpu, $ev);" "$s/0001-"*.patch &&
		 grep -A2 -xF -- "-	kvm_pmu_trigger_event(vcpu, $ev);" "$s/0001-"*.patch |
		 diff - <(printf "%s\n" "-	kvm_pmu_trigger_event(vcpu, $ev);" \
			"+	if (unlikely(vcpu->kvm->arch.enable_pmu))" \
			"+		kvm_pmu_trigger_event(vcpu, $ev);")'

	ktap_check "$v: each patch: checkpatch.pl --strict of the tree, no error or warning" eval '
		[ -n "$(patches_in "$s")" ] &&
		for f in $(patches_in "$s"); do
			(cd "$kdir" && perl scripts/checkpatch.pl --strict --no-tree "$f") >"$SCRATCH/cp" 2>&1
			grep -q "^total: 0 errors, 0 warnings" "$SCRATCH/cp" || { cat "$SCRATCH/cp"; exit 1; }
		done'

	json=$SCRATCH/r/$name/audit.json
	ktap_check "$v: changelogs: the user's From and Signed-off-by, no other tag, audit.json's savings" eval '
		[ -n "$(patches_in "$s")" ] &&
		for f in $(patches_in "$s"); do
			git mailinfo "$SCRATCH/msg" /dev/null <"$f" >"$SCRATCH/hdr" &&
			grep -qx "Author: Hot Path Tester" "$SCRATCH/hdr" &&
			grep -qx "Email: tester@example.org" "$SCRATCH/hdr" &&
			[ "$(git interpret-trailers --parse <"$SCRATCH/msg")" = \
			  "Signed-off-by: Hot Path Tester <tester@example.org>" ] &&
			grep -q "kvm->arch.enable_pmu is false" "$SCRATCH/msg" ||
				{ echo "$f:"; cat "$SCRATCH/hdr" "$SCRATCH/msg"; exit 1; }
		done &&
		python3 -c "
import json, sys
a = json.load(open(sys.argv[1]))
s = [x for x in a[\"sites\"] if x[\"caller\"] == \"kvm_skip_emulated_instruction\" and x[\"pmu_trigger\"]][0]
g = {p[\"name\"]: p[\"costs\"][\"guard\"] for p in a[\"profiles\"]}
patch = open(sys.argv[2]).read()
for c in s[\"cost\"]:
	want = \"%-16s %.1f cycles a call\" % (c[\"profile\"], c[\"total\"] - g[c[\"profile\"]])
	assert want in patch, want
" "$json" "$s/0001-"*.patch'

	ktap_check "$v: cover letter: To/Cc from get_maintainer.pl, totals, the verification, no base-commit" eval '
		c=$s/0000-cover-letter.patch &&
		grep -q "^To: .*seanjc@google.com" "$c" && grep -q "pbonzini@redhat.com" "$c" &&
		grep -A20 "^Cc: " "$c" | grep -q "kvm@vger.kernel.org" &&
		grep -q "^If each guarded call runs once: zen2 saves [0-9.]* cycles" "$c" &&
		[ "$(awk "/^---\$/ { exit } { if (length > m) m = length } END { print m }" "$c")" -le 100 ] &&
		grep -q "All 2 patches verified on" "$c" &&
		! grep -q "^base-commit:" "$c" && ! grep -q "\*\*\*" "$c"'

	# What the trigger's loop does per vendor with the PMU off, as audit.json
	# derives it: 6.1's AMD refresh fills the bitmap whatever enable_pmu is.
	ktap_check "$v: the scenario and each vendor's trip count of the trigger's loop, in the cover letter" \
		python3 -c "
import json, sys
a = json.load(open(sys.argv[1]))
c = ' '.join(open(sys.argv[2]).read().split())
assert 'under the scenario: kvm->arch.enable_pmu = 0 enable_pmu = 1 zen2' in c, c
loop = [l for l in a['loops'] if l['func'] == 'kvm_pmu_trigger_event'][0]
trips = {t['profile']: t for t in loop['trips']}
if sys.argv[3] == '6.1':
	assert trips['zen2']['low'] == 6 and trips['icelake-sp']['low'] == 0, trips
	assert 'AMD (zen2): 6 iterations; kvm_pmu->all_valid_pmc_idx: 6 bits, set by amd_pmu_refresh()' in c, c
	assert 'Intel (icelake-sp): 0 iterations;' in c, c
else:
	assert all(t['low'] == 0 for t in trips.values()), trips
	assert 'runs no iteration' in c, c
" "$json" "$s/0000-cover-letter.patch" "$v"

	git_copy "$kdir" "$w/git" >/dev/null 2>&1
	ktap_check "$v: git am applies the series to a fresh git copy of the tree" eval \
		'git -C "$w/git" am -q $(patches_in "$s") &&
		 [ "$(git -C "$w/git" log --format=%s | head -n2 | tail -n1)" = \
		   "$(git mailinfo /dev/null /dev/null <"$(patches_in "$s" | head -n1)" | sed -n "s/^Subject: //p")" ]'

	mkdir -p "$w/plain/arch/x86/kvm"
	cp -r "$kdir/arch/x86/kvm/." "$w/plain/arch/x86/kvm/"
	ktap_check "$v: patch -p1 applies it to the plain tree" eval \
		'[ -n "$(patches_in "$s")" ] &&
		 for f in $(patches_in "$s"); do patch -s -p1 -d "$w/plain" <"$f" || exit 1; done &&
		 diff -r "$w/git/arch/x86/kvm" "$w/plain/arch/x86/kvm"'

	# The rerun carries measurements (made up, of a Zen 2 host): the same
	# series, and a cover letter that quotes them beside the estimate.
	fake_measure "$SCRATCH/before.json" amd 0x17 0x31 6.12.0 cpuid:off:2100,2102,2098,2101,2099
	fake_measure "$SCRATCH/after.json" amd 0x17 0x31 6.12.0+ cpuid:off:2040,2042,2038,2041,2039
	rerun=(make -s -C "$TOP" patches KDIR="$kdir" PATCHES="$SCRATCH/kp2-$v" REPORTS="$SCRATCH/r"
		MEASURED="$SCRATCH/before.json,$SCRATCH/after.json")
	# On 6.12 it is first stopped where it prints SERIES (the scratch
	# commits) and AM 0002 (verifying the second patch), over a copy of the
	# series above: that stays as it was, with nothing beside it or left
	# in the scratch repository; then at WRITE (the series going into
	# PATCHES), which leaves the old series or the new one.  The rerun is
	# the run after those.
	if [ "$v" = 6.12 ]; then
		S=$CACHE/series-$(key_of "$kdir")
		cp -a "$kp" "$SCRATCH/kp2-$v"
		interrupt_at '^  SERIES ' TERM "$SCRATCH/err.int1" "${rerun[@]}"
		r1=$?
		interrupt_at '^  AM      0002 ' INT "$SCRATCH/err.int2" "${rerun[@]}"
		r2=$?
		ktap_check "$v: make patches stopped at SERIES (SIGTERM) and at AM 0002 (SIGINT): the series as it was, nothing left over" eval \
			'[ $r1 = 0 ] && [ $r2 = 0 ] && diff -r "$kp" "$SCRATCH/kp2-$v" &&
			 [ -z "$(find "$S" -maxdepth 1 -name "run.*")" ] && [ -z "$(find "$S/src/.git" -name "*.lock")" ] ||
			 { echo "interrupt_at: $r1 $r2"; tail -n2 "$SCRATCH/err.int1" "$SCRATCH/err.int2"; false; }'
		# As it writes the series into PATCHES: the old one or the new, whole.
		# The writing takes milliseconds, so the run may end before the
		# signal reaches it (2): the outcome must hold either way.
		interrupt_at '^  WRITE   ' TERM "$SCRATCH/err.int3" "${rerun[@]}"
		r3=$?
		[ $r3 != 2 ] || echo "# the run wrote its series before SIGTERM reached it"
		cp -a "$SCRATCH/kp2-$v" "$SCRATCH/kp3-$v"
	fi
	"${rerun[@]}" >/dev/null 2>&1
	if [ "$v" = 6.12 ]; then
		ktap_check "$v: stopped at WRITE (SIGTERM): the old series or the next run's, whole, nothing beside it" eval \
			'{ [ $r3 = 0 ] || [ $r3 = 2 ]; } && [ -z "$(find "$SCRATCH/kp3-$v" -name ".*")" ] &&
			 { diff -r "$kp" "$SCRATCH/kp3-$v" >/dev/null || diff -r "$SCRATCH/kp2-$v" "$SCRATCH/kp3-$v"; } ||
			 { echo "interrupt_at: $r3"; tail -n2 "$SCRATCH/err.int3"; false; }'
	fi
	s2=$SCRATCH/kp2-$v/$name
	ktap_check "$v: a rerun gives a byte-identical series, but for MEASURED='s lines in the cover letter" eval \
		'diff -r -x 0000-cover-letter.patch "$s" "$s2" &&
		 diff "$s/0000-cover-letter.patch" "$s2/0000-cover-letter.patch" | grep "^[<>]" >"$SCRATCH/cdiff.$v";
		 ! grep -q "^<" "$SCRATCH/cdiff.$v" && grep -q "^> Measured on host testhost" "$SCRATCH/cdiff.$v" &&
		 ! grep -q "Measured on host" "$s/0000-cover-letter.patch"'
	ktap_check "$v: MEASURED= in the cover letter: the measured change, the model's for the same exit, zen2 the host's" \
		python3 - "$s2/0000-cover-letter.patch" "$SCRATCH/r/$name/audit.json" <<'EOF'
import json, re, sys
c, a = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
m = re.search(r"\n  cpuid  off +2100 +2040 +-60 ± 2 +-2\.9%  difference \(p < 0\.001\)\n", c)
assert m, c
# The model: what guarding the triggers on a CPUID exit's path saves,
# each at the audit's per-exit weight, here from audit.json.
est = {}
for p in a["profiles"]:
    reason = "SVM_EXIT_CPUID" if p["vendor"] == "amd" else "EXIT_REASON_CPUID"
    vdir = "/vmx/" if p["vendor"] == "amd" else "/svm/"
    tot = 0.0
    for s in a["sites"]:
        if s["pmu_trigger"] != "unguarded" or vdir in s["file"]:
            continue
        if not (s["run_loop"] or reason in s["exit_reasons"]):
            continue
        k = [k for k in s["cost"] if k["profile"] == p["name"]][0]
        tot += (k["total"] - p["costs"]["guard"]) * k["per_exit"] / k["total"]
    est[p["name"]] = tot
para = " ".join(c[c.index("The cost model's estimate"):].split("\n\n")[0].split())
want = "cpuid with the PMU off: zen2 %+.1f, icelake-sp %+.1f." % (-est["zen2"], -est["icelake-sp"])
assert want in para, (want, para)
assert est["zen2"] > est["icelake-sp"] > 0, est
assert para.endswith("The profile matching the host's CPU (family 0x17 model 0x31): zen2."), para
EOF

	# The series under review, as its reviewers would run it.
	make -s -C "$TOP" review KDIR="$kdir" SERIES="$s" REPORTS="$SCRATCH/rv" \
		>"$SCRATCH/rv.$v" 2>"$SCRATCH/rverr.$v"
	rc=$?
	rv=$SCRATCH/rv/$name/review
	ktap_check "$v: make review of the series: each trigger it guards Resolved by its patch, nothing New, exit 0" eval \
		'[ $rc = 0 ] && cmp -s "$rv/review.md" "$SCRATCH/rv.$v" && python3 -c "
import json, sys
a, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
want = sorted((s[\"file\"], s[\"caller\"], s[\"line\"]) for s in a[\"sites\"] if s[\"pmu_trigger\"] == \"unguarded\")
got = sorted((f[\"before\"][\"file\"], f[\"before\"][\"caller\"], f[\"before\"][\"line\"]) for f in r[\"findings\"]
             if f[\"status\"] == \"resolved\" and f[\"rule\"] == \"unguarded-pmu-trigger\")
assert want and got == want, (got, want)
assert r[\"summary\"][\"new\"] == 0, r[\"summary\"]
for f in r[\"findings\"]:
	if f[\"rule\"] == \"unguarded-pmu-trigger\":
		assert f[\"patch\"] == (2 if \"/nested.c\" in f[\"before\"][\"file\"] else 1), f
" "$json" "$rv/review.json" || { tail -n3 "$SCRATCH/rverr.$v"; false; }'

	# Per exit reason: HLT's handler calls kvm_skip_emulated_instruction()
	# on its cheapest path, so its delta is the guarded call's cycles per
	# exit, as audit.json has them, plus what the guard did to the
	# instructions of the two functions (6.1's gcc also shortens the
	# handler).  VMLAUNCH/VMRESUME reach only nested_vmx_run()'s guard,
	# whose call was not on the cheapest path: its instructions alone.
	ktap_check "$v: review: each exit reason's delta is the saving audit.json gives plus the guard's instructions" python3 -c '
import json, sys
a, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ipc = {p["name"]: p["costs"]["ipc"] for p in a["profiles"]}
root = {x["name"]: x["root"] for x in a["reasons"]}
site = [s for s in a["sites"] if s["caller"] == "kvm_skip_emulated_instruction" and s["pmu_trigger"]][0]
saving = {c["profile"]: c["per_exit"] for c in site["cost"]}
insns = {f["after"]["function"]: f["after"]["insns"] - f["before"]["insns"]
         for f in r["findings"] if f["rule"] == "exit-path-function" and f["status"] == "changed"}
rows = {x["name"]: x["delta"] for x in r["exit_reasons"]}
for name, prof in (("SVM_EXIT_HLT", "zen2"), ("EXIT_REASON_HLT", "icelake-sp")):
	d = insns.get("kvm_skip_emulated_instruction", 0) + insns.get(root[name], 0)
	want = -saving[prof] + d / ipc[prof]
	assert saving[prof] > 0 and abs(rows[name][prof] - want) < 0.11, (name, rows.get(name), want)
	assert min(x[prof] for x in rows.values() if x[prof] is not None) <= -saving[prof] + 0.05, prof
for name in ("EXIT_REASON_VMLAUNCH", "EXIT_REASON_VMRESUME"):
	for prof, x in rows[name].items():
		assert x is None or abs(x - insns["nested_vmx_run"] / ipc[prof]) < 0.11, (name, x)
' "$json" "$rv/review.json"

	ktap_check "$v: review.sarif: the Multitool validates it; the absent results carry audit.sarif's fingerprints" eval \
		'sarif_valid "$rv/review.sarif" && python3 -c "
import json, sys
fp = lambda f: {(r[\"ruleId\"], r[\"fingerprints\"][\"kvmHotpath/v1\"]) for r in json.load(open(f))[\"runs\"][0][\"results\"]
                if r.get(\"baselineState\", \"absent\") == \"absent\" and r[\"ruleId\"] == \"unguarded-pmu-trigger\"}
audit, review = fp(sys.argv[1]), fp(sys.argv[2])
assert review and review == audit, (review, audit)
" "$SCRATCH/r/$name/audit.sarif" "$rv/review.sarif" &&
		 [ "$(awk "{ if (length > m) m = length } END { print m }" "$rv/review.md")" -le 100 ]'
done

# Without VMX's exit handling as roots (the nVMX handlers, vmx_handle_exit
# and the run loop that calls it), nested_vmx_run() is off the exit paths;
# SVM's handlers still reach the x86.c calls.
printf '%s\n' -handle_vmlaunch -handle_vmresume -vmx_handle_exit -vcpu_enter_guest >"$SCRATCH/roots"
make -s -C "$TOP" patches KDIR="$CACHE/linux-source-6.12" ROOTS="$SCRATCH/roots" \
	PATCHES="$SCRATCH/kpo" REPORTS="$SCRATCH/ro" >/dev/null 2>"$SCRATCH/err.o"
s=$SCRATCH/kpo/linux-6.12.117
ktap_check "6.12, VMX roots dropped: nested.c's call is listed off-path in the cover letter, not changed" eval \
	'[ "$(patches_in "$s" | wc -l)" = 1 ] && ! grep -q "^+++ b/arch/x86/kvm/vmx/nested.c" "$s"/0*.patch &&
	 grep -A3 "^Calls left as they are, off the VM-exit paths" "$s/0000-cover-letter.patch" |
	 grep -qx "  arch/x86/kvm/vmx/nested.c:[0-9]*  kvm_pmu_trigger_event() in nested_vmx_run()" ||
	 { tail -n3 "$SCRATCH/err.o"; false; }'

# A git checkout of 6.12 whose history names x86.c's changes "KVM: x86/test:",
# read-only (a bind mount over itself) while make patches runs on it.
kdir=$CACHE/linux-source-6.12
w=$CACHE/e2e-series-6.12
g=$w/checkout
git_copy "$kdir" "$g" >/dev/null 2>&1
printf '\n/* A comment of the test. */\n' >>"$g/arch/x86/kvm/x86.c"
git -C "$g" commit -q -a -m "KVM: x86/test: Add a comment"
head=$(git -C "$g" rev-parse HEAD)
ro_bind "$g"
make -s -C "$TOP" patches KDIR="$g" PATCHES="$SCRATCH/kpg" \
	REPORTS="$SCRATCH/rg" >/dev/null 2>"$SCRATCH/err.g"
s=$SCRATCH/kpg/linux-6.12.117
ktap_check "6.12 checkout: the prefix from x86.c's history, base-commit: HEAD, verified" eval \
	'grep -q "^Subject: \[PATCH 1/2\] KVM: x86/test: Skip " "$s/0001-"*.patch &&
	 grep -q "^Subject: \[PATCH 2/2\] KVM: nVMX: Skip " "$s/0002-"*.patch &&
	 grep -qx "base-commit: $head" "$s/0000-cover-letter.patch" &&
	 grep -q "^All 2 patches verified" "$s/summary.txt" || { tail -n3 "$SCRATCH/err.g"; false; }'
# The checkout and Debian's tree are both linux-6.12.117: each has its
# own build and TU cache without NAME=, and neither was rebuilt for the other.
bg=$(build_of "$g")
bk=$(build_of "$kdir")
ktap_check "two trees at one version, no NAME=: each its own build, recording its own tree" eval \
	'[ "$bg" != "$bk" ] && [ "$(sed -n "s/^kdir=//p" "$bg/.kb-config")" = "$(realpath "$g")" ] &&
	 [ "$(sed -n "s/^kdir=//p" "$bk/.kb-config")" = "$(realpath "$kdir")" ] &&
	 [ -d "$CACHE/tu-$(key_of "$g")" ] && [ -d "$CACHE/tu-$(key_of "$kdir")" ] &&
	 ! grep -q "NAME=" "$SCRATCH/err.g"'
ktap_check "6.12 checkout: KDIR is left as it was (clean, same HEAD)" eval \
	'[ -z "$(git -C "$g" status --porcelain)" ] && [ "$(git -C "$g" rev-parse HEAD)" = "$head" ]'

make -s -C "$TOP" patches KDIR="$g" BASE=HEAD~1 \
	PATCHES="$SCRATCH/kpb" REPORTS="$SCRATCH/rg" >/dev/null 2>"$SCRATCH/err.b"
sb=$SCRATCH/kpb/linux-6.12.117
ktap_check "6.12 checkout, BASE=HEAD~1: that base-commit, HEAD a prerequisite, the same patches" eval \
	'grep -qx "base-commit: $(git -C "$g" rev-parse HEAD~1)" "$sb/0000-cover-letter.patch" &&
	 grep -q "^prerequisite-patch-id: " "$sb/0000-cover-letter.patch" &&
	 diff <(sed -n "/^---\$/,\$p" "$s/0001-"*.patch) <(sed -n "/^---\$/,\$p" "$sb/0001-"*.patch) ||
	 { tail -n3 "$SCRATCH/err.b"; false; }'

ro_unbind "$g"
git -C "$g" am -q $(patches_in "$s")
ro_bind "$g"
make -s -C "$TOP" patches KDIR="$g" PATCHES="$SCRATCH/kpg" \
	REPORTS="$SCRATCH/rg" >"$SCRATCH/out.again" 2>"$SCRATCH/err.again"
rc=$?
ro_unbind "$g"
ktap_check "the patched tree again: an empty series and a clear message, exit 0" eval \
	'[ $rc = 0 ] && [ -z "$(ls "$s"/*.patch 2>/dev/null)" ] &&
	 grep -q "no PMU-trigger call without an enable_pmu guard; the series is empty" "$SCRATCH/err.again" &&
	 grep -q "The series is empty" "$s/summary.txt"'

series=$TOP/kernel-patches/series
echo "/* a local change */" >>"$g/arch/x86/kvm/x86.c"
ktap_check "bad input: a KDIR with local changes" ktap_fails_with \
	"has local changes (1 file: arch/x86/kvm/x86.c); commit or stash them" \
	"$series" -o "$SCRATCH/kpx" "$g" "$CACHE"
git -C "$g" checkout -q -- arch/x86/kvm/x86.c

mkdir -p "$SCRATCH/nokvm"
printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n' >"$SCRATCH/nokvm/Makefile"
ktap_check "bad input: a tree without KVM" ktap_fails_with "no KVM in this tree" \
	"$series" -o "$SCRATCH/kpx" "$SCRATCH/nokvm" "$CACHE"

ktap_check "bad input: no git identity" ktap_fails_with "no git identity" \
	env GIT_CONFIG_GLOBAL=/dev/null HOME="$SCRATCH" "$series" -o "$SCRATCH/kpx" "$kdir" "$CACHE"

ktap_check "bad input: BASE= on a plain tree" ktap_fails_with "needs KDIR to be a git checkout" \
	"$series" -b v6.12 -o "$SCRATCH/kpx" "$kdir" "$CACHE"

# A tree that does not build: a symlink farm of 6.12 with a broken x86.c.
b=$w/broken
# KVM's own folder copied for real: coccicheck does not search files that
# are symlinks out of the tree.
rm -rf "$b" && cp -as "$kdir" "$b" && rm -rf "$b/arch/x86/kvm" && cp -r "$kdir/arch/x86/kvm" "$b/arch/x86/kvm" &&
	echo "int broken(void) { return }" >>"$b/arch/x86/kvm/x86.c"
key=$(key_of "$b")
"$series" -n linux-broken -o "$SCRATCH/kpx" -r "$SCRATCH/r" "$b" "$CACHE" >/dev/null 2>"$SCRATCH/err.broken"
rc=$?
ktap_check "bad input: a tree that does not build: one line naming the step, exit 1, nothing written" eval \
	'[ $rc = 1 ] && [ "$(grep -c "^series: " "$SCRATCH/err.broken")" = 1 ] &&
	 tail -n1 "$SCRATCH/err.broken" | grep -q "^series: make audit failed on $b: .*x86" &&
	 [ ! -e "$SCRATCH/kpx/linux-broken" ] || { cat "$SCRATCH/err.broken"; false; }'
rm -rf "$b" "$CACHE/build-$key" "$CACHE/tu-$key" "$CACHE/series-$key" "$CACHE/.build-$key.lock"

ktap_finished
