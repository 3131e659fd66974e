# SPDX-License-Identifier: GPL-2.0
#
# Filter a unified diff from pmu_guard.cocci: an added continuation line
# that spatch aligned to its open parenthesis but that still passes 100
# columns (the kernel's limit, coding-style.rst) is indented with tabs
# instead, to the deepest tab stop that fits, at least one tab deeper than
# the line it continues.  Only the text of "+" lines changes, so hunk
# headers stay valid.

function width(s,    i, c, w) {
	w = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		w = (c == "\t") ? w + 8 - w % 8 : w + 1
	}
	return w
}

function tabs(n,    s) {
	s = ""
	while (n-- > 0)
		s = s "\t"
	return s
}

/^\+/ && prev_added && prev ~ /,$/ && $0 ~ /^\+\t* +[^ \t]/ {
	body = substr($0, 2)
	if (width(body) > 100) {
		text = body
		sub(/^[ \t]+/, "", text)
		base = match(substr(prev, 2), /[^\t]/) - 1
		for (k = base + 2; k > base; k--) {
			if (8 * k + length(text) <= 100) {
				$0 = "+" tabs(k) text
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
