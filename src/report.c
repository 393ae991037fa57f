/* The human table and the CSV writers. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esc.h"
#include "interval.h"
#include "json.h"
#include "ring.h"
#include "util.h"

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

/* "12us", "1.5ms", "2.0s": a latency for people. */
static void fmt_lat(uint64_t ns, char *buf, size_t len);

/* The percentiles every latency is reported with (summary.csv's). */
static const double k_pcts[] = { 50, 90, 99, 99.9, 100 };
static const char *const k_pct_names[] = { "p50", "p90", "p99", "p99.9",
					    "max" };

/* One line: label, then p50 p90 p99 p99.9 max of h, or "none". */
static void print_pcts(FILE *f, const char *label, const struct rs_histo *h)
{
	char a[32];

	fputs(label, f);
	if (!h->count) {
		fputs(" none\n", f);
		return;
	}
	for (unsigned i = 0; i < sizeof(k_pcts) / sizeof(k_pcts[0]); i++) {
		fmt_lat(rs_histo_percentile(h, k_pcts[i]), a, sizeof(a));
		fprintf(f, " %s %s", k_pct_names[i], a);
	}
	fputc('\n', f);
}

static void fmt_lat(uint64_t ns, char *buf, size_t len)
{
	if (ns < 10000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < 10000000)
		snprintf(buf, len, "%.0fus", (double)ns / 1e3);
	else if (ns < 10000000000ull)
		snprintf(buf, len, "%.0fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.1fs", (double)ns / 1e9);
}

static uint64_t ops_completed(const struct rs_tally *t, unsigned nops)
{
	uint64_t n = 0;

	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
		for (unsigned i = 0; i < nops; i++)
			n += rs_outcome_total(&t->outcome, m, i);
	return n;
}

static void merged_op_histo(const struct rs_tally *t, unsigned nops,
			    struct rs_histo *h)
{
	rs_histo_reset(h);
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
		for (unsigned i = 0; i < nops; i++)
			rs_histo_add(h, &t->op_ns[m][i]);
}

static void print_results(const struct rs_outcome *o, unsigned m, unsigned i,
			  FILE *f)
{
	uint64_t total = rs_outcome_total(o, m, i);
	bool shown[RS_RES_N] = { false };
	unsigned printed = 0;

	if (!total) {
		fprintf(f, "-");
		return;
	}
	/* most frequent first, at most five, the rest summed */
	for (;;) {
		unsigned best = RS_RES_N;

		for (unsigned r = 0; r < RS_RES_N; r++)
			if (!shown[r] && o->n[m][i][r] &&
			    (best == RS_RES_N ||
			     o->n[m][i][r] > o->n[m][i][best]))
				best = r;
		if (best == RS_RES_N)
			break;
		if (printed == 5) {
			uint64_t rest = 0;

			for (unsigned r = 0; r < RS_RES_N; r++)
				if (!shown[r])
					rest += o->n[m][i][r];
			fprintf(f, "  other %.2f%%",
				100.0 * (double)rest / (double)total);
			break;
		}
		shown[best] = true;
		double pct = 100.0 * (double)o->n[m][i][best] / (double)total;

		/* a rare result shows its count: 0.00% would hide it */
		if (pct < 1.0)
			fprintf(f, "%s%s %.2f%% (%" PRIu64 ")",
				printed ? "  " : "", rs_result_name(best), pct,
				o->n[m][i][best]);
		else
			fprintf(f, "%s%s %.2f%%", printed ? "  " : "",
				rs_result_name(best), pct);
		printed++;
	}
}

double rs_hold_bytes_per_conn(const struct rs_hold_stats *h)
{
	if (!h->established || !h->rss_held_kb ||
	    h->rss_held_kb < h->rss_before_kb)
		return 0;
	return (double)(h->rss_held_kb - h->rss_before_kb) * 1024.0 /
	       (double)h->established;
}

double rs_hold_kernel_bytes_per_conn(const struct rs_hold_stats *h)
{
	if (!h->established || !h->slab_held_kb ||
	    h->slab_held_kb < h->slab_before_kb)
		return 0;
	return (double)(h->slab_held_kb - h->slab_before_kb) * 1024.0 /
	       (double)h->established;
}

static void print_hold(const struct rs_hold_stats *h, FILE *f)
{
	char storm[32];

	if (h->storm_s >= 0)
		snprintf(storm, sizeof(storm), "%.3f s", h->storm_s);
	else
		snprintf(storm, sizeof(storm), "unfinished");
	fprintf(f, "hold         established %" PRIu64 " of %" PRIu64
		   " in %.3f s  storm %s  clients done %.3f s after it\n",
		h->established, h->target, h->establish_s, storm, h->drain_s);
	fprintf(f, "memory       VmRSS %" PRIu64 " kB before, %" PRIu64
		   " kB with %" PRIu64 " held: %.0f bytes per connection\n",
		h->rss_before_kb, h->rss_held_kb, h->established,
		rs_hold_bytes_per_conn(h));
	fprintf(f, "slab         %" PRIu64 " kB before, %" PRIu64
		   " kB held (host-wide): %.0f bytes per connection, both sockets\n",
		h->slab_before_kb, h->slab_held_kb,
		rs_hold_kernel_bytes_per_conn(h));
}

