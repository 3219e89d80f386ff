// SPDX-License-Identifier: MIT
/*
 * Guest memory access through a gmap: absolute storage through a modelled
 * CPU's TLB, faulting pages in with gmap_fault(); virtual storage through
 * the guest's own big-endian DAT tables, with the protections of PoP
 * chapter 3 ("Protection"). Mirrors arch/s390/kvm/gaccess.c:
 * access_guest_abs_with_key(), guest_translate_address(),
 * access_guest_with_key(), low_address_protection_enabled(),
 * vcpu_check_access_key() and trans_exc().
 */
#include <errno.h>
#include <string.h>

#include <libgmap/gaccess.h>

#include "arch/arch_impl.h"
#include "dat/dat_impl.h"
#include "gmap_impl.h"

/* Faults one page may take before the access gives up: each fault makes
 * the page accessible, so more are needed only while another thread keeps
 * invalidating it. */
#define GACC_FAULTS	8

/* Fetch-protection override covers effective addresses 0-2047. */
#define GACC_FPO_END	2048

/* Whether backend CPU @cpu runs @gmap (its ASCE is loaded there), which
 * is not a shadow; read from the backend's instance, as this is on every
 * access. */
static inline bool gacc_cpu_ok(const struct gmap *gmap, unsigned int cpu)
{
	return cpu < gmap->arch->ncpus && gmap->arch->cpu_asce[cpu].val == gmap->asce.val &&
	       !gmap_shadow(gmap);
}

/* The CPU's purge count now (acquire: a purge that returned before is
 * seen); 0 without an access cache. */
static inline unsigned long gacc_gen(const struct gacc_tlb *t)
{
	return t->gen ? __atomic_load_n(t->gen, __ATOMIC_ACQUIRE) : 0;
}

/* The CPU's purge count in any mode, before a store's translation. */
static inline unsigned long gacc_purges(const struct gacc_tlb *t)
{
	return t->purges ? __atomic_load_n(t->purges, __ATOMIC_ACQUIRE) : 0;
}

/*
 * Whether a store may have raced with a purge of its translation: the
 * machine's IPTE / IDTE wait for it, the soft backend's do not, so the
 * store is redone through a fresh translation, which faults on a
 * protection set meanwhile (and so reaches that protection's notifier).
 * The fence pairs with the one of a reader that protected the page
 * (gmap_shadow_fault()): either the reader sees the store or the store
 * sees the purge.
 */
static inline bool gacc_store_raced(const struct gacc_tlb *t, enum gmap_dat_access access,
				    unsigned long purges)
{
	if (access != GMAP_DAT_STORE || !t->purges)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(t->purges, __ATOMIC_RELAXED) != purges;
}

/* The access-cache entry of @gaddr's page. */
static inline struct gacc_tlbe *gacc_tlbe_of(struct gacc_tlb *t, uint64_t gaddr)
{
	return &t->e[(gaddr >> GMAP_PAGE_SHIFT) & (GACC_TLB_ENTRIES - 1)];
}

/* Remember the translation of @gaddr's page, made while the purge count
 * was @gen; a store translation allows fetches too, a fetch translation
 * allows stores when DAT found no protection on the path. */
static inline void gacc_tlb_fill(struct gacc_tlb *t, uint64_t gaddr, unsigned long gen,
				 const struct gmap_dat_result *res, unsigned char *host)
{
	struct gacc_tlbe *e = gacc_tlbe_of(t, gaddr);

	if (!t->gen)
		return;
	e->tag = (gaddr & ~(GMAP_PAGE_SIZE - 1)) | GACC_TAG_FETCH |
		 (res->prot ? 0 : GACC_TAG_STORE);
	e->host = host - (gaddr & (GMAP_PAGE_SIZE - 1));
	e->gen = gen;
}

/*
 * The host address of guest absolute @gaddr from the CPU's access cache,
 * or NULL: a translation made for the access while the CPU's purge count
 * had its present value. No purge reached the CPU's TLB since, so the TLB
 * may still hold it, and using it is what the CPU may do.
 */
static inline unsigned char *gacc_cached(struct gmap *gmap, unsigned int cpu, uint64_t gaddr,
					 enum gmap_dat_access access)
{
	struct gacc_tlb *t = &gmap->gacc[cpu];
	const struct gacc_tlbe *e = gacc_tlbe_of(t, gaddr);
	uint64_t need = access == GMAP_DAT_STORE ? GACC_TAG_STORE : GACC_TAG_FETCH;

