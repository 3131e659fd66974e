#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotpath callgraph as a user meets it, on a compilation database of our own
# (tests/analyzer/cdb): callgraph.json is valid, documented and the same on
# every run; a header's inline function is one function; a TU that does not
# compile is reported and the run goes on; bad input gets one line.

. "$(dirname "$0")/../lib.sh"

ktap_require python3 python3
ktap_scratch
hp=$TOP/analyzer/hotpath
src=$TESTS/analyzer/cdb
if [ ! -x "$hp" ]; then
	ktap_print_header
	ktap_exit_fail_msg "$hp not built: run 'make -C analyzer' (make check does)"
fi

# compile_commands.json for the given sources, run from a build folder.
cdb_of()
{
	local out=$1 f
	shift
	mkdir -p "$out/build"
	{
		echo "["
		for f in "$@"; do
			printf '{"directory": "%s", "file": "%s", "arguments": ["gcc", "-Wp,-MMD,.%s.o.d", "-MD", "-MF", "%s.d", "-O2", "-mindirect-branch=thunk-extern", "-Werror", "-I%s", "-c", "-o", "%s.o", "%s"]}%s\n' \
				"$out/build" "$src/$f" "${f%.c}" "${f%.c}" "$src" "${f%.c}" "$src/$f" \
				"$([ "$f" = "${!#}" ] || echo ,)"
		done
		echo "]"
	} >"$out/compile_commands.json"
}

ktap_print_header
ktap_set_plan 28

cdb_of "$SCRATCH/db" cpuid.c exits.c
"$hp" callgraph --cdb "$SCRATCH/db" --srctree "$src" --scope "" --name test \
	--output "$SCRATCH/cg.json" 2>"$SCRATCH/err"
ktap_check "callgraph.json is valid JSON with the documented keys" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["tool", "tree", "roots", "functions", "calls", "loops", "writes", "globals"], d.keys()
assert sys.argv[2] == "hotpath (" + d["tool"] + ")", (d["tool"], sys.argv[2])
for f in d["functions"]:
	# "returns": only for a predicate, a function that returns one condition.
	assert set(f) - {"returns"} == {"name", "file", "line", "inline", "static", "usr",
					"on_exit_path", "path"}, f
	assert (f["path"] is not None) == f["on_exit_path"], f
for c in d["calls"]:
	assert {"caller", "callee", "kind", "file", "line", "col", "macro"} <= set(c), c
scope = ["loop", "base", "if"]
for l in d["loops"]:
	assert list(l) == ["func", "file", "line", "col", "num", "kind", "over", "start", "bound",
			   "bound_name"] + scope, l
for w in d["writes"]:
	assert list(w) == ["func", "file", "line", "col", "op", "dst", "a", "b", "a_name"] + scope, w
for g in d["globals"]:
	assert list(g) == ["name", "file", "line", "value"], g
' "$SCRATCH/cg.json" "$("$hp" --version)"
# Every call key analyzer/README.md documents, by kind and in order, each value as
# test-callgraph prints it for the same fixtures (call_kinds.c: every kind;
# call_flow.c: when and guard).
mkdir -p "$SCRATCH/kinds/build"
printf '[{"directory": "%s", "file": "%s/call_kinds.c", "arguments": ["gcc", "-c", "%s/call_kinds.c"]},
 {"directory": "%s", "file": "%s/call_flow.c", "arguments": ["gcc", "-c", "%s/call_flow.c"]}]\n' \
	"$SCRATCH/kinds/build" "$TESTS/analyzer" "$TESTS/analyzer" \
	"$SCRATCH/kinds/build" "$TESTS/analyzer" "$TESTS/analyzer" >"$SCRATCH/kinds/compile_commands.json"
"$hp" callgraph --cdb "$SCRATCH/kinds" --srctree "$TESTS/analyzer" --scope "" --quiet \
	--output "$SCRATCH/kinds.json"
for f in call_kinds.c call_flow.c; do
	(cd "$TESTS/analyzer" && "$TOP/analyzer/test-callgraph" "$f")
done >"$SCRATCH/kinds.txt"
ktap_check "callgraph.json: each call's documented keys for its kind, values as test-callgraph's" \
	python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