void rs_report_print(const struct rs_report *r, FILE *f)
{
	const struct rs_config *cfg = r->cfg;
	const struct rs_tally *t = r->client;
	const struct rs_tally *s = r->server;
	unsigned nops = cfg->script.n;
	uint64_t failed = rs_tally_failed_total(t);
	uint64_t aband = rs_tally_abandoned_total(t);
	uint64_t nops_done = ops_completed(t, nops);
	struct rs_histo oph;
	char a[32], b[32];

	if (r->interrupted)
		fprintf(f, "INTERRUPTED by signal %d after %.2f s: partial results\n\n",
			r->interrupted, r->elapsed_s);
	fprintf(f, "%-9s %9s %3s %-7s %12s %7s  %s\n", "close", "conns", "op",
		"kind", "since-close", "before",
		"results (share of the op's completions)");
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++) {
		if (!t->mode_started[m])
			continue;
		for (unsigned i = 0; i < nops; i++) {
			uint64_t p50 = rs_histo_percentile(
				&t->since_close_ns[m][i], 50);

			if (t->since_close_ns[m][i].count)
				fmt_lat(p50, a, sizeof(a));
			else
				snprintf(a, sizeof(a), "-");
			if (i == 0)
				fprintf(f, "%-9s %9" PRIu64 " ",
					rs_close_name(m), t->mode_completed[m]);
			else
				fprintf(f, "%-9s %9s ", "", "");
			if (t->before_close[m][i] && t->op_issued[m][i])
				snprintf(b, sizeof(b), "%.1f%%",
					 100.0 * (double)t->before_close[m][i] /
						 (double)t->op_issued[m][i]);
			else
				snprintf(b, sizeof(b), "-");
			fprintf(f, "%3u %-7s %12s %7s  ", i + 1,
				rs_op_name(cfg->script.kind[i]), a, b);
			print_results(&t->outcome, m, i, f);
			/* the data the ok ops moved (reads of --server-sends,
			 * --op-size writes), apart from the close's result */
			if (t->op_bytes[m][i])
				fprintf(f, "  bytes %" PRIu64, t->op_bytes[m][i]);
			fputc('\n', f);
		}
	}
	fprintf(f, "\nconnections  started %" PRIu64 " = completed %" PRIu64
		   " + failed %" PRIu64 " + abandoned %" PRIu64 "  (%s)\n",
		t->started, t->completed, failed, aband,
		r->balanced ? "books balance" : "BOOKS DO NOT BALANCE");
	if (!r->balanced)
		fprintf(f, "             %s\n", r->books_why);
	if (failed || aband) {
		fprintf(f, "not completed");
		for (unsigned p = 0; p < RS_PH_N; p++) {
			for (unsigned x = 0; x < RS_RES_N; x++)
				if (t->failed[p][x])
					fprintf(f, "  %s %s %" PRIu64,
						rs_phase_name(p),
						rs_result_name(x),
						t->failed[p][x]);
			if (t->abandoned[p])
				fprintf(f, "  %s abandoned %" PRIu64,
					rs_phase_name(p), t->abandoned[p]);
		}
		fputc('\n', f);
	}
	if (r->hold)
		print_hold(r->hold, f);
	fprintf(f, "rate         %.0f connections/s  %.0f ops/s  over %.2f s\n",
		r->elapsed_s > 0 ? (double)t->completed / r->elapsed_s : 0,
		r->elapsed_s > 0 ? (double)nops_done / r->elapsed_s : 0,
		r->elapsed_s);
	merged_op_histo(t, nops, &oph);
	print_pcts(f, "latency      connect", &t->connect_ns);
	print_pcts(f, "             op     ", &oph);
	/* every stamp of a pass is its one clock read: the pass's length is
	 * the width of their uncertainty */
	print_pcts(f, "clock        pass   ", &t->pass_ns);
	fprintf(f, "cpu          client user %.2f s sys %.2f s   server user %.2f s sys %.2f s   process user %.2f s sys %.2f s\n",
		(double)t->user_ns / 1e9, (double)t->sys_ns / 1e9,
		(double)s->user_ns / 1e9, (double)s->sys_ns / 1e9,
		r->proc_user_s, r->proc_sys_s);
	if (r->target && strcmp(r->target, "embedded") != 0) {
		/* the servers are another process's: their report says */
		fprintf(f, "server       --target %s\n", r->target);
	} else {
		fprintf(f, "server       accepted %" PRIu64, s->srv_accepted);
		if (cfg->closer == RS_SIDE_CLIENT)
			fprintf(f, "  the victim: the clients closed, it ran the ops above");
		else
			fprintf(f, "  closed");
		for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
			if (cfg->mix.weight[m] &&
			    cfg->closer != RS_SIDE_CLIENT)
				fprintf(f, " %s %" PRIu64, rs_close_name(m),
					s->srv_closed[m]);
		fprintf(f, "  open at stop %" PRIu64 "\n",
			s->srv_open_at_stop);
	}
	if (s->srv_no_slot || s->srv_bad_hello || s->srv_early_eof ||
	    s->srv_unread_empty || s->srv_accept_errors)
		fprintf(f, "server notes no-slot %" PRIu64 "  bad-hello %" PRIu64
			   "  eof-before-hello %" PRIu64 "  unread-found-empty %" PRIu64
			   "  accept-errors %" PRIu64 "\n",
			s->srv_no_slot, s->srv_bad_hello, s->srv_early_eof,
			s->srv_unread_empty, s->srv_accept_errors);
	if (s->srv_ack_errors)
		fprintf(f, "server notes --closer client: hello acks not sent whole %" PRIu64
			   "\n",
			s->srv_ack_errors);
	if (s->srv_close_errors)
		fprintf(f, "server notes close actions through the ring that failed %" PRIu64
			   "\n",
			s->srv_close_errors);
	if (r->sigpipes || rs_script_has(&cfg->script, RS_OP_WRITE))
		fprintf(f, "sigpipe      %" PRIu64
			   " deliveries to the run's counting handler (a write op's EPIPE raises it when issued inline; deliveries coalesce, so fewer than the EPIPEs)\n",
			r->sigpipes);
	if (rs_script_has(&cfg->script, RS_OP_SEND_ZC))
		fprintf(f, "send-zc      %" PRIu64
			   " notifications (the second CQE, not counted as results)\n",
			t->zc_notifs + s->zc_notifs);
	if (cfg->server_sends)
		fprintf(f, "server sends %u bytes before each close: sent %" PRIu64
			   " bytes, %" PRIu64 " sends failed or short\n",
			cfg->server_sends, s->srv_sent_bytes,
			s->srv_send_short);
	if (r->mib_before && r->mib_after) {
		fprintf(f, "kernel       %s:",
			r->link ? "the link's two namespaces, summed" :
			r->mib_own_netns ? "this run's namespace" :
					   "host-wide, other traffic included");
		for (unsigned i = 0; i < rs_mib_nwatched; i++) {
			int64_t delta;
			const char *n = strchr(rs_mib_watched[i], '.') + 1;

			if (rs_mib_delta(r->mib_before, r->mib_after,
					 rs_mib_watched[i], &delta) == 0)
				fprintf(f, " %s %+" PRId64, n, delta);
		}
		fputc('\n', f);
	}
	if (t->cq_overflow || s->cq_overflow || t->stray_cqes ||
	    s->stray_cqes || t->close_errors)
		fprintf(f, "ring notes   cq-overflow seen %" PRIu64
			   "  stray completions %" PRIu64
			   "  client close errors %" PRIu64 "\n",
			t->cq_overflow + s->cq_overflow,
			t->stray_cqes + s->stray_cqes, t->close_errors);
}

