#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make measure on this host: tests/kvm/exit_cost built on the KVM selftests
# library of Debian's 6.1 and 6.12 trees (KDIR untouched), run with the
# skips this host explains and no others, measure.json as documented, its
# figures labelled "not exit costs" where there is no hardware
# virtualisation, BASELINE= on two real runs, MEASURED= in make audit's
# audit.md and audit.html (and not without it), and the cases skipped with
# the fix when /dev/kvm cannot be opened.  It asserts no time: only what
# the figures are and how they are labelled.

. "$(dirname "$0")/../lib.sh"

ktap_print_header
for t in make:make gcc:gcc python3:python3 setpriv:util-linux; do
	ktap_require "${t%%:*}" "${t#*:}"
done
ktap_scratch
chmod 755 "$SCRATCH"
ktap_set_plan 11

k12=$CACHE/linux-source-6.12
build=$TOP/tests/kvm/build
driver=$TOP/tests/kvm/measure
hwvirt=no
grep -qwE 'vmx|svm' /proc/cpuinfo && hwvirt=yes
pmu_cap=yes
[ "$(cat /sys/module/kvm/parameters/enable_pmu 2>/dev/null)" = N ] && pmu_cap=no
# Without /dev/kvm nothing is measured: the cases that need a run check
# the skips and the one line instead, or skip saying so.
kvm=yes
[ -c /dev/kvm ] || kvm=no
nokvm="no /dev/kvm on this host: nothing to measure"

for v in 6.1 6.12; do
	k=$CACHE/linux-source-$v
	tree_manifest "$k" >"$SCRATCH/before.$v"
	prog=$("$build" -j 2 "$k" "$CACHE" 2>"$SCRATCH/build.$v")
	ktap_check "$v: exit_cost builds on the tree's own KVM selftests library, KDIR untouched" eval \
		'[ -x "$prog" ] && [[ $prog == "$CACHE"/kvm-selftests-linux-$v.*/out/x86_64/exit_cost ]] &&
		 grep -q "^  CC      $prog" "$SCRATCH/build.$v" &&
		 tree_manifest "$k" | cmp -s - "$SCRATCH/before.$v"'
	eval "prog_${v/./_}=\$prog"
done

# The skips this host explains: no PMU capability (pmu=off cases), and
# without hardware virtualisation a guest that does not come back.
skips_explained()
{
	python3 - "$1" "$pmu_cap" "$hwvirt" <<'EOF'
import re, sys
ktap, pmu_cap, hwvirt = sys.argv[1], sys.argv[2] == "yes", sys.argv[3] == "yes"
cases = [l for l in open(ktap).read().splitlines() if re.match(r"(not )?ok \d+ ", l)]
assert cases, "no case"
for c in cases:
    assert not c.startswith("not ok"), c
    m = re.match(r"ok \d+ # SKIP (\w+) pmu=(\w+): (.*)", c)
    if not m:
        assert re.match(r"ok \d+ \w+ pmu=\w+: [0-9.]+ TSC ticks per exit, median of \d+ runs", c), c
        continue
    test, pmu, why = m.groups()
    if pmu == "off" and not pmu_cap:
        assert why.startswith("KVM has no KVM_CAP_PMU_CAPABILITY"), c
    elif not hwvirt:
        assert why.startswith("the guest did not come back from %s within" % test), c
    else:
        raise AssertionError("a skip this host does not explain: " + c)
EOF
}
if [ $kvm = yes ]; then
	ktap_check "6.1: exit_cost runs here, every case run or skipped with this host's reason" eval \
		'"$prog_6_1" -t cpuid,io,rdmsr -T 14 -r 2 >"$SCRATCH/61.ktap" &&
		 grep -q "^1\.\.6$" "$SCRATCH/61.ktap" && skips_explained "$SCRATCH/61.ktap"'
