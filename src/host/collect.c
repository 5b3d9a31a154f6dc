// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading a machine (or a captured tree): every source is tried, what could
 * not be read is recorded with the reason, and the MTRR state is built
 * through p2mk_mtrr_wrmsr() so that a value no CPU would accept is caught
 * rather than silently interpreted.
 */
#include "host/host_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MSR_TEXT_PATH   "dev/cpu/0/msr.txt"
#define MANIFEST_PATH   "p2mkit-capture.txt"
#define DEBUGFS_DIR     "sys/kernel/debug"
#define DEBUGFS_X86_DIR "sys/kernel/debug/x86"

/* AMD SYSCFG and TOP_MEM2, and the SYSCFG bits of x86 §10.1. */
#define AMD_MSR_SYSCFG     0xc0010010u
#define AMD_MSR_TOP_MEM2   0xc001001du
#define AMD_SYSCFG_TOM2_EN P2MK_BIT(21)
#define AMD_SYSCFG_TOM2_WB P2MK_BIT(22)
#define FOUR_GIB           (UINT64_C(1) << 32)

/* MAXPHYADDR when CPUID leaf 0x80000008 is absent (x86 §3.5). */
#define DEFAULT_MAXPHYADDR 36u

static bool is_x86(const struct p2mk_host *h)
{
	return h->cpu.vendor != P2MK_HOST_VENDOR_NOT_X86;
}

/* A missing file of a captured tree: prefer what the manifest recorded. */
static bool from_manifest(struct p2mk_host *h, enum p2mk_host_source_id id)
{
	static const char suffix[] = " (at capture time)";
	if (!h->manifest_seen[id] || h->manifest_status[id] == P2MK_HOST_READ)
		return false;
	/* A capture of a capture keeps one suffix, not two. */
	const char *r = h->manifest_reason[id];
	size_t n = strlen(r), k = sizeof(suffix) - 1;
	bool has = n >= k && strcmp(r + n - k, suffix) == 0;
	host_set_source(h, id, h->manifest_status[id], "%s%s", r,
	                has ? "" : suffix);
	return true;
}

static void note_malformed(struct p2mk_host *h, enum p2mk_host_source_id id,
                           unsigned bad)
{
	h->src[id].malformed += bad;
}

/*
 * A file that was read but yielded no entry and had malformed lines is
 * malformed, not "empty": say so (UNUSABLE) and return true.
 */
static bool parsed_nothing(struct p2mk_host *h, enum p2mk_host_source_id id,
                           size_t items)
{
	if (items > 0 || h->src[id].malformed == 0)
		return false;
	host_set_source(h, id, P2MK_HOST_UNUSABLE,
	                "malformed: %u line(s), none usable (see diagnostics)",
	                h->src[id].malformed);
	return true;
}

/* ---- cpuinfo ------------------------------------------------------------ */

static void collect_cpuinfo(struct p2mk_host *h)
{
	char *buf;
	size_t len;
	int err;
	enum p2mk_host_status st = host_read_file(
	    h, h->src[P2MK_HOST_SRC_CPUINFO].path, &buf, &len, &err);
	if (st != P2MK_HOST_READ) {
		if (!from_manifest(h, P2MK_HOST_SRC_CPUINFO))
			host_set_source(h, P2MK_HOST_SRC_CPUINFO, st, "%s",
			                host_strerror(err));
		return;
	}
	note_malformed(h, P2MK_HOST_SRC_CPUINFO,
	               p2mk_host_parse_cpuinfo(h, buf, len, "proc/cpuinfo"));
	free(buf);
	const struct p2mk_host_cpu *c = &h->cpu;
	h->src[P2MK_HOST_SRC_CPUINFO].items = 1;
	if (c->vendor == P2MK_HOST_VENDOR_NOT_X86)
		host_set_source(h, P2MK_HOST_SRC_CPUINFO, P2MK_HOST_READ,
		                "no vendor_id: not an x86 CPU");
	else
		host_set_source(
		    h, P2MK_HOST_SRC_CPUINFO, P2MK_HOST_READ,
		    "vendor %s, %u-bit physical addresses%s%s",
		    c->vendor_id[0] ? c->vendor_id : "unknown", c->phys_bits,
		    c->hypervisor ? ", hypervisor" : "",
		    c->flags_seen && !c->has_mtrr ? ", no mtrr flag" : "");
}

/* ---- MSRs --------------------------------------------------------------- */

