// SPDX-License-Identifier: BSD-2-Clause
/* Runs the kernel-style example of docs/embedding.md as a hosted program:
 * provides its three kernel hooks and checks what it promises. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vm_ept;
typedef struct {
	unsigned long pfn;
} kgfn_t;
typedef struct {
	unsigned long pfn;
} kmfn_t;
void vm_pool_init(void);
unsigned vm_pool_free_pages(void);
int vm_ept_init(struct vm_ept *v);
int vm_ept_map(struct vm_ept *v, kgfn_t gfn, kmfn_t mfn, unsigned long count);
int vm_ept_unmap(struct vm_ept *v, kgfn_t gfn, unsigned long count);
long vm_ept_translate(struct vm_ept *v, kgfn_t gfn, kmfn_t *mfn);
void vm_ept_destroy(struct vm_ept *v);
void host_invept(uint64_t eptp);
void host_spin_lock(int *lock);
void host_spin_unlock(int *lock);

static unsigned invepts, bad_locks;
void host_invept(uint64_t eptp)
{
	invepts += eptp != 0;
}
void host_spin_lock(int *lock)
{
	bad_locks += *lock != 0;
	*lock = 1;
}
void host_spin_unlock(int *lock)
{
	bad_locks += *lock != 1;
	*lock = 0;
}

static _Alignas(64) unsigned char vm[8192]; /* struct vm_ept is opaque here */

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("kernel example: FAILED %s\n", #c);             \
			return 1;                                              \
		}                                                              \
	} while (0)

int main(void)
{
	struct vm_ept *v = (struct vm_ept *)vm;
	kmfn_t m = {0};
	vm_pool_init();
	unsigned all = vm_pool_free_pages();
	CHECK(vm_ept_init(v) == 0);
	CHECK(vm_ept_map(v, (kgfn_t){0x40000}, (kmfn_t){0x80000}, 512) == 0);
	CHECK(vm_ept_translate(v, (kgfn_t){0x40123}, &m) == 0 &&
	      m.pfn == 0x80123);
	CHECK(invepts == 0); /* nothing was present before: nothing to flush */
	CHECK(vm_ept_unmap(v, (kgfn_t){0x40123}, 1) ==
	      0); /* splits the 2 MiB leaf */
	CHECK(invepts == 1);
	CHECK(vm_ept_translate(v, (kgfn_t){0x40123}, &m) == -2);
	CHECK(vm_ept_translate(v, (kgfn_t){0x40124}, &m) == 0 &&
	      m.pfn == 0x80124);
	CHECK(vm_ept_map(v, (kgfn_t){0x40124}, (kmfn_t){0x1}, 1) == -17);
	vm_ept_destroy(v);
	CHECK(invepts == 2 && bad_locks == 0);
	CHECK(vm_pool_free_pages() ==
	      all); /* every table came back, after INVEPT */
	printf("kernel example: %u INVEPTs, all %u pool pages back\n", invepts,
	       all);
	return 0;
}
