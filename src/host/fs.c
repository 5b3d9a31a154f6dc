// SPDX-License-Identifier: BSD-2-Clause
/*
 * The one place the host layer touches the file system.  `p2mkit host` is
 * meant to run as root over trees it did not write (a --root captured on
 * another machine, a --capture directory someone else can write to), so:
 *
 *  - every read is confined beneath the root: openat2() with
 *    RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS where the kernel has it
 *    (Linux 5.6+, checked at run time: ENOSYS falls back), otherwise a
 *    component-by-component openat(O_PATH | O_NOFOLLOW) walk with the same
 *    rules: no ".." above the root, no absolute link, a relative link is
 *    followed only while it stays beneath the root, at most 40 links;
 *  - only regular files with one link are read (a FIFO, a device node or a
 *    hard link to a file elsewhere is refused), opened O_NONBLOCK after an
 *    O_PATH look, checked again with fstat(), read up to a size cap;
 *  - the capture directory is new or empty, and every file in it is
 *    written to a fresh temporary name (O_CREAT | O_EXCL | O_NOFOLLOW,
 *    relative to a directory fd) and then hard-linked to its name, which
 *    fails rather than replace anything already there; on error the
 *    temporary is removed, so no partial file remains.
 */
#include "host/host_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Inputs larger than this are not sysfs/procfs text: refuse them. */
#define HOST_MAX_INPUT (16u << 20)
/* Links one lookup may follow (the kernel's own limit, MAXSYMLINKS). */
#define MAX_LINKS 40
/* Directory depth of the fallback walk. */
#define MAX_DEPTH 64
/* The Linux msr driver's character major (MSR_MAJOR). */
#define MSR_MAJOR 202u

