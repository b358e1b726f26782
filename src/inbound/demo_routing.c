/*
 * demo_routing.c — embeds demo_routing.ini (see demo_routing.h). The path
 * is relative to the repository root, where make runs the compiler.
 */
#include "inbound/demo_routing.h"

__asm__(".section .rodata\n"
	".global demo_routing_ini\n"
	".type demo_routing_ini, @object\n"
	".balign 16\n"
	"demo_routing_ini:\n"
	".incbin \"src/inbound/demo_routing.ini\"\n"
	".byte 0\n"
	".size demo_routing_ini, . - demo_routing_ini\n"
	".previous\n");