	if (!t->gen || ((e->tag ^ gaddr) & ~(GMAP_PAGE_SIZE - 1)) || !(e->tag & need) ||
	    e->gen != gacc_gen(t))
		return NULL;
	return e->host + (gaddr & (GMAP_PAGE_SIZE - 1));
}

/*
 * The host address of guest absolute @gaddr for @access: from the access
 * cache, else a translation through @cpu's TLB with the gmap's ASCE,
 * where a translation or protection exception of the gmap's tables is
 * resolved with gmap_fault() and the translation retried; the result goes
 * into the access cache. (The gmap's tables carry no IEP, so an
 * instruction fetch translates as a fetch.)
 */
static int gacc_host(struct gmap *gmap, unsigned int cpu, uint64_t gaddr,
		     enum gmap_dat_access access, unsigned char **host)
{
	struct gacc_tlb *t = &gmap->gacc[cpu];
	struct gmap_dat_result res;
	unsigned int faults = 0;
	unsigned long gen;
	int rc;

	*host = gacc_cached(gmap, cpu, gaddr, access);
	if (*host)
		return 0;
	for (;;) {
		gen = gacc_gen(t);
		rc = gmap_arch_translate(gmap->arch, cpu, gaddr, access, 0, &res);
		if (rc)
			return rc;
		if (res.pic == GMAP_PIC_NONE) {
			*host = gmap_arch_real_to_virt(gmap->arch, res.addr);
			gacc_tlb_fill(t, gaddr, gen, &res, *host);
			return 0;
		}
		if (faults++ == GACC_FAULTS)
			return -EAGAIN;
		rc = gmap_fault(gmap, gaddr, access);
		if (rc)
			return rc;
	}
}

/* Copy @len bytes (within one page) between @data and the host bytes. */
static inline void gacc_copy(unsigned char *host, void *data, size_t len,
			     enum gmap_dat_access access)
{
	unsigned char *dst = access == GMAP_DAT_STORE ? host : data;
	const unsigned char *src = access == GMAP_DAT_STORE ? data : host;
	uint64_t v;

	/* An aligned doubleword is accessed block-concurrently (PoP
	 * "Block-Concurrent References"): one atomic access, as another CPU
	 * (a shadow fault reading a guest DAT table) may read it meanwhile. */
	if (len == 8 && !((uintptr_t)host & 7)) {
		if (access == GMAP_DAT_STORE) {
			memcpy(&v, data, 8);
			__atomic_store_n((uint64_t *)(void *)host, v, __ATOMIC_RELAXED);
		} else {
			v = __atomic_load_n((const uint64_t *)(const void *)host, __ATOMIC_RELAXED);
			memcpy(data, &v, 8);
		}
		return;
	}
	/* The other common operand size, copied without a call. */
	if (len == 4)
		memcpy(dst, src, 4);
	else
		memcpy(dst, src, len);
}

/* Bytes from @addr to the end of its page, at most @len. */
static inline size_t gacc_frag(uint64_t addr, size_t len)
{
	uint64_t left = GMAP_PAGE_SIZE - (addr & (GMAP_PAGE_SIZE - 1));

	return len < left ? len : (size_t)left;
}

/*
 * Key-controlled protection (PoP 3.4.1.1, "Key-Controlled Protection"):
 * whether an access with key @key may reach storage whose key has
 * access-control bits @acc and fetch-protection bit @fp. Key 0 and a
 * matching key pass; a fetch passes when the storage is not fetch
 * protected or fetch-protection override applies (@fpo); storage-
 * protection override (@spo) lets any key reach storage with ACC 9.
 */
static bool gacc_key_allows(uint8_t key, uint8_t acc, bool fp, enum gmap_dat_access access,
			    bool fpo, bool spo)
{
	if (key == 0 || key == acc)
		return true;
	if (access != GMAP_DAT_STORE && (!fp || fpo))
		return true;
	return spo && acc == GMAP_GACC_SPO_ACC;
}

/* The guest storage key of the page at guest absolute @gaddr, which the
 * caller found mapped. */
