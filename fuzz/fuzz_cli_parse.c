// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the whole CLI: the value parsers (round trips) and
 * every pure form of the command table (combine, mtrr, msr, explain) run
 * through cli_main() with an argv split from the input at NUL bytes.  A run
 * must return 0, 1 or 2 and never crash.  Run with -close_fd_mask=2 to
 * silence the usage messages (and crash reports).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	/* Most inputs are bad usage: one unbuffered write per message cost
	 * more than the parsing.  Sanitizer reports do not go through stdio. */
	static char errbuf[1 << 16];
	if (setvbuf(stderr, errbuf, _IOFBF, sizeof(errbuf)) != 0)
		abort();
	return 0;
}

static void check_parsers(const char *s)
{
	char why[256], again_text[32];
	uint64_t v = 0, again = 0;
	if (cli_parse_hex("--x", s, &v, why, sizeof(why))) {
		snprintf(again_text, sizeof(again_text), "0x%" PRIx64, v);
		if (!cli_parse_hex("--x", again_text, &again, why,
		                   sizeof(why)) ||
		    again != v)
			abort();
	}
	if (cli_parse_dec("--x", s, &v, why, sizeof(why))) {
		snprintf(again_text, sizeof(again_text), "%" PRIu64, v);
		if (!cli_parse_dec("--x", again_text, &again, why,
		                   sizeof(why)) ||
		    again != v)
			abort();
	}
	uint32_t msr = 0;
	if (cli_parse_msr("--msr", s, &msr, &v, why, sizeof(why)) &&
	    strchr(s, '=') == NULL)
		abort();
	unsigned mt = 0;
	if (cli_parse_memtype("--t", s, CLI_MT_ANY, &mt, why, sizeof(why)) &&
	    mt > 7)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > 4096)
		return 0;
	char *buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	static const char *const commands[] = {"combine", "mtrr", "msr",
	                                       "explain"};
	char *argv[67];
	int argc = 0;
	argv[argc++] = "p2mkit";
	argv[argc++] = (char *)commands[data[0] % 4];
	for (char *p = buf; p < buf + size - 1 && argc < 66;
	     p += strlen(p) + 1) {
		check_parsers(p);
		argv[argc++] = p;
	}
	argv[argc] = NULL;
	int rc = cli_main(cli_forms, argc, argv);
	if (rc < 0 || rc > 2)
		abort();
	free(buf);
	return 0;
}
