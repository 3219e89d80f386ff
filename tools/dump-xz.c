// SPDX-License-Identifier: MIT
/*
 * Decompress an xz dump into memory with liblzma, the blocks in parallel.
 *
 * The index at the end of the file gives the uncompressed size and where
 * every block lies, in and out. The image is one private anonymous mapping
 * of that size; worker threads take blocks in turn, decompress each through
 * a small bounce buffer, and copy out only the pages that are not all zero.
 * Pages never written read as zero and cost no memory, so a 4 GB guest
 * that is mostly empty costs what it holds, plus one dictionary per thread.
 */
#include <errno.h>
#include <lzma.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dump-internal.h"

/* Zero pages are detected with this granularity (the smallest host page). */
#define XZ_PAGE		4096u
/* Bytes decompressed at a time into a worker's bounce buffer. */
#define XZ_CHUNK	(1u << 20)
/* At most this many threads (each holds a dictionary, 64 MB for xz -9). */
#define XZ_MAX_THREADS	4

/**
 * struct xz_block - where one block lies.
 * @in_off: file offset of its header
 * @unpadded: its unpadded size (header, data and check)
 * @out_off: offset of its first byte in the uncompressed file
 * @out_size: its uncompressed size
 * @check: the stream's integrity check type
 */
struct xz_block {
	uint64_t in_off;
	uint64_t unpadded;
	uint64_t out_off;
	uint64_t out_size;
	lzma_check check;
};

/**
 * struct xz_job - the work the threads share.
 * @in: the compressed file
 * @inlen: its size
 * @out: the uncompressed image
 * @blocks: the blocks
 * @nblocks: their number
 * @lock: protects @next, @error and @error_block
 * @next: the next block to take
 * @error: the first failure (LZMA_OK while none)
 * @error_block: the block that failed
 */
struct xz_job {
	const unsigned char *in;
	size_t inlen;
	unsigned char *out;
	struct xz_block *blocks;
	size_t nblocks;
	pthread_mutex_t lock;
	size_t next;
	lzma_ret error;
	size_t error_block;
};

static int xz_errno(lzma_ret r)
{
	return r == LZMA_MEM_ERROR || r == LZMA_MEMLIMIT_ERROR ? -ENOMEM : -EBADMSG;
}

static const char *xz_strerror(lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR:
	case LZMA_MEMLIMIT_ERROR:
		return "out of memory";
	case LZMA_FORMAT_ERROR:
		return "not xz data";
	case LZMA_OPTIONS_ERROR:
		return "unsupported xz options";
	default:
		return "corrupt data";
	}
}

/* Copy the XZ_PAGE pieces of @src that are not all zero; @dst is zero. */
static void copy_nonzero(unsigned char *dst, const unsigned char *src, size_t len)
{
	for (size_t off = 0; off < len; off += XZ_PAGE) {
		size_t n = len - off < XZ_PAGE ? len - off : XZ_PAGE;

		if (src[off] || memcmp(src + off, src + off + 1, n - 1))
			memcpy(dst + off, src + off, n);
	}
}

static lzma_ret xz_block_decode(const struct xz_job *job, const struct xz_block *b,
				unsigned char *buf)
{
	lzma_filter filters[LZMA_FILTERS_MAX + 1];
	lzma_block block = { .version = 1, .check = b->check, .filters = filters };
	lzma_stream strm = LZMA_STREAM_INIT;
	uint64_t done = 0;
	size_t n;
	lzma_ret r;

	if (b->in_off >= job->inlen)
		return LZMA_DATA_ERROR;
	block.header_size = lzma_block_header_size_decode(job->in[b->in_off]);
	if (block.header_size > job->inlen - b->in_off)
		return LZMA_DATA_ERROR;
	r = lzma_block_header_decode(&block, NULL, job->in + b->in_off);
	if (r != LZMA_OK)
		return r;
	/* The header's sizes, when it has them, must agree with the index. */
	r = lzma_block_compressed_size(&block, b->unpadded);
	if (r == LZMA_OK && block.uncompressed_size != LZMA_VLI_UNKNOWN &&
	    block.uncompressed_size != b->out_size)
		r = LZMA_DATA_ERROR;
	block.uncompressed_size = b->out_size;
	if (r == LZMA_OK)
		r = lzma_block_decoder(&strm, &block);
	/* The decoder took what it needs from the filter options. */
	lzma_filters_free(filters, NULL);
	if (r != LZMA_OK)
		return r;
	strm.next_in = job->in + b->in_off + block.header_size;
	strm.avail_in = job->inlen - b->in_off - block.header_size;
	do {
		strm.next_out = buf;
		strm.avail_out = XZ_CHUNK;
		r = lzma_code(&strm, LZMA_FINISH);
		n = XZ_CHUNK - strm.avail_out;
		if (n > b->out_size - done) {
			r = LZMA_DATA_ERROR;
			break;
		}
		copy_nonzero(job->out + b->out_off + done, buf, n);
		done += n;
	} while (r == LZMA_OK);
	lzma_end(&strm);
	if (r == LZMA_STREAM_END && done == b->out_size)
		return LZMA_OK;
	return r == LZMA_STREAM_END ? LZMA_DATA_ERROR : r;
}

