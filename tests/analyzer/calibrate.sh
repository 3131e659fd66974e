#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotpath calibrate on this machine: the profile has every key once and in
# order, one-decimal numbers each saying what it is, the TSC-to-core ratio
# the add chain gives, and a defaults line that follows the vulnerabilities
# files.  Vendor, SRSO alias and CFI are driven by cpuinfo files of ours
# (--cpuinfo), so every branch runs on any host.  Times are never compared
# with a number, only with each other where a sequence mispredicts or
# serializes by construction and the other does not.  Bad options get one
# line and exit 2; the path of other architectures, built on this one with
# CAL_NOT_X86, says so and exits 1.

. "$(dirname "$0")/../lib.sh"

ktap_require python3 python3
ktap_scratch
hp=$TOP/analyzer/hotpath
if [ ! -x "$hp" ]; then
	ktap_print_header
	ktap_exit_fail_msg "$hp not built: run 'make -C analyzer' (make check does)"
fi

# exits_2 WANT CMD...: CMD is refused as bad usage: exit 2, one line saying WANT.
exits_2()
{
	local rc

	ktap_fails_with "$@" || return 1
	shift
	"$@" >/dev/null 2>&1
	rc=$?
	[ $rc = 2 ] || { echo "exit $rc, expected 2"; return 1; }
}

if [ "$(uname -m)" != x86_64 ]; then
	ktap_print_header
	ktap_set_plan 1
	ktap_check "elsewhere than x86-64 it says so and exits 1" eval \
		'ktap_fails_with "calibrate: x86-64 only" "$hp" calibrate &&
		 { "$hp" calibrate 2>/dev/null; test $? = 1; }'
	ktap_finished
fi

# cpuinfo NAME VENDOR_ID FAMILY FLAGS...: a /proc/cpuinfo of ours.
cpuinfo()
{
	local f=$SCRATCH/$1.cpuinfo
	shift
	printf 'processor\t: 0\nvendor_id\t: %s\ncpu family\t: %s\nmodel\t\t: 1\n' "$1" "$2" >"$f"
	printf 'model name\t: Test CPU %s %s\nflags\t\t: fpu %s\n\n' "$1" "$2" "${*:3}" >>"$f"
	echo "$f"
}

# vulns NAME SPECTRE_V2 RETBLEED SRSO ITS: a vulnerabilities folder; "-"
# leaves a file out, as on kernels that predate it.
vulns()
{
	local d=$SCRATCH/$1 f v
	shift
	mkdir -p "$d"
	for f in spectre_v2 retbleed spec_rstack_overflow indirect_target_selection; do
		v=$1
		shift
		[ "$v" = - ] || printf '%s\n' "$v" >"$d/$f"
	done
	echo "$d"
}

# defaults_from DIR [CPUINFO]: the defaults line's values with a copy of
# DIR, as the CPU CPUINFO describes (default: an AMD Zen 2 without IBT).
defaults_from()
{
	"$hp" calibrate --runs 3 --vulnerabilities "$1" --cpuinfo "${2:-$zen2}" |
		grep '^defaults' | cut -f2
}
zen2=$(cpuinfo zen2 AuthenticAMD 23 svm)
zen4=$(cpuinfo zen4 AuthenticAMD 25 svm)
hygon=$(cpuinfo hygon HygonGenuine 24 svm)
spr=$(cpuinfo spr GenuineIntel 6 vmx ibt)
icx=$(cpuinfo icx GenuineIntel 6 vmx)
zhaoxin=$(cpuinfo zhaoxin "Shanghai  " 7 vmx)
other=$(cpuinfo other GenuineIOtel 6 vmx)

ktap_print_header
ktap_set_plan 22

"$hp" calibrate --runs 5 >"$SCRATCH/profile" 2>"$SCRATCH/err"
rc=$?
ktap_check "calibrate --runs 5 exits 0, quiet on a stderr that is not a terminal" eval \
	'{ test $rc = 0 && test ! -s "$SCRATCH/err"; } || { cat "$SCRATCH/err"; false; }'