common = ["caller", "callee", "kind", "file", "line", "col"]
tail = ["macro", "when", "guard"]
keys = {"direct": common + ["callee_inline"] + tail,
	"static_call": common + ["static_call", "may_targets"] + tail,
	"indirect": common + ["expr", "field", "may_targets"] + tail,
	"indirect_wrapper": common + ["expr", "field", "may_targets"] + tail}
want = {}
for l in open(sys.argv[2]):
	m = re.match(r"call (\S+) (\S+):(\d+):(\d+) (\S+) (\S+)(.*)", l)
	if not m:
		continue
	caller, f, line, col, kind, name, rest = m.groups()
	opt = dict(re.findall(r" (macro|when|guard|field) ((?:(?! targets| when| guard| macro).)+)", rest))
	want.setdefault((f, int(line), int(col), kind), []).append(
		(caller, name, " inline" in rest.split(" macro")[0].split(" when")[0],
		 opt.get("macro"), opt.get("when", "always"), opt.get("guard"), opt.get("field")))
kinds = set()
for c in d["calls"]:
	# In a loop, under a condition a scenario decides, or with a base of its own: its scope.
	assert list(c) in (keys[c["kind"]], keys[c["kind"]] + ["loop", "base", "if"]), (list(c), c["kind"])
	kinds.add(c["kind"])
	name = {"direct": c["callee"], "static_call": c.get("static_call")}.get(c["kind"], c.get("expr"))
	got = (c["caller"], name, c.get("callee_inline", False), c["macro"], c["when"], c["guard"],
	       c.get("field"))
	w = want.pop((c["file"], c["line"], c["col"], c["kind"]), None)
	assert w and got in w, (got, w)
assert not want, want
assert kinds == set(keys), kinds
assert sum(c["guard"] == "enable_pmu" for c in d["calls"]) == 4, "guards"
' "$SCRATCH/kinds.json" "$SCRATCH/kinds.txt"
ktap_check "nothing is written in the build folder (Kbuild's -Wp,-MMD and -MF dropped)" \
	test -z "$(ls -A "$SCRATCH/db/build")"
ktap_check "gcc-only flags and -Werror are dropped: both TUs parse without errors" \
	grep -q '2 TUs (2 parsed, 0 reused; 0 unparsable, 0 with errors)' "$SCRATCH/err"
ktap_check "a header's inline function is one function, its call one call" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = [f["name"] for f in d["functions"]]
assert names == ["handle_cpuid", "handle_exit", "exit_mask", "note_exit"], names
calls = [(c["caller"], c["callee"], c["line"]) for c in d["calls"]]
assert calls == [("handle_cpuid", "note_exit", 6), ("handle_cpuid", "note_exit", 6),
		 ("handle_exit", "note_exit", 6), ("note_exit", "count_exit", 7)], calls
' "$SCRATCH/cg.json"
"$hp" callgraph --cdb "$SCRATCH/db" --srctree "$src" --scope "" --name test \
	--output "$SCRATCH/cg2.json" --quiet
ktap_check "two runs give byte-identical JSON" cmp "$SCRATCH/cg.json" "$SCRATCH/cg2.json"

# The per-TU cache, on a copy of the sources (their times get changed).
cp -r "$src" "$SCRATCH/src"
src=$SCRATCH/src cdb_of "$SCRATCH/cdb2" cpuid.c exits.c
cached()
{
	"$hp" callgraph --cdb "$SCRATCH/cdb2" --srctree "$SCRATCH/src" --scope "" \
		--cache "$SCRATCH/cache" --output "$SCRATCH/$1.json" 2>&1 | grep -o '([0-9]* parsed, [0-9]* reused'
}
first=$(cached c1)
second=$(cached c2)
ktap_check "cache: a rerun with nothing changed reuses every TU, same JSON" eval \
	'test "$first $second" = "(2 parsed, 0 reused (0 parsed, 2 reused" &&
	 cmp "$SCRATCH/c1.json" "$SCRATCH/c2.json"'
touch -d '+1 minute' "$SCRATCH/src/shared.h"
ktap_check "cache: a changed header re-parses the TUs that include it" \
	test "$(cached c3)" = "(2 parsed, 0 reused"
