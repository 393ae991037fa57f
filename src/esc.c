/* One escaping function for every echo of outside input: C-style escapes,
 * bounded, elided in the middle, always one line. */
#include "esc.h"

#include <string.h>

/* The escape of byte c in out (up to 4 bytes, not terminated); returns
 * its length. */
static size_t esc_byte(unsigned char c, char *out)
{
	static const char hex[] = "0123456789abcdef";
	static const char named[] = "\\\n\t\r", letter[] = "\\ntr";
	const char *k = c ? memchr(named, c, sizeof(named) - 1) : NULL;

	if (k) {
		out[0] = '\\', out[1] = letter[k - named];
		return 2;
	}
	if (c < 0x20 || c >= 0x7f) {
		out[0] = '\\', out[1] = 'x';
		out[2] = hex[c >> 4], out[3] = hex[c & 15];
		return 4;
	}
	out[0] = (char)c;
	return 1;
}

static size_t esc_len(unsigned char c)
{
	char tmp[4];

	return esc_byte(c, tmp);
}

char *rs_esc_mem(char *dst, size_t len, const void *src, size_t n)
{
	const unsigned char *s = src;
	size_t cap, total = 0, off = 0, head = 0, tail = n, used, room;

	if (len == 0)
		return dst;
	cap = len - 1;
	for (size_t i = 0; i < n && total <= cap; i++)
		total += esc_len(s[i]);
	if (total <= cap) {
		for (size_t i = 0; i < n; i++)
			off += esc_byte(s[i], dst + off);
		dst[off] = '\0';
		return dst;
	}
	if (cap < 3) {
		memcpy(dst, "...", cap);
		dst[cap] = '\0';
		return dst;
	}
	/* head gets half the room, the tail the rest of it */
	room = cap - 3;
	used = 0;
	while (head < n && used + esc_len(s[head]) <= (room + 1) / 2)
		used += esc_len(s[head++]);
	room -= used;
	used = 0;
	while (tail > head && used + esc_len(s[tail - 1]) <= room)
		used += esc_len(s[--tail]);
	for (size_t i = 0; i < head; i++)
		off += esc_byte(s[i], dst + off);
	memcpy(dst + off, "...", 3);
	off += 3;
	for (size_t i = tail; i < n; i++)
		off += esc_byte(s[i], dst + off);
	dst[off] = '\0';
	return dst;
}

char *rs_esc(char *dst, size_t len, const char *src)
{
	if (!src)
		src = "";
	return rs_esc_mem(dst, len, src, strlen(src));
}