static bool msr_get(const struct p2mk_host *h, uint32_t msr, uint64_t *v)
{
	for (unsigned i = 0; i < h->msrs.n; i++) {
		if (h->msrs.msr[i] == msr) {
			*v = h->msrs.value[i];
			return true;
		}
	}
	return false;
}

static void msr_put(struct p2mk_host *h, uint32_t msr, uint64_t v)
{
	if (h->msrs.n < P2MK_HOST_MAX_MSRS) {
		h->msrs.msr[h->msrs.n] = msr;
		h->msrs.value[h->msrs.n] = v;
		h->msrs.n++;
	}
}

static const uint32_t fixed_msrs[P2MK_MTRR_NFIXED_MSRS] = {
    0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
};

static int pread_msr(struct p2mk_host *h, int fd, uint32_t msr, uint64_t *v)
{
	if (h->rdmsr != NULL)
		return h->rdmsr(h->rdmsr_ctx, fd, msr, v);
	/* The msr driver maps the file offset to the MSR number. */
	errno = 0;
	if (pread(fd, v, sizeof(*v), msr) != (ssize_t)sizeof(*v))
		return errno ? errno : EIO;
	return 0;
}

/*
 * Read the MSRs the MTRR/PAT state needs from the msr device.  Returns 0 or
 * the errno of the first failing read.
 */
static int read_msr_device(struct p2mk_host *h, int fd)
{
	uint64_t v;
	int err = pread_msr(h, fd, P2MK_MSR_MTRRCAP, &v);
	if (err != 0)
		return err;
	msr_put(h, P2MK_MSR_MTRRCAP, v);
	uint32_t list[3 + P2MK_MTRR_NFIXED_MSRS + 2 * P2MK_MTRR_VCNT_MAX];
	unsigned n = 0, vcnt = (unsigned)(v & P2MK_MTRRCAP_VCNT_MASK);
	if (vcnt > P2MK_MTRR_VCNT_MAX)
		vcnt = P2MK_MTRR_VCNT_MAX;
	list[n++] = P2MK_MSR_MTRR_DEF_TYPE;
	list[n++] = P2MK_MSR_PAT;
	if (v & P2MK_MTRRCAP_FIX) {
		for (unsigned i = 0; i < P2MK_MTRR_NFIXED_MSRS; i++)
			list[n++] = fixed_msrs[i];
	}
	for (unsigned i = 0; i < vcnt; i++) {
		list[n++] = P2MK_MSR_MTRR_PHYSBASE0 + 2 * i;
		list[n++] = P2MK_MSR_MTRR_PHYSMASK0 + 2 * i;
	}
	for (unsigned i = 0; i < n; i++) {
		err = pread_msr(h, fd, list[i], &v);
		if (err != 0)
			return err;
		msr_put(h, list[i], v);
	}
	/* AMD: SYSCFG and TOP_MEM2 decide whether RAM above 4 GiB defaults to
	 * WB (x86 §10.1).  Optional: a hypervisor may not offer them. */
	if (h->cpu.vendor == P2MK_HOST_VENDOR_AMD) {
		if (pread_msr(h, fd, AMD_MSR_SYSCFG, &v) == 0)
			msr_put(h, AMD_MSR_SYSCFG, v);
		if (pread_msr(h, fd, AMD_MSR_TOP_MEM2, &v) == 0)
			msr_put(h, AMD_MSR_TOP_MEM2, v);
	}
	return 0;
}

/* Write the capture form of the MSRs (docs/host.md "MSR capture"). */
static void capture_msrs(struct p2mk_host *h)
{
	size_t cap = 96 + (size_t)h->msrs.n * 40, n = 0;
	char *text = malloc(cap);
	if (text == NULL) {
		h->oom = true;
		return;
	}
	n += (size_t)snprintf(text + n, cap - n,
	                      "# p2mkit MSR capture v1: \"0xMSR 0xVALUE\" "
	                      "per line, from /dev/cpu/0/msr\n");
	for (unsigned i = 0; i < h->msrs.n && n < cap; i++)
		n += (size_t)snprintf(text + n, cap - n, "0x%x 0x%016llx\n",
		                      h->msrs.msr[i],
		                      (unsigned long long)h->msrs.value[i]);
	host_capture_write(h, MSR_TEXT_PATH, text, n < cap ? n : cap - 1);
	free(text);
}

