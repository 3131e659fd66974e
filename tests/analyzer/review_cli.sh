#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotpath review on audits written here, one change each: what it reports
# as New, Resolved and Changed, and what it must not (code that only moved,
# a renamed file), which patch it names, the exit-reason deltas, the gate's
# exit status, the SARIF it writes, and one line for each bad input.  The
# real trees' reviews are tests/e2e/review.sh.
#
# Usage: review_cli.sh

. "$(dirname "$0")/../lib.sh"

ktap_require python3 python3
ktap_require valgrind valgrind
ktap_scratch

hp=$TOP/analyzer/hotpath
[ -x "$hp" ] || { ktap_print_header; echo "Bail out! $hp not built: run make analyzer"; exit 1; }
tool=$("$hp" --version | sed -n 's/^hotpath (\(.*\))$/\1/p')

# mk NAME EDIT: an audit.json, the base's with EDIT (Python over the list
# "sites", the dicts "reasons" and "funcs", and "doc") applied.
mk()
{
	python3 - "$SCRATCH/$1.json" "$tool" "$2" <<'EOF'
import json, sys
out, tool, edit = sys.argv[1:]

def site(file, line, caller, what, kind="direct", when="always", guard=None, pmu=None,
         nth=0, cyc=(10.0, 5.0), reasons=("SVM_EXIT_CPUID", "EXIT_REASON_CPUID"), loop=False):
    seq = {"direct": "call", "static_call": "call", "indirect": None}[kind]
    return {"caller": caller, "callee": what if kind == "direct" else None, "kind": kind,
            "what": what, "file": file, "line": line, "col": 2, "nth": nth, "when": when,
            "guard": guard, "pmu_trigger": pmu, "path": [caller], "run_loop": loop,
            "frequency": 1.0, "exit_reasons": list(reasons),
            "cost": [{"profile": "zen2", "sequence": seq or "retpoline", "per_exit": cyc[0],
                      "foreign": "/vmx/" in file},
                     {"profile": "icelake-sp", "sequence": seq or "its", "per_exit": cyc[1],
                      "foreign": "/svm/" in file}]}

sites = [
    site("arch/x86/kvm/x86.c", 100, "kvm_skip_emulated_instruction", "kvm_x86_skip_emulated_instruction",
         kind="static_call", cyc=(96.2, 45.0)),
    site("arch/x86/kvm/x86.c", 104, "kvm_skip_emulated_instruction", "kvm_pmu_trigger_event",
         when="likely", pmu="unguarded", cyc=(54.9, 24.8)),
    site("arch/x86/kvm/x86.c", 200, "kvm_emulate_cpuid", "kvm_cpuid", cyc=(140.8, 70.5)),
    site("arch/x86/kvm/x86.c", 210, "kvm_emulate_cpuid", "kvm_cpuid", nth=1, when="unlikely",
         cyc=(14.1, 7.1)),
    site("arch/x86/kvm/svm/svm.c", 300, "svm_handle_exit", "svm_exit_handlers[exit_code]",
         kind="indirect", cyc=(40.0, float("nan")), reasons=(), loop=True),
]
funcs = {n: {"name": n, "file": f, "line": l, "insns": i, "path": [n]} for n, f, l, i in [
    ("kvm_skip_emulated_instruction", "arch/x86/kvm/x86.c", 98, 17),
    ("kvm_emulate_cpuid", "arch/x86/kvm/x86.c", 195, 24),
    ("kvm_cpuid", "arch/x86/kvm/cpuid.c", 50, 53),
    ("svm_handle_exit", "arch/x86/kvm/svm/svm.c", 290, 30),
]}
reasons = {"SVM_EXIT_CPUID": (24.0, None), "EXIT_REASON_CPUID": (None, 24.0),
           "SVM_EXIT_HLT": (321.2, None), "EXIT_REASON_HLT": (None, 135.9)}
doc = {"tool": tool, "tree": "linux-6.12.117", "cfi": False, "exits": None,
       "scenario": {"name": "default", "facts": [
           {"fact": "kvm->arch.enable_pmu = 0", "from": "the VM's PMU is disabled"},
           {"fact": "enable_pmu = 1", "from": "the module parameter, as arch/x86/kvm/x86.c:175 sets it"}]},
       "run_loop": {"roots": ["vcpu_enter_guest"], "cycles": {"zen2": 167.8, "icelake-sp": 78.4}}}
exec(edit)
for s in sites:
    for c in s["cost"]:
        if c["per_exit"] != c["per_exit"]:
            c["per_exit"] = 0.0
            c["foreign"] = True
doc.setdefault("profiles", [
    {"name": "zen2", "cpu": "AMD Zen 2", "vendor": "amd", "defaults": {"indirect": "retpoline"}},
    {"name": "icelake-sp", "cpu": "Intel Ice Lake-SP", "vendor": "intel", "defaults": {"indirect": "its"}}])
doc["reasons"] = [{"name": n, "perf": n.split("_")[-1], "root": "r",
                   "cycles": {"zen2": z, "icelake-sp": i}} for n, (z, i) in reasons.items()]
doc["functions"] = sorted(funcs.values(), key=lambda f: (f["file"], f["name"]))
doc["sites"] = sites
json.dump(doc, open(out, "w"), indent=1)
EOF
}