void rs_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void rs_row_init(struct rs_row *r, enum rs_rfile f)
{
	r->f = f;
	r->bad = NULL;
	r->full = false;
	r->used = 0;
	memset(r->field, 0, sizeof(r->field));
	rs_row_set(r, "schema_version", "%d", RS_CSV_SCHEMA);
}

void rs_row_set(struct rs_row *r, const char *col, const char *fmt, ...)
{
	int c = rs_schema_find(r->f, col);
	size_t room = sizeof(r->store) - r->used;
	va_list ap;
	int n;

	if (c < 0 || c >= RS_ROW_MAXCOLS) {
		if (!r->bad)
			r->bad = col;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(r->store + r->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		r->full = true;
		return;
	}
	r->field[c] = r->store + r->used;
	r->used += (size_t)n + 1;
}

void rs_row_pcts(struct rs_row *r,
		 const struct rs_histo *(*hist)(void *ctx, const char *name),
		 void *ctx)
{
	const struct rs_sfile *s = rs_schema_file(r->f);

	for (unsigned i = 0; i < s->ncols; i++) {
		const struct rs_scol *c = &s->cols[i];
		const struct rs_histo *h;

		if (c->merge != RS_MR_PCT)
			continue;
		h = hist(ctx, c->hist);
		rs_row_set(r, c->name, "%.3f",
			   h ? us(rs_histo_percentile(h, c->pct)) : 0.0);
	}
}

int rs_row_check(const struct rs_row *r, char *err, size_t errlen)
{
	const struct rs_sfile *s = rs_schema_file(r->f);

	if (r->bad) {
		snprintf(err, errlen, "%s: the writer sets column %s, which src/schema.c does not have",
			 s->id, r->bad);
		return -EINVAL;
	}
	if (r->full) {
		snprintf(err, errlen, "%s: a row longer than %zu bytes",
			 s->id, sizeof(r->store));
		return -EINVAL;
	}
	if (s->ncols > RS_ROW_MAXCOLS) {
		snprintf(err, errlen, "%s: %u columns, more than RS_ROW_MAXCOLS",
			 s->id, s->ncols);
		return -EINVAL;
	}
	for (unsigned i = 0; i < s->ncols; i++)
		if (!r->field[i]) {
			snprintf(err, errlen,
				 "%s: column %s of src/schema.c is not set by its writer",
				 s->id, s->cols[i].name);
			return -EINVAL;
		}
	return 0;
}

void rs_row_write(const struct rs_row *r, FILE *f)
{
	const struct rs_sfile *s = rs_schema_file(r->f);
	char err[256];

	if (rs_row_check(r, err, sizeof(err))) {
		fprintf(stderr, "rststorm: internal error: %s\n", err);
		abort();
	}
	for (unsigned i = 0; i < s->ncols; i++) {
		if (i)
			fputc(',', f);
		rs_csv_field(f, r->field[i]);
	}
	fputc('\n', f);
}

/* The marker file of the other kind of report, when name marks a kind. */
static const char *other_marker(const char *name)
{
	if (strcmp(name, "summary.csv") == 0)
		return "check.csv";
	if (strcmp(name, "check.csv") == 0)
		return "summary.csv";
	return NULL;
}

int rs_csv_open(struct rs_csv_out *o, const char *dir, const char *name,
		char *err, size_t errlen)
{
	const char *other = other_marker(name);
	struct stat st;
	int fd = -1, e = 0;

	o->f = NULL;
	snprintf(o->path, sizeof(o->path), "%s/%s", dir, name);
	/* the writers write their marker first: refusing it here leaves the
	 * other kind's report as it was (rs_report_dir_prepare says so before
	 * the run; this is the last line of defence) */
	if (other) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/%s", dir, other);
		if (lstat(path, &st) == 0) {
			snprintf(err, errlen,
				 "%s holds a %s report (%s): give each report its own directory",
				 dir, strcmp(other, "check.csv") ? "run" : "check",
				 other);
			return -EEXIST;
		}
	}
	/*
	 * O_EXCL|O_NOFOLLOW: a name planted in the directory (a symlink to a
	 * file the user may not write, a stale file) is never opened, so a
	 * privileged run cannot be made to write through it. A taken name is
	 * skipped, not removed: it may be another writer's.
	 */
	for (unsigned k = 0; k < 100 && fd < 0; k++) {
		snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.tmp.%d.%u", dir, name,
			 (int)getpid(), k);
		fd = open(o->tmp,
			  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0666);
		e = errno;
		if (fd < 0 && e != EEXIST)
			break;
	}
	if (fd >= 0) {
		o->f = fdopen(fd, "w");
		e = errno;
		if (!o->f) {
			close(fd);
			unlink(o->tmp);
		}
	}
	if (!o->f) {
		snprintf(err, errlen, "cannot create %s: %s (%s)", o->tmp,
			 strerror(e), rs_errname(e));
		return -e;
	}
	return 0;
}