/* Highest address bit a valid PHYSMASK uses + 1: MAXPHYADDR (x86 §3.5). */
static unsigned maxphyaddr_from_masks(const struct p2mk_host *h, unsigned vcnt)
{
	unsigned m = DEFAULT_MAXPHYADDR;
	for (unsigned i = 0; i < vcnt; i++) {
		uint64_t mask;
		if (!msr_get(h, P2MK_MSR_MTRR_PHYSMASK0 + 2 * i, &mask) ||
		    !(mask & P2MK_MTRR_MASK_V))
			continue;
		uint64_t bits = mask & ~UINT64_C(0xfff);
		if (bits == 0)
			continue;
		unsigned top = 64u - (unsigned)__builtin_clzll(bits);
		if (top > m)
			m = top;
	}
	return m > 52 ? 52 : m;
}

/*
 * Build h->state from the MSR values.  NULL on success, else a reason the
 * values are unusable (a missing MSR, or one a CPU would refuse).
 */
static const char *state_from_msrs(struct p2mk_host *h, char *why, size_t whysz)
{
	uint64_t cap, def, pat, v;
	if (!msr_get(h, P2MK_MSR_MTRRCAP, &cap) ||
	    !msr_get(h, P2MK_MSR_MTRR_DEF_TYPE, &def) ||
	    !msr_get(h, P2MK_MSR_PAT, &pat))
		return "MTRRcap, MTRRdefType or PAT missing";
	unsigned vcnt = (unsigned)(cap & P2MK_MTRRCAP_VCNT_MASK);
	if (vcnt > P2MK_MTRR_VCNT_MAX) {
		snprintf(why, whysz, "MTRRcap.VCNT = %u is above 40 (x86 §3.1)",
		         vcnt);
		return why;
	}
	struct p2mk_mtrr_config cfg = {
	    .vcnt = (uint8_t)vcnt,
	    .maxphyaddr =
	        (uint8_t)(h->cpu.phys_bits ? h->cpu.phys_bits
	                                   : maxphyaddr_from_masks(h, vcnt)),
	    .fixed = (cap & P2MK_MTRRCAP_FIX) != 0,
	    .wc = (cap & P2MK_MTRRCAP_WC) != 0,
	};
	struct p2mk_mtrr_state s;
	if (p2mk_mtrr_init(&s, &cfg) != P2MK_OK)
		return "MTRRcap or MAXPHYADDR out of the model's range";
	struct p2mk_gp gp = {0};
	bool amd_masked = false;
	for (unsigned i = 0; cfg.fixed && i < P2MK_MTRR_NFIXED_MSRS; i++) {
		if (!msr_get(h, fixed_msrs[i], &v)) {
			snprintf(why, whysz, "fixed-range MSR 0x%x missing",
			         fixed_msrs[i]);
			return why;
		}
		/* AMD MtrrFixDramModEn puts RdMem/WrMem in bits 4:3 of each
		 * byte (x86 §10.1); they are routing, not type, bits. */
		if (h->cpu.vendor == P2MK_HOST_VENDOR_AMD &&
		    (v & UINT64_C(0x1818181818181818))) {
			v &= ~UINT64_C(0x1818181818181818);
			amd_masked = true;
		}
		if (p2mk_mtrr_wrmsr(&s, fixed_msrs[i], v, &gp) != P2MK_OK)
			goto gp;
	}
	for (unsigned i = 0; i < vcnt; i++) {
		uint64_t b, m;
		if (!msr_get(h, P2MK_MSR_MTRR_PHYSBASE0 + 2 * i, &b) ||
		    !msr_get(h, P2MK_MSR_MTRR_PHYSMASK0 + 2 * i, &m)) {
			snprintf(why, whysz, "variable pair %u missing", i);
			return why;
		}
		/* An unused pair may hold stale base bits; only V matters. */
		if (!(m & P2MK_MTRR_MASK_V) &&
		    p2mk_mtrr_wrmsr(&s, P2MK_MSR_MTRR_PHYSBASE0 + 2 * i, b,
		                    &gp) != P2MK_OK)
			b = 0;
		if (p2mk_mtrr_wrmsr(&s, P2MK_MSR_MTRR_PHYSBASE0 + 2 * i, b,
		                    &gp) != P2MK_OK ||
		    p2mk_mtrr_wrmsr(&s, P2MK_MSR_MTRR_PHYSMASK0 + 2 * i, m,
		                    &gp) != P2MK_OK)
			goto gp;
	}
	if (p2mk_mtrr_wrmsr(&s, P2MK_MSR_PAT, pat, &gp) != P2MK_OK ||
	    p2mk_mtrr_wrmsr(&s, P2MK_MSR_MTRR_DEF_TYPE, def, &gp) != P2MK_OK)
		goto gp;
	h->state = s;
	h->pat_msr_known = true;
	h->mtrr_origin = P2MK_HOST_MTRR_MSR;
	uint64_t syscfg, tom2;
	if (h->cpu.vendor == P2MK_HOST_VENDOR_AMD &&
	    msr_get(h, AMD_MSR_SYSCFG, &syscfg) &&
	    msr_get(h, AMD_MSR_TOP_MEM2, &tom2) &&
	    (syscfg & AMD_SYSCFG_TOM2_EN) && (syscfg & AMD_SYSCFG_TOM2_WB) &&
	    (tom2 & P2MK_GENMASK(cfg.maxphyaddr - 1, 23)) > FOUR_GIB) {
		/* Between 4 GiB and TOP_MEM2 an address no variable range
		 * matches is WB, not MTRRdefType.Type: model that as the
		 * same registers with default type WB. */
		h->tom2_wb = true;
		h->tom2 = tom2 & P2MK_GENMASK(cfg.maxphyaddr - 1, 23);
		h->state_wb = s;
		(void)p2mk_mtrr_wrmsr(&h->state_wb, P2MK_MSR_MTRR_DEF_TYPE,
		                      (def & ~UINT64_C(0xff)) | P2MK_MT_WB,
		                      NULL);
	}
	h->amd_rdwr_masked = amd_masked;
	return NULL;
gp:
	snprintf(why, whysz, "MSR 0x%x = 0x%llx would #GP on a real CPU: %s",
	         (unsigned)gp.msr, (unsigned long long)gp.value,
	         gp.reason ? gp.reason : "?");
	snprintf(h->msr_rejected, sizeof(h->msr_rejected), "%s", why);
	return why;
}

