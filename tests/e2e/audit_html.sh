#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# audit.html from make audit on Debian's linux-source-6.12, loaded for real
# in Debian's headless chromium (through chromedriver and python3-selenium,
# and with --dump-dom): no console error and no request beyond the page,
# one table row per site of audit.json with the same figures, sorting by a
# header click and by a #sort= link, a flame graph whose root is the sum of
# exit-paths.folded, and a byte-identical page on a rerun.
#
# Usage: audit_html.sh

. "$(dirname "$0")/../lib.sh"

# Debian's selenium is for Debian's python, whatever python3 is first on PATH.
py=/usr/bin/python3
ktap_require "$py" python3
ktap_require chromium chromium
ktap_require chromedriver chromium-driver
"$py" -c 'import selenium' 2>/dev/null ||
	ktap_require "selenium for $py" python3-selenium
ktap_scratch

kdir=$CACHE/linux-source-6.12
[ -f "$kdir/Makefile" ] ||
	ktap_exit_fail_msg "$kdir missing: run 'make check', which extracts linux-source-6.12"

adir=$SCRATCH/r/linux-6.12.117
page=file://$adir/audit.html

# The page in chromium through chromedriver, read back as JSON: the console,
# the requests, the table as loaded and after header clicks, the flame graph.
cat >"$SCRATCH/browse.py" <<'PY'
import json, sys
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

url, profile, dest = sys.argv[1:4]
o = webdriver.ChromeOptions()
o.binary_location = "/usr/bin/chromium"
for arg in ("--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage",
	    "--window-size=1400,1000", "--user-data-dir=" + profile):
	o.add_argument(arg)
o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
TABLE = """
var t = document.getElementById('sites');
return {head: Array.prototype.map.call(t.tHead.rows[0].cells, function (th) {
		return [th.dataset.key, th.dataset.type, th.getAttribute('aria-sort')]; }),
	rows: Array.prototype.map.call(t.tBodies[0].rows, function (r) {
		return Array.prototype.map.call(r.cells, function (c) { return c.textContent; }); })};
"""
try:
	d.get(url)
	got = {"loaded": d.execute_script(TABLE), "clicks": []}
	for key in ("cycles", "cycles", "function", "function", "site"):
		d.find_element("css selector", "#sites th[data-key='%s'] button" % key).click()
		got["clicks"].append([key, d.execute_script(TABLE),
				      d.execute_script("return location.hash")])
	got["flame"] = d.execute_script("""
var root = document.getElementById('flame-root');
return {title: root.querySelector('title').textContent,
	width: root.querySelector('rect').getAttribute('width'),
	viewbox: document.getElementById('flame').getAttribute('viewBox'),
	frames: document.querySelectorAll('#flame g').length,
	note: document.getElementById('flame').nextElementSibling.textContent};
""")
	got["console"] = d.get_log("browser")
	# Whatever the browser loads for itself (chrome://) aside: what the page asks for.
	sent = [e["params"] for e in
		(json.loads(x["message"])["message"] for x in d.get_log("performance"))
		if e["method"] == "Network.requestWillBeSent"]
	got["requests"] = [p["request"]["url"] for p in sent if p.get("documentURL") == url]
	got["remote"] = [p["request"]["url"] for p in sent
			 if not p["request"]["url"].startswith(("chrome:", "data:", "file:"))]
finally:
	d.quit()
json.dump(got, open(dest, "w"))
PY

