/* The human table and the CSV writers. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring.h"
#include "util.h"

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

/* "12us", "1.5ms", "2.0s": a latency for people. */
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
	char a[32], b[32], c[32], d[32];

	if (r->interrupted)
		fprintf(f, "INTERRUPTED by signal %d after %.2f s: partial results\n\n",
			r->interrupted, r->elapsed_s);
	fprintf(f, "%-9s %9s %3s %-5s %12s %7s  %s\n", "close", "conns", "op",
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
			fprintf(f, "%3u %-5s %12s %7s  ", i + 1,
				rs_op_name(cfg->script.kind[i]), a, b);
			print_results(&t->outcome, m, i, f);
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
	fmt_lat(rs_histo_percentile(&t->connect_ns, 50), a, sizeof(a));
	fmt_lat(rs_histo_percentile(&t->connect_ns, 99), b, sizeof(b));
	fmt_lat(rs_histo_percentile(&oph, 50), c, sizeof(c));
	fmt_lat(rs_histo_percentile(&oph, 99), d, sizeof(d));
	fprintf(f, "latency      connect p50 %s p99 %s   op p50 %s p99 %s\n", a,
		b, c, d);
	fprintf(f, "cpu          client user %.2f s sys %.2f s   server user %.2f s sys %.2f s   process user %.2f s sys %.2f s\n",
		(double)t->user_ns / 1e9, (double)t->sys_ns / 1e9,
		(double)s->user_ns / 1e9, (double)s->sys_ns / 1e9,
		r->proc_user_s, r->proc_sys_s);
	if (r->target && strcmp(r->target, "embedded") != 0) {
		/* the servers are another process's: their report says */
		fprintf(f, "server       --target %s\n", r->target);
	} else {
		fprintf(f, "server       accepted %" PRIu64 "  closed",
			s->srv_accepted);
		for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
			if (cfg->mix.weight[m])
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
	if (s->srv_close_errors)
		fprintf(f, "server notes close actions through the ring that failed %" PRIu64
			   "\n",
			s->srv_close_errors);
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

static void write_summary(const struct rs_report *r, FILE *f)
{
	const struct rs_config *cfg = r->cfg;
	const struct rs_tally *t = r->client;
	const struct rs_tally *s = r->server;
	unsigned nops = cfg->script.n;
	uint64_t nops_done = ops_completed(t, nops);
	struct rs_histo oph;
	char mix[128], ops[160], wait[32];
	double el = r->elapsed_s;

	rs_mix_format(&cfg->mix, mix, sizeof(mix));
	rs_script_format(&cfg->script, ops, sizeof(ops));
	rs_wait_format(cfg, wait, sizeof(wait));
	merged_op_histo(t, nops, &oph);

	fputs("schema_version,tool_version,scenario,engine,started_utc,"
	      "kernel_release,machine,liburing_version,ring_flags,"
	      "client_sockets,accept,concurrency,duration_s,connections_limit,"
	      "client_threads,server_threads,ports,close_mix,ops,wait,op_gap_s,seed,"
	      "timeout_s,elapsed_s,interrupted,books_balanced,conns_started,"
	      "conns_completed,conns_failed,conns_abandoned,ops_completed,"
	      "conns_per_s,ops_per_s,connect_p50_us,connect_p99_us,op_p50_us,"
	      "op_p99_us,client_user_s,client_sys_s,server_user_s,"
	      "server_sys_s,process_user_s,process_sys_s,srv_accepted,"
	      "srv_closed_fin,srv_closed_rst,srv_closed_unread,"
	      "srv_closed_shutdown,srv_open_at_stop,srv_no_slot,srv_bad_hello,"
	      "srv_early_eof,srv_unread_empty,srv_accept_errors,close_errors,"
	      "cq_overflow,stray_cqes,family,clock,target,link,"
	      "link_rtt_asked_us,link_rtt_min_us,link_rtt_srtt_us,link_lost,"
	      "link_dropped\n",
	      f);
	fprintf(f, "%d,%s,", RS_CSV_SCHEMA, RS_VERSION);
	rs_csv_field(f, r->scenario);
	fputc(',', f);
	rs_csv_field(f, r->engine);
	fputc(',', f);
	rs_csv_field(f, r->started_utc);
	fputc(',', f);
	rs_csv_field(f, r->probe->release);
	fputc(',', f);
	rs_csv_field(f, r->probe->machine);
	fprintf(f, ",%s,", RS_LIBURING_VERSION);
	rs_csv_field(f, rs_ring_flags_name(r->probe->ring_flags));
	fprintf(f, ",%s,%s,%u,%.3f,%" PRIu64 ",%u,%u,%u,",
		rs_probe_socket_path(r->probe), rs_probe_accept_path(r->probe),
		cfg->concurrency, (double)cfg->duration_ns / 1e9, cfg->count,
		cfg->threads, cfg->server_threads, cfg->ports);
	rs_csv_field(f, mix);
	fputc(',', f);
	rs_csv_field(f, ops);
	fputc(',', f);
	rs_csv_field(f, wait);
	fprintf(f, ",%.6f,%" PRIu64 ",%.3f,%.3f,%d,%d,",
		(double)cfg->op_gap_ns / 1e9, cfg->seed,
		(double)cfg->timeout_ns / 1e9, el, r->interrupted,
		r->balanced ? 1 : 0);
	fprintf(f, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		   ",%.1f,%.1f,",
		t->started, t->completed, rs_tally_failed_total(t),
		rs_tally_abandoned_total(t), nops_done,
		el > 0 ? (double)t->completed / el : 0,
		el > 0 ? (double)nops_done / el : 0);
	fprintf(f, "%.3f,%.3f,%.3f,%.3f,",
		us(rs_histo_percentile(&t->connect_ns, 50)),
		us(rs_histo_percentile(&t->connect_ns, 99)),
		us(rs_histo_percentile(&oph, 50)),
		us(rs_histo_percentile(&oph, 99)));
	fprintf(f, "%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,",
		(double)t->user_ns / 1e9, (double)t->sys_ns / 1e9,
		(double)s->user_ns / 1e9, (double)s->sys_ns / 1e9,
		r->proc_user_s, r->proc_sys_s);
	fprintf(f, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		   ",",
		s->srv_accepted, s->srv_closed[RS_CLOSE_FIN],
		s->srv_closed[RS_CLOSE_RST], s->srv_closed[RS_CLOSE_UNREAD],
		s->srv_closed[RS_CLOSE_SHUTDOWN]);
	fprintf(f, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		   ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",",
		s->srv_open_at_stop, s->srv_no_slot, s->srv_bad_hello,
		s->srv_early_eof, s->srv_unread_empty, s->srv_accept_errors,
		t->close_errors, t->cq_overflow + s->cq_overflow,
		t->stray_cqes + s->stray_cqes);
	rs_csv_field(f, r->family ? r->family : "ipv4");
	fputc(',', f);
	rs_csv_field(f, r->clock ? r->clock : "stamp");
	fputc(',', f);
	rs_csv_field(f, r->target ? r->target : "embedded");
	fputc(',', f);
	rs_csv_field(f, r->link ? r->link : "none");
	fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		   "\n",
		r->link_rtt_asked_us, r->link_rtt_min_us, r->link_rtt_srtt_us,
		r->link_lost, r->link_dropped);
}

static void row_prefix(const struct rs_report *r, FILE *f)
{
	fprintf(f, "%d,", RS_CSV_SCHEMA);
	rs_csv_field(f, r->scenario);
	fputc(',', f);
	rs_csv_field(f, r->closer);
	fputc(',', f);
}

static void write_outcomes(const struct rs_report *r, FILE *f)
{
	const struct rs_tally *t = r->client;

	fputs("schema_version,scenario,closer,close_mode,op_index,op_kind,"
	      "result,count,share\n",
	      f);
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++) {
		for (unsigned i = 0; i < r->cfg->script.n; i++) {
			uint64_t total = rs_outcome_total(&t->outcome, m, i);

			for (unsigned x = 0; x < RS_RES_N; x++) {
				uint64_t n = t->outcome.n[m][i][x];

				if (!n)
					continue;
				row_prefix(r, f);
				fprintf(f, "%s,%u,%s,%s,%" PRIu64 ",%.6f\n",
					rs_close_name(m), i + 1,
					rs_op_name(r->cfg->script.kind[i]),
					rs_result_name(x), n,
					(double)n / (double)total);
			}
		}
	}
}

