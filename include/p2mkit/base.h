/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * p2mkit base definitions shared by every layer: error codes, distinct
 * address and frame-number types, and the allocator interface the caller
 * injects.
 *
 * The core library is freestanding C11: it uses only <stdbool.h>,
 * <stddef.h> and <stdint.h>, never allocates on its own and keeps no
 * mutable global state.  Everything it needs from its environment comes in
 * through the structures declared here.
 */
#ifndef P2MKIT_BASE_H
#define P2MKIT_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * enum p2mk_err - result of every fallible core operation.
 *
 * P2MK_OK is zero so that `if (err)` reads naturally.  A call that returns
 * anything else has left every observable state exactly as it found it.
 */
enum p2mk_err {
	P2MK_OK = 0,
	P2MK_ERR_INVAL,  /* an argument is outside its documented domain */
	P2MK_ERR_NOMEM,  /* the injected allocator returned NULL */
	P2MK_ERR_GP,     /* an MSR access the CPU would answer with #GP */
	P2MK_ERR_EXISTS, /* refusing to overmap a present entry */
	P2MK_ERR_RANGE,  /* an address or frame is beyond the format's width */
	P2MK_ERR_NOENT,  /* nothing is mapped or recorded there */
	P2MK_ERR_UNSUPPORTED, /* the model or hardware instance cannot do that
	                       */
	P2MK_ERR_AGAIN,       /* partial progress; call again to continue */
};

/** p2mk_err_name() - a short stable name for @err ("ok", "nomem", ...). */
const char *p2mk_err_name(enum p2mk_err err);

/*
 * Addresses and frame numbers.  Each is a one-member struct so that the
 * compiler rejects a gfn where an mfn is meant; the wrappers cost nothing
 * after inlining.  Frames are always 4 KiB frames.
 */
#define P2MK_PAGE_SHIFT 12
#define P2MK_PAGE_SIZE  (UINT64_C(1) << P2MK_PAGE_SHIFT)

typedef struct {
	uint64_t v;
} p2mk_gpa_t; /* guest-physical address */
typedef struct {
	uint64_t v;
} p2mk_gfn_t; /* guest frame number */
typedef struct {
	uint64_t v;
} p2mk_hpa_t; /* host-physical address */
typedef struct {
	uint64_t v;
} p2mk_mfn_t; /* machine (host) frame number */
typedef struct {
	uint64_t v;
} p2mk_iova_t; /* device (IOMMU input) address */

static inline p2mk_gfn_t p2mk_gfn(uint64_t v)
{
	p2mk_gfn_t r = {v}; /* not a compound literal: C++ includes this too */
	return r;
}
static inline p2mk_mfn_t p2mk_mfn(uint64_t v)
{
	p2mk_mfn_t r = {v}; /* not a compound literal: C++ includes this too */
	return r;
}
static inline p2mk_gpa_t p2mk_gpa(uint64_t v)
{
	p2mk_gpa_t r = {v}; /* not a compound literal: C++ includes this too */
	return r;
}
static inline p2mk_hpa_t p2mk_hpa(uint64_t v)
{
	p2mk_hpa_t r = {v}; /* not a compound literal: C++ includes this too */
	return r;
}
static inline p2mk_iova_t p2mk_iova(uint64_t v)
{
	p2mk_iova_t r = {v}; /* not a compound literal: C++ includes this too */
	return r;
}

static inline p2mk_gfn_t p2mk_gpa_to_gfn(p2mk_gpa_t a)
{
	return p2mk_gfn(a.v >> P2MK_PAGE_SHIFT);
}

static inline p2mk_gpa_t p2mk_gfn_to_gpa(p2mk_gfn_t f)
{
	return p2mk_gpa(f.v << P2MK_PAGE_SHIFT);
}

static inline p2mk_mfn_t p2mk_hpa_to_mfn(p2mk_hpa_t a)
{
	return p2mk_mfn(a.v >> P2MK_PAGE_SHIFT);
}

static inline p2mk_hpa_t p2mk_mfn_to_hpa(p2mk_mfn_t f)
{
	return p2mk_hpa(f.v << P2MK_PAGE_SHIFT);
}

/*
 * Invariant checks.  An embedder may define either macro before including
 * any p2mkit header (or on the compiler command line) to log, count or
 * panic in its own way.  The defaults stay freestanding: P2MK_WARN_ON(c)
 * only yields whether @c held, so the caller can take its recovery path;
 * P2MK_BUG_ON(c) stops on a broken invariant the code cannot recover from.
 */
#ifndef P2MK_WARN_ON
#define P2MK_WARN_ON(cond) ((cond) ? true : false)
#endif
#ifndef P2MK_BUG_ON
#define P2MK_BUG_ON(cond)                                                      \
	do {                                                                   \
		if (cond)                                                      \
			__builtin_trap();                                      \
	} while (0)
#endif

/*
 * Untyped physical addresses: register values that describe whichever
 * physical space their owner governs (an MTRR PHYSBASE/PHYSMASK pair holds
 * guest addresses for a vCPU and host addresses for the host).  Typed
 * values use the conversions above instead.
 */
static inline uint64_t p2mk_pa_to_frame(uint64_t pa)
{
	return pa >> P2MK_PAGE_SHIFT;
}

static inline uint64_t p2mk_frame_to_pa(uint64_t frame)
{
	return frame << P2MK_PAGE_SHIFT;
}

/** p2mk_order_frames() - the number of 4 KiB frames in a 2^@order block. */
static inline uint64_t p2mk_order_frames(unsigned order)
{
	return UINT64_C(1) << order;
}

/**
 * struct p2mk_mm_ops - memory the embedder lends to the core.
 *
 * Modelled on KVM arm64's kvm_pgtable_mm_ops: the core never calls malloc.
 * @alloc_page returns one zeroed, 4 KiB-aligned 4 KiB page or NULL; @free_page
 * gives one back; @virt_to_phys and @phys_to_virt translate between the
 * pointer the core writes through and the address a hardware walker would
 * see in a table entry.  @ctx is passed back unchanged to every hook.
 */
struct p2mk_mm_ops {
	void *(*alloc_page)(void *ctx);
	void (*free_page)(void *ctx, void *page);
	uint64_t (*virt_to_phys)(void *ctx, void *va);
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	void *ctx;
};

/* Bit helpers used across layers. */
#define P2MK_BIT(n) (UINT64_C(1) << (n))
/* Bits hi..lo inclusive; valid for 0 <= lo <= hi <= 63. */
#define P2MK_GENMASK(hi, lo)                                                   \
	((~UINT64_C(0) >> (63 - (hi))) & (~UINT64_C(0) << (lo)))

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_BASE_H */
