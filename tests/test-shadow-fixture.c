// SPDX-License-Identifier: MIT
/*
 * The shadow suite's fixture (see test-shadow.h): the host, guest 1's
 * table builders and the shadow checker.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "test-shadow.h"

#include "gmap/gmap_impl.h"

#define RW		(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)

/* The interposer of sfx_interpose(). */
static struct {
	unsigned long at;
	void (*fn)(void *arg);
	void *arg;
} interposer;

void sfx_interpose(unsigned long at, void (*fn)(void *arg), void *arg)
{
	interposer.at = at;
	interposer.arg = arg;
	interposer.fn = fn;
}

static void *sfx_alloc(void *priv, size_t size, size_t align)
{
	struct alloc_hook *h = priv;
	void (*fn)(void *arg) = interposer.fn;

	if (fn && __atomic_load_n(&h->calls, __ATOMIC_RELAXED) + 1 == interposer.at) {
		interposer.fn = NULL;
		fn(interposer.arg);
	}
	return alloc_hook_ops.alloc(priv, size, align);
}

static void sfx_free(void *priv, void *ptr, size_t size)
{
	alloc_hook_ops.free(priv, ptr, size);
}

static const struct gmap_alloc_ops sfx_alloc_ops = { .alloc = sfx_alloc, .free = sfx_free };

void sfx_up(struct sfx *fx, uint32_t facilities, uint64_t g1len, bool large)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .alloc = &sfx_alloc_ops,
					     .alloc_priv = &fx->hook, .ncpus = 2, .strict = true,
					     .facilities = facilities);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);

	memset(fx, 0, sizeof(*fx));
	interposer.fn = NULL;
	assert_true(g1len && !(g1len % GMAP_SEGMENT_SIZE));
	assert_int_equal(gmap_arch_soft_create(&ao, &fx->arch), 0);
	mo.arch = fx->arch;
	assert_int_equal(gmap_mm_create(&mo, &fx->mm), 0);
	assert_int_equal(gmap_mm_map(fx->mm, SFX_HBASE, g1len, 0,
				     RW | (large ? GMAP_MM_MAP_LARGE : 0)), 0);
	assert_int_equal(gmap_create(fx->mm, SFX_LIMIT, &fx->parent), 0);
	assert_int_equal(gmap_map_segment(fx->parent, SFX_HBASE, 0, g1len), 0);
	assert_int_equal(gmap_enable(fx->parent, SFX_G1CPU), 0);
	fx->g1len = g1len;
	fx->next = SFX_ALLOC_BASE;
}

void sfx_down(struct sfx *fx)
{
	if (fx->parent)
		gmap_remove(fx->parent);
	fx->parent = NULL;
	test_host_down(&fx->hook, fx->arch, fx->mm);
}

uint64_t g1_alloc(struct sfx *fx, uint64_t size, uint64_t align)
{
	uint64_t at = (fx->next + align - 1) & ~(align - 1);

	assert_true(at + size <= fx->g1len);
	fx->next = at + size;
	return at;
}

void g1_write(struct sfx *fx, uint64_t gaddr, uint64_t val)
{
	uint64_t be = htobe64(val);

	assert_int_equal(gmap_gacc_write_abs(fx->parent, SFX_G1CPU, gaddr, &be, 8), 0);
}

uint64_t g1_read(struct sfx *fx, uint64_t gaddr)
{
	uint64_t be;

	assert_int_equal(gmap_gacc_read_abs(fx->parent, SFX_G1CPU, gaddr, &be, 8), 0);
	return be64toh(be);
}

uint64_t g1_table(struct sfx *fx, int tt)
{
	static uint64_t buf[GMAP_CRST_MAX_ENTRIES];
	bool pgt = tt == GMAP_LEVEL_PAGE;
	size_t n = pgt ? GMAP_PT_ENTRIES : GMAP_CRST_MAX_ENTRIES;
	uint64_t val = pgt ? GMAP_PTE_I : GMAP_CRSTE_I | (uint64_t)tt << GMAP_CRSTE_TT_SHIFT;
	uint64_t at = g1_alloc(fx, n * 8, pgt ? GMAP_PT_SIZE : GMAP_CRST_PART_SIZE);

	for (size_t i = 0; i < n; i++)
		buf[i] = htobe64(val);
	assert_int_equal(gmap_gacc_write_abs(fx->parent, SFX_G1CPU, at, buf, n * 8), 0);
	return at;
}

