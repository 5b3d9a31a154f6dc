// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the host layer's parser of a PCI config-space image: any
 * bytes must parse without a crash or an out-of-bounds read (the buffer is not
 * NUL-terminated), and every rejected line must come back as a diagnostic.
 */
#include <stdlib.h>

#include "host/host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct p2mk_host host; /* reused, as in fuzz_host_common.h */
	struct p2mk_host *h = &host;
	p2mk_host_init(h, "/");
	struct p2mk_host_cfg cfg;
	unsigned bad = p2mk_host_parse_config(h, data, size, "config", &cfg);
	/* Every diagnostic is one malformed item; a decode stays in bounds. */
	if (bad != h->ndiags || cfg.nbars > 6)
		abort();
	for (unsigned i = 0; i < cfg.nbars; i++) {
		if (cfg.bar[i].io && (cfg.bar[i].is64 || cfg.bar[i].prefetch))
			abort();
	}
	p2mk_host_free(h);
	return 0;
}
