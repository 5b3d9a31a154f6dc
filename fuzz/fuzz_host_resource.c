// SPDX-License-Identifier: BSD-2-Clause
/* libFuzzer target for the host layer's parser of a sysfs PCI resource file
 * (checks: fuzz_host_common.h). */
#include "fuzz_host_common.h"

/* The resource parser also takes the device's address. */
static unsigned parse_resource(struct p2mk_host *h, const char *text,
                               size_t len, const char *file)
{
	return p2mk_host_parse_resource(h, text, len, file, "0000:00:00.0");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_host_text(data, size, parse_resource, "resource", true);
}
