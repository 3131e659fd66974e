#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# audit.sarif from make audit on Debian's linux-source-6.12: a SARIF 2.1.0
# log a code-scanning tool takes, one result per finding, the motivating
# site among the warnings with the cost model's savings, fingerprints that
# stay put when code only moves up or down a file, and byte-identical on a
# rerun.
#
# Usage: audit_sarif.sh

. "$(dirname "$0")/../lib.sh"

ktap_require python3 python3
ktap_require objdump binutils
ktap_require npm npm
ktap_scratch

kdir=$CACHE/linux-source-6.12
[ -f "$kdir/Makefile" ] ||
	ktap_exit_fail_msg "$kdir missing: run 'make check', which extracts linux-source-6.12"

# py PYTHON FILE...: assertions, with the files loaded as JSON in f[0], f[1]...
py()
{
	local code=$1

	shift
	python3 -c "
import json, sys
f = [json.load(open(p)) for p in sys.argv[1:]]
def results(log, rule=None):
	return [r for r in log['runs'][0]['results'] if rule is None or r['ruleId'] == rule]
def seed(log):
	s = [r for r in results(log, 'unguarded-pmu-trigger')
	     if r['properties']['caller'] == 'kvm_skip_emulated_instruction']
	assert len(s) == 1, s
	return s[0]
def where(r):
	p = r['locations'][0]['physicalLocation']
	return p['artifactLocation']['uri'], p['region']['startLine']
$code" "$@"
}

ktap_print_header
ktap_set_plan 9

adir=$SCRATCH/r/linux-6.12.117
make -s -C "$TOP" audit KDIR="$kdir" REPORTS="$SCRATCH/r" CPU=zen2,icelake-sp \
	>/dev/null 2>"$SCRATCH/err" || cat "$SCRATCH/err"
sarif=$adir/audit.sarif

ktap_check "audit.sarif is a SARIF 2.1.0 log: rules, levels, relative locations, fingerprints" \
	py '
log = f[0]
assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"], log["version"]
assert len(log["runs"]) == 1
run = log["runs"][0]
rules = run["tool"]["driver"]["rules"]
assert run["tool"]["driver"]["name"] == "kvm-hotpath"
assert [r["id"] for r in rules] == ["unguarded-pmu-trigger", "thunked-indirect-call",
				    "costly-exit-path-call"], rules
for r in rules:
	assert r["shortDescription"]["text"] and r["fullDescription"]["text"], r
	assert r["defaultConfiguration"]["level"] in ("note", "warning", "error"), r
assert "SRCROOT" in run["originalUriBaseIds"]
res = results(log)
assert res
for r in res:
	assert rules[r["ruleIndex"]]["id"] == r["ruleId"], r
	assert r["level"] == rules[r["ruleIndex"]]["defaultConfiguration"]["level"], r
	assert r["message"]["text"].endswith("."), r
	assert len(r["locations"]) == 1, r
	loc = r["locations"][0]["physicalLocation"]
	assert loc["artifactLocation"]["uriBaseId"] == "SRCROOT", loc
	uri = loc["artifactLocation"]["uri"]
	assert not uri.startswith("/") and uri.startswith(("arch/", "include/", "virt/")), uri
	assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1, loc
	assert len(r["fingerprints"]["kvmHotpath/v1"]) == 16, r' "$sarif"

ktap_check "Microsoft's SARIF Multitool validates it; the driver's version is hotpath --version's" eval \
	'sarif_valid "$sarif" &&
	 py "assert \"hotpath (kvm-hotpath \" + f[0][\"runs\"][0][\"tool\"][\"driver\"][\"version\"] + \")\" == \"$("$TOP/analyzer/hotpath" --version)\"" "$sarif"'

# The findings catalogue: each rule the log has is documented there, with
# an example line that is a result of this very log, numbers aside.
export CATALOGUE=$TOP/reports/README.md
ktap_check "reports/README.md documents each rule: heading, level, an example the code prints" py '
import os, re
readme = open(os.environ["CATALOGUE"]).read()
run = f[0]["runs"][0]
rules = {r["id"]: r["defaultConfiguration"]["level"] for r in run["tool"]["driver"]["rules"]}
documented = dict(re.findall(r"^### `([a-z-]+)` \((\w+)\)$", readme, re.M))
assert documented == rules, (documented, rules)
num = lambda t: re.sub(r"\d+(\.\d+)?", "N", t)
for rule in rules:
	block = readme.split("### `%s`" % rule, 1)[1].split("```\n", 2)[1]
	where, message = block.splitlines()[0].split(": ", 1)
	uri, line = where.rsplit(":", 1)
	got = [r["message"]["text"] for r in results(f[0], rule)
	       if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri and
	       r["locations"][0]["physicalLocation"]["region"]["startLine"] == int(line)]
	assert len(got) == 1 and num(got[0]) == num(message), (rule, got, message)
' "$sarif"