int rs_out_split(const char *path, char *dir, size_t dlen, char *base,
		 size_t blen)
{
	char a[4096], b[4096];

	if (!*path || strlen(path) >= sizeof(a) ||
	    path[strlen(path) - 1] == '/')
		return -EINVAL;
	snprintf(a, sizeof(a), "%s", path);
	snprintf(b, sizeof(b), "%s", path);
	snprintf(dir, dlen, "%s", dirname(a));
	snprintf(base, blen, "%s", basename(b));
	return 0;
}

int rs_out_prepare(const char *opt, const char *path, bool stdout_ok,
		   char *err, size_t errlen)
{
	const char *or_stdout = stdout_ok ? ", or - for standard output" : "";
	char dir[4096], base[4096], probe[4200];
	char ep[RS_ESC_VALUE], ed[RS_ESC_VALUE];
	struct stat st;
	int fd;

	rs_esc(ep, sizeof(ep), path);
	if (rs_out_split(path, dir, sizeof(dir), base, sizeof(base))) {
		snprintf(err, errlen, "%s '%s': a file path is wanted%s", opt,
			 ep, or_stdout);
		return -EINVAL;
	}
	rs_esc(ed, sizeof(ed), dir);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "%s %s: the directory %s does not exist: create it, or name a file in an existing directory",
			 opt, ep, ed);
		return -ENOENT;
	}
	/* the file replaces FILE by rename: a symlink (/dev/stdout is one),
	 * a device or a FIFO there would be replaced, not written through;
	 * only a regular file (or nothing) is taken */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
			 "%s %s: is %s, not a regular file: it would be replaced; name a regular file%s",
			 opt, ep,
			 S_ISDIR(st.st_mode)  ? "a directory" :
			 S_ISLNK(st.st_mode)  ? "a symlink" :
			 S_ISFIFO(st.st_mode) ? "a FIFO" :
			 S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
								      "special",
			 or_stdout);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	snprintf(probe, sizeof(probe), "%s/.rststorm-probe.%d", dir,
		 (int)getpid());
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen,
			 "%s %s: cannot write in %s: %s (%s): name a file in a directory you can write",
			 opt, ep, ed, strerror(e), rs_errname(e));
		return -e;
	}
	close(fd);
	unlink(probe);
	return 0;
}

int rs_csv_close(struct rs_csv_out *o, char *err, size_t errlen)
{
	int bad = ferror(o->f);
	int e = 0;

	errno = 0;
	if (fclose(o->f) != 0)
		e = errno ? errno : EIO;
	else if (bad)
		e = EIO;
	if (!e && rename(o->tmp, o->path) != 0)
		e = errno;
	if (e) {
		snprintf(err, errlen, "cannot write %s: %s (%s)", o->path,
			 strerror(e), rs_errname(e));
		unlink(o->tmp);
		return -e;
	}
	return 0;
}

int rs_mkdir_p(const char *dir)
{
	char buf[4096];
	size_t len = strlen(dir);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0777) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Is name one of rststorm's report files (any kind), or a temporary
 * file or probe a writer leaves for an instant? */
static bool report_name(const char *name, bool *marker)
{
	static const char *const extra[] = { "serve.csv" };

	*marker = false;
	if (strncmp(name, ".rststorm-probe.", 16) == 0 ||
	    (name[0] == '.' && strstr(name, ".tmp.")))
		return true;
	for (unsigned f = 0; f < RS_RF_N; f++)
		if (strcmp(name, rs_schema_file(f)->name) == 0)
			return *marker = true;
	for (unsigned i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (strcmp(name, extra[i]) == 0)
			return *marker = true;
	return false;
}

/* A directory that holds files but no rststorm report (a home directory,
 * /etc, a source tree) is refused: the report would be scattered among
 * the user's files, and a later report could replace one of them. The
 * first foreign name goes into the message. */
static int foreign_dir(const char *dir, char *first, size_t firstlen)
{
	bool any_report = false, marker;
	struct dirent *de;
	DIR *d = opendir(dir);

	*first = '\0';
	if (!d)
		return 0; /* the writability probe below says why */
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!report_name(de->d_name, &marker)) {
			if (!*first)
				snprintf(first, firstlen, "%s", de->d_name);
		} else if (marker) {
			any_report = true;
		}
	}
	closedir(d);
	return *first && !any_report;
}

