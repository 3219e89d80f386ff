// SPDX-License-Identifier: MIT
/*
 * SSKE, ISKE and RRBE issued by the s390x backend against the soft
 * backend's storage-key model: the same random sequence of operations on
 * the same frames, comparing the old key SSKE returns, every key ISKE
 * reads and every condition code of RRBE. The frames are not touched
 * otherwise, so the machine sets no reference or change bit of its own.
 */
#include "kernel.h"

#define NFRAMES	16
#define NOPS	600

static void compare_iske(struct kctx *k, uint64_t frame, const char *after)
{
	uint8_t hw = gmap_arch_iske(k->hw, frame), soft = gmap_arch_iske(k->soft, frame);

	check(CK_ISKE, hw == soft, "frame 0x%lx after %s: machine key 0x%x, model 0x%x",
	      (unsigned long)frame, after, hw, soft);
}

/**
 * check_skey() - SSKE, ISKE and RRBE on the machine against the soft
 * backend's storage keys.
 * @k: the kernel's backends
 */
void check_skey(struct kctx *k)
{
	uint64_t frames = real(heap_alloc(NFRAMES * GMAP_PAGE_SIZE, GMAP_PAGE_SIZE));
	static const char *const flag_name[8] = {
		"", "NQ", "MR", "NQ MR", "MC", "NQ MC", "MR MC", "NQ MR MC",
	};

	kprintf("keys: conditional SSKE %s, nonquiescing %s\n",
		has_facility(k, 10) ? "by the machine" : "emulated (ISKE, compare, SSKE)",
		has_facility(k, 14) ? "by the machine" : "ignored");
	for (unsigned int i = 0; i < NFRAMES; i++) {
		uint64_t f = frames + (uint64_t)i * GMAP_PAGE_SIZE;

		gmap_arch_sske(k->hw, 0, f, 0, 0, NULL);
		gmap_arch_sske(k->soft, 0, f, 0, 0, NULL);
		compare_iske(k, f, "SSKE 0");
	}
	rnd_seed(0x5ce);
	for (unsigned int n = 0; n < NOPS; n++) {
		uint64_t f = frames + rnd_below(NFRAMES) * GMAP_PAGE_SIZE;
		unsigned int fl = (unsigned int)rnd_below(8);
		unsigned int flags = (fl & 1 ? GMAP_SSKE_NQ : 0) | (fl & 2 ? GMAP_SSKE_MR : 0) |
				     (fl & 4 ? GMAP_SSKE_MC : 0);
		uint8_t key = (uint8_t)(rnd() & 0xfe), old_hw = 0xff, old_soft = 0xfe;
		int cc_hw, cc_soft;

		if (rnd_below(4) == 0) {
			cc_hw = gmap_arch_rrbe(k->hw, f);
			cc_soft = gmap_arch_rrbe(k->soft, f);
			check(CK_RRBE, cc_hw == cc_soft, "frame 0x%lx: machine cc %d, model cc %d",
			      (unsigned long)f, cc_hw, cc_soft);
			compare_iske(k, f, "RRBE");
			continue;
		}
		gmap_arch_sske(k->hw, 0, f, key, flags, &old_hw);
		gmap_arch_sske(k->soft, 0, f, key, flags, &old_soft);
		check(CK_SSKE, old_hw == old_soft,
		      "frame 0x%lx key 0x%x %s: machine old key 0x%x, model 0x%x",
		      (unsigned long)f, key, flag_name[fl], old_hw, old_soft);
		compare_iske(k, f, "SSKE");
	}
}
