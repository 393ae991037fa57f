/* Small helpers every module uses: the monotonic clock, errno names and
 * the one way the program reports a fatal setup error. */
#ifndef RS_UTIL_H
#define RS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define RS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* CLOCK_MONOTONIC in nanoseconds. Thread-safe. */
static inline uint64_t rs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The symbolic name of a positive errno value ("EPIPE"), or "E<n>" for a
 * value the C library does not name. Returns a pointer to static storage
 * (a per-thread buffer for unnamed values). Thread-safe. */
const char *rs_errname(int err);

/* The errno value for a symbolic name ("EPIPE" -> 32), or 0 when the name
 * is not known. */
int rs_errno_from_name(const char *name);

/* The process's resident set (VmRSS of /proc/self/status) in KiB, or 0
 * when it cannot be read. */
uint64_t rs_rss_kb(void);

/* Append printf output to the string in buf (len bytes in all), cutting it
 * short rather than overflowing. */
void rs_append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Copy s into buf (len bytes) as one line of printable text, for echoing
 * a field read from a file: printable ASCII is kept, a backslash is
 * doubled, every other byte (control characters, line breaks, bytes
 * >= 0x80) becomes \xHH. At most max bytes of s are shown; "..." marks the rest. Returns
 * buf. (An interim helper until a project-wide escaper exists.)
 */
const char *rs_esc_field(const char *s, size_t max, char *buf, size_t len);

/* Print "rststorm: <message>" to stderr and exit(1). For setup failures
 * only: the message must say what failed, why, and what to do. */
void rs_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Print "rststorm: warning: <message>" to stderr. */
void rs_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