# rv OUT AUDIT...: hotpath review into SCRATCH/OUT/, its exit status in rc.
rv()
{
	local o=$SCRATCH/$1
	shift
	rm -rf "$o" && mkdir -p "$o"
	"$hp" review --output-dir "$o" "$@" >"$o.out" 2>"$o.err"
	rc=$?
}

# q OUT PYTHON: a Python assertion over OUT's review.json (as r).
q()
{
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1] + "/review.json"))
f = [x for x in r["findings"]]
def only(status):
    return [x for x in f if x["status"] == status]
ok = eval("(" + sys.argv[2] + ")")
if not ok:
    print(json.dumps({k: r[k] for k in ("summary", "findings", "within_series", "exit_reasons")}, indent=1)[:3000])
sys.exit(0 if ok else 1)' "$SCRATCH/$1" "$2"
}

# flat MD: review.md with its folded lines joined, one space between words.
flat()
{
	tr '\n' ' ' <"$1" | tr -s ' '
}

ktap_print_header
ktap_set_plan 23

mk base ''

mk moved 'for s in sites: s["line"] += 40
for f in funcs.values(): f["line"] += 40'
rv moved "$SCRATCH/base.json" "$SCRATCH/moved.json"
ktap_check "every line moved: nothing new, resolved or changed; exit 0" eval \
	'[ $rc = 0 ] && q moved "r[\"summary\"] == {\"new\": 0, \"resolved\": 0, \"changed\": 0} and not r[\"exit_reasons\"]" &&
	 grep -q "^0 new, 0 resolved, 0 changed. Gate FAIL_ON=new: passed.$" "$SCRATCH/moved/review.md"'

mk renamed 'for s in sites:
    s["file"] = s["file"].replace("x86.c", "x86_common.c")
for f in funcs.values():
    f["file"] = f["file"].replace("x86.c", "x86_common.c")'
printf 'arch/x86/kvm/x86.c\tarch/x86/kvm/x86_common.c\n' >"$SCRATCH/renames"
rv renamed --renames "$SCRATCH/renames" "$SCRATCH/base.json" "$SCRATCH/renamed.json"
ktap_check "a renamed file, with git's renames: nothing new or resolved" eval \
	'[ $rc = 0 ] && q renamed "r[\"summary\"][\"new\"] == 0 and r[\"summary\"][\"resolved\"] == 0"'
rv renamed-norenames "$SCRATCH/base.json" "$SCRATCH/renamed.json"
ktap_check "the same without the renames: its sites new and gone (the renames are what matched them)" eval \
	'[ $rc = 2 ] && q renamed-norenames "r[\"summary\"][\"new\"] == 4 + 2 and r[\"summary\"][\"resolved\"] == 4 + 2"'