ktap_check "the motivating call is a warning at x86.c:8503 with audit.json's savings" py '
log, audit = f
r = seed(log)
assert r["level"] == "warning" and where(r) == ("arch/x86/kvm/x86.c", 8503), where(r)
s = [x for x in audit["sites"] if x["caller"] == "kvm_skip_emulated_instruction"
     and x["callee"] == "kvm_pmu_trigger_event"][0]
for p in audit["profiles"]:
	c = [c for c in s["cost"] if c["profile"] == p["name"]][0]
	want = "%s %.1f cycles" % (p["name"], c["total"] - p["costs"]["guard"])
	assert want in r["message"]["text"], (want, r["message"]["text"])
print("# " + r["message"]["text"])' "$sarif" "$adir/audit.json"

ktap_check "one result per finding: each unguarded trigger, thunked indirect call and top-20 site" py '
log, audit = f
sites = audit["sites"]
ung = [s for s in sites if s["pmu_trigger"] == "unguarded"]
ind = [s for s in sites if s["kind"] == "indirect"]
top = [s for s in sites if s["cost"][0]["weighted"] > 0][:20]
def key(s):
	return (s["file"], s["line"], s["col"])
def rkey(r):
	p = r["locations"][0]["physicalLocation"]
	return (p["artifactLocation"]["uri"], p["region"]["startLine"], p["region"]["startColumn"])
for rule, want in (("unguarded-pmu-trigger", ung), ("thunked-indirect-call", ind),
		   ("costly-exit-path-call", top)):
	got = sorted(rkey(r) for r in results(log, rule))
	assert got == sorted(key(s) for s in want), (rule, len(got), len(want))
fp = [(r["ruleId"], r["fingerprints"]["kvmHotpath/v1"]) for r in results(log)]
assert len(set(fp)) == len(fp), "two results share a fingerprint"
print("# %d results: %d unguarded PMU triggers, %d thunked indirect calls, %d top sites" %
      (len(fp), len(ung), len(ind), len(top)))' "$sarif" "$adir/audit.json"

# The same graph with x86.c's code 40 lines further down, as after a patch
# that adds lines at its top.
python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))
for x in g["functions"] + g["calls"]:
	if x["file"] == "arch/x86/kvm/x86.c":
		x["line"] += 40
json.dump(g, open(sys.argv[2], "w"))' "$adir/callgraph.json" "$SCRATCH/moved.json"
mkdir -p "$SCRATCH/moved"
"$TOP/analyzer/hotpath" audit --build "$(build_of "$CACHE/linux-source-6.12")" \
	--profile "$TOP/analyzer/profiles/zen2.profile" \
	--profile "$TOP/analyzer/profiles/icelake-sp.profile" \
	--output-dir "$SCRATCH/moved" "$SCRATCH/moved.json" 2>"$SCRATCH/err.moved" ||
	cat "$SCRATCH/err.moved"
ktap_check "code moved 40 lines down: the same fingerprints, the new lines" py '
old, new = f
fp = lambda log: sorted((r["ruleId"], r["fingerprints"]["kvmHotpath/v1"]) for r in results(log))
assert fp(old) == fp(new), "fingerprints changed"
assert where(seed(new)) == ("arch/x86/kvm/x86.c", 8543), where(seed(new))' \
	"$sarif" "$SCRATCH/moved/audit.sarif"

ktap_check "two calls of one callee in one function get two fingerprints" py '
r = results(f[0], "unguarded-pmu-trigger")
x = [y for y in r if y["properties"]["caller"] == "x86_emulate_instruction"]
assert len(x) == 2 and where(x[0]) != where(x[1]), x
assert x[0]["fingerprints"] != x[1]["fingerprints"]' "$sarif"

mkdir -p "$SCRATCH/spr"
"$TOP/analyzer/hotpath" audit --build "$(build_of "$CACHE/linux-source-6.12")" \
	--profile "$TOP/analyzer/profiles/sapphire-rapids.profile" \
	--output-dir "$SCRATCH/spr" "$adir/callgraph.json" 2>"$SCRATCH/err.spr" ||
	cat "$SCRATCH/err.spr"
ktap_check "sapphire-rapids (eIBRS, plain indirect calls): no thunked calls, PMU warnings stay" py '
log, zen = f
assert not results(log, "thunked-indirect-call")
assert results(zen, "thunked-indirect-call")
fp = lambda log: [r["fingerprints"] for r in results(log, "unguarded-pmu-trigger")]
assert fp(log) and fp(log) == fp(zen), (fp(log), fp(zen))' \
	"$SCRATCH/spr/audit.sarif" "$sarif"

cp "$sarif" "$SCRATCH/first.sarif"
make -s -C "$TOP" audit KDIR="$kdir" REPORTS="$SCRATCH/r" CPU=zen2,icelake-sp >/dev/null 2>&1
ktap_check "a rerun gives a byte-identical audit.sarif" cmp "$SCRATCH/first.sarif" "$sarif"

ktap_finished