ktap_check "the header: SPDX line, machine, method, runs" python3 -c '
import re, sys
head = open(sys.argv[1]).read().splitlines()[:3]
assert head[0] == "# SPDX-License-Identifier: GPL-2.0", head
assert re.fullmatch(r"# Measured by hotpath calibrate on .+, " + re.escape(sys.argv[2]) + r"\.", head[1]), head
assert re.fullmatch(r"# Cycles from rdtsc x \d+\.\d{3} core cycles per TSC tick \(dependent-add chain\); "
		    r"median of 5 runs of \d+\.", head[2]), head
' "$SCRATCH/profile" "$(uname -r)"

# The profile's data lines, "key value" with any comment dropped.
sed -n '/^#/d; s/\t*#.*//; s/\t\+/ /; p' "$SCRATCH/profile" >"$SCRATCH/data"
ktap_check "every key once, in order" diff - <(cut -d' ' -f1 "$SCRATCH/data") <<EOF
name
cpu
vendor
models
call
indirect
retpoline
retpoline_lfence
its
return_thunk
srso_safe_ret
srso_alias
call_depth
kcfi
fineibt
ipc
guard
cpuid_exit
defaults
EOF
ktap_check "models: this CPU's family and model, as /proc/cpuinfo gives them" python3 -c '
import sys
d = dict(l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines())
info = dict((k.strip(), v.strip()) for k, _, v in (l.partition(":") for l in open("/proc/cpuinfo").read().split("\n\n")[0].splitlines()))
fam, model = (int(x, 0) for x in d["models"].split())
assert (fam, model) == (int(info["cpu family"]), int(info["model"])), (d["models"], info["cpu family"], info["model"])
' "$SCRATCH/data"
ktap_check "name native, cpu named by this machine's model name" python3 -c '
import sys
d = dict(l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines())
assert d["name"] == "native", d["name"]
model = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")]
assert d["cpu"] == (model[0] if model else "unknown"), (d["cpu"], model[:1])
' "$SCRATCH/data"
# vendor_of CPUINFO: the vendor line calibrate prints for that CPU.
vendor_of()
{
	"$hp" calibrate --runs 3 --cpuinfo "$1" | sed -n 's/^vendor\t*//p'
}
ktap_check "vendor by the KVM module: AMD and Hygon amd (SVM), Intel and Zhaoxin intel (VMX)" eval \
	'test "$(vendor_of "$zen2") $(vendor_of "$hygon") $(vendor_of "$spr") $(vendor_of "$zhaoxin")" = \
	 "amd amd intel intel"'
ktap_check "vendor neither: one line naming it, exit 1, no profile" eval \
	'ktap_fails_with "CPU vendor '"'GenuineIOtel'"' is run by neither kvm-amd nor kvm-intel" \
		"$hp" calibrate --runs 3 --cpuinfo "$other" &&
	 test -z "$("$hp" calibrate --runs 3 --cpuinfo "$other" 2>/dev/null)"'
ktap_check "--cpuinfo: the CPU named by the file, in the header and the cpu line" eval \
	'"$hp" calibrate --runs 3 --cpuinfo "$zen4" >"$SCRATCH/zen4.profile" &&
	 grep -q "^# Measured by hotpath calibrate on Test CPU AuthenticAMD 25, " "$SCRATCH/zen4.profile" &&
	 grep -qx "cpu		Test CPU AuthenticAMD 25" "$SCRATCH/zen4.profile"'
ktap_check "bad input: --cpuinfo unreadable, or not a cpuinfo (exit 1, one line each)" eval \
	'ktap_fails_with "--cpuinfo $SCRATCH/nope: cannot read it" "$hp" calibrate --cpuinfo "$SCRATCH/nope" &&
	 echo "hello" >"$SCRATCH/hello" &&
	 ktap_fails_with "--cpuinfo $SCRATCH/hello: no vendor_id or flags line" \
		"$hp" calibrate --cpuinfo "$SCRATCH/hello"'

ktap_check "every number has one decimal; each says what it is, 0.0 only below noise" python3 -c '
import math, re, sys
keys = "call indirect retpoline retpoline_lfence its return_thunk srso_safe_ret srso_alias \
call_depth kcfi fineibt ipc guard cpuid_exit".split()
for l in open(sys.argv[1]).read().splitlines():
	f = l.split("\t")
	if f[0] not in keys:
		continue
	assert len(f) == 4 - (len(f[0]) >= 8) and f[-1].startswith("# "), l
	v = f[-2]
	assert re.fullmatch(r"\d+\.\d", v) and math.isfinite(float(v)), l
	assert f[-1].startswith("# measured: ") or f[0] in ("ipc", "guard"), l
	assert (v == "0.0") == f[-1].endswith(" (below measurement noise)"), l