printf '\nint spare(void);\n' >>"$SCRATCH/src/exits.c"
ktap_check "cache: a changed source re-parses only its TU" \
	test "$(cached c4)" = "(1 parsed, 1 reused"
# Another analyzer build (here: the same with a byte appended) may extract
# differently: it must not reuse the results of this one.
cp "$hp" "$SCRATCH/hotpath2" && printf x >>"$SCRATCH/hotpath2"
ktap_check "cache: results of another analyzer binary are not reused" eval \
	'hp=$SCRATCH/hotpath2 cached c5 | grep -qx "(2 parsed, 0 reused"'
"$hp" callgraph --cdb "$SCRATCH/db" --srctree "$src" --scope "" --jobs 1 --quiet \
	--name test --output "$SCRATCH/j1.json"
ktap_check "one job and two give byte-identical JSON" cmp "$SCRATCH/cg.json" "$SCRATCH/j1.json"

cdb_of "$SCRATCH/broken" broken.c exits.c
"$hp" callgraph --cdb "$SCRATCH/broken" --srctree "$src" --scope "" \
	--output "$SCRATCH/b.json" 2>"$SCRATCH/b.err"
ktap_check "a TU with errors is reported with its first diagnostic; the run goes on" eval \
	'grep -q "broken.c:5:.*error: expected expression" "$SCRATCH/b.err" &&
	 grep -q "\"handle_exit\"" "$SCRATCH/b.json"'

ktap_check "bad input: no compilation database" \
	ktap_fails_with "nothing/compile_commands.json: not found; run 'make analyze'" \
	"$hp" callgraph --cdb "$SCRATCH/nothing" --srctree "$src"
mkdir "$SCRATCH/bad" && echo '[{"directory": ' >"$SCRATCH/bad/compile_commands.json"
ktap_check "bad input: a malformed compile_commands.json" \
	ktap_fails_with "bad/compile_commands.json: not a compilation database (Expected string as value.)" \
	"$hp" callgraph --cdb "$SCRATCH/bad" --srctree "$src"
ktap_check "bad input: a missing source tree" ktap_fails_with "--srctree $SCRATCH/nope: no such folder" \
	"$hp" callgraph --cdb "$SCRATCH/db" --srctree "$SCRATCH/nope"
printf '+handle_exit\n' >"$SCRATCH/roots"
"$hp" callgraph --cdb "$SCRATCH/db" --srctree "$src" --scope "" --roots "$SCRATCH/roots" \
	--quiet --output "$SCRATCH/r.json"
ktap_check "a roots file adds roots; paths lead from them" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [r["name"] for r in d["roots"]] == ["handle_exit"], d["roots"]
paths = {f["name"]: f["path"] for f in d["functions"]}
assert paths == {"handle_cpuid": None, "handle_exit": ["handle_exit"], "exit_mask": None,
		 "note_exit": ["handle_exit", "note_exit"]}, paths
' "$SCRATCH/r.json"
ktap_check "paths: the exit path of a function, a call site for each step" eval \
	'"$hp" paths --to note_exit "$SCRATCH/r.json" | diff - <(printf "%s\n" \
	"note_exit (shared.h:5): on the VM-exit paths, 1 call from a root" \
	"     handle_exit                              root: roots file" \
	"  -> note_exit                                exits.c:6:9 direct")'
ktap_check "paths: a function no exit path reaches says so" eval \
	'"$hp" paths --to handle_cpuid "$SCRATCH/r.json" | grep -qx "handle_cpuid (cpuid.c:4): not on any VM-exit path"'
ktap_check "dot: the exit paths reaching a function, as a graph" eval \
	'"$hp" dot --to note_exit "$SCRATCH/r.json" | diff - <(printf "%s\n" \
	"digraph \"exit paths to note_exit\" {" "	rankdir=LR;" "	node [shape=box, fontsize=10];" \
	"	\"handle_exit\" [style=filled, fillcolor=lightblue];" \
	"	\"note_exit\" [style=filled, fillcolor=gold];" \
	"	\"handle_exit\" -> \"note_exit\" [label=\"direct\"];" "}")'