else
	ktap_check "6.1: without /dev/kvm, exit_cost skips every case with the fix" eval \
		'"$prog_6_1" -t cpuid,io,rdmsr -T 14 -r 2 >"$SCRATCH/61.ktap";
		 [ "$(grep -c "^ok [0-9] # SKIP .*: /dev/kvm: No such file or directory; load KVM" "$SCRATCH/61.ktap")" = 6 ]'
fi

# make measure, as the Makefile runs it, saved for the comparison.
mout=$SCRATCH/r/measure
"$driver" -n 3 -T 20 -j 2 -s "$SCRATCH/first.json" -o "$mout" "$k12" "$CACHE" \
	>"$SCRATCH/m1.out" 2>"$SCRATCH/m1.err"
rc=$?
if [ $kvm = yes ]; then
	ktap_check "make measure: exit 0, KTAP of 8 cases, each run or skipped with this host's reason" eval \
		'[ $rc = 0 ] && grep -q "^1\.\.8$" "$mout/measure.ktap" && skips_explained "$mout/measure.ktap" &&
		 grep -q "^ok 1 cpuid pmu=default: " "$SCRATCH/m1.out"'
	ktap_check "measure.json: the documented keys, each case as the KTAP gives it, SAVE= the same file" python3 - \
		"$mout/measure.json" "$mout/measure.ktap" "$SCRATCH/first.json" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["format", "tool", "host", "figures", "selftest", "clock", "tests"], list(d)
assert d["selftest"]["tree"] == "linux-6.12.117" and d["selftest"]["target_ticks"] == 1 << 20
ktap = [l for l in open(sys.argv[2]).read().splitlines() if re.match(r"ok \d+ ", l)]
assert len(ktap) == len(d["tests"]) == 8
for t, line in zip(d["tests"], ktap):
    assert " %s pmu=%s: " % (t["test"], t["pmu"]) in line, (t, line)
    if t["status"] == "ok":
        assert len(t["ticks"]) == 3 and all(x > 0 for x in t["ticks"]), t
        assert "%.1f TSC ticks per exit" % t["median"] in line, (t, line)
    else:
        assert t["status"] == "skip" and line.endswith(t["reason"]), (t, line)
assert open(sys.argv[1]).read() == open(sys.argv[3]).read()
EOF
	if [ $hwvirt = no ]; then
		ktap_check "no vmx or svm here: the KTAP, the table and measure.json say these are not exit costs" eval \
			'grep -q "^# this host has no vmx or svm flag in /proc/cpuinfo: /dev/kvm emulates the guest, so the figures below are not exit costs" "$mout/measure.ktap" &&
			 grep -q "(no hardware virtualisation: not an exit cost)$" "$mout/measure.ktap" &&
			 grep -q "^  NOT EXIT COSTS: " "$mout/measure.txt" && grep -q "^  NOT EXIT COSTS: " "$SCRATCH/m1.out" &&
			 grep -q "\"figures\": \"not exit costs: " "$mout/measure.json"'
	else
		ktap_check "vmx or svm here: the figures are exit costs, with no such label" eval \
			'grep -q "\"figures\": \"exit costs\"" "$mout/measure.json" && ! grep -q "NOT EXIT" "$mout/measure.txt"'
	fi

	# A second run against the first: BASELINE= on two real runs.
	echo "# a profile of make calibrate's" >"$mout/host.profile"
	"$driver" -t cpuid,io -n 3 -T 20 -j 2 -b "$SCRATCH/first.json" -o "$mout" "$k12" "$CACHE" \
		>"$SCRATCH/m2.out" 2>"$SCRATCH/m2.err"
	rc=$?
	ktap_check "BASELINE= on two real runs: a verdict for each case both ran, host.profile kept" python3 - \
		"$SCRATCH/m2.out" "$rc" "$mout/host.profile" <<'EOF'
import re, sys
out, rc = open(sys.argv[1]).read(), int(sys.argv[2])
assert rc == 0, rc
cmp = out[out.index("first.json, then "):]
assert "  kernel: " in cmp and "  mitigations: the same vulnerabilities files, both" in cmp, cmp
rows = [l for l in cmp.splitlines() if re.match(r"(cpuid|io) +(default|off) ", l)]
assert len(rows) == 4, rows
for r in rows:
    assert re.search(r"(no difference proven|difference \(p [<0-9. ]+\)|skipped before and after)$", r), r
assert any(re.search(r"\d +[-+]\d+ ± \d+ +[-+]\d+\.\d%  ", r) for r in rows), rows
assert open(sys.argv[3]).read() == "# a profile of make calibrate's\n"
EOF
else
	ktap_check "make measure without /dev/kvm: every case skips, one line with the fix, exit 1" eval \
		'[ $rc = 1 ] && [ "$(grep -c "^ok [0-9] # SKIP .*: /dev/kvm: no such device" "$SCRATCH/m1.out")" = 8 ] &&
		 [ "$(grep -v "^  [A-Z]\+ \+" "$SCRATCH/m1.err")" = "measure: /dev/kvm: no such device; load KVM (modprobe kvm_intel or modprobe kvm_amd), on a host with VT-x or AMD-V enabled" ] &&
		 [ ! -e "$mout" ]'
	for t in "measure.json as the KTAP gives it" "the figures labelled" "BASELINE= on two real runs"; do
		ktap_test_skip "$t: $nokvm"
	done
	# The audit's checks below take a made-up file instead.
	fake_measure "$SCRATCH/first.json" intel 6 0x6a 6.12.0 cpuid:default:1000,1010,1020 io:default:2000,2010
fi

# MEASURED= in make audit, and its absence without.
name=linux-6.12.117
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$SCRATCH/a0" CPU=zen2,icelake-sp >/dev/null 2>&1
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$SCRATCH/a1" CPU=zen2,icelake-sp \
	MEASURED="$SCRATCH/first.json" >/dev/null 2>"$SCRATCH/a1.err"
ktap_check "make audit MEASURED=: audit.md and audit.html show this host's figures beside the model's" python3 - \
	"$SCRATCH/a1/$name" "$SCRATCH/first.json" <<'EOF'
import html.parser, json, re, sys
d, m = sys.argv[1], json.load(open(sys.argv[2]))
md = open(d + "/audit.md").read()
sec = md[md.index("\n## Measured exit costs\n"):md.index("\n## Top sites per profile\n")]
assert "Measured on host %s (%s, Linux %s)" % (m["host"]["name"], m["host"]["cpu"]["model_name"],
                                               m["host"]["kernel"]) in sec, sec[:300]
if m["figures"] != "exit costs":
    assert "which has no hardware virtualisation: not exit costs" in sec
assert "The profile that matches the host's CPU" in sec
ran = [t for t in m["tests"] if t["status"] == "ok"]
rows = [l for l in sec.splitlines() if l.startswith("| ") and not l.startswith("| test")]
assert len(rows) == 2 * len(ran), (len(rows), len(ran))
for t in ran:
    for prof, reason in (("zen2", t["exit_reason"].replace("EXIT_REASON_", "SVM_EXIT_")), ("icelake-sp", None)):
        row = [r for r in rows if r.startswith("| %s | %s | %.1f |" % (t["test"], t["pmu"], t["median"]))
               and "| %s" % prof in r]
        assert len(row) == 1, (t["test"], prof, rows)
        if t["test"] == "cpuid":
            assert "| 2100 |" in row[0] if prof == "zen2" else "| 4300 |" in row[0], row
class P(html.parser.HTMLParser):
    rows, cur, intable = [], None, False
    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "measured-costs") in attrs: self.intable = True
        elif tag == "tr" and self.intable: self.cur = []; self.rows.append(self.cur)
        elif tag == "td" and self.intable: self.cur.append("")
    def handle_endtag(self, tag):
        if tag == "table": self.intable = False
    def handle_data(self, data):
        if self.intable and self.cur is not None and self.cur: self.cur[-1] += data
