#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make review on Debian's 6.1 and 6.12 trees, with patches written here:
# a static call made a call through kvm_x86_ops (a New thunked indirect
# call, and the gate), a PMU trigger added to an exit handler, code that
# only moves (nothing), a patch and its revert (shown within the series),
# a git checkout's BASE..HEAD against the same change as a SERIES, and
# one line for each bad input.  make review of make patches' own series is
# in patch_series.sh, which runs first and leaves the review build warm.
#
# Usage: review.sh

. "$(dirname "$0")/../lib.sh"

ktap_require git git
ktap_require python3 python3
ktap_require npm npm
ktap_scratch

for v in 6.1 6.12; do
	[ -f "$CACHE/linux-source-$v/Makefile" ] ||
		ktap_exit_fail_msg "$CACHE/linux-source-$v missing: run 'make check', which extracts it"
done

git_test_identity

review=$TOP/reports/review

# rj DIR PYTHON: a Python assertion over DIR/review.json (as r; f its
# findings, f_of(status) those of one status).
rj()
{
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1] + "/review.json"))
f = r["findings"]
def f_of(status):
    return [x for x in f if x["status"] == status]
ok = eval("(" + sys.argv[2] + ")")
if not ok:
    print(json.dumps({k: r[k] for k in ("summary", "findings", "within_series")}, indent=1)[:2500])
sys.exit(0 if ok else 1)' "$1" "$2"
}

# run_review OUT ARGS...: reports/review into SCRATCH/out-OUT/ (its output in
# out-OUT.out and .err), the exit status in rc.
run_review()
{
	local o=$SCRATCH/out-$1
	shift
	rm -rf "$o"
	KB_JOBS=$(nproc) "$review" -r "$o" "$@" >"$o.out" 2>"$o.err"
	rc=$?
}

flat()
{
	tr '\n' ' ' <"$1" | tr -s ' '
}

# Debian's trees read-only for the whole test (a bind mount over each: the
# same paths, any write an EROFS); the checkout below while it is reviewed.
ro=()
for v in 6.1 6.12; do
	ro_bind "$CACHE/linux-source-$v" && ro+=("$CACHE/linux-source-$v")
done
trap 'for d in "${ro[@]}" "$CACHE/e2e-review-6.12/checkout"; do ro_unbind "$d"; done; rm -rf "$SCRATCH"' EXIT

