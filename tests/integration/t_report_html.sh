# rststorm report: a run report (and one with --hold, one with --interval), a check report and a
# compare report rendered to HTML and loaded in headless Chromium. Fails on
# any console message (the page has no script, and its CSP blocks every
# fetch, so a message means something went wrong), on an <svg> with nothing
# drawn in it, on a screenshot of one colour, and on a page that names
# anything outside itself. Markup planted in a CSV field comes out escaped.
# Controls: a page with a planted fetch must show a console message and an
# empty chart must be caught, so the checks can fail. Refusals: not a
# report, an unknown schema version, a bad option: exit 2, one line.
# RS_REPORT_PNG=FILE keeps the run report's screenshot (docs/report.png).
. "$(dirname "$0")/lib.sh"

command -v chromium >/dev/null ||
	skip "chromium is not installed (make test installs it: TEST_DEPS)"
command -v python3 >/dev/null || skip "python3 is not installed"
# root has no sandbox here; headless, no GPU, its own profile in $TMP
chrome() {
	timeout -k 5 90 chromium --headless=new --no-sandbox --disable-gpu \
		--no-first-run --no-default-browser-check \
		--user-data-dir="$TMP/profile" --enable-logging=stderr --v=0 "$@"
}
printf '<!DOCTYPE html><title>t</title><p id="x">up</p>\n' >"$TMP/probe.html"
chrome --dump-dom "file://$TMP/probe.html" >"$TMP/probe.dom" 2>"$TMP/probe.err"
grep -q '<p id="x">up</p>' "$TMP/probe.dom" ||
	skip "chromium cannot start here: $(grep -v dbus "$TMP/probe.err" | tail -n1)"

# --- the reports
"$RSTSTORM" run -q -c 50 -n 500 --wait none --csv "$TMP/run" >/dev/null ||
	fail "run: exit $?"
"$RSTSTORM" run -q -c 50 -n 500 --csv "$TMP/run2" >/dev/null ||
	fail "run (wait close): exit $?"
"$RSTSTORM" run -q -c 50 -d 1s --interval 200ms --csv "$TMP/iv" >/dev/null ||
	fail "run --interval: exit $?"
"$RSTSTORM" run -q --hold -c 100 -d 10s --csv "$TMP/hold" >/dev/null ||
	fail "run --hold: exit $?"
[ -f "$TMP/hold/hold.csv" ] || fail "run --hold wrote no hold.csv"
"$RSTSTORM" check seed-go fin-write3 --trials 5 --load-c 0 --gap 1ms -q \
	--csv "$TMP/check" >/dev/null || fail "check: exit $?"
"$RSTSTORM" compare "$TMP/run" "$TMP/run2" --csv "$TMP/cmp" >/dev/null
rc=$?
[ $rc -le 1 ] || fail "compare: exit $rc"
ndiff=$(awk -F, 'NR > 1 && $NF == 1' "$TMP/cmp/compare.csv" | wc -l)
echo "measured: compare of --wait none against --wait close: $ndiff cells differ"

# a copy of the run report with markup in text fields the reader accepts
cp -r "$TMP/run" "$TMP/planted"
rm -f "$TMP/planted/report.html"
python3 - "$TMP/planted/summary.csv" <<'EOF' || fail "cannot plant the fields"
import csv, sys
p = sys.argv[1]
rows = list(csv.reader(open(p, newline="")))
h = rows[0]
rows[1][h.index("machine")] = "<script>document.title='pwned'</script>"
rows[1][h.index("target")] = "\"><img src=x onerror=alert(1)>&amp;"
csv.writer(open(p, "w", newline=""), lineterminator="\n").writerows(rows)
EOF

# --- the checks
# dom_ok DOM: every <svg> holds a drawn element of nonzero size (a rect
# other than the frame, a polyline of two points or more, a circle)
dom_ok() {
	python3 - "$1" <<'EOF'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.svgs = []; s.depth = 0
    def handle_starttag(s, tag, a):
        a = dict(a)
        if tag == "svg":
            s.svgs.append(0); s.depth += 1; return
        if not s.depth: return
        f = lambda k: float(a.get(k, "0") or 0)
        drawn = (tag == "rect" and a.get("class") != "frame" and f("width") > 0 and f("height") > 0) or \
                (tag == "circle" and f("r") > 0) or \
                (tag == "polyline" and len((a.get("points") or "").split()) >= 2)
        if drawn: s.svgs[-1] += 1
    def handle_endtag(s, tag):
        if tag == "svg": s.depth -= 1
p = P(); p.feed(open(sys.argv[1]).read())
if not p.svgs: print("no <svg> in the page"); sys.exit(1)
empty = [i for i, n in enumerate(p.svgs) if n == 0]
if empty: print("svg number %s has nothing drawn" % ",".join(str(i + 1) for i in empty)); sys.exit(1)
print("%d charts, %d drawn elements" % (len(p.svgs), sum(p.svgs)))
EOF
}