ptr='sites[0].update(kind="indirect", what="kvm_x86_ops.skip_emulated_instruction", callee=None)
sites[0]["cost"][0].update(per_exit=129.2, sequence="retpoline")
sites[0]["cost"][1].update(per_exit=48.5, sequence="its")
funcs["kvm_skip_emulated_instruction"]["insns"] = 18
reasons["SVM_EXIT_HLT"] = (355.2, None)
reasons["EXIT_REASON_HLT"] = (None, 140.4)'
mk ptr "$ptr"
rv ptr "$SCRATCH/base.json" "$SCRATCH/ptr.json"
ktap_check "a static call made a kvm_x86_ops call: one New thunked-indirect-call, was the static call" eval \
	'[ $rc = 2 ] && q ptr "len(only(\"new\")) == 1 and only(\"new\")[0][\"rule\"] == \"thunked-indirect-call\" and
	   only(\"new\")[0][\"before\"][\"kind\"] == \"static_call\" and only(\"new\")[0][\"after\"][\"kind\"] == \"indirect\" and
	   not only(\"resolved\") and [x[\"rule\"] for x in only(\"changed\")] == [\"exit-path-function\"]" &&
	 flat "$SCRATCH/ptr/review.md" |
	 grep -qF "was a static call (kvm_x86_skip_emulated_instruction), now an indirect call: retpoline on zen2, its on icelake-sp"'
ktap_check "the exit reasons it touches, after minus before, per profile; none it does not" eval \
	'q ptr "[(x[\"name\"], x[\"delta\"]) for x in r[\"exit_reasons\"]] == [(\"SVM_EXIT_HLT\", {\"zen2\": 34.0, \"icelake-sp\": None}), (\"EXIT_REASON_HLT\", {\"zen2\": None, \"icelake-sp\": 4.5})]" &&
	 grep -qE "^    SVM_EXIT_HLT +\+34.0 +-$" "$SCRATCH/ptr/review.md"'

exits='doc["exits"] = {"counted": 1000, "unmatched": 0, "reasons": [
    {"name": "SVM_EXIT_HLT", "count": 250, "share": 0.25}, {"name": "EXIT_REASON_HLT", "count": 250, "share": 0.25},
    {"name": "SVM_EXIT_CPUID", "count": 500, "share": 0.5}]}
doc["run_loop"]["cycles"]["zen2"] += 0.5'
mk base-x "$exits"
mk ptr-x "$ptr
$exits
doc[\"run_loop\"][\"cycles\"][\"zen2\"] += 1.0"
rv ptr-x "$SCRATCH/base-x.json" "$SCRATCH/ptr-x.json"
ktap_check "EXITS= weighting: each reason's delta by its share of the exits, the run loop's by all" eval \
	'q ptr-x "r[\"weighted\"] == {\"exits\": 1000, \"delta\": {\"zen2\": 9.5, \"icelake-sp\": 1.1}}" &&
	 flat "$SCRATCH/ptr-x/review.md" | grep -qF "Weighted by the exit counts of EXITS= (1000 exits counted): zen2 +9.5, icelake-sp +1.1 cycles per exit."'

for fo in "exit-path-function 0" "thunked-indirect-call 2" "+34 0" "+33.9 2" "+4 2"; do
	rv gate --fail-on "${fo% *}" "$SCRATCH/base.json" "$SCRATCH/ptr.json"
	[ $rc = "${fo#* }" ] || { echo "FAIL_ON=${fo% *}: exit $rc, expected ${fo#* }"; break; }
done
ktap_check "FAIL_ON: a rule fails only on its own kind; +N on the first profile's biggest delta" \
	[ $rc = "${fo#* }" ]

mk guarded 'sites[1]["guard"] = "enable_pmu"; sites[1]["pmu_trigger"] = "guarded"
sites[1]["cost"][0]["per_exit"] = sites[1]["cost"][1]["per_exit"] = 0.0
funcs["kvm_skip_emulated_instruction"]["insns"] = 15'
rv guarded "$SCRATCH/base.json" "$SCRATCH/guarded.json"
ktap_check "a guarded trigger: Resolved, never a failure of FAIL_ON=new" eval \
	'[ $rc = 0 ] && q guarded "[x[\"rule\"] for x in only(\"resolved\")] == [\"unguarded-pmu-trigger\"] and not only(\"new\")" &&
	 grep -A2 "^arch/x86/kvm/x86.c:104: kvm_skip_emulated_instruction -> kvm_pmu_trigger_event$" "$SCRATCH/guarded/review.md" |
	 grep -q "cycles per exit (model): zen2 54.9 -> 0.0, icelake-sp 24.8 -> 0.0"'

mk newtrig 'sites.append(site("arch/x86/kvm/x86.c", 230, "kvm_emulate_cpuid", "kvm_pmu_trigger_event",
    pmu="unguarded", cyc=(61.0, 27.5)))
funcs["kvm_pmu_trigger_event"] = {"name": "kvm_pmu_trigger_event", "file": "arch/x86/kvm/pmu.c",
    "line": 900, "insns": 23, "path": ["kvm_emulate_cpuid", "kvm_pmu_trigger_event"]}'
rv newtrig --fail-on unguarded-pmu-trigger "$SCRATCH/base.json" "$SCRATCH/newtrig.json"
ktap_check "a new trigger call: New unguarded-pmu-trigger with its exit reasons, its callee newly reachable" eval \
	'[ $rc = 2 ] && q newtrig "sorted(x[\"rule\"] for x in only(\"new\")) == [\"exit-path-function\", \"unguarded-pmu-trigger\"]" &&
	 grep -q "exit reasons: SVM_EXIT_CPUID, EXIT_REASON_CPUID" "$SCRATCH/newtrig/review.md"'

