// SPDX-License-Identifier: BSD-2-Clause
/*
 * Loading a YAML document with libyaml and walking its nodes with
 * line/column errors (scenario/yaml.h).
 */
#include "scenario/yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_err_at(struct p2mk_yaml *y, size_t line, size_t col,
                       const char *msg)
{
	if (y->err[0] != '\0')
		return;
	snprintf(y->err, sizeof(y->err), "%.400s:%zu:%zu: %s", y->file,
	         line + 1, col + 1, msg);
}

static bool load_with(struct p2mk_yaml *y, yaml_parser_t *p)
{
	if (!yaml_parser_load(p, &y->doc)) {
		char msg[512];
		snprintf(msg, sizeof(msg), "YAML syntax error: %s%s%s",
		         p->problem ? p->problem : "malformed input",
		         p->context ? " " : "", p->context ? p->context : "");
		set_err_at(y, p->problem_mark.line, p->problem_mark.column,
		           msg);
		return false;
	}
	y->loaded = true;
	if (yaml_document_get_root_node(&y->doc) == NULL) {
		set_err_at(y, 0, 0, "empty document");
		return false;
	}
	return true;
}

static bool start(struct p2mk_yaml *y, const char *name)
{
	memset(y, 0, sizeof(*y));
	y->file = strdup(name);
	if (y->file == NULL) {
		snprintf(y->err, sizeof(y->err), "%s: out of memory", name);
		return false;
	}
	return true;
}

bool p2mk_yaml_load_buf(struct p2mk_yaml *y, const char *name,
                        const unsigned char *buf, size_t len)
{
	yaml_parser_t p;
	if (!start(y, name))
		return false;
	if (!yaml_parser_initialize(&p)) {
		snprintf(y->err, sizeof(y->err), "%s: out of memory", name);
		return false;
	}
	yaml_parser_set_input_string(&p, buf, len);
	bool ok = load_with(y, &p);
	yaml_parser_delete(&p);
	return ok;
}

bool p2mk_yaml_load_file(struct p2mk_yaml *y, const char *path)
{
	yaml_parser_t p;
	if (!start(y, path))
		return false;
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(y->err, sizeof(y->err), "%s: cannot open: %s", path,
		         strerror(errno));
		return false;
	}
	if (!yaml_parser_initialize(&p)) {
		fclose(f);
		snprintf(y->err, sizeof(y->err), "%s: out of memory", path);
		return false;
	}
	yaml_parser_set_input_file(&p, f);
	bool ok = load_with(y, &p);
	yaml_parser_delete(&p);
	fclose(f);
	return ok;
}

void p2mk_yaml_free(struct p2mk_yaml *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	free(y->file);
	y->file = NULL;
	y->loaded = false;
}

