# Shared by the bench scripts (sourced).

# csv_col COLUMN FILE: the first data row's value of COLUMN in a CSV file
# with a header row (rststorm's summary.csv; RFC 4180 quoting)
csv_col() {
	awk -v c="$1" '
		function split_csv(line, out,    n, i, ch, f, q) {
			n = 0; f = ""; q = 0
			for (i = 1; i <= length(line); i++) {
				ch = substr(line, i, 1)
				if (q) {
					if (ch == "\"" && substr(line, i + 1, 1) == "\"") { f = f ch; i++ }
					else if (ch == "\"") q = 0
					else f = f ch
				} else if (ch == "\"") q = 1
				else if (ch == ",") { out[++n] = f; f = "" }
				else f = f ch
			}
			out[++n] = f
			return n
		}
		NR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) if (h[i] == c) k = i }
		NR == 2 { split_csv($0, v); print v[k] }' "$2"
}