static void collect_msr(struct p2mk_host *h)
{
	const enum p2mk_host_source_id id = P2MK_HOST_SRC_MSR;
	char why[256];
	if (!is_x86(h)) {
		host_set_source(h, id, P2MK_HOST_NOT_X86, "not an x86 CPU");
		return;
	}
	/* The msr device (character major 202) or, in a test tree, a regular
	 * file; anything else beneath the root is refused. */
	int fd = host_fs_open_file(h, "dev/cpu/0/msr", true);
	int open_err = fd < 0 ? -fd : 0;
	if (fd >= 0) {
		int err = read_msr_device(h, fd);
		close(fd);
		if (err != 0) {
			host_set_source(h, id, host_errno_status(err),
			                "rdmsr failed: %s", host_strerror(err));
			h->msrs.n = 0;
			return;
		}
		capture_msrs(h);
	} else if (open_err == ENOENT) {
		/* A captured tree holds the values as text instead. */
		char *buf;
		size_t len;
		int err;
		if (host_read_file(h, MSR_TEXT_PATH, &buf, &len, &err) !=
		    P2MK_HOST_READ) {
			if (from_manifest(h, id))
				return;
			if (err != ENOENT)
				host_set_source(h, id, host_errno_status(err),
				                "%s: %s", MSR_TEXT_PATH,
				                host_strerror(err));
			else
				host_set_source(
				    h, id, P2MK_HOST_MISSING, "%s",
				    host_fs_exists(h, "dev/cpu/0")
				        ? "no msr device (load the msr module: "
				          "modprobe msr)"
				        : "no /dev/cpu/0 (msr driver absent)");
			return;
		}
		h->src[id].path = MSR_TEXT_PATH;
		note_malformed(
		    h, id,
		    p2mk_host_parse_msr_text(h, buf, len, MSR_TEXT_PATH));
		free(buf);
	} else {
		host_set_source(h, id, host_errno_status(open_err), "%s",
		                open_err == EACCES || open_err == EPERM
		                    ? "needs root and CAP_SYS_RAWIO"
		                    : host_strerror(open_err));
		return;
	}
	const char *bad = state_from_msrs(h, why, sizeof(why));
	h->src[id].items = h->msrs.n;
	if (bad != NULL) {
		host_set_source(h, id, P2MK_HOST_UNUSABLE, "%s", bad);
		return;
	}
	host_set_source(
	    h, id, P2MK_HOST_READ,
	    "%u MSRs: MTRRs %s, default type %s, %u variable pairs", h->msrs.n,
	    (h->state.def_type & P2MK_MTRR_DEF_E) ? "enabled" : "disabled",
	    p2mk_mt_name((unsigned)(h->state.def_type & 0xff)),
	    p2mk_mtrr_vcnt(&h->state));
}

