// SPDX-License-Identifier: BSD-2-Clause
/*
 * The `events:` list of a scenario (docs/scenario-format.md "events").
 * Each item is a bare name ("boot") or a one-key mapping whose value holds
 * the event's parameters ({pin: {start: 0xf0000000, end: ..., type: WB}}).
 */
#include "scenario/scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2mkit/memtype.h>

static const char *const ev_names[P2MK_SC_EV_COUNT] = {
    "boot",    "touch",    "mtrr_write", "pat_write",
    "pin",     "unpin",    "assign",     "deassign",
    "hotplug", "relocate", "bar_remap",  "migration_restore"};

const char *p2mk_sc_event_name(unsigned kind)
{
	return kind < P2MK_SC_EV_COUNT ? ev_names[kind] : "?";
}

/* start/end (end exclusive, both page-aligned, start < end). */
static bool parse_range(struct p2mk_yaml *y, const yaml_node_t *n,
                        const char *what, struct p2mk_sc_event *e)
{
	if (!p2mk_yaml_u64(y, p2mk_yaml_need(y, n, "start", what), 0,
	                   UINT64_MAX, &e->start) ||
	    !p2mk_yaml_u64(y, p2mk_yaml_need(y, n, "end", what), 0, UINT64_MAX,
	                   &e->end))
		return false;
	if ((e->start | e->end) & (P2MK_PAGE_SIZE - 1) || e->end <= e->start)
		return p2mk_yaml_fail(y, n,
		                      "%s: start and end must be 4 KiB aligned "
		                      "with start < end (end is exclusive)",
		                      what);
	return true;
}

static bool parse_vcpu(struct p2mk_yaml *y, const yaml_node_t *n,
                       struct p2mk_sc_event *e)
{
	uint64_t v = 0;
	e->vcpu = -1;
	if (!p2mk_yaml_opt_u64(y, n, "vcpu", 0, 7, &v))
		return false;
	if (p2mk_yaml_get(y, n, "vcpu"))
		e->vcpu = (int)v;
	return true;
}

static bool parse_bdf(struct p2mk_yaml *y, const yaml_node_t *n,
                      struct p2mk_sc_event *e)
{
	const char *s;
	if (!p2mk_yaml_str(y, n, &s))
		return false;
	snprintf(e->bdf, sizeof(e->bdf), "%s", s);
	return true;
}

static bool ev_touch(struct p2mk_yaml *y, const yaml_node_t *n,
                     struct p2mk_sc_event *e)
{
	static const char *const keys[] = {"start", "end", "vcpu", NULL};
	const char *s = p2mk_yaml_scalar(n);
	if (n == NULL || (s && strcmp(s, "all") == 0)) {
		e->all = true;
		e->vcpu = 0;
		return true;
	}
	return p2mk_yaml_map(y, n, keys, "touch") &&
	       parse_range(y, n, "touch", e) && parse_vcpu(y, n, e);
}

static bool ev_mtrr(struct p2mk_yaml *y, const yaml_node_t *n,
                    struct p2mk_sc_event *e)
{
	static const char *const keys[] = {"msr", "value", "vcpu", NULL};
	uint64_t msr = 0;
	if (!p2mk_yaml_map(y, n, keys, "mtrr_write") ||
	    !p2mk_yaml_u64(y, p2mk_yaml_need(y, n, "msr", "mtrr_write"), 0,
	                   UINT32_MAX, &msr) ||
	    !p2mk_yaml_u64(y, p2mk_yaml_need(y, n, "value", "mtrr_write"), 0,
	                   UINT64_MAX, &e->value))
		return false;
	e->msr = (uint32_t)msr;
	return parse_vcpu(y, n, e);
}

static bool ev_pat(struct p2mk_yaml *y, const yaml_node_t *n,
                   struct p2mk_sc_event *e)
{
	static const char *const keys[] = {"value", "vcpu", NULL};
	e->msr = 0x277; /* IA32_PAT */
	return p2mk_yaml_map(y, n, keys, "pat_write") &&
	       p2mk_yaml_u64(y, p2mk_yaml_need(y, n, "value", "pat_write"), 0,
	                     UINT64_MAX, &e->value) &&
	       parse_vcpu(y, n, e);
}

static bool ev_pin(struct p2mk_yaml *y, const yaml_node_t *n,
                   struct p2mk_sc_event *e)
{
	static const char *const keys[] = {"start", "end", "type", NULL};
	static const char *const types[] = {"UC", "WC", "WT",
	                                    "WP", "WB", "UC-"};
	static const unsigned codes[] = {P2MK_MT_UC, P2MK_MT_WC, P2MK_MT_WT,
	                                 P2MK_MT_WP, P2MK_MT_WB, P2MK_MT_UCM};
	unsigned t = 0;
	bool unpin = e->kind == P2MK_SC_EV_UNPIN;
	const char *what = unpin ? "unpin" : "pin";
	if (!p2mk_yaml_map(y, n, unpin ? keys + 0 : keys, what) ||
	    !parse_range(y, n, what, e))
		return false;
	if (unpin)
		return p2mk_yaml_get(y, n, "type") == NULL ||
		       p2mk_yaml_fail(y, p2mk_yaml_get(y, n, "type"),
		                      "unpin takes no type");
	if (!p2mk_yaml_enum(y, p2mk_yaml_need(y, n, "type", what), types, 6,
	                    &t))
		return false;
	e->type = codes[t];
	return true;
}