# check PYTHON: assertions on the page as the browser showed it (b), its
# audit.json (a), exit-paths.folded (folded) and the file itself (html),
# with helpers for the order a column demands: by value, ascending or
# descending, ties in rank order.
check()
{
	"$py" -c "
import json, re, sys
b = json.load(open(sys.argv[1]))
a = json.load(open(sys.argv[2]))
folded = open(sys.argv[3]).read().split('\n')[:-1]
html = open(sys.argv[4]).read()
def rows(t):
	keys = [h[0] for h in t['head']]
	return [dict(zip(keys, r)) for r in t['rows']]
def value(t, key, cell):
	kind = [h[1] for h in t['head'] if h[0] == key][0]
	if kind == 'num':
		return (float(cell),)
	if kind == 'site':
		f, l = cell.rsplit(':', 1)
		return (f, int(l))
	return (cell,)
def ranks(t):
	return [int(r['rank']) for r in rows(t)]
def ordered(t, key, desc):
	byrank = sorted(rows(t), key=lambda r: int(r['rank']))
	want = [int(r['rank']) for r in sorted(byrank, key=lambda r: value(t, key, r[key]),
						   reverse=desc)]
	got = ranks(t)
	assert got == want, (key, desc, got[:10], want[:10])
	sort = [h[2] for h in t['head'] if h[0] == key][0]
	assert sort == ('descending' if desc else 'ascending'), sort
	assert [h for h in t['head'] if h[2]] == [h for h in t['head'] if h[0] == key], t['head']
def seed(t):
	s = [r for r in rows(t) if r['function'] == 'kvm_skip_emulated_instruction'
	     and r['callee'] == 'kvm_pmu_trigger_event']
	assert len(s) == 1, s
	return s[0]
def dumped():
	t = json.load(open(sys.argv[5]))['loaded']
	assert len(t['rows']) == len(a['sites']), len(t['rows'])
	return t
$1" "$SCRATCH/browser.json" "$adir/audit.json" "$adir/exit-paths.folded" "$adir/audit.html" \
	"$SCRATCH/dump.json"
}

# dump FRAGMENT: the table of the page at #FRAGMENT, from chromium --dump-dom,
# as check() reads it: dumped().
dump()
{
	chromium --headless --disable-gpu --no-sandbox --disable-dev-shm-usage \
		--user-data-dir="$SCRATCH/chromium-dump" --dump-dom "$page#$1" 2>/dev/null |
	"$py" -c '
import html.parser, json, sys
class Table(html.parser.HTMLParser):
	def __init__(self):
		super().__init__()
		self.t, self.cell, self.inside = {"head": [], "rows": []}, None, False
	def handle_starttag(self, tag, attrs):
		at = dict(attrs)
		if tag == "table":
			self.inside = at.get("id") == "sites"
		elif self.inside and tag == "th":
			self.t["head"].append([at.get("data-key"), at.get("data-type"),
					       at.get("aria-sort")])
		elif self.inside and tag == "tr" and self.t["head"]:
			self.t["rows"].append([])
		elif self.inside and tag == "td":
			self.cell = ""
	def handle_endtag(self, tag):
		if tag == "td" and self.cell is not None:
			self.t["rows"][-1].append(self.cell)
			self.cell = None
		elif tag == "table":
			self.inside = False
	def handle_data(self, data):
		if self.cell is not None:
			self.cell += data
p = Table()
p.feed(sys.stdin.read())
json.dump({"loaded": p.t}, sys.stdout)' >"$SCRATCH/dump.json"
}

ktap_print_header
ktap_set_plan 9

make -s -C "$TOP" audit KDIR="$kdir" REPORTS="$SCRATCH/r" CPU=zen2,icelake-sp \
	>"$SCRATCH/make.out" 2>"$SCRATCH/err"
ktap_check "make audit writes audit.html, which allows no network (Content-Security-Policy)" eval \
	'[ -s "$adir/audit.html" ] || { cat "$SCRATCH/err"; false; } &&
	 grep -q "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src '"'none'"';" \
	   "$adir/audit.html" &&
	 ! grep -Eiq "(src|href)=\"(https?:)?//" "$adir/audit.html"'
echo "# audit.html: $(wc -c <"$adir/audit.html") bytes"

"$py" "$SCRATCH/browse.py" "$page" "$SCRATCH/chromium" "$SCRATCH/browser.json" \
	>"$SCRATCH/browse.out" 2>&1
ktap_check "chromium loads it: no console error, no request but the page itself" eval \
	'[ -s "$SCRATCH/browser.json" ] || { tail -20 "$SCRATCH/browse.out"; false; } &&
	 check "