# png_ok PNG: a real image, not one colour: at least 16 colours and no
# colour on more than 99% of the pixels (read with zlib, no PIL)
png_ok() {
	python3 - "$1" <<'EOF'
import collections, struct, sys, zlib
b = open(sys.argv[1], "rb").read()
if b[:8] != b"\x89PNG\r\n\x1a\n": print("not a PNG"); sys.exit(1)
i, idat = 8, b""
while i < len(b):
    n, t = struct.unpack(">I4s", b[i:i + 8]); d = b[i + 8:i + 8 + n]; i += 12 + n
    if t == b"IHDR": w, h, depth, ctype = struct.unpack(">IIBB", d[:10])
    elif t == b"IDAT": idat += d
if depth != 8 or ctype not in (2, 6): print("unexpected PNG format %d/%d" % (depth, ctype)); sys.exit(1)
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
m7 = int.from_bytes(b"\x7f" * stride, "big")
m8 = int.from_bytes(b"\x80" * stride, "big")
prev, counts, pos = bytearray(stride), collections.Counter(), 0
for y in range(h):
    ft = raw[pos]; line = bytearray(raw[pos + 1:pos + 1 + stride]); pos += 1 + stride
    if ft == 2:  # Up: bytewise addition of two rows as one big integer
        a, u = int.from_bytes(line, "big"), int.from_bytes(prev, "big")
        line = bytearray((((a & m7) + (u & m7)) ^ ((a ^ u) & m8)).to_bytes(stride, "big"))
    elif ft in (1, 3, 4):
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0; up = prev[x]; c = prev[x - bpp] if x >= bpp else 0
            if ft == 1: line[x] = (line[x] + a) & 255
            elif ft == 3: line[x] = (line[x] + (a + up) // 2) & 255
            else:
                p = a + up - c; pa, pb, pc = abs(p - a), abs(p - up), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else up if pb <= pc else c)) & 255
    elif ft != 0: print("bad filter %d" % ft); sys.exit(1)
    if y % 2 == 0:
        counts.update(zip(line[0::2 * bpp], line[1::2 * bpp], line[2::2 * bpp]))
    prev = line
top = max(counts.values()) / sum(counts.values())
print("%dx%d, %d colours, the commonest on %.1f%% of the pixels" % (w, h, len(counts), 100 * top))
sys.exit(0 if len(counts) >= 16 and top <= 0.99 else 1)
EOF
}

# no_fetch HTML: nothing outside the page: no URL, no src=, no href= but
# #anchors, no CSS url() or @import
no_fetch() {
	if grep -o -i -E 'https?://[^"<> ]*|(src|href|action|srcset)=[^#>][^ >]*|url\(|@import' "$1" >"$TMP/fetch"; then
		fail "$1 names something outside itself: $(head -n3 "$TMP/fetch" | tr '\n' ' ')"
	fi
	grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$1" ||
		fail "$1: no Content-Security-Policy that blocks fetches"
}

# load NAME HTML [PNG]: load in Chromium; no console message; the DOM's
# charts drawn; the screenshot not blank
load() {
	local name=$1 html=$2 png=${3:-}
	chrome --dump-dom "file://$html" >"$TMP/$name.dom" 2>"$TMP/$name.err" ||
		fail "$name: chromium --dump-dom: exit $?: $(grep -v dbus "$TMP/$name.err" | tail -n1)"
	grep -q '</html>' "$TMP/$name.dom" || fail "$name: no DOM from chromium"
	if grep 'CONSOLE' "$TMP/$name.err" >"$TMP/$name.console"; then
		fail "$name: console message: $(head -n2 "$TMP/$name.console")"
	fi
	out=$(dom_ok "$TMP/$name.dom") || fail "$name: $out"
	echo "measured: $name: $out"
	if [ -n "$png" ]; then
		chrome --window-size=1000,1500 --hide-scrollbars \
			--screenshot="$png" "file://$html" >/dev/null 2>"$TMP/$name.shot.err" ||
			fail "$name: chromium --screenshot: exit $?"
		grep 'CONSOLE' "$TMP/$name.shot.err" &&
			fail "$name: console message while taking the screenshot"
		out=$(png_ok "$png") || fail "$name: screenshot: $out"
		echo "measured: $name screenshot: $out"
	fi
}

