/* libFuzzer harness for the scenario file parser (src/scenfile.c): the
 * input is a scenario file. Whatever it holds, the parser either refuses
 * it with one non-empty line naming the file, adding nothing, or accepts
 * scenarios that pass the checks check relies on; then each one printed
 * parses back to a scenario that prints the same (the printer's fixed
 * point). The name check runs against the built-ins. Seeds: the built-in
 * files (scenarios/NAME.scn). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcome.h"
#include "plan.h"
#include "scenario.h"
#include "scenfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the built-ins, borrowed (not freed) */
static struct rs_scen_set base;

static void check_one(const struct rs_scenario *sc)
{
	struct rs_scen_set again = { 0 };
	char err[1024], *a, *b;
	size_t n;

	if (!sc->name || !sc->desc || !sc->basis || !sc->file)
		abort();
	if (sc->nops < 1 || sc->nops > RS_SC_MAX_OPS ||
	    sc->ops_before >= sc->nops || sc->mode >= RS_CLOSE_NMODES ||
	    sc->closer >= RS_SIDE_N || sc->wait >= RS_SCW_N ||
	    sc->path >= RS_PATH_N || sc->sigpipe >= RS_SIG_N ||
	    sc->sigdisp >= RS_SIGDISP_N || strlen(sc->name) > RS_SC_NAME_MAX ||
	    strlen(sc->desc) > RS_SC_TEXT_MAX || strchr(sc->desc, '\n'))
		abort();
	for (unsigned i = 0; i < sc->nops; i++) {
		const struct rs_sc_op *op = &sc->op[i];

		if (op->kind >= RS_SOP_N || op->exp_kind >= RS_EXP_N ||
		    op->nexp < 1 || op->nexp > 2 || op->exp[0] >= RS_RES_N ||
		    (op->nexp == 2 && op->exp[1] >= RS_RES_N) ||
		    op->claim >= (int)RS_RES_N ||
		    (op->claim >= 0 && !sc->claim_src))
			abort();
	}
	n = rs_scenfile_print(sc, NULL, 0);
	a = malloc(n + 1);
	b = malloc(n + 1);
	if (!a || !b)
		abort();
	if (rs_scenfile_print(sc, a, n + 1) != n)
		abort();
	if (rs_scenfile_parse(&again, "again.scn", a, n, true, 1, err,
			      sizeof(err)) ||
	    again.n != 1)
		abort();
	if (rs_scenfile_print(again.v[0], b, n + 1) != n || memcmp(a, b, n))
		abort();
	rs_scen_set_free(&again);
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	size_t n0;
	int r;

	if (!base.n) {
		base.n = base.cap = rs_scenario_builtin_count();
		base.v = malloc(base.n * sizeof(*base.v));
		if (!base.v)
			abort();
		for (size_t i = 0; i < base.n; i++)
			base.v[i] = (struct rs_scenario *)rs_scenario_at(i);
	}
	n0 = base.n;
	err[0] = '\0';
	r = rs_scenfile_parse(&base, "fuzz.scn", (const char *)data, size,
			      true, RS_SC_MAX_TOTAL, err, sizeof(err));
	if (r) {
		/* a refusal: one line, naming the file, nothing added */
		if (r != -EINVAL || base.n != n0 ||
		    strncmp(err, "fuzz.scn:", 9) != 0 || strchr(err, '\n'))
			abort();
		return 0;
	}
	if (base.n <= n0)
		abort();
	for (size_t i = n0; i < base.n; i++)
		check_one(base.v[i]);
	/* the new ones are ours to free; the built-ins stay */
	for (size_t i = n0; i < base.n; i++) {
		struct rs_scen_set one = { malloc(sizeof(*one.v)), 1, 1 };

		if (!one.v)
			abort();
		one.v[0] = base.v[i];
		rs_scen_set_free(&one);
	}
	base.n = n0;
	return 0;
}
