/* SPDX-License-Identifier: MIT */
/*
 * The shadow suite's fixture, also used by the other shadow tests: a
 * strict soft backend with the counting, failing allocation hook; an mm
 * with PGSTEs holding guest 1's storage at SFX_HBASE; the parent gmap that
 * maps it at guest-1 absolute 0; a bump allocator and builders for guest
 * 1's own DAT tables (big-endian, written through the parent as guest 1
 * would write them); and sfx_check_shadow(), which compares every shadow
 * pte with a two-stage reference translation that does not use the
 * library's shadow code.
 */
#ifndef GMAP_TEST_SHADOW_H
#define GMAP_TEST_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include "test-groups.h"

#include <libgmap/libgmap.h>
#include <libgmap/shadow.h>

#include "alloc-hook.h"
#include "test-host.h"

#define PG		GMAP_PAGE_SIZE
#define SEG		GMAP_SEGMENT_SIZE
/* A guest-2 address from its RFX, RSX, RTX, SX and PX. */
#define SVA(rfx, rsx, rtx, sx, px)						\
	((uint64_t)(rfx) << GMAP_REGION1_SHIFT | (uint64_t)(rsx) << GMAP_REGION2_SHIFT |	\
	 (uint64_t)(rtx) << GMAP_REGION3_SHIFT | (uint64_t)(sx) << GMAP_SEGMENT_SHIFT |	\
	 (uint64_t)(px) << GMAP_PAGE_SHIFT)

/* Host address of guest-1 absolute 0 (1 GB aligned). */
#define SFX_HBASE	0x40000000ULL
/* Limit of the parent gmap: a region-third table on top. */
#define SFX_LIMIT	((1ULL << 32) - 1)
/* The CPU guest 1 runs on (the parent is enabled there). */
#define SFX_G1CPU	0
/* The CPU tests run shadows on (gmap_enable(sg, SFX_SCPU)). */
#define SFX_SCPU	1
/* Where the bump allocator starts: below it, guest-1 data pages. */
#define SFX_ALLOC_BASE	GMAP_SEGMENT_SIZE

/*
 * struct sfx - the fixture.
 * @hook: the allocation hook's counters (set @hook.fail_at to fail one)
 * @arch: the soft backend: strict TLB, test_host_up()'s CPUs
 * @mm: the host mm (PGSTEs), guest 1's storage mapped at SFX_HBASE
 * @parent: the gmap of guest 1 (set it to NULL after removing it)
 * @g1len: bytes of guest-1 storage: guest-1 absolute [0, @g1len)
 * @next: the bump allocator's cursor (guest-1 absolute)
 */
struct sfx {
	struct alloc_hook hook;
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gmap *parent;
	uint64_t g1len;
	uint64_t next;
};

/*
 * sfx_up() - build the fixture.
 * @fx: the fixture (its old contents are ignored)
 * @facilities: GMAP_FAC_* of the backend, 0 for all
 * @g1len: bytes of guest-1 storage, a non-zero multiple of 1 MB
 * @large: back guest 1 with 1 MB host segments (GMAP_MM_MAP_LARGE)
 *
 * The backend and mm as test_host_up() makes them, with the hook
 * wrapped for sfx_interpose(); anonymous read/write host memory at
 * SFX_HBASE, a parent gmap (limit SFX_LIMIT) mapping it at guest-1
 * absolute 0, enabled on SFX_G1CPU; @fx->next at SFX_ALLOC_BASE. Fails
 * the test on error.
 */
void sfx_up(struct sfx *fx, uint32_t facilities, uint64_t g1len, bool large);

/*
 * sfx_interpose() - call @fn(@arg) once, from the allocation hook, just
 * before the allocation that makes @hook.calls reach @at (then the
 * allocation proceeds, or fails as @hook says): a test puts a change
 * between the phases of an operation. @fn may call the library only where
 * that allocation is made with no lock held. One interposer at a time
 * (sfx_up() clears it).
 */
void sfx_interpose(unsigned long at, void (*fn)(void *arg), void *arg);

/*
 * sfx_down() - remove the parent (unless @fx->parent is NULL), the mm and
 * the backend, and assert that no allocation is left. The caller puts its
 * shadow references first.
 */
void sfx_down(struct sfx *fx);

