/* `rststorm report`: a report directory (run, check, or compare.csv) as one
 * self-contained HTML page: inline CSS, SVG charts drawn here, no script,
 * and a Content-Security-Policy that lets the browser fetch nothing. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esc.h"
#include "html.h"
#include "repdir.h"
#include "report.h"
#include "schema.h"

/* ------------------------------------------------------------ escaping */

/* The entity of byte c, NULL when it is written as itself; "?" for
 * control bytes HTML does not allow even as references. */
static const char *html_ent(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '\t':
	case '\n':
		return NULL;
	default:
		return c < 0x20 || c == 0x7f ? "?" : NULL;
	}
}

void rs_html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		const char *e = html_ent((unsigned char)*s);

		if (e)
			fputs(e, f);
		else
			putc(*s, f);
	}
}

char *rs_html_esc_buf(char *dst, size_t len, const char *s)
{
	size_t used = 0;

	if (!len)
		return dst;
	for (; s && *s; s++) {
		const char *e = html_ent((unsigned char)*s);
		size_t n = e ? strlen(e) : 1;

		if (used + n >= len)
			break;
		memcpy(dst + used, e ? e : s, n);
		used += n;
	}
	dst[used] = '\0';
	return dst;
}

/* ------------------------------------------------------------- helpers */

#define E(s) rs_html_esc(f, (s))

/* A field the loader checked as a number; for drawing only. */
static double num(const char *s)
{
	return strcmp(s, "inf") == 0 ? INFINITY : strtod(s, NULL);
}

static const char *col(const struct rs_repdir *d, enum rs_rfile file,
		       size_t i, const char *name)
{
	return rs_rfield(d, file, i, rs_rcol(file, name));
}

static const char *const palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

/* A result's colour: the common ones fixed, the rest by a hash. */
static const char *result_colour(const char *r)
{
	static const struct { const char *name, *colour; } fixed[] = {
		{ "ok", "#4caf50" },      { "eof", "#2196f3" },
		{ "EPIPE", "#ff9800" },   { "ECONNRESET", "#e53935" },
		{ "timeout", "#9e9e9e" }, { "short", "#795548" },
		{ "abandoned", "#212121" },
	};
	unsigned h = 5381;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(r, fixed[i].name) == 0)
			return fixed[i].colour;
	for (const char *p = r; *p; p++)
		h = h * 33 + (unsigned char)*p;
	return palette[h % NPALETTE];
}

static const char *verdict_colour(const char *v)
{
	if (strcmp(v, "PASS") == 0)
		return "#4caf50";
	if (strcmp(v, "MEASURED") == 0)
		return "#42a5f5";
	if (strcmp(v, "DIFF") == 0)
		return "#e53935";
	return "#bdbdbd";
}

/* A time in ns for an axis or a tooltip: "250 ns", "1.5 µs", "10 ms". */
static void fmt_ns(char *buf, size_t len, double ns)
{
	static const struct { double div; const char *unit; } u[] = {
		{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "µs" }, { 1, "ns" },
	};

	for (size_t i = 0; i < 4; i++)
		if (ns >= u[i].div || i == 3) {
			snprintf(buf, len, "%.3g %s", ns / u[i].div, u[i].unit);
			return;
		}
}

/* ---------------------------------------------------------------- plots */

/* One SVG chart: data ranges mapped into the frame inside the margins. */
struct plot {
	FILE *f;
	int w, h;
	int l, r, t, b;
	double x0, x1, y0, y1;  /* x in log10 when logx */
	bool logx;
	int yprec;              /* digits of the y ticks (%g); 0: 2 */
};

static double px(const struct plot *p, double x)
{
	if (p->logx)
		x = log10(x > 0 ? x : 1);
	if (p->x1 <= p->x0)
		return p->l;
	return p->l + (x - p->x0) / (p->x1 - p->x0) * (p->w - p->l - p->r);
}

static double py(const struct plot *p, double y)
{
	if (p->y1 <= p->y0)
		return p->h - p->b;
	return p->h - p->b -
	       (y - p->y0) / (p->y1 - p->y0) * (p->h - p->t - p->b);
}

