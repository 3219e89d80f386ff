// SPDX-License-Identifier: MIT
/*
 * tiny-vm: the first program an emulator author reads. It builds the
 * memory of a small s390x guest the way KVM does: a host address space
 * (mm) with PGSTEs, 64 MB of host memory, a gmap that maps it as the
 * guest's absolute storage; then it writes and reads guest memory, takes
 * the dirty log, and watches the guest's two prefix pages with
 * gmap_mprotect_notify(), as KVM does to notice when the host takes one
 * away. It checks everything it prints and exits 0 only if all matched.
 *
 * Build against an installed libgmap:
 *   cc tiny-vm.c $(pkg-config --cflags --libs libgmap)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libgmap/libgmap.h>

#define MB		(1ULL << 20)
#define HOST_BASE	0x40000000ULL	/* where the guest's memory lies in the mm */
#define GUEST_SIZE	(64 * MB)
#define PREFIX		0x20000ULL	/* the guest CPU's two prefix pages */
#define NPAGES		(GUEST_SIZE / GMAP_PAGE_SIZE)

static int failures;

static void expect(int ok, const char *what)
{
	if (!ok) {
		printf("  MISMATCH: %s\n", what);
		failures++;
	}
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "tiny-vm: %s failed: %d\n", what, rc);
	exit(1);
}

/* The notifier: remember each guest range that lost its armed state. */
static uint64_t notified_start, notified_end;
static int notified;

static void prefix_changed(struct gmap *gmap, uint64_t start, uint64_t end, void *priv)
{
	(void)gmap;
	(void)priv;
	notified_start = start;
	notified_end = end;
	notified++;
}

int main(void)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .strict = true);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);
	struct gmap_notifier nb = { .notifier_call = prefix_changed };
	static uint64_t bitmap[NPAGES / 64];
	const char hello[] = "hello, guest";
	uint64_t dirty[4], word = 0x0123456789abcdefULL;
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gmap *gmap;
	char back[sizeof(hello)];
	long n;
	int rc, ndirty = 0;

	/* The machine: one modelled CPU whose TLB answers from its cache. */
	if ((rc = gmap_arch_soft_create(&ao, &arch)))
		die("gmap_arch_soft_create", rc);
	/* The host process's address space, with PGSTEs as KVM needs. */
	mo.arch = arch;
	if ((rc = gmap_mm_create(&mo, &mm)))
		die("gmap_mm_create", rc);
	rc = gmap_mm_map(mm, HOST_BASE, GUEST_SIZE, 0, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE);
	if (rc)
		die("gmap_mm_map", rc);
	/* The guest's absolute storage 0 - 64 MB is that host memory. */
	if ((rc = gmap_create(mm, GUEST_SIZE - 1, &gmap)))
		die("gmap_create", rc);
	if ((rc = gmap_map_segment(gmap, HOST_BASE, 0, GUEST_SIZE)))
		die("gmap_map_segment", rc);
	/* CPU 0 runs the guest: the gmap's ASCE is loaded there. */
	if ((rc = gmap_enable(gmap, 0)))
		die("gmap_enable", rc);

	/* Guest memory faults in on first touch, like a KVM guest's. */
	printf("write \"%s\" at guest 0x12345 and a word at 0x3ffffc\n", hello);
	if ((rc = gmap_gacc_write_abs(gmap, 0, 0x12345, hello, sizeof(hello))))
		die("write", rc);
	if ((rc = gmap_gacc_write_abs(gmap, 0, 0x3ffffc, &word, sizeof(word))))
		die("write", rc);
	if ((rc = gmap_gacc_read_abs(gmap, 0, 0x12345, back, sizeof(back))))
		die("read", rc);
	printf("read back \"%s\"\n", back);
	expect(!memcmp(back, hello, sizeof(hello)), "the bytes read back");

	/* Migration: which pages did the guest write since the last look? */
	n = gmap_sync_dirty_log(gmap, 0, NPAGES, bitmap);
	if (n < 0)
		die("gmap_sync_dirty_log", (int)n);
	printf("dirty log: %ld pages:", n);
	for (uint64_t i = 0; i < NPAGES; i++) {
		if (!(bitmap[i / 64] & (1ULL << (i % 64))))
			continue;
		printf(" 0x%" PRIx64, (uint64_t)(i * GMAP_PAGE_SIZE));
		if (ndirty < 4)
			dirty[ndirty] = i * GMAP_PAGE_SIZE;
		ndirty++;
	}
	printf("\n");
	expect(n == 3 && ndirty == 3 && dirty[0] == 0x12000 && dirty[1] == 0x3ff000 &&
	       dirty[2] == 0x400000, "dirty pages 0x12000, 0x3ff000 and 0x400000");
	memset(bitmap, 0, sizeof(bitmap));
	n = gmap_sync_dirty_log(gmap, 0, NPAGES, bitmap);
	printf("dirty log again: %ld pages\n", n);
	expect(n == 0, "a second sync finds nothing");

	/* Watch the prefix pages: the notifier fires when the host takes
	 * one away, so the vCPU can be kicked to re-arm them. */
	if ((rc = gmap_notifier_register(gmap, &nb)))
		die("gmap_notifier_register", rc);
	if ((rc = gmap_mprotect_notify(gmap, PREFIX, 2 * GMAP_PAGE_SIZE,
				       GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)))
		die("gmap_mprotect_notify", rc);
	printf("armed the prefix pages 0x%" PRIx64 "-0x%" PRIx64 "\n", (uint64_t)PREFIX,
	       (uint64_t)(PREFIX + 2 * GMAP_PAGE_SIZE - 1));
	expect(notified == 0, "no notification while arming");
	if ((rc = gmap_mm_zap(mm, HOST_BASE + PREFIX + GMAP_PAGE_SIZE, GMAP_PAGE_SIZE)))
		die("gmap_mm_zap", rc);
	printf("host discarded the second prefix page: %d notification(s), last 0x%" PRIx64
	       "-0x%" PRIx64 "\n", notified, notified_start, notified_end);
	expect(notified == 1 && notified_start == PREFIX + GMAP_PAGE_SIZE &&
	       notified_end == PREFIX + 2 * GMAP_PAGE_SIZE - 1,
	       "one notification for the second prefix page");

	gmap_notifier_unregister(gmap, &nb);
	gmap_disable(gmap, 0);
	gmap_remove(gmap);
	gmap_mm_destroy(mm);
	gmap_arch_destroy(arch);
	printf(failures ? "FAILED\n" : "OK\n");
	return failures ? 1 : 0;
}
