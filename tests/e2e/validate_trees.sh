#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make validate on Debian's linux-source-6.1 and linux-source-6.12: the
# retpolines and __SCT__ calls objdump finds in the built KVM objects are
# exactly objtool's tables, the analyzer's indirect sites match them with
# precision and recall of at least 0.95, and the functions the issue names
# hold exactly the emitted sites it names.
#
# Usage: validate_trees.sh [VERSION...]   (default: 6.1 6.12)

. "$(dirname "$0")/../lib.sh"

ktap_require python3 python3
ktap_require objdump binutils
ktap_scratch

versions=("${@:-6.1}")
[ $# -gt 0 ] || versions=(6.1 6.12)
funcs="vmx_handle_exit svm_invoke_exit_handler kvm_skip_emulated_instruction x86_emulate_instruction"

# check OUTPUT PYTHON: assertions on make validate's output.  summary maps
# "indirect"/"static_call" to (precision, recall); sites[f] lists function
# f's emitted sites as (kind, insn, file:line, the rest of the line).
check()
{
	python3 -c "
import re, sys
text = open(sys.argv[1]).read()
summary, sites, cur = {}, {}, None
for l in text.splitlines():
	m = re.match(r'  (indirect|static_call) +precision ([0-9.]+)', l)
	if m:
		kind, prec = m.group(1), float(m.group(2))
		continue
	m = re.match(r' +recall +([0-9.]+)', l)
	if m:
		summary[kind] = (prec, float(m.group(1)))
		continue
	m = re.match(r'(\w+) \(\S+\.o\):$', l)
	if m:
		cur = sites.setdefault(m.group(1), [])
		continue
	m = re.match(r'  (retpoline|__SCT__|direct) +(call|jmp) +(\S+)  (.*)', l)
	if m and cur is not None:
		cur.append(m.groups())
def of(f, kind):
	return [s for s in sites[f] if s[0] == kind]
$2" "$1"
}

# tables_agree BUILD OUTPUT: the counts validate prints, read again apart
# from it: the emitted calls and jumps as the text relocations to the
# thunks, __SCT__ trampolines and return thunk of every object the .mod
# files list, and objtool's tables as the linked modules' section sizes.
tables_agree()
{
	python3 -c "
import glob, re, subprocess, sys
build, out = sys.argv[1], open(sys.argv[2]).read()
def run(*a):
	return subprocess.run(a, cwd=build, check=True, capture_output=True, text=True).stdout
size = {'.retpoline_sites': 4, '.static_call_sites': 8, '.return_sites': 4}
table = dict.fromkeys(size, 0)
emitted = {'retpoline': 0, 'sct': 0, 'return': 0}
for mod in sorted(glob.glob(build + '/arch/x86/kvm/*.mod')):
	for l in run('readelf', '-SW', mod[:-4] + '.o').splitlines():
		m = re.match(r'\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)', l)
		if m and m.group(1) in size:
			table[m.group(1)] += int(m.group(2), 16) // size[m.group(1)]
	for obj in open(mod).read().split():
		sec = ''
		for l in run('readelf', '-rW', obj).splitlines():
			m = re.match(r\"Relocation section '(\S+)'\", l)
			if m:
				sec = m.group(1)
				continue
			f = l.split()
			if 'text' not in sec or len(f) < 5 or f[2] not in ('R_X86_64_PLT32', 'R_X86_64_PC32'):
				continue
			for kind, prefix in (('retpoline', '__x86_indirect_thunk_'), ('sct', '__SCT__'),
					     ('return', '__x86_return_thunk')):
				emitted[kind] += f[4].startswith(prefix)
want = ('  emitted: %d retpoline calls/jumps, %d __SCT__ calls/jumps, %d return-thunk jumps\\n'
	'  objtool: %d .retpoline_sites, %d .static_call_sites, %d .return_sites (the same)\\n' %
	(emitted['retpoline'], emitted['sct'], emitted['return'], table['.retpoline_sites'],
	 table['.static_call_sites'], table['.return_sites']))
assert want in out, (want, out[:600])
assert list(emitted.values()) == list(table.values()), (emitted, table)
" "$1" "$2"
}

ktap_print_header
ktap_set_plan $((6 * ${#versions[@]} + 1))

for v in "${versions[@]}"; do
	kdir=$CACHE/linux-source-$v
	[ -f "$kdir/Makefile" ] ||
		ktap_exit_fail_msg "$kdir missing: run 'make check', which extracts linux-source-$v"
	vout=$SCRATCH/val.$v
	ktap_print_msg "linux-source-$v: $kdir"
	make -s -C "$TOP" validate KDIR="$kdir" REPORTS="$SCRATCH/$v" FUNCTIONS="$funcs" \
		>"$vout" 2>"$SCRATCH/err.$v"
	rc=$?
	build=$(build_of "$kdir")
	nobj=$(cat "$build"/arch/x86/kvm/*.mod | grep -c .)
	ktap_check "$v: make validate runs: exit 0, the tree, its build and all $nobj KVM objects" eval \
		'[ $rc = 0 ] && grep -q "^validate linux-$v\.[0-9]*: $nobj objects, [0-9]* functions, against $build\$" "$vout" ||
		 { head -n1 "$vout"; cat "$SCRATCH/err.$v"; false; }'
	sed -n "1,7s/^/# /p" "$vout"
	ktap_check "$v: objdump finds exactly objtool's retpoline, static-call and return sites" \
		tables_agree "$build" "$vout"
	ktap_check "$v: indirect sites: precision and recall at least 0.95" check "$vout" '
p, r = summary["indirect"]
assert p >= 0.95 and r >= 0.95, summary'
	ktap_check "$v: vmx_handle_exit: one retpoline, kvm_vmx_exit_handlers[] in the inlined __vmx_handle_exit" \
		check "$vout" '
r = of("vmx_handle_exit", "retpoline")
assert len(r) == 1 and r[0][1] == "call", r
assert re.search(r"analyzer: indirect kvm_vmx_exit_handlers\[.*\] in __vmx_handle_exit$", r[0][3]), r'
	ktap_check "$v: svm_invoke_exit_handler: one retpoline, a tail jump through svm_exit_handlers[]" \
		check "$vout" '
r = of("svm_invoke_exit_handler", "retpoline")
assert len(r) == 1 and r[0][1] == "jmp", r
assert re.search(r"analyzer: indirect svm_exit_handlers\[exit_code\] in svm_invoke_exit_handler$", r[0][3]), r'
	ktap_check "$v: kvm_skip_emulated_instruction: two static calls, a direct call to kvm_pmu_trigger_event" \
		check "$vout" '
s = of("kvm_skip_emulated_instruction", "__SCT__")
assert len(s) == 2, s
assert "kvm_x86_get_rflags" in s[0][3] and "kvm_x86_skip_emulated_instruction" in s[1][3], s
assert not of("kvm_skip_emulated_instruction", "retpoline")
d = of("kvm_skip_emulated_instruction", "direct")
assert [x for x in d if x[1] == "call" and "direct kvm_pmu_trigger_event in" in x[3]], d'
done

# 6.1 only: the emulator's page walk through an inlined helper.
if [[ " ${versions[*]} " == *" 6.1 "* ]]; then
	ktap_check "6.1: x86_emulate_instruction: one retpoline, mmu->gva_to_gpa" check "$SCRATCH/val.6.1" '
r = of("x86_emulate_instruction", "retpoline")
assert len(r) == 1, r
assert re.search(r"analyzer: indirect \S*gva_to_gpa in ", r[0][3]), r'
else
	ktap_test_skip "6.1: x86_emulate_instruction (6.1 not among the trees run)"
fi

ktap_finished
