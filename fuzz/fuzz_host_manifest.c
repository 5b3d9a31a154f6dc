// SPDX-License-Identifier: BSD-2-Clause
/* libFuzzer target for the host layer's parser of a capture manifest (checks:
 * fuzz_host_common.h). */
#include "fuzz_host_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_host_text(data, size, p2mk_host_parse_manifest,
	                      "p2mkit-capture.txt", false);
}
