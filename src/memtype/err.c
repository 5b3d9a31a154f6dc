// SPDX-License-Identifier: BSD-2-Clause
/* Names of enum p2mk_err values, for messages and JSON. */
#include <p2mkit/base.h>

const char *p2mk_err_name(enum p2mk_err err)
{
	switch (err) {
	case P2MK_OK:
		return "ok";
	case P2MK_ERR_INVAL:
		return "invalid argument";
	case P2MK_ERR_NOMEM:
		return "out of memory";
	case P2MK_ERR_GP:
		return "#GP";
	case P2MK_ERR_EXISTS:
		return "already mapped";
	case P2MK_ERR_RANGE:
		return "out of range";
	case P2MK_ERR_NOENT:
		return "not present";
	case P2MK_ERR_UNSUPPORTED:
		return "unsupported";
	case P2MK_ERR_AGAIN:
		return "partial progress, continue";
	}
	return "unknown error";
}