static void *xz_worker(void *arg)
{
	struct xz_job *job = arg;
	unsigned char *buf = malloc(XZ_CHUNK);
	size_t i;
	bool stop;
	lzma_ret r;

	for (;;) {
		pthread_mutex_lock(&job->lock);
		i = job->next++;
		stop = job->error != LZMA_OK || i >= job->nblocks;
		pthread_mutex_unlock(&job->lock);
		if (stop)
			break;
		r = buf ? xz_block_decode(job, &job->blocks[i], buf) : LZMA_MEM_ERROR;
		if (r == LZMA_OK)
			continue;
		pthread_mutex_lock(&job->lock);
		if (job->error == LZMA_OK) {
			job->error = r;
			job->error_block = i;
		}
		pthread_mutex_unlock(&job->lock);
	}
	free(buf);
	return NULL;
}

/* Decompress every block with up to XZ_MAX_THREADS threads, this one
 * included; fewer if threads cannot be created. */
static lzma_ret xz_run(struct xz_job *job)
{
	pthread_t tid[XZ_MAX_THREADS - 1];
	uint32_t cpus = lzma_cputhreads();
	size_t want = cpus < 1 ? 1 : cpus > XZ_MAX_THREADS ? XZ_MAX_THREADS : cpus;
	size_t started = 0;

	if (want > job->nblocks)
		want = job->nblocks ? job->nblocks : 1;
	pthread_mutex_init(&job->lock, NULL);
	while (started + 1 < want && !pthread_create(&tid[started], NULL, xz_worker, job))
		started++;
	xz_worker(job);
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&job->lock);
	return job->error;
}

/* Read the index (all streams) from the file in memory: no seeking needed. */
static lzma_ret xz_read_index(const unsigned char *in, size_t inlen, lzma_index **idx)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	lzma_ret r = lzma_file_info_decoder(&strm, idx, UINT64_MAX, inlen);

	if (r == LZMA_OK) {
		strm.next_in = in;
		strm.avail_in = inlen;
		r = lzma_code(&strm, LZMA_FINISH);
		/* Given the whole file, OK or a seek request means it ended early. */
		if (r == LZMA_OK || r == LZMA_SEEK_NEEDED)
			r = LZMA_DATA_ERROR;
	}
	lzma_end(&strm);
	return r == LZMA_STREAM_END ? LZMA_OK : r;
}

static int xz_blocks(lzma_index *idx, struct xz_job *job)
{
	lzma_index_iter it;
	size_t n = 0;

	job->nblocks = lzma_index_block_count(idx);
	if (job->nblocks > SIZE_MAX / sizeof(*job->blocks))
		return -ENOMEM;
	job->blocks = calloc(job->nblocks ? job->nblocks : 1, sizeof(*job->blocks));
	if (!job->blocks)
		return -ENOMEM;
	lzma_index_iter_init(&it, idx);
	while (n < job->nblocks && !lzma_index_iter_next(&it, LZMA_INDEX_ITER_NONEMPTY_BLOCK)) {
		if (!it.stream.flags)
			return -EBADMSG;
		job->blocks[n++] = (struct xz_block){
			.in_off = it.block.compressed_file_offset,
			.unpadded = it.block.unpadded_size,
			.out_off = it.block.uncompressed_file_offset,
			.out_size = it.block.uncompressed_size,
			.check = it.stream.flags->check,
		};
	}
	job->nblocks = n;
	return 0;
}

int dump_xz_load(const unsigned char *in, size_t inlen, const char *path,
		 struct dump_image *img, char *err, size_t errlen)
{
	struct xz_job job = { .in = in, .inlen = inlen, .error = LZMA_OK };
	lzma_index *idx = NULL;
	size_t map_size;
	uint64_t total;
	lzma_ret r;
	int ret;

	r = xz_read_index(in, inlen, &idx);
	if (r != LZMA_OK) {
		dump_seterr(err, errlen, "%s: truncated or corrupt xz data: cannot read its index (%s)",
			    path, xz_strerror(r));
		return xz_errno(r);
	}
	total = lzma_index_uncompressed_size(idx);
	if (total == 0 || total > SIZE_MAX - XZ_PAGE) {
		lzma_index_end(idx, NULL);
		dump_seterr(err, errlen, "%s: xz data decompresses to %s", path,
			    total ? "more than this host can map" : "an empty file");
		return total ? -EFBIG : -EINVAL;
	}
	ret = xz_blocks(idx, &job);
	lzma_index_end(idx, NULL);
	if (ret) {
		free(job.blocks);
		dump_seterr(err, errlen, "%s: %s", path, ret == -ENOMEM ? "out of memory" :
			    "corrupt xz index");
		return ret;
	}
	map_size = (total + XZ_PAGE - 1) & ~(size_t)(XZ_PAGE - 1);
	/* Address space only: MAP_NORESERVE, and pages never written stay
	 * unbacked. */
	job.out = mmap(NULL, map_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (job.out == MAP_FAILED) {
		free(job.blocks);
		dump_seterr(err, errlen, "%s: cannot map %llu bytes for the decompressed file",
			    path, (unsigned long long)total);
		return -ENOMEM;
	}
	r = xz_run(&job);
	free(job.blocks);
	if (r != LZMA_OK) {
		munmap(job.out, map_size);
		dump_seterr(err, errlen, "%s: xz block %zu: %s", path, job.error_block + 1,
			    xz_strerror(r));
		return xz_errno(r);
	}
	/* Nothing, libelf included, may write to the image from now on. */
	if (mprotect(job.out, map_size, PROT_READ)) {
		ret = -errno;
		munmap(job.out, map_size);
		dump_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	img->base = job.out;
	img->size = total;
	img->map_size = map_size;
	img->compressed = true;
	return 0;
}
