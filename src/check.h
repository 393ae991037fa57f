/* `rststorm check` and `rststorm scenarios`. */
#ifndef RS_CHECK_H
#define RS_CHECK_H

/* argv[0] is the subcommand name. Return the process exit status: 0, 1
 * (a DIFF, a counter mismatch or a failure), 2 (usage), 128+signal. */
int rs_cmd_check(int argc, char **argv);
int rs_cmd_scenarios(int argc, char **argv);

#endif