int rs_report_dir_prepare(const char *dir, enum rs_rkind kind, char *err,
			  size_t errlen)
{
	const char *other = kind == RS_RKIND_RUN ? "check.csv" : "summary.csv";
	char path[4200];
	struct stat st;
	int ret, fd, e;

	if (!*dir || strlen(dir) >= 4000) {
		snprintf(err, errlen,
			 "--csv '%.60s': a directory path of 1 to 3999 bytes",
			 dir);
		return -EINVAL;
	}
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "--csv %s: exists and is not a directory: name a directory (it is created if missing)",
			 dir);
		return -ENOTDIR;
	}
	ret = rs_mkdir_p(dir);
	if (ret) {
		snprintf(err, errlen,
			 "--csv %s: cannot create the directory: %s (%s): name a directory you can write",
			 dir, strerror(-ret), rs_errname(-ret));
		return ret;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "--csv %s: not a directory after creating it: name a directory",
			 dir);
		return -ENOTDIR;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, other);
	if (lstat(path, &st) == 0) {
		snprintf(err, errlen,
			 "--csv %s: holds a %s report (%s): give the %s report its own directory",
			 dir, kind == RS_RKIND_RUN ? "check" : "run", other,
			 rs_rkind_name(kind));
		return -EEXIST;
	}
	if (foreign_dir(dir, path, sizeof(path))) {
		char name[96];

		rs_esc(name, sizeof(name), path);
		snprintf(err, errlen,
			 "--csv %s: holds files that are not a rststorm report (%s): name a new or empty directory, or one holding a report",
			 dir, name);
		return -EEXIST;
	}
	/* writable as the writers will write it: root passes access(2) on a
	 * read-only file system, an exclusive create does not */
	for (unsigned k = 0;; k++) {
		snprintf(path, sizeof(path), "%s/.rststorm-probe.%d.%u", dir,
			 (int)getpid(), k);
		fd = open(path,
			  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0600);
		e = errno;
		if (fd >= 0 || e != EEXIST || k == 100)
			break;
	}
	if (fd < 0) {
		snprintf(err, errlen,
			 "--csv %s: cannot write in the directory: %s (%s): name a directory you can write",
			 dir, strerror(e), rs_errname(e));
		return -e;
	}
	close(fd);
	unlink(path);
	return 0;
}

/* The histograms of the percentile columns (rs_row_pcts): summary.csv's
 * over the whole run (op_ns: every mode and op merged), ops.csv's over
 * one (close mode, op). */
struct hist_ctx {
	const struct rs_tally *t;
	const struct rs_histo *op_all;
	unsigned m, i;
	bool per_op;
};

static const struct rs_histo *hist_of(void *arg, const char *name)
{
	const struct hist_ctx *c = arg;

	if (strcmp(name, "connect_ns") == 0)
		return c->per_op ? NULL : &c->t->connect_ns;
	if (strcmp(name, "pass_ns") == 0)
		return c->per_op ? NULL : &c->t->pass_ns;
	if (strcmp(name, "op_ns") == 0)
		return c->per_op ? &c->t->op_ns[c->m][c->i] : c->op_all;
	if (strcmp(name, "since_close_ns") == 0 && c->per_op)
		return &c->t->since_close_ns[c->m][c->i];
	if (strcmp(name, "since_close_err_ns") == 0 && c->per_op)
		return &c->t->since_close_err_ns[c->m][c->i];
	return NULL;
}

