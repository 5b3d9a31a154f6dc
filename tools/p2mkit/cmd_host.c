// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit host: audit a machine's MTRRs, PAT mappings and PCI BAR
 * cacheability, live (--root /) or from a captured tree.  The work is in
 * src/host; this file parses arguments and picks the output form.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "host/host.h"

static void usage(FILE *out)
{
	fputs(
	    "usage: p2mkit host [--root DIR] [--capture DIR] [--json]\n"
	    "\n"
	    "Audit System RAM and every PCI memory BAR: MTRR type, the PAT\n"
	    "mappings the kernel recorded, their effective type, findings.\n"
	    "\n"
	    "  --root DIR     read every file under DIR instead of / (a tree\n"
	    "                 made by --capture, or a mounted image)\n"
	    "  --capture DIR  also copy each file read into DIR, keeping its\n"
	    "                 path (MSRs go to dev/cpu/0/msr.txt); audit the\n"
	    "                 copy later with --root DIR\n"
	    "  --json         machine-readable report\n"
	    "\n"
	    "Sources: /proc/cpuinfo, /dev/cpu/0/msr (root, msr module),\n"
	    "/proc/mtrr, /sys/kernel/debug/x86/pat_memtype_list (debugfs,\n"
	    "root), /proc/iomem (root for addresses),\n"
	    "/sys/bus/pci/devices/*/{resource,config}.  What cannot be read\n"
	    "is reported with the reason.  See docs/host.md.\n"
	    "\n"
	    "Exit status: 0 the audit ran (findings or not), 2 bad usage or\n"
	    "an unreadable --root.\n",
	    out);
}

/* mkdir -p @dir; false with errno set on failure. */
static bool make_dirs(const char *dir)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return false;
	}
	for (char *p = tmp + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return false;
		*p = c;
		if (c == '\0')
			break;
	}
	struct stat st;
	if (stat(dir, &st) != 0)
		return false;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	return true;
}

int cmd_host(int argc, char **argv)
{
	const char *root = "/", *capture = NULL;
	bool json = false;
	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--root") == 0 ||
		           strcmp(argv[i], "--capture") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0')
				return cli_usage_error(
				    "host", "%s needs a directory", argv[i]);
			if (argv[i][2] == 'r')
				root = argv[++i];
			else
				capture = argv[++i];
		} else {
			usage(stderr);
			return cli_usage_error("host", "unknown argument '%s'",
			                       argv[i]);
		}
	}
	struct stat st;
	if (stat(root, &st) != 0)
		return cli_usage_error("host", "--root %s: %s", root,
		                       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_usage_error("host", "--root %s: not a directory",
		                       root);
	if (access(root, R_OK | X_OK) != 0)
		return cli_usage_error("host", "--root %s: %s", root,
		                       strerror(errno));
	if (strlen(root) >= 4000 || (capture && strlen(capture) >= 4000))
		return cli_usage_error("host", "path too long");
	if (capture != NULL && !make_dirs(capture))
		return cli_usage_error("host", "--capture %s: %s", capture,
		                       strerror(errno));

	struct p2mk_host *h = malloc(sizeof(*h));
	if (h == NULL) {
		fputs("p2mkit host: out of memory\n", stderr);
		return CLI_EXIT_FAIL;
	}
	p2mk_host_init(h, root);
	if (capture != NULL)
		snprintf(h->capture, sizeof(h->capture), "%s", capture);
	p2mk_host_collect(h);
	p2mk_host_analyze(h);
	if (json)
		cli_print_json(p2mk_host_to_json(h));
	else
		p2mk_host_print_text(h);
	if (capture != NULL && !json)
		printf("\ncaptured the files read into %s (audit it with "
		       "p2mkit host --root %s)\n",
		       capture, capture);
	p2mk_host_free(h);
	free(h);
	return CLI_EXIT_OK;
}
