// SPDX-License-Identifier: BSD-2-Clause
/*
 * host file access (src/host/fs.c): confinement beneath the root with
 * openat2() and with the openat() walk that replaces it on old kernels
 * (each case runs both ways), regular files only, and the capture
 * directory rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host_internal.h"

static char base[64]; /* holds root/ and outside/ */

static void mk(const char *rel, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void mkd(const char *rel)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void lnk(const char *target, const char *rel)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/p2mk-fs-XXXXXX");
	assert_non_null(mkdtemp(base));
	mkd("root");
	mkd("root/d");
	mkd("outside");
	mk("outside/secret", "secret\n");
	mk("root/d/file", "inside\n");
	lnk("d/file", "root/in-link");            /* stays beneath */
	lnk("../d/file", "root/d/up-link");       /* up, still beneath */
	lnk("d", "root/dir-link");                /* directory, beneath */
	lnk("../outside/secret", "root/out-rel"); /* relative escape */
	lnk("/etc/passwd", "root/out-abs");       /* absolute */
	lnk("../outside", "root/out-dir");        /* directory escape */
	lnk("loop2", "root/loop1");
	lnk("loop1", "root/loop2");
	char p[256], q[256];
	snprintf(p, sizeof(p), "%s/root/fifo", base);
	assert_int_equal(mkfifo(p, 0644), 0);
	snprintf(p, sizeof(p), "%s/outside/secret", base);
	snprintf(q, sizeof(q), "%s/root/hard", base);
	assert_int_equal(link(p, q), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static struct p2mk_host *host(bool walk)
{
	static struct p2mk_host h;
	static bool used;
	char root[128];
	if (used)
		p2mk_host_free(&h);
	used = true;
	snprintf(root, sizeof(root), "%s/root", base);
	p2mk_host_init(&h, root);
	h.fs_no_openat2 = walk;
	return &h;
}

/* -errno of opening @rel for reading as the audit does, 0 if it opened. */
static int try_read(bool walk, const char *rel)
{
	struct p2mk_host *h = host(walk);
	int fd = host_fs_open_file(h, rel, false);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return fd;
}

static void links_beneath_the_root_are_followed(void **state)
{
	(void)state;
	for (int walk = 0; walk < 2; walk++) {
		assert_int_equal(try_read(walk, "d/file"), 0);
		assert_int_equal(try_read(walk, "in-link"), 0);
		assert_int_equal(try_read(walk, "d/up-link"), 0);
		assert_int_equal(try_read(walk, "dir-link/file"), 0);
		assert_int_equal(try_read(walk, "d/../d/file"), 0);
		assert_int_equal(try_read(walk, "/d//file"), 0);
	}
}

static void escapes_are_refused(void **state)
{
	(void)state;
	for (int walk = 0; walk < 2; walk++) {
		assert_int_equal(try_read(walk, "out-rel"), -EXDEV);
		assert_int_equal(try_read(walk, "out-abs"), -EXDEV);
		assert_int_equal(try_read(walk, "out-dir/secret"), -EXDEV);
		assert_int_equal(try_read(walk, "../outside/secret"), -EXDEV);
		assert_int_equal(try_read(walk, "d/../../outside/secret"),
		                 -EXDEV);
	}
}

static void non_regular_files_are_refused(void **state)
{
	(void)state;
	for (int walk = 0; walk < 2; walk++) {
		assert_int_equal(try_read(walk, "fifo"), -HOST_ENOTREG);
		assert_int_equal(try_read(walk, "hard"), -EMLINK);
		assert_int_equal(try_read(walk, "d"), -EISDIR);
		assert_int_equal(try_read(walk, "loop1"), -ELOOP);
		assert_int_equal(try_read(walk, "missing"), -ENOENT);
	}
}

static void read_raw_reports_refusal_status(void **state)
{
	(void)state;
	for (int walk = 0; walk < 2; walk++) {
		struct p2mk_host *h = host(walk);
		char *buf;
		size_t len;
		int err;
		assert_int_equal(host_read_raw(h, "out-rel", &buf, &len, &err),
		                 P2MK_HOST_REFUSED);
		assert_null(buf);
		assert_int_equal(host_read_raw(h, "in-link", &buf, &len, &err),
		                 P2MK_HOST_READ);
		assert_string_equal(buf, "inside\n");
		free(buf);
	}
}

static void capture_needs_a_new_or_empty_real_directory(void **state)
{
	(void)state;
	char p[256];
	struct p2mk_host *h = host(false);
	snprintf(p, sizeof(p), "%s/root", base);
	assert_int_equal(p2mk_host_capture_open(h, p), ENOTEMPTY);
	snprintf(p, sizeof(p), "%s/root/dir-link", base);
	assert_int_equal(p2mk_host_capture_open(h, p), ELOOP);
	/* An empty directory of another user is refused (as root: chown). */
	snprintf(p, sizeof(p), "%s/theirs", base);
	assert_int_equal(mkdir(p, 0777), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(p, 65534, 65534), 0);
		assert_int_equal(p2mk_host_capture_open(h, p), EPERM);
	}
	snprintf(p, sizeof(p), "%s/mine", base);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(p2mk_host_capture_open(h, p), 0);
	close(h->capture_fd);
	h->capture_fd = -1;
	snprintf(p, sizeof(p), "%s/cap", base);
	assert_int_equal(p2mk_host_capture_open(h, p), 0);
	/* Every file lands complete; an existing name is never replaced. */
	host_capture_write(h, "a/b/c", "xyz", 3);
	assert_int_equal(h->ndiags, 0);
	host_capture_write(h, "a/b/c", "other", 5);
	assert_int_equal(h->ndiags, 1);
	snprintf(p, sizeof(p), "%s/cap/a/b/c", base);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	char got[8] = "";
	assert_non_null(fgets(got, sizeof(got), f));
	fclose(f);
	assert_string_equal(got, "xyz");
	snprintf(p, sizeof(p), "%s/cap/a/b/.c.p2mkit-tmp", base);
	assert_int_not_equal(access(p, F_OK), 0);
	/* A link planted in the capture is not followed. */
	snprintf(p, sizeof(p), "%s/cap/evil", base);
	char t[256];
	snprintf(t, sizeof(t), "%s/outside", base);
	assert_int_equal(symlink(t, p), 0);
	host_capture_write(h, "evil/x", "no", 2);
	assert_int_equal(h->ndiags, 2);
	snprintf(p, sizeof(p), "%s/outside/x", base);
	assert_int_not_equal(access(p, F_OK), 0);
	host_capture_write(h, "../escape", "no", 2);
	assert_int_equal(h->ndiags, 3);
	p2mk_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(links_beneath_the_root_are_followed),
	    cmocka_unit_test(escapes_are_refused),
	    cmocka_unit_test(non_regular_files_are_refused),
	    cmocka_unit_test(read_raw_reports_refusal_status),
	    cmocka_unit_test(capture_needs_a_new_or_empty_real_directory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
