#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotpath calibrate on this machine: the profile has every key once and in
# order, numbers that are finite and not negative, and a defaults line that
# follows the vulnerabilities files.  Times are never compared with a
# number, only with each other where a sequence mispredicts by construction
# and the other does not.  Bad options get one line and exit 2.

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

# What the defaults line should say for cfi, and whether SRSO's safe RET
# would be the alias variant (AMD family 0x19, Zen 3/4).
cfi=kcfi
grep -qw ibt <(grep -m1 '^flags' /proc/cpuinfo) && cfi=fineibt
safe_ret=srso_safe_ret
grep -q AuthenticAMD /proc/cpuinfo && grep -qx 'cpu family[[:space:]]*: 25' /proc/cpuinfo &&
	safe_ret=srso_alias

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

# defaults_from DIR: the defaults line's values with a copy of DIR.
defaults_from()
{
	"$hp" calibrate --runs 3 --vulnerabilities "$1" | grep '^defaults' | cut -f2
}

ktap_print_header
ktap_set_plan 14

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
ktap_check "name native, vendor intel, amd or other, cpu named" python3 -c '
import sys
d = dict(l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines())
assert d["name"] == "native", d["name"]
assert d["vendor"] in ("intel", "amd", "other"), d["vendor"]
assert d["cpu"].strip(), d["cpu"]
' "$SCRATCH/data"
ktap_check "every number has one decimal, finite, not negative; each says what it is" python3 -c '
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
' "$SCRATCH/profile"
ktap_check "ipc and guard are 1.0, not measured" eval \
	'grep -qx "ipc		1.0	# not measured: model assumption, see README" "$SCRATCH/profile" &&
	 grep -qx "guard		1.0	# not measured: model assumption, see README" "$SCRATCH/profile"'
ktap_check "a retpoline (its ret mispredicts by construction) costs more than a direct call" \
	python3 -c '
import sys
d = dict(l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines())
assert float(d["retpoline"]) > float(d["call"]), (d["retpoline"], d["call"])
' "$SCRATCH/data"
ktap_check "a safe-RET return (mispredicted by construction) costs more than a return thunk" \
	python3 -c '
import sys
d = dict(l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines())
assert float(d["srso_safe_ret"]) > float(d["return_thunk"]), (d["srso_safe_ret"], d["return_thunk"])
' "$SCRATCH/data"
ktap_check "the defaults line: the running kernel's X.Y and valid choices, the files quoted" python3 -c '
import re, sys
lines = open(sys.argv[1]).read().splitlines()
d = [l for l in lines if l.startswith("defaults ")]
assert len(d) == 1, d
m = re.fullmatch(r"defaults (\S+)\tindirect=(plain|retpoline|retpoline_lfence|its) "
		 r"return=(plain|thunk|srso_safe_ret|srso_alias|call_depth) cfi=(kcfi|fineibt)\t# .+", d[0])
assert m, d[0]
assert m.group(1) == ".".join(sys.argv[2].split(".")[:2]), (m.group(1), sys.argv[2])
assert m.group(4) == sys.argv[3], (m.group(4), sys.argv[3])
if "could not read" not in d[0]:
	for f in ("spectre_v2", "retbleed", "spec_rstack_overflow", "indirect_target_selection"):
		assert any(l.startswith("#   " + f + ": ") for l in lines), f
' "$SCRATCH/profile" "$(uname -r)" "$cfi"

ktap_check "defaults: Retpolines; an untrained return thunk, SRSO's safe RET over it" eval \
	'test "$(defaults_from "$(vulns a "Mitigation: Retpolines; STIBP: disabled; BHI: Retpoline" \
	 "Mitigation: untrained return thunk; SMT enabled with STIBP protection" \
	 "Mitigation: IBPB" "Not affected")")" = "indirect=retpoline return=thunk cfi=$cfi" &&
	 test "$(defaults_from "$(vulns e "Mitigation: Retpolines" \
	 "Mitigation: untrained return thunk; SMT enabled with STIBP protection" \
	 "Mitigation: Safe RET" "Not affected")")" = "indirect=retpoline return=$safe_ret cfi=$cfi"'
ktap_check "defaults: eIBRS with ITS aligned thunks, no ITS file" eval \
	'test "$(defaults_from "$(vulns b "Mitigation: Enhanced / Automatic IBRS; BHI: BHI_DIS_S" \
	 "Mitigation: Enhanced IBRS" "Not affected" "Mitigation: Aligned branch/return thunks")")" = \
	 "indirect=its return=thunk cfi=$cfi" &&
	 test "$(defaults_from "$(vulns c "Mitigation: Enhanced / Automatic IBRS" \
	 "Mitigation: Enhanced IBRS" - -)")" = "indirect=plain return=plain cfi=$cfi"'
ktap_check "defaults: LFENCE, call depth stuffing" test \
	"$(defaults_from "$(vulns d 'Mitigation: Enhanced / Automatic IBRS + LFENCE' \
	   'Mitigation: Stuffing' 'Not affected' 'Mitigation: Retpolines, Stuffing RSB')")" = \
	"indirect=retpoline_lfence return=call_depth cfi=$cfi"
ktap_check "defaults: an unreadable folder is plain, and says so" eval \
	'"$hp" calibrate --runs 3 --vulnerabilities "$SCRATCH/none" | grep -q \
	 "^defaults [0-9.]*	indirect=plain return=plain cfi=kcfi	# could not read $SCRATCH/none/spectre_v2"'

ktap_check "bad input: an unknown option, too few runs, an operand (exit 2, one line each)" eval \
	'exits_2 "unknown option --frobnicate" "$hp" calibrate --frobnicate &&
	 exits_2 "--runs 2: give 3 or more runs" "$hp" calibrate --runs 2 &&
	 exits_2 "unexpected argument" "$hp" calibrate now'

ktap_finished
