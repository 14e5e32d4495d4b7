/* message.c - a mail message in MIME (GMime): plain text and HTML, UTF-8 headers */
#include "lms/mail/message.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	g_mime_init();
}

void mail_message_init(void)
{
	pthread_once(&once, init);
}

int mail_address_of(const char *from, char *out, size_t len)
{
	InternetAddressList *list;
	InternetAddress *a;
	const char *addr;
	int rc = LMS_EINVAL;

	mail_message_init();
	if (!(list = internet_address_list_parse(NULL, from)))
		return LMS_EINVAL;
	if (internet_address_list_length(list) == 1 &&
	    INTERNET_ADDRESS_IS_MAILBOX(a = internet_address_list_get_address(list, 0)) &&
	    (addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a))) &&
	    strchr(addr, '@') && strlen(addr) < len) {
		snprintf(out, len, "%s", addr);
		rc = 0;
	}
	g_object_unref(list);
	return rc;
}

/* A text part of subtype in UTF-8, in the transfer encoding that keeps it
 * 7-bit at least cost (quoted-printable for mostly ASCII, base64 for
 * Korean). New reference. */
static GMimeObject *text_part(const char *subtype, const char *text)
{
	GMimeTextPart *p = g_mime_text_part_new_with_subtype(subtype);

	g_mime_text_part_set_text(p, text);
	g_mime_text_part_set_charset(p, "utf-8");
	g_mime_part_set_content_encoding(
		GMIME_PART(p),
		g_mime_part_get_best_content_encoding(GMIME_PART(p), GMIME_ENCODING_CONSTRAINT_7BIT));
	return GMIME_OBJECT(p);
}

int mail_message_build(const char *from, const char *to, const struct mail_text *t,
		       const char *id_left, char **out, size_t *len, char *err, size_t errlen)
{
	InternetAddressList *from_list = NULL;
	GMimeMessage *m = NULL;
	GMimeMultipart *alt = NULL;
	GMimeObject *part;
	GMimeStream *mem = NULL;
	GMimeFormatOptions *fo = NULL;
	GDateTime *now = NULL;
	GByteArray *bytes;
	char addr[256], id[400];
	const char *domain;
	int rc = LMS_EINVAL;

	*out = NULL;
	*len = 0;
	mail_message_init();
	if (mail_address_of(from, addr, sizeof(addr)) < 0 ||
	    !(from_list = internet_address_list_parse(NULL, from))) {
		snprintf(err, errlen, "mail_from %s: not one address", from);
		goto out;
	}
	if (strpbrk(to, "\r\n<>,;\" ") || !strchr(to, '@')) {
		snprintf(err, errlen, "to %s: not an address", to);
		goto out;
	}
	domain = strrchr(addr, '@') + 1;
	m = g_mime_message_new(TRUE);
	internet_address_list_append(g_mime_message_get_from(m), from_list);
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO, NULL, to);
	g_mime_message_set_subject(m, t->subject, "utf-8");
	now = g_date_time_new_now_utc();
	g_mime_message_set_date(m, now);
	snprintf(id, sizeof(id), "%s@%s", id_left, domain);
	g_mime_message_set_message_id(m, id);
	g_mime_object_set_header(GMIME_OBJECT(m), "Auto-Submitted", "auto-generated", NULL);

	alt = g_mime_multipart_new_with_subtype("alternative");
	part = text_part("plain", t->text);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	part = text_part("html", t->html);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	g_mime_message_set_mime_part(m, GMIME_OBJECT(alt));

	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	mem = g_mime_stream_mem_new();
	if (g_mime_object_write_to_stream(GMIME_OBJECT(m), fo, mem) < 0) {
		snprintf(err, errlen, "cannot write the message");
		rc = LMS_EIO;
		goto out;
	}
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (!(*out = malloc(bytes->len + 1))) {
		snprintf(err, errlen, "out of memory");
		rc = LMS_ENOMEM;
		goto out;
	}
	memcpy(*out, bytes->data, bytes->len);
	(*out)[bytes->len] = '\0';
	*len = bytes->len;
	rc = 0;
out:
	if (now)
		g_date_time_unref(now);
	if (mem)
		g_object_unref(mem);
	if (fo)
		g_mime_format_options_free(fo);
	if (alt)
		g_object_unref(alt);
	if (m)
		g_object_unref(m);
	if (from_list)
		g_object_unref(from_list);
	return rc;
}
