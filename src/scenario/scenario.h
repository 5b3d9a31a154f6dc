/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scenario: a whole `p2mkit run` input -- host, hypervisor, VM, guest
 * behaviour, events and cost overrides -- parsed from YAML with the one
 * reader (scenario/yaml.h).  docs/scenario-format.md documents every key.
 *
 * Tool-side: it allocates (events, strings) and reads files.  The parsed
 * values are plain data the simulator (src/sim/) drives the core with.
 */
#ifndef P2MKIT_SCENARIO_H
#define P2MKIT_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario/yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- host ---------------------------------------------------------------- */

enum p2mk_sc_vendor { P2MK_SC_INTEL = 0, P2MK_SC_AMD, P2MK_SC_ARM64 };
enum p2mk_sc_iommu_kind {
	P2MK_SC_IOMMU_NONE = 0,
	P2MK_SC_IOMMU_VTD,
	P2MK_SC_IOMMU_AMDVI,
	P2MK_SC_IOMMU_SMMU,
};
/* How long one IOTLB flush takes: which default cost applies. */
enum p2mk_sc_flush_speed {
	P2MK_SC_FLUSH_FAST = 0, /* queued invalidation, microseconds */
	P2MK_SC_FLUSH_SLOW,     /* a slow DMA-remapping unit (GPU) */
	P2MK_SC_FLUSH_SNB_IGD,  /* Sandy Bridge IGD quirk wait (xen §12.5) */
};

#define P2MK_SC_MAX_MSRS 64

/* MTRR MSR writes, in order (host MTRRs, guest MTRR events). */
struct p2mk_sc_msrs {
	unsigned n;
	uint32_t msr[P2MK_SC_MAX_MSRS];
	uint64_t value[P2MK_SC_MAX_MSRS];
	unsigned line[P2MK_SC_MAX_MSRS];
};

struct p2mk_sc_host {
	unsigned vendor; /* enum p2mk_sc_vendor */
	unsigned maxphyaddr;
	unsigned cpus;
	bool self_snoop;
	struct p2mk_sc_msrs mtrr; /* host MTRR MSR writes; none: WB */
	struct {
		unsigned kind; /* enum p2mk_sc_iommu_kind */
		bool psi;
		unsigned mamv;
		bool caching_mode;
		bool snoop_control;
		unsigned page_orders; /* bit n: 2^n-page mappings supported */
		unsigned flush;       /* enum p2mk_sc_flush_speed */
	} iommu;
};

/* ---- hypervisor ------------------------------------------------------------
 */

enum p2mk_sc_iommu_tables {
	P2MK_SC_TABLES_SHARED = 0,
	P2MK_SC_TABLES_SEPARATE,
	P2MK_SC_TABLES_NONE,
};
enum p2mk_sc_flush_mode { P2MK_SC_STRICT = 0, P2MK_SC_LAZY };

#define P2MK_SC_MAX_POLICIES 8
#define P2MK_SC_BATCH_ALL    0 /* relocation as one flush point */

struct p2mk_sc_hypervisor {
	unsigned npolicies;
	const char *policy[P2MK_SC_MAX_POLICIES]; /* names, checked */
	unsigned tables;         /* enum p2mk_sc_iommu_tables */
	unsigned flush_mode;     /* enum p2mk_sc_flush_mode */
	unsigned recalc;         /* enum p2mk_recalc */
	unsigned mmio_max_order; /* 0, 9 or 18 */
	unsigned reloc_batch;    /* pages per flush point; 0: all */
};

/* ---- guest -----------------------------------------------------------------
 */

/* How the guest OS maps a range (what PAT type it asks for). */
enum p2mk_sc_map {
	P2MK_SC_MAP_WB = 0,     /* cacheable mapping (RAM, PV drivers) */
	P2MK_SC_MAP_MEMREMAP,   /* Linux memremap: WB, UC- if MTRR not WB */
	P2MK_SC_MAP_IOREMAP,    /* Linux ioremap: UC- */
	P2MK_SC_MAP_IOREMAP_WC, /* Linux ioremap_wc: WC */
	P2MK_SC_MAP_IOREMAP_UC, /* Linux ioremap_uc: UC */
	P2MK_SC_MAP_COUNT,
};
/* ARM64 stage-1 attribute the guest uses for a BAR. */
enum p2mk_sc_s1 {
	P2MK_SC_S1_NORMAL_WB = 0,
	P2MK_SC_S1_NORMAL_NC,
	P2MK_SC_S1_DEVICE_GRE,
	P2MK_SC_S1_DEVICE_nGnRE,
	P2MK_SC_S1_COUNT,
};

#define P2MK_SC_MAX_MAPS 16

/* One per-device mapping override: device @bdf ("00:02.0"), BAR @bar
 * (-1: every BAR). */
struct p2mk_sc_devmap {
	char bdf[16];
	int bar;
	unsigned map; /* enum p2mk_sc_map */
	unsigned s1;  /* enum p2mk_sc_s1 */
	bool have_map, have_s1;
};

struct p2mk_sc_guest {
	unsigned os; /* 0 linux, 1 windows, 2 none */
	bool have_pat;
	uint64_t pat;
	unsigned ram_map; /* enum p2mk_sc_map */
	unsigned bar_map; /* default for BARs */
	unsigned bar_s1;  /* default ARM64 stage 1 for BARs */
	unsigned nmaps;
	struct p2mk_sc_devmap maps[P2MK_SC_MAX_MAPS];
};

