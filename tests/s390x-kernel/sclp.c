// SPDX-License-Identifier: MIT
/*
 * The SCLP console: SERVICE CALL with a service-call control block
 * (SCCB). "Write event mask" says which events the kernel sends and
 * learns which the SCLP accepts; "write event data" sends text as an
 * ASCII-console event (QEMU's sclpconsole) or, where that is not
 * accepted, as a line-mode message (a message data block with one text
 * object, EBCDIC). A call completes with a service-signal external
 * interruption, waited for in an enabled wait.
 */
#include <string.h>

#include "kernel.h"

#define SCLP_CMD_WRITE_EVENT_MASK	0x00780005u
#define SCLP_CMD_WRITE_EVENT_DATA	0x00760005u
#define SCLP_RESP_OK			0x0020

#define EXT_SERVICE_SIGNAL		0x2401
#define CR0_SERVICE_SIGNAL		(1ULL << (63 - 54))

#define EV_MSG				0x02	/* line-mode message */
#define EV_ASCII			0x1a	/* ASCII console data */
/* An event type's bit in a 32-bit event mask: type 1 is the leftmost. */
#define EV_MASK(type)			(0x80000000u >> ((type) - 1))

/* Text bytes per write: an SCCB is at most a page. */
#define SCLP_CHUNK			1024

struct sccb_header {
	uint16_t length;
	uint8_t function_code;
	uint8_t control_mask[3];
	uint16_t response_code;
} __attribute__((packed));

struct write_event_mask {
	struct sccb_header h;
	uint16_t reserved;
	uint16_t mask_length;
	uint32_t cp_receive_mask;
	uint32_t cp_send_mask;
	uint32_t sclp_receive_mask;
	uint32_t sclp_send_mask;
} __attribute__((packed));

struct event_header {
	uint16_t length;
	uint8_t type;
	uint8_t flags;
	uint16_t reserved;
} __attribute__((packed));

/* Line-mode message: message data block header, general object, message
 * text object (the layout the SCLP's line-mode console reads). */
struct mdb {
	uint16_t length;
	uint16_t type;			/* 1 */
	uint32_t tag;			/* "MDB " in EBCDIC */
	uint32_t revision;		/* 1 */
	struct {
		uint16_t length;
		uint16_t type;		/* 1: general object */
		uint8_t zero[44];
	} __attribute__((packed)) go;
	struct {
		uint16_t length;
		uint16_t type;		/* 4: message text */
		uint16_t line_flags;	/* 0x1000: data line */
		uint8_t alarm;
		uint8_t reserved[3];
	} __attribute__((packed)) mto;
} __attribute__((packed));

static uint8_t sccb[4096] __attribute__((aligned(4096)));
static volatile bool service_signal;
static bool use_ascii;
static bool sclp_ok;

/**
 * ext_interrupt() - an external interruption, called by ext_handler
 * (start.S) with DAT off: notes the service signal that ends an SCLP call.
 */
void ext_interrupt(void)
{
	if (*(volatile uint16_t *)LC_EXT_CODE == EXT_SERVICE_SIGNAL)
		service_signal = true;
}

/* Wait, enabled for external interruptions, until one arrives. */
static void enabled_wait(void)
{
	static uint64_t psw[2] __attribute__((aligned(8))) = {
		0x0102000180000000ULL,	/* external mask, wait, 64-bit */
	};

	__asm__ volatile("larl %%r1,0f\n\t"
		     "stg %%r1,%[addr]\n\t"
		     "lpswe %[psw]\n"
		     "0:"
		     : [addr] "=Q"(psw[1]) : [psw] "Q"(psw) : "r1", "memory");
}

static int servc(uint32_t cmd)
{
	int cc;

	service_signal = false;
	/* SERVICE CALL (B220, RRE), which the assembler does not know. */
	__asm__ volatile(".insn rre,0xb2200000,%[cmd],%[sccb]\n\tipm %[cc]\n\tsrl %[cc],28"
		     : [cc] "=d"(cc)
		     : [cmd] "d"((unsigned long)cmd), [sccb] "a"(real(sccb))
		     : "cc", "memory");
	if (cc == 0)
		while (!service_signal)
			enabled_wait();
	return cc;
}

static uint16_t sccb_response(void)
{
	return ((struct sccb_header *)sccb)->response_code;
}