static int root_fd(struct p2mk_host *h)
{
	if (h->root_fd < 0) {
		h->root_fd = open(h->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (h->root_fd < 0)
			return -errno;
	}
	return h->root_fd;
}

static int try_openat2(int dirfd, const char *rel, int flags)
{
#ifdef SYS_openat2
	struct open_how how = {
	    .flags = (uint64_t)(unsigned)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	/* EAGAIN: a concurrent rename made ".." unverifiable; the kernel
	 * asks the caller to retry (openat2(2)). */
	for (int tries = 0; tries < 8; tries++) {
		long r = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (r >= 0)
			return (int)r;
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
#else
	(void)dirfd;
	(void)rel;
	(void)flags;
	return -ENOSYS;
#endif
}

/* The next component of *p (slashes skipped) into @out; false at the end. */
static bool next_comp(const char **p, char *out, size_t outsz, int *err)
{
	const char *s = *p;
	while (*s == '/')
		s++;
	if (*s == '\0')
		return false;
	size_t n = strcspn(s, "/");
	if (n >= outsz) {
		*err = ENAMETOOLONG;
		return false;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + n;
	return true;
}

static bool only_slashes(const char *p)
{
	return p[strspn(p, "/")] == '\0';
}

/* Replace the walk's path with "@target/@rest" (a relative link). */
static int splice_link(char *path, size_t pathsz, const char *target,
                       const char *rest)
{
	char tmp[8192];
	if (target[0] == '/')
		return EXDEV; /* absolute: never beneath the root */
	if (target[0] == '\0')
		return ENOENT;
	int n = snprintf(tmp, sizeof(tmp), "%s/%s", target, rest);
	if (n < 0 || (size_t)n >= sizeof(tmp) || (size_t)n >= pathsz)
		return ENAMETOOLONG;
	memcpy(path, tmp, (size_t)n + 1);
	return 0;
}

struct walk {
	int fd[MAX_DEPTH + 1]; /* fd[0] is the root, not owned */
	int depth;
	unsigned links;
};

static void walk_close(struct walk *w)
{
	while (w->depth > 0)
		close(w->fd[w->depth--]);
}

/*
 * One component @c of the fallback walk, @rest the path after it.
 * Returns 0 to go on, -1 when @c was the last one and *@out is open, or
 * an errno.
 */
static int walk_step(struct walk *w, char *path, size_t pathsz, const char *c,
                     const char *rest, int flags, int *out)
{
	int cur = w->fd[w->depth];
	if (strcmp(c, ".") == 0)
		return 0;
	if (strcmp(c, "..") == 0) {
		if (w->depth == 0)
			return EXDEV;
		close(w->fd[w->depth--]);
		return 0;
	}
	int fd = openat(cur, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return e;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
		close(fd);
		if (n < 0)
			return errno;
		target[n] = '\0';
		if (++w->links > MAX_LINKS)
			return ELOOP;
		return splice_link(path, pathsz, target, rest);
	}
	if (only_slashes(rest)) {
		close(fd);
		/* Resolved to a name that is not a link: open it, and only
		 * it (a link swapped in since fails with ELOOP). */
		*out = openat(cur, c, flags | O_NOFOLLOW | O_CLOEXEC);
		return *out >= 0 ? -1 : errno;
	}
	if (!S_ISDIR(st.st_mode) || w->depth == MAX_DEPTH) {
		close(fd);
		return S_ISDIR(st.st_mode) ? ENAMETOOLONG : ENOTDIR;
	}
	w->fd[++w->depth] = fd;
	return 0;
}

int host_fs_walk(int dirfd, const char *rel, int flags)
{
	char path[8192], rest[8192], c[256];
	if (snprintf(path, sizeof(path), "%s", rel) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	struct walk w = {.fd = {dirfd}, .depth = 0, .links = 0};
	int fd = -1, err = 0;
	for (;;) {
		const char *p = path;
		if (!next_comp(&p, c, sizeof(c), &err)) {
			/* The path names the directory reached. */
			if (err == 0) {
				fd = openat(w.fd[w.depth], ".",
				            flags | O_CLOEXEC);
				err = fd < 0 ? errno : 0;
			}
			break;
		}
		/* path becomes what follows @c; a link puts its target
		 * in front of that. */
		snprintf(rest, sizeof(rest), "%s", p);
		memcpy(path, rest, strlen(rest) + 1);
		int r = walk_step(&w, path, sizeof(path), c, rest, flags, &fd);
		if (r == -1)
			break;
		if (r != 0) {
			err = r;
			break;
		}
	}
	walk_close(&w);
	return err != 0 ? -err : fd;
}

int host_fs_open(struct p2mk_host *h, const char *rel, int flags)
{
	int dir = root_fd(h);
	if (dir < 0)
		return dir;
	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		rel = ".";
	if (!h->fs_no_openat2) {
		int fd = try_openat2(dir, rel, flags);
		if (fd != -ENOSYS)
			return fd;
	}
	return host_fs_walk(dir, rel, flags);
}

/* A file we may read: regular with one link, or the msr device if @msr. */
static int check_kind(const struct stat *st, bool msr)
{
	if (S_ISREG(st->st_mode))
		return st->st_nlink <= 1 ? 0 : EMLINK;
	if (msr && S_ISCHR(st->st_mode) && major(st->st_rdev) == MSR_MAJOR)
		return 0;
	return S_ISDIR(st->st_mode) ? EISDIR : HOST_ENOTREG;
}

int host_fs_open_file(struct p2mk_host *h, const char *rel, bool msr)
{
	/* Look first without opening for reading: opening a FIFO or a
	 * device can block or have effects. */
	int pfd = host_fs_open(h, rel, O_PATH);
	if (pfd < 0)
		return pfd;
	struct stat a, b;
	int err = fstat(pfd, &a) != 0 ? errno : check_kind(&a, msr);
	close(pfd);
	if (err != 0)
		return -err;
	int fd = host_fs_open(h, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fd;
	/* The name may have been swapped since: it must be the same file. */
	err = fstat(fd, &b) != 0 ? errno : check_kind(&b, msr);
	if (err == 0 && (a.st_dev != b.st_dev || a.st_ino != b.st_ino))
		err = ESTALE;
	if (err != 0) {
		close(fd);
		return -err;
	}
	return fd;
}

bool host_fs_exists(struct p2mk_host *h, const char *rel)
{
	int fd = host_fs_open(h, rel, O_PATH);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

DIR *host_fs_opendir(struct p2mk_host *h, const char *rel, int *err)
{
	int fd = host_fs_open(h, rel, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		*err = -fd;
		return NULL;
	}
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		*err = errno;
		close(fd);
	}
	return d;
}

/* Read @fd to EOF (procfs and sysfs report a size of 0 or 4096). */
static int read_all(struct p2mk_host *h, int fd, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);
	if (b == NULL) {
		h->oom = true;
		return ENOMEM;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= HOST_MAX_INPUT) {
				free(b);
				return EFBIG;
			}
			char *nb = realloc(b, cap * 2 + 1);
			if (nb == NULL) {
				h->oom = true;
				free(b);
				return ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(b);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

enum p2mk_host_status host_read_raw(struct p2mk_host *h, const char *rel,
                                    char **buf, size_t *len, int *err)
{
	*buf = NULL;
	*len = 0;
	*err = 0;
	int fd = host_fs_open_file(h, rel, false);
	if (fd < 0) {
		*err = -fd;
		return host_errno_status(*err);
	}
	*err = read_all(h, fd, buf, len);
	close(fd);
	return *err == 0 ? P2MK_HOST_READ : host_errno_status(*err);
}

const char *host_strerror(int err)
{
	switch (err) {
	case EXDEV:
		return "the path leads outside the root";
	case ELOOP:
		return "a symbolic link where none is allowed, or a link loop";
	case HOST_ENOTREG:
		return "not a regular file";
	case EMLINK:
		return "a regular file with more than one hard link";
	case EFBIG:
		return "larger than the 16 MiB input cap";
	case ESTALE:
		return "the file changed while it was opened";
	default:
		return strerror(err);
	}
}

/* ---- capture ------------------------------------------------------------ */

static bool dir_empty(int fd)
{
	int dup_fd = dup(fd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (d == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		return false;
	}
	bool empty = true;
	const struct dirent *e;
	while (empty && (e = readdir(d)) != NULL)
		empty =
		    strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

int p2mk_host_capture_open(struct p2mk_host *h, const char *dir)
{
	if (snprintf(h->capture, sizeof(h->capture), "%s", dir) >=
	    (int)sizeof(h->capture))
		return ENAMETOOLONG;
	bool made = mkdir(dir, 0700) == 0;
	if (!made && errno != EEXIST)
		return errno;
	struct stat st;
	if (!made && lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
		return ELOOP;
	/* O_NOFOLLOW: a link planted where the directory should be is
	 * refused (ELOOP), not followed. */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? ELOOP : errno;
	/* An existing directory must be empty and ours: another user could
	 * read the capture, or plant links in it while we write. */
	if (!made && (fstat(fd, &st) != 0 || st.st_uid != geteuid())) {
		close(fd);
		return EPERM;
	}
	if (!made && !dir_empty(fd)) {
		close(fd);
		return ENOTEMPTY;
	}
	h->capture_fd = fd;
	return 0;
}

/* The directory of capture/@rel, made as needed; @name gets the last part. */
static int capture_dir(struct p2mk_host *h, const char *rel, char *name,
                       size_t namesz)
{
	int cur = dup(h->capture_fd);
	const char *p = rel;
	int err = 0;
	while (cur >= 0 && next_comp(&p, name, namesz, &err)) {
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			err = EINVAL;
			break;
		}
		if (only_slashes(p))
			return cur;
		if (mkdirat(cur, name, 0755) != 0 && errno != EEXIST) {
			err = errno;
			break;
		}
		int next = openat(
		    cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		err = next < 0 ? errno : 0;
		close(cur);
		cur = next;
	}
	if (cur >= 0)
		close(cur);
	return -(err != 0 ? err : EINVAL);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Write @buf to a new temporary in @dfd, then link it to @name. */
static int capture_file(int dfd, const char *name, const void *buf, size_t len)
{
	char tmp[300];
	if (snprintf(tmp, sizeof(tmp), ".%s.p2mkit-tmp", name) >=
	    (int)sizeof(tmp))
		return ENAMETOOLONG;
	int fd =
	    openat(dfd, tmp,
	           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	int err = write_all(fd, buf, len);
	if (close(fd) != 0 && err == 0)
		err = errno;
	/* linkat() never replaces an existing name (link or not). */
	if (err == 0 && linkat(dfd, tmp, dfd, name, 0) != 0)
		err = errno;
	unlinkat(dfd, tmp, 0);
	return err;
}

void host_capture_write(struct p2mk_host *h, const char *rel, const void *buf,
                        size_t len)
{
	char name[256];
	if (h->capture_fd < 0)
		return;
	int dfd = capture_dir(h, rel, name, sizeof(name));
	if (dfd < 0) {
		host_diag(h, rel, 0, "capture: cannot create the directory: %s",
		          host_strerror(-dfd));
		return;
	}
	int err = capture_file(dfd, name, buf, len);
	close(dfd);
	if (err != 0)
		host_diag(h, rel, 0, "capture: cannot write: %s",
		          host_strerror(err));
}

void host_fs_close(struct p2mk_host *h)
{
	if (h->root_fd >= 0)
		close(h->root_fd);
	if (h->capture_fd >= 0)
		close(h->capture_fd);
	h->root_fd = h->capture_fd = -1;
}