/** p2mk_sc_map_name() - "wb", "memremap", "ioremap", ... */
const char *p2mk_sc_map_name(unsigned m);
/** p2mk_sc_s1_name() - "normal-wb", "normal-nc", "device-gre", ... */
const char *p2mk_sc_s1_name(unsigned s);
/** p2mk_sc_tables_name() - "shared", "separate", "none". */
const char *p2mk_sc_tables_name(unsigned t);

/* ---- events ----------------------------------------------------------------
 */

enum p2mk_sc_event_kind {
	P2MK_SC_EV_BOOT = 0,
	P2MK_SC_EV_TOUCH,
	P2MK_SC_EV_MTRR_WRITE,
	P2MK_SC_EV_PAT_WRITE,
	P2MK_SC_EV_PIN,
	P2MK_SC_EV_UNPIN,
	P2MK_SC_EV_ASSIGN,
	P2MK_SC_EV_DEASSIGN,
	P2MK_SC_EV_HOTPLUG,
	P2MK_SC_EV_RELOCATE,
	P2MK_SC_EV_BAR_REMAP,
	P2MK_SC_EV_MIGRATION_RESTORE,
	P2MK_SC_EV_COUNT,
};

/** p2mk_sc_event_name() - "boot", "touch", "mtrr_write", ... */
const char *p2mk_sc_event_name(unsigned kind);

/*
 * One event.  Addresses are guest-physical bytes, [start, end) end
 * exclusive.  @all: touch every mapped range.  @vcpu -1: every vCPU.
 */
struct p2mk_sc_event {
	unsigned kind; /* enum p2mk_sc_event_kind */
	unsigned line; /* in the scenario file, for messages */
	bool all;
	int vcpu;
	uint64_t start, end;
	uint32_t msr;
	uint64_t value;
	unsigned type; /* pin type (enum p2mk_mt) */
	char bdf[16];
	int bar;
	uint64_t size; /* relocate */
};

/* ---- costs -----------------------------------------------------------------
 */

/*
 * Unit costs in nanoseconds.  Defaults and their sources: docs/run.md and
 * p2mk_sc_costs_default().  Any of them can be overridden under `costs:`.
 */
struct p2mk_sc_costs {
	double misconfig_exit;
	double pte_write;
	double table_page;
	double hypercall;
	double continuation;
	double iotlb_flush_fast;
	double iotlb_flush_slow;
	double snb_igd_wait;
	double wbinvd_per_cpu;
	double special_check; /* Xen's per-4K special-page test */
	double fixed;         /* the rest of the run (e.g. a guest boot) */
};

/** p2mk_sc_costs_default() - the documented defaults (docs/run.md). */
void p2mk_sc_costs_default(struct p2mk_sc_costs *c);

/* ---- the scenario ----------------------------------------------------------
 */

struct p2mk_layout_input;

struct p2mk_scenario {
	struct p2mk_yaml y; /* the document (strings point into it) */
	const char *name;
	const char *description;
	struct p2mk_sc_host host;
	struct p2mk_sc_hypervisor hyp;
	struct p2mk_layout_input *vm; /* owned */
	struct p2mk_sc_guest guest;
	size_t nevents;
	struct p2mk_sc_event *events; /* owned */
	struct p2mk_sc_costs costs;
};

/* An override "hypervisor.policy=xen-ept" applied before parsing. */
struct p2mk_sc_set {
	const char *key;   /* dotted path */
	const char *value; /* scalar text */
};

/**
 * p2mk_scenario_load() - read @path, apply the @nset overrides (each sets
 * or adds one scalar at a dotted path of mappings), then parse every
 * section.  Returns true, or false with @s->y.err holding
 * "FILE:LINE:COLUMN: message" (or "FILE: ..." for file errors);
 * p2mk_scenario_free() is safe either way.
 */
bool p2mk_scenario_load(struct p2mk_scenario *s, const char *path,
                        const struct p2mk_sc_set *set, size_t nset);

/** p2mk_scenario_load_buf() - as p2mk_scenario_load() on a buffer. */
bool p2mk_scenario_load_buf(struct p2mk_scenario *s, const char *name,
                            const unsigned char *buf, size_t len,
                            const struct p2mk_sc_set *set, size_t nset);

/** p2mk_scenario_free() - release everything @s holds. */
void p2mk_scenario_free(struct p2mk_scenario *s);

/* Section parsers (one file each); each returns false with y->err set. */
bool p2mk_sc_parse_host(struct p2mk_yaml *y, const yaml_node_t *n,
                        struct p2mk_sc_host *h);
bool p2mk_sc_parse_hypervisor(struct p2mk_yaml *y, const yaml_node_t *n,
                              struct p2mk_sc_hypervisor *h);
bool p2mk_sc_parse_guest(struct p2mk_yaml *y, const yaml_node_t *n,
                         struct p2mk_sc_guest *g);
bool p2mk_sc_parse_events(struct p2mk_yaml *y, const yaml_node_t *n,
                          struct p2mk_scenario *s);
bool p2mk_sc_parse_costs(struct p2mk_yaml *y, const yaml_node_t *n,
                         struct p2mk_sc_costs *c);
bool p2mk_sc_parse_msrs(struct p2mk_yaml *y, const yaml_node_t *n,
                        const char *what, struct p2mk_sc_msrs *m);

/**
 * p2mk_yaml_duration() - nanoseconds: a number followed by ns, us, ms or
 * s ("670ms", "1.5us"): "expected a duration (a number with ns, us, ms or
 * s), got 'X'".
 */
bool p2mk_yaml_duration(struct p2mk_yaml *y, const yaml_node_t *n, double *ns);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_SCENARIO_H */