/**
 * sclp_init() - enable the service signal and register the events the
 * kernel sends; chooses the ASCII console or line-mode messages.
 *
 * Context: DAT off; waits for the SCLP. Without an SCLP console the
 * kernel runs silently.
 */
void sclp_init(void)
{
	struct write_event_mask *m = (struct write_event_mask *)sccb;
	uint64_t cr0;

	__asm__ volatile("stctg 0,0,%0" : "=Q"(cr0));
	cr0 |= CR0_SERVICE_SIGNAL;
	__asm__ volatile("lctlg 0,0,%0" : : "Q"(cr0));

	memset(sccb, 0, sizeof(*m));
	m->h.length = sizeof(*m);
	m->mask_length = sizeof(uint32_t);
	m->cp_send_mask = EV_MASK(EV_ASCII) | EV_MASK(EV_MSG);
	if (servc(SCLP_CMD_WRITE_EVENT_MASK) || sccb_response() != SCLP_RESP_OK)
		return;
	use_ascii = m->sclp_receive_mask & EV_MASK(EV_ASCII);
	sclp_ok = use_ascii || (m->sclp_receive_mask & EV_MASK(EV_MSG));
}

/* ASCII to EBCDIC (code page 037) for the printable range and newline. */
static uint8_t ebcdic(char c)
{
	static const uint8_t tab[95] = {
		0x40, 0x5a, 0x7f, 0x7b, 0x5b, 0x6c, 0x50, 0x7d, 0x4d, 0x5d, 0x5c, 0x4e,
		0x6b, 0x60, 0x4b, 0x61, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
		0xf8, 0xf9, 0x7a, 0x5e, 0x4c, 0x7e, 0x6e, 0x6f, 0x7c, 0xc1, 0xc2, 0xc3,
		0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6,
		0xd7, 0xd8, 0xd9, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xba,
		0xe0, 0xbb, 0xb0, 0x6d, 0x79, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
		0x88, 0x89, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0xa2,
		0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xc0, 0x4f, 0xd0, 0xa1,
	};

	return c >= 0x20 && c < 0x7f ? tab[c - 0x20] : 0x40;
}

/* One event carrying @len bytes of @s. */
static void write_event(const char *s, size_t len)
{
	struct sccb_header *h = (struct sccb_header *)sccb;
	struct event_header *ev = (struct event_header *)(h + 1);
	uint8_t *text;
	size_t ev_len;

	memset(sccb, 0, sizeof(*h) + sizeof(*ev) + sizeof(struct mdb));
	if (use_ascii) {
		text = (uint8_t *)(ev + 1);
		memcpy(text, s, len);
		ev_len = sizeof(*ev) + len;
		ev->type = EV_ASCII;
	} else {
		struct mdb *mdb = (struct mdb *)(ev + 1);

		/* A line-mode message is one line: drop the newline. */
		if (len && s[len - 1] == '\n')
			len--;
		text = (uint8_t *)(mdb + 1);
		for (size_t i = 0; i < len; i++)
			text[i] = ebcdic(s[i]);
		mdb->length = (uint16_t)(sizeof(*mdb) + len);
		mdb->type = 1;
		mdb->tag = 0xd4c4c240;
		mdb->revision = 1;
		mdb->go.length = sizeof(mdb->go);
		mdb->go.type = 1;
		mdb->mto.length = (uint16_t)(sizeof(mdb->mto) + len);
		mdb->mto.type = 4;
		mdb->mto.line_flags = 0x1000;
		ev_len = sizeof(*ev) + sizeof(*mdb) + len;
		ev->type = EV_MSG;
	}
	ev->length = (uint16_t)ev_len;
	h->length = (uint16_t)(sizeof(*h) + ev_len);
	servc(SCLP_CMD_WRITE_EVENT_DATA);
}

/**
 * sclp_write() - send text to the console.
 * @s: the text
 * @len: its length in bytes
 *
 * Context: DAT off; waits for the SCLP after each event.
 */
void sclp_write(const char *s, size_t len)
{
	if (!sclp_ok)
		return;
	while (len) {
		size_t n = len < SCLP_CHUNK ? len : SCLP_CHUNK;

		write_event(s, n);
		s += n;
		len -= n;
	}
}
