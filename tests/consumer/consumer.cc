// SPDX-License-Identifier: BSD-2-Clause
/* The same embedder in C++: the C API through extern "C" headers. */
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <p2mkit/pt.h>

namespace
{
struct pool {
	std::vector<void *> pages; /* every page handed out, for the check */
	static void *alloc(void *ctx)
	{
		void *p = nullptr;
		if (posix_memalign(&p, 4096, 4096) != 0)
			return nullptr;
		static_cast<pool *>(ctx)->pages.push_back(
		    std::memset(p, 0, 4096));
		return p;
	}
	static void free(void *, void *page)
	{
		std::free(page);
	}
	static uint64_t v2p(void *, void *va)
	{
		return reinterpret_cast<uintptr_t>(va);
	}
	static void *p2v(void *, uint64_t pa)
	{
		return reinterpret_cast<void *>(pa);
	}
};
} // namespace

int main()
{
	pool host;
	p2mk_mm_ops mm = {pool::alloc, pool::free, pool::v2p, pool::p2v, &host};
	p2mk_pt_attrs wb_rw = {P2MK_PT_R | P2MK_PT_W, 6, 0, 0, 0};
	p2mk_pt pt;
	p2mk_pt_leaf leaf{};
	if (p2mk_pt_init(&pt, &p2mk_pt_fmt_ept4, &mm, nullptr) != P2MK_OK)
		return 1;
	p2mk_err err = p2mk_pt_map(&pt, p2mk_gfn(0x40000), p2mk_mfn(0x80000),
	                           512, &wb_rw, P2MK_PT_ORDER_ANY, 0);
	if (err == P2MK_OK)
		err = p2mk_pt_lookup(&pt, p2mk_gfn(0x40123), &leaf);
	p2mk_pt_destroy(&pt);
	if (err != P2MK_OK || leaf.order != 9 || leaf.mfn.v != 0x80000) {
		std::printf("consumer++: %s\n", p2mk_err_name(err));
		return 1;
	}
	std::printf(
	    "consumer++: gfn 0x40123 -> mfn 0x%llx (order %u, %zu pages)\n",
	    static_cast<unsigned long long>(leaf.mfn.v + 0x123), leaf.order,
	    host.pages.size());
	return 0;
}