uint64_t g1_page(struct sfx *fx)
{
	uint64_t at = g1_alloc(fx, PG, PG);

	g1_write(fx, at, at);
	return at;
}

struct gmap *sfx_shadow(struct sfx *fx, gmap_asce_t asce, int edat_level)
{
	struct gmap *sg = NULL;

	assert_int_equal(gmap_shadow_get(fx->parent, asce, edat_level, &sg), 0);
	assert_non_null(sg);
	return sg;
}

struct gmap_dat_result sfx_fault(struct gmap *sg, uint64_t saddr, enum gmap_dat_access access)
{
	struct gmap_dat_result res;

	memset(&res, 0xa5, sizeof(res));
	assert_int_equal(gmap_shadow_fault(sg, saddr, access, &res), 0);
	return res;
}

uint64_t g1_entry(struct sfx *fx, gmap_asce_t asce, uint64_t vaddr, int level)
{
	uint64_t table = asce.val & GMAP_ASCE_ORIGIN;
	int tt = (int)((asce.val & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT);

	assert_false(asce.val & GMAP_ASCE_R);
	for (; tt > level; tt--) {
		uint64_t ea = table + ((vaddr >> (GMAP_SEGMENT_SHIFT + 11 * tt)) & 0x7ff) * 8;
		uint64_t e = g1_read(fx, ea);

		if (e & GMAP_CRSTE_I) {
			table = g1_table(fx, tt ? tt - 1 : GMAP_LEVEL_PAGE);
			g1_write(fx, ea, gmap_crste_mk_table(table, tt, 0, 3, 0).val);
			continue;
		}
		assert_false(e & GMAP_CRSTE_FC);
		table = e & (tt ? GMAP_CRSTE_ORIGIN : GMAP_SEGMENT_PTO);
	}
	if (level == GMAP_LEVEL_PAGE)
		return table + GMAP_VA_PX(vaddr) * 8;
	return table + ((vaddr >> (GMAP_SEGMENT_SHIFT + 11 * level)) & 0x7ff) * 8;
}

uint64_t g1_map(struct sfx *fx, gmap_asce_t asce, uint64_t vaddr, uint64_t frame,
		uint64_t pte_flags)
{
	uint64_t ea = g1_entry(fx, asce, vaddr, GMAP_LEVEL_PAGE);

	g1_write(fx, ea, (frame & GMAP_PTE_PFRA) | pte_flags);
	return ea;
}

uint64_t g1_map_large(struct sfx *fx, gmap_asce_t asce, uint64_t vaddr, uint64_t frame,
		      int level, uint64_t flags)
{
	uint64_t ea;

	assert_true(level == GMAP_TT_SEGMENT || level == GMAP_TT_REGION3);
	ea = g1_entry(fx, asce, vaddr, level);
	g1_write(fx, ea, gmap_crste_mk_frame(frame, level, flags).val);
	return ea;
}

/* The mm's pte of the host page behind guest-1 @gaddr and its PGSTE (0
 * when the page is in a large segment or has no page table), and the
 * parent's large segment entry of @gaddr (0 when it is not large). */
static void g1_entries(struct sfx *fx, uint64_t gaddr, uint64_t *pte, uint64_t *pgste,
		       uint64_t *seg)
{
	gmap_crste_t *segp = gmap_table_walk(fx->parent, gaddr, GMAP_TT_SEGMENT);
	uint64_t haddr;
	gmap_pte_t p;
	gmap_pgste_t s;

	*pte = *pgste = *seg = 0;
	assert_int_equal(gmap_translate(fx->parent, gaddr, &haddr), 0);
	if (!gmap_mm_read_pte(fx->mm, haddr, &p, &s)) {
		*pte = p.val;
		*pgste = s.val;
	}
	if (segp && (segp->val & GMAP_CRSTE_FC))
		*seg = segp->val;
}

uint64_t sfx_host_frame(struct sfx *fx, uint64_t gaddr)
{
	uint64_t haddr;
	gmap_crste_t ste;
	gmap_pte_t pte;

	assert_int_equal(gmap_translate(fx->parent, gaddr, &haddr), 0);
	if (!gmap_mm_read_pte(fx->mm, haddr, &pte, NULL))
		return pte.val & GMAP_MM_PTE_PRESENT ? pte.val & GMAP_PTE_PFRA : 0;
	if (!gmap_mm_read_segment(fx->mm, haddr, &ste) && (ste.val & GMAP_CRSTE_FC))
		return (ste.val & GMAP_SEGMENT_SFAA) | (haddr & (GMAP_SEGMENT_SIZE - PG));
	return 0;
}

bool sfx_g1_vsie(struct sfx *fx, uint64_t gaddr)
{
	uint64_t pte, pgste, seg;

	g1_entries(fx, gaddr, &pte, &pgste, &seg);
	if (seg)
		return (seg & GMAP_CRSTE_P) && (seg & GMAP_SEG_GMAP_VSIE);
	return (pte & GMAP_PTE_P) && (pgste & GMAP_PGSTE_VSIE);
}

/* Whether the parent maps guest-1 @gaddr valid and writable. */
static bool g1_host_writable(struct sfx *fx, uint64_t gaddr)
{
	uint64_t pte, pgste, seg;

	g1_entries(fx, gaddr, &pte, &pgste, &seg);
	if (seg)
		return !(seg & (GMAP_CRSTE_P | GMAP_CRSTE_I));
	return (pte & GMAP_MM_PTE_PRESENT) && !(pte & (GMAP_PTE_P | GMAP_PTE_I));
}

uint64_t sfx_sentry(struct sfx *fx, struct gmap *sg, uint64_t saddr, int level)
{
	struct gmap_dat_request req = { .access = GMAP_DAT_FETCH,
					.facilities = GMAP_FAC_EDAT1 | GMAP_FAC_EDAT2 };
	struct gmap_dat_result res;
	struct gmap_dat_path path;
	struct gmap_dat_mem mem;

	gmap_arch_table_mem(fx->arch, &mem);
	assert_int_equal(gmap_dat_translate_path(&mem, gmap_asce(sg), saddr, &req, &res,
						 &path), 0);
	for (unsigned int i = 0; i < path.n; i++)
		if (path.e[i].level == level)
			return path.e[i].val;
	return 0;
}

uint32_t sfx_g1_facilities(struct sfx *fx, int edat_level)
{
	uint32_t fac = gmap_arch_facilities(fx->arch) &
		       (GMAP_FAC_IEP | GMAP_FAC_ESOP1 | GMAP_FAC_ESOP2);

	if (edat_level >= 1)
		fac |= GMAP_FAC_EDAT1;
	if (edat_level >= 2)
		fac |= GMAP_FAC_EDAT2;
	return fac;
}

/* Read guest-1 storage from the host frames, without faulting. */
static int g1_mem_read(void *priv, uint64_t addr, uint64_t *val)
{
	struct sfx *fx = priv;
	uint64_t frame, be;

	if (addr >= fx->g1len)
		return -1;
	frame = sfx_host_frame(fx, addr);
	if (!frame) {
		*val = 0;
		return 0;
	}
	memcpy(&be, (const char *)gmap_arch_real_to_virt(fx->arch, frame) + (addr & (PG - 1)), 8);
	*val = be64toh(be);
	return 0;
}

void sfx_g1_translate(struct sfx *fx, gmap_asce_t asce, int edat_level, uint64_t saddr,
		      enum gmap_dat_access access, struct gmap_dat_result *res,
		      struct gmap_dat_path *path)
{
	struct gmap_dat_mem mem = { .kind = GMAP_DAT_MEM_FN, .read = g1_mem_read, .priv = fx };
	struct gmap_dat_request req = { .access = (uint8_t)access, .as = GMAP_AS_PRIMARY,
					.facilities = sfx_g1_facilities(fx, edat_level) };
	struct gmap_dat_path p;

	assert_int_equal(gmap_dat_translate_path(&mem, asce, saddr, &req, res, path ? path : &p), 0);
}

struct check {
	struct sfx *fx;
	gmap_asce_t asce;
	int edat;
	uint32_t fac;
	unsigned long ptes;
};

/* Guest-1 DAT protection on @path at @level and above. */
static bool g1_prot(const struct gmap_dat_path *path, int level, int edat)
{
	for (unsigned int i = 0; i < path->n; i++) {
		int l = path->e[i].level;

		if (l < level || !(path->e[i].val & GMAP_CRSTE_P))
			continue;
		if (l <= GMAP_TT_SEGMENT || edat >= 1)
			return true;
	}
	return false;
}

/* The guest-1 entry of @path at @level, or NULL. */
static const uint64_t *g1_path_entry(const struct gmap_dat_path *path, int level)
{
	for (unsigned int i = 0; i < path->n; i++)
		if (path->e[i].level == level)
			return &path->e[i].val;
	return NULL;
}

static void assert_pages_vsie(struct sfx *fx, uint64_t from, uint64_t to)
{
	for (uint64_t a = from; a < to && a < fx->g1len; a += PG)
		assert_true(sfx_g1_vsie(fx, a));
}

static int check_crste(gmap_crste_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	struct check *c = w->priv;
	struct gmap_dat_result res;
	struct gmap_dat_path path;
	const uint64_t *g;
	int tt = w->level;
	bool frame, prot;

	(void)next;
	if (e.val & GMAP_CRSTE_I)
		return 0;
	assert_int_equal(e.val & (GMAP_CRSTE_CS | GMAP_CRSTE_FC), 0);
	assert_int_equal((e.val & GMAP_CRSTE_TT_MASK) >> GMAP_CRSTE_TT_SHIFT, tt);
	sfx_g1_translate(c->fx, c->asce, c->edat, start, GMAP_DAT_FETCH, &res, &path);
	g = g1_path_entry(&path, tt);
	frame = g && (*g & GMAP_CRSTE_FC) &&
		((tt == GMAP_TT_SEGMENT && c->edat >= 1) || (tt == GMAP_TT_REGION3 && c->edat >= 2));
	prot = g1_prot(&path, tt, c->edat);
	if (tt == GMAP_TT_SEGMENT) {
		assert_int_equal(e.val & ~GMAP_SEGMENT_PTO, prot ? GMAP_CRSTE_P : 0);
		if (g && !frame)
			assert_pages_vsie(c->fx, *g & GMAP_SEGMENT_PTO & ~(PG - 1),
					  (*g & GMAP_SEGMENT_PTO & ~(PG - 1)) + PG);
		return 0;
	}
	if (g && !frame) {
		uint64_t origin = *g & GMAP_CRSTE_ORIGIN;
		uint64_t tf = (*g & GMAP_CRSTE_TF_MASK) >> GMAP_CRSTE_TF_SHIFT;

		assert_int_equal(e.val & ~GMAP_CRSTE_ORIGIN,
				 ((uint64_t)tt << GMAP_CRSTE_TT_SHIFT) |
				 (*g & (GMAP_CRSTE_TF_MASK | GMAP_CRSTE_TL_MASK)) |
				 (c->edat >= 1 ? *g & GMAP_CRSTE_P : 0));
		assert_pages_vsie(c->fx, origin + tf * PG,
				  origin + ((*g & GMAP_CRSTE_TL_MASK) + 1) * PG);
		return 0;
	}
	/* A fake table: real space or below an EDAT-2 frame. */
	assert_int_equal(e.val & ~GMAP_CRSTE_ORIGIN,
			 ((uint64_t)tt << GMAP_CRSTE_TT_SHIFT) | 3 | (prot ? GMAP_CRSTE_P : 0));
	return 0;
}

static int check_pte(gmap_pte_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	struct check *c = w->priv;
	struct gmap_dat_result res;
	uint64_t frame;

	(void)next;
	if (e.val & GMAP_PTE_I)
		return 0;
	c->ptes++;
	assert_int_equal(e.val & ~(GMAP_PTE_PFRA | GMAP_PTE_P | GMAP_PTE_IEP), 0);
	sfx_g1_translate(c->fx, c->asce, c->edat, start, GMAP_DAT_FETCH, &res, NULL);
	assert_int_equal(res.pic, 0);
	frame = sfx_host_frame(c->fx, res.addr & ~(PG - 1));
	assert_true(frame);
	assert_int_equal(e.val & GMAP_PTE_PFRA, frame);
	assert_int_equal(!!(e.val & GMAP_PTE_P), res.prot || !g1_host_writable(c->fx, res.addr));
	if (res.frame_shift == GMAP_PAGE_SHIFT || !(c->fac & GMAP_FAC_IEP))
		assert_int_equal(!!(e.val & GMAP_PTE_IEP), res.iep);
	return 0;
}

unsigned long sfx_check_shadow(struct sfx *fx, struct gmap *sg)
{
	const struct gmap_dat_walk_ops ops = {
		.pte_entry = check_pte,
		.crste_entry = { check_crste, check_crste, check_crste, check_crste },
	};
	struct check c = { .fx = fx, .asce = sg->orig_asce, .edat = sg->edat_level };
	struct gmap_dat_mem mem;

	c.fac = sfx_g1_facilities(fx, c.edat);
	assert_true(gmap_is_shadow(sg));
	assert_true(gmap_shadow_valid(sg, c.asce, c.edat));
	if (!(c.asce.val & GMAP_ASCE_R))
		assert_pages_vsie(fx, c.asce.val & GMAP_ASCE_ORIGIN,
				  (c.asce.val & GMAP_ASCE_ORIGIN) +
				  ((c.asce.val & GMAP_ASCE_TL_MASK) + 1) * PG);
	gmap_arch_table_mem(fx->arch, &mem);
	assert_int_equal(gmap_dat_walk_range(&mem, gmap_asce(sg), 0, ~0ULL,
					     GMAP_FAC_EDAT1 | GMAP_FAC_EDAT2, &ops, &c), 0);
	return c.ptes;
}

void sfx_assert_no_pte(struct gmap *sg, uint64_t saddr)
{
	uint64_t haddr;

	assert_int_equal(gmap_translate(sg, saddr, &haddr), -EFAULT);
}

static void calls_record(struct gmap *gmap, uint64_t start, uint64_t end, void *priv)
{
	struct sfx_calls *c = priv;

	(void)gmap;
	if (c->n < 8) {
		c->start[c->n] = start;
		c->end[c->n] = end;
	}
	c->n++;
}

void sfx_calls_register(struct gmap *gmap, struct sfx_calls *c)
{
	memset(c, 0, sizeof(*c));
	c->nb.notifier_call = calls_record;
	c->nb.priv = c;
	assert_int_equal(gmap_notifier_register(gmap, &c->nb), 0);
}

bool sfx_tlb_has(struct sfx *fx, struct gmap *sg, uint64_t saddr)
{
	struct gmap_dat_result res;
	int rc = gmap_arch_tlb_lookup(fx->arch, SFX_SCPU, gmap_asce(sg), saddr, &res);

	assert_true(rc == 0 || rc == 1);
	return rc == 1;
}

void sfx_run(struct sfx *fx, struct gmap *sg, uint64_t saddr)
{
	struct gmap_dat_result res;

	assert_int_equal(gmap_arch_translate(fx->arch, SFX_SCPU, saddr, GMAP_DAT_FETCH, 0, &res), 0);
	assert_int_equal(res.pic, 0);
	assert_true(sfx_tlb_has(fx, sg, saddr));
}