/* ---- /proc/mtrr --------------------------------------------------------- */

static unsigned bit_length(uint64_t v)
{
	return v ? 64u - (unsigned)__builtin_clzll(v) : 0;
}

/*
 * Two states from the variable ranges: default type UC and default type WB.
 * /proc/mtrr does not show MTRRdefType, so an address whose answer differs
 * between them is typed by the (unknown) default.
 */
static void states_from_proc(struct p2mk_host *h)
{
	unsigned vcnt = 0, m = h->cpu.phys_bits;
	if (m == 0) {
		m = DEFAULT_MAXPHYADDR;
		for (size_t i = 0; i < h->nmtrr_vars; i++) {
			const struct p2mk_host_mtrr_var *v = &h->mtrr_vars[i];
			unsigned need = bit_length(v->base + v->size - 1);
			if (need > m)
				m = need;
		}
	}
	if (m > 52)
		m = 52;
	for (size_t i = 0; i < h->nmtrr_vars; i++) {
		if (h->mtrr_vars[i].reg + 1 > vcnt)
			vcnt = h->mtrr_vars[i].reg + 1;
	}
	struct p2mk_mtrr_config cfg = {.vcnt = (uint8_t)vcnt,
	                               .maxphyaddr = (uint8_t)m,
	                               .fixed = true,
	                               .wc = true};
	struct p2mk_mtrr_state s;
	if (p2mk_mtrr_init(&s, &cfg) != P2MK_OK)
		return;
	uint64_t addr_mask = (UINT64_C(1) << m) - 1;
	for (size_t i = 0; i < h->nmtrr_vars; i++) {
		const struct p2mk_host_mtrr_var *v = &h->mtrr_vars[i];
		struct p2mk_gp gp = {0};
		uint64_t mask = (~(v->size - 1) & addr_mask) | P2MK_MTRR_MASK_V;
		if (p2mk_mtrr_wrmsr(&s, P2MK_MSR_MTRR_PHYSBASE0 + 2 * v->reg,
		                    v->base | v->type, &gp) != P2MK_OK ||
		    p2mk_mtrr_wrmsr(&s, P2MK_MSR_MTRR_PHYSMASK0 + 2 * v->reg,
		                    mask, &gp) != P2MK_OK) {
			host_diag(h, "proc/mtrr", v->line,
			          "not representable as an MTRR pair with a "
			          "%u-bit MAXPHYADDR: %s",
			          m, gp.reason ? gp.reason : "?");
			h->src[P2MK_HOST_SRC_PROC_MTRR].malformed++;
		}
	}
	/* Default types are MTRR types, so these writes cannot #GP. */
	h->state_wb = s;
	(void)p2mk_mtrr_wrmsr(&s, P2MK_MSR_MTRR_DEF_TYPE,
	                      P2MK_MTRR_DEF_E | P2MK_MT_UC, NULL);
	(void)p2mk_mtrr_wrmsr(&h->state_wb, P2MK_MSR_MTRR_DEF_TYPE,
	                      P2MK_MTRR_DEF_E | P2MK_MT_WB, NULL);
	h->state = s;
	h->mtrr_origin = P2MK_HOST_MTRR_PROC;
}

