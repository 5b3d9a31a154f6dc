// SPDX-License-Identifier: BSD-2-Clause
/*
 * host layer plumbing: growable arrays, diagnostics, reading files under
 * the root and copying them into a capture directory.
 */
#include "host/host_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const source_names[P2MK_HOST_NSOURCES] = {
    "cpuinfo", "msr", "proc-mtrr", "pat-list", "iomem", "pci",
};
static const char *const source_paths[P2MK_HOST_NSOURCES] = {
    "proc/cpuinfo", "dev/cpu/0/msr",
    "proc/mtrr",    "sys/kernel/debug/x86/pat_memtype_list",
    "proc/iomem",   "sys/bus/pci/devices",
};

void p2mk_host_init(struct p2mk_host *h, const char *root)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->root, sizeof(h->root), "%s", root ? root : "/");
	h->root_fd = h->capture_fd = -1;
	h->guest.xen_platform_bar = -1;
	for (int i = 0; i < P2MK_HOST_NSOURCES; i++) {
		h->src[i].name = source_names[i];
		h->src[i].path = source_paths[i];
		h->src[i].status = P2MK_HOST_NOT_TRIED;
	}
}

void p2mk_host_free(struct p2mk_host *h)
{
	host_fs_close(h);
	free(h->diags);
	free(h->mtrr_vars);
	free(h->pat_maps);
	free(h->iomem);
	free(h->bars);
	free(h->segs);
	free(h->effs);
	free(h->ranges);
	free(h->findings);
	h->diags = NULL;
	h->mtrr_vars = NULL;
	h->pat_maps = NULL;
	h->iomem = NULL;
	h->bars = NULL;
	h->segs = NULL;
	h->effs = NULL;
	h->ranges = NULL;
	h->findings = NULL;
	h->ndiags = h->nmtrr_vars = h->npat_maps = h->niomem = h->nbars = 0;
	h->nsegs = h->neffs = h->nranges = h->nfindings = 0;
	h->cap_diags = h->cap_mtrr_vars = h->cap_pat_maps = h->cap_iomem = 0;
	h->cap_bars = h->cap_segs = h->cap_effs = h->cap_ranges = 0;
	h->cap_findings = 0;
}

/*
 * The NOLINTNEXTLINEs before vsnprintf below silence a clang-tidy 14 false
 * positive: when several files are checked in one run, clang-analyzer reports
 * every va_list after va_start as uninitialized (cli_util.c gets it too).
 */

void *host_vec_grow(struct p2mk_host *h, void *arr, size_t n, size_t *cap,
                    size_t elsz)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = realloc(arr, ncap * elsz);
	if (p == NULL) {
		h->oom = true;
		return arr;
	}
	*cap = ncap;
	return p;
}

void *host_zero(void *p, size_t sz)
{
	return memset(p, 0, sz);
}

void host_diag(struct p2mk_host *h, const char *file, unsigned line,
               const char *fmt, ...)
{
	char msg[sizeof(((struct p2mk_host_diag *)0)->msg)];
	va_list ap;
	va_start(ap, fmt);
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct p2mk_host_diag *d = HOST_PUSH(h, diags);
	if (d == NULL)
		return;
	snprintf(d->file, sizeof(d->file), "%s", file);
	d->line = line;
	memcpy(d->msg, msg, sizeof(msg));
}

void host_finding(struct p2mk_host *h, enum p2mk_host_sev sev, const char *id,
                  int range, const char *fmt, ...)
{
	struct p2mk_host_finding *f = HOST_PUSH(h, findings);
	if (f == NULL)
		return;
	f->sev = sev;
	f->id = id;
	f->range = range;
	va_list ap;
	va_start(ap, fmt);
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

const char *p2mk_host_status_name(enum p2mk_host_status st)
{
	switch (st) {
	case P2MK_HOST_NOT_TRIED:
		return "not needed";
	case P2MK_HOST_READ:
		return "read";
	case P2MK_HOST_MISSING:
		return "missing";
	case P2MK_HOST_DENIED:
		return "permission denied";
	case P2MK_HOST_NOT_X86:
		return "not x86";
	case P2MK_HOST_NO_DEBUGFS:
		return "debugfs not mounted";
	case P2MK_HOST_UNUSABLE:
		return "unusable";
	case P2MK_HOST_IO_ERROR:
		return "read error";
	case P2MK_HOST_REFUSED:
		return "refused";
	}
	return "?";
}

const char *p2mk_host_status_token(enum p2mk_host_status st)
{
	switch (st) {
	case P2MK_HOST_NOT_TRIED:
		return "not-needed";
	case P2MK_HOST_READ:
		return "read";
	case P2MK_HOST_MISSING:
		return "missing";
	case P2MK_HOST_DENIED:
		return "denied";
	case P2MK_HOST_NOT_X86:
		return "not-x86";
	case P2MK_HOST_NO_DEBUGFS:
		return "no-debugfs";
	case P2MK_HOST_UNUSABLE:
		return "unusable";
	case P2MK_HOST_IO_ERROR:
		return "io-error";
	case P2MK_HOST_REFUSED:
		return "refused";
	}
	return "?";
}

const char *p2mk_host_sev_name(enum p2mk_host_sev sev)
{
	switch (sev) {
	case P2MK_HOST_INFO:
		return "info";
	case P2MK_HOST_WARNING:
		return "warning";
	case P2MK_HOST_ERROR:
		return "error";
	}
	return "?";
}

enum p2mk_host_status host_errno_status(int err)
{
	if (err == ENOENT || err == ENOTDIR)
		return P2MK_HOST_MISSING;
	if (err == EXDEV || err == ELOOP || err == HOST_ENOTREG ||
	    err == EMLINK || err == EFBIG || err == ESTALE || err == EISDIR)
		return P2MK_HOST_REFUSED;
	if (err == EACCES || err == EPERM)
		return P2MK_HOST_DENIED;
	return P2MK_HOST_IO_ERROR;
}

enum p2mk_host_status host_read_file(struct p2mk_host *h, const char *rel,
                                     char **buf, size_t *len, int *err)
{
	enum p2mk_host_status st = host_read_raw(h, rel, buf, len, err);
	if (st == P2MK_HOST_READ)
		host_capture_write(h, rel, *buf, *len);
	return st;
}

void host_set_source(struct p2mk_host *h, enum p2mk_host_source_id id,
                     enum p2mk_host_status st, const char *fmt, ...)
{
	struct p2mk_host_source *s = &h->src[id];
	s->status = st;
	va_list ap;
	va_start(ap, fmt);
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

size_t p2mk_host_count_findings(const struct p2mk_host *h,
                                enum p2mk_host_sev sev)
{
	size_t n = 0;
	for (size_t i = 0; i < h->nfindings; i++)
		n += h->findings[i].sev == sev;
	return n;
}

bool p2mk_host_has_finding(const struct p2mk_host *h, const char *id)
{
	for (size_t i = 0; i < h->nfindings; i++) {
		if (strcmp(h->findings[i].id, id) == 0)
			return true;
	}
	return false;
}

void host_fmt_size(uint64_t bytes, char *out, size_t outsz)
{
	static const char *const unit[] = {"B",   "KiB", "MiB", "GiB",
	                                   "TiB", "PiB", "EiB"};
	unsigned u = 0;
	uint64_t v = bytes;
	/* Exact units only, so "1.5 GiB" shows as "1536 MiB". */
	while (u < 6 && v >= 1024 && (v & 1023) == 0) {
		v >>= 10;
		u++;
	}
	snprintf(out, outsz, "%llu %s", (unsigned long long)v, unit[u]);
}
