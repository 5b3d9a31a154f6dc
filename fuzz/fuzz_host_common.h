/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The shared body of the host layer's text-parser fuzz targets.  Any bytes
 * must parse without a crash or an out-of-bounds read (the buffer is not
 * NUL-terminated); every rejected line must come back as exactly one
 * diagnostic with a line number; and, where the parsed data feeds the audit,
 * whatever was accepted must survive the analysis and the JSON report.
 */
#ifndef P2MKIT_FUZZ_HOST_COMMON_H
#define P2MKIT_FUZZ_HOST_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "host/host.h"

typedef unsigned (*fuzz_host_text_parser)(struct p2mk_host *h, const char *text,
                                          size_t len, const char *file);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline int fuzz_host_text(const uint8_t *data, size_t size,
                                 fuzz_host_text_parser parse, const char *file,
                                 bool audit)
{
	/* One audit reused: p2mk_host_init() empties it.  A 14 KiB heap
	 * block per input only cycled ASan's quarantine (fresh pages each
	 * time); a global keeps its redzones. */
	static struct p2mk_host host;
	struct p2mk_host *h = &host;
	p2mk_host_init(h, "/");
	unsigned bad = parse(h, (const char *)data, size, file);
	if (bad != h->ndiags)
		abort();
	for (size_t i = 0; i < h->ndiags; i++) {
		if (h->diags[i].line == 0)
			abort();
	}
	if (audit) {
		p2mk_host_analyze(h);
		json_t *j = p2mk_host_to_json(h);
		if (j == NULL)
			abort();
		json_decref(j);
	}
	p2mk_host_free(h);
	return 0;
}

#endif /* P2MKIT_FUZZ_HOST_COMMON_H */