static void collect_proc_mtrr(struct p2mk_host *h)
{
	const enum p2mk_host_source_id id = P2MK_HOST_SRC_PROC_MTRR;
	if (!is_x86(h)) {
		host_set_source(h, id, P2MK_HOST_NOT_X86, "not an x86 CPU");
		return;
	}
	if (h->mtrr_origin == P2MK_HOST_MTRR_MSR) {
		host_set_source(h, id, P2MK_HOST_NOT_TRIED,
		                "the MSRs give the complete MTRR state");
		return;
	}
	char *buf;
	size_t len;
	int err;
	enum p2mk_host_status st =
	    host_read_file(h, h->src[id].path, &buf, &len, &err);
	if (st != P2MK_HOST_READ) {
		if (from_manifest(h, id))
			return;
		if (st == P2MK_HOST_MISSING)
			host_set_source(
			    h, id, st, "%s",
			    h->cpu.flags_seen && !h->cpu.has_mtrr
			        ? "no /proc/mtrr: the CPU reports no "
			          "mtrr flag"
			        : "no /proc/mtrr: kernel without "
			          "CONFIG_MTRR, or MTRRs not "
			          "offered to this (virtual) machine");
		else
			host_set_source(h, id, st, "%s", host_strerror(err));
		return;
	}
	note_malformed(h, id,
	               p2mk_host_parse_proc_mtrr(h, buf, len, "proc/mtrr"));
	free(buf);
	if (parsed_nothing(h, id, h->nmtrr_vars))
		return;
	states_from_proc(h);
	h->src[id].items = (unsigned)h->nmtrr_vars;
	if (h->nmtrr_vars == 0)
		host_set_source(h, id, P2MK_HOST_READ,
		                "empty: no enabled variable range, so all "
		                "memory above 1 MiB has the default type, "
		                "which /proc/mtrr does not show");
	else
		host_set_source(h, id, P2MK_HOST_READ,
		                "%zu variable ranges (the default type and "
		                "fixed ranges are not shown there)",
		                h->nmtrr_vars);
}

/* ---- pat_memtype_list --------------------------------------------------- */

static bool dir_is_empty(struct p2mk_host *h, const char *rel, bool *exists)
{
	int err;
	DIR *d = host_fs_opendir(h, rel, &err);
	*exists = d != NULL;
	if (d == NULL)
		return true;
	const struct dirent *e;
	bool empty = true;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0) {
			empty = false;
			break;
		}
	}
	closedir(d);
	return empty;
}

static void collect_pat_list(struct p2mk_host *h)
{
	const enum p2mk_host_source_id id = P2MK_HOST_SRC_PAT_LIST;
	if (!is_x86(h)) {
		host_set_source(h, id, P2MK_HOST_NOT_X86, "not an x86 CPU");
		return;
	}
	char *buf;
	size_t len;
	int err;
	enum p2mk_host_status st =
	    host_read_file(h, h->src[id].path, &buf, &len, &err);
	if (st == P2MK_HOST_MISSING) {
		bool exists;
		if (from_manifest(h, id))
			return;
		if (dir_is_empty(h, DEBUGFS_DIR, &exists))
			host_set_source(h, id, P2MK_HOST_NO_DEBUGFS,
			                "%s is %s (as root: mount -t debugfs "
			                "none /sys/kernel/debug)",
			                DEBUGFS_DIR,
			                exists ? "empty" : "absent");
		else if (host_fs_exists(h, DEBUGFS_X86_DIR))
			host_set_source(h, id, st,
			                "debugfs is mounted but has no "
			                "pat_memtype_list (PAT disabled: "
			                "nopat, or no PAT support)");
		else
			host_set_source(h, id, st,
			                "debugfs is mounted but has no x86 "
			                "directory");
		return;
	}
	if (st != P2MK_HOST_READ) {
		if (!from_manifest(h, id))
			host_set_source(h, id, st, "%s",
			                st == P2MK_HOST_DENIED
			                    ? "debugfs is root-only"
			                    : host_strerror(err));
		return;
	}
	note_malformed(h, id,
	               p2mk_host_parse_pat_list(h, buf, len, h->src[id].path));
	free(buf);
	if (parsed_nothing(h, id, h->npat_maps))
		return;
	h->src[id].items = (unsigned)h->npat_maps;
	host_set_source(h, id, P2MK_HOST_READ, "%zu PAT mappings",
	                h->npat_maps);
}

/* ---- /proc/iomem -------------------------------------------------------- */

static void collect_iomem(struct p2mk_host *h)
{
	const enum p2mk_host_source_id id = P2MK_HOST_SRC_IOMEM;
	char *buf;
	size_t len;
	int err;
	enum p2mk_host_status st =
	    host_read_file(h, h->src[id].path, &buf, &len, &err);
	if (st != P2MK_HOST_READ) {
		if (!from_manifest(h, id))
			host_set_source(h, id, st, "%s", host_strerror(err));
		return;
	}
	note_malformed(h, id,
	               p2mk_host_parse_iomem(h, buf, len, h->src[id].path));
	free(buf);
	if (h->niomem == 0) {
		/* /proc/iomem always lists System RAM: nothing is malformed. */
		if (!parsed_nothing(h, id, 0))
			host_set_source(h, id, P2MK_HOST_UNUSABLE,
			                "malformed: no entry (it always lists "
			                "System RAM)");
		return;
	}
	bool all_zero = h->niomem > 0;
	for (size_t i = 0; i < h->niomem; i++)
		all_zero =
		    all_zero && h->iomem[i].start == 0 && h->iomem[i].end == 0;
	if (all_zero) {
		/* Since Linux 4.15 non-root readers see every address as 0. */
		host_set_source(h, id, P2MK_HOST_UNUSABLE,
		                "every address reads as 0: run as root");
		h->niomem = 0;
		return;
	}
	h->src[id].items = (unsigned)h->niomem;
	host_set_source(h, id, P2MK_HOST_READ, "%zu entries", h->niomem);
}

