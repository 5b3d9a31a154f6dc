// SPDX-License-Identifier: BSD-2-Clause
/*
 * Typed scalar getters of the YAML reader: numbers, sizes, booleans,
 * enumerations, and the did-you-mean suggestion (scenario/yaml.h).
 */
#include "scenario/yaml.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Whole-string decimal or 0x-hex; the digits end at *@end. */
static bool parse_number(const char *s, uint64_t *out, const char **end)
{
	unsigned base = 10;
	uint64_t v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	const char *p = s;
	for (; *p; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else if (*p == '_' && p != s)
			continue; /* YAML 1.1 digit separator: 1_000_000 */
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (p == s)
		return false;
	*out = v;
	*end = p;
	return true;
}

static const struct {
	const char *unit;
	unsigned shift;
} size_units[] = {{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};

/* Decimal units users write by habit, and the binary unit we accept. */
static const char *const decimal_units[][2] = {
    {"kB", "KiB"}, {"KB", "KiB"}, {"K", "KiB"},  {"MB", "MiB"}, {"M", "MiB"},
    {"GB", "GiB"}, {"G", "GiB"},  {"TB", "TiB"}, {"T", "TiB"},
};

/* 0: ok; 1: not a size; 2: overflow.  *@unit_at: where a unit started. */
static int size_of(const char *s, uint64_t *out, const char **unit_at)
{
	uint64_t v;
	const char *end;
	*unit_at = NULL;
	if (!parse_number(s, &v, &end))
		return 1;
	if (*end == ' ')
		end++;
	*unit_at = end;
	if (*end == '\0' && end[-1] != ' ') {
		*out = v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(size_units) / sizeof(size_units[0]);
	     i++) {
		if (strcmp(end, size_units[i].unit) != 0)
			continue;
		if (v > (UINT64_MAX >> size_units[i].shift))
			return 2;
		*out = v << size_units[i].shift;
		return 0;
	}
	return 1;
}

bool p2mk_parse_size(const char *s, uint64_t *out)
{
	const char *u;
	return s != NULL && size_of(s, out, &u) == 0;
}

bool p2mk_yaml_u64(struct p2mk_yaml *y, const yaml_node_t *n, uint64_t min,
                   uint64_t max, uint64_t *out)
{
	char b[80];
	const char *s = p2mk_yaml_scalar(n);
	uint64_t v;
	const char *end;
	if (s == NULL || !parse_number(s, &v, &end) || *end != '\0')
		return p2mk_yaml_fail(y, n, "expected a number, got %s",
		                      p2mk_yaml_what(n, b, sizeof(b)));
	if (v < min || v > max)
		return p2mk_yaml_fail(
		    y, n, "%s is out of range (%" PRIu64 "..%" PRIu64 ")", s,
		    min, max);
	*out = v;
	return true;
}

static bool size_fail(struct p2mk_yaml *y, const yaml_node_t *n,
                      const char *unit_at)
{
	char b[80];
	const char *what = p2mk_yaml_what(n, b, sizeof(b));
	for (size_t i = 0;
	     unit_at && i < sizeof(decimal_units) / sizeof(decimal_units[0]);
	     i++) {
		if (strcmp(unit_at, decimal_units[i][0]) != 0)
			continue;
		const char *s = p2mk_yaml_scalar(n);
		return p2mk_yaml_fail(
		    y, n,
		    "expected a size (bytes, or a number with KiB, MiB, GiB "
		    "or TiB), got %s (did you mean '%.*s%s'?)",
		    what, (int)(unit_at - s), s, decimal_units[i][1]);
	}
	return p2mk_yaml_fail(y, n,
	                      "expected a size (bytes, or a number with KiB, "
	                      "MiB, GiB or TiB), got %s",
	                      what);
}

bool p2mk_yaml_size(struct p2mk_yaml *y, const yaml_node_t *n, uint64_t *out)
{
	const char *s = p2mk_yaml_scalar(n);
	const char *unit_at = NULL;
	uint64_t v;
	int r = s ? size_of(s, &v, &unit_at) : 1;
	if (r == 2)
		return p2mk_yaml_fail(y, n, "size '%s' does not fit in 64 bits",
		                      s);
	if (r != 0)
		return size_fail(y, n, unit_at);
	*out = v;
	return true;
}

bool p2mk_yaml_bool(struct p2mk_yaml *y, const yaml_node_t *n, bool *out)
{
	static const char *const t[] = {"true", "yes", "on"};
	static const char *const f[] = {"false", "no", "off"};
	char b[80];
	const char *s = p2mk_yaml_scalar(n);
	for (size_t i = 0; s && i < 3; i++) {
		if (strcasecmp(s, t[i]) == 0 || strcasecmp(s, f[i]) == 0) {
			*out = strcasecmp(s, t[i]) == 0;
			return true;
		}
	}
	return p2mk_yaml_fail(y, n, "expected true or false, got %s",
	                      p2mk_yaml_what(n, b, sizeof(b)));
}

bool p2mk_yaml_str(struct p2mk_yaml *y, const yaml_node_t *n, const char **out)
{
	char b[80];
	const char *s = p2mk_yaml_scalar(n);
	if (s == NULL)
		return p2mk_yaml_fail(y, n, "expected a string, got %s",
		                      p2mk_yaml_what(n, b, sizeof(b)));
	*out = s;
	return true;
}

/* "A, B, C" into @buf (truncated with "..." if long). */
static void join_names(const char *const *names, size_t n, char *buf,
                       size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++) {
		int w = snprintf(buf + at, len - at, "%s%s", i ? ", " : "",
		                 names[i]);
		if (w < 0 || (size_t)w >= len - at) {
			snprintf(buf + len - 4, 4, "...");
			return;
		}
		at += (size_t)w;
	}
}

bool p2mk_yaml_enum(struct p2mk_yaml *y, const yaml_node_t *node,
                    const char *const *names, size_t n, unsigned *out)
{
	char b[80], list[300];
	const char *s = p2mk_yaml_scalar(node);
	for (size_t i = 0; s && i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (unsigned)i;
			return true;
		}
	}
	join_names(names, n, list, sizeof(list));
	const char *dym = s ? p2mk_did_you_mean(s, names, n) : NULL;
	if (dym)
		return p2mk_yaml_fail(
		    y, node, "expected one of %s, got %s (did you mean '%s'?)",
		    list, p2mk_yaml_what(node, b, sizeof(b)), dym);
	return p2mk_yaml_fail(y, node, "expected one of %s, got %s", list,
	                      p2mk_yaml_what(node, b, sizeof(b)));
}

