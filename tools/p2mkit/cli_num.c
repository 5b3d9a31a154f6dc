// SPDX-License-Identifier: BSD-2-Clause
/*
 * The CLI's value parsers: the only place p2mkit turns text into numbers,
 * memory types and MSR writes (docs/cli.md "Values").
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <p2mkit/memtype.h>

#include "cli_opt.h"

const char *cli_echo(const char *arg, char *buf)
{
	size_t i = 0;
	for (; i < 40 && arg[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)arg[i];
		buf[i] = (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
	}
	if (arg[i] != '\0') {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static bool all_of(const char *s, int (*is)(int))
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!is((unsigned char)*s))
			return false;
	}
	return true;
}

static bool has_0x(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/* strtoull over a string already known to be all digits of @base. */
static bool digits_value(const char *s, int base, uint64_t *out)
{
	errno = 0;
	unsigned long long v = strtoull(s, NULL, base);
	if (errno == ERANGE)
		return false;
	*out = (uint64_t)v;
	return true;
}

bool cli_parse_hex(const char *opt, const char *arg, uint64_t *out, char *why,
                   size_t len)
{
	char e[CLI_ECHO_MAX];
	if (has_0x(arg) && all_of(arg + 2, isxdigit)) {
		if (digits_value(arg + 2, 16, out))
			return true;
		snprintf(why, len, "%s: '%s' does not fit in 64 bits", opt,
		         cli_echo(arg, e));
		return false;
	}
	/* A bare number (e.g. pasted from /proc/iomem) is hex here, but
	 * reading it as decimal elsewhere is the trap: show the 0x form. */
	if (all_of(arg, isxdigit))
		snprintf(why, len, "%s is hex and needs 0x: write 0x%s", opt,
		         cli_echo(arg, e));
	else
		snprintf(why, len,
		         "%s wants a hex number like 0x1000, got '%s'", opt,
		         cli_echo(arg, e));
	return false;
}

bool cli_parse_dec(const char *opt, const char *arg, uint64_t *out, char *why,
                   size_t len)
{
	char e[CLI_ECHO_MAX];
	if (all_of(arg, isdigit)) {
		if (digits_value(arg, 10, out))
			return true;
		snprintf(why, len, "%s: '%s' is too large", opt,
		         cli_echo(arg, e));
		return false;
	}
	snprintf(why, len, "%s wants a decimal number, got '%s'", opt,
	         cli_echo(arg, e));
	return false;
}

bool cli_parse_size(const char *opt, const char *arg, uint64_t *out, char *why,
                    size_t len)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};
	char num[32], e[CLI_ECHO_MAX];
	size_t n = strspn(arg, "0123456789abcdefABCDEFxX");
	unsigned shift = 0;
	bool ok = n > 0 && n < sizeof(num);
	if (ok && arg[n] != '\0') {
		ok = false;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (strcasecmp(arg + n, units[i].suffix) == 0) {
				shift = units[i].shift;
				ok = true;
			}
		}
	}
	uint64_t v = 0;
	if (ok) {
		memcpy(num, arg, n);
		num[n] = '\0';
		ok = has_0x(num) ? cli_parse_hex(opt, num, &v, why, len)
		                 : cli_parse_dec(opt, num, &v, why, len);
	}
	if (ok && shift != 0 && v > (UINT64_MAX >> shift)) {
		snprintf(why, len, "%s: '%s' does not fit in 64 bits", opt,
		         cli_echo(arg, e));
		return false;
	}
	if (!ok) {
		snprintf(why, len,
		         "%s wants a size such as 4096, 0x1000, 2MiB or 1GiB, "
		         "got '%s'",
		         opt, cli_echo(arg, e));
		return false;
	}
	*out = v << shift;
	return true;
}

/* The names a role accepts, for its messages. */
static const char *role_words(enum cli_mt_role role)
{
	switch (role) {
	case CLI_MT_PAT:
		return "a PAT type: UC UC- WC WT WP WB, or 0 1 4 5 6 7";
	case CLI_MT_MTRR:
		return "an MTRR type: UC WC WT WP WB, or 0 1 4 5 6";
	default:
		return "a memory type: UC UC- WC WT WP WB, or an encoding 0-7";
	}
}

bool cli_parse_memtype(const char *opt, const char *arg, enum cli_mt_role role,
                       unsigned *out, char *why, size_t len)
{
	unsigned mt = 0;
	/* Inputs are register encodings (one digit, 0-7) or the names of
	 * encodings; CD and WC+ are results, never inputs (x86 §2, §9.1). */
	bool ok = (arg[0] >= '0' && arg[0] <= '7' && arg[1] == '\0')
	              ? (mt = (unsigned)(arg[0] - '0'), true)
	              : (!isdigit((unsigned char)arg[0]) &&
	                 p2mk_mt_parse(arg, &mt) && mt <= 7);
	if (ok && role == CLI_MT_PAT)
		ok = p2mk_mt_valid_pat(mt);
	if (ok && role == CLI_MT_MTRR)
		ok = p2mk_mt_valid_mtrr(mt);
	if (!ok) {
		char e[CLI_ECHO_MAX];
		snprintf(why, len, "%s wants %s; got '%s'", opt,
		         role_words(role), cli_echo(arg, e));
		return false;
	}
	*out = mt;
	return true;
}

bool cli_parse_msr(const char *opt, const char *arg, uint32_t *msr,
                   uint64_t *value, char *why, size_t len)
{
	char idx[24], e[CLI_ECHO_MAX];
	const char *eq = strchr(arg, '=');
	size_t n = eq != NULL ? (size_t)(eq - arg) : 0;
	if (eq == NULL || n == 0 || n >= sizeof(idx)) {
		snprintf(
		    why, len,
		    "%s wants 0xINDEX=0xVALUE (e.g. 0x2ff=0xc06), got '%s'",
		    opt, cli_echo(arg, e));
		return false;
	}
	memcpy(idx, arg, n);
	idx[n] = '\0';
	uint64_t i = 0;
	char what[48];
	snprintf(what, sizeof(what), "%s index", opt);
	if (!cli_parse_hex(what, idx, &i, why, len))
		return false;
	if (i > UINT32_MAX) {
		snprintf(why, len, "%s index %s is wider than 32 bits", opt,
		         cli_echo(idx, e));
		return false;
	}
	snprintf(what, sizeof(what), "%s value", opt);
	if (!cli_parse_hex(what, eq + 1, value, why, len))
		return false;
	*msr = (uint32_t)i;
	return true;
}