static void write_summary(const struct rs_report *r, FILE *f)
{
	const struct rs_config *cfg = r->cfg;
	const struct rs_tally *t = r->client;
	const struct rs_tally *s = r->server;
	unsigned nops = cfg->script.n;
	uint64_t nops_done = ops_completed(t, nops);
	struct rs_histo oph;
	struct hist_ctx hc = { .t = t, .op_all = &oph };
	char mix[128], ops[160], wait[32];
	double el = r->elapsed_s;
	struct rs_row row, *w = &row;

	rs_mix_format(&cfg->mix, mix, sizeof(mix));
	rs_script_format(&cfg->script, ops, sizeof(ops));
	rs_wait_format(cfg, wait, sizeof(wait));
	merged_op_histo(t, nops, &oph);

	rs_schema_header(RS_RF_SUMMARY, f);
	rs_row_init(w, RS_RF_SUMMARY);
	rs_row_set(w, "tool_version", "%s", RS_VERSION);
	rs_row_set(w, "scenario", "%s", r->scenario);
	rs_row_set(w, "engine", "%s", r->engine);
	rs_row_set(w, "started_utc", "%s", r->started_utc);
	rs_row_set(w, "kernel_release", "%s", r->probe->release);
	rs_row_set(w, "machine", "%s", r->probe->machine);
	rs_row_set(w, "liburing_version", "%s", RS_LIBURING_VERSION);
	rs_row_set(w, "ring_flags", "%s",
		   rs_ring_flags_name(r->probe->ring_flags));
	rs_row_set(w, "client_sockets", "%s", rs_probe_socket_path(r->probe));
	rs_row_set(w, "accept", "%s", rs_probe_accept_path(r->probe));
	rs_row_set(w, "concurrency", "%u", cfg->concurrency);
	rs_row_set(w, "duration_s", "%.3f", (double)cfg->duration_ns / 1e9);
	rs_row_set(w, "connections_limit", "%" PRIu64, cfg->count);
	rs_row_set(w, "client_threads", "%u", cfg->threads);
	rs_row_set(w, "server_threads", "%u", cfg->server_threads);
	rs_row_set(w, "ports", "%u", cfg->ports);
	rs_row_set(w, "close_mix", "%s", mix);
	rs_row_set(w, "ops", "%s", ops);
	rs_row_set(w, "wait", "%s", wait);
	rs_row_set(w, "op_gap_s", "%.6f", (double)cfg->op_gap_ns / 1e9);
	rs_row_set(w, "seed", "%" PRIu64, cfg->seed);
	rs_row_set(w, "timeout_s", "%.3f", (double)cfg->timeout_ns / 1e9);
	rs_row_set(w, "elapsed_s", "%.3f", el);
	rs_row_set(w, "interrupted", "%d", r->interrupted);
	rs_row_set(w, "books_balanced", "%d", r->balanced ? 1 : 0);
	rs_row_set(w, "conns_started", "%" PRIu64, t->started);
	rs_row_set(w, "conns_completed", "%" PRIu64, t->completed);
	rs_row_set(w, "conns_failed", "%" PRIu64, rs_tally_failed_total(t));
	rs_row_set(w, "conns_abandoned", "%" PRIu64,
		   rs_tally_abandoned_total(t));
	rs_row_set(w, "ops_completed", "%" PRIu64, nops_done);
	rs_row_set(w, "conns_per_s", "%.1f",
		   el > 0 ? (double)t->completed / el : 0);
	rs_row_set(w, "ops_per_s", "%.1f", el > 0 ? (double)nops_done / el : 0);
	rs_row_pcts(w, hist_of, &hc);
	rs_row_set(w, "client_user_s", "%.3f", (double)t->user_ns / 1e9);
	rs_row_set(w, "client_sys_s", "%.3f", (double)t->sys_ns / 1e9);
	rs_row_set(w, "server_user_s", "%.3f", (double)s->user_ns / 1e9);
	rs_row_set(w, "server_sys_s", "%.3f", (double)s->sys_ns / 1e9);
	rs_row_set(w, "process_user_s", "%.3f", r->proc_user_s);
	rs_row_set(w, "process_sys_s", "%.3f", r->proc_sys_s);
	rs_row_set(w, "srv_accepted", "%" PRIu64, s->srv_accepted);
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++) {
		char col[40];

		snprintf(col, sizeof(col), "srv_closed_%s", rs_close_name(m));
		rs_row_set(w, col, "%" PRIu64, s->srv_closed[m]);
	}
	rs_row_set(w, "srv_open_at_stop", "%" PRIu64, s->srv_open_at_stop);
	rs_row_set(w, "srv_no_slot", "%" PRIu64, s->srv_no_slot);
	rs_row_set(w, "srv_bad_hello", "%" PRIu64, s->srv_bad_hello);
	rs_row_set(w, "srv_early_eof", "%" PRIu64, s->srv_early_eof);
	rs_row_set(w, "srv_unread_empty", "%" PRIu64, s->srv_unread_empty);
	rs_row_set(w, "srv_accept_errors", "%" PRIu64, s->srv_accept_errors);
	rs_row_set(w, "close_errors", "%" PRIu64, t->close_errors);
	rs_row_set(w, "cq_overflow", "%" PRIu64,
		   t->cq_overflow + s->cq_overflow);
	rs_row_set(w, "stray_cqes", "%" PRIu64, t->stray_cqes + s->stray_cqes);
	rs_row_set(w, "family", "%s", r->family ? r->family : "ipv4");
	rs_row_set(w, "clock", "%s", r->clock ? r->clock : "stamp");
	rs_row_set(w, "target", "%s", r->target ? r->target : "embedded");
	rs_row_set(w, "link", "%s", r->link ? r->link : "none");
	rs_row_set(w, "link_rtt_asked_us", "%" PRIu64, r->link_rtt_asked_us);
	rs_row_set(w, "link_rtt_min_us", "%" PRIu64, r->link_rtt_min_us);
	rs_row_set(w, "link_rtt_srtt_us", "%" PRIu64, r->link_rtt_srtt_us);
	rs_row_set(w, "link_lost", "%" PRIu64, r->link_lost);
	rs_row_set(w, "link_dropped", "%" PRIu64, r->link_dropped);
	rs_row_set(w, "op_size", "%u", cfg->op_size);
	rs_row_set(w, "server_sends", "%u", cfg->server_sends);
	rs_row_set(w, "closer", "%s", r->closer ? r->closer : "server");
	rs_row_write(w, f);
}

/* A row of a file keyed by (scenario, closer, ...). */
static void row_start(struct rs_row *w, const struct rs_report *r,
		      enum rs_rfile f)
{
	rs_row_init(w, f);
	rs_row_set(w, "scenario", "%s", r->scenario);
	rs_row_set(w, "closer", "%s", r->closer);
}

/* The non-zero cells of outcome table o as rows of file: outcomes.csv
 * (block < 0: with each cell's share of its op) or blocks.csv (block b:
 * with its number and seed). */
static void outcome_rows(const struct rs_report *r, FILE *f,
			 enum rs_rfile file, const struct rs_outcome *o,
			 int block)
{
	struct rs_row w;

	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
		for (unsigned i = 0; i < r->cfg->script.n; i++) {
			uint64_t total = rs_outcome_total(o, m, i);

			for (unsigned x = 0; x < RS_RES_N; x++) {
				uint64_t n = o->n[m][i][x];

				if (!n)
					continue;
				row_start(&w, r, file);
				if (block >= 0) {
					rs_row_set(&w, "block", "%d", block + 1);
					rs_row_set(&w, "seed", "%" PRIu64,
						   r->block_seeds[block]);
				}
				rs_row_set(&w, "close_mode", "%s",
					   rs_close_name(m));
				rs_row_set(&w, "op_index", "%u", i + 1);
				rs_row_set(&w, "op_kind", "%s",
					   rs_op_name(r->cfg->script.kind[i]));
				rs_row_set(&w, "result", "%s",
					   rs_result_name(x));
				rs_row_set(&w, "count", "%" PRIu64, n);
				if (block < 0)
					rs_row_set(&w, "share", "%.6f",
						   (double)n / (double)total);
				rs_row_write(&w, f);
			}
		}
}

static void write_outcomes(const struct rs_report *r, FILE *f)
{
	rs_schema_header(RS_RF_OUTCOMES, f);
	outcome_rows(r, f, RS_RF_OUTCOMES, &r->client->outcome, -1);
}

