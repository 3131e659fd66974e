// SPDX-License-Identifier: GPL-2.0
/// Guard PMU event triggers on KVM exit paths with unlikely(enable_pmu).
///
/// kvm_pmu_trigger_event(), kvm_pmu_instruction_retired() and
/// kvm_pmu_branch_retired() do nothing when the VM's PMU is disabled, yet the
/// call and its return thunk are paid on every emulated instruction, which
/// under retpolines and SRSO safe-RET costs tens of cycles per VM exit.
/// Testing kvm->arch.enable_pmu first keeps that cost off the exit path of
/// VMs without a virtual PMU.
//
// Confidence: High
// Comments: Calls already under an if whose condition needs enable_pmu (a
//  conjunct of it), or dominated by an early return on !enable_pmu, are left
//  alone.  Two triggers in a row share one braced guard; a trigger that is a
//  whole if, for or while body gets braces.  Calls whose vcpu argument has
//  side effects, or whose header ends in a comment, are reported, not
//  rewritten.  -D global_pmu guards with the kvm.enable_pmu module parameter,
//  for trees before 5.18 whose struct kvm_arch has no enable_pmu.
//  -D exit_paths=FILE rewrites only calls in the functions FILE names, one a
//  line; the others are reported off-path.  A trigger called in the body of
//  a trigger (mainline's kvm_pmu_instruction_retired() wraps the static
//  kvm_pmu_trigger_event()) is neither rewritten nor reported: the wrapper
//  is the trigger, and its callers are where the guard goes.  Reports come
//  in file, line and column order.  --max-width 99 keeps added lines within
//  100 columns: spatch lets a line run one column past the width.
// Requires: 1.1.1
// Options: --no-includes --include-headers --max-width 99
// Keywords: kvm_pmu_trigger_event, kvm_pmu_instruction_retired, enable_pmu

virtual patch
virtual context
virtual org
virtual report
virtual global_pmu

@initialize:python@
@@
import re

use_global = False
exit_fns = None
triggers = {"kvm_pmu_trigger_event", "kvm_pmu_instruction_retired",
	    "kvm_pmu_branch_retired"}
commented_at = set()
split_at = set()
# Report and org lines, printed in file, line and column order once all
# is matched: the rules above find them in an order of their own.  A
# coccinelle.* variable is merged from every spatch --jobs worker.
coccinelle.found = []

def later(line, p):
	coccinelle.found.append(((p.file, int(p.line), int(p.column)), line))

def note_report(p, msg):
	later(coccilib.report.build_report(p, msg), p)

def note_todo(p, msg):
	later("* TODO " + coccilib.org.build_link(p, msg, "ovl-face1"), p)

def key(p):
	return (p[0].file, p[0].line, p[0].column)

# The guard reaches the VM through the vcpu argument: "&svm->vcpu" gives
# "svm->vcpu.kvm", never "(&svm->vcpu)->kvm"; only an argument that is not a
# postfix expression (a cast, an operator) needs parentheses.
def is_postfix(v):
	if v.startswith("("):
		depth = 0
		for i, c in enumerate(v):
			depth += (c == "(") - (c == ")")
			if depth == 0:
				break
		v = "x" + v[i + 1:]
		# "(T *)p" is a cast: only postfix operators may follow the group.
		if not re.match(r"x($|->|\.|\[|\()", v):
			return False
	if not re.match(r"[A-Za-z_]", v):
		return False
	while True:
		w = re.sub(r"\([^()]*\)|\[[^][]*\]", "", v)
		if w == v:
			break
		v = w
	return re.fullmatch(r"[A-Za-z_]\w*((->|\.)[A-Za-z_]\w*)*", v) is not None

def pmu_guard(vcpu):
	if use_global:
		return "enable_pmu"
	v = vcpu.replace(" ", "")
	if v.startswith("&") and is_postfix(v[1:]):
		return v[1:] + ".kvm->arch.enable_pmu"
	if is_postfix(v):
		return v + "->kvm->arch.enable_pmu"
	return "(" + vcpu + ")->kvm->arch.enable_pmu"

# A call in the definition of a trigger is that trigger's own body.
def in_trigger(p):
	return p[0].current_element in triggers

def off_exit_path(p):
	return (exit_fns is not None and p[0].current_element not in exit_fns
		and not in_trigger(p))

# Guard tests are judged on the condition's text: a test counts only with
# the right polarity, so "a || enable_pmu" or "!enable_pmu" guard nothing.
def balanced(s):
	depth = 0
	for c in s:
		depth += (c in "([") - (c in ")]")
		if depth < 0:
			return False
	return depth == 0

