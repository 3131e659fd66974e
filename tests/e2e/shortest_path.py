# SPDX-License-Identifier: GPL-2.0
#
# A second reading of a function's shortest entry-to-return path in a built
# object, written apart from analyzer/objpath.c so that the audit's "body"
# can be checked against it: the fewest instructions from the entry to a
# ret, a jump to a return thunk, or a tail call (reported as such).
#
# Usage: python3 shortest_path.py OBJECT FUNCTION
# Prints "N" or "N tail SYMBOL".

import collections
import re
import subprocess
import sys

PREFIXES = {"cs", "ds", "lock", "rep", "repz", "repnz", "notrack", "bnd", "data16"}


def disassemble(obj, fn):
    out = subprocess.run(["objdump", "-dr", "--no-show-raw-insn", obj], check=True,
                         capture_output=True, text=True).stdout
    insns, inside = [], False
    for line in out.splitlines():
        head = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if head:
            inside = head.group(1) == fn
            continue
        if not inside:
            continue
        reloc = re.match(r"^\s+[0-9a-f]+: (R_X86_64_\S+)\s+(\S+)", line)
        if reloc and insns:
            insns[-1]["reloc"] = re.split(r"[-+]", reloc.group(2))[0]
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(.*)$", line)
        if m:
            words = m.group(2).split()
            while words and words[0] in PREFIXES and len(words) > 1:
                words = words[1:]
            insns.append({"off": int(m.group(1), 16), "op": words[0] if words else "",
                          "args": " ".join(words[1:]), "reloc": None})
    if not insns:
        sys.exit("%s: no function %s" % (obj, fn))
    return insns


def shortest(insns, fn):
    at = {x["off"]: i for i, x in enumerate(insns)}
    dist = {0: 1}
    queue = collections.deque([0])
    while queue:
        i = queue.popleft()
        x, d = insns[i], dist[i]
        op, args, reloc = x["op"], x["args"], x["reloc"]
        nxt = []
        if op in ("ret", "retq"):
            return d, None
        if op in ("ud2", "int3"):
            continue
        if op.startswith("j"):
            target = re.match(r"([0-9a-f]+) <([^>+]+)", args)
            local = target and target.group(2) == fn and not reloc
            if op == "jmp":
                if args.startswith("*") or (reloc and "return_thunk" in reloc):
                    return d, None
                if not local:
                    return d, reloc or (target.group(2) if target else args)
                nxt = [at.get(int(target.group(1), 16))]
            else:
                if reloc and "return_thunk" in reloc:
                    return d, None
                nxt = [i + 1] + ([at.get(int(target.group(1), 16))] if local else [])
        else:
            nxt = [i + 1]
        for j in nxt:
            if j is not None and j < len(insns) and j not in dist:
                dist[j] = d + 1
                queue.append(j)
    sys.exit("%s: no path to a return" % fn)


def main():
    obj, fn = sys.argv[1:3]
    n, tail = shortest(disassemble(obj, fn), fn)
    print("%d tail %s" % (n, tail) if tail else n)


if __name__ == "__main__":
    main()