/* blocks.csv: outcomes.csv's cells per --repeat block, with its seed */
static void write_blocks(const struct rs_report *r, FILE *f)
{
	rs_schema_header(RS_RF_RUN_BLOCKS, f);
	for (unsigned b = 0; b < r->nblocks; b++)
		outcome_rows(r, f, RS_RF_RUN_BLOCKS, &r->blocks[b], (int)b);
}

static void write_ops(const struct rs_report *r, FILE *f)
{
	const struct rs_tally *t = r->client;
	struct hist_ctx hc = { .t = t, .per_op = true };
	struct rs_row w;

	rs_schema_header(RS_RF_OPS, f);
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++) {
		for (unsigned i = 0; i < r->cfg->script.n; i++) {
			if (!t->op_issued[m][i])
				continue;
			hc.m = m;
			hc.i = i;
			row_start(&w, r, RS_RF_OPS);
			rs_row_set(&w, "close_mode", "%s", rs_close_name(m));
			rs_row_set(&w, "op_index", "%u", i + 1);
			rs_row_set(&w, "op_kind", "%s",
				   rs_op_name(r->cfg->script.kind[i]));
			rs_row_set(&w, "issued", "%" PRIu64, t->op_issued[m][i]);
			rs_row_set(&w, "counted", "%" PRIu64,
				   rs_outcome_total(&t->outcome, m, i));
			rs_row_set(&w, "abandoned", "%" PRIu64,
				   t->op_abandoned[m][i]);
			rs_row_set(&w, "before_close", "%" PRIu64,
				   t->before_close[m][i]);
			rs_row_set(&w, "bytes", "%" PRIu64, t->op_bytes[m][i]);
			rs_row_pcts(&w, hist_of, &hc);
			rs_row_write(&w, f);
		}
	}
}

static void failure_row(const struct rs_report *r, FILE *f, unsigned p,
			const char *result, uint64_t n)
{
	struct rs_row w;

	row_start(&w, r, RS_RF_FAILURES);
	rs_row_set(&w, "phase", "%s", rs_phase_name(p));
	rs_row_set(&w, "result", "%s", result);
	rs_row_set(&w, "count", "%" PRIu64, n);
	rs_row_write(&w, f);
}

static void write_failures(const struct rs_report *r, FILE *f)
{
	const struct rs_tally *t = r->client;

	rs_schema_header(RS_RF_FAILURES, f);
	for (unsigned p = 0; p < RS_PH_N; p++) {
		for (unsigned x = 0; x < RS_RES_N; x++)
			if (t->failed[p][x])
				failure_row(r, f, p, rs_result_name(x),
					    t->failed[p][x]);
		if (t->abandoned[p])
			failure_row(r, f, p, "abandoned", t->abandoned[p]);
	}
}

static void write_histo(const struct rs_report *r, FILE *f, const char *name,
			const char *mode, unsigned op, const char *kind,
			const struct rs_histo *h)
{
	struct rs_row w;

	for (unsigned b = 0; b < RS_HISTO_NBUCKETS; b++) {
		if (!h->bucket[b])
			continue;
		row_start(&w, r, RS_RF_HISTOGRAMS);
		rs_row_set(&w, "histogram", "%s", name);
		rs_row_set(&w, "close_mode", "%s", mode);
		rs_row_set(&w, "op_index", "%u", op);
		rs_row_set(&w, "op_kind", "%s", kind);
		rs_row_set(&w, "bucket_lo_ns", "%" PRIu64, rs_histo_bucket_lo(b));
		rs_row_set(&w, "bucket_hi_ns", "%" PRIu64, rs_histo_bucket_hi(b));
		rs_row_set(&w, "count", "%" PRIu64, h->bucket[b]);
		rs_row_write(&w, f);
	}
}

static void write_histograms(const struct rs_report *r, FILE *f)
{
	const struct rs_tally *t = r->client;

	rs_schema_header(RS_RF_HISTOGRAMS, f);
	write_histo(r, f, "connect_ns", "all", 0, "connect", &t->connect_ns);
	write_histo(r, f, "pass_ns", "all", 0, "pass", &t->pass_ns);
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++) {
		for (unsigned i = 0; i < r->cfg->script.n; i++) {
			const char *k = rs_op_name(r->cfg->script.kind[i]);
			const char *mn = rs_close_name(m);

			write_histo(r, f, "op_ns", mn, i + 1, k, &t->op_ns[m][i]);
			write_histo(r, f, "since_close_ns", mn, i + 1, k,
				    &t->since_close_ns[m][i]);
			write_histo(r, f, "since_close_err_ns", mn, i + 1, k,
				    &t->since_close_err_ns[m][i]);
		}
	}
}

static void write_mib(const struct rs_report *r, FILE *f)
{
	struct rs_row w;

	rs_schema_header(RS_RF_RUN_MIB, f);
	for (unsigned i = 0; i < rs_mib_nwatched; i++) {
		int64_t b, a;

		if (rs_mib_get(r->mib_before, rs_mib_watched[i], &b) ||
		    rs_mib_get(r->mib_after, rs_mib_watched[i], &a))
			continue;
		rs_row_init(&w, RS_RF_RUN_MIB);
		rs_row_set(&w, "scenario", "%s", r->scenario);
		rs_row_set(&w, "scope", "%s", r->mib_own_netns ? "netns" : "host");
		rs_row_set(&w, "counter", "%s", rs_mib_watched[i]);
		rs_row_set(&w, "before", "%" PRId64, b);
		rs_row_set(&w, "after", "%" PRId64, a);
		rs_row_set(&w, "delta", "%" PRId64, a - b);
		rs_row_write(&w, f);
	}
}