static bool ev_relocate(struct p2mk_yaml *y, const yaml_node_t *n,
                        struct p2mk_sc_event *e)
{
	static const char *const keys[] = {"size", NULL};
	if (!p2mk_yaml_map(y, n, keys, "relocate") ||
	    !p2mk_yaml_size(y, p2mk_yaml_need(y, n, "size", "relocate"),
	                    &e->size))
		return false;
	if (e->size == 0 || e->size & (P2MK_PAGE_SIZE - 1))
		return p2mk_yaml_fail(y, n,
		                      "relocate: size must be a non-zero "
		                      "multiple of 4 KiB");
	return true;
}

static bool ev_bar_remap(struct p2mk_yaml *y, const yaml_node_t *n,
                         struct p2mk_sc_event *e)
{
	static const char *const keys[] = {"bdf", "bar", "addr", NULL};
	uint64_t bar = 0;
	if (!p2mk_yaml_map(y, n, keys, "bar_remap") ||
	    !parse_bdf(y, p2mk_yaml_need(y, n, "bdf", "bar_remap"), e) ||
	    !p2mk_yaml_u64(y, p2mk_yaml_need(y, n, "bar", "bar_remap"), 0, 6,
	                   &bar) ||
	    !p2mk_yaml_u64(y, p2mk_yaml_need(y, n, "addr", "bar_remap"), 0,
	                   UINT64_MAX, &e->start))
		return false;
	e->bar = (int)bar;
	return true;
}

/* Parameters of event @e from @arg (NULL for a bare name). */
static bool ev_args(struct p2mk_yaml *y, const yaml_node_t *item,
                    const yaml_node_t *arg, struct p2mk_sc_event *e)
{
	const char *name = ev_names[e->kind];
	switch (e->kind) {
	case P2MK_SC_EV_TOUCH:
		return ev_touch(y, arg, e);
	case P2MK_SC_EV_MTRR_WRITE:
		return arg ? ev_mtrr(y, arg, e)
		           : p2mk_yaml_fail(y, item, "%s needs {msr, value}",
		                            name);
	case P2MK_SC_EV_PAT_WRITE:
		return arg ? ev_pat(y, arg, e)
		           : p2mk_yaml_fail(y, item, "%s needs {value}", name);
	case P2MK_SC_EV_PIN:
	case P2MK_SC_EV_UNPIN:
		return arg ? ev_pin(y, arg, e)
		           : p2mk_yaml_fail(
		                 y, item, "%s needs {start, end%s}", name,
		                 e->kind == P2MK_SC_EV_PIN ? ", type" : "");
	case P2MK_SC_EV_ASSIGN:
	case P2MK_SC_EV_DEASSIGN:
	case P2MK_SC_EV_HOTPLUG:
		return arg ? parse_bdf(y, arg, e)
		           : p2mk_yaml_fail(y, item,
		                            "%s needs a device (\"00:02.0\")",
		                            name);
	case P2MK_SC_EV_RELOCATE:
		return arg ? ev_relocate(y, arg, e)
		           : p2mk_yaml_fail(y, item, "%s needs {size}", name);
	case P2MK_SC_EV_BAR_REMAP:
		return arg ? ev_bar_remap(y, arg, e)
		           : p2mk_yaml_fail(y, item,
		                            "%s needs {bdf, bar, addr}", name);
	default: /* boot, migration_restore: no parameters */
		return arg == NULL ||
		       p2mk_yaml_fail(y, arg, "%s takes no parameters", name);
	}
}

static bool parse_event(struct p2mk_yaml *y, const yaml_node_t *item,
                        struct p2mk_sc_event *e)
{
	const yaml_node_t *key = item, *arg = NULL;
	char b[80];
	if (p2mk_yaml_is_map(item)) {
		yaml_node_pair_t *p = item->data.mapping.pairs.start;
		if (item->data.mapping.pairs.top - p != 1)
			return p2mk_yaml_fail(y, item,
			                      "an event is one name or a "
			                      "mapping with one key");
		key = yaml_document_get_node(&y->doc, p->key);
		arg = yaml_document_get_node(&y->doc, p->value);
	}
	const char *s = p2mk_yaml_scalar(key);
	memset(e, 0, sizeof(*e));
	e->line = p2mk_yaml_line(item);
	e->vcpu = -1;
	e->bar = -1;
	if (s == NULL)
		return p2mk_yaml_fail(y, item, "expected an event, got %s",
		                      p2mk_yaml_what(item, b, sizeof(b)));
	if (!p2mk_yaml_enum(y, key, ev_names, P2MK_SC_EV_COUNT, &e->kind))
		return false;
	return ev_args(y, item, arg, e);
}

bool p2mk_sc_parse_events(struct p2mk_yaml *y, const yaml_node_t *n,
                          struct p2mk_scenario *s)
{
	size_t len;
	if (!p2mk_yaml_seq(y, n, "events", &len))
		return false;
	if (len == 0)
		return p2mk_yaml_fail(y, n, "events: at least one event");
	s->events = calloc(len ? len : 1, sizeof(*s->events));
	if (s->events == NULL)
		return p2mk_yaml_fail(y, n, "out of memory");
	for (size_t i = 0; i < len; i++) {
		if (!parse_event(y, p2mk_yaml_at(y, n, i), &s->events[i]))
			return false;
		s->nevents = i + 1;
	}
	return true;
}