yaml_node_t *p2mk_yaml_root(struct p2mk_yaml *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

bool p2mk_yaml_fail(struct p2mk_yaml *y, const yaml_node_t *n, const char *fmt,
                    ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_err_at(y, n ? n->start_mark.line : 0, n ? n->start_mark.column : 0,
	           msg);
	return false;
}

unsigned p2mk_yaml_line(const yaml_node_t *n)
{
	return n ? (unsigned)n->start_mark.line + 1 : 0;
}

const char *p2mk_yaml_scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

bool p2mk_yaml_is_map(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_MAPPING_NODE;
}

bool p2mk_yaml_is_seq(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SEQUENCE_NODE;
}

const char *p2mk_yaml_what(const yaml_node_t *n, char *buf, size_t len)
{
	if (n == NULL)
		return "nothing";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a sequence";
	const char *s = p2mk_yaml_scalar(n);
	if (s[0] == '\0')
		return "an empty value";
	snprintf(buf, len, "'%.60s%s'", s, strlen(s) > 60 ? "..." : "");
	return buf;
}

/* The i-th key/value pair of a mapping, as nodes. */
static void pair_at(struct p2mk_yaml *y, const yaml_node_t *map, size_t i,
                    yaml_node_t **k, yaml_node_t **v)
{
	const yaml_node_pair_t *p = map->data.mapping.pairs.start + i;
	*k = yaml_document_get_node(&y->doc, p->key);
	*v = yaml_document_get_node(&y->doc, p->value);
}

static size_t map_len(const yaml_node_t *map)
{
	return (size_t)(map->data.mapping.pairs.top -
	                map->data.mapping.pairs.start);
}

static size_t count_keys(const char *const *keys)
{
	size_t n = 0;
	while (keys[n] != NULL)
		n++;
	return n;
}

/* Is @key (the i-th key) unknown or a repeat of an earlier one? */
static bool check_key(struct p2mk_yaml *y, const yaml_node_t *map, size_t i,
                      const char *const *keys, const char *what)
{
	yaml_node_t *k, *v;
	char b[80];
	pair_at(y, map, i, &k, &v);
	const char *s = p2mk_yaml_scalar(k);
	if (s == NULL)
		return p2mk_yaml_fail(y, k, "expected a key in %s, got %s",
		                      what, p2mk_yaml_what(k, b, sizeof(b)));
	size_t n = count_keys(keys);
	bool known = false;
	for (size_t j = 0; j < n && !known; j++)
		known = strcmp(keys[j], s) == 0;
	if (!known) {
		const char *dym = p2mk_did_you_mean(s, keys, n);
		if (dym)
			return p2mk_yaml_fail(
			    y, k, "unknown key '%s' in %s (did you mean '%s'?)",
			    s, what, dym);
		return p2mk_yaml_fail(y, k, "unknown key '%s' in %s", s, what);
	}
	for (size_t j = 0; j < i; j++) {
		yaml_node_t *k2, *v2;
		pair_at(y, map, j, &k2, &v2);
		const char *s2 = p2mk_yaml_scalar(k2);
		if (s2 && strcmp(s2, s) == 0)
			return p2mk_yaml_fail(y, k, "duplicate key '%s' in %s",
			                      s, what);
	}
	return true;
}

bool p2mk_yaml_map(struct p2mk_yaml *y, const yaml_node_t *n,
                   const char *const *keys, const char *what)
{
	char b[80];
	if (!p2mk_yaml_is_map(n))
		return p2mk_yaml_fail(y, n, "expected a mapping for %s, got %s",
		                      what, p2mk_yaml_what(n, b, sizeof(b)));
	for (size_t i = 0; i < map_len(n); i++)
		if (!check_key(y, n, i, keys, what))
			return false;
	return true;
}

yaml_node_t *p2mk_yaml_get(struct p2mk_yaml *y, const yaml_node_t *map,
                           const char *key)
{
	if (!p2mk_yaml_is_map(map))
		return NULL;
	for (size_t i = 0; i < map_len(map); i++) {
		yaml_node_t *k, *v;
		pair_at(y, map, i, &k, &v);
		const char *s = p2mk_yaml_scalar(k);
		if (s && strcmp(s, key) == 0)
			return v;
	}
	return NULL;
}

yaml_node_t *p2mk_yaml_need(struct p2mk_yaml *y, const yaml_node_t *map,
                            const char *key, const char *what)
{
	yaml_node_t *v = p2mk_yaml_get(y, map, key);
	if (v == NULL)
		p2mk_yaml_fail(y, map, "missing required key '%s' in %s", key,
		               what);
	return v;
}

bool p2mk_yaml_seq(struct p2mk_yaml *y, const yaml_node_t *n, const char *what,
                   size_t *len)
{
	char b[80];
	if (!p2mk_yaml_is_seq(n))
		return p2mk_yaml_fail(y, n,
		                      "expected a sequence for %s, got %s",
		                      what, p2mk_yaml_what(n, b, sizeof(b)));
	*len =
	    (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	return true;
}

yaml_node_t *p2mk_yaml_at(struct p2mk_yaml *y, const yaml_node_t *n, size_t i)
{
	if (!p2mk_yaml_is_seq(n))
		return NULL;
	size_t len =
	    (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (i >= len)
		return NULL;
	return yaml_document_get_node(&y->doc, n->data.sequence.items.start[i]);
}
