/* Reports of a finished run: the table people read on stdout and the CSV
 * files machines read (schema in docs/csv.md). Knows nothing of threads. */
#ifndef RS_REPORT_H
#define RS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "mib.h"
#include "probe.h"
#include "repdir.h"
#include "tally.h"

#define RS_VERSION "0.1.0"

/* What a --hold run measured around its storm. */
struct rs_hold_stats {
	uint64_t target;          /* -c: connections asked for */
	uint64_t established;     /* held by the servers when the storm came */
	double establish_s;       /* run start to the last connection held */
	double storm_s;           /* storm called to every server's last close
				   * action done; -1 when it never finished */
	double drain_s;           /* storm called to the clients' end */
	uint64_t rss_before_kb;   /* VmRSS before the run allocated anything */
	uint64_t rss_held_kb;     /* VmRSS with every connection held */
	uint64_t slab_before_kb;  /* the kernel's Slab (/proc/meminfo, host-
				   * wide) before, and with every connection
				   * held: the sockets' memory */
	uint64_t slab_held_kb;
};

/* (slab_held - slab_before) / established, in bytes; 0 when none held. */
double rs_hold_kernel_bytes_per_conn(const struct rs_hold_stats *h);

/* (rss_held - rss_before) / established, in bytes; 0 when none held. */
double rs_hold_bytes_per_conn(const struct rs_hold_stats *h);

struct rs_iv;

struct rs_report {
	const struct rs_config *cfg;
	const struct rs_probe *probe;
	const struct rs_tally *client; /* clients merged */
	const struct rs_tally *server; /* servers merged */
	const char *scenario;          /* "run" for rststorm run */
	const char *closer;            /* "server" */
	const char *engine;
	char started_utc[32];          /* 2026-11-21T19:50:40Z */
	double elapsed_s;
	int interrupted;               /* signal number, 0 if none */
	bool balanced;
	char books_why[256];
	double proc_user_s, proc_sys_s;
	/* kernel counters before and after (NULL when unreadable) and
	 * whether they are the run's own namespace or the whole host's */
	const struct rs_mib *mib_before, *mib_after;
	bool mib_own_netns;
	const struct rs_hold_stats *hold; /* --hold, else NULL */
	const struct rs_iv *iv;           /* --interval (interval.h), else NULL */
	/* where the servers were: "ipv4", "ipv6" or "mixed"; the clock of
	 * the time since the close ("stamp", "seen"); "embedded" or the
	 * --target list (NULL: "ipv4", "stamp", "embedded") */
	const char *family, *clock, *target;
	/* --link: the spec (NULL: "none"); the round trip asked and measured
	 * before the run (medians of tcpi_min_rtt and tcpi_rtt, 0: not
	 * measured); packets the link lost (its loss draw) and dropped (a
	 * full queue or a write error), both directions */
	const char *link;
	uint64_t link_rtt_asked_us, link_rtt_min_us, link_rtt_srtt_us;
	uint64_t link_lost, link_dropped;
	/* --repeat N: each block's outcome table and plan seed (nblocks 0
	 * or 1: no blocks.csv; the totals are the client tally's) */
	const struct rs_outcome *blocks;
	const uint64_t *block_seeds;
	unsigned nblocks;
	/* SIGPIPE deliveries counted by run's handler (write ops have no
	 * MSG_NOSIGNAL); printed when nonzero or the script has a write */
	uint64_t sigpipes;
};

/* The human table and summary. */
void rs_report_print(const struct rs_report *r, FILE *f);

/* Write summary.csv, outcomes.csv, ops.csv, failures.csv,
 * histograms.csv, (when the snapshots exist) mib.csv, (--hold)
 * hold.csv and (nblocks >= 2) blocks.csv into dir; a stale blocks.csv
 * is removed (created if missing), each through a temporary
 * file renamed into place. Returns 0, or -errno with what failed in err. */