static void write_hold(const struct rs_report *r, FILE *f)
{
	const struct rs_hold_stats *h = r->hold;
	struct rs_row w;

	rs_schema_header(RS_RF_HOLD, f);
	rs_row_init(&w, RS_RF_HOLD);
	rs_row_set(&w, "scenario", "%s", r->scenario);
	rs_row_set(&w, "concurrency", "%" PRIu64, h->target);
	rs_row_set(&w, "established", "%" PRIu64, h->established);
	rs_row_set(&w, "establish_s", "%.6f", h->establish_s);
	rs_row_set(&w, "storm_s", "%.6f", h->storm_s);
	rs_row_set(&w, "drain_s", "%.6f", h->drain_s);
	rs_row_set(&w, "rss_before_kb", "%" PRIu64, h->rss_before_kb);
	rs_row_set(&w, "rss_held_kb", "%" PRIu64, h->rss_held_kb);
	rs_row_set(&w, "bytes_per_conn", "%.1f", rs_hold_bytes_per_conn(h));
	rs_row_set(&w, "slab_before_kb", "%" PRIu64, h->slab_before_kb);
	rs_row_set(&w, "slab_held_kb", "%" PRIu64, h->slab_held_kb);
	rs_row_set(&w, "kernel_bytes_per_conn", "%.1f",
		   rs_hold_kernel_bytes_per_conn(h));
	rs_row_set(&w, "client_threads", "%u", r->cfg->threads);
	rs_row_set(&w, "server_threads", "%u", r->cfg->server_threads);
	rs_row_set(&w, "ports", "%u", r->cfg->ports);
	rs_row_set(&w, "sources", "%u", r->cfg->sources);
	rs_row_set(&w, "client_sockets", "%s", rs_probe_socket_path(r->probe));
	rs_row_set(&w, "accept", "%s", rs_probe_accept_path(r->probe));
	rs_row_write(&w, f);
}

static void write_intervals(const struct rs_report *r, FILE *f)
{
	rs_schema_header(RS_RF_INTERVALS, f);
	for (unsigned i = 0; i < rs_iv_nrows(r->iv); i++)
		rs_iv_write_row(rs_iv_row(r->iv, i), f);
}

static void write_interval_ops(const struct rs_report *r, FILE *f)
{
	rs_schema_header(RS_RF_INTERVAL_OPS, f);
	for (unsigned i = 0; i < rs_iv_nrows(r->iv); i++)
		rs_iv_write_ops(rs_iv_row(r->iv, i), &r->cfg->script, f);
}

/* The run's files and their writers, in the order they are written. */
static const struct {
	enum rs_rfile file;
	void (*write)(const struct rs_report *r, FILE *f);
} run_files[] = {
	{ RS_RF_SUMMARY, write_summary },
	{ RS_RF_OUTCOMES, write_outcomes },
	{ RS_RF_OPS, write_ops },
	{ RS_RF_FAILURES, write_failures },
	{ RS_RF_HISTOGRAMS, write_histograms },
	{ RS_RF_RUN_MIB, write_mib },
	{ RS_RF_HOLD, write_hold },
	{ RS_RF_INTERVALS, write_intervals },
	{ RS_RF_INTERVAL_OPS, write_interval_ops },
	{ RS_RF_RUN_BLOCKS, write_blocks },
};

/* Whether the run has the file: mib.csv needs both snapshots, hold.csv
 * a --hold run, intervals.csv and interval_ops.csv --interval. */
static bool has_file(const struct rs_report *r, enum rs_rfile f)
{
	if (f == RS_RF_RUN_MIB)
		return r->mib_before && r->mib_after;
	if (f == RS_RF_HOLD)
		return r->hold != NULL;
	if (f == RS_RF_INTERVALS || f == RS_RF_INTERVAL_OPS)
		return r->iv != NULL;
	if (f == RS_RF_RUN_BLOCKS)
		return r->nblocks >= 2;
	return true;
}

int rs_report_write_csv(const struct rs_report *r, const char *dir,
			char *err, size_t errlen)
{
	int ret = rs_report_dir_prepare(dir, RS_RKIND_RUN, err, errlen);

	if (ret)
		return ret;
	for (size_t i = 0; i < RS_ARRAY_SIZE(run_files); i++) {
		struct rs_csv_out o;

		if (!has_file(r, run_files[i].file))
			continue;
		ret = rs_csv_open(&o, dir, rs_schema_file(run_files[i].file)->name,
				  err, errlen);
		if (ret)
			return ret;
		run_files[i].write(r, o.f);
		ret = rs_csv_close(&o, err, errlen);
		if (ret)
			return ret;
	}
	if (!has_file(r, RS_RF_RUN_BLOCKS)) {
		/* a blocks.csv of an earlier run would not add up */
		char path[4200];

		snprintf(path, sizeof(path), "%s/%s", dir,
			 rs_schema_file(RS_RF_RUN_BLOCKS)->name);
		if (unlink(path) && errno != ENOENT) {
			int e = errno;

			snprintf(err, errlen, "%s: cannot remove: %s", path,
				 strerror(e));
			return -e;
		}
	}
	return 0;
}

int rs_report_write_json(const struct rs_report *r, const char *path,
			 char *err, size_t errlen)
{
	struct rs_jdoc d = { .command = "run", .kind = RS_RKIND_RUN };
	int ret = 0;

	for (size_t i = 0; i < RS_ARRAY_SIZE(run_files) && !ret; i++) {
		enum rs_rfile f = run_files[i].file;
		FILE *m;

		if (!has_file(r, f))
			continue;
		m = rs_jdoc_begin(&d, f, err, errlen);
		if (!m) {
			ret = -ENOMEM;
			break;
		}
		run_files[i].write(r, m);
		ret = rs_jdoc_end(m, err, errlen);
	}
	if (!ret)
		ret = rs_jdoc_write(&d, path, err, errlen);
	rs_jdoc_free(&d);
	return ret;
}
