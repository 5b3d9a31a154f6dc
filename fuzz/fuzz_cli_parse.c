// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the CLI's number, type and MSR parsing, and for the
 * x86 subcommands as a whole: the input is split at NUL bytes into an argv
 * for `combine`, `mtrr`, `msr` or `explain`.  Parsers must agree with a
 * round trip; subcommands must return 0, 1 or 2 and never crash.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The subcommands print results; keep the fuzzer's output readable.
	 * stderr stays open so crash reports are seen. */
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	return 0;
}

static void check_parsers(const char *s)
{
	uint64_t v = 0;
	if (cli_parse_u64(s, &v)) {
		char buf[32];
		uint64_t again = 0;
		snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
		if (!cli_parse_u64(buf, &again) || again != v)
			abort();
	}
	uint32_t msr = 0;
	if (cli_parse_msr_assign(s, &msr, &v) && strchr(s, '=') == NULL)
		abort();
	unsigned mt = 0;
	if (p2mk_mt_parse(s, &mt) && mt > 0xff)
		abort();
	enum p2mk_overlap o;
	if (p2mk_overlap_parse(s, &o) && strcmp(p2mk_overlap_name(o), s) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > 4096)
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	char *argv0[67];
	char **argv = argv0 + 1; /* argv0[0] is the program, for cli_main */
	int argc = 0;
	argv0[0] = "p2mkit";
	static const char *const commands[] = {"combine", "mtrr", "msr",
	                                       "explain"};
	argv[argc++] = (char *)commands[data[0] % 4];
	for (char *p = buf; p < buf + size - 1 && argc < 64;
	     p += strlen(p) + 1) {
		check_parsers(p);
		argv[argc++] = p;
	}
	argv[argc] = NULL;
	int rc;
	switch (data[0] % 4) {
	case 0:
		rc = cli_main(cli_forms, argc + 1, argv0);
		break;
	case 1:
		rc = cmd_mtrr(argc, argv);
		break;
	case 2:
		rc = cmd_msr(argc, argv);
		break;
	default:
		rc = cmd_explain(argc, argv);
		break;
	}
	if (rc < 0 || rc > 2)
		abort();
	free(buf);
	return 0;
}
