/* Helpers shared by every module: errno names and fatal/warning output. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RS_ERRNO_MAX 134

const char *rs_errname(int err)
{
	static __thread char buf[16];
	const char *name = NULL;

	if (err > 0 && err <= RS_ERRNO_MAX)
		name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

int rs_errno_from_name(const char *name)
{
	for (int e = 1; e <= RS_ERRNO_MAX; e++) {
		const char *n = strerrorname_np(e);

		if (n && strcmp(n, name) == 0)
			return e;
	}
	return 0;
}

void rs_fatal(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("rststorm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void rs_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("rststorm: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t rs_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

void rs_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

const char *rs_esc_field(const char *s, size_t max, char *buf, size_t len)
{
	size_t o = 0, i;

	if (!len)
		return buf;
	for (i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		char t[5];
		size_t n;

		if (c == '\\')
			n = (size_t)snprintf(t, sizeof(t), "\\\\");
		else if (c >= 0x20 && c < 0x7f)
			n = (size_t)snprintf(t, sizeof(t), "%c", c);
		else
			n = (size_t)snprintf(t, sizeof(t), "\\x%02x", c);
		if (o + n + 4 > len) /* room for "..." and the NUL */
			break;
		memcpy(buf + o, t, n);
		o += n;
	}
	if (s[i] && o + 4 <= len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}