for r in run iv hold check cmp planted; do
	"$RSTSTORM" report "$TMP/$r" >"$TMP/out" 2>"$TMP/err" ||
		fail "report $r: exit $?: $(cat "$TMP/err")"
	[ -s "$TMP/err" ] && fail "report $r: wrote to stderr: $(cat "$TMP/err")"
	[ -s "$TMP/$r/report.html" ] || fail "report $r: no $r/report.html"
	# (the planted page holds "src=" as escaped text: the tags are
	# checked below and Chromium's console shows any fetch)
	[ $r = planted ] || no_fetch "$TMP/$r/report.html"
	ls -a "$TMP/$r" | grep -q '\.tmp\.' && fail "report $r: a temporary file is left"
done
# -o elsewhere
"$RSTSTORM" report "$TMP/check" -o "$TMP/check.html" >/dev/null ||
	fail "report -o: exit $?"
cmp -s "$TMP/check.html" "$TMP/check/report.html" ||
	fail "report -o: a different page than the default path's"

# what each page must say
grep -q 'rststorm run report' "$TMP/run/report.html" || fail "run page: no title"
grep -q 'books balanced' "$TMP/run/report.html" || fail "run page: no books line"
for want in 'outcome shares' 'errors among the ops' 'connect latency' 'op latency'; do
	grep -q "$want" "$TMP/run/report.html" || fail "run page: no '$want'"
done
grep -q 'id="hold"' "$TMP/hold/report.html" || fail "hold page: no hold section"
grep -q 'id="intervals"' "$TMP/iv/report.html" || fail "interval page: no interval section"
grep -q 'id="intervals"' "$TMP/run/report.html" && fail "run page: an interval section without intervals.csv"
for want in 'connections per second' 'failed connections per second' 'ops per second'; do
	grep -q "aria-label=\"$want\"" "$TMP/iv/report.html" || fail "interval page: no '$want' chart"
done
grep -q 'id="hold"' "$TMP/run/report.html" && fail "run page: a hold section without hold.csv"
grep -q '>PASS<' "$TMP/check/report.html" || fail "check page: no PASS cell in the grid"
for sc in seed-go fin-write3; do
	grep -q ">$sc</text>" "$TMP/check/report.html" || fail "check page: no grid row for $sc"
done
grep -q "$ndiff of [0-9]* cells differ" "$TMP/cmp/report.html" ||
	fail "compare page: does not say $ndiff cells differ"
nhl=$(grep -c '<tr class="hl">' "$TMP/cmp/report.html")
[ "$nhl" -eq "$ndiff" ] || fail "compare page: $nhl rows highlighted, $ndiff differ"
grep -q 'p_value' "$TMP/cmp/report.html" || fail "compare page: no p_value column"

# the planted markup is text, not markup
grep -q -i '<script\|<img' "$TMP/planted/report.html" &&
	fail "planted: markup from a CSV field reached the page"
grep -q "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" "$TMP/planted/report.html" ||
	fail "planted: the machine field is not in the page, escaped"
grep -q "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;" "$TMP/planted/report.html" ||
	fail "planted: the target field is not in the page, escaped"

load run "$TMP/run/report.html" "$TMP/run.png"
load hold "$TMP/hold/report.html"
load iv "$TMP/iv/report.html"
load check "$TMP/check/report.html" "$TMP/check.png"
load cmp "$TMP/cmp/report.html" "$TMP/cmp.png"
load planted "$TMP/planted/report.html"
grep -q '<title>rststorm run report' "$TMP/planted.dom" ||
	fail "planted: the page's title changed (a script ran?)"
[ -n "${RS_REPORT_PNG:-}" ] && cp "$TMP/run.png" "$RS_REPORT_PNG"

# controls: a fetch is caught on the console, an empty chart in the DOM
sed 's|</body>|<img src="http://198.18.0.1/x.png"></body>|' \
	"$TMP/run/report.html" >"$TMP/bad.html"