ktap_check "bad input: paths to an unknown function" \
	ktap_fails_with "no function named nothing_here in the call graph" \
	"$hp" paths --to nothing_here "$SCRATCH/r.json"
printf '{"functions": [' >"$SCRATCH/trunc.json"
ktap_check "bad input: a malformed callgraph.json" \
	ktap_fails_with "trunc.json:1: not valid JSON (unexpected end)" \
	"$hp" paths --to note_exit "$SCRATCH/trunc.json"
ktap_check "bad input: dot to an unknown function, and on a malformed callgraph.json" eval \
	'ktap_fails_with "nothing_here: no function of that name on the VM-exit paths" \
		"$hp" dot --to nothing_here "$SCRATCH/r.json" &&
	 ktap_fails_with "trunc.json:1: not valid JSON (unexpected end)" \
		"$hp" dot --to note_exit "$SCRATCH/trunc.json"'
# CPU profiles with a line missing or wrong: read before anything else.
zen2=$TOP/analyzer/profiles/zen2.profile
grep -v '^retpoline[[:space:]]' "$zen2" >"$SCRATCH/noretp.profile"
grep -v '^vendor' "$zen2" >"$SCRATCH/novendor.profile"
sed 's/^vendor.*/vendor		via/' "$zen2" >"$SCRATCH/via.profile"
ktap_check "bad input: a profile without a cost line, without a vendor, with vendor via" eval \
	'ktap_fails_with "noretp.profile: no retpoline line; every cost must be given" \
		"$hp" audit --build "$SCRATCH/nobuild" --profile "$SCRATCH/noretp.profile" "$SCRATCH/r.json" &&
	 ktap_fails_with "novendor.profile: no vendor line; say vendor amd or vendor intel" \
		"$hp" audit --build "$SCRATCH/nobuild" --profile "$SCRATCH/novendor.profile" "$SCRATCH/r.json" &&
	 ktap_fails_with "via.profile:$(grep -n "^vendor" "$zen2" | cut -d: -f1): vendor is amd (SVM: AMD, Hygon) or intel" \
		"$hp" audit --build "$SCRATCH/nobuild" --profile "$SCRATCH/via.profile" "$SCRATCH/r.json"'
# validate on a module of the database's TUs: without -g there is no line
# to match sites by; with -g the same objects validate.
objs_of()
{
	local b=$SCRATCH/$1/arch/x86/kvm f
	shift
	mkdir -p "$b"
	for f in cpuid exits; do
		gcc -O2 -w "$@" -I"$src" -c -o "$b/$f.o" "$src/$f.c" && echo "arch/x86/kvm/$f.o"
	done >"$b/kvm.mod" && ld -r -o "$b/kvm.o" "$b/cpuid.o" "$b/exits.o"
}
objs_of nolines && objs_of lines -g
ktap_check "bad input: validate on objects without line information; with -g they validate" eval \
	'ktap_fails_with "$SCRATCH/nolines: the objects have no line information; build with CONFIG_DEBUG_INFO_DWARF4" \
		"$hp" validate --build "$SCRATCH/nolines" "$SCRATCH/cg.json" &&
	 "$hp" validate --build "$SCRATCH/lines" "$SCRATCH/cg.json" | grep -q "^validate test: 2 objects, "'
printf 'handle_exit\n' >"$SCRATCH/badroots"
ktap_check "bad input: a roots line without + or -" \
	ktap_fails_with "badroots:1: 'handle_exit': write +name to add a root or -name to drop one" \
	"$hp" callgraph --cdb "$SCRATCH/db" --srctree "$src" --roots "$SCRATCH/badroots"
ktap_check "--version: the one version, a line, exit 0" eval \
	'test "$("$hp" --version)" = "hotpath (kvm-hotpath $(sed -n "s/^#define HOTPATH_VERSION\t\"\(.*\)\"$/\1/p" "$TOP/analyzer/version.h"))"'
ktap_check "bad input: an unknown option" ktap_fails_with "unknown option --frobnicate" \
	"$hp" callgraph --frobnicate
ktap_check "bad input: an unknown command" ktap_fails_with "unknown command 'graph'" "$hp" graph

ktap_finished
