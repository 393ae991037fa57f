/* rststorm: stress-test TCP connection teardown through io_uring and
 * count what every operation after the peer's close returns. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "compare.h"
#include "esc.h"
#include "html.h"
#include "merge.h"
#include "probe.h"
#include "report.h"
#include "run.h"
#include "schema.h"
#include "serve.h"
#include "util.h"

static int cmd_run(int argc, char **argv);
static int cmd_serve(int argc, char **argv);
static int cmd_probe(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

/* The one table of commands: dispatch, the usage text, the list in errors
 * and the signal policy come from it. */
static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	/* takes no arguments but -h/--help: anything else is refused here,
	 * before the command runs */
	bool no_args;
	/* stops cleanly on SIGINT/SIGTERM: they are blocked from the start
	 * and the command waits for them (sigtimedwait in run.c) */
	bool signals;
	const char *help;
} commands[] = {
	{ "run", cmd_run, false, true,
	  "connections to embedded servers that close them by FIN or RST;\n"
	  "count what every op after the close returns (rststorm run --help)" },
	{ "serve", cmd_serve, false, true,
	  "the embedded server as a command: listen, close each connection\n"
	  "by the plan, for run --target elsewhere (rststorm serve --help)" },
	{ "check", rs_cmd_check, false, true,
	  "run the scenario catalogue alone and under load; verdicts against\n"
	  "the expected kernel behaviour (rststorm check --help)" },
	{ "scenarios", rs_cmd_scenarios, false, false,
	  "list the scenarios and what each expects; --show NAME prints\n"
	  "one as a scenario file (rststorm scenarios --help)" },
	{ "compare", rs_cmd_compare, false, false,
	  "what differs between two reports of the same kind: exit 1\n"
	  "if anything does (rststorm compare --help)" },
	{ "merge", rs_cmd_merge, false, false,
	  "add reports of several runs or machines into one report\n"
	  "(rststorm merge --help)" },
	{ "report", rs_cmd_report, false, false,
	  "one self-contained HTML page from a run, check or compare\n"
	  "report directory (rststorm report --help)" },
	{ "schema", rs_cmd_schema, false, false,
	  "the columns of every report file: type, unit, merge rule, meaning\n"
	  "(rststorm schema --help)" },
	{ "probe", cmd_probe, true, false,
	  "the kernel's io_uring features and the path rststorm takes" },
	{ "version", cmd_version, true, false,
	  "print the version (also -V, --version)" },
	{ "help", cmd_help, false, false,
	  "this text; help COMMAND: that command's options" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static bool is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rststorm COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *h = commands[i].help;

		fprintf(f, "  %-10s ", commands[i].name);
		for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(f, "%.*s\n  %-10s ", (int)(nl - h), h, "");
		fprintf(f, "%s\n", h);
	}
}

/* "run, check, ..., help" */
static void command_list(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NCOMMANDS && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", commands[i].name);
}

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	char v[RS_ESC_VALUE], list[160];

	command_list(list, sizeof(list));
	fprintf(stderr,
		"rststorm: '%s': unknown command (allowed: %s)\n",
		rs_esc(v, sizeof(v), name), list);
	return 2;
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

static int cmd_serve(int argc, char **argv)
{
	struct rs_config cfg;
	char err[512];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int ret;

	rs_config_defaults(&cfg, ncpu > 0 ? (unsigned)ncpu : 1);
	ret = rs_cli_parse_cmd(&cfg, RS_CLI_SERVE, argc, argv, err,
			       sizeof(err));
	if (ret == 1)
		return 0;
	if (ret) {
		fprintf(stderr, "rststorm serve: %s\n", err);
		return 2;
	}
	return rs_serve(&cfg);
}

static int cmd_probe(int argc, char **argv)
{
	struct rs_probe p;

	if (argc > 1) {
		printf("usage: rststorm probe\n\nThe kernel's io_uring features, the path rststorm takes with them and\nwhat it falls back to. Exit status 1 when io_uring is not usable.\n");
		return 0;
	}
	(void)argv;
	rs_probe_run(&p, NULL);
	rs_probe_print(&p, stdout);
	return p.uring_err ? 1 : 0;
}

static int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		printf("usage: rststorm version (or -V, --version)\n\nPrint rststorm's version and the liburing it was built with.\n");
		return 0;
	}
	printf("rststorm %s (liburing %s)\n", RS_VERSION, RS_LIBURING_VERSION);
	return 0;
}

/* help: this text; help COMMAND: COMMAND --help. */
static int cmd_help(int argc, char **argv)
{
	const struct command *c;
	char v[RS_ESC_VALUE], *hargv[3];

	if (argc < 2 || is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr,
			"rststorm help: '%s': unexpected argument (help takes one command name)\n",
			rs_esc(v, sizeof(v), argv[2]));
		return 2;
	}
	c = command_find(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	hargv[0] = (char *)c->name;
	hargv[1] = "--help";
	hargv[2] = NULL;
	return c->fn(2, hargv);
}

/* Commands that stop on SIGINT/SIGTERM themselves get them blocked before
 * any setup: a signal that comes early is held until the command waits
 * for it and then handled like a late one (the run stops and reports).
 * Every other command gets them unblocked, whatever the parent left
 * blocked: their default action ends the process. Dispositions are left
 * as inherited (a shell's background job ignores SIGINT). */
static void set_signals(bool handled)
{
	sigset_t sigs;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	if (sigprocmask(handled ? SIG_BLOCK : SIG_UNBLOCK, &sigs, NULL))
		rs_fatal("sigprocmask failed: %s: report this as a bug",
			 strerror(errno));
}

int main(int argc, char **argv)
{
	const struct command *c;
	char v[RS_ESC_VALUE];

	if (argc < 2) {
		char list[160];

		set_signals(false);
		command_list(list, sizeof(list));
		fprintf(stderr,
			"rststorm: a command is needed (allowed: %s; rststorm help describes them)\n",
			list);
		return 2;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)
		c = command_find("version");
	else if (is_help(argv[1]))
		c = command_find("help");
	else
		c = command_find(argv[1]);
	set_signals(c && c->signals);
	if (!c)
		return unknown_command(argv[1]);
	if (c->no_args && argc > 2 && (argc > 3 || !is_help(argv[2]))) {
		const char *extra = is_help(argv[2]) ? argv[3] : argv[2];

		fprintf(stderr,
			"rststorm %s: '%s': unexpected argument (%s takes none; rststorm %s --help)\n",
			c->name, rs_esc(v, sizeof(v), extra), c->name,
			c->name);
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}