def bare(s):
	s = s.replace(" ", "")
	while True:
		t = s
		for w in ("unlikely(", "likely(", "("):
			if s.startswith(w) and s.endswith(")") and balanced(s[len(w):-1]):
				s = s[len(w):-1]
		if s == t:
			return s

def split_top(s, op):
	parts, depth, start, i = [], 0, 0, 0
	while i < len(s):
		depth += (s[i] in "([") - (s[i] in ")]")
		if depth == 0 and s.startswith(op, i):
			parts.append(s[start:i])
			i += len(op)
			start = i
		else:
			i += 1
	return parts + [s[start:]]

# "enable_pmu" itself, or a postfix path ending in "arch.enable_pmu".
def is_pmu_flag(s):
	s = bare(s)
	m = re.fullmatch(r"(.*)(->|\.)arch\.enable_pmu", s)
	return s == "enable_pmu" or (m is not None and is_postfix(m.group(1)))

# True when the condition holds only with the PMU enabled: enable_pmu is
# one of the conjuncts of an && chain (or the whole test).
def needs_pmu(c):
	return any(is_pmu_flag(x) for x in split_top(bare(c), "&&"))

# True when the condition holds whenever the PMU is disabled: !enable_pmu
# is one of the disjuncts of an || chain (or the whole test).
def fails_without_pmu(c):
	return any(bare(x).startswith("!") and is_pmu_flag(bare(x)[1:])
		   for x in split_top(bare(c), "||"))

# The vcpu argument is evaluated again in the guard.
def has_side_effects(v):
	return re.search(r"\+\+|--|(?<![=!<>])=(?!=)", v.replace(" ", "")) is not None

@script:python depends on global_pmu@
@@
use_global = True

@script:python@
path << virtual.exit_paths;
@@
with open(path) as f:
	exit_fns = set(l.split("#")[0].strip() for l in f) - {""}

@guarded@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
expression C : script:python() { needs_pmu(C) };
statement S;
position pg;
@@
(
if (C) { <+... fn@pg(...) ...+> } else S
|
if (C) { <+... fn@pg(...) ...+> }
)

// An early "if (!...enable_pmu) return" guards the calls after it only if
// no path from the function's entry reaches them around it.
@returns exists@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
expression C : script:python() { fails_without_pmu(C) };
position pa;
@@
if (C) return ...;
... when any
fn@pa(...);

@around exists@
identifier f;
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
expression C : script:python() { fails_without_pmu(C) };
position pr;
@@
f(...) {
... when != if (C) return ...;
    when any
fn@pr(...);
... when any
}

@early@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
position returns.pa;
position pe != around.pr;
@@
fn@pa@pe(...)

// Guarding would evaluate a vcpu argument with side effects twice.
@impure@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
expression V : script:python() { has_side_effects(V) };
position pi : script:python() { not in_trigger(pi) };
@@
fn@pi(V, ...)

// Braces go in by rewriting the header's ")", which would drop a comment
// that follows it; such a call is left for a human.
@commented@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
expression C;
comments c;
statement S;
position pk;
@@
(
if (C)@c fn@pk(...); else S
|
if (C)@c fn@pk(...);
|
for (...;...;...)@c fn@pk(...);
|
while (C)@c fn@pk(...);
)

@script:python@
c << commented.c;
pk << commented.pk;
@@
if c[0].after:
	commented_at.add(key(pk))

// The calls commented_at names, found anew: positions from the rule above
// would include the headers without comments.
@hand@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
position ph : script:python() { key(ph) in commented_at and not in_trigger(ph) };
@@
fn@ph(...)

// A trigger called in a trigger's own definition is that trigger's body:
// guarding it would test the flag after the wrapper's call is paid.
@wrapped@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
position pw : script:python() { in_trigger(pw) };
@@
fn@pw(...)

@offpath@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
position po : script:python() { off_exit_path(po) };
@@
fn@po(...)

@cand@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
expression V;
position pc != {guarded.pg, early.pe, offpath.po, impure.pi, hand.ph, wrapped.pw};
@@
fn@pc(V, ...);

// Rewriting a pair drops the comments between its calls; a pair with a
// comment in or after it gets a guard a call instead, which keeps them.
@paircomments@
identifier fn1 = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		  kvm_pmu_branch_retired};
identifier fn2 = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		  kvm_pmu_branch_retired};
expression V, C;
statement S1, S2;
comments c1, c2;
position p1, p2;
@@
\(fn1@p1(V, ...);\&S1@c1\)
(
\(fn2@p2(V, ...);\&S2@c2\)
|
\(if (C) fn2@p2(V, ...);\&S2@c2\)
)

@script:python@
c1 << paircomments.c1;
c2 << paircomments.c2;
p1 << paircomments.p1;
p2 << paircomments.p2;
@@
if c1[0].after or c2[0].before or c2[0].middle or c2[0].after:
	split_at.update((key(p1), key(p2)))

