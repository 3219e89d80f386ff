/* SPDX-License-Identifier: MIT */
/*
 * libgmap - guest memory access: what an emulator calls to read and write
 * a guest's storage through a gmap.
 *
 * Absolute access translates each page through a modelled CPU's TLB with
 * the gmap's ASCE (gmap_enable()), faulting the page in with gmap_fault()
 * when the gmap's tables do not have it yet. Virtual access first
 * translates with the guest's own DAT tables, which are big-endian in
 * guest absolute storage, and applies the protections of PoP chapter 3
 * ("Protection") in the order the PoP and Linux's arch/s390/kvm/gaccess.c
 * apply them: low-address protection, DAT protection,
 * instruction-execution protection, key-controlled protection (with fetch
 * protection and the fetch- and storage-protection overrides).
 *
 * A program exception is a result: the functions return its positive
 * program-interruption code (enum gmap_pic) and the translation-exception
 * identification (TEID) for the caller to inject; 0 on success; a
 * negative errno for a problem of the host or of the call.
 */
#ifndef LIBGMAP_GACCESS_H
#define LIBGMAP_GACCESS_H

#include <stddef.h>
#include <stdint.h>

#include <libgmap/common.h>
#include <libgmap/dat.h>
#include <libgmap/gmap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of struct gmap_gacc_cpu: the guest CPU's PSW and CR0 bits. */
#define GMAP_GACC_DAT	(1u << 0)	/* PSW bit 5: DAT on */
#define GMAP_GACC_LAP	(1u << 1)	/* CR0 bit 35: low-address protection */
#define GMAP_GACC_FPO	(1u << 2)	/* CR0 bit 38: fetch-protection override */
#define GMAP_GACC_SPO	(1u << 3)	/* CR0 bit 39: storage-protection override */
#define GMAP_GACC_FLAGS	0xfu

/* The access-control value that storage-protection override lets any
 * access key use (PoP 3.4.1.1). */
#define GMAP_GACC_SPO_ACC	9

/* Longest guest virtual access: every page of it is translated before
 * the first byte moves (KVM's MEM_OP_MAX_SIZE). */
#define GMAP_GACC_MAX_LEN	65536u

/**
 * struct gmap_gacc_cpu - the state of a guest CPU that a virtual access
 * depends on.
 * @cpu: the backend CPU the gmap is enabled on (gmap_enable()); its TLB
 *	translates the guest absolute addresses
 * @flags: GMAP_GACC_DAT, _LAP, _FPO, _SPO
 * @key: the access key (the PSW key, 0-15); 0 matches every storage key
 * @as: enum gmap_dat_as of the access, reported in TEIDs
 * @facilities: GMAP_FAC_* in effect for the guest (EDAT-1 / EDAT-2 / IEP
 *	change the walk; ESOP-1 / ESOP-2 the TEIDs)
 * @asce: the guest ASCE of the address space (CR1, CR7 or CR13, as @as
 *	says; the caller chooses it, e.g. the primary ASCE for instruction
 *	fetches in secondary-space mode); used when GMAP_GACC_DAT is set.
 *	Access-register mode is not modelled.
 * @prefix: the guest CPU's prefix (8 KB aligned)
 */
struct gmap_gacc_cpu {
	unsigned int cpu;
	unsigned int flags;
	uint8_t key;
	uint8_t as;
	uint32_t facilities;
	gmap_asce_t asce;
	uint64_t prefix;
};

/**
 * gmap_gacc_abs() - read or write guest absolute storage.
 * @gmap: the gmap
 * @cpu: a backend CPU the gmap is enabled on
 * @gaddr: first guest absolute address (any alignment)
 * @data: the caller's buffer: filled for GMAP_DAT_FETCH / _IFETCH, stored
 *	from for GMAP_DAT_STORE
 * @len: bytes (any length; the access may cross pages and segments)
 * @access: enum gmap_dat_access
 * @key: the access key (0-15); 0 skips key-controlled protection
 * @teid: out (may be NULL): the TEID when a protection exception is
 *	returned: the page address, bit 60 with ESOP-1 of the machine
 *	(gmap_arch_facilities()), the ESOP-2 fetch/store indication
 *
 * Page by page: translate through @cpu's TLB; on a translation or
 * protection exception of the gmap's tables call gmap_fault() for the
 * access and retry; then, with a non-zero @key, key-controlled protection
 * against the guest storage key (gmap_pgste_get_key(): ACC, and F for
 * fetches); then copy. A page that fails stops the access; the pages
 * before it were accessed. Mirrors access_guest_abs_with_key().
 * Context: one thread at a time per @cpu (the vCPU's thread, as KVM runs
 * one ioctl per vCPU at a time); no lock on the fast path (a translation
 * the CPU made since the last purge of its TLB, key 0: in the soft
 * backend's strict mode it is reused without asking the TLB again); a
 * fault takes the locks of gmap_fault().
 * Return: 0; GMAP_PIC_PROTECTION for key-controlled protection; -EINVAL
 * for a bad argument, @key or @access, or a @cpu not running @gmap;
 * -EFAULT when part of the range is not mapped in the gmap or the host
 * refuses the access; -EAGAIN when the page was invalidated again after
 * every fault; -ENOMEM. After -EFAULT, -EAGAIN or -ENOMEM the pages
 * before the failing one were accessed, as on the machine.
 */
