/* Unit tests for the plumbing of trials whose victim runs in a child
 * process with SIGPIPE's default action (src/trial.c,
 * rs_trial_child_results): how the child ended and what it wrote become
 * one result per op, a kill by SIGPIPE is the op's result and the ops
 * after it are not-run, and every other end is refused with a reason. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outcome.h"
#include "trial.h"

#define EPIPE_RES (RS_RES_ERRNO0 + EPIPE)
#define UNSET 0xeeee

static void out_init(struct rs_child_out *o, int cur)
{
	memset(o, 0, sizeof(*o));
	o->cur = cur;
	o->ring_fd = -1;
	for (unsigned k = 0; k < RS_SC_MAX_OPS; k++)
		o->res[k] = RS_RES_OK;
}

static void res_init(uint16_t *res)
{
	for (unsigned k = 0; k < RS_SC_MAX_OPS; k++)
		res[k] = UNSET;
}

static void test_all_returned(void **state)
{
	struct rs_child_out o;
	uint16_t res[RS_SC_MAX_OPS];
	char why[160] = "";

	(void)state;
	out_init(&o, 3);
	o.res[1] = EPIPE_RES;
	o.res[2] = EPIPE_RES;
	res_init(res);
	assert_int_equal(rs_trial_child_results(W_EXITCODE(0, 0), false, &o,
						0, 3, res, why, sizeof(why)),
			 0);
	assert_int_equal(res[0], RS_RES_OK);
	assert_int_equal(res[1], EPIPE_RES);
	assert_int_equal(res[2], EPIPE_RES);
	assert_int_equal(res[3], UNSET);
	/* ops before first are the parent's: untouched */
	out_init(&o, 4);
	res_init(res);
	assert_int_equal(rs_trial_child_results(W_EXITCODE(0, 0), false, &o,
						1, 4, res, why, sizeof(why)),
			 0);
	assert_int_equal(res[0], UNSET);
	assert_int_equal(res[1], RS_RES_OK);
	assert_int_equal(res[3], RS_RES_OK);
}

static void test_killed_by_sigpipe(void **state)
{
	struct rs_child_out o;
	uint16_t res[RS_SC_MAX_OPS];
	char why[160] = "";

	(void)state;
	/* killed in op 2 of 3: op 1 kept, op 2 killed, op 3 not run */
	out_init(&o, 1);
	res_init(res);
	assert_int_equal(rs_trial_child_results(W_EXITCODE(0, SIGPIPE), false,
						&o, 0, 3, res, why,
						sizeof(why)),
			 0);
	assert_int_equal(res[0], RS_RES_OK);
	assert_int_equal(res[1], RS_RES_KILLED);
	assert_int_equal(res[2], RS_RES_NOTRUN);
	assert_string_equal(rs_result_name(res[1]), "killed:SIGPIPE");
	assert_string_equal(rs_result_name(res[2]), "not-run");
	/* in its first op: nothing before it */
	out_init(&o, 0);
	res_init(res);
	assert_int_equal(rs_trial_child_results(W_EXITCODE(0, SIGPIPE), false,
						&o, 0, 2, res, why,
						sizeof(why)),
			 0);
	assert_int_equal(res[0], RS_RES_KILLED);
	assert_int_equal(res[1], RS_RES_NOTRUN);
	assert_int_equal(res[2], UNSET);
}

static void test_killed_at_timeout(void **state)
{
	struct rs_child_out o;
	uint16_t res[RS_SC_MAX_OPS];
	char why[160] = "";

	(void)state;
	out_init(&o, 0);
	res_init(res);
	assert_int_equal(rs_trial_child_results(W_EXITCODE(0, SIGKILL), true,
						&o, 0, 2, res, why,
						sizeof(why)),
			 0);
	assert_int_equal(res[0], RS_RES_TIMEOUT);
	assert_int_equal(res[1], RS_RES_NOTRUN);
	/* killed by check after its last op returned (a slow teardown):
	 * every result stands */
	out_init(&o, 2);
	o.res[1] = EPIPE_RES;
	res_init(res);
	assert_int_equal(rs_trial_child_results(W_EXITCODE(0, SIGKILL), true,
						&o, 0, 2, res, why,
						sizeof(why)),
			 0);
	assert_int_equal(res[0], RS_RES_OK);
	assert_int_equal(res[1], EPIPE_RES);
	assert_int_equal(res[2], UNSET);
	/* the same SIGKILL from someone else is no result */
	out_init(&o, 0);
	res_init(res);
	assert_int_equal(rs_trial_child_results(W_EXITCODE(0, SIGKILL), false,
						&o, 0, 2, res, why,
						sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "signal 9"));
	assert_int_equal(res[0], UNSET);
}

static void test_other_ends_refused(void **state)
{
	struct rs_child_out o;
	uint16_t res[RS_SC_MAX_OPS];
	char why[160];

	(void)state;
	res_init(res);
	/* a crash */
	out_init(&o, 1);
	why[0] = '\0';
	assert_int_equal(rs_trial_child_results(W_EXITCODE(0, SIGSEGV), false,
						&o, 0, 3, res, why,
						sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "signal 11"));
	/* SIGPIPE after the last op returned: not an op's */
	out_init(&o, 3);
	why[0] = '\0';
	assert_int_equal(rs_trial_child_results(W_EXITCODE(0, SIGPIPE), false,
						&o, 0, 3, res, why,
						sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "outside its ops"));
	/* no ring */
	out_init(&o, 0);
	o.err = ENOMEM;
	why[0] = '\0';
	assert_int_equal(rs_trial_child_results(W_EXITCODE(RS_CHILD_EXIT_RING,
							   0),
						false, &o, 0, 3, res, why,
						sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "io_uring"));
	assert_non_null(strstr(why, strerror(ENOMEM)));
	/* exit 0 before the last op */
	out_init(&o, 1);
	why[0] = '\0';
	assert_int_equal(rs_trial_child_results(W_EXITCODE(0, 0), false, &o, 0,
						3, res, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "after 1 of 3 ops"));
	for (unsigned k = 0; k < RS_SC_MAX_OPS; k++)
		assert_int_equal(res[k], UNSET);
}

/* A real child with SIGPIPE at its default action writes to a socket
 * whose peer is closed: the wait status the kernel gives is read as a
 * kill in that op, and this process is not touched. */
static void test_real_sigpipe_kill(void **state)
{
	struct rs_child_out o;
	uint16_t res[RS_SC_MAX_OPS];
	char why[160] = "";
	int sv[2], st = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	out_init(&o, 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		(void)!write(sv[0], "x", 1);
		_exit(0);
	}
	close(sv[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGPIPE);
	res_init(res);
	assert_int_equal(rs_trial_child_results(st, false, &o, 0, 2, res, why,
						sizeof(why)),
			 0);
	assert_int_equal(res[0], RS_RES_KILLED);
	assert_int_equal(res[1], RS_RES_NOTRUN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_returned),
		cmocka_unit_test(test_killed_by_sigpipe),
		cmocka_unit_test(test_killed_at_timeout),
		cmocka_unit_test(test_other_ends_refused),
		cmocka_unit_test(test_real_sigpipe_kill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