static int gacc_storage_key(struct gmap *gmap, uint64_t gaddr, uint8_t *acc, bool *fp)
{
	uint64_t haddr;
	uint8_t skey;
	int rc;

	rc = gmap_translate(gmap, gaddr, &haddr);
	if (!rc)
		rc = gmap_pgste_get_key(gmap->mm, haddr, &skey);
	if (rc)
		return rc;
	*acc = (skey & GMAP_SKEY_ACC_MASK) >> 4;
	*fp = skey & GMAP_SKEY_F;
	return 0;
}

/*
 * The TEID of an exception at @addr that the walker does not report:
 * the page address, the address-space identifier and, with ESOP-2, the
 * fetch/store indication (dat_teid() without the DAT-protection bits),
 * plus @esop1_bits (GMAP_TEID_B56 for low-address protection, _B60 for
 * key-controlled protection) when ESOP-1 is on.
 */
static uint64_t gacc_teid(uint64_t addr, enum gmap_dat_access access, uint8_t as,
			  uint32_t facilities, uint64_t esop1_bits)
{
	struct gmap_dat_request req = {
		.access = (uint8_t)access,
		.as = as,
		.facilities = facilities,
	};
	uint64_t teid = dat_teid(addr, &req, GMAP_PIC_NONE, false);

	return (facilities & GMAP_FAC_ESOP1) ? teid | esop1_bits : teid;
}

/*
 * One page's part of an absolute access: gacc_host(), key-controlled
 * protection when @key is not 0, the copy; a store that raced with a
 * purge is redone (gacc_store_raced()). Return: 0; a PIC (with *@teid);
 * gacc_host()'s errors.
 */
static int gacc_page_copy(struct gmap *gmap, unsigned int cpu, uint64_t gaddr,
			  unsigned char *buf, size_t n, enum gmap_dat_access access, uint8_t key,
			  uint64_t *teid)
{
	unsigned char *host;
	unsigned long purges;
	uint8_t acc;
	bool fp;
	int rc;

	do {
		purges = gacc_purges(&gmap->gacc[cpu]);
		rc = gacc_host(gmap, cpu, gaddr, access, &host);
		if (rc)
			return rc;
		if (key) {
			rc = gacc_storage_key(gmap, gaddr, &acc, &fp);
			if (rc)
				return rc;
			if (!gacc_key_allows(key, acc, fp, access, false, false)) {
				if (teid)
					*teid = gacc_teid(gaddr, access, GMAP_AS_PRIMARY,
							  gmap_arch_facilities(gmap->arch),
							  GMAP_TEID_B60);
				return GMAP_PIC_PROTECTION;
			}
		}
		gacc_copy(host, buf, n, access);
	} while (gacc_store_raced(&gmap->gacc[cpu], access, purges));
	return 0;
}

/* gmap_gacc_abs() past the fast path: page by page, faulting, with keys.
 * Out of line, so the fast path saves no registers for it. */
static __attribute__((noinline)) int gacc_abs_pages(struct gmap *gmap, unsigned int cpu, uint64_t gaddr,
			  unsigned char *buf, size_t len, enum gmap_dat_access access,
			  uint8_t key, uint64_t *teid)
{
	size_t n;
	int rc;

	for (; len; len -= n, buf += n, gaddr += n) {
		n = gacc_frag(gaddr, len);
		rc = gacc_page_copy(gmap, cpu, gaddr, buf, n, access, key, teid);
		if (rc)
			return rc;
	}
	return 0;
}

int gmap_gacc_abs(struct gmap *gmap, unsigned int cpu, uint64_t gaddr, void *data, size_t len,
		  enum gmap_dat_access access, uint8_t key, uint64_t *teid)
{
	unsigned char *host;
	unsigned long purges;

	if (!gmap || (!data && len) || (unsigned int)access > GMAP_DAT_IFETCH || key > 15 ||
	    !gacc_cpu_ok(gmap, cpu))
		return -EINVAL;
	/* The fast path: key 0, within one page, a cached translation. A
	 * store that raced with a purge is redone by the slow path. */
	if (!key && len && len == gacc_frag(gaddr, len)) {
		purges = gacc_purges(&gmap->gacc[cpu]);
		host = gacc_cached(gmap, cpu, gaddr, access);
		if (host) {
			gacc_copy(host, data, len, access);
			if (!gacc_store_raced(&gmap->gacc[cpu], access, purges))
				return 0;
		}
	}
	return gacc_abs_pages(gmap, cpu, gaddr, data, len, access, key, teid);
}

