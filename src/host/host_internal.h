/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the host layer's C files; not part of its API. */
#ifndef P2MKIT_HOST_INTERNAL_H
#define P2MKIT_HOST_INTERNAL_H

#include "host/host.h"

#include <dirent.h>
#include <errno.h>

/**
 * host_vec_grow() - make room for one more element in a growable array of
 * @n elements of @elsz bytes with capacity *@cap.  Returns the (possibly
 * moved) array; if the allocation fails it returns @arr unchanged, leaves
 * *@cap alone and sets h->oom.
 */
void *host_vec_grow(struct p2mk_host *h, void *arr, size_t n, size_t *cap,
                    size_t elsz);

/** host_zero() - memset @p to zero and return it. */
void *host_zero(void *p, size_t sz);

/*
 * HOST_PUSH(h, diags) appends one zeroed element to h->diags (count
 * h->ndiags, capacity h->cap_diags) and yields a pointer to it, or NULL if
 * memory ran out (the array is then unchanged).
 */
#define HOST_PUSH(h, field)                                                    \
	((h)->field = host_vec_grow((h), (h)->field, (h)->n##field,            \
	                            &(h)->cap_##field, sizeof(*(h)->field)),   \
	 (h)->n##field < (h)->cap_##field                                      \
	     ? host_zero(&(h)->field[(h)->n##field++], sizeof(*(h)->field))    \
	     : NULL)

/** host_diag() - record a malformed line of @file (printf-style message). */
void host_diag(struct p2mk_host *h, const char *file, unsigned line,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** host_finding() - record a finding about range @range (-1: machine). */
void host_finding(struct p2mk_host *h, enum p2mk_host_sev sev, const char *id,
                  int range, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/** host_set_source() - status and reason of a source. */
void host_set_source(struct p2mk_host *h, enum p2mk_host_source_id id,
                     enum p2mk_host_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** host_errno_status() - MISSING, DENIED or IO_ERROR for an errno. */
enum p2mk_host_status host_errno_status(int err);

/* ---- file access (fs.c): the only code that opens files ------------- */

/* errno-style code for "not a regular file" (never produced by open()). */
#define HOST_ENOTREG EMEDIUMTYPE

/**
 * host_fs_walk() - open @rel beneath directory @dirfd with @flags, without
 * openat2(): component by component, ".." never above @dirfd, absolute
 * links refused, relative links followed while they stay beneath, at most
 * 40.  Returns an fd or -errno (EXDEV when the path would leave @dirfd).
 */
int host_fs_walk(int dirfd, const char *rel, int flags);

/**
 * host_fs_open() - open root/@rel with @flags, confined beneath the root
 * (openat2 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, or host_fs_walk() where
 * the kernel lacks openat2).  Returns an fd or -errno.
 */
int host_fs_open(struct p2mk_host *h, const char *rel, int flags);

/**
 * host_fs_open_file() - open root/@rel for reading if it is a regular file
 * with one link (or, with @msr, the msr character device), never blocking.
 * Returns an fd or -errno (HOST_ENOTREG, EMLINK, EXDEV, ELOOP, ...).
 */
int host_fs_open_file(struct p2mk_host *h, const char *rel, bool msr);

/** host_fs_exists() - true if root/@rel exists beneath the root. */
bool host_fs_exists(struct p2mk_host *h, const char *rel);

/** host_fs_opendir() - the directory root/@rel, or NULL with *@err set. */
DIR *host_fs_opendir(struct p2mk_host *h, const char *rel, int *err);

/** host_fs_close() - close the root and capture directories. */
void host_fs_close(struct p2mk_host *h);

/** host_strerror() - strerror() with the refusals of fs.c spelled out. */
const char *host_strerror(int err);

/**
 * host_read_file() - read root/@rel whole (a regular file, at most 16 MiB)
 * into a NUL-terminated heap buffer (caller frees) and copy it into the
 * capture directory if one is set.  Returns READ, or the status for the
 * failure with *@err = errno.
 */
enum p2mk_host_status host_read_file(struct p2mk_host *h, const char *rel,
                                     char **buf, size_t *len, int *err);

/** host_read_raw() - host_read_file() without copying into the capture. */
enum p2mk_host_status host_read_raw(struct p2mk_host *h, const char *rel,
                                    char **buf, size_t *len, int *err);

/**
 * host_capture_write() - write @len bytes to capture/@rel (if capturing):
 * a new file, complete or absent; a failure is a diagnostic.
 */
void host_capture_write(struct p2mk_host *h, const char *rel, const void *buf,
                        size_t len);

/* ---- the guest view (guest.c, guest_findings.c, guest_out.c) ---------- */

/** host_guest_decide() - the hypervisor's answer for every range and PAT
 * mapping (r->hv, f->hv_result), when its policy is known. */
void host_guest_decide(struct p2mk_host *h);

/** host_guest_findings() - guest-view, xen-grant-table,
 * kvm-version-assumed and next-step findings. */
void host_guest_findings(struct p2mk_host *h);

/** host_is_grant_bar() - true if range @ri is the Xen platform BAR. */
bool host_is_grant_bar(const struct p2mk_host *h, int ri);

/** host_guest_json() - the record's "guest" object. */
json_t *host_guest_json(const struct p2mk_host *h);

/** host_hv_json() - a range's "hypervisor" object, or NULL if none. */
json_t *host_hv_json(const struct p2mk_host *h,
                     const struct p2mk_host_range *r);

struct rep_out;
/** host_guest_text() - the "Guest:" lines of the text report. */
void host_guest_text(struct rep_out *o, const json_t *rec);

/** host_hv_text() - a range's "HV" line, if its record has one. */
void host_hv_text(struct rep_out *o, const json_t *range);

/** host_fmt_size() - "256 MiB", "4 KiB", "1536 MiB": exact units only. */
void host_fmt_size(uint64_t bytes, char *out, size_t outsz);

#endif /* P2MKIT_HOST_INTERNAL_H */