p = P(); p.feed(open(d + "/audit.html").read())
cells = [r for r in p.rows if r]
assert len(cells) == len(rows), (len(cells), len(rows))
for r, c in zip(rows, cells):
    assert [x.strip() for x in r.strip("|").split("|")] == [x.strip() for x in c], (r, c)
EOF
ktap_check "make audit without MEASURED=: no measured section, otherwise the same audit" eval \
	'! grep -q "Measured exit costs" "$SCRATCH/a0/$name/audit.md" "$SCRATCH/a0/$name/audit.html" &&
	 diff <(sed "/^## Measured exit costs$/,/^## Top sites per profile$/d" "$SCRATCH/a1/$name/audit.md") \
	      <(sed "/^## Top sites per profile$/d" "$SCRATCH/a0/$name/audit.md") >/dev/null &&
	 cmp -s "$SCRATCH/a0/$name/audit.json" "$SCRATCH/a1/$name/audit.json"'

# Two made-up files of a Zen 2 host, before and after: the change, and
# zen2 named as the host's profile.
mkdir -p "$SCRATCH/a2"
fake_measure "$SCRATCH/before.json" amd 0x17 0x31 6.12.0 cpuid:off:2100,2102,2098,2101,2099
fake_measure "$SCRATCH/after.json" amd 0x17 0x31 6.12.0+ cpuid:off:2040,2042,2038,2041,2039
"$TOP/analyzer/hotpath" audit --build "$(build_of "$k12")" --profile "$TOP/analyzer/profiles/zen2.profile" \
	--profile "$TOP/analyzer/profiles/icelake-sp.profile" --measured "$SCRATCH/before.json,$SCRATCH/after.json" \
	--output-dir "$SCRATCH/a2" "$SCRATCH/a1/$name/callgraph.json" 2>"$SCRATCH/a2.err"