static void svg_open(FILE *f, int w, int h, const char *label)
{
	fprintf(f,
		"<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		w, h, w, h);
	E(label);
	fprintf(f, "\">\n");
}

/* The frame, the y axis 0..1 in quarters and the log x axis by decades
 * (x0, x1 in log10 ns), with their labels. */
static void plot_axes(const struct plot *p, const char *xlabel,
		      const char *ylabel)
{
	FILE *f = p->f;
	char t[32];

	fprintf(f,
		"<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
		p->l, p->t, p->w - p->l - p->r, p->h - p->t - p->b);
	for (int q = 0; q <= 4; q++) {
		double y = py(p, p->y0 + (p->y1 - p->y0) * q / 4);

		fprintf(f,
			"<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			"<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.*g</text>\n",
			p->l, y, p->w - p->r, y, p->l - 4, y + 4,
			p->yprec ? p->yprec : 2,
			p->y0 + (p->y1 - p->y0) * q / 4);
	}
	for (int k = (int)ceil(p->x0); p->logx && k <= (int)floor(p->x1); k++) {
		double x = p->l + (k - p->x0) / (p->x1 - p->x0) *
					  (p->w - p->l - p->r);

		fmt_ns(t, sizeof(t), pow(10, k));
		fprintf(f,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
			x, p->t, x, p->h - p->b, x, p->h - p->b + 14, t);
	}
	fprintf(f,
		"<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
		p->l + (p->w - p->l - p->r) / 2, p->h - p->b + 30);
	E(xlabel);
	fprintf(f,
		"</text><text class=\"axis\" transform=\"translate(12 %d) rotate(-90)\" text-anchor=\"middle\">",
		p->t + (p->h - p->t - p->b) / 2);
	E(ylabel);
	fprintf(f, "</text>\n");
}

/* The x axis of a share (0..1) in quarters: grid lines and percentages. */
static void share_ticks(const struct plot *p)
{
	for (int q = 0; q <= 4; q++) {
		double x = px(p, q / 4.0);

		fprintf(p->f,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d%%</text>\n",
			x, p->t, x, p->h - p->b, x, p->h - p->b + 14, q * 25);
	}
}

/* A legend entry under the plot, at slot i of a 3-column grid. */
static void legend(const struct plot *p, unsigned i, const char *colour,
		   const char *label)
{
	int x = p->l + (int)(i % 3) * ((p->w - p->l - p->r) / 3);
	int y = p->h - p->b + 44 + (int)(i / 3) * 16;

	fprintf(p->f,
		"<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"%s\"/>"
		"<text class=\"tick\" x=\"%d\" y=\"%d\">",
		x, y - 9, colour, x + 16, y);
	rs_html_esc(p->f, label);
	fprintf(p->f, "</text>\n");
}

/* ------------------------------------------------------------- tables */

typedef bool (*row_pred)(const struct rs_repdir *d, enum rs_rfile file,
			 size_t i);

/* Every row of a file as an HTML table (schema_version left out); rows
 * for which hl is true get class "hl". */
static void table(FILE *f, const struct rs_repdir *d, enum rs_rfile file,
		  row_pred hl)
{
	const struct rs_sfile *s = rs_schema_file(file);
	const struct rs_rtable *t = &d->t[file];

	fprintf(f, "<div class=\"scroll\"><table>\n<tr>");
	for (unsigned c = 1; c < s->ncols; c++) {
		fprintf(f, "<th title=\"");
		E(s->cols[c].desc);
		fprintf(f, "\">");
		E(s->cols[c].name);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n");
	for (size_t i = 0; i < t->nrows; i++) {
		fprintf(f, "<tr%s>", hl && hl(d, file, i) ? " class=\"hl\"" : "");
		for (unsigned c = 1; c < s->ncols; c++) {
			fprintf(f, "<td>");
			E(t->rows[i][c]);
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table></div>\n");
}

/* A one-row file as name/value pairs. */
static void kv_table(FILE *f, const struct rs_repdir *d, enum rs_rfile file)
{
	const struct rs_sfile *s = rs_schema_file(file);

	fprintf(f, "<div class=\"kv\">\n");
	for (unsigned c = 1; c < s->ncols; c++) {
		fprintf(f, "<div title=\"");
		E(s->cols[c].desc);
		fprintf(f, "\"><span class=\"k\">");
		E(s->cols[c].name);
		fprintf(f, "</span> <span class=\"v\">");
		E(rs_rfield(d, file, 0, c));
		if (*s->cols[c].unit && strcmp(s->cols[c].unit, "0..1")) {
			fprintf(f, " ");
			E(s->cols[c].unit);
		}
		fprintf(f, "</span></div>\n");
	}
	fprintf(f, "</div>\n");
}

/* ------------------------------------------------------------ run page */

/* Whether rows i and j of a file have the same values in the named
 * columns. */
static bool same(const struct rs_repdir *d, enum rs_rfile file, size_t i,
		 size_t j, const char *const *cols, unsigned n)
{
	for (unsigned c = 0; c < n; c++)
		if (strcmp(col(d, file, i, cols[c]), col(d, file, j, cols[c])))
			return false;
	return true;
}

/* Whether a file's rows hold more than one (scenario, closer): labels
 * then name them. */
static bool many_scenarios(const struct rs_repdir *d, enum rs_rfile file)
{
	static const char *const sc[] = { "scenario", "closer" };

	for (size_t i = 1; i < d->t[file].nrows; i++)
		if (!same(d, file, 0, i, sc, 2))
			return true;
	return false;
}

/* "fin op 2 send" (with "scenario/closer " in front when many). */
static void group_label(const struct rs_repdir *d, enum rs_rfile file,
			size_t i, bool many, char *buf, size_t len)
{
	const char *opi = col(d, file, i, "op_index");

	if (strcmp(opi, "0") == 0)
		snprintf(buf, len, "%s%s%s%s", many ? col(d, file, i, "scenario") : "",
			 many ? "/" : "", many ? col(d, file, i, "closer") : "",
			 many ? " connect" : "connect");
	else
		snprintf(buf, len, "%s%s%s%s%s op %s %s",
			 many ? col(d, file, i, "scenario") : "",
			 many ? "/" : "", many ? col(d, file, i, "closer") : "",
			 many ? " " : "", col(d, file, i, "close_mode"), opi,
			 col(d, file, i, "op_kind"));
}

/* Stacked bars: one per (scenario, closer, close_mode, op_index) of
 * outcomes.csv, a segment per result, its width the result's share. */
static void outcome_bars(FILE *f, const struct rs_repdir *d)
{
	static const char *const gk[] = { "scenario", "closer", "close_mode",
					  "op_index" };
	enum rs_rfile F = RS_RF_OUTCOMES;
	const struct rs_rtable *t = &d->t[F];
	bool many = many_scenarios(d, F);
	size_t ngroups = 0;
	const char *seen[64];
	unsigned nseen = 0;
	struct plot p = { .f = f, .w = 760, .l = 200, .r = 20, .t = 10,
			  .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1 };
	char label[200], lab2[512];
	int y;

	for (size_t i = 0; i < t->nrows; i++)
		if (!i || !same(d, F, i - 1, i, gk, 4))
			ngroups++;
	for (size_t i = 0; i < t->nrows; i++) {
		const char *r = col(d, F, i, "result");
		unsigned k;

		for (k = 0; k < nseen && strcmp(seen[k], r); k++)
			;
		if (k == nseen && nseen < 64)
			seen[nseen++] = r;
	}
	if (!ngroups) {
		fprintf(f, "<p>No op completed: outcomes.csv has no rows.</p>\n");
		return;
	}
	p.b = 40 + 16 * (int)((nseen + 2) / 3) + 8;
	p.h = p.t + 22 * (int)ngroups + p.b;
	svg_open(f, p.w, p.h, "outcome shares per close mode and op");
	share_ticks(&p);
	y = p.t;
	for (size_t i = 0; i < t->nrows;) {
		size_t g = i;
		double total = 0, acc = 0;

		for (; g < t->nrows && same(d, F, i, g, gk, 4); g++)
			total += num(col(d, F, g, "count"));
		group_label(d, F, i, many, label, sizeof(label));
		fprintf(f,
			"<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			p.l - 6, y + 15);
		E(label);
		fprintf(f, "</text>\n");
		for (size_t k = i; k < g; k++) {
			const char *r = col(d, F, k, "result");
			double c = num(col(d, F, k, "count"));
			double x0 = px(&p, total > 0 ? acc / total : 0);
			double x1 = px(&p, total > 0 ? (acc + c) / total : 0);

			acc += c;
			fprintf(f,
				"<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"18\" fill=\"%s\"><title>",
				x0, y + 2, x1 - x0 > 0.5 ? x1 - x0 : 0.5,
				result_colour(r));
			snprintf(lab2, sizeof(lab2), "%s: %s %.0f of %.0f (%.1f%%)",
				 label, r, c, total,
				 total > 0 ? 100 * c / total : 0);
			E(lab2);
			fprintf(f, "</title></rect>\n");
		}
		y += 22;
		i = g;
	}
	fprintf(f, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">share of the op's completions</text>\n",
		p.l + (p.w - p.l - p.r) / 2, p.h - p.b + 30);
	for (unsigned k = 0; k < nseen; k++)
		legend(&p, k, result_colour(seen[k]), seen[k]);
	fprintf(f, "</svg>\n");
}

/* Power-of-two bins of histogram buckets: bin k holds [2^k, 2^(k+1)) ns,
 * bin 0 also 0 and 1. */
#define NBINS 64

/* Where bin k is drawn: its geometric middle, 2^(k+1/2) ns. */
static double bin_mid(unsigned k)
{
	return ldexp(M_SQRT2, (int)k);
}

static unsigned bin_of(double lo)
{
	unsigned k = 0;

	while (k + 1 < NBINS && lo >= 2 && lo >= ldexp(1, (int)k + 1))
		k++;
	return k;
}

/* One (scenario, closer, close_mode, op_index) of histograms.csv. */
struct hgroup {
	size_t first, end;       /* its rows [first, end) */
};

static const char *const hk[] = { "scenario", "closer", "close_mode",
				  "op_index" };

static size_t hgroups(const struct rs_repdir *d, struct hgroup **out)
{
	enum rs_rfile F = RS_RF_HISTOGRAMS;
	const struct rs_rtable *t = &d->t[F];
	struct hgroup *g = NULL;
	size_t n = 0;

	for (size_t i = 0; i < t->nrows; i++) {
		if (i && same(d, F, i - 1, i, hk, 4))
			continue;
		struct hgroup *ng = realloc(g, (n + 1) * sizeof(*g));

		if (!ng)
			break;
		g = ng;
		if (n)
			g[n - 1].end = i;
		g[n++].first = i;
	}
	if (n)
		g[n - 1].end = t->nrows;
	*out = g;
	return n;
}

/* The counts of histogram name of group g, binned into bins[NBINS]. */
static double hbins(const struct rs_repdir *d, const struct hgroup *g,
		    const char *name, double *bins)
{
	enum rs_rfile F = RS_RF_HISTOGRAMS;
	double total = 0;

	memset(bins, 0, NBINS * sizeof(*bins));
	for (size_t i = g->first; i < g->end; i++) {
		double c;

		if (strcmp(col(d, F, i, "histogram"), name))
			continue;
		c = num(col(d, F, i, "count"));
		bins[bin_of(num(col(d, F, i, "bucket_lo_ns")))] += c;
		total += c;
	}
	return total;
}

/* Per close mode, the share of errors among the ops issued in each
 * power-of-two bin of time since the server's close, a line per op. */
static void error_rate(FILE *f, const struct rs_repdir *d)
{
	enum rs_rfile F = RS_RF_HISTOGRAMS;
	struct hgroup *g;
	size_t n = hgroups(d, &g);
	bool many = many_scenarios(d, F);
	unsigned charts = 0;

	for (size_t a = 0; a < n;) {
		static const char *const mk[] = { "scenario", "closer",
						  "close_mode" };
		size_t b = a;
		unsigned lo = NBINS, hi = 0, series = 0, nser;
		double all[NBINS], err[NBINS];
		struct plot p = { .f = f, .w = 760, .h = 0, .l = 60, .r = 20,
				  .t = 24, .y0 = 0, .y1 = 1, .logx = true };
		char title[200], lab[240], t0[32], t1[32], tip[512];

		while (b < n && same(d, F, g[a].first, g[b].first, mk, 3))
			b++;
		for (size_t k = a; k < b; k++) {
			if (hbins(d, &g[k], "since_close_ns", all) == 0)
				continue;
			series++;
			for (unsigned x = 0; x < NBINS; x++)
				if (all[x] > 0) {
					lo = x < lo ? x : lo;
					hi = x > hi ? x : hi;
				}
		}
		if (!series) {
			a = b;
			continue;
		}
		charts++;
		p.x0 = floor(log10(ldexp(1, (int)lo)));
		p.x1 = ceil(log10(ldexp(1, (int)hi + 1)));
		if (p.x1 <= p.x0)
			p.x1 = p.x0 + 1;
		p.b = 40 + 16 * (int)((series + 2) / 3) + 8;
		p.h = 230 + p.b;
		snprintf(title, sizeof(title), "%s%s%s%s", many ? col(d, F, g[a].first, "scenario") : "",
			 many ? "/" : "", many ? col(d, F, g[a].first, "closer") : "",
			 col(d, F, g[a].first, "close_mode"));
		fprintf(f, "<h3>");
		E(title);
		fprintf(f, ": errors among the ops by time since the close</h3>\n");
		svg_open(f, p.w, p.h, title);
		plot_axes(&p, "time from the server's close to the op's issue",
			  "error share");
		nser = series;
		series = 0;
		for (size_t k = a; k < b; k++) {
			const char *c = palette[series % NPALETTE];
			/* equal shares overlap: a line drawn earlier is wider,
			 * so it shows around the later ones */
			unsigned wide = 2 + 3 * (nser - 1 - series);

			if (hbins(d, &g[k], "since_close_ns", all) == 0)
				continue;
			hbins(d, &g[k], "since_close_err_ns", err);
			group_label(d, F, g[k].first, false, lab, sizeof(lab));
			fprintf(f,
				"<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%u\" stroke-opacity=\"0.85\" points=\"",
				c, wide);
			for (unsigned x = lo; x <= hi; x++)
				if (all[x] > 0)
					fprintf(f, "%.1f,%.1f ",
						px(&p, bin_mid(x)),
						py(&p, err[x] / all[x]));
			fprintf(f, "\"/>\n");
			for (unsigned x = lo; x <= hi; x++) {
				if (!(all[x] > 0))
					continue;
				fmt_ns(t0, sizeof(t0), ldexp(1, (int)x));
				fmt_ns(t1, sizeof(t1), ldexp(1, (int)x + 1));
				fprintf(f,
					"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"><title>",
					px(&p, bin_mid(x)),
					py(&p, err[x] / all[x]),
					2.5 + wide / 2.0, c);
				snprintf(tip, sizeof(tip),
					 "%s, %s to %s after the close: %.0f errors of %.0f ops",
					 lab, t0, t1, err[x], all[x]);
				E(tip);
				fprintf(f, "</title></circle>\n");
			}
			legend(&p, series++, c, lab);
		}
		fprintf(f, "</svg>\n");
		a = b;
	}
	if (!charts)
		fprintf(f, "<p>No op ran after a close stamp (no since_close_ns histogram): nothing to draw.</p>\n");
	free(g);
}

/* Latency CDFs of one histogram name: a line per group that has it. */
static void cdf(FILE *f, const struct rs_repdir *d, const char *name,
		const char *what)
{
	enum rs_rfile F = RS_RF_HISTOGRAMS;
	struct hgroup *g;
	size_t n = hgroups(d, &g);
	bool many = many_scenarios(d, F);
	double lo = INFINITY, hi = 0;
	unsigned series = 0;
	struct plot p = { .f = f, .w = 760, .l = 60, .r = 20, .t = 24,
			  .y0 = 0, .y1 = 1, .logx = true };
	char lab[240], tip[300];

	for (size_t i = 0; i < d->t[F].nrows; i++) {
		double l, h;

		if (strcmp(col(d, F, i, "histogram"), name))
			continue;
		l = num(col(d, F, i, "bucket_lo_ns"));
		h = num(col(d, F, i, "bucket_hi_ns"));
		if (isinf(h))
			h = 2 * l;
		lo = l < lo ? l : lo;
		hi = h > hi ? h : hi;
	}
	for (size_t k = 0; k < n; k++) {
		bool has = false;

		for (size_t i = g[k].first; i < g[k].end && !has; i++)
			has = !strcmp(col(d, F, i, "histogram"), name);
		series += has;
	}
	if (!series) {
		fprintf(f, "<p>No %s histogram in histograms.csv.</p>\n", what);
		free(g);
		return;
	}
	p.x0 = floor(log10(lo > 1 ? lo : 1));
	p.x1 = ceil(log10(hi > 10 ? hi : 10));
	if (p.x1 <= p.x0)
		p.x1 = p.x0 + 1;
	p.b = 40 + 16 * (int)((series + 2) / 3) + 8;
	p.h = 230 + p.b;
	svg_open(f, p.w, p.h, what);
	plot_axes(&p, what, "fraction at or below");
	series = 0;
	for (size_t k = 0; k < n; k++) {
		const char *c = palette[series % NPALETTE];
		double total = 0, acc = 0, first = -1;

		for (size_t i = g[k].first; i < g[k].end; i++)
			if (!strcmp(col(d, F, i, "histogram"), name)) {
				total += num(col(d, F, i, "count"));
				if (first < 0)
					first = num(col(d, F, i, "bucket_lo_ns"));
			}
		if (!(total > 0))
			continue;
		group_label(d, F, g[k].first, many, lab, sizeof(lab));
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%.1f,%.1f ",
			c, px(&p, first), py(&p, 0));
		for (size_t i = g[k].first; i < g[k].end; i++) {
			double h;

			if (strcmp(col(d, F, i, "histogram"), name))
				continue;
			h = num(col(d, F, i, "bucket_hi_ns"));
			if (isinf(h))
				h = 2 * num(col(d, F, i, "bucket_lo_ns"));
			acc += num(col(d, F, i, "count"));
			fprintf(f, "%.1f,%.1f ", px(&p, h), py(&p, acc / total));
		}
		fprintf(f, "\"><title>");
		snprintf(tip, sizeof(tip), "%s: %.0f samples", lab, total);
		E(tip);
		fprintf(f, "</title></polyline>\n");
		legend(&p, series++, c, lab);
	}
	fprintf(f, "</svg>\n");
	free(g);
}

/* The smallest v' >= v whose quarter is 1, 2, 2.5 or 5 times a power of
 * ten: round ticks. */
static double nice_ceil(double v)
{
	static const double m[] = { 1, 2, 2.5, 5, 10 };
	double q = v / 4, mag;

	if (!(q > 0))
		return 1;
	mag = pow(10, floor(log10(q)));
	for (unsigned i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (m[i] * mag >= q * (1 - 1e-9))
			return 4 * m[i] * mag;
	return 40 * mag;
}

/* One column of intervals.csv (a rate) against the time since the start:
 * a step per interval, the y axis from 0 to the largest value. */
static void interval_chart(FILE *f, const struct rs_repdir *d,
			   const char *name, const char *what,
			   const char *colour)
{
	enum rs_rfile F = RS_RF_INTERVALS;
	size_t n = d->t[F].nrows;
	struct plot p = { .f = f, .w = 760, .h = 220, .l = 70, .r = 20,
			  .t = 16, .b = 40, .y0 = 0, .y1 = 0, .x0 = 0,
			  .yprec = 7 };
	char tip[160];
	double top = 0;

	for (size_t i = 0; i < n; i++) {
		double v = num(col(d, F, i, name));
		double t = num(col(d, F, i, "t_end_s"));

		top = v > top ? v : top;
		p.x1 = t > p.x1 ? t : p.x1;
	}
	if (!n) {
		fprintf(f, "<p>No interval in intervals.csv.</p>\n");
		return;
	}
	/* all zero: 0..1, the line lies on the axis */
	p.y1 = nice_ceil(top);
	p.x1 = nice_ceil(p.x1);
	svg_open(f, p.w, p.h, what);
	plot_axes(&p, "time since the start (s)", what);
	for (int q = 0; q <= 4; q++) {
		double x = px(&p, p.x1 * q / 4);

		fprintf(f,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.3g</text>\n",
			x, p.t, x, p.h - p.b, x, p.h - p.b + 14, p.x1 * q / 4);
	}
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
		colour);
	for (size_t i = 0; i < n; i++) {
		double v = num(col(d, F, i, name));

		fprintf(f, "%.1f,%.1f %.1f,%.1f ",
			px(&p, num(col(d, F, i, "t_start_s"))), py(&p, v),
			px(&p, num(col(d, F, i, "t_end_s"))), py(&p, v));
	}
	snprintf(tip, sizeof(tip), "%s: %zu intervals, largest %.6g", what,
		 n, top);
	fprintf(f, "\"><title>");
	E(tip);
	fprintf(f, "</title></polyline>\n</svg>\n");
}

static bool always(const struct rs_repdir *d, enum rs_rfile file,
		      size_t i)
{
	(void)d; (void)file; (void)i;
	return true;
}

static void run_page(FILE *f, struct rs_repdir *d)
{
	enum rs_rfile S = RS_RF_SUMMARY;
	bool bal = strcmp(rs_rget1(d, S, "books_balanced"), "1") == 0;
	fprintf(f, "<h1>rststorm run report</h1>\n<p class=\"sub\">");
	E(rs_rget1(d, S, "started_utc"));
	fprintf(f, " &middot; kernel ");
	E(rs_rget1(d, S, "kernel_release"));
	fprintf(f, " &middot; path ");
	E(rs_rget1(d, S, "engine"));
	fprintf(f, ", ring ");
	E(rs_rget1(d, S, "ring_flags"));
	fprintf(f, ", client sockets ");
	E(rs_rget1(d, S, "client_sockets"));
	fprintf(f, ", accept ");
	E(rs_rget1(d, S, "accept"));
	fprintf(f, "<br>close ");
	E(rs_rget1(d, S, "close_mix"));
	fprintf(f, " &middot; ops ");
	E(rs_rget1(d, S, "ops"));
	fprintf(f, " &middot; wait ");
	E(rs_rget1(d, S, "wait"));
	fprintf(f, " &middot; -c ");
	E(rs_rget1(d, S, "concurrency"));
	fprintf(f, " &middot; seed ");
	E(rs_rget1(d, S, "seed"));
	fprintf(f, "</p>\n<p class=\"books %s\">books %s: started ",
		bal ? "ok" : "bad", bal ? "balanced" : "NOT balanced");
	E(rs_rget1(d, S, "conns_started"));
	fprintf(f, " = completed ");
	E(rs_rget1(d, S, "conns_completed"));
	fprintf(f, " + failed ");
	E(rs_rget1(d, S, "conns_failed"));
	fprintf(f, " + abandoned ");
	E(rs_rget1(d, S, "conns_abandoned"));
	fprintf(f, "; ops completed ");
	E(rs_rget1(d, S, "ops_completed"));
	fprintf(f, " in ");
	E(rs_rget1(d, S, "elapsed_s"));
	fprintf(f, " s</p>\n<details><summary>every field of summary.csv</summary>\n");
	kv_table(f, d, S);
	fprintf(f, "</details>\n");

	fprintf(f, "<h2 id=\"outcomes\">Outcomes per close mode and op</h2>\n");
	outcome_bars(f, d);
	fprintf(f, "<h2 id=\"since\">Errors against the time since the close</h2>\n");
	error_rate(f, d);
	fprintf(f, "<h2 id=\"latency\">Latency</h2>\n<h3>connect</h3>\n");
	cdf(f, d, "connect_ns", "connect latency");
	fprintf(f, "<h3>ops</h3>\n");
	cdf(f, d, "op_ns", "op latency (issue to completion)");
	if (d->t[RS_RF_INTERVALS].present) {
		fprintf(f, "<h2 id=\"intervals\">Interval rates</h2>\n");
		interval_chart(f, d, "conns_per_s", "connections per second",
			       palette[0]);
		interval_chart(f, d, "errors_per_s",
			       "failed connections per second", palette[3]);
		interval_chart(f, d, "ops_per_s", "ops per second",
			       palette[2]);
	}
	if (d->t[RS_RF_HOLD].present) {
		fprintf(f, "<h2 id=\"hold\">Hold</h2>\n");
		kv_table(f, d, RS_RF_HOLD);
	}
	fprintf(f, "<h2 id=\"ops\">ops.csv</h2>\n");
	table(f, d, RS_RF_OPS, NULL);
	if (d->t[RS_RF_FAILURES].nrows) {
		fprintf(f, "<h2 id=\"failures\">Failures</h2>\n");
		table(f, d, RS_RF_FAILURES, always);
	}
	if (d->t[RS_RF_RUN_MIB].present && d->t[RS_RF_RUN_MIB].nrows) {
		fprintf(f, "<h2 id=\"mib\">Kernel counters</h2>\n");
		table(f, d, RS_RF_RUN_MIB, NULL);
	}
}

/* ---------------------------------------------------------- check page */

/* Whether result r is one of expected "a|b|c". */
static bool expected_has(const char *expected, const char *r)
{
	size_t n = strlen(r);

	for (const char *p = expected; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);

		if (l == n && !strncmp(p, r, n))
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

static bool cell_unexpected(const struct rs_repdir *d, enum rs_rfile file,
			    size_t i)
{
	return !strcmp(col(d, file, i, "judged"), "exact") &&
	       !expected_has(col(d, file, i, "expected"),
			     col(d, file, i, "result"));
}

static bool verdict_diff(const struct rs_repdir *d, enum rs_rfile file,
			 size_t i)
{
	return !strcmp(col(d, file, i, "verdict"), "DIFF");
}

static bool mib_mismatch(const struct rs_repdir *d, enum rs_rfile file,
			 size_t i)
{
	return !strcmp(col(d, file, i, "status"), "MISMATCH");
}

/* The verdict grid: a row per scenario, a column per phase, the verdict's
 * colour; each cell's title holds the verdict row and its cells (share
 * and Wilson interval). */
static void verdict_grid(FILE *f, const struct rs_repdir *d)
{
	enum rs_rfile V = RS_RF_VERDICTS, C = RS_RF_CELLS;
	static const char *const phases[] = { "alone", "load" };
	const struct rs_rtable *v = &d->t[V];
	struct plot p = { .f = f, .w = 560, .l = 220, .t = 30 };
	size_t nsc = 0;
	char tip[600];
	int y;

	for (size_t i = 0; i < v->nrows; i++)
		if (!i || strcmp(col(d, V, i, "scenario"),
				 col(d, V, i - 1, "scenario")))
			nsc++;
	if (!nsc) {
		fprintf(f, "<p>verdicts.csv has no rows: no scenario ran.</p>\n");
		return;
	}
	p.h = p.t + 26 * (int)nsc + 10;
	svg_open(f, p.w, p.h, "verdict grid");
	for (unsigned ph = 0; ph < 2; ph++)
		fprintf(f,
			"<text class=\"axis\" x=\"%d\" y=\"20\" text-anchor=\"middle\">%s</text>\n",
			p.l + 80 + 165 * (int)ph, phases[ph]);
	y = p.t;
	for (size_t i = 0; i < v->nrows;) {
		const char *sc = col(d, V, i, "scenario");
		size_t g = i;

		fprintf(f,
			"<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			p.l - 8, y + 16);
		E(sc);
		fprintf(f, "</text>\n");
		for (unsigned ph = 0; ph < 2; ph++) {
			size_t k;
			int x = p.l + 165 * (int)ph;

			for (k = i; k < v->nrows &&
				    !strcmp(col(d, V, k, "scenario"), sc) &&
				    strcmp(col(d, V, k, "phase"), phases[ph]);
			     k++)
				;
			if (k == v->nrows || strcmp(col(d, V, k, "scenario"), sc)) {
				fprintf(f,
					"<rect x=\"%d\" y=\"%d\" width=\"160\" height=\"22\" fill=\"#eeeeee\"><title>not run</title></rect>\n",
					x, y);
				continue;
			}
			fprintf(f,
				"<g><rect x=\"%d\" y=\"%d\" width=\"160\" height=\"22\" fill=\"%s\"/>"
				"<text class=\"cell\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
				x, y, verdict_colour(col(d, V, k, "verdict")),
				x + 80, y + 16);
			E(col(d, V, k, "verdict"));
			fprintf(f, "</text><title>");
			snprintf(tip, sizeof(tip),
				 "%s %s: %s (%s trials, closer %s, %s, path %s, sigpipe %s expected %s)\n%s",
				 sc, phases[ph], col(d, V, k, "verdict"),
				 col(d, V, k, "trials"), col(d, V, k, "closer"),
				 col(d, V, k, "close_mode"), col(d, V, k, "path"),
				 col(d, V, k, "sigpipe"),
				 col(d, V, k, "sigpipe_expected"),
				 col(d, V, k, "detail"));
			E(tip);
			for (size_t c = 0; c < d->t[C].nrows; c++) {
				if (strcmp(col(d, C, c, "scenario"), sc) ||
				    strcmp(col(d, C, c, "phase"), phases[ph]))
					continue;
				snprintf(tip, sizeof(tip),
					 "\nop %s %s %s: %s = %s [%s, %s], expected %s (%s)",
					 col(d, C, c, "op_index"),
					 col(d, C, c, "op_kind"),
					 col(d, C, c, "result"),
					 col(d, C, c, "count"),
					 col(d, C, c, "share"),
					 col(d, C, c, "ci_lo"),
					 col(d, C, c, "ci_hi"),
					 col(d, C, c, "expected"),
					 col(d, C, c, "judged"));
				E(tip);
			}
			fprintf(f, "</title></g>\n");
		}
		while (g < v->nrows && !strcmp(col(d, V, g, "scenario"), sc))
			g++;
		i = g;
		y += 26;
	}
	fprintf(f, "</svg>\n");
}

static void check_page(FILE *f, struct rs_repdir *d)
{
	enum rs_rfile K = RS_RF_CHECK;

	fprintf(f, "<h1>rststorm check report</h1>\n<p class=\"sub\">");
	E(rs_rget1(d, K, "started_utc"));
	fprintf(f, " &middot; kernel ");
	E(rs_rget1(d, K, "kernel_release"));
	fprintf(f, " &middot; ring ");
	E(rs_rget1(d, K, "ring_flags"));
	fprintf(f, ", client sockets ");
	E(rs_rget1(d, K, "client_sockets"));
	fprintf(f, ", accept ");
	E(rs_rget1(d, K, "accept"));
	fprintf(f, " &middot; trials ");
	E(rs_rget1(d, K, "trials"));
	fprintf(f, "</p>\n<p class=\"books %s\">PASS ",
		strcmp(rs_rget1(d, K, "diff"), "0") ? "bad" : "ok");
	E(rs_rget1(d, K, "pass"));
	fprintf(f, " &middot; MEASURED ");
	E(rs_rget1(d, K, "measured"));
	fprintf(f, " &middot; DIFF ");
	E(rs_rget1(d, K, "diff"));
	fprintf(f, " &middot; counter mismatches ");
	E(rs_rget1(d, K, "counter_mismatches"));
	fprintf(f, " &middot; exit status ");
	E(rs_rget1(d, K, "exit_status"));
	fprintf(f, "</p>\n<details><summary>every field of check.csv</summary>\n");
	kv_table(f, d, K);
	fprintf(f, "</details>\n<h2 id=\"grid\">Verdicts</h2>\n"
		   "<p class=\"legend\"><span style=\"background:#4caf50\">PASS</span> "
		   "<span style=\"background:#42a5f5\">MEASURED</span> "
		   "<span style=\"background:#e53935\">DIFF</span> "
		   "<span style=\"background:#eeeeee;color:#333\">not run</span> "
		   "(the title of a cell holds its detail and its cells: share [Wilson interval])</p>\n");
	verdict_grid(f, d);
	fprintf(f, "<h2 id=\"verdicts\">verdicts.csv</h2>\n");
	table(f, d, RS_RF_VERDICTS, verdict_diff);
	fprintf(f, "<h2 id=\"cells\">Cells</h2>\n<p>Highlighted: a result an exact cell does not expect.</p>\n");
	table(f, d, RS_RF_CELLS, cell_unexpected);
	if (d->t[RS_RF_CHECK_MIB].present && d->t[RS_RF_CHECK_MIB].nrows) {
		fprintf(f, "<h2 id=\"mib\">Kernel counters</h2>\n");
		table(f, d, RS_RF_CHECK_MIB, mib_mismatch);
	}
}

/* -------------------------------------------------------- compare page */

static bool differs(const struct rs_repdir *d, enum rs_rfile file, size_t i)
{
	return !strcmp(col(d, file, i, "differs"), "1");
}

/* Most cells drawn in the compare chart; the table has them all. */
#define CMP_DRAW_MAX 300

static void compare_page(FILE *f, struct rs_repdir *d, enum rs_rfile F)
{
	const struct rs_rtable *t = &d->t[F];
	bool check = F == RS_RF_CMP_CHECK;
	size_t nd = 0;
	size_t nshow = t->nrows < CMP_DRAW_MAX ? t->nrows : CMP_DRAW_MAX;
	struct plot p = { .f = f, .w = 760, .l = 260, .r = 20, .t = 10,
			  .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1 };
	char lab[300], tip[400];
	int y;

	for (size_t i = 0; i < t->nrows; i++)
		nd += differs(d, F, i);
	fprintf(f, "<h1>rststorm compare report (%s reports)</h1>\n",
		check ? "check" : "run");
	fprintf(f, "<p class=\"books %s\">%zu of %zu cells differ</p>\n",
		nd ? "bad" : "ok", nd, t->nrows);
	fprintf(f, "<h2 id=\"shares\">Shares in A and B</h2>\n");
	if (!t->nrows) {
		fprintf(f, "<p>compare.csv has no rows.</p>\n");
	} else {
		if (nshow < t->nrows)
			fprintf(f, "<p>The first %zu cells; the table below has all %zu.</p>\n",
				nshow, t->nrows);
		p.b = 64;
		p.h = p.t + 20 * (int)nshow + p.b;
		svg_open(f, p.w, p.h, "shares of each cell in A and B");
		share_ticks(&p);
		y = p.t;
		for (size_t i = 0; i < nshow; i++) {
			double a = num(col(d, F, i, "share_a"));
			double b = num(col(d, F, i, "share_b"));

			snprintf(lab, sizeof(lab), "%s%s%s op %s %s %s",
				 check ? col(d, F, i, "scenario") : "",
				 check ? " " : "",
				 col(d, F, i, check ? "phase" : "close_mode"),
				 col(d, F, i, "op_index"),
				 col(d, F, i, "op_kind"),
				 col(d, F, i, "result"));
			if (differs(d, F, i))
				fprintf(f,
					"<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"20\" fill=\"#ffebee\"/>\n",
					y, p.w);
			fprintf(f,
				"<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
				p.l - 6, y + 14);
			E(lab);
			fprintf(f, "</text>\n");
			snprintf(tip, sizeof(tip),
				 "%s: A %s of %s (%s), B %s of %s (%s), %s p=%s%s",
				 lab, col(d, F, i, "count_a"),
				 col(d, F, i, "total_a"), col(d, F, i, "share_a"),
				 col(d, F, i, "count_b"), col(d, F, i, "total_b"),
				 col(d, F, i, "share_b"), col(d, F, i, "test"),
				 col(d, F, i, "p_value"),
				 differs(d, F, i) ? ": differs" : "");
			fprintf(f,
				"<g><rect x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"8\" fill=\"#1f77b4\"/>"
				"<rect x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"8\" fill=\"#ff7f0e\"/><title>",
				p.l, y + 2, fmax(px(&p, a) - p.l, 0.5),
				p.l, y + 10, fmax(px(&p, b) - p.l, 0.5));
			E(tip);
			fprintf(f, "</title></g>\n");
			y += 20;
		}
		legend(&p, 0, "#1f77b4", "A (first report)");
		legend(&p, 1, "#ff7f0e", "B (second report)");
		fprintf(f, "</svg>\n");
	}
	fprintf(f, "<h2 id=\"cells\">Cells</h2>\n<p>Highlighted: the cells that differ.</p>\n");
	table(f, d, F, differs);
}

/* --------------------------------------------------------------- page */

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#212121;max-width:1100px}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}"
	"h3{font-size:15px;margin:16px 0 4px}.sub{color:#555;margin:0 0 8px}"
	".books{padding:6px 10px;border-radius:4px;display:inline-block}"
	".books.ok{background:#e8f5e9}.books.bad{background:#ffebee}"
	".kv{display:grid;grid-template-columns:repeat(3,1fr);gap:2px 16px;font-size:12px}"
	".k{color:#666}.v{font-family:monospace}"
	"table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;white-space:pre}"
	"th{background:#f5f5f5}tr.hl td{background:#ffebee}.scroll{overflow-x:auto}"
	"svg{display:block;margin:6px 0}.frame{fill:none;stroke:#999}.grid{stroke:#e0e0e0}"
	".tick{font-size:11px;fill:#444}.axis{font-size:12px;fill:#222}.cell{font-size:12px;fill:#fff;font-weight:bold}"
	".legend span{padding:1px 6px;border-radius:3px;color:#fff}";

enum page_kind { PAGE_RUN, PAGE_CHECK, PAGE_COMPARE };

static void page(FILE *f, struct rs_repdir *d, enum page_kind kind,
		 enum rs_rfile cmp)
{
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		/* the page is whole: nothing may be fetched, nothing run */
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
		"<title>rststorm %s report: ",
		kind == PAGE_COMPARE ? "compare" :
		kind == PAGE_RUN     ? "run" : "check");
	E(d->dir);
	fprintf(f, "</title>\n<style>%s</style></head><body>\n", css);
	if (kind == PAGE_COMPARE)
		compare_page(f, d, cmp);
	else if (kind == PAGE_RUN)
		run_page(f, d);
	else
		check_page(f, d);
	fprintf(f, "<p class=\"sub\">Made by rststorm report from ");
	E(d->dir);
	fprintf(f, ". The columns are described in docs/csv.md and docs/compare.md.</p>\n</body></html>\n");
}

static bool exists(const char *dir, const char *name)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

/* compare.csv of check reports has a phase column third; peek at the
 * header to pick the schema, the loader then checks it whole (and says
 * what is wrong). O_NONBLOCK and a regular file only: a FIFO planted as
 * compare.csv must not block here; the loader refuses it. */
static enum rs_rfile compare_kind(const char *dir)
{
	char path[4200], line[64];
	struct stat st;
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/compare.csv", dir);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0) {
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			n = read(fd, line, sizeof(line) - 1);
		close(fd);
	}
	line[n > 0 ? n : 0] = '\0';
	return strncmp(line, "schema_version,scenario,phase,", 30) == 0 ?
		       RS_RF_CMP_CHECK : RS_RF_CMP_RUN;
}

int rs_html_report(const char *dir, const char *out, char *err,
		   size_t errlen)
{
	struct rs_repdir d;
	struct rs_csv_out o;
	enum rs_rfile cmp = RS_RF_CMP_RUN;
	char *c1 = NULL, *c2 = NULL, ev[RS_ESC_VALUE];
	struct stat st;
	enum page_kind kind;
	int ret;

	memset(&d, 0, sizeof(d));
	if (!exists(dir, "summary.csv") && !exists(dir, "check.csv") &&
	    exists(dir, "compare.csv")) {
		kind = PAGE_COMPARE;
		cmp = compare_kind(dir);
		if (rs_repdir_load_one(&d, cmp, dir, err, errlen))
			return 2;
	} else {
		if (rs_repdir_load(&d, dir, err, errlen))
			return 2;
		kind = d.kind == RS_RKIND_RUN ? PAGE_RUN : PAGE_CHECK;
		if (kind == PAGE_RUN && exists(dir, "hold.csv") &&
		    rs_repdir_load_one(&d, RS_RF_HOLD, dir, err, errlen)) {
			rs_repdir_free(&d);
			return 2;
		}
		if (kind == PAGE_RUN && exists(dir, "intervals.csv") &&
		    rs_repdir_load_one(&d, RS_RF_INTERVALS, dir, err,
				       errlen)) {
			rs_repdir_free(&d);
			return 2;
		}
	}
	/* the rename would replace whatever out names: only a regular file
	 * is replaced, never a symlink (/dev/stdout is one), a device or a
	 * directory */
	if (lstat(out, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
			 "-o '%s': exists and is not a regular file (%s): name a new file or a regular file to replace",
			 rs_esc(ev, sizeof(ev), out),
			 S_ISLNK(st.st_mode) ? "a symlink" :
			 S_ISDIR(st.st_mode) ? "a directory" :
			 S_ISFIFO(st.st_mode) ? "a FIFO" : "a device or socket");
		rs_repdir_free(&d);
		return 2;
	}
	c1 = strdup(out);
	c2 = strdup(out);
	if (!c1 || !c2) {
		snprintf(err, errlen, "out of memory");
		ret = 1;
		goto done;
	}
	if (rs_csv_open(&o, dirname(c1), basename(c2), err, errlen)) {
		size_t n = strlen(err);

		snprintf(err + n, errlen - n,
			 ": give -o a file in a directory that exists and that you can write");
		ret = 1;
		goto done;
	}
	page(o.f, &d, kind, cmp);
	ret = rs_csv_close(&o, err, errlen) ? 1 : 0;
done:
	free(c1);
	free(c2);
	rs_repdir_free(&d);
	return ret;
}

static void report_usage(FILE *f)
{
	fprintf(f,
		"usage: rststorm report DIR [-o FILE]\n"
		"\n"
		"Render a report directory as one self-contained HTML page: a run report\n"
		"(rststorm run --csv DIR: outcome shares, errors against the time since\n"
		"the close, latency CDFs, hold), a check report (rststorm check --csv DIR:\n"
		"the verdict grid and the cells) or a comparison (rststorm compare --csv\n"
		"DIR: the cells, those that differ highlighted). Inline CSS and SVG, no\n"
		"script, nothing fetched. Exit status: 0 written, 1 the page could not be\n"
		"written, 2 DIR is not a report this rststorm reads, or a usage error.\n"
		"\n"
		"options:\n"
		"  -o, --output FILE   write the page to FILE (default DIR/report.html); an\n"
		"                      existing regular file is replaced, a symlink refused\n"
		"  -h, --help          this text\n");
}

int rs_cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", 1, NULL, 'o' },
		{ "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	char err[1024], ev[RS_ESC_VALUE], def[4200], shown[RS_ESC_VALUE];
	int c, st;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!*optarg) {
				fprintf(stderr,
					"rststorm report: -o '': a file path for the HTML page\n");
				return 2;
			}
			out = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "rststorm report: %s: needs a value\n",
				rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return 2;
		default:
			fprintf(stderr,
				"rststorm report: '%s': unknown option (rststorm report --help lists them)\n",
				rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr,
			"rststorm report: needs one report directory, got %d (rststorm report --help)\n",
			argc - optind);
		return 2;
	}
	if (!out) {
		snprintf(def, sizeof(def), "%s/report.html", argv[optind]);
		out = def;
	}
	st = rs_html_report(argv[optind], out, err, sizeof(err));
	if (st) {
		fprintf(stderr, "rststorm report: %s\n", err);
		return st;
	}
	printf("wrote %s\n", rs_esc(shown, sizeof(shown), out));
	return 0;
}
