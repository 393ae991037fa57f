/* Snapshots of the kernel's SNMP counters (/proc/net/snmp, /proc/net/netstat)
 * and their deltas, so a run can be reconciled with what the kernel counted.
 * Inside a fresh network namespace the counters are that namespace's only. */
#ifndef RS_MIB_H
#define RS_MIB_H

#include <stdint.h>
#include <stdio.h>

/* A snapshot: every "Prefix.Name" -> value pair of the files read, e.g.
 * "Tcp.OutRsts", "TcpExt.TCPAbortOnClose". Counters are looked up by name,
 * never by position: kernels differ in which fields they print and where.
 * Values are int64_t because Tcp.MaxConn is -1; the rest are unsigned in
 * the kernel, and one beyond INT64_MAX is rejected as malformed.
 *
 * Input format: lines in pairs, a header "Prefix: Name1 Name2 ..." then a
 * value line "Prefix: v1 v2 ..." with the same prefix, fields separated by
 * spaces or tabs. Blank lines between pairs are ignored. Lines may be of
 * any length. The parse is all or nothing: any malformed pair (field count
 * mismatch, prefix mismatch or a prefix without its ':', a value that is
 * not a plain decimal integer in int64_t range, a header without its value
 * line, a NUL byte in a line), a stream with no pair at all (an empty
 * file), or the same "Prefix.Name" twice fails the whole snapshot with
 * EINVAL: a partial snapshot would make counters that exist look missing
 * and so hide a broken input.
 *
 * A snapshot is immutable once made: any number of threads may read it at
 * once. Lookups (rs_mib_get, rs_mib_delta) allocate nothing. */
struct rs_mib;

/* Read /proc/net/snmp and /proc/net/netstat of the calling thread's network
 * namespace. Returns a new snapshot for rs_mib_free(), or NULL with errno
 * set: from fopen (ENOENT, EACCES, ...), EINVAL for malformed contents, EIO
 * or the read error, ENOMEM. */
struct rs_mib *rs_mib_read(void);

/* rs_mib_read() from the given paths; a NULL path is not read. Same
 * returns; both paths NULL gives an empty snapshot. */
struct rs_mib *rs_mib_read_files(const char *snmp_path,
				 const char *netstat_path);

/* Parse a snapshot from open streams, read to their end and left open for
 * the caller to close; a NULL stream contributes nothing. Returns a new
 * snapshot for rs_mib_free(), or NULL with errno EINVAL (malformed, see
 * above), EIO or the read error, or ENOMEM. */
struct rs_mib *rs_mib_parse(FILE *snmp, FILE *netstat);

/* Free a snapshot. NULL is allowed. */
void rs_mib_free(struct rs_mib *m);

/* The number of counters in the snapshot. */
unsigned rs_mib_count(const struct rs_mib *m);

/* Look up name ("Tcp.OutRsts", case-sensitive, as the kernel prints it).
 * Returns 0 and the value in *v (v may be NULL to test for presence), or
 * -ENOENT when the snapshot has no such counter (this kernel does not
 * print it, or its file was not read). O(log n), no allocation. */
int rs_mib_get(const struct rs_mib *m, const char *name, int64_t *v);

/* after - before for counter name. Returns 0 and the difference in *d,
 * -ENOENT if either snapshot lacks the counter, or -ERANGE if the
 * difference does not fit in int64_t. *d is left alone on error. */
int rs_mib_delta(const struct rs_mib *before, const struct rs_mib *after,
		 const char *name, int64_t *d);

/* The counters rststorm reports, in report order: Tcp.OutRsts,
 * Tcp.EstabResets, Tcp.AttemptFails, Tcp.ActiveOpens, Tcp.PassiveOpens,
 * TcpExt.TCPAbortOnClose, TcpExt.TCPAbortOnData, TcpExt.TCPAbortOnLinger,
 * TcpExt.ListenOverflows, TcpExt.ListenDrops. rs_mib_nwatched entries. */
extern const char *const rs_mib_watched[];
extern const unsigned rs_mib_nwatched;

#endif