printf '%s\n' "aaaa1111 base" "bbbb2222 KVM: x86: add the trigger" "cccc3333 KVM: x86: take it back" >"$SCRATCH/c3"
rv within --commits "$SCRATCH/c3" "$SCRATCH/base.json" "$SCRATCH/newtrig.json" "$SCRATCH/moved.json"
ktap_check "added by patch 1, removed by patch 2: nothing new or resolved, shown within the series" eval \
	'[ $rc = 0 ] && q within "r[\"summary\"] == {\"new\": 0, \"resolved\": 0, \"changed\": 0} and
	   sorted((x[\"rule\"], x[\"patch\"], x[\"removed_by\"]) for x in r[\"within_series\"]) ==
	   [(\"exit-path-function\", 1, 2), (\"unguarded-pmu-trigger\", 1, 2)]" &&
	 flat "$SCRATCH/within/review.md" |
	 grep -qF "introduced by patch 1/2: KVM: x86: add the trigger; removed by patch 2/2: KVM: x86: take it back"'

printf '%s\n' "aaaa1111 base" "bbbb2222 KVM: x86: guard it" "cccc3333 KVM: x86: the ops call" >"$SCRATCH/c2"
mk both 'sites[1]["guard"] = "enable_pmu"; sites[1]["pmu_trigger"] = "guarded"
sites[0].update(kind="indirect", what="kvm_x86_ops.skip_emulated_instruction", callee=None)'
rv attr --commits "$SCRATCH/c2" "$SCRATCH/base.json" "$SCRATCH/guarded.json" "$SCRATCH/both.json"
ktap_check "each finding names the patch that made it so" eval \
	'[ $rc = 2 ] && q attr "[(x[\"status\"], x[\"rule\"], x[\"patch\"]) for x in f if x[\"rule\"] != \"exit-path-function\"] ==
	   [(\"new\", \"thunked-indirect-call\", 2), (\"resolved\", \"unguarded-pmu-trigger\", 1)]" &&
	 grep -q "resolved by patch 1/2: KVM: x86: guard it" "$SCRATCH/attr/review.md" &&
	 grep -q "^Compared: linux-6.12.117 at aaaa1111 (base) with cccc3333 (2 patches, each audited)" "$SCRATCH/attr/review.md"'

ktap_check "review.md: no line over 100 columns" eval \
	'! grep -n ".\{101\}" "$SCRATCH"/*/review.md'

# The fingerprint, computed here from its definition: FNV-1a 64 over the
# rule, file, caller, callee as written and ordinal, each NUL-terminated.
ktap_check "review.sarif: baselineState per finding, fingerprints as audit.sarif defines them" python3 -c '
import json, sys
def fnv(*parts):
    h = 0xcbf29ce484222325
    for b in b"".join(p.encode() + b"\0" for p in parts):
        h = ((h ^ b) * 0x100000001b3) % 2**64
    return "%016x" % h
res = json.load(open(sys.argv[1]))["runs"][0]["results"]
got = sorted((r["ruleId"], r["baselineState"], r["fingerprints"]["kvmHotpath/v1"]) for r in res)
want = sorted([("unguarded-pmu-trigger", "absent", fnv("unguarded-pmu-trigger", "arch/x86/kvm/x86.c",
                "kvm_skip_emulated_instruction", "kvm_pmu_trigger_event", "0")),
               ("thunked-indirect-call", "new", fnv("thunked-indirect-call", "arch/x86/kvm/x86.c",
                "kvm_skip_emulated_instruction", "kvm_x86_ops.skip_emulated_instruction", "0")),
               ("thunked-indirect-call", "unchanged", fnv("thunked-indirect-call", "arch/x86/kvm/svm/svm.c",
                "svm_handle_exit", "svm_exit_handlers[exit_code]", "0"))])
assert got == want, (got, want)
' "$SCRATCH/attr/review.sarif"

rv again --commits "$SCRATCH/c2" "$SCRATCH/base.json" "$SCRATCH/guarded.json" "$SCRATCH/both.json"
ktap_check "the same inputs give byte-identical files" eval \
	'for f in review.md review.json review.sarif; do cmp "$SCRATCH/attr/$f" "$SCRATCH/again/$f" || exit 1; done'

# The same review under valgrind and built with ASan/UBSan: no error, the same files.
same_files()
{
	for f in review.md review.json review.sarif; do cmp "$SCRATCH/attr/$f" "$1/$f" || return 1; done
}
mkdir -p "$SCRATCH/vg"
ktap_check "hotpath review: clean under valgrind, the same files" eval \
	'valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite "$hp" review --output-dir "$SCRATCH/vg" --commits "$SCRATCH/c2" \
		"$SCRATCH/base.json" "$SCRATCH/guarded.json" "$SCRATCH/both.json"; [ $? = 2 ] && same_files "$SCRATCH/vg"'
mkdir -p "$SCRATCH/asan" "$SCRATCH/as" && cp "$TOP"/analyzer/*.[chS] "$TOP/analyzer/Makefile" "$SCRATCH/asan/"
ktap_check "hotpath review: clean built with ASan/UBSan, the same files" eval \
	'make -s -C "$SCRATCH/asan" SANITIZE=1 hotpath >/dev/null 2>&1 &&
	 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$SCRATCH/asan/hotpath" review --output-dir "$SCRATCH/as" --commits "$SCRATCH/c2" \
		"$SCRATCH/base.json" "$SCRATCH/guarded.json" "$SCRATCH/both.json"; [ $? = 2 ] && same_files "$SCRATCH/as"'

# Bad input: one line, exit 1 (never the gate's 2), nothing written.
bad()
{
	local want=$1 o=$SCRATCH/bad
	shift
	rm -rf "$o" && mkdir -p "$o"
	ktap_fails_with "$want" "$hp" review --output-dir "$o" "$@" || return 1
	"$hp" review --output-dir "$o" "$@" >/dev/null 2>&1
	[ $? = 1 ] || { echo "exit status not 1"; return 1; }
	[ -z "$(ls -A "$o")" ] || { echo "left: $(ls -A "$o")"; return 1; }
}
mk oldtool 'doc["tool"] = "kvm-hotpath 0.1.0"'
printf '{"tool": "%s", "sites": [' "$tool" >"$SCRATCH/cut.json"
mk oneprof 'doc["profiles"] = [{"name": "zen2", "vendor": "amd", "defaults": {"indirect": "retpoline"}}]
for s in sites: del s["cost"][1]'
ktap_check "bad input: an audit of another version of the tool" \
	bad "oldtool.json: written by another version of the tool; rerun make audit" \
	"$SCRATCH/base.json" "$SCRATCH/oldtool.json"
ktap_check "bad input: a cut-off audit.json" bad "cut.json" "$SCRATCH/base.json" "$SCRATCH/cut.json"
ktap_check "bad input: an audit.json that is not there" \
	bad "nosuch.json: cannot read it: No such file or directory; give the audit.json files of make audit" \
	"$SCRATCH/base.json" "$SCRATCH/nosuch.json"
ktap_check "bad input: audits priced on other profiles" bad "audit both with the same CPU=" \
	"$SCRATCH/base.json" "$SCRATCH/oneprof.json"
mk pmuon 'doc["scenario"]["facts"][0] = {"fact": "kvm->arch.enable_pmu = 1", "from": "on.txt:1"}'
mk moved 'doc["scenario"]["facts"][1]["from"] = "the module parameter, as arch/x86/kvm/x86.c:180 sets it"'
ktap_check "bad input: audits under other scenarios; the same facts from moved lines compare" eval \
	'bad "priced under \"kvm->arch.enable_pmu = 1; enable_pmu = 1\", the base'"'"'s audit under \"kvm->arch.enable_pmu = 0; enable_pmu = 1\"; audit both with the same SCENARIO=" \
		"$SCRATCH/base.json" "$SCRATCH/pmuon.json" &&
	 rv moved "$SCRATCH/base.json" "$SCRATCH/moved.json" && [ $rc = 0 ] &&
	 grep -q "under the scenario kvm->arch.enable_pmu = 0; enable_pmu = 1" "$SCRATCH/moved/review.md"' 
ktap_check "bad input: FAIL_ON neither new, a rule nor +N" eval \
	'bad "FAIL_ON=+many: give new, a rule" --fail-on +many "$SCRATCH/base.json" "$SCRATCH/ptr.json" &&
	 bad "FAIL_ON=newer: give new, a rule" --fail-on newer "$SCRATCH/base.json" "$SCRATCH/ptr.json"'
head -n2 "$SCRATCH/c2" >"$SCRATCH/c2.short"
ktap_check "bad input: a commits file without a line per audit" \
	bad "2 lines for 3 audits" --commits "$SCRATCH/c2.short" \
	"$SCRATCH/base.json" "$SCRATCH/guarded.json" "$SCRATCH/both.json"

ktap_finished
