// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit host: audit a machine's MTRRs, PAT mappings and PCI BAR
 * cacheability, live (--root /) or from a captured tree.  The work is in
 * src/host; this file declares the options and picks the output form.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "host/host.h"

struct host_args {
	const char *root, *capture;
};

static const struct cli_opt host_opts[] = {
    {.name = "root",
     .type = CLI_STRING,
     .off = offsetof(struct host_args, root),
     .max = 3999,
     .metavar = "DIR",
     .help = "read every file under DIR instead of / (a --capture tree)"},
    {.name = "capture",
     .type = CLI_STRING,
     .off = offsetof(struct host_args, capture),
     .max = 3999,
     .metavar = "DIR",
     .help = "also copy each file read into DIR (audit it with --root)"},
};
static const struct cli_group host_groups[] = {CLI_GROUP(host_opts, 0),
                                               {NULL, 0, 0}};

static void host_init(void *args)
{
	((struct host_args *)args)->root = "/";
}

/* mkdir -p the directories leading to @dir (not @dir itself, which
 * p2mk_host_capture_open() creates); false with errno set on failure. */
static bool make_parents(const char *dir)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return false;
	}
	size_t n = strlen(tmp);
	while (n > 1 && tmp[n - 1] == '/')
		tmp[--n] = '\0';
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return false;
		*p = '/';
	}
	return true;
}

static int host_check(struct cli_ctx *c, void *args)
{
	const struct host_args *a = args;
	char e[CLI_ECHO_MAX];
	struct stat st;
	if (stat(a->root, &st) != 0 || access(a->root, R_OK | X_OK) != 0)
		return cli_fail(c, CLI_EXIT_USAGE, "--root %s: %s",
		                cli_echo(a->root, e), strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_fail(c, CLI_EXIT_USAGE, "--root %s: not a directory",
		                cli_echo(a->root, e));
	if (a->capture != NULL && !make_parents(a->capture))
		return cli_fail(c, CLI_EXIT_USAGE, "--capture %s: %s",
		                cli_echo(a->capture, e), strerror(errno));
	return 0;
}

static int host_run(struct cli_ctx *c, void *args)
{
	const struct host_args *a = args;
	struct p2mk_host *h = malloc(sizeof(*h));
	if (h == NULL)
		return cli_fail(c, CLI_EXIT_FAIL, "out of memory");
	p2mk_host_init(h, a->root);
	int err =
	    a->capture != NULL ? p2mk_host_capture_open(h, a->capture) : 0;
	if (err != 0) {
		char e[CLI_ECHO_MAX];
		p2mk_host_free(h);
		free(h);
		return cli_fail(
		    c, CLI_EXIT_USAGE, "--capture %s: %s",
		    cli_echo(a->capture, e),
		    err == ENOTEMPTY ? "exists and is not empty (the "
		                       "capture goes to a new or empty "
		                       "directory)"
		    : err == ELOOP   ? "is a symbolic link"
		    : err == EPERM   ? "exists and belongs to another user"
		                     : strerror(err));
	}
	p2mk_host_collect(h);
	p2mk_host_analyze(h);
	/* One record; text is rendered from it (p2mk_host_text). */
	cli_record(c, p2mk_host_to_json(h));
	p2mk_host_free(h);
	free(h);
	return CLI_EXIT_OK;
}

const struct cli_form cli_form_host = {
    .command = "host",
    .summary = "audit this machine's MTRRs, PAT and PCI BARs",
    .about = "Audit System RAM and every PCI memory BAR: MTRR type, the PAT\n"
             "mappings the kernel recorded, their effective type, findings.\n"
             "Sources: /proc/cpuinfo, /dev/cpu/0/msr (root, msr module),\n"
             "/proc/mtrr, /sys/kernel/debug/x86/pat_memtype_list (debugfs,\n"
             "root), /proc/iomem (root for addresses),\n"
             "/sys/bus/pci/devices/*/{resource,config}.  What cannot be "
             "read\n"
             "is reported with the reason.  Inside a VM it names the\n"
             "hypervisor (sys/hypervisor, clocksource, DMI) and shows what\n"
             "its EPT/NPT policy makes of each range, including the Xen\n"
             "grant table in the platform PCI BAR.  Only regular files\n"
             "beneath --root are read; --capture writes into a new or\n"
             "empty directory.  See docs/host.md.\n",
    .exits = "0 the audit ran (findings or not), 2 bad usage, an "
             "unreadable --root or an unusable --capture directory.",
    .groups = host_groups,
    .args_size = sizeof(struct host_args),
    .init = host_init,
    .check = host_check,
    .run = host_run,
    .text = p2mk_host_text,
};