bool p2mk_yaml_opt_u64(struct p2mk_yaml *y, const yaml_node_t *map,
                       const char *key, uint64_t min, uint64_t max,
                       uint64_t *out)
{
	yaml_node_t *v = p2mk_yaml_get(y, map, key);
	return v == NULL || p2mk_yaml_u64(y, v, min, max, out);
}

bool p2mk_yaml_opt_size(struct p2mk_yaml *y, const yaml_node_t *map,
                        const char *key, uint64_t *out)
{
	yaml_node_t *v = p2mk_yaml_get(y, map, key);
	return v == NULL || p2mk_yaml_size(y, v, out);
}

bool p2mk_yaml_opt_bool(struct p2mk_yaml *y, const yaml_node_t *map,
                        const char *key, bool *out)
{
	yaml_node_t *v = p2mk_yaml_get(y, map, key);
	return v == NULL || p2mk_yaml_bool(y, v, out);
}

bool p2mk_yaml_opt_str(struct p2mk_yaml *y, const yaml_node_t *map,
                       const char *key, const char **out)
{
	yaml_node_t *v = p2mk_yaml_get(y, map, key);
	return v == NULL || p2mk_yaml_str(y, v, out);
}

bool p2mk_yaml_opt_enum(struct p2mk_yaml *y, const yaml_node_t *map,
                        const char *key, const char *const *names, size_t n,
                        unsigned *out)
{
	yaml_node_t *v = p2mk_yaml_get(y, map, key);
	return v == NULL || p2mk_yaml_enum(y, v, names, n, out);
}

/* Levenshtein distance, capped: words longer than 63 never match. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];
	if (la > 63 || lb > 63)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *p2mk_did_you_mean(const char *word, const char *const *cands,
                              size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	size_t len = strlen(word);
	if (best_d == 0 || best_d > 2 || 2 * best_d >= len + (len > 3))
		return NULL;
	return best;
}
