// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the dump reader, gmap_dump_open(), on arbitrary bytes.
 *
 * Input: a mode byte, then the file's contents. Mode (low two bits):
 * 0 the contents as they are (an ELF core, an xz file, or anything);
 * 1 the contents xz-compressed in one block; 2 xz-compressed in 4 KB
 * blocks (the reader decompresses blocks in parallel); 3 as 1, then one
 * byte of the xz file changed: a 2-byte position and a 1-byte XOR mask
 * come before the contents. Compressing here lets the fuzzer reach the
 * ELF parser through the xz path, which random bytes rarely get past
 * the xz checks to.
 *
 * The file goes into a memfd opened by its /proc path. On failure the
 * reader must return a documented negative errno, leave *out alone and
 * write a message; on success every accessor must answer within what the
 * header promises (ranges sorted and disjoint, reads inside ranges
 * succeed, the walker runs over the storage descriptor), and close must
 * release everything (LeakSanitizer, Valgrind).
 */
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dump.h"
#include "fuzz.h"

#define DUMP_XZ_BLOCK	4096

/* xz-compress @in; returns the buffer (malloc) and its length in *@outlen. */
static uint8_t *compress(const uint8_t *in, size_t len, bool blocks, size_t *outlen)
{
	size_t cap = lzma_stream_buffer_bound(len) + 4096;
	uint8_t *out = malloc(cap);
	lzma_stream strm = LZMA_STREAM_INIT;
	lzma_mt mt = {
		.threads = 1, .block_size = DUMP_XZ_BLOCK, .preset = 0, .check = LZMA_CHECK_CRC64,
	};
	lzma_ret r;

	FZ_CHECK(out, "out of memory");
	*outlen = 0;
	if (!blocks) {
		r = lzma_easy_buffer_encode(0, LZMA_CHECK_CRC32, NULL, in, len, out, outlen, cap);
		FZ_CHECK(r == LZMA_OK, "xz encoder: %d", r);
		return out;
	}
	r = lzma_stream_encoder_mt(&strm, &mt);
	FZ_CHECK(r == LZMA_OK, "xz encoder: %d", r);
	strm.next_in = in;
	strm.avail_in = len;
	strm.next_out = out;
	strm.avail_out = cap;
	do
		r = lzma_code(&strm, LZMA_FINISH);
	while (r == LZMA_OK);
	FZ_CHECK(r == LZMA_STREAM_END, "xz encoder: %d", r);
	*outlen = cap - strm.avail_out;
	lzma_end(&strm);
	return out;
}

static bool documented_errno(int ret)
{
	return ret == -EINVAL || ret == -EBADMSG || ret == -EFBIG || ret == -ENOMEM;
}

/* Use every accessor of an open dump. */
static void check_dump(struct gmap_dump *d)
{
	unsigned int ncpus = gmap_dump_ncpus(d), nranges = gmap_dump_nranges(d);
	struct gmap_dat_request req = { .access = GMAP_DAT_FETCH, .facilities = GMAP_FAC_ALL };
	const struct gmap_dump_range *prev = NULL;
	struct gmap_dat_result res;
	struct gmap_dat_mem mem;
	uint8_t buf[8];

	FZ_CHECK(nranges >= 1, "a dump opened without storage");
	for (unsigned int i = 0; i < nranges; i++) {
		const struct gmap_dump_range *r = gmap_dump_range(d, i);
		uint64_t last;

		FZ_CHECK(r && r->size && r->filesz <= r->size, "range %u is malformed", i);
		last = r->start + r->size - 1;
		FZ_CHECK(!prev || prev->start + prev->size - 1 < r->start,
			 "ranges %u and %u overlap or are out of order", i - 1, i);
		FZ_CHECK(gmap_dump_read(d, r->start, buf, 1) == 0, "range %u: first byte", i);
		FZ_CHECK(gmap_dump_read(d, last, buf, 1) == 0, "range %u: last byte", i);
		/* The byte after a range is in no range unless the next
		 * range starts there. */
		if (last != UINT64_MAX &&
		    (i + 1 == nranges || gmap_dump_range(d, i + 1)->start > last + 1))
			FZ_CHECK(gmap_dump_read(d, last + 1, buf, 1) == -EFAULT,
				 "range %u: the byte after it reads", i);
		prev = r;
	}
	FZ_CHECK(!gmap_dump_range(d, nranges), "a range past the last");
	for (unsigned int i = 0; i < ncpus; i++)
		FZ_CHECK(gmap_dump_cpu(d, i) != NULL, "CPU %u missing", i);
	FZ_CHECK(!gmap_dump_cpu(d, ncpus), "a CPU past the last");
	for (unsigned int i = 0; i < gmap_dump_nwarnings(d); i++)
		FZ_CHECK(gmap_dump_warning(d, i) && gmap_dump_warning(d, i)[0], "empty warning %u",
			 i);
	FZ_CHECK(!gmap_dump_warning(d, gmap_dump_nwarnings(d)), "a warning past the last");
	FZ_CHECK(gmap_dump_image_size(d) > 0, "an empty image opened");

	/* Walk the dump's own tables with each CPU's primary ASCE. */
	gmap_dump_mem(d, &mem);
	for (unsigned int i = 0; i < ncpus && i < 4; i++) {
		const struct gmap_dump_cpu *c = gmap_dump_cpu(d, i);
		gmap_asce_t asce = { c->cr[1] };

		req.prefix = c->prefix;
		FZ_CHECK(gmap_dat_translate(&mem, asce, c->psw_addr, &req, &res) == 0,
			 "translate failed on CPU %u", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct gmap_dump *sentinel = (struct gmap_dump *)&f, *d = sentinel;
	unsigned int mode = fz_u8(&f) & 3, pos = 0;
	char err[GMAP_DUMP_ERRLEN] = "", path[64];
	uint8_t *file = NULL, mask = 0;
	const uint8_t *contents;
	size_t len;
	int fd, ret;

	if (mode == 3) {
		pos = fz_u16(&f);
		mask = fz_u8(&f);
	}
	contents = f.p;
	len = f.n;
	if (mode) {
		file = compress(f.p, f.n, mode == 2, &len);
		if (mode == 3 && len)
			file[pos % len] ^= mask;
		contents = file;
	}

	fd = memfd_create("fuzz-dump", MFD_CLOEXEC);
	FZ_CHECK(fd >= 0, "memfd_create: %s", strerror(errno));
	FZ_CHECK(write(fd, contents, len) == (ssize_t)len, "memfd write: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	ret = gmap_dump_open(path, &d, err, sizeof(err));
	if (ret) {
		FZ_CHECK(documented_errno(ret), "undocumented error %d: %s", ret, err);
		FZ_CHECK(d == sentinel, "*out changed on error %d", ret);
		FZ_CHECK(strncmp(err, path, strlen(path)) == 0 && strlen(err) > strlen(path) + 2,
			 "error %d without a clear message: \"%s\"", ret, err);
	} else {
		FZ_CHECK(d && d != sentinel, "success without a dump");
		check_dump(d);
		gmap_dump_close(d);
	}
	close(fd);
	free(file);
	return 0;
}
