#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotpath measure on figures and files the test writes: measure.json's
# documented keys and the host facts in it, the table and its "not exit
# costs" label, the comparison's statistics against a Welch t-test computed
# here by numerical integration (a known shift found, identical inputs and a
# single run "no difference proven"), a cross-CPU comparison refused, what
# differs between two hosts said, valgrind-clean runs, and one line and a
# non-zero exit for each bad input, of hotpath measure and of make measure's
# driver (which answers them before it builds anything).

. "$(dirname "$0")/../lib.sh"

ktap_print_header
hp=$TOP/analyzer/hotpath
driver=$TOP/tests/kvm/measure
[ -x "$hp" ] || { ktap_skip_all "analyzer/hotpath not built: run make analyzer"; exit "$KSFT_SKIP"; }
ktap_scratch
ktap_set_plan 16

# What exit_cost -o writes, with and without hardware virtualisation.
raw()
{
	cat <<EOF
exit_cost 1
vendor amd
hwvirt $1
target_ticks 1073741824
case cpuid default ok 1048576 1.2500 1000.000 1010.000 1020.000 1030.000 1040.000
case cpuid off skip KVM has no KVM_CAP_PMU_CAPABILITY (kvm.enable_pmu=N or an older KVM)
case io default ok 65536 - 3000.500 2990.000 3010.000
case io off fail the guest did not come back from io within 10 s
tsc_khz 2600000
cycles the perf cycle counter on the vCPU thread (host and guest mode) per host TSC tick
EOF
}
raw no >"$SCRATCH/raw.no"
raw yes >"$SCRATCH/raw.yes"

"$hp" measure --tree linux-test --output "$SCRATCH/no.json" "$SCRATCH/raw.no" >"$SCRATCH/no.txt" 2>"$SCRATCH/no.err"
ktap_check "measure --output: exit 0, quiet, the table on stdout" eval \
	'[ $? = 0 ] && [ ! -s "$SCRATCH/no.err" ] && grep -q "^cpuid   default        1020.0" "$SCRATCH/no.txt"'

ktap_check "measure.json: the documented keys in order, the figures from the runs" python3 - "$SCRATCH/no.json" <<'EOF'
import json, os, statistics, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["format", "tool", "host", "figures", "selftest", "clock", "tests"], list(d)
assert d["format"] == "kvm-hotpath measure 1"
assert list(d["host"]) == ["name", "kernel", "kernel_build", "cmdline", "cpu", "vulnerabilities",
                           "kvm_parameters"], list(d["host"])
assert list(d["host"]["cpu"]) == ["vendor", "vendor_id", "family", "model", "stepping", "model_name",
                                  "microcode", "hardware_virtualization", "hypervisor"]
assert d["host"]["cpu"]["vendor"] == "amd" and d["host"]["cpu"]["hardware_virtualization"] is None
assert d["selftest"] == {"program": "tests/kvm/exit_cost", "tree": "linux-test",
                         "target_ticks": 1 << 30}, d["selftest"]
assert d["clock"]["tsc_khz"] == 2600000 and d["clock"]["tsc_source"] == "KVM_GET_TSC_KHZ"
assert d["clock"]["cycles_known"] is True
t = d["tests"]
assert [(x["test"], x["pmu"], x["status"]) for x in t] == [
    ("cpuid", "default", "ok"), ("cpuid", "off", "skip"), ("io", "default", "ok"), ("io", "off", "fail")]
assert t[0]["exit_reason"] == "SVM_EXIT_CPUID" and t[2]["exit_reason"] == "SVM_EXIT_IOIO"
assert t[0]["ticks"] == [1000, 1010, 1020, 1030, 1040] and t[0]["median"] == 1020
assert t[0]["iterations"] == 1048576 and t[0]["cycles_per_tick"] == 1.25 and t[0]["cycles"] == 1275
assert t[2]["median"] == 3000.5 and t[2]["cycles"] is None and t[2]["cycles_per_tick"] is None
assert t[1]["reason"].startswith("KVM has no KVM_CAP_PMU_CAPABILITY") and "ticks" not in t[1]
assert t[3]["reason"] == "the guest did not come back from io within 10 s"
EOF