/* ---- PCI ---------------------------------------------------------------- */

/* "dddd:bb:dd.f" (domain of 4 or more hex digits). */
static bool is_bdf(const char *s)
{
	size_t n = strlen(s);
	if (n < 12)
		return false;
	const char *t = s + n - 8; /* ":bb:dd.f" */
	for (const char *p = s; p < t; p++) {
		if (!isxdigit((unsigned char)*p))
			return false;
	}
	return t[0] == ':' && isxdigit((unsigned char)t[1]) &&
	       isxdigit((unsigned char)t[2]) && t[3] == ':' &&
	       isxdigit((unsigned char)t[4]) && isxdigit((unsigned char)t[5]) &&
	       t[6] == '.' && t[7] >= '0' && t[7] <= '7';
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Merge the config-space decode into the device's sysfs BARs. */
static void apply_config(struct p2mk_host *h, size_t first,
                         const struct p2mk_host_cfg *cfg)
{
	for (size_t i = first; i < h->nbars; i++) {
		struct p2mk_host_bar *b = &h->bars[i];
		if (cfg->nbars > 0) {
			b->vendor = cfg->vendor;
			b->device = cfg->device;
			b->ids_known = true;
		}
		if (b->index >= cfg->nbars || !cfg->bar[b->index].present ||
		    cfg->bar[b->index].io)
			continue;
		const struct p2mk_host_cfg_bar *c = &cfg->bar[b->index];
		b->cfg_known = true;
		b->cfg_mismatch =
		    c->prefetch != b->prefetch || c->is64 != b->is64;
		/* The register is what the device decodes: trust it. */
		b->prefetch = c->prefetch;
		b->is64 = c->is64;
	}
}

static void collect_device(struct p2mk_host *h, const char *bdf,
                           unsigned *read_ok)
{
	char rel[512], *buf;
	size_t len, first = h->nbars;
	int err;
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/resource", bdf);
	if (host_read_file(h, rel, &buf, &len, &err) != P2MK_HOST_READ) {
		host_diag(h, rel, 0, "cannot read: %s", host_strerror(err));
		return;
	}
	h->src[P2MK_HOST_SRC_PCI].malformed +=
	    p2mk_host_parse_resource(h, buf, len, rel, bdf);
	free(buf);
	(*read_ok)++;
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/config", bdf);
	if (host_read_file(h, rel, &buf, &len, &err) != P2MK_HOST_READ) {
		if (h->nbars > first)
			host_diag(h, rel, 0,
			          "cannot read: %s (prefetchable bits taken "
			          "from the resource flags)",
			          host_strerror(err));
		return;
	}
	struct p2mk_host_cfg cfg;
	h->src[P2MK_HOST_SRC_PCI].malformed +=
	    p2mk_host_parse_config(h, (const uint8_t *)buf, len, rel, &cfg);
	free(buf);
	apply_config(h, first, &cfg);
}

static void collect_pci(struct p2mk_host *h)
{
	const enum p2mk_host_source_id id = P2MK_HOST_SRC_PCI;
	int err;
	DIR *d = host_fs_opendir(h, h->src[id].path, &err);
	if (d == NULL) {
		if (!from_manifest(h, id))
			host_set_source(h, id, host_errno_status(err), "%s",
			                host_strerror(err));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	const struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!is_bdf(e->d_name))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			char **nn = realloc(names, ncap * sizeof(*nn));
			if (nn == NULL) {
				h->oom = true;
				break;
			}
			names = nn;
			cap = ncap;
		}
		names[n] = strdup(e->d_name);
		if (names[n] == NULL) {
			h->oom = true;
			break;
		}
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	unsigned ok = 0;
	for (size_t i = 0; i < n; i++) {
		collect_device(h, names[i], &ok);
		free(names[i]);
	}
	free(names);
	h->src[id].items = ok;
	host_set_source(h, id, P2MK_HOST_READ,
	                "%u of %zu devices, %zu memory BARs", ok, n, h->nbars);
}

