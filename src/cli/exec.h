/*
 * exec.h — occctl's commands, run in another program: occd's admin console
 * (api/admin.c) makes every change through them, so the console and the
 * CLI share one table of commands, one set of argument checks and one
 * handler per change.
 */
#ifndef OCC_CLI_EXEC_H
#define OCC_CLI_EXEC_H

struct store;

/* occctl's main (src/cli/main.c calls it). */
int occctl_main(int argc, char **argv);

/* Run one command, argv = noun [verb] arguments (what follows occctl's
 * global options), against the open store st whose data directory is dir:
 * the same lookup, argument checks and handler as occctl, without the
 * SIGHUP (the caller reloads). What it prints goes to *outp, its error
 * line ("occctl: ...") to *errp, both libre strings the caller frees.
 * Commands that read files (CMD_NO_STORE) are refused. Returns 0,
 * EXIT_ERR (1) or EXIT_USAGE (2). */
int occctl_exec(struct store *st, const char *dir, int argc, char **argv,
		char **outp, char **errp);

#endif
