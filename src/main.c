/* rststorm: stress-test TCP connection teardown through io_uring and
 * count what every operation after the peer's close returns. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "compare.h"
#include "merge.h"
#include "probe.h"
#include "report.h"
#include "run.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rststorm COMMAND [options]\n"
		"\n"
		"commands:\n"
		"  run      connections to embedded servers that close them by FIN or RST;\n"
		"           count what every op after the close returns (rststorm run --help)\n"
		"  check    run the scenario catalogue alone and under load; verdicts against\n"
		"           the expected kernel behaviour (rststorm check --help)\n"
		"  scenarios  list the scenarios and what each expects\n"
		"  compare  what differs between two reports of the same kind: exit 1\n"
		"           if anything does (rststorm compare --help)\n"
		"  merge    add reports of several runs or machines into one report\n"
		"           (rststorm merge --help)\n"
		"  probe    the kernel's io_uring features and the path rststorm takes\n"
		"  version  print the version\n"
		"  help     this text\n");
}

static int cmd_run(int argc, char **argv)
{
	struct rs_config cfg;
	char err[512];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int ret;

	rs_config_defaults(&cfg, ncpu > 0 ? (unsigned)ncpu : 1);
	ret = rs_cli_parse(&cfg, argc, argv, err, sizeof(err));
	if (ret == 1)
		return 0;
	if (ret) {
		fprintf(stderr, "rststorm run: %s\n", err);
		return 2;
	}
	return rs_run(&cfg);
}

static int cmd_probe(int argc, char **argv)
{
	struct rs_probe p;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "rststorm probe: '%s': takes no arguments\n",
			argv[1]);
		return 2;
	}
	rs_probe_run(&p, NULL);
	rs_probe_print(&p, stdout);
	return p.uring_err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return rs_cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "scenarios") == 0)
		return rs_cmd_scenarios(argc - 1, argv + 1);
	if (strcmp(argv[1], "compare") == 0)
		return rs_cmd_compare(argc - 1, argv + 1);
	if (strcmp(argv[1], "merge") == 0)
		return rs_cmd_merge(argc - 1, argv + 1);
	if (strcmp(argv[1], "probe") == 0)
		return cmd_probe(argc - 1, argv + 1);
	if (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0) {
		printf("rststorm %s (liburing %s)\n", RS_VERSION,
		       RS_LIBURING_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr,
		"rststorm: '%s': unknown command (allowed: run, check, scenarios, compare, merge, probe, version, help)\n",
		argv[1]);
	return 2;
}