int rs_report_write_csv(const struct rs_report *r, const char *dir,
			char *err, size_t errlen);

/* The same report as one JSON document (json.h) to path, a file (temporary
 * file renamed into place) or "-" (standard output). Returns 0, or -errno
 * with what failed in err. */
int rs_report_write_json(const struct rs_report *r, const char *path,
			 char *err, size_t errlen);

/*
 * Make dir ready to receive a report of the given kind, before any work
 * is done for it (run and check call it at their start, so that a bad
 * --csv costs nothing): dir exists or is created (mkdir -p), is a
 * directory, a file can be created in it, and it does not hold a report
 * of the other kind (check.csv for a run, summary.csv for a check).
 * Returns 0, or -errno with one line in err naming --csv, the path, what
 * is wrong and what to do. Not thread-safe against other writers of dir.
 */
/* A file option's path (--json, --hlog): DIR/BASE, or -EINVAL. */
int rs_out_split(const char *path, char *dir, size_t dlen, char *base,
		 size_t blen);
/* Before the work: opt's FILE is in an existing, writable directory and
 * is a regular file or nothing (a symlink, FIFO, device or directory
 * would be replaced by the rename: refused). One line in err. */
int rs_out_prepare(const char *opt, const char *path, bool stdout_ok,
		   char *err, size_t errlen);
int rs_report_dir_prepare(const char *dir, enum rs_rkind kind, char *err,
			  size_t errlen);

/* A CSV file being written: a temporary file renamed into place. */
struct rs_csv_out {
	FILE *f;
	char tmp[4096];
	char path[4096];
};

/* Open dir/name for writing through a new temporary file
 * dir/.name.tmp.PID.K, created with O_EXCL|O_NOFOLLOW so that nothing
 * planted under that name is followed or reused. Refuses summary.csv in a
 * directory holding check.csv and the reverse (-EEXIST). Returns 0, or
 * -errno with what failed in err. */
int rs_csv_open(struct rs_csv_out *o, const char *dir, const char *name,
		char *err, size_t errlen);

/* Close and rename into place; on any write error the temporary file is
 * removed. Returns 0, or -errno with what failed in err. */
int rs_csv_close(struct rs_csv_out *o, char *err, size_t errlen);

/* mkdir -p. Returns 0 or -errno. */
int rs_mkdir_p(const char *dir);

/* Write one CSV field, quoted when it holds a comma, quote or newline. */
void rs_csv_field(FILE *f, const char *s);

/*
 * One row of a report file being written, field by field, by column name:
 * the writers name each column they fill, and the row is written in the
 * schema's order (src/schema.c), so a column is added in one place. A
 * name the file does not have, a column left unset or a row too long is
 * a programming error: rs_row_check says which, rs_row_write aborts.
 */
#define RS_ROW_MAXCOLS 96
struct rs_row {
	enum rs_rfile f;
	const char *field[RS_ROW_MAXCOLS];
	const char *bad;        /* the first unknown column set, or NULL */
	bool full;              /* the text store ran out */
	size_t used;
	char store[8192];
};

/* Start a row of file f: schema_version is set, nothing else. */
void rs_row_init(struct rs_row *r, enum rs_rfile f);

/* Set column col to the printf-formatted text. */
void rs_row_set(struct rs_row *r, const char *col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set every RS_MR_PCT column of the row: percentile pct of the histogram
 * hist(ctx, c->hist) (NULL: an empty one), in µs with 3 decimals. */
void rs_row_pcts(struct rs_row *r,
		 const struct rs_histo *(*hist)(void *ctx, const char *name),
		 void *ctx);

/* 0 when every column is set and no unknown one was, else -EINVAL with
 * what is wrong in err. */
int rs_row_check(const struct rs_row *r, char *err, size_t errlen);

/* Write the row as one CSV line (rs_csv_field quoting). */
void rs_row_write(const struct rs_row *r, FILE *f);

#endif
