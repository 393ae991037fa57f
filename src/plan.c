/* Close plans: the mix of close modes and the per-connection choice. */
#include "plan.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const close_names[RS_CLOSE_NMODES] = {
	[RS_CLOSE_FIN] = "fin",
	[RS_CLOSE_RST] = "rst",
	[RS_CLOSE_UNREAD] = "unread",
	[RS_CLOSE_SHUTDOWN] = "shutdown",
};

const char *rs_close_name(unsigned mode)
{
	return mode < RS_CLOSE_NMODES ? close_names[mode] : "?";
}

int rs_close_from_name(const char *name)
{
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
		if (strcmp(name, close_names[m]) == 0)
			return (int)m;
	return -1;
}

int rs_mix_parse(const char *s, struct rs_mix *mix, char *err, size_t errlen)
{
	char buf[256];
	char *save = NULL;
	bool seen[RS_CLOSE_NMODES] = { false };

	memset(mix, 0, sizeof(*mix));
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "too long");
		return -EINVAL;
	}
	strcpy(buf, s);
	for (char *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		char *end;
		unsigned long long w;
		int m;

		if (eq)
			*eq = '\0';
		m = rs_close_from_name(tok);
		if (m < 0) {
			snprintf(err, errlen,
				 "unknown close mode '%s' (allowed: fin, rst, unread, shutdown)",
				 tok);
			return -EINVAL;
		}
		if (seen[m]) {
			snprintf(err, errlen, "close mode '%s' named twice", tok);
			return -EINVAL;
		}
		seen[m] = true;
		if (!eq) {
			w = 1;
		} else {
			errno = 0;
			w = strtoull(eq + 1, &end, 10);
			if (eq[1] < '0' || eq[1] > '9' || *end != '\0' ||
			    errno || w > 1000000) {
				snprintf(err, errlen,
					 "weight '%s' for %s is not a whole number from 0 to 1000000",
					 eq + 1, tok);
				return -EINVAL;
			}
		}
		mix->weight[m] = (uint32_t)w;
		mix->total += (uint32_t)w;
	}
	if (mix->total == 0) {
		snprintf(err, errlen, "no close mode has a positive weight");
		return -EINVAL;
	}
	return 0;
}

void rs_mix_format(const struct rs_mix *mix, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++) {
		if (!mix->weight[m])
			continue;
		int n = snprintf(buf + off, len - off, "%s%s=%u",
				 off ? "," : "", close_names[m], mix->weight[m]);
		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
	}
}

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t rs_plan_hash(uint64_t seed, uint64_t id)
{
	return splitmix64(seed ^ splitmix64(id));
}

uint64_t rs_plan_tag(const struct rs_mix *mix, uint64_t seed)
{
	uint64_t h = splitmix64(seed);

	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
		h = splitmix64(h ^ mix->weight[m]);
	return h;
}

enum rs_close_mode rs_plan_mode(const struct rs_mix *mix, uint64_t seed,
				uint64_t id)
{
	uint64_t r = rs_plan_hash(seed, id) % mix->total;

	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++) {
		if (r < mix->weight[m])
			return (enum rs_close_mode)m;
		r -= mix->weight[m];
	}
	return RS_CLOSE_FIN; /* unreachable while total is the sum */
}