static void write_ops(const struct rs_report *r, FILE *f)
{
	const struct rs_tally *t = r->client;

	fputs("schema_version,scenario,closer,close_mode,op_index,op_kind,"
	      "issued,counted,abandoned,before_close,op_p50_us,op_p99_us,"
	      "since_close_p50_us,since_close_p99_us\n",
	      f);
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++) {
		for (unsigned i = 0; i < r->cfg->script.n; i++) {
			const struct rs_histo *sc = &t->since_close_ns[m][i];

			if (!t->op_issued[m][i])
				continue;
			row_prefix(r, f);
			fprintf(f, "%s,%u,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64
				   ",%" PRIu64 ",%.3f,%.3f,%.3f,%.3f\n",
				rs_close_name(m), i + 1,
				rs_op_name(r->cfg->script.kind[i]),
				t->op_issued[m][i],
				rs_outcome_total(&t->outcome, m, i),
				t->op_abandoned[m][i], t->before_close[m][i],
				us(rs_histo_percentile(&t->op_ns[m][i], 50)),
				us(rs_histo_percentile(&t->op_ns[m][i], 99)),
				us(rs_histo_percentile(sc, 50)),
				us(rs_histo_percentile(sc, 99)));
		}
	}
}

static void write_failures(const struct rs_report *r, FILE *f)
{
	const struct rs_tally *t = r->client;

	fputs("schema_version,scenario,closer,phase,result,count\n", f);
	for (unsigned p = 0; p < RS_PH_N; p++) {
		for (unsigned x = 0; x < RS_RES_N; x++) {
			if (!t->failed[p][x])
				continue;
			row_prefix(r, f);
			fprintf(f, "%s,%s,%" PRIu64 "\n", rs_phase_name(p),
				rs_result_name(x), t->failed[p][x]);
		}
		if (t->abandoned[p]) {
			row_prefix(r, f);
			fprintf(f, "%s,abandoned,%" PRIu64 "\n",
				rs_phase_name(p), t->abandoned[p]);
		}
	}
}

