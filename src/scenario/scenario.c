// SPDX-License-Identifier: BSD-2-Clause
/*
 * Loading a whole scenario: the document, `--set` overrides applied to it
 * before parsing (so overridden values are checked by the same getters),
 * then one parser per section.
 */
#include "scenario/scenario.h"

#include <stdlib.h>
#include <string.h>

#include "scenario/scenario_vm.h"

static int node_id(struct p2mk_yaml *y, const yaml_node_t *n)
{
	return (int)(n - y->doc.nodes.start) + 1;
}

/* The pair of @map whose key is the @len bytes at @key, or NULL. */
static yaml_node_pair_t *find_pair(struct p2mk_yaml *y, yaml_node_t *map,
                                   const char *key, size_t len)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const char *k =
		    p2mk_yaml_scalar(yaml_document_get_node(&y->doc, p->key));
		if (k && strlen(k) == len && strncmp(k, key, len) == 0)
			return p;
	}
	return NULL;
}

/* Add KEY: VALUE (a scalar, or an empty mapping if @value is NULL) to the
 * mapping @map_id; returns the new value's id or 0. */
static int add_pair(struct p2mk_yaml *y, int map_id, const char *key,
                    size_t len, const char *value)
{
	yaml_mark_t mark = yaml_document_get_node(&y->doc, map_id)->start_mark;
	int k = yaml_document_add_scalar(&y->doc, NULL, (yaml_char_t *)key,
	                                 (int)len, YAML_PLAIN_SCALAR_STYLE);
	int v = value ? yaml_document_add_scalar(&y->doc, NULL,
	                                         (yaml_char_t *)value, -1,
	                                         YAML_PLAIN_SCALAR_STYLE)
	              : yaml_document_add_mapping(&y->doc, NULL,
	                                          YAML_BLOCK_MAPPING_STYLE);
	if (k == 0 || v == 0 ||
	    !yaml_document_append_mapping_pair(&y->doc, map_id, k, v))
		return 0;
	yaml_document_get_node(&y->doc, k)->start_mark = mark;
	yaml_document_get_node(&y->doc, v)->start_mark = mark;
	return v;
}

/* Set one dotted path to a scalar, creating mappings on the way. */
static bool apply_set(struct p2mk_yaml *y, const struct p2mk_sc_set *set)
{
	int cur = node_id(y, p2mk_yaml_root(y));
	const char *k = set->key;
	for (;;) {
		const char *dot = strchr(k, '.');
		size_t len = dot ? (size_t)(dot - k) : strlen(k);
		yaml_node_t *map = yaml_document_get_node(&y->doc, cur);
		if (len == 0 || !p2mk_yaml_is_map(map))
			return p2mk_yaml_fail(
			    y, map, "--set %s: not a path of mappings",
			    set->key);
		yaml_node_pair_t *p = find_pair(y, map, k, len);
		if (dot == NULL && p != NULL) {
			yaml_mark_t m =
			    yaml_document_get_node(&y->doc, p->value)
			        ->start_mark;
			int v = yaml_document_add_scalar(
			    &y->doc, NULL, (yaml_char_t *)set->value, -1,
			    YAML_PLAIN_SCALAR_STYLE);
			if (v == 0)
				return p2mk_yaml_fail(y, NULL, "out of memory");
			/* re-find: adding a node may move the node array */
			map = yaml_document_get_node(&y->doc, cur);
			find_pair(y, map, k, len)->value = v;
			yaml_document_get_node(&y->doc, v)->start_mark = m;
			return true;
		}
		int next =
		    p ? p->value
		      : add_pair(y, cur, k, len, dot ? NULL : set->value);
		if (next == 0)
			return p2mk_yaml_fail(y, NULL, "out of memory");
		if (dot == NULL)
			return true;
		cur = next;
		k = dot + 1;
	}
}

static bool parse_top(struct p2mk_scenario *s)
{
	struct p2mk_yaml *y = &s->y;
	yaml_node_t *r = p2mk_yaml_root(y);
	yaml_node_t *ev;
	if (!p2mk_yaml_map(y, r, p2mk_scenario_keys, "the scenario") ||
	    !p2mk_yaml_opt_str(y, r, "name", &s->name) ||
	    !p2mk_yaml_opt_str(y, r, "description", &s->description) ||
	    !p2mk_sc_parse_host(y, p2mk_yaml_get(y, r, "host"), &s->host) ||
	    !p2mk_sc_parse_hypervisor(
	        y, p2mk_yaml_need(y, r, "hypervisor", "the scenario"), &s->hyp))
		return false;
	s->vm = calloc(1, sizeof(*s->vm));
	if (s->vm == NULL)
		return p2mk_yaml_fail(y, r, "out of memory");
	if (!p2mk_scenario_parse_vm(
	        y, p2mk_yaml_need(y, r, "vm", "the scenario"), s->vm) ||
	    !p2mk_sc_parse_guest(y, p2mk_yaml_get(y, r, "guest"), &s->guest) ||
	    !p2mk_sc_parse_costs(y, p2mk_yaml_get(y, r, "costs"), &s->costs))
		return false;
	ev = p2mk_yaml_get(y, r, "events");
	if (ev == NULL) {
		/* no events: boot, then one access to every range */
		static const struct p2mk_sc_event dflt[2] = {
		    {.kind = P2MK_SC_EV_BOOT, .vcpu = -1, .bar = -1},
		    {.kind = P2MK_SC_EV_TOUCH, .all = true, .bar = -1}};
		s->events = malloc(sizeof(dflt));
		if (s->events == NULL)
			return p2mk_yaml_fail(y, r, "out of memory");
		memcpy(s->events, dflt, sizeof(dflt));
		s->nevents = 2;
		return true;
	}
	return p2mk_sc_parse_events(y, ev, s);
}

static bool finish_load(struct p2mk_scenario *s, bool loaded,
                        const struct p2mk_sc_set *set, size_t nset)
{
	if (!loaded)
		return false;
	if (!p2mk_yaml_is_map(p2mk_yaml_root(&s->y)))
		return parse_top(s);
	for (size_t i = 0; i < nset; i++)
		if (!apply_set(&s->y, &set[i]))
			return false;
	return parse_top(s);
}

bool p2mk_scenario_load(struct p2mk_scenario *s, const char *path,
                        const struct p2mk_sc_set *set, size_t nset)
{
	memset(s, 0, sizeof(*s));
	return finish_load(s, p2mk_yaml_load_file(&s->y, path), set, nset);
}

bool p2mk_scenario_load_buf(struct p2mk_scenario *s, const char *name,
                            const unsigned char *buf, size_t len,
                            const struct p2mk_sc_set *set, size_t nset)
{
	memset(s, 0, sizeof(*s));
	return finish_load(s, p2mk_yaml_load_buf(&s->y, name, buf, len), set,
	                   nset);
}

void p2mk_scenario_free(struct p2mk_scenario *s)
{
	free(s->events);
	free(s->vm);
	p2mk_yaml_free(&s->y);
	memset(s, 0, sizeof(*s));
}