GMAP_API int gmap_gacc_abs(struct gmap *gmap, unsigned int cpu, uint64_t gaddr, void *data,
			   size_t len, enum gmap_dat_access access, uint8_t key, uint64_t *teid);

/**
 * gmap_gacc_read_abs() - read guest absolute storage with key 0.
 * @gmap: the gmap
 * @cpu: a backend CPU the gmap is enabled on
 * @gaddr: first guest absolute address
 * @buf: out: the bytes
 * @len: bytes
 *
 * Mirrors read_guest_abs().
 * Context: as gmap_gacc_abs().
 * Return: as gmap_gacc_abs().
 */
static inline int gmap_gacc_read_abs(struct gmap *gmap, unsigned int cpu, uint64_t gaddr,
				     void *buf, size_t len)
{
	return gmap_gacc_abs(gmap, cpu, gaddr, buf, len, GMAP_DAT_FETCH, 0, NULL);
}

/**
 * gmap_gacc_write_abs() - write guest absolute storage with key 0.
 * @gmap: the gmap
 * @cpu: a backend CPU the gmap is enabled on
 * @gaddr: first guest absolute address
 * @buf: the bytes
 * @len: bytes
 *
 * Mirrors write_guest_abs().
 * Context: as gmap_gacc_abs().
 * Return: as gmap_gacc_abs().
 */
static inline int gmap_gacc_write_abs(struct gmap *gmap, unsigned int cpu, uint64_t gaddr,
				      const void *buf, size_t len)
{
	return gmap_gacc_abs(gmap, cpu, gaddr, (void *)buf, len, GMAP_DAT_STORE, 0, NULL);
}

/**
 * gmap_gacc_translate() - translate a guest virtual (or, with DAT off,
 * real) address to guest absolute, with the protection checks of an
 * access.
 * @gmap: the gmap
 * @vcpu: the guest CPU's state
 * @gva: the guest virtual address (64-bit addressing mode)
 * @access: enum gmap_dat_access
 * @gaddr: out: the guest absolute address (on 0)
 * @teid: out (may be NULL): the TEID when a program-interruption code is
 *	returned (0 when the exception has none)
 *
 * Low-address protection for stores to 0-511 and 4096-4607 when
 * GMAP_GACC_LAP is set, unless DAT is on with a private-space ASCE
 * (TEID: bit 56 with ESOP-1); then DAT through the guest's tables
 * (gmap_dat_translate(), entries read from guest storage through the
 * gmap, faulting them in), or prefixing of the real address when DAT is
 * off; a result outside the gmap is an addressing exception; then
 * key-controlled protection with @vcpu->key: against the access-control
 * bits of an EDAT frame entry with AV, else the guest storage key of the
 * page (TEID: bit 60 with ESOP-1). Mirrors guest_translate_address().
 * Context: one thread at a time per @vcpu->cpu; may fault (locks of gmap_fault()).
 * Return: 0; a program-interruption code (enum gmap_pic); -EINVAL for a
 * bad argument (NULL pointers, @access, flags, @vcpu->key > 15,
 * @vcpu->as, a CPU not running @gmap); -EFAULT when the host refuses
 * access to a page of the guest's tables; -EAGAIN, -ENOMEM as
 * gmap_gacc_abs().
 */
GMAP_API int gmap_gacc_translate(struct gmap *gmap, const struct gmap_gacc_cpu *vcpu,
				 uint64_t gva, enum gmap_dat_access access, uint64_t *gaddr,
				 uint64_t *teid);

/**
 * gmap_gacc_virt() - read or write guest virtual (or, with DAT off, real)
 * storage.
 * @gmap: the gmap
 * @vcpu: the guest CPU's state
 * @gva: first guest virtual address (any alignment; wraps at 2^64)
 * @data: the caller's buffer: filled for fetches, stored from for stores
 * @len: bytes, at most GMAP_GACC_MAX_LEN
 * @access: enum gmap_dat_access
 * @teid: out (may be NULL): the TEID when a program-interruption code is
 *	returned (0 when the exception has none)
 *
 * Every page is translated and checked as gmap_gacc_translate() does
 * (low-address, DAT and instruction-execution protection, addressing)
 * before any byte moves, so those exceptions suppress the access. Then
 * page by page the key is checked and the bytes copied; a key-controlled
 * protection exception on a later page of a store ends a partly done
 * store, and its TEID then has bits 56, 60 and 61 zero (termination). A
 * host error in this phase also leaves the pages before it accessed.
 * Mirrors access_guest_with_key().
 * Context: one thread at a time per @vcpu->cpu; may fault (locks of gmap_fault()).
 * Return: 0; a program-interruption code (enum gmap_pic); -E2BIG for
 * @len above GMAP_GACC_MAX_LEN; -EFAULT also when the host refuses the
 * access to a data page (a store to memory it maps read-only); otherwise
 * as gmap_gacc_translate().
 */
GMAP_API int gmap_gacc_virt(struct gmap *gmap, const struct gmap_gacc_cpu *vcpu, uint64_t gva,
			    void *data, size_t len, enum gmap_dat_access access, uint64_t *teid);

#ifdef __cplusplus
}
#endif

#endif /* LIBGMAP_GACCESS_H */
