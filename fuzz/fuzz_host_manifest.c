// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the host layer's parser of the capture manifest: any
 * bytes must parse without a crash or an out-of-bounds read (the buffer is not
 * NUL-terminated), and every rejected line must come back as a diagnostic.
 */
#include <stdlib.h>

#include "host/host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2mk_host *h = malloc(sizeof(*h));
	if (h == NULL)
		return 0;
	p2mk_host_init(h, "/");
	unsigned bad = p2mk_host_parse_manifest(h, (const char *)data, size,
	                                        "p2mkit-capture.txt");
	/* Each malformed line is reported exactly once, with a line number. */
	if (bad != h->ndiags)
		abort();
	for (size_t i = 0; i < h->ndiags; i++) {
		if (h->diags[i].line == 0)
			abort();
	}
	p2mk_host_free(h);
	free(h);
	return 0;
}