/*
 * Name each BAR's claimant from /proc/iomem ("nvidia", "virtio-pci-modern")
 * and, when sysfs gave no PCI information, take BARs from the entries named
 * after a device.
 */
static void link_iomem(struct p2mk_host *h)
{
	bool have_sysfs = h->src[P2MK_HOST_SRC_PCI].status == P2MK_HOST_READ;
	for (size_t i = 0; i < h->niomem; i++) {
		const struct p2mk_host_iomem *e = &h->iomem[i];
		if (!is_bdf(e->name))
			continue;
		struct p2mk_host_bar *bar = NULL;
		for (size_t k = 0; k < h->nbars; k++) {
			if (h->bars[k].start == e->start &&
			    strcmp(h->bars[k].bdf, e->name) == 0)
				bar = &h->bars[k];
		}
		if (bar == NULL && !have_sysfs) {
			bar = HOST_PUSH(h, bars);
			if (bar == NULL)
				return;
			snprintf(bar->bdf, sizeof(bar->bdf), "%.31s", e->name);
			bar->index = UINT32_MAX;
			bar->start = e->start;
			bar->end = e->end;
			bar->from_iomem = true;
		}
		if (bar == NULL)
			continue;
		for (size_t k = i + 1; k < h->niomem; k++) {
			if (h->iomem[k].parent == (int)i) {
				snprintf(bar->owner, sizeof(bar->owner),
				         "%.63s", h->iomem[k].name);
				break;
			}
		}
	}
}

/* ---- guest identification ------------------------------------------------ */

/* One-value files that tell a guest which hypervisor runs it. */
static void read_word(struct p2mk_host *h, const char *rel, char *out,
                      size_t outsz)
{
	char *buf;
	size_t len;
	int err;
	out[0] = '\0';
	if (host_read_file(h, rel, &buf, &len, &err) != P2MK_HOST_READ)
		return;
	if (p2mk_host_parse_word(buf, len, out, outsz) != 0)
		host_diag(h, rel, 1,
		          "bytes that are not printable ASCII (shown as '?')");
	free(buf);
}

static void collect_guest(struct p2mk_host *h)
{
	struct p2mk_host_guest *g = &h->guest;
	read_word(h, "sys/hypervisor/type", g->hv_type, sizeof(g->hv_type));
	read_word(h,
	          "sys/devices/system/clocksource/clocksource0/"
	          "current_clocksource",
	          g->clocksource, sizeof(g->clocksource));
	read_word(h, "sys/class/dmi/id/sys_vendor", g->dmi_vendor,
	          sizeof(g->dmi_vendor));
	read_word(h, "sys/class/dmi/id/product_name", g->dmi_product,
	          sizeof(g->dmi_product));
	read_word(h, "sys/class/dmi/id/bios_vendor", g->dmi_bios,
	          sizeof(g->dmi_bios));
	p2mk_host_guest_identify(h);
}

static void write_manifest(struct p2mk_host *h)
{
	char text[P2MK_HOST_NSOURCES * 256 + 128];
	size_t n = (size_t)snprintf(
	    text, sizeof(text),
	    "# p2mkit capture manifest v1: source<TAB>status<TAB>reason\n");
	for (int i = 0; i < P2MK_HOST_NSOURCES && n < sizeof(text); i++) {
		const struct p2mk_host_source *s = &h->src[i];
		n += (size_t)snprintf(
		    text + n, sizeof(text) - n, "%s\t%s\t%s\n", s->name,
		    p2mk_host_status_token(s->status), s->reason);
	}
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	host_capture_write(h, MANIFEST_PATH, text, n);
}

void p2mk_host_collect(struct p2mk_host *h)
{
	char *buf;
	size_t len;
	int err;
	/* A captured tree says how each source fared where it was taken. */
	if (host_read_raw(h, MANIFEST_PATH, &buf, &len, &err) ==
	    P2MK_HOST_READ) {
		(void)p2mk_host_parse_manifest(h, buf, len, MANIFEST_PATH);
		free(buf);
	}
	collect_cpuinfo(h);
	collect_msr(h);
	collect_proc_mtrr(h);
	collect_pat_list(h);
	collect_iomem(h);
	collect_pci(h);
	link_iomem(h);
	collect_guest(h);
	if (h->capture_fd >= 0)
		write_manifest(h);
}