' "$SCRATCH/profile"
ktap_check "ipc and guard are 1.0, not measured" eval \
	'grep -qx "ipc		1.0	# not measured: model assumption, see README" "$SCRATCH/profile" &&
	 grep -qx "guard		1.0	# not measured: model assumption, see README" "$SCRATCH/profile"'
# What each measured key means, where construction makes it sure: a
# mispredicted or serializing sequence costs more than the predicted one
# it stands beside; a call, its ret and a cpuid take time.
ktap_check "measured keys by what they are: mispredicted and serializing sequences dearer" \
	python3 -c '
import sys
d = {k: float(v) for k, v in (l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines())
     if k not in ("name", "cpu", "vendor", "models", "defaults")}
for more, less in (("retpoline", "indirect"), ("retpoline", "call"), ("retpoline_lfence", "indirect"),
		   ("srso_safe_ret", "return_thunk"), ("srso_alias", "return_thunk"),
		   ("cpuid_exit", "retpoline")):
	assert d[more] > d[less], (more, d[more], less, d[less])
for k in ("call", "indirect", "its", "cpuid_exit"):
	assert d[k] > 0, (k, d[k])
' "$SCRATCH/data"
ktap_check "cpuid_exit says whether cpuid exits, as /proc/cpuinfo's hypervisor flag does" eval \
	'if grep -qw hypervisor <(grep -m1 "^flags" /proc/cpuinfo); then
		grep -q "^cpuid_exit	.*# measured: cpuid leaf 0 in a guest" "$SCRATCH/profile"
	 else
		grep -q "^cpuid_exit	.*# measured: not a guest" "$SCRATCH/profile"
	 fi'
# The ratio, read again by a chain of ours: 100 dependent adds an iteration
# run at one a core cycle, against the TSC.
cat >"$SCRATCH/ratio.c" <<'RATIO'
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <x86intrin.h>

static double once(long n)
{
	uint64_t t0, t1;
	long i, x = 0;

	t0 = __rdtsc();
	for (i = 0; i < n; i++)
		__asm__ volatile(".rept 100\n\tadd %1, %0\n\t.endr" : "+r"(x) : "r"(1L));
	t1 = __rdtsc();
	return 100.0 * n / (double)(t1 - t0);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	double r[15];
	int i;

	once(500000);
	for (i = 0; i < 15; i++)
		r[i] = once(20000);
	qsort(r, 15, sizeof(*r), cmp);
	printf("%.3f\n", r[7]);
	return 0;
}
RATIO
ktap_check "the TSC-to-core ratio in the header is the one an add chain of ours gives (within 15%)" eval \
	'gcc -O2 -o "$SCRATCH/ratio" "$SCRATCH/ratio.c" && ours=$(taskset -c 0 "$SCRATCH/ratio") &&
	 theirs=$(sed -n "3s/^# Cycles from rdtsc x \([0-9.]*\) core cycles.*/\1/p" "$SCRATCH/profile") &&
	 echo "ours $ours, calibrate $theirs" &&
	 python3 -c "import sys; a, b = map(float, sys.argv[1:]); assert abs(a - b) <= 0.15 * a, (a, b)" \
		"$ours" "$theirs"'
ktap_check "the defaults line: the running kernel's X.Y and valid choices, the files quoted" python3 -c '
import re, sys
lines = open(sys.argv[1]).read().splitlines()
d = [l for l in lines if l.startswith("defaults ")]
assert len(d) == 1, d
m = re.fullmatch(r"defaults (\S+)\tindirect=(plain|retpoline|retpoline_lfence|its) "
		 r"return=(plain|thunk|srso_safe_ret|srso_alias|call_depth) cfi=(kcfi|fineibt)\t# .+", d[0])