ktap_check "measure.json: this host's kernel, CPU, vulnerabilities and kvm module parameters" python3 - "$SCRATCH/no.json" <<'EOF'
import json, os, sys
d = json.load(open(sys.argv[1]))["host"]
assert d["kernel"] == os.uname().release, d["kernel"]
assert d["cmdline"] == open("/proc/cmdline").read().strip()
info = dict((k.strip(), v.strip()) for k, _, v in
            (l.partition(":") for l in open("/proc/cpuinfo").read().split("\n\n")[0].splitlines()))
assert d["cpu"]["model_name"] == info.get("model name", ""), d["cpu"]
assert d["cpu"]["family"] == int(info["cpu family"]) and d["cpu"]["model"] == int(info["model"])
v = "/sys/devices/system/cpu/vulnerabilities"
want = {f: open(os.path.join(v, f)).readline().strip() for f in os.listdir(v)} if os.path.isdir(v) else {}
assert d["vulnerabilities"] == want, (d["vulnerabilities"], want)
mods = sorted(m for m in os.listdir("/sys/module") if m == "kvm" or m.startswith("kvm_"))
assert list(d["kvm_parameters"]) == mods, (list(d["kvm_parameters"]), mods)
for m in mods:
    p = "/sys/module/%s/parameters" % m
    for k, val in d["kvm_parameters"][m].items():
        assert open(os.path.join(p, k)).readline().strip() == val, (m, k)
EOF

ktap_check "without hardware virtualisation: measure.json and the table say not exit costs" eval \
	'grep -q "\"figures\": \"not exit costs: this host has no hardware virtualisation" "$SCRATCH/no.json" &&
	 grep -q "^  NOT EXIT COSTS: this host has no hardware virtualisation" "$SCRATCH/no.txt" &&
	 "$hp" measure --output "$SCRATCH/yes.json" "$SCRATCH/raw.yes" >"$SCRATCH/yes.txt" &&
	 grep -q "\"figures\": \"exit costs\"" "$SCRATCH/yes.json" && ! grep -q "NOT EXIT" "$SCRATCH/yes.txt"'

ktap_check "the table: skips and failures with their reason, cycles known or not" eval \
	'grep -q "^cpuid   off      skipped: KVM has no KVM_CAP_PMU_CAPABILITY" "$SCRATCH/no.txt" &&
	 grep -q "^io      off      FAILED: the guest did not come back" "$SCRATCH/no.txt" &&
	 grep -Eq "^cpuid +default +1020.0 +1000.0-1040.0 +1275.0  5 x 1048576$" "$SCRATCH/no.txt" &&
	 grep -Eq "^io +default +3000.5 +2990.0-3010.0 +-  3 x 65536$" "$SCRATCH/no.txt" &&
	 "$hp" measure --table "$SCRATCH/no.json" | cmp -s - "$SCRATCH/no.txt"'

# --- the comparison ---
fake_measure "$SCRATCH/a.json" amd 0x17 0x31 6.12.0 \
	cpuid:default:1000,1010,1020,1030,1040 cpuid:off:1000,1010,1020,1030,1040 io:default:500
fake_measure "$SCRATCH/b.json" amd 0x17 0x31 6.12.0-guarded \
	cpuid:default:1002,1011,1019,1033,1041 cpuid:off:900,910,920,930,940 io:default:490
