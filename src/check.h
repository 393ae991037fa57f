/* `rststorm check` and `rststorm scenarios`. */
#ifndef RS_CHECK_H
#define RS_CHECK_H

#include <stdint.h>

/* argv[0] is the subcommand name. Return the process exit status: 0, 1
 * (a DIFF, a counter mismatch or a failure), 2 (usage), 128+signal. */
int rs_cmd_check(int argc, char **argv);
int rs_cmd_scenarios(int argc, char **argv);

/* The 95 % Wilson score interval of k successes in n trials, as cells.csv
 * writes it (ci_lo, ci_hi); [0, 1] when n is 0. Pure. */
void rs_wilson95(uint64_t k, uint64_t n, double *lo, double *hi);

#endif