assert m, d[0]
assert m.group(1) == ".".join(sys.argv[2].split(".")[:2]), (m.group(1), sys.argv[2])
assert m.group(4) == ("fineibt" if sys.argv[3] else "kcfi"), (m.group(4), sys.argv[3])
if "could not read" not in d[0]:
	for f in ("spectre_v2", "retbleed", "spec_rstack_overflow", "indirect_target_selection"):
		assert any(l.startswith("#   " + f + ": ") for l in lines), f
' "$SCRATCH/profile" "$(uname -r)" "$(grep -m1 "^flags" /proc/cpuinfo | grep -ow ibt)"

ktap_check "defaults: Retpolines; an untrained return thunk, SRSO's safe RET over it" eval \
	'test "$(defaults_from "$(vulns a "Mitigation: Retpolines; STIBP: disabled; BHI: Retpoline" \
	 "Mitigation: untrained return thunk; SMT enabled with STIBP protection" \
	 "Mitigation: IBPB" "Not affected")")" = "indirect=retpoline return=thunk cfi=kcfi"'
vulns e "Mitigation: Retpolines" "Mitigation: untrained return thunk; SMT enabled with STIBP protection" \
	"Mitigation: Safe RET" "Not affected" >/dev/null
ktap_check "defaults: SRSO's safe RET, its alias variant only on AMD family 0x19 (Zen 3/4)" eval \
	'test "$(defaults_from "$SCRATCH/e" "$zen2")" = "indirect=retpoline return=srso_safe_ret cfi=kcfi" &&
	 test "$(defaults_from "$SCRATCH/e" "$zen4")" = "indirect=retpoline return=srso_alias cfi=kcfi" &&
	 test "$(defaults_from "$SCRATCH/e" "$hygon")" = "indirect=retpoline return=srso_safe_ret cfi=kcfi"'
ktap_check "defaults: eIBRS with ITS aligned thunks, no ITS file" eval \
	'test "$(defaults_from "$(vulns b "Mitigation: Enhanced / Automatic IBRS; BHI: BHI_DIS_S" \
	 "Mitigation: Enhanced IBRS" "Not affected" "Mitigation: Aligned branch/return thunks")" \
	 "$icx")" = "indirect=its return=thunk cfi=kcfi" &&
	 test "$(defaults_from "$(vulns c "Mitigation: Enhanced / Automatic IBRS" \
	 "Mitigation: Enhanced IBRS" - -)" "$spr")" = "indirect=plain return=plain cfi=fineibt"'
ktap_check "defaults: LFENCE, call depth stuffing; cfi=fineibt with the ibt flag" test \
	"$(defaults_from "$(vulns d 'Mitigation: Enhanced / Automatic IBRS + LFENCE' \
	   'Mitigation: Stuffing' 'Not affected' 'Mitigation: Retpolines, Stuffing RSB')" "$spr")" = \
	"indirect=retpoline_lfence return=call_depth cfi=fineibt"
ktap_check "defaults: an unreadable folder is plain, and says so" eval \
	'"$hp" calibrate --runs 3 --vulnerabilities "$SCRATCH/none" | grep -q \
	 "^defaults [0-9.]*	indirect=plain return=plain cfi=kcfi	# could not read $SCRATCH/none/spectre_v2"'

ktap_check "bad input: an unknown option, too few runs, an operand (exit 2, one line each)" eval \
	'exits_2 "unknown option --frobnicate" "$hp" calibrate --frobnicate &&
	 exits_2 "--runs 2: give 3 or more runs" "$hp" calibrate --runs 2 &&
	 exits_2 "unexpected argument" "$hp" calibrate now'

# The path of other architectures, built here with CAL_NOT_X86.
mkdir "$SCRATCH/other" && cp "$TOP"/analyzer/*.[chS] "$TOP/analyzer/Makefile" "$SCRATCH/other/"
ktap_check "off x86-64 (CAL_NOT_X86): one line saying so, exit 1" eval \
	'make -s -C "$SCRATCH/other" CFLAGS=-DCAL_NOT_X86 >/dev/null &&
	 ktap_fails_with "calibrate: x86-64 only" "$SCRATCH/other/hotpath" calibrate &&
	 { "$SCRATCH/other/hotpath" calibrate 2>/dev/null; test $? = 1; }'

ktap_finished
