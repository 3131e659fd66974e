# SPDX-License-Identifier: GPL-2.0
#
# Filter a unified diff from pmu_guard.cocci so the added continuation lines
# (a "+" line after a "+" line ending in ",") follow the kernel's layout:
# - spatch sometimes aligns to the open parenthesis with more spaces than
#   needed ("\t\t\t\t" and 14 spaces); the same column is reached with as
#   many tabs as fit, then spaces, as checkpatch.pl wants;
# - a continuation that still passes 100 columns (coding-style.rst) when
#   aligned is indented with tabs instead, to the deepest tab stop that
#   fits, at least one tab deeper than the line it continues.
# Only the text of "+" lines changes, so hunk headers stay valid.

function width(s,    i, c, w) {
	w = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		w = (c == "\t") ? w + 8 - w % 8 : w + 1
	}
	return w
}

function repeat(c, n,    s) {
	s = ""
	while (n-- > 0)
		s = s c
	return s
}

/^\+/ && prev_added && prev ~ /,$/ && $0 ~ /^\+[ \t]*[^ \t]/ {
	body = substr($0, 2)
	text = body
	sub(/^[ \t]+/, "", text)
	lead = width(substr(body, 1, length(body) - length(text)))
	if (lead + length(text) <= 100) {
		$0 = "+" repeat("\t", int(lead / 8)) repeat(" ", lead % 8) text
	} else {
		base = match(substr(prev, 2), /[^\t]/) - 1
		for (k = base + 2; k > base; k--) {
			if (8 * k + length(text) <= 100) {
				$0 = "+" repeat("\t", k) text
				break
			}
		}
	}
}

{
	prev_added = ($0 ~ /^\+/ && $0 !~ /^\+\+\+ /)
	prev = $0
	print
}