ktap_check "MEASURED=before,after: the change and its verdict beside the guard's estimate, zen2 the host's" eval \
	'grep -q "^The profile that matches the host.s CPU (amd, family 0x17 model 0x31): zen2\.$" "$SCRATCH/a2/audit.md" &&
	 grep -Eq "^\| cpuid \| off \| 2100\.0 \| 2040\.0 \| -60\.0 ± [0-9.]+ \| difference \| zen2 \(the host.s CPU\) \| SVM_EXIT_CPUID \| 2100 \| [0-9.]+ \| 54\.0 \|$" "$SCRATCH/a2/audit.md" &&
	 grep -Eq "^\| cpuid \| off \| 2100\.0 \| 2040\.0 \| -60\.0 ± [0-9.]+ \| difference \| icelake-sp \| EXIT_REASON_CPUID \| 4300 \| [0-9.]+ \| 23\.9 \|$" "$SCRATCH/a2/audit.md"'

# Without permission to open /dev/kvm (as nobody): every case skips with
# the fix, and make measure's driver says so in one line.
if [ $kvm = yes ]; then
	why="/dev/kvm: Permission denied; add the user to /dev/kvm.s group"
	line="measure: /dev/kvm: permission denied; add yourself to its group"
else
	why="/dev/kvm: No such file or directory; load KVM"
	line="measure: /dev/kvm: no such device; load KVM"
fi
cp "$prog_6_12" "$SCRATCH/exit_cost"
setpriv --reuid=65534 --regid=65534 --clear-groups "$SCRATCH/exit_cost" -t cpuid,io >"$SCRATCH/nobody.ktap" 2>&1
ktap_check "no permission for /dev/kvm: every case skips with the fix, and the driver says it in one line" eval \
	'[ "$(grep -c "^ok [0-9] # SKIP .* pmu=.*: $why" "$SCRATCH/nobody.ktap")" = 4 ] &&
	 mkdir -p "$SCRATCH/top/tests/kvm" "$SCRATCH/top/analyzer" &&
	 cp "$driver" "$SCRATCH/top/tests/kvm/" && cp "$TOP/analyzer/hotpath" "$SCRATCH/top/analyzer/" &&
	 ktap_fails_with "$line" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$SCRATCH/top/tests/kvm/measure" \
		-o "$SCRATCH/nobody" "$k12" "$SCRATCH/nocache"'

ktap_finished