@split@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
position pq : script:python() { key(pq) in split_at };
@@
fn@pq(...)

// The second of two triggers in a row goes behind the guard of the first.
@pair@
identifier fn1 = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		  kvm_pmu_branch_retired};
identifier fn2 = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		  kvm_pmu_branch_retired};
expression V, C;
position p1 != {guarded.pg, early.pe, offpath.po, impure.pi, hand.ph, wrapped.pw, split.pq};
position p2 != {guarded.pg, early.pe, offpath.po, impure.pi, hand.ph, wrapped.pw, split.pq};
@@
fn1@p1(V, ...);
(
fn2@p2(V, ...);
|
if (C) fn2@p2(V, ...);
)

@site@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
expression V;
position ps != {guarded.pg, early.pe, offpath.po, impure.pi, hand.ph, wrapped.pw, pair.p2};
@@
fn@ps(V, ...);

// A call that is the whole body of an if, else-less if or loop gets braces;
// only the line that takes the "{" changes, and "else" stays on the "}" line.
@body disable neg_if@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
expression C;
statement S;
position pb;
@@
(
if (C) fn@pb(...); else S
|
if (C) fn@pb(...);
|
for (...;...;...) fn@pb(...);
|
while (C) fn@pb(...);
)

@script:python guard@
v << site.V;
g;
@@
coccinelle.g = cocci.make_expr(pmu_guard(v))

@depends on patch disable neg_if@
identifier site.fn;
identifier fn2 = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		  kvm_pmu_branch_retired};
expression site.V, C;
statement S;
position site.ps;
position p2 != {guarded.pg, early.pe, offpath.po, impure.pi, hand.ph, wrapped.pw, split.pq};
position pn != body.pb;
expression guard.g;
expression list es1, es2;
@@
(
- fn@ps(V, es1);
- fn2@p2(V, es2);
+ if (unlikely(g)) {
+ fn(V, es1);
+ fn2(V, es2);
+ }
|
- fn@ps(V, es1);
- if (C) fn2@p2(V, es2);
+ if (unlikely(g)) {
+ fn(V, es1);
+ if (C)
+ fn2(V, es2);
+ }
|
  if (C
- )
+ ) {
- fn@ps(V, es1);
+ if (unlikely(g))
+ fn(V, es1);
- else
+ } else
  S
|
  if (C
- )
+ ) {
- fn@ps(V, es1);
+ if (unlikely(g))
+ fn(V, es1);
+ }
|
  for (...;...;...
- )
+ ) {
- fn@ps(V, es1);
+ if (unlikely(g))
+ fn(V, es1);
+ }
|
  while (C
- )
+ ) {
- fn@ps(V, es1);
+ if (unlikely(g))
+ fn(V, es1);
+ }

|
- fn@ps@pn(V, es1);
+ if (unlikely(g))
+ fn(V, es1);
)

@depends on context@
identifier cand.fn;
position cand.pc;
@@
* fn@pc(...);

@depends on context@
identifier hand.fn;
position hand.ph;
@@
* fn@ph(...);

@script:python depends on report@
fn << cand.fn;
v << cand.V;
pc << cand.pc;
@@
note_report(pc[0],
	"%s() in %s() runs with the VM's PMU disabled too: guard it with if (unlikely(%s))"
	% (fn, pc[0].current_element, pmu_guard(v)))

@script:python depends on report@
fn << offpath.fn;
po << offpath.po;
@@
note_report(po[0],
	"%s() in %s() is off the VM-exit paths: left as is"
	% (fn, po[0].current_element))

@script:python depends on report@
fn << impure.fn;
pi << impure.pi;
@@
note_report(pi[0],
	"%s() in %s() has a vcpu argument with side effects: guard it by hand"
	% (fn, pi[0].current_element))

@script:python depends on report@
fn << hand.fn;
ph << hand.ph;
@@
note_report(ph[0],
	"%s() in %s() follows a commented condition: guard it by hand"
	% (fn, ph[0].current_element))

@script:python depends on org@
fn << hand.fn;
ph << hand.ph;
@@
note_todo(ph[0],
	"%s() in %s() unguarded, after a commented condition"
	% (fn, ph[0].current_element))

@script:python depends on org@
fn << cand.fn;
v << cand.V;
pc << cand.pc;
@@
note_todo(pc[0],
	"%s() in %s() unguarded: if (unlikely(%s))"
	% (fn, pc[0].current_element, pmu_guard(v)))

@finalize:python@
founds << merge.found;
@@
for _, line in sorted((f for found in founds for f in found), key=lambda f: f[0]):
	print(line)