/*
 * g1_alloc() - bump-allocate @size bytes of guest-1 storage aligned to
 * @align (a power of two); asserts that they fit. Returns the guest-1
 * absolute address. The storage is not cleared.
 */
uint64_t g1_alloc(struct sfx *fx, uint64_t size, uint64_t align);

/*
 * g1_write() - store the 8-byte big-endian @val at guest-1 absolute
 * @gaddr through the parent (gmap_gacc_write_abs() on SFX_G1CPU, which
 * faults the parent as a guest-1 store would, and so unshadows what was
 * built from that page); asserts rc 0.
 */
void g1_write(struct sfx *fx, uint64_t gaddr, uint64_t val);

/* g1_read() - the 8-byte big-endian value at guest-1 absolute @gaddr,
 * read through the parent on SFX_G1CPU, in host order. */
uint64_t g1_read(struct sfx *fx, uint64_t gaddr);

/*
 * g1_table() - allocate and initialise a guest-1 DAT table.
 * @tt: enum gmap_dat_tt: a region or segment table of that type, TL 3
 *	(16 KB, 4 KB aligned), every entry GMAP_CRSTE_I | @tt << 2; or
 *	GMAP_LEVEL_PAGE: a page table (2 KB, 2 KB aligned), every pte
 *	GMAP_PTE_I
 *
 * Build guest-1 tables before shadowing them: writing a new table into a
 * page a shadow was built from unshadows it.
 * Return: the table's guest-1 absolute address.
 */
uint64_t g1_table(struct sfx *fx, int tt);

/*
 * g1_entry() - the guest-1 address of the entry of @level (enum
 * gmap_dat_tt or GMAP_LEVEL_PAGE) for guest-2 @vaddr below @asce, the
 * missing tables above it created as g1_map() does.
 */
uint64_t g1_entry(struct sfx *fx, gmap_asce_t asce, uint64_t vaddr, int level);

/*
 * g1_map() - map one guest-2 page in guest 1's tables.
 * @asce: the guest-1 ASCE (not real space) whose tables are used
 * @vaddr: the guest-2 address
 * @frame: the guest-1 frame (4 KB aligned)
 * @pte_flags: pte bits ORed in (GMAP_PTE_P, _IEP, _I, or any other)
 *
 * Walks from @asce down, allocating the missing tables with g1_table()
 * and linking them with entries of TF 0, TL 3 and no flags; an existing
 * entry must designate a table. Writes the pte @frame | @pte_flags.
 * Return: the guest-1 address of the pte.
 */
uint64_t g1_map(struct sfx *fx, gmap_asce_t asce, uint64_t vaddr, uint64_t frame,
		uint64_t pte_flags);

/*
 * g1_map_large() - map an EDAT frame in guest 1's tables.
 * @level: GMAP_TT_SEGMENT (EDAT-1 1 MB frame) or GMAP_TT_REGION3 (EDAT-2
 *	2 GB frame)
 * @flags: frame-entry bits (gmap_crste_mk_frame()'s @flags)
 *
 * As g1_map(), ending in the frame entry gmap_crste_mk_frame(@frame,
 * @level, @flags). Return: the guest-1 address of the entry.
 */
uint64_t g1_map_large(struct sfx *fx, gmap_asce_t asce, uint64_t vaddr, uint64_t frame,
		      int level, uint64_t flags);

/*
 * g1_page() - allocate a 4 KB guest-1 data page and store its own address
 * in its first word through the parent, so that the parent's pte of it
 * is present, dirty and writable. Return: its guest-1 address.
 */
uint64_t g1_page(struct sfx *fx);

/*
 * sfx_shadow() - gmap_shadow_get() of the parent for (@asce,
 * @edat_level), asserting rc 0. The caller puts the reference.
 */
struct gmap *sfx_shadow(struct sfx *fx, gmap_asce_t asce, int edat_level);

/*
 * sfx_fault() - gmap_shadow_fault() of @sg for @saddr and @access,
 * asserting rc 0. Return: the result.
 */
struct gmap_dat_result sfx_fault(struct gmap *sg, uint64_t saddr, enum gmap_dat_access access);

/*
 * sfx_host_frame() - the host frame (real address, 4 KB aligned) that
 * backs guest-1 absolute @gaddr now, read from the mm's pte or large
 * segment entry without faulting; 0 when none is present.
 */
