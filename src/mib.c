/* Snapshots of /proc/net/snmp and /proc/net/netstat: every counter by
 * "Prefix.Name", looked up by binary search; deltas between two. */
#include "mib.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

struct rs_mib_entry {
	size_t off;		/* of the name in the pool, while parsing */
	const char *name;	/* set once the pool stops moving */
	int64_t value;
};

struct rs_mib {
	struct rs_mib_entry *ent;	/* sorted by name once parsed */
	unsigned n, cap;
	char *pool;			/* the names, NUL-terminated */
	size_t pool_len, pool_cap;
};

const char *const rs_mib_watched[] = {
	"Tcp.OutRsts",
	"Tcp.EstabResets",
	"Tcp.AttemptFails",
	"Tcp.ActiveOpens",
	"Tcp.PassiveOpens",
	"TcpExt.TCPAbortOnClose",
	"TcpExt.TCPAbortOnData",
	"TcpExt.TCPAbortOnLinger",
	"TcpExt.ListenOverflows",
	"TcpExt.ListenDrops",
};
const unsigned rs_mib_nwatched =
	sizeof(rs_mib_watched) / sizeof(rs_mib_watched[0]);

static const char SEP[] = " \t";

/* Append "prefix.name" (prefix without its ':') with its value. */
static int add(struct rs_mib *m, const char *prefix, size_t plen,
	       const char *name, int64_t value)
{
	size_t nlen = strlen(name), need = plen + 1 + nlen + 1;
	struct rs_mib_entry *e;

	if (m->n == m->cap) {
		unsigned cap = m->cap ? m->cap * 2 : 256;

		e = realloc(m->ent, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		m->ent = e;
		m->cap = cap;
	}
	if (m->pool_cap - m->pool_len < need) {
		size_t cap = m->pool_cap ? m->pool_cap : 4096;
		char *p;

		while (cap - m->pool_len < need)
			cap *= 2;
		p = realloc(m->pool, cap);
		if (!p)
			return -ENOMEM;
		m->pool = p;
		m->pool_cap = cap;
	}
	e = &m->ent[m->n++];
	e->off = m->pool_len;
	e->name = NULL;
	e->value = value;
	memcpy(m->pool + m->pool_len, prefix, plen);
	m->pool[m->pool_len + plen] = '.';
	memcpy(m->pool + m->pool_len + plen + 1, name, nlen + 1);
	m->pool_len += need;
	return 0;
}

/* A plain decimal integer, optionally negative, in int64_t range: no '+',
 * no spaces, no trailing characters. */
static int parse_value(const char *s, int64_t *v)
{
	const char *digits = s[0] == '-' ? s + 1 : s;
	long long x;
	char *end;

	if (!isdigit((unsigned char)digits[0]))
		return -EINVAL;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*v = x;
	return 0;
}

/* One header line and its value line, both without their '\n'. */
static int parse_pair(struct rs_mib *m, char *hdr, char *val)
{
	char *hsave, *vsave, *prefix, *vprefix, *name, *num;
	size_t plen;
	int64_t v;
	int ret;

	prefix = strtok_r(hdr, SEP, &hsave);
	vprefix = strtok_r(val, SEP, &vsave);
	if (!prefix || !vprefix || strcmp(prefix, vprefix) != 0)
		return -EINVAL;
	plen = strlen(prefix);
	if (plen < 2 || prefix[plen - 1] != ':')
		return -EINVAL;
	for (;;) {
		name = strtok_r(NULL, SEP, &hsave);
		num = strtok_r(NULL, SEP, &vsave);
		if (!name && !num)
			return 0;
		if (!name || !num)
			return -EINVAL;
		if (parse_value(num, &v) < 0)
			return -EINVAL;
		ret = add(m, prefix, plen - 1, name, v);
		if (ret < 0)
			return ret;
	}
}

/* Reads one line into *buf and drops its '\n'. Returns the bytes read (> 0,
 * a blank line included), 0 at the end of the stream, or -errno. */
static ssize_t read_line(FILE *f, char **buf, size_t *cap)
{
	ssize_t n;

	errno = 0;
	n = getline(buf, cap, f);
	if (n < 0) {
		if (ferror(f) || errno == ENOMEM)
			return errno ? -errno : -EIO;
		return 0;
	}
	/* A NUL would silently end the line early for strtok_r. */
	if (strlen(*buf) != (size_t)n)
		return -EINVAL;
	if ((*buf)[n - 1] == '\n')
		(*buf)[n - 1] = '\0';
	return n;
}

static bool blank(const char *s)
{
	return s[strspn(s, SEP)] == '\0';
}

static int parse_stream(struct rs_mib *m, FILE *f)
{
	char *hdr = NULL, *val = NULL;
	size_t hcap = 0, vcap = 0;
	unsigned pairs = 0;
	ssize_t n;
	int ret = 0;

	for (;;) {
		n = read_line(f, &hdr, &hcap);
		if (n <= 0) {
			ret = (int)n;
			break;
		}
		if (blank(hdr))
			continue;
		n = read_line(f, &val, &vcap);
		if (n <= 0) {
			/* A header at the end of the stream: no value line. */
			ret = n < 0 ? (int)n : -EINVAL;
			break;
		}
		ret = parse_pair(m, hdr, val);
		if (ret < 0)
			break;
		pairs++;
	}
	if (ret == 0 && pairs == 0)
		ret = -EINVAL;
	free(hdr);
	free(val);
	return ret;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct rs_mib_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int cmp_key(const void *key, const void *elem)
{
	const struct rs_mib_entry *e = elem;

	return strcmp(key, e->name);
}

/* Fix the names in place, sort them, and refuse duplicates: a lookup of a
 * name given twice would be ambiguous. */
static int finish(struct rs_mib *m)
{
	for (unsigned i = 0; i < m->n; i++)
		m->ent[i].name = m->pool + m->ent[i].off;
	if (m->n > 1)
		qsort(m->ent, m->n, sizeof(*m->ent), cmp_entry);
	for (unsigned i = 1; i < m->n; i++)
		if (strcmp(m->ent[i - 1].name, m->ent[i].name) == 0)
			return -EINVAL;
	return 0;
}

struct rs_mib *rs_mib_parse(FILE *snmp, FILE *netstat)
{
	struct rs_mib *m = calloc(1, sizeof(*m));
	int ret;

	if (!m)
		return NULL;
	if (snmp) {
		ret = parse_stream(m, snmp);
		if (ret < 0)
			goto err;
	}
	if (netstat) {
		ret = parse_stream(m, netstat);
		if (ret < 0)
			goto err;
	}
	ret = finish(m);
	if (ret < 0)
		goto err;
	return m;
err:
	rs_mib_free(m);
	errno = -ret;
	return NULL;
}

struct rs_mib *rs_mib_read_files(const char *snmp_path,
				 const char *netstat_path)
{
	FILE *snmp = NULL, *netstat = NULL;
	struct rs_mib *m = NULL;
	int err;

	if (snmp_path) {
		snmp = fopen(snmp_path, "re");
		if (!snmp)
			return NULL;
	}
	if (netstat_path) {
		netstat = fopen(netstat_path, "re");
		if (!netstat)
			goto out;
	}
	m = rs_mib_parse(snmp, netstat);
out:
	err = errno;
	if (netstat)
		fclose(netstat);
	if (snmp)
		fclose(snmp);
	errno = err;
	return m;
}

struct rs_mib *rs_mib_read(void)
{
	return rs_mib_read_files("/proc/net/snmp", "/proc/net/netstat");
}

void rs_mib_free(struct rs_mib *m)
{
	if (!m)
		return;
	free(m->ent);
	free(m->pool);
	free(m);
}

unsigned rs_mib_count(const struct rs_mib *m)
{
	return m->n;
}

int rs_mib_get(const struct rs_mib *m, const char *name, int64_t *v)
{
	const struct rs_mib_entry *e;

	if (!m->n)
		return -ENOENT;
	e = bsearch(name, m->ent, m->n, sizeof(*m->ent), cmp_key);
	if (!e)
		return -ENOENT;
	if (v)
		*v = e->value;
	return 0;
}

int rs_mib_delta(const struct rs_mib *before, const struct rs_mib *after,
		 const char *name, int64_t *d)
{
	int64_t b, a, diff;
	int ret;

	ret = rs_mib_get(before, name, &b);
	if (ret < 0)
		return ret;
	ret = rs_mib_get(after, name, &a);
	if (ret < 0)
		return ret;
	if (__builtin_sub_overflow(a, b, &diff))
		return -ERANGE;
	*d = diff;
	return 0;
}