/*
 * struct gacc_walk - the table reader's state for one guest DAT walk.
 * @gmap: the gmap the guest's tables are read through
 * @cpu: the backend CPU whose TLB translates
 * @err: a host error that ended the walk (the walker saw an addressing
 *	exception there, which the caller must not report)
 */
struct gacc_walk {
	struct gmap *gmap;
	unsigned int cpu;
	int err;
};

/* GMAP_DAT_MEM_FN reader: the big-endian entry at guest absolute @addr.
 * An address outside the gmap is outside the configuration (addressing
 * exception); DAT table fetches are not subject to key protection. */
static int gacc_read_entry(void *priv, uint64_t addr, uint64_t *val)
{
	struct gacc_walk *w = priv;
	unsigned char *host;
	uint64_t haddr, be;
	int rc;

	if (gmap_translate(w->gmap, addr, &haddr))
		return -1;
	rc = gacc_host(w->gmap, w->cpu, addr, GMAP_DAT_FETCH, &host);
	if (rc) {
		w->err = rc;
		return -1;
	}
	memcpy(&be, host, sizeof(be));
	*val = dat_be64(be);
	return 0;
}

/*
 * struct gacc_page - one translated page of a virtual access.
 * @gaddr: guest absolute address of the access's first byte in the page
 * @accf: the guest's EDAT frame entry supplied @acc and @fp (AV=1)
 * @acc: access-control bits to check the key against (valid with @accf)
 * @fp: fetch-protection bit (valid with @accf)
 */
struct gacc_page {
	uint64_t gaddr;
	bool accf;
	uint8_t acc;
	bool fp;
};

/* Whether DAT is on with a private-space ASCE: then neither low-address
 * protection nor fetch-protection override applies. */
static bool gacc_private(const struct gmap_gacc_cpu *vcpu)
{
	return (vcpu->flags & GMAP_GACC_DAT) && (vcpu->asce.val & GMAP_ASCE_P);
}

/* Stores to effective addresses 0-511 and 4096-4607. */
static bool gacc_low_address(uint64_t gva)
{
	return (gva & ~0x11ffULL) == 0;
}

/*
 * Translate @gva for @access without the key check: low-address
 * protection, DAT (or prefixing with DAT off), addressing. Returns 0 with
 * @page filled, a PIC with *@teid set, or a negative errno.
 */
static int gacc_translate_page(struct gmap *gmap, const struct gmap_gacc_cpu *vcpu,
			       uint64_t gva, enum gmap_dat_access access,
			       struct gacc_page *page, uint64_t *teid)
{
	struct gacc_walk w = { .gmap = gmap, .cpu = vcpu->cpu };
	struct gmap_dat_mem mem = {
		.kind = GMAP_DAT_MEM_FN,
		.read = gacc_read_entry,
		.priv = &w,
	};
	struct gmap_dat_request req = {
		.access = (uint8_t)access,
		.as = vcpu->as,
		.facilities = vcpu->facilities,
		.prefix = vcpu->prefix,
	};
	struct gmap_dat_result res;
	uint64_t haddr;

	*teid = 0;
	if (access == GMAP_DAT_STORE && (vcpu->flags & GMAP_GACC_LAP) && !gacc_private(vcpu) &&
	    gacc_low_address(gva)) {
		*teid = gacc_teid(gva, access, vcpu->as, vcpu->facilities, GMAP_TEID_B56);
		return GMAP_PIC_PROTECTION;
	}
	page->accf = false;
	page->acc = 0;
	page->fp = false;
	if (vcpu->flags & GMAP_GACC_DAT) {
		gmap_dat_translate(&mem, vcpu->asce, gva, &req, &res);
		if (w.err)
			return w.err;
		if (res.pic != GMAP_PIC_NONE) {
			/* 0 where the exception has no TEID. */
			*teid = res.teid;
			return res.pic;
		}
		page->gaddr = res.addr;
		page->accf = res.accf;
		page->acc = res.acc;
		page->fp = res.fp;
	} else {
		page->gaddr = gmap_dat_real_to_abs(vcpu->prefix, gva);
	}
	if (gmap_translate(gmap, page->gaddr, &haddr))
		return GMAP_PIC_ADDRESSING;
	return 0;
}

