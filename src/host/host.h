/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * host: read a real machine's (or a captured tree's) MTRRs, PAT mappings,
 * /proc/iomem and PCI BARs, and audit the cacheability of every memory BAR
 * and of System RAM.
 *
 * This is a tool-side layer: it uses libc and jansson.  Every path is
 * relative to a root directory ("/" on a live machine), so a tree captured
 * with p2mk_host_collect() and a capture directory can be audited anywhere.
 *
 * Spec: shared/spec/x86-memory-types.md ("x86 §N"), landscape-and-users.md
 * §6 (what FWTS's mtrr test checks and what it misses).  docs/host.md
 * documents the file formats and the findings catalogue.
 */
#ifndef P2MKIT_HOST_H
#define P2MKIT_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

/* ---- sources ----------------------------------------------------------- */

enum p2mk_host_source_id {
	P2MK_HOST_SRC_CPUINFO,
	P2MK_HOST_SRC_MSR,
	P2MK_HOST_SRC_PROC_MTRR,
	P2MK_HOST_SRC_PAT_LIST,
	P2MK_HOST_SRC_IOMEM,
	P2MK_HOST_SRC_PCI,
	P2MK_HOST_NSOURCES,
};

/* What became of one source.  Everything but READ means "not used". */
enum p2mk_host_status {
	P2MK_HOST_NOT_TRIED,  /* not needed (e.g. /proc/mtrr after MSRs) */
	P2MK_HOST_READ,       /* read and used (maybe with malformed lines) */
	P2MK_HOST_MISSING,    /* file absent */
	P2MK_HOST_DENIED,     /* EACCES/EPERM */
	P2MK_HOST_NOT_X86,    /* /proc/cpuinfo says this is not an x86 CPU */
	P2MK_HOST_NO_DEBUGFS, /* /sys/kernel/debug is empty: not mounted */
	P2MK_HOST_UNUSABLE,   /* read, but the content cannot be used */
	P2MK_HOST_IO_ERROR,   /* any other read error */
	P2MK_HOST_REFUSED, /* not a regular file beneath the root: not read */
};

/** p2mk_host_status_name() - "read", "missing", "permission denied", ... */
const char *p2mk_host_status_name(enum p2mk_host_status st);

/**
 * p2mk_host_status_token() - one-word form used in the capture manifest and
 * JSON: "read", "missing", "denied", "not-x86", "no-debugfs", "unusable",
 * "io-error", "refused", "not-needed".
 */
const char *p2mk_host_status_token(enum p2mk_host_status st);

struct p2mk_host_source {
	const char *name; /* stable id: "cpuinfo", "msr", "proc-mtrr", ... */
	const char *path; /* relative to the root */
	enum p2mk_host_status status;
	char reason[192];   /* why not read, or a summary of what was read */
	unsigned items;     /* lines/entries/devices used */
	unsigned malformed; /* lines reported as malformed */
};

/* A malformed line (or value) in an input file. */
struct p2mk_host_diag {
	char file[160];
	unsigned line; /* 1-based; 0 if the problem is not on one line */
	char msg[192];
};

/* ---- parsed inputs ------------------------------------------------------ */

enum p2mk_host_vendor {
	P2MK_HOST_VENDOR_UNKNOWN,
	P2MK_HOST_VENDOR_INTEL,
	P2MK_HOST_VENDOR_AMD, /* AuthenticAMD and HygonGenuine */
	P2MK_HOST_VENDOR_OTHER_X86,
	P2MK_HOST_VENDOR_NOT_X86,
};

struct p2mk_host_cpu {
	enum p2mk_host_vendor vendor;
	char vendor_id[32];
	unsigned phys_bits; /* "address sizes"; 0 if not given */
	bool has_mtrr, has_pat, hypervisor;
	bool flags_seen;
};

/* One line of /proc/mtrr: a variable range with a proper size. */
struct p2mk_host_mtrr_var {
	unsigned reg;
	uint64_t base, size;
	unsigned type;
	unsigned line;
};

/* One line of pat_memtype_list: [start, end) requested with PAT @type. */
struct p2mk_host_pat_map {
	uint64_t start, end; /* end exclusive, as the kernel prints it */
	unsigned type;
	unsigned line;
};

/* One line of /proc/iomem.  @end is inclusive. */
struct p2mk_host_iomem {
	uint64_t start, end;
	unsigned depth;
	int parent; /* index of the enclosing entry, -1 at top level */
	unsigned line;
	char name[96];
};

/* Linux IORESOURCE_* bits seen in sysfs "resource" (include/linux/ioport.h). */
#define P2MK_HOST_IORES_IO       0x100u
#define P2MK_HOST_IORES_MEM      0x200u
#define P2MK_HOST_IORES_PREFETCH 0x2000u
#define P2MK_HOST_IORES_MEM_64   0x100000u
#define P2MK_HOST_IORES_DISABLED 0x10000000u
#define P2MK_HOST_IORES_UNSET    0x20000000u

/* Number of BAR slots in sysfs "resource": 6 BARs then the ROM (index 6). */
#define P2MK_HOST_ROM_INDEX 6u

/* A PCI memory resource of one device. */
struct p2mk_host_bar {
	char bdf[32];
	unsigned index;      /* resource line: 0-5 BARs, 6 ROM, 7+ windows */
	uint64_t start, end; /* inclusive */
	uint64_t flags;      /* sysfs flags, 0 if the BAR came from iomem */
	bool is64, prefetch;
	bool cfg_known;    /* config space decoded this BAR */
	bool from_iomem;   /* no sysfs entry: found by name in /proc/iomem */
	bool cfg_mismatch; /* config and sysfs disagree on prefetch/64-bit */
	char owner[64];    /* driver claim from /proc/iomem, "" if none */
	uint16_t vendor, device; /* PCI IDs from config space, if ids_known */
	bool ids_known;
};

/* BAR register decode of a config-space header (PCI 3.0 §6.2.5.1). */
struct p2mk_host_cfg_bar {
	bool present; /* a memory BAR starts in this register */
	bool io, is64, prefetch;
};

struct p2mk_host_cfg {
	uint16_t vendor, device; /* config offsets 0 and 2 */
	unsigned header_type;    /* 0 endpoint, 1 bridge, 2 CardBus */
	unsigned nbars;          /* BAR registers the header type has */
	struct p2mk_host_cfg_bar bar[6];
};

/* MSRs as read from /dev/cpu/0/msr or a capture file. */
#define P2MK_HOST_MAX_MSRS 128
struct p2mk_host_msrs {
	unsigned n;
	uint32_t msr[P2MK_HOST_MAX_MSRS];
	uint64_t value[P2MK_HOST_MAX_MSRS];
};

/* ---- analysis ----------------------------------------------------------- */

/* What the MTRRs say about a segment. */
enum p2mk_host_mkind {
	P2MK_HOST_MK_TYPE,      /* @type is the MTRR type */
	P2MK_HOST_MK_UNDEFINED, /* overlapping ranges, SDM-undefined (x86 §5.2)
	                         */
	P2MK_HOST_MK_DEFAULT,   /* no range matches; default type not visible */
	P2MK_HOST_MK_FIXED,     /* first MiB: fixed ranges not visible */
	P2MK_HOST_MK_UNKNOWN,   /* no MTRR information at all */
	P2MK_HOST_MK_TOO_FRAGMENTED, /* lookup budget exhausted */
};

struct p2mk_host_seg {
	uint64_t start, end; /* inclusive */
	uint8_t kind;        /* enum p2mk_host_mkind */
	uint8_t type;        /* for P2MK_HOST_MK_TYPE */
	uint8_t source;      /* enum p2mk_lookup_source, for MK_TYPE */
};

/* One PAT mapping clipped to one MTRR segment of a range, and its result. */
struct p2mk_host_eff {
	uint64_t start, end; /* inclusive */
	size_t map;          /* index into pat_maps */
	unsigned pat;
	uint8_t mkind, mtrr; /* the segment's MTRR answer */
	bool known;          /* @result is meaningful (mkind TYPE) */
	struct p2mk_mt_result result;
	bool hv_known; /* guests: @hv_result is the hypervisor's answer */
	struct p2mk_mt_result hv_result;
};

/* ---- the guest view ------------------------------------------------------ */

enum p2mk_host_hv {
	P2MK_HOST_HV_NONE,    /* no sign of a hypervisor: bare metal */
	P2MK_HOST_HV_UNKNOWN, /* a guest (CPUID hypervisor bit), which unknown
	                       */
	P2MK_HOST_HV_XEN,
	P2MK_HOST_HV_KVM,
	P2MK_HOST_HV_HYPERV,
	P2MK_HOST_HV_VMWARE,
};

/** p2mk_host_hv_name() - "none", "unknown", "xen", "kvm", "hyperv", ... */
const char *p2mk_host_hv_name(enum p2mk_host_hv hv);

struct p2mk_policy;

/*
 * What the guest files say (sys/hypervisor/type, the clocksource, DMI) and
 * what was concluded: which hypervisor, hence which policy p2mkit models
 * for this CPU vendor (NULL if none).
 */
struct p2mk_host_guest {
	enum p2mk_host_hv hv;
	char evidence[320]; /* "sys/hypervisor/type = xen, ..." */
	char hv_type[32], clocksource[48];
	char dmi_vendor[64], dmi_product[64], dmi_bios[64];
	const struct p2mk_policy *policy;
	int xen_platform_bar; /* index into bars, -1 if none */
};

/*
 * What the hypervisor's policy makes of one range (guest only): the p2m
 * type p2mkit assumes for it and the answer of policy->decide().
 */
struct p2mk_host_hvview {
	bool known;
	uint8_t p2mt;      /* enum p2mk_p2mt */
	uint8_t host_mtrr; /* host MTRR of the backing memory (NPT) */
	bool ept;          /* EPT (emt/ipat) or NPT (hpat) answer */
	uint8_t emt, hpat_type, hpat_index;
	bool ipat, present;
	const char *branch, *cite;
	const char *what; /* "RAM", "grant table (Xen heap pages)", ... */
};

enum p2mk_host_range_kind { P2MK_HOST_RAM, P2MK_HOST_BAR };

struct p2mk_host_range {
	enum p2mk_host_range_kind kind;
	char name[64];
	uint64_t start, end; /* inclusive */
	int bar;             /* index into bars, -1 for RAM */
	size_t seg_first, seg_count;
	size_t eff_first, eff_count;
	struct p2mk_host_hvview hv; /* guests only */
};

enum p2mk_host_sev {
	P2MK_HOST_INFO,
	P2MK_HOST_WARNING,
	P2MK_HOST_ERROR,
};

/** p2mk_host_sev_name() - "info", "warning" or "error". */
const char *p2mk_host_sev_name(enum p2mk_host_sev sev);

struct p2mk_host_finding {
	enum p2mk_host_sev sev;
	const char *id; /* stable identifier, see docs/host.md */
	int range;      /* index into ranges, -1 for machine-wide findings */
	char msg[1024];
};

/* Where the MTRR state came from. */
enum p2mk_host_mtrr_origin {
	P2MK_HOST_MTRR_NONE,
	P2MK_HOST_MTRR_MSR,  /* complete: MSRs, validated by wrmsr */
	P2MK_HOST_MTRR_PROC, /* variable ranges only; default invisible */
};

/**
 * struct p2mk_host - everything one audit read and concluded.  Arrays are
 * heap-allocated; p2mk_host_free() releases them.  Zero-initialise with
 * p2mk_host_init().
 */
struct p2mk_host {
	char root[4096];
	char capture[4096]; /* "" unless capturing */
	/* The root directory (opened on first use) and the capture
	 * directory (p2mk_host_capture_open()), -1 when not open.  Every
	 * file access goes through src/host/fs.c, relative to these. */
	int root_fd, capture_fd;
	struct p2mk_host_source src[P2MK_HOST_NSOURCES];
	struct p2mk_host_cpu cpu;
	struct p2mk_host_guest guest;

	struct p2mk_host_diag *diags;
	size_t ndiags, cap_diags;
	struct p2mk_host_mtrr_var *mtrr_vars;
	size_t nmtrr_vars, cap_mtrr_vars;
	struct p2mk_host_pat_map *pat_maps;
	size_t npat_maps, cap_pat_maps;
	struct p2mk_host_iomem *iomem;
	size_t niomem, cap_iomem;
	struct p2mk_host_bar *bars;
	size_t nbars, cap_bars;

	/* The capture manifest of a captured tree (docs/host.md): how each
	 * source fared on the machine it was captured from. */
	bool manifest_seen[P2MK_HOST_NSOURCES];
	enum p2mk_host_status manifest_status[P2MK_HOST_NSOURCES];
	char manifest_reason[P2MK_HOST_NSOURCES][192];

	/*
	 * How one MSR is read from the open msr device: NULL means pread() at
	 * offset = MSR number (the Linux msr driver's interface).  Tests set
	 * a fake, since a regular file cannot hold overlapping 8-byte MSRs.
	 * Returns 0 or an errno.
	 */
	int (*rdmsr)(void *ctx, int fd, uint32_t msr, uint64_t *value);
	void *rdmsr_ctx;

	struct p2mk_host_msrs msrs;
	enum p2mk_host_mtrr_origin mtrr_origin;
	/* Collection notes turned into findings by p2mk_host_analyze(). */
	bool amd_rdwr_masked;
	char msr_rejected[256];
	/* MSR origin: one state (state_wb is its copy with default type WB,
	 * used below TOP_MEM2 when AMD's Tom2ForceMemTypeWB applies).  /proc
	 * origin: default UC (state) and default WB (state_wb); where they
	 * agree the default is irrelevant. */
	struct p2mk_mtrr_state state, state_wb;
	bool tom2_wb;  /* AMD: [4 GiB, tom2) defaults to WB (x86 §10.1) */
	uint64_t tom2; /* TOP_MEM2, exclusive end */
	bool pat_msr_known;

	struct p2mk_host_seg *segs;
	size_t nsegs, cap_segs;
	struct p2mk_host_eff *effs;
	size_t neffs, cap_effs;
	struct p2mk_host_range *ranges;
	size_t nranges, cap_ranges;
	struct p2mk_host_finding *findings;
	size_t nfindings, cap_findings;

	bool oom; /* an allocation failed: results are incomplete */
	/* Tests: resolve paths with the openat() walk even where openat2()
	 * exists, so both confinement mechanisms are exercised. */
	bool fs_no_openat2;
};

/** p2mk_host_init() - empty audit for @root ("/" if NULL). */
void p2mk_host_init(struct p2mk_host *h, const char *root);

/**
 * p2mk_host_capture_open() - make @dir the capture directory of @h: it is
 * created (mode 0700), or must already be an empty directory that is not a
 * symbolic link.  Returns 0, or an errno (ENOTEMPTY, ELOOP for a link, ...)
 * and @h does not capture.  Files are then written only beneath it, each
 * complete or not at all (docs/host.md "Files as root").
 */
int p2mk_host_capture_open(struct p2mk_host *h, const char *dir);

/** p2mk_host_free() - release every array and close the directories; @h
 * may be re-initialised. */
void p2mk_host_free(struct p2mk_host *h);

/* ---- parsers: text in, entries and diagnostics out ----------------------
 * Each parser appends to @h, names @file (a relative path) in every
 * diagnostic it records for a malformed line, and never reads past @len.
 * They return the number of malformed lines.
 */

/** p2mk_host_parse_cpuinfo() - vendor, address sizes and flags of CPU 0. */
unsigned p2mk_host_parse_cpuinfo(struct p2mk_host *h, const char *text,
                                 size_t len, const char *file);

/** p2mk_host_parse_proc_mtrr() - /proc/mtrr lines into h->mtrr_vars. */
unsigned p2mk_host_parse_proc_mtrr(struct p2mk_host *h, const char *text,
                                   size_t len, const char *file);

/**
 * p2mk_host_parse_pat_list() - pat_memtype_list lines (both the
 * "PAT: [mem 0x..-0x..] type" and the older "type @ 0x..-0x.." forms) into
 * h->pat_maps.
 */
unsigned p2mk_host_parse_pat_list(struct p2mk_host *h, const char *text,
                                  size_t len, const char *file);

/** p2mk_host_parse_iomem() - /proc/iomem (two spaces per level) into h->iomem.
 */
unsigned p2mk_host_parse_iomem(struct p2mk_host *h, const char *text,
                               size_t len, const char *file);

/**
 * p2mk_host_parse_resource() - one device's sysfs "resource" file: memory
 * resources with a non-zero range are appended to h->bars under @bdf.
 */
unsigned p2mk_host_parse_resource(struct p2mk_host *h, const char *text,
                                  size_t len, const char *file,
                                  const char *bdf);

/**
 * p2mk_host_parse_config() - decode the BAR registers of a config-space
 * image into *@cfg.  Too short an image, or an unknown header type, is a
 * diagnostic and leaves @cfg with nbars = 0.
 */
unsigned p2mk_host_parse_config(struct p2mk_host *h, const uint8_t *buf,
                                size_t len, const char *file,
                                struct p2mk_host_cfg *cfg);

/**
 * p2mk_host_parse_msr_text() - the MSR capture format (docs/host.md):
 * "0xMSR 0xVALUE" per line, '#' comments, into h->msrs.
 */
unsigned p2mk_host_parse_msr_text(struct p2mk_host *h, const char *text,
                                  size_t len, const char *file);

/**
 * p2mk_host_parse_manifest() - a capture manifest: "source<TAB>status<TAB>
 * reason" per line, '#' comments, into h->manifest_*.
 */
unsigned p2mk_host_parse_manifest(struct p2mk_host *h, const char *text,
                                  size_t len, const char *file);

/**
 * p2mk_host_guest_identify() - from h->cpu and the guest fields read into
 * h->guest (hv_type, clocksource, dmi_*), and the PCI IDs of h->bars:
 * which hypervisor, the evidence, and the policy for the CPU vendor.
 */
void p2mk_host_guest_identify(struct p2mk_host *h);

/**
 * p2mk_host_parse_word() - the first line of a one-value sysfs file
 * (sys/hypervisor/type, DMI fields) into @out, surrounding blanks trimmed;
 * returns 1 (malformed) if it holds a byte that is not printable ASCII,
 * which is then stored as '?'.
 */
unsigned p2mk_host_parse_word(const char *text, size_t len, char *out,
                              size_t outsz);

/* ---- collection, analysis, output -------------------------------------- */

/**
 * p2mk_host_collect() - read every source under h->root (copying each file
 * read into h->capture when that is set) and build the MTRR state.  Never
 * fails: what could not be read is recorded in h->src.
 */
void p2mk_host_collect(struct p2mk_host *h);

/**
 * p2mk_host_analyze() - build the RAM and BAR ranges, their MTRR segments
 * and PAT effective types, and the findings.  Call after collecting (or
 * after filling @h by hand in tests).
 */
void p2mk_host_analyze(struct p2mk_host *h);

/** p2mk_host_to_json() - the audit's result record, a new JSON object. */
json_t *p2mk_host_to_json(const struct p2mk_host *h);

struct rep_out;
/**
 * p2mk_host_text() - the human report, rendered from the record @rec made
 * by p2mk_host_to_json() and nothing else.  Every string that came from
 * input is written through rep_clean(), so no control byte reaches a
 * terminal.
 */
void p2mk_host_text(struct rep_out *out, const json_t *rec);

/** p2mk_host_count_findings() - findings of severity @sev. */
size_t p2mk_host_count_findings(const struct p2mk_host *h,
                                enum p2mk_host_sev sev);

/** p2mk_host_has_finding() - true if a finding @id exists (any range). */
bool p2mk_host_has_finding(const struct p2mk_host *h, const char *id);

#endif /* P2MKIT_HOST_H */
