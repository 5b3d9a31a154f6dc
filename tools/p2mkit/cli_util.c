// SPDX-License-Identifier: BSD-2-Clause
/* Shared parsing and output helpers for the p2mkit CLI. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2mkit/memtype.h>

bool cli_parse_u64(const char *s, uint64_t *out)
{
	if (s == NULL || *s == '\0' || isspace((unsigned char)*s) || *s == '-' ||
	    *s == '+')
		return false;
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return false;
	}
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	*out = (uint64_t)v;
	return true;
}

bool cli_parse_msr_assign(const char *s, uint32_t *msr, uint64_t *value)
{
	const char *eq = strchr(s, '=');
	if (eq == NULL || eq == s)
		return false;
	char idx[32];
	size_t n = (size_t)(eq - s);
	if (n >= sizeof(idx))
		return false;
	memcpy(idx, s, n);
	idx[n] = '\0';
	uint64_t i = 0, v = 0;
	if (!cli_parse_u64(idx, &i) || i > UINT32_MAX || !cli_parse_u64(eq + 1, &v))
		return false;
	*msr = (uint32_t)i;
	*value = v;
	return true;
}

bool cli_parse_type(const char *s, unsigned *mt)
{
	return p2mk_mt_parse(s, mt);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "p2mkit %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

void cli_print_json(json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text != NULL) {
		puts(text);
		free(text);
	}
	json_decref(root);
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}