/*
 * Key-controlled protection of @len bytes at @gva (in @page) for @access
 * with the guest CPU's key: against the frame entry's ACC/F when it has
 * them, else the page's storage key. Returns 0, GMAP_PIC_PROTECTION or a
 * negative errno.
 */
static int gacc_check_key(struct gmap *gmap, const struct gmap_gacc_cpu *vcpu, uint64_t gva,
			  size_t len, const struct gacc_page *page, enum gmap_dat_access access)
{
	bool fpo, fp = page->fp;
	uint8_t acc = page->acc;
	int rc;

	if (vcpu->key == 0)
		return 0;
	if (!page->accf) {
		rc = gacc_storage_key(gmap, page->gaddr, &acc, &fp);
		if (rc)
			return rc;
	}
	fpo = (vcpu->flags & GMAP_GACC_FPO) && !gacc_private(vcpu) && gva < GACC_FPO_END &&
	      len <= GACC_FPO_END - gva;
	if (gacc_key_allows(vcpu->key, acc, fp, access, fpo, vcpu->flags & GMAP_GACC_SPO))
		return 0;
	return GMAP_PIC_PROTECTION;
}

static bool gacc_vcpu_ok(const struct gmap *gmap, const struct gmap_gacc_cpu *vcpu,
			 enum gmap_dat_access access)
{
	return gmap && vcpu && (unsigned int)access <= GMAP_DAT_IFETCH &&
	       !(vcpu->flags & ~GMAP_GACC_FLAGS) && vcpu->key <= 15 && vcpu->as <= GMAP_AS_HOME &&
	       gacc_cpu_ok(gmap, vcpu->cpu);
}

int gmap_gacc_translate(struct gmap *gmap, const struct gmap_gacc_cpu *vcpu, uint64_t gva,
			enum gmap_dat_access access, uint64_t *gaddr, uint64_t *teid)
{
	struct gacc_page page;
	uint64_t tid;
	int rc;

	if (!gacc_vcpu_ok(gmap, vcpu, access) || !gaddr)
		return -EINVAL;
	rc = gacc_translate_page(gmap, vcpu, gva, access, &page, &tid);
	if (!rc) {
		rc = gacc_check_key(gmap, vcpu, gva, 1, &page, access);
		if (rc == GMAP_PIC_PROTECTION)
			tid = gacc_teid(gva, access, vcpu->as, vcpu->facilities, GMAP_TEID_B60);
	}
	if (!rc)
		*gaddr = page.gaddr;
	else if (rc > 0 && teid)
		*teid = tid;
	return rc;
}

int gmap_gacc_virt(struct gmap *gmap, const struct gmap_gacc_cpu *vcpu, uint64_t gva,
		   void *data, size_t len, enum gmap_dat_access access, uint64_t *teid)
{
	struct gacc_page pages[GMAP_GACC_MAX_LEN / GMAP_PAGE_SIZE + 1];
	unsigned char *buf = data;
	size_t n, npages = 0, i;
	uint64_t ga = gva, tid = 0;
	int rc = 0;

	if (!gacc_vcpu_ok(gmap, vcpu, access) || (!data && len))
		return -EINVAL;
	if (len > GMAP_GACC_MAX_LEN)
		return -E2BIG;
	/* Every page first: these exceptions suppress the whole access. */
	for (size_t left = len; left; left -= n, ga += n) {
		n = gacc_frag(ga, left);
		rc = gacc_translate_page(gmap, vcpu, ga, access, &pages[npages++], &tid);
		if (rc)
			goto out;
	}
	ga = gva;
	for (i = 0; i < npages; i++, len -= n, buf += n, ga += n) {
		n = gacc_frag(ga, len);
		rc = gacc_check_key(gmap, vcpu, ga, n, &pages[i], access);
		if (rc == GMAP_PIC_PROTECTION) {
			tid = gacc_teid(ga, access, vcpu->as, vcpu->facilities, GMAP_TEID_B60);
			/* A store partly done is terminated, not suppressed. */
			if (access == GMAP_DAT_STORE && i > 0)
				tid &= ~(GMAP_TEID_B56 | GMAP_TEID_B60 | GMAP_TEID_B61);
		}
		if (!rc)
			rc = gacc_page_copy(gmap, vcpu->cpu, pages[i].gaddr, buf, n, access, 0,
					    NULL);
		if (rc)
			goto out;
	}
out:
	if (rc > 0 && teid)
		*teid = tid;
	return rc;
}
