/*
 * main.c — occctl's entry point (occctl.c; occd links the rest of
 * src/cli/ for its admin console, cli/exec.h).
 */
#include "cli/exec.h"

int main(int argc, char **argv)
{
	return occctl_main(argc, argv);
}