uint64_t sfx_host_frame(struct sfx *fx, uint64_t gaddr);

/*
 * sfx_g1_vsie() - whether the parent's host page of guest-1 absolute
 * @gaddr is protected for a shadow: the mm's pte P and its PGSTE
 * GMAP_PGSTE_VSIE, or, where the parent links a large host segment, the
 * parent's own segment entry P and GMAP_SEG_GMAP_VSIE.
 */
bool sfx_g1_vsie(struct sfx *fx, uint64_t gaddr);

/*
 * sfx_sentry() - the entry of the shadow's own tables at @level (enum
 * gmap_dat_tt or GMAP_LEVEL_PAGE) on the way to guest-2 @saddr, read by
 * the walker over the backend's table memory; 0 when the walk ends above
 * @level.
 */
uint64_t sfx_sentry(struct sfx *fx, struct gmap *sg, uint64_t saddr, int level);

/*
 * sfx_g1_facilities() - the GMAP_FAC_* bits guest 1's tables are walked
 * with for a shadow of @edat_level: EDAT-1 from level 1, EDAT-2 from
 * level 2, and the backend's IEP, ESOP-1 and ESOP-2.
 */
uint32_t sfx_g1_facilities(struct sfx *fx, int edat_level);

/*
 * sfx_g1_translate() - the reference: translate guest-2 @saddr through
 * guest 1's tables (@asce) with gmap_dat_translate_path(), reading the
 * entries from host memory through gmap_translate(parent) and the mm's
 * ptes, prefix 0, primary space. @path may be NULL.
 */
void sfx_g1_translate(struct sfx *fx, gmap_asce_t asce, int edat_level, uint64_t saddr,
		      enum gmap_dat_access access, struct gmap_dat_result *res,
		      struct gmap_dat_path *path);

/*
 * sfx_check_shadow() - assert that a shadow agrees with guest 1's tables.
 *
 * For every valid entry of the shadow's tables: no CS or FC bit; a region
 * entry carries its table type and the TF/TL of the guest-1 entry it was
 * built from (TF 0, TL 3 for a fake one) and that entry's P under EDAT-1,
 * a segment entry P exactly when the guest-1 path down to it is
 * protected; the guest-1 table it was built from lies in pages protected
 * in the parent (sfx_g1_vsie()), as does the top table. For every valid
 * shadow pte: the host frame of the reference translation, P exactly
 * when the guest-1 path is protected or the parent does not map the page
 * writable (a shadow pte is dropped when the parent's entry changes), IEP
 * as the guest-1 pte's with GMAP_FAC_IEP. Return: the number of
 * valid shadow ptes.
 */
unsigned long sfx_check_shadow(struct sfx *fx, struct gmap *sg);

/*
 * sfx_assert_no_pte() - assert that @sg has no valid pte for @saddr
 * (gmap_translate() fails with -EFAULT).
 */
void sfx_assert_no_pte(struct gmap *sg, uint64_t saddr);

/*
 * struct sfx_calls - a notifier that records its calls.
 * @nb: registered with sfx_calls_register()
 * @n: calls so far
 * @start: the first 8 calls' ranges: [@start[i], @end[i]]
 * @end: see @start
 */
struct sfx_calls {
	struct gmap_notifier nb;
	unsigned int n;
	uint64_t start[8];
	uint64_t end[8];
};

/* sfx_calls_register() - clear @c and register it with @gmap. Unregister
 * it before it goes out of scope while @gmap lives on: the drop of a
 * shadow (at the latest when its parent is removed) calls its notifiers. */
void sfx_calls_register(struct gmap *gmap, struct sfx_calls *c);

/*
 * sfx_run() - translate guest-2 @saddr for a fetch on SFX_SCPU, which
 * runs @sg (gmap_enable()); assert that it translates and that the TLB
 * holds it afterwards.
 */
void sfx_run(struct sfx *fx, struct gmap *sg, uint64_t saddr);

/* sfx_tlb_has() - whether SFX_SCPU's TLB holds @saddr for @sg's ASCE. */
bool sfx_tlb_has(struct sfx *fx, struct gmap *sg, uint64_t saddr);

extern const struct test_group shadow_build_group, shadow_pic_group, shadow_unshadow_group,
	shadow_large_group, shadow_api_group, shadow_nomem_group;

#endif /* GMAP_TEST_SHADOW_H */