ktap_print_header
[ ${#ro[@]} = 2 ] || echo "# cannot bind-mount the trees read-only here: they are only read"
ktap_set_plan 20

k12=$CACHE/linux-source-6.12
k61=$CACHE/linux-source-6.1
n12=linux-6.12.117
x86=arch/x86/kvm/x86.c

# --- a static call made a call through the kvm_x86_ops pointer ---
mkseries "$SCRATCH/ptr" "$k12" $x86 "KVM: x86: Call skip_emulated_instruction through kvm_x86_ops" \
	's = s.replace("r = kvm_x86_call(skip_emulated_instruction)(vcpu);", "r = kvm_x86_ops.skip_emulated_instruction(vcpu);")'
run_review ptr -s "$SCRATCH/ptr" "$k12" "$CACHE"
rv=$SCRATCH/out-ptr/$n12/review
ktap_check "6.12, a static call made a kvm_x86_ops call: one New thunked-indirect-call priced as the thunk, exit 2" eval \
	'[ $rc = 2 ] && rj "$rv" "len(f_of(\"new\")) == 1 and f_of(\"new\")[0][\"rule\"] == \"thunked-indirect-call\" and
	   f_of(\"new\")[0][\"after\"][\"caller\"] == \"kvm_skip_emulated_instruction\" and
	   f_of(\"new\")[0][\"before\"][\"kind\"] == \"static_call\" and not f_of(\"resolved\")" &&
	 python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
a = json.load(open(r[\"base\"][\"audit\"]))
new = [x for x in r[\"findings\"] if x[\"status\"] == \"new\"][0]
for p in a[\"profiles\"]:
	c = p[\"costs\"]
	want = c[p[\"defaults\"][\"indirect\"]] - c[\"call\"]
	got = new[\"after\"][\"cycles_per_exit\"][p[\"name\"]] - new[\"before\"][\"cycles_per_exit\"][p[\"name\"]]
	assert want > 0 and abs(got - want) < 0.11, (p[\"name\"], got, want)
	assert any((x[\"delta\"][p[\"name\"]] or 0) >= want - 0.11 for x in r[\"exit_reasons\"]), p[\"name\"]
" "$rv/review.json" && flat "$rv/review.md" | grep -qF "now an indirect call: retpoline on zen2" ||
	 { tail -n3 "$SCRATCH/out-ptr.err"; false; }'

make -s -C "$TOP" review KDIR="$k12" SERIES="$SCRATCH/ptr" REPORTS="$SCRATCH/mk" \
	>"$SCRATCH/mk.out" 2>"$SCRATCH/mk.err"
mrc=$?
ktap_check "make review fails when the gate does, and says which" eval \
	'[ $mrc != 0 ] && grep -qx "review: the gate failed (FAIL_ON=new): 1 new finding" "$SCRATCH/mk.err" &&
	 cmp -s "$SCRATCH/mk/$n12/review/review.md" "$SCRATCH/mk.out"'

run_review ptr-fn -s "$SCRATCH/ptr" -f exit-path-function "$k12" "$CACHE"
ktap_check "FAIL_ON=exit-path-function passes it (exit 0); FAIL_ON=+N by the biggest delta on zen2" eval \
	'[ $rc = 0 ] && read -r under over < <(python3 -c "
import json, math, sys
big = max(x[\"delta\"][\"zen2\"] or 0 for x in json.load(open(sys.argv[1]))[\"exit_reasons\"])
print(math.ceil(big) - 1, math.ceil(big))" "$rv/review.json") &&
	 run_review ptr-n -s "$SCRATCH/ptr" -f "+$under" "$k12" "$CACHE" && [ $rc = 2 ] &&
	 run_review ptr-n -s "$SCRATCH/ptr" -f "+$over" "$k12" "$CACHE" && [ $rc = 0 ]'

# --- a PMU trigger added to an exit handler ---
trigger()
{
	echo 's = s.replace("/* Treat an INVD instruction as a NOP and just skip it. */\n", "/* Treat an INVD instruction as a NOP and just skip it. */\n\tkvm_pmu_trigger_event(vcpu, '"$1"');\n")'
}
for v in 6.12 6.1; do
	k=$CACHE/linux-source-$v
	case $v in
	6.1) ev=PERF_COUNT_HW_INSTRUCTIONS n=linux-6.1.192 ;;
	*) ev=kvm_pmu_eventsel.INSTRUCTIONS_RETIRED n=$n12 ;;
	esac
	mkseries "$SCRATCH/trig-$v" "$k" $x86 "KVM: x86: Count INVD as an instruction retired" "$(trigger "$ev")"
	run_review trig-$v -s "$SCRATCH/trig-$v" "$k" "$CACHE"
	ktap_check "$v, a trigger added to INVD's handler: New unguarded-pmu-trigger naming INVD's exit reasons" eval \
		'[ $rc = 2 ] && rj "$SCRATCH/out-trig-$v/$n/review" "[(x[\"rule\"], x[\"after\"][\"caller\"]) for x in f_of(\"new\") if x[\"rule\"] != \"exit-path-function\"] ==
		   [(\"unguarded-pmu-trigger\", \"kvm_emulate_invd\")] and
		   {\"EXIT_REASON_INVD\", \"SVM_EXIT_INVD\"} <= set(f_of(\"new\")[0][\"after\"][\"exit_reasons\"])" &&
		 grep -A4 "^$x86:[0-9]*: kvm_emulate_invd -> kvm_pmu_trigger_event$" "$SCRATCH/out-trig-$v/$n/review/review.md" |
		 grep -q "exit reasons: .*INVD" || { tail -n3 "$SCRATCH/out-trig-$v.err"; false; }'
done

# --- code that only moves ---
mkseries "$SCRATCH/motion" "$k12" \
	$x86 "KVM: x86: Add a comment at the top" \
	's = s.replace("// SPDX-License-Identifier: GPL-2.0-only\n", "// SPDX-License-Identifier: GPL-2.0-only\n/*\n * A comment of the test,\n * three lines long.\n */\n", 1)' \
	$x86 "KVM: x86: Move kvm_emulate_mwait() to the end" \
	'i = s.index("int kvm_emulate_mwait(struct kvm_vcpu *vcpu)\n"); e = "EXPORT_SYMBOL_GPL(kvm_emulate_mwait);\n"; j = s.index(e) + len(e); s = s[:i] + s[j:] + "\n" + s[i:j]'
run_review motion -s "$SCRATCH/motion" "$k12" "$CACHE"
ktap_check "6.12, a comment added above everything and a function moved: nothing, exit 0" eval \
	'[ $rc = 0 ] && rj "$SCRATCH/out-motion/$n12/review" "r[\"summary\"] == {\"new\": 0, \"resolved\": 0, \"changed\": 0} and not r[\"exit_reasons\"] and not r[\"within_series\"]" ||
	 { tail -n3 "$SCRATCH/out-motion.err"; false; }'

# --- a file renamed, and its object with it ---
mtrr=arch/x86/kvm/mtrr.c
mkseries "$SCRATCH/rename" "$k12" \
	$mtrr "KVM: x86: Rename mtrr.c to mtrr_msrs.c" "@rename arch/x86/kvm/mtrr_msrs.c" \
	arch/x86/kvm/Makefile @amend 's = s.replace(" mtrr.o ", " mtrr_msrs.o ")'
run_review rename -s "$SCRATCH/rename" "$k12" "$CACHE"
ktap_check "6.12, mtrr.c renamed (git's rename detection): its exit-path sites matched, nothing reported" eval \
	'[ $rc = 0 ] && rj "$SCRATCH/out-rename/$n12/review" "r[\"summary\"] == {\"new\": 0, \"resolved\": 0, \"changed\": 0}" &&
	 python3 -c "
import json, sys
a = json.load(open(json.load(open(sys.argv[1]))[\"patches\"][-1][\"state\"][\"audit\"]))
assert any(s[\"file\"] == \"arch/x86/kvm/mtrr_msrs.c\" for s in a[\"sites\"])
" "$SCRATCH/out-rename/$n12/review/review.json" || { tail -n3 "$SCRATCH/out-rename.err"; false; }'

# --- a patch and its revert ---
mkseries "$SCRATCH/revert" "$k12" \
	$x86 "KVM: x86: Count INVD as an instruction retired" "$(trigger kvm_pmu_eventsel.INSTRUCTIONS_RETIRED)" \
	$x86 "Revert \"KVM: x86: Count INVD as an instruction retired\"" \
	's = s.replace("\tkvm_pmu_trigger_event(vcpu, kvm_pmu_eventsel.INSTRUCTIONS_RETIRED);\n\treturn kvm_emulate_as_nop(vcpu);", "\treturn kvm_emulate_as_nop(vcpu);")'
run_review revert -s "$SCRATCH/revert" "$k12" "$CACHE"
ktap_check "6.12, a patch and its revert: nothing new or resolved; the trigger shown added by 1, removed by 2" eval \
	'[ $rc = 0 ] && rj "$SCRATCH/out-revert/$n12/review" "r[\"summary\"][\"new\"] == 0 and r[\"summary\"][\"resolved\"] == 0 and
	   [(x[\"patch\"], x[\"removed_by\"]) for x in r[\"within_series\"] if x[\"rule\"] == \"unguarded-pmu-trigger\"] == [(1, 2)]" &&
	 flat "$SCRATCH/out-revert/$n12/review/review.md" | grep -qF "introduced by patch 1/2: KVM: x86: Count INVD as an instruction retired; removed by patch 2/2: Revert" ||
	 { tail -n3 "$SCRATCH/out-revert.err"; false; }'

# The same two patches as one b4-style mbox, behind a cover letter.
{
	printf 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n'
	printf 'From: Hot Path Tester <tester@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n'
	printf 'Subject: [PATCH 0/2] KVM: x86: INVD counted, and not\n\nThe cover letter.\n\n'
	cat "$SCRATCH/revert"/*.patch
} >"$SCRATCH/v2_20240101_invd.mbx"
run_review mbox -s "$SCRATCH/v2_20240101_invd.mbx" "$k12" "$CACHE"
ktap_check "6.12, the same series as one mbox with a cover letter: the same review" eval \
	'[ $rc = 0 ] && python3 -c "
import json, sys
def part(path):
	r = json.load(open(path))
	return r[\"findings\"], r[\"within_series\"], r[\"exit_reasons\"], [p[\"state\"][\"subject\"] for p in r[\"patches\"]]
assert part(sys.argv[1]) == part(sys.argv[2])
" "$SCRATCH/out-mbox/$n12/review/review.json" "$SCRATCH/out-revert/$n12/review/review.json" ||
	 { tail -n3 "$SCRATCH/out-mbox.err"; false; }'

# --- a git checkout, BASE..HEAD: the same change as the SERIES ---
g=$CACHE/e2e-review-6.12/checkout
# No background gc (git commit and git am start one) may change KDIR while
# it is compared.
root=$(git -C "$g" rev-list --max-parents=0 HEAD 2>/dev/null)
if [ -z "$root" ] || [ "$(git -C "$g" log --format=%s -1 "$root")" != "import linux-source-6.12" ]; then
	rm -rf "$g" && mkdir -p "$(dirname "$g")" && cp -a "$k12" "$g" && git -C "$g" init -q &&
		git -C "$g" config gc.auto 0 && git -C "$g" config maintenance.auto false &&
		git -C "$g" add -A -f && git -C "$g" commit -q -m "import linux-source-6.12"
	root=$(git -C "$g" rev-list --max-parents=0 HEAD)
fi
git -C "$g" checkout -q -f master && git -C "$g" reset -q --hard "$root"
git -C "$g" am -q "$SCRATCH/ptr"/*.patch
before=$(tree_manifest "$g"; git -C "$g" rev-parse HEAD)
ro_bind "$g"
run_review base -b HEAD~1 "$g" "$CACHE"
ro_unbind "$g"
ktap_check "6.12 checkout, BASE=HEAD~1 of the same patch: the same findings as the SERIES on the plain tree" eval \
	'[ $rc = 2 ] && python3 -c "
import json, sys
def strip(path):
	r = json.load(open(path))
	return r[\"findings\"], r[\"exit_reasons\"], r[\"summary\"]
assert strip(sys.argv[1]) == strip(sys.argv[2])
" "$SCRATCH/out-base/$n12/review/review.json" "$rv/review.json" || { tail -n3 "$SCRATCH/out-base.err"; false; }'
after=$(tree_manifest "$g"; git -C "$g" rev-parse HEAD)
ktap_check "6.12 checkout: KDIR is left as it was" eval \
	'[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") | head -n5; false; }'

# --- bad input: one line after any progress, exit 1, no review folder ---
bad()
{
	local want=$1 o=$SCRATCH/bad err
	shift
	rm -rf "$o"
	err=$("$review" -r "$o" "$@" 2>&1 >/dev/null)
	[ $? = 1 ] || { echo "exit status not 1"; return 1; }
	err=$(grep -v '^  [A-Z]\+ \+' <<<"$err")
	[ "$(grep -c . <<<"$err")" = 1 ] || { printf 'expected one line, got:\n%s\n' "$err"; return 1; }
	grep -qF -- "$want" <<<"$err" || { echo "'$err' does not say '$want'"; return 1; }
	[ -z "$(find "$o" -name 'review*' 2>/dev/null)" ] || { echo "left: $(find "$o")"; return 1; }
}
mkseries "$SCRATCH/noapply" "$k12" $x86 "KVM: x86: Edit what is not there" \
	's = s.replace("int kvm_emulate_invd(", "int kvm_emulate_invd_renamed("); s = s.replace("/* Treat an INVD", "/* Really treat an INVD")'
sed -i 's/^-int kvm_emulate_invd(/-int kvm_emulate_invd_gone(/' "$SCRATCH/noapply"/*.patch
ktap_check "bad input: a series that does not apply: the patch and git am's reason" eval \
	'bad "patch 1 (\"KVM: x86: Edit what is not there\", in $SCRATCH/noapply/0001-" -s "$SCRATCH/noapply" "$k12" "$CACHE" &&
	 "$review" -r "$SCRATCH/bad" -s "$SCRATCH/noapply" "$k12" "$CACHE" 2>&1 | grep -q "does not apply to [0-9a-f]*: error: patch failed: $x86:"'

side=$(git -C "$g" commit-tree -p HEAD~1 -m side "$(git -C "$g" rev-parse HEAD~1^{tree})")
ktap_check "bad input: BASE that is not an ancestor of HEAD" \
	bad "is not an ancestor of" -b "$side" "$g" "$CACHE"
ktap_check "bad input: BASE on a plain tree" \
	bad "needs KDIR to be a git checkout" -b HEAD~1 "$k12" "$CACHE"
echo "not a patch" >"$SCRATCH/notes.txt"
ktap_check "bad input: a SERIES file that is not a patch" \
	bad "is not a patch in mail form" -s "$SCRATCH/notes.txt" "$k12" "$CACHE"
echo "/* a local change */" >>"$g/$x86"
ktap_check "bad input: a KDIR with local changes" \
	bad "has local changes (1 file: $x86); commit or stash them" -b HEAD~1 "$g" "$CACHE"
git -C "$g" checkout -q -- $x86
ktap_check "bad input: neither BASE nor SERIES" bad "nothing to review: give BASE=" "$k12" "$CACHE"

# --- the catalogue and the files ---
ktap_check "reports/README.md documents every rule review.sarif has" python3 -c '
import json, sys
doc = open(sys.argv[2]).read()
rules = [r["id"] for r in json.load(open(sys.argv[1]))["runs"][0]["tool"]["driver"]["rules"]]
missing = [r for r in rules if "### `%s`" % r not in doc]
assert len(rules) == 4 and not missing, missing
' "$rv/review.sarif" "$TOP/reports/README.md"

run_review again -s "$SCRATCH/ptr" "$k12" "$CACHE"
ktap_check "a rerun gives byte-identical review files; review.sarif passes the SARIF Multitool" eval \
	'for x in review.md review.json review.sarif; do cmp "$rv/$x" "$SCRATCH/out-again/$n12/review/$x" || exit 1; done &&
	 sarif_valid "$rv/review.sarif"'

# --- stopped midway ---
# Over the review above, one of another series, stopped while it audits
# its patch (AUDIT 1/1, SIGINT) and as it compares the audits (COMPARE,
# SIGTERM): the review folder holds the old review or the new one, whole;
# the next run writes what a run never interrupted writes.
mkseries "$SCRATCH/int" "$k12" $x86 "KVM: x86: A comment of the test" \
	's = s.replace("int kvm_skip_emulated_instruction(", "/* A comment of the test. */\nint kvm_skip_emulated_instruction(", 1)'
ri=$SCRATCH/out-ptr
R=$CACHE/review-$(key_of "$k12")
cp -a "$ri/$n12/review" "$SCRATCH/v1"
ls "$R/audits" >"$SCRATCH/audits.before"
interrupt_at '^  AUDIT   1/1 ' INT "$SCRATCH/int1.err" "$review" -r "$ri" -s "$SCRATCH/int" "$k12" "$CACHE"
i1=$?
diff -r "$SCRATCH/v1" "$ri/$n12/review" >"$SCRATCH/int1.diff" && i1+=" old"
interrupt_at '^  COMPARE ' TERM "$SCRATCH/int2.err" "$review" -r "$ri" -s "$SCRATCH/int" "$k12" "$CACHE"
i2=$?
cp -a "$ri/$n12/review" "$SCRATCH/v2-stopped"
run_review int -s "$SCRATCH/int" "$k12" "$CACHE"
ls "$R/audits" | grep -vxFf "$SCRATCH/audits.before" | sed "s|^|$R/audits/|" | xargs -r rm -f
run_review int-clean -s "$SCRATCH/int" "$k12" "$CACHE"
ktap_check "make review stopped at AUDIT 1/1 (SIGINT) and COMPARE (SIGTERM): the old review or the new, whole; then as if never stopped" eval \
	'[ "$i1" = "0 old" ] && [ "$i2" = 0 ] && [ $rc = 0 ] &&
	 { diff -r "$SCRATCH/v1" "$SCRATCH/v2-stopped" >/dev/null || diff -r "$SCRATCH/out-int/$n12/review" "$SCRATCH/v2-stopped"; } &&
	 diff -r "$SCRATCH/out-int/$n12/review" "$SCRATCH/out-int-clean/$n12/review" &&
	 [ -z "$(find "$ri" "$R" -maxdepth 3 \( -name ".review.tmp.*" -o -name "run.*" \))" ] ||
	 { echo "interrupt_at: $i1 / $i2"; tail -n2 "$SCRATCH/int1.err" "$SCRATCH/int2.err"; false; }'

ktap_finished
