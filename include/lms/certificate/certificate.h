/* certificate.h - certificates of completion: serials, the signed statement,
 * the PDF's facts (no I/O) */
#ifndef LMS_CERTIFICATE_CERTIFICATE_H
#define LMS_CERTIFICATE_CERTIFICATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* "GJAI-2027-XXXX-XXXX-XXXC" and its NUL. */
#define CERTIFICATE_SERIAL_LEN 24
#define CERTIFICATE_SERIAL_BUF (CERTIFICATE_SERIAL_LEN + 1)

/*
 * Reads a serial as a person typed it into out: letters in either case, and
 * after "GJAI-" the letters O, I and L read as the digits 0, 1 and 1 (the
 * serial alphabet, Crockford's base 32, has none of them). Returns true
 * when it is a serial whose check character is right, false for anything
 * else (another length, a byte outside ASCII, a wrong check character):
 * such a serial was never issued and needs no lookup.
 */
bool certificate_serial_parse(const char *text, char out[CERTIFICATE_SERIAL_BUF]);

/* The check character of body (the serial's year and random characters,
 * upper case, no dashes): Luhn mod 32, as the database computes it.
 * Returns 0 when body holds a character outside the alphabet. */
char certificate_check_char(const char *body);

/*
 * The bytes that are signed: statement (borrowed) as canonical JSON, keys
 * sorted, no white space, UTF-8 (RFC 8785 for the strings, integers and
 * nulls a statement holds). New string (free()), NULL when out of memory.
 */
char *certificate_canonical(const json_t *statement);

/* What a certificate's PDF shows, all borrowed UTF-8 strings; the seal is
 * PNG bytes or NULL. */
struct certificate_doc {
	const char *serial;
	const char *learner_name;
	const char *course_title_ko, *course_title_en;
	const char *program_name_ko, *program_name_en;
	const char *institution_name_ko, *institution_name_en;
	const char *starts_on, *ends_on;      /* YYYY-MM-DD */
	const char *issued_on;                /* YYYY-MM-DD, Korean date */
	const char *hours;                    /* "24.0" */
	const char *attendance_pct;           /* "95.0", or NULL: no session held */
	const char *signatory_title_ko, *signatory_name_ko; /* name may be NULL */
	const char *signatory_title_en, *signatory_name_en; /* name may be NULL */
	const char *verify_url;               /* what the QR code holds */
	const unsigned char *seal_png;
	size_t seal_len;
};

/*
 * Makes the certificate's PDF (A4, Korean first with English beneath, the
 * Nanum fonts embedded, the QR code to verify_url) into *pdf (malloc'd,
 * *len bytes; free()). Returns 0, LMS_EINVAL when the QR code cannot hold
 * the URL, LMS_ENOMEM, or LMS_EIO when cairo fails. A seal that is not a
 * readable PNG is left out. Safe from any thread (runs one at a time).
 */
int certificate_pdf_render(const struct certificate_doc *doc, unsigned char **pdf, size_t *len);

/*
 * Whether the bytes are a PNG that cairo reads, at most max_side pixels
 * wide and high: what a seal upload must be.
 */
bool certificate_png_ok(const unsigned char *png, size_t len, int max_side);

#endif