"$hp" measure --compare "$SCRATCH/a.json" "$SCRATCH/b.json" >"$SCRATCH/cmp.txt" 2>&1
fake_measure "$SCRATCH/b2.json" amd 0x17 0x31 6.12.0 cpuid:off:980,990,1000,1010,1020 cpuid:default:960,970,980,990,1000
"$hp" measure --compare "$SCRATCH/a.json" "$SCRATCH/b2.json" >"$SCRATCH/cmp2.txt" 2>&1
ktap_check "compare: a shift of -100 found, with Welch's interval as computed here" python3 - "$SCRATCH/cmp.txt" <<'EOF'
import math, re, statistics, sys
out = open(sys.argv[1]).read()
row = [l for l in out.splitlines() if l.startswith("cpuid  off")][0]
m = re.fullmatch(r"cpuid  off +1020 +920 +-100 ± (\d+) +-9\.8%  difference \(p < 0\.001\)", row)
assert m, row
a = [1000, 1010, 1020, 1030, 1040]; b = [x - 100 for x in a]
se = math.sqrt(statistics.variance(a) / 5 + statistics.variance(b) / 5)
df = (se ** 4) / (2 * (statistics.variance(a) / 5) ** 2 / 4)
pdf = lambda t: math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2)) * \
    (1 + t * t / df) ** (-(df + 1) / 2)
def tail(t, n=20000, hi=2000.0):   # P(T > t), Simpson's rule
    h = (hi - t) / n
    return h / 3 * sum((1 if i in (0, n) else 4 if i % 2 else 2) * pdf(t + i * h) for i in range(n + 1))
p = 2 * tail(100 / se)
lo, hi = 0.0, 50.0
for _ in range(60):                # the t whose two-sided p is 0.05
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if 2 * tail(mid) > 0.05 else (lo, mid)
assert int(m.group(1)) == round(lo * se), (m.group(1), lo * se)
assert p < 0.001, p
EOF
ktap_check "compare: a smaller shift, its p printed as computed here" python3 - "$SCRATCH/cmp2.txt" <<'EOF'
import math, re, statistics, sys
row = [l for l in open(sys.argv[1]).read().splitlines() if l.startswith("cpuid  default")][0]
m = re.fullmatch(r"cpuid  default +1020 +980 +-40 ± \d+ +-3\.9%  difference \(p (0\.\d{3})\)", row)
assert m, row
se = math.sqrt(2 * statistics.variance([1000, 1010, 1020, 1030, 1040]) / 5)
df, t, n, hi = 8.0, 40 / se, 20000, 2000.0
pdf = lambda x: math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2)) * \
    (1 + x * x / df) ** (-(df + 1) / 2)
h = (hi - t) / n
p = 2 * h / 3 * sum((1 if i in (0, n) else 4 if i % 2 else 2) * pdf(t + i * h) for i in range(n + 1))
assert abs(float(m.group(1)) - p) < 0.0015, (m.group(1), p)
EOF
ktap_check "compare: a change inside the noise, and a single run, are no difference proven" eval \
	'grep -Eq "^cpuid  default +1020 +1021 +\+1 ± [0-9]+ +\+0\.1%  no difference proven$" "$SCRATCH/cmp.txt" &&
	 grep -Eq "^io     default +500 +490 +-10 +-2\.0%  no difference proven\*$" "$SCRATCH/cmp.txt" &&
	 grep -q "^\* a single run before or after: no spread" "$SCRATCH/cmp.txt"'
ktap_check "compare: identical files give no difference anywhere" eval \
	'"$hp" measure --compare "$SCRATCH/a.json" "$SCRATCH/a.json" >"$SCRATCH/same.txt" &&
	 [ "$(grep -c "no difference proven" "$SCRATCH/same.txt")" = 3 ] &&
	 ! grep -q "difference (p" "$SCRATCH/same.txt" && grep -q "^  kernel: 6.12.0, both$" "$SCRATCH/same.txt"'
ktap_check "compare: says when the kernels and the mitigations differ" eval \
	'grep -q "^  kernels differ: 6.12.0, then 6.12.0-guarded$" "$SCRATCH/cmp.txt" &&
	 sed "s/Mitigation: Retpolines/Vulnerable/" "$SCRATCH/b.json" >"$SCRATCH/c.json" &&
	 "$hp" measure --compare "$SCRATCH/a.json" "$SCRATCH/c.json" |
	 grep -q "^  mitigations differ: spectre_v2 \"Mitigation: Retpolines\", then \"Vulnerable\"$"'