(no_fetch "$TMP/bad.html") >/dev/null && fail "control: no_fetch missed a URL"
chrome --dump-dom "file://$TMP/bad.html" >/dev/null 2>"$TMP/bad.err"
grep -q 'CONSOLE' "$TMP/bad.err" ||
	fail "control: a blocked fetch left no console message: the console check cannot fail"
printf '<!DOCTYPE html><html><body><svg width="10" height="10"><rect class="frame" width="10" height="10"/></svg></body></html>\n' >"$TMP/empty.dom"
dom_ok "$TMP/empty.dom" >/dev/null && fail "control: an empty chart passed the DOM check"
python3 -c 'import struct,zlib,sys
w=h=64
raw=b"".join(b"\0"+b"\xff\xff\xff"*w for _ in range(h))
c=lambda t,d: struct.pack(">I",len(d))+t+d+struct.pack(">I",zlib.crc32(t+d))
open(sys.argv[1],"wb").write(b"\x89PNG\r\n\x1a\n"+c(b"IHDR",struct.pack(">IIBBBBB",w,h,8,2,0,0,0))+c(b"IDAT",zlib.compress(raw))+c(b"IEND",b""))' "$TMP/blank.png"
png_ok "$TMP/blank.png" >/dev/null && fail "control: a blank screenshot passed"

# --- refusals: exit 2, one line, nothing written
refuse() {
	local want=$1
	shift
	"$RSTSTORM" report "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 2 ] || fail "report $*: exit $rc, want 2"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "report $*: not one line: $(cat "$TMP/err")"
	grep -q -- "$want" "$TMP/err" || fail "report $*: '$(cat "$TMP/err")' does not say '$want'"
	[ -s "$TMP/out" ] && fail "report $*: wrote to stdout"
	return 0
}
mkdir "$TMP/empty"
refuse "not a report" "$TMP/empty"
[ -e "$TMP/empty/report.html" ] && fail "not a report: a page was written"
cp -r "$TMP/run" "$TMP/v2"
rm -f "$TMP/v2/report.html"
sed -i '2s/^2,/3,/' "$TMP/v2/summary.csv"
refuse "schema_version 3: this rststorm reads versions 1 to 2" "$TMP/v2"
[ -e "$TMP/v2/report.html" ] && fail "schema version 3: a page was written"
mkdir "$TMP/cv2"
sed '2s/^2,/7,/' "$TMP/cmp/compare.csv" >"$TMP/cv2/compare.csv"
refuse "schema_version 7" "$TMP/cv2"
mkdir "$TMP/fifo"
mkfifo "$TMP/fifo/compare.csv"
refuse "not a regular file (a FIFO)" "$TMP/fifo"
refuse "needs one report directory"
refuse "needs one report directory" "$TMP/run" "$TMP/check"
refuse "'--bogus'" --bogus "$TMP/run"
refuse "-o: needs a value" "$TMP/run" -o
# -o naming a symlink or a directory: refused, nothing replaced
echo keep >"$TMP/target.txt"
ln -s "$TMP/target.txt" "$TMP/link.html"
refuse "exists and is not a regular file (a symlink)" "$TMP/run" -o "$TMP/link.html"
[ -L "$TMP/link.html" ] && [ "$(cat "$TMP/target.txt")" = keep ] ||
	fail "report -o SYMLINK: the symlink or its target changed"
refuse "not a regular file (a directory)" "$TMP/run" -o "$TMP/empty"
# an existing regular file is replaced
echo old >"$TMP/old.html"
"$RSTSTORM" report "$TMP/run" -o "$TMP/old.html" >/dev/null || fail "report -o over a file: exit $?"
grep -q 'rststorm run report' "$TMP/old.html" || fail "report -o over a file: not replaced"
# a page that cannot be written: exit 1, one line, the report untouched
"$RSTSTORM" report "$TMP/run" -o "$TMP/no/such/dir/x.html" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "report -o into a missing directory: exit $rc, want 1"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "No such file or directory" "$TMP/err" ||
	fail "report -o into a missing directory: $(cat "$TMP/err")"
"$RSTSTORM" report --help | grep -q -- '--output' || fail "report --help lacks --output"
"$RSTSTORM" help | grep -q '^  report ' || fail "rststorm help lacks report"
exit 0