static void write_histo(const struct rs_report *r, FILE *f, const char *name,
			const char *mode, unsigned op, const char *kind,
			const struct rs_histo *h)
{
	for (unsigned b = 0; b < RS_HISTO_NBUCKETS; b++) {
		if (!h->bucket[b])
			continue;
		row_prefix(r, f);
		fprintf(f, "%s,%s,%u,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
			name, mode, op, kind, rs_histo_bucket_lo(b),
			rs_histo_bucket_hi(b), h->bucket[b]);
	}
}

static void write_histograms(const struct rs_report *r, FILE *f)
{
	const struct rs_tally *t = r->client;

	fputs("schema_version,scenario,closer,histogram,close_mode,op_index,"
	      "op_kind,bucket_lo_ns,bucket_hi_ns,count\n",
	      f);
	write_histo(r, f, "connect_ns", "all", 0, "connect", &t->connect_ns);
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
	fputs("schema_version,scenario,scope,counter,before,after,delta\n", f);
	for (unsigned i = 0; i < rs_mib_nwatched; i++) {
		int64_t b, a;

		if (rs_mib_get(r->mib_before, rs_mib_watched[i], &b) ||
		    rs_mib_get(r->mib_after, rs_mib_watched[i], &a))
			continue;
		fprintf(f, "%d,", RS_CSV_SCHEMA);
		rs_csv_field(f, r->scenario);
		fprintf(f, ",%s,%s,%" PRId64 ",%" PRId64 ",%" PRId64 "\n",
			r->mib_own_netns ? "netns" : "host", rs_mib_watched[i],
			b, a, a - b);
	}
}

static void write_hold(const struct rs_report *r, FILE *f)
{
	const struct rs_hold_stats *h = r->hold;

	fputs("schema_version,scenario,concurrency,established,establish_s,"
	      "storm_s,drain_s,rss_before_kb,rss_held_kb,bytes_per_conn,"
	      "client_threads,server_threads,ports,sources,client_sockets,"
	      "accept\n",
	      f);
	fprintf(f, "%d,", RS_CSV_SCHEMA);
	rs_csv_field(f, r->scenario);
	fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%.6f,%.6f,%.6f,%" PRIu64
		   ",%" PRIu64 ",%.1f,%u,%u,%u,%u,%s,%s\n",
		h->target, h->established, h->establish_s, h->storm_s,
		h->drain_s, h->rss_before_kb, h->rss_held_kb,
		rs_hold_bytes_per_conn(h), r->cfg->threads,
		r->cfg->server_threads, r->cfg->ports, r->cfg->sources,
		rs_probe_socket_path(r->probe), rs_probe_accept_path(r->probe));
}

int rs_report_write_csv(const struct rs_report *r, const char *dir,
			char *err, size_t errlen)
{
	static const struct {
		const char *name;
		void (*write)(const struct rs_report *r, FILE *f);
	} files[] = {
		{ "summary.csv", write_summary },
		{ "outcomes.csv", write_outcomes },
		{ "ops.csv", write_ops },
		{ "failures.csv", write_failures },
		{ "histograms.csv", write_histograms },
		{ "mib.csv", write_mib },
		{ "hold.csv", write_hold },
	};
	int ret = rs_report_dir_prepare(dir, RS_RKIND_RUN, err, errlen);

	if (ret)
		return ret;
	for (size_t i = 0; i < RS_ARRAY_SIZE(files); i++) {
		struct rs_csv_out o;

		if (files[i].write == write_mib &&
		    (!r->mib_before || !r->mib_after))
			continue;
		if (files[i].write == write_hold && !r->hold)
			continue;
		ret = rs_csv_open(&o, dir, files[i].name, err, errlen);
		if (ret)
			return ret;
		files[i].write(r, o.f);
		ret = rs_csv_close(&o, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}
