// SPDX-License-Identifier: MIT
/*
 * Bring a dump file into memory, told by its magic: a plain file is mapped
 * read-only; an xz file is decompressed by dump-xz.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump-internal.h"

static const unsigned char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
static const unsigned char xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

static int load_xz(int fd, size_t fsize, const char *path, struct dump_image *img,
		   char *err, size_t errlen)
{
	void *in = mmap(NULL, fsize, PROT_READ, MAP_PRIVATE, fd, 0);
	int ret;

	if (in == MAP_FAILED) {
		ret = -errno;
		dump_seterr(err, errlen, "%s: cannot map: %s", path, strerror(errno));
		return ret;
	}
	ret = dump_xz_load(in, fsize, path, img, err, errlen);
	munmap(in, fsize);
	return ret;
}

static int load_plain(int fd, size_t fsize, const char *path, struct dump_image *img,
		      char *err, size_t errlen)
{
	void *p = mmap(NULL, fsize, PROT_READ, MAP_PRIVATE, fd, 0);

	if (p == MAP_FAILED) {
		int ret = -errno;

		dump_seterr(err, errlen, "%s: cannot map: %s", path, strerror(errno));
		return ret;
	}
	img->base = p;
	img->size = fsize;
	img->map_size = fsize;
	img->compressed = false;
	return 0;
}

int dump_image_load(const char *path, struct dump_image *img, char *err, size_t errlen)
{
	unsigned char magic[sizeof(xz_magic)] = { 0 };
	struct stat st;
	ssize_t got;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		dump_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		dump_seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	ret = -EINVAL;
	if (!S_ISREG(st.st_mode)) {
		dump_seterr(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size == 0) {
		dump_seterr(err, errlen, "%s: empty file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		dump_seterr(err, errlen, "%s: too large for this host", path);
		ret = -EFBIG;
		goto out;
	}
	got = pread(fd, magic, sizeof(magic), 0);
	if (got < 0) {
		ret = -errno;
		dump_seterr(err, errlen, "%s: %s", path, strerror(errno));
	} else if ((size_t)got >= sizeof(xz_magic) && !memcmp(magic, xz_magic, sizeof(xz_magic))) {
		ret = load_xz(fd, st.st_size, path, img, err, errlen);
	} else if ((size_t)got >= sizeof(elf_magic) && !memcmp(magic, elf_magic, sizeof(elf_magic))) {
		ret = load_plain(fd, st.st_size, path, img, err, errlen);
	} else {
		dump_seterr(err, errlen,
			    "%s: not an ELF core file or an xz-compressed one (starts %02x %02x %02x %02x)",
			    path, magic[0], magic[1], magic[2], magic[3]);
	}
out:
	close(fd);
	return ret;
}

void dump_image_unload(struct dump_image *img)
{
	if (img->map_size)
		munmap(img->base, img->map_size);
	img->base = NULL;
	img->map_size = 0;
}
