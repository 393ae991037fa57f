/* Scenario files (docs/scenarios.md): the parser that turns their text into
 * struct rs_scenario, and the printer that turns one back into text. Pure:
 * no globals; the catalogue (scenario.c) owns the set it fills. */
#ifndef RS_SCENFILE_H
#define RS_SCENFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"

/* Scenarios parsed from files, each allocated on its own with its strings
 * (so a pointer to one stays valid while the set grows). */
struct rs_scen_set {
	struct rs_scenario **v;
	size_t n, cap;
};

/* Free every scenario of the set and its array; the set is then empty.
 * NULL-safe. */
void rs_scen_set_free(struct rs_scen_set *set);

/* Parse text (len bytes, NULs included: a NUL is refused) read from file
 * (the name used in messages and kept in each scenario's file field) and
 * append its scenarios to set, marked user when user is true. All or
 * nothing: on error set is unchanged. A name used twice, in the file or
 * already in set, is refused with both places. At most max scenarios in
 * set afterwards. Returns 0, -EINVAL with err set to one line
 * "FILE:LINE:COL: expected X, found 'Y'" (Y escaped), or -ENOMEM. */
int rs_scenfile_parse(struct rs_scen_set *set, const char *file,
		      const char *text, size_t len, bool user, size_t max,
		      char *err, size_t errlen);

/* The scenario as file text that parses back to the same scenario (every
 * field but file, line and user), snprintf-style: writes at most len
 * bytes, NUL included, and returns the length the whole text needs. */
size_t rs_scenfile_print(const struct rs_scenario *sc, char *buf,
			 size_t len);

/* The built-in scenario files, embedded at build time (the Makefile's
 * generator writes them from scenarios/index into build/gen/). */
struct rs_scen_text {
	const char *file;  /* "scenarios/NAME.scn" */
	const char *text;
};
extern const struct rs_scen_text rs_builtin_scen[];
extern const size_t rs_builtin_scen_n;

#endif