assert not [c for c in b[\"console\"] if c[\"level\"] in (\"SEVERE\", \"WARNING\")], b[\"console\"]
assert b[\"requests\"] and set(b[\"requests\"]) == {\"$page\"}, b[\"requests\"]
assert not b[\"remote\"], b[\"remote\"]"'
ktap_check "one row per site of audit.json, in rank order, its strings escaped in the file" check '
assert "ctxt-&gt;ops-&gt;" in html and "->" not in html
t = b["loaded"]
assert len(t["rows"]) == len(a["sites"]), (len(t["rows"]), len(a["sites"]))
for r, s in zip(rows(t), a["sites"]):
	assert int(r["rank"]) == s["rank"], (r, s["rank"])
	assert r["site"] == "%s:%d" % (s["file"], s["line"]) and r["function"] == s["caller"], r
	assert r["callee"] == s["what"] and r["path"] == " → ".join(s["path"]), r
	assert r["pmu"] == (s["pmu_trigger"] or ""), r
	assert float(r["cycles"]) == s["cost"][0]["weighted"], r
ordered(t, "rank", False)'
check 'print("# seed row: %s" % " | ".join("%s %s" % kv for kv in seed(b["loaded"]).items()
				      if kv[0] not in ("reasons", "path")))' || true
ktap_check "the seed row (x86.c:8503) shows audit.json's zen2 figures, unguarded" check '
r = seed(b["loaded"])
s = [x for x in a["sites"] if x["caller"] == "kvm_skip_emulated_instruction"
     and x["callee"] == "kvm_pmu_trigger_event"][0]
z, i = s["cost"]
assert r["site"] == "arch/x86/kvm/x86.c:8503" and r["pmu"] == "unguarded", r
assert z["profile"] == "zen2" and i["profile"] == "icelake-sp", s["cost"]
assert r["cycles"] == "%.1f" % z["weighted"] and r["total-zen2"] == "%.1f" % z["total"], r
assert r["total-icelake-sp"] == "%.1f" % i["total"], r
assert r["breakdown"] == "%.1f+%.1f+%.1f+%.1f" % (z["call"], z["ret"], z["body"], z["inner"]), r
assert r["kind"] == s["kind"] and r["when"] == s["when"], r'
ktap_check "clicking cycles/exit sorts by it as a number, descending (the ranking); again, ascending" \
	check '
(k1, t1, h1), (k2, t2, h2) = b["clicks"][0:2]
ordered(t1, "cycles", True)
ordered(t2, "cycles", False)
assert ranks(t1) == list(range(1, len(a["sites"]) + 1)), ranks(t1)[:10]
assert (h1, h2) == ("#sort=-cycles", "#sort=cycles"), (h1, h2)'
ktap_check "clicking function sorts as text, ascending; again, descending; site by file and line" \
	check '
(k1, t1, h1), (k2, t2, h2), (k3, t3, h3) = b["clicks"][2:5]
ordered(t1, "function", False)
ordered(t2, "function", True)
ordered(t3, "site", False)
assert ranks(t1) != ranks(t3)'
ktap_check "a #sort= link: #sort=-total-icelake-sp and #sort=site load sorted (--dump-dom)" eval \
	'dump sort=-total-icelake-sp && check "ordered(dumped(), \"total-icelake-sp\", True)" &&
	 dump sort=site && check "ordered(dumped(), \"site\", False)"'
check 'print("# flame graph: root \"%s\", exit-paths.folded %.1f in %d stacks; %d frames; %s" %
      (b["flame"]["title"], sum(float(l.rsplit(" ", 1)[1]) for l in folded), len(folded),
       b["flame"]["frames"], b["flame"]["note"]))' || true
ktap_check "the flame graph: its root is the sum of exit-paths.folded, every frame drawn or counted" \
	check '
f = b["flame"]
total = sum(float(l.rsplit(" ", 1)[1]) for l in folded)
m = re.fullmatch(r"all: ([0-9.]+) cycles \(100\.0%\)", f["title"])
assert m and abs(float(m.group(1)) - total) <= 0.05 * len(folded) + 0.05, (f["title"], total)
assert f["viewbox"].split()[2] == f["width"].split(".")[0] and float(f["width"]) > 0, f
stacks = set()
for l in folded:
	names = l.rsplit(" ", 1)[0].split(";")
	stacks.update(tuple(names[:i + 1]) for i in range(len(names)))
left = int(re.match(r"(\d+) frames narrower", f["note"]).group(1))
assert f["frames"] + left == len(stacks) + 1, (f["frames"], left, len(stacks))'

cp "$adir/audit.html" "$SCRATCH/first.html"
make -s -C "$TOP" audit KDIR="$kdir" REPORTS="$SCRATCH/r" CPU=zen2,icelake-sp >/dev/null 2>&1
ktap_check "a rerun gives a byte-identical audit.html" cmp "$SCRATCH/first.html" "$adir/audit.html"

ktap_finished