fake_measure "$SCRATCH/intel.json" intel 6 0x6a 6.12.0 cpuid:default:1000,1010
ktap_check "compare: refused across CPU models, one line and exit 1" \
	ktap_fails_with "were measured on different CPU models (Test CPU 0x17 0x31, family 0x17 model 0x31; Test CPU 6 0x6a, family 0x6 model 0x6a)" \
	"$hp" measure --compare "$SCRATCH/a.json" "$SCRATCH/intel.json"
ktap_check "compare: below its first line (the two paths) the table fits 72 columns" python3 -c '
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()[1:]
assert lines and all(len(l) <= 72 for l in lines), [l for l in lines if len(l) > 72]
' "$SCRATCH/cmp.txt"

# --- bad input ---
printf 'exit_cost 1\nvendor amd\ncase cpuid default ok 12 - x\n' >"$SCRATCH/raw.bad"
ktap_check "bad input to hotpath measure: a malformed figures file, a file that is no measure.json" eval \
	'ktap_fails_with "$SCRATCH/raw.bad:3: not a line exit_cost writes" \
		"$hp" measure --output "$SCRATCH/bad.json" "$SCRATCH/raw.bad" && [ ! -e "$SCRATCH/bad.json" ] &&
	 ktap_fails_with "not valid JSON" "$hp" measure --check "$TOP/README.md" &&
	 echo "{\"format\": \"kvm-hotpath measure 1\"}" >"$SCRATCH/empty.json" &&
	 ktap_fails_with "not a measure.json (host, cpu, figures or tests missing); make measure SAVE=FILE writes one" \
		"$hp" measure --check "$SCRATCH/empty.json"'
ktap_check "bad input to make measure: BASELINE not a measure.json, unknown TESTS, RUNS=0, AFTER alone" eval \
	'ktap_fails_with "measure: BASELINE=$SCRATCH/empty.json: not a measure.json" \
		"$driver" -b "$SCRATCH/empty.json" /nonexistent "$SCRATCH/cache" &&
	 ktap_fails_with "measure: TESTS=cpuid,hlt: no test '"'"'hlt'"'"'; the tests are cpuid, vmcall, rdmsr, io" \
		"$driver" -t cpuid,hlt /nonexistent "$SCRATCH/cache" &&
	 ktap_fails_with "measure: RUNS=0: give the number of timed runs, 1 to 1000" \
		"$driver" -n 0 /nonexistent "$SCRATCH/cache" &&
	 ktap_fails_with "measure: AFTER=$SCRATCH/b.json needs BASELINE=" \
		"$driver" -a "$SCRATCH/b.json" /nonexistent "$SCRATCH/cache" &&
	 [ ! -e "$SCRATCH/cache" ]'
ktap_check "make measure BASELINE= AFTER= compares two files without measuring" eval \
	'"$driver" -b "$SCRATCH/a.json" -a "$SCRATCH/b.json" /nonexistent "$SCRATCH/cache" >"$SCRATCH/drv.txt" &&
	 grep -v "^kvm-hotpath" "$SCRATCH/drv.txt" | cmp -s - <(grep -v "^kvm-hotpath" "$SCRATCH/cmp.txt") &&
	 ktap_fails_with "measure: $SCRATCH/a.json and $SCRATCH/intel.json were measured on different CPU models" \
		"$driver" -b "$SCRATCH/a.json" -a "$SCRATCH/intel.json" /nonexistent "$SCRATCH/cache"'

if command -v valgrind >/dev/null; then
	ktap_check "valgrind: measure --output, --table and --compare without an error or a leak" eval \
		'for args in "--output $SCRATCH/vg.json $SCRATCH/raw.no" "--table $SCRATCH/no.json" \
			     "--compare $SCRATCH/a.json $SCRATCH/b.json" "--compare $SCRATCH/a.json $SCRATCH/intel.json"; do
			valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
				"$hp" measure $args >/dev/null 2>"$SCRATCH/vg.err"
			[ $? != 99 ] && ! grep -q "==[0-9]*==" "$SCRATCH/vg.err" || { cat "$SCRATCH/vg.err"; exit 1; }
		done'
else
	ktap_test_skip "valgrind not found: apt-get install -y valgrind"
fi

ktap_finished
