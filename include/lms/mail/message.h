/* message.h - a mail message in MIME (GMime): plain text and HTML, UTF-8 headers */
#ifndef LMS_MAIL_MESSAGE_H
#define LMS_MAIL_MESSAGE_H

#include <stddef.h>

#include "lms/mail/template.h"

/* Prepares GMime; call once before the first message (idempotent). */
void mail_message_init(void);

/*
 * The address part of a From value ("Name <a@b>" or "a@b") into out.
 * Returns 0, or LMS_EINVAL when from holds no single mailbox.
 */
int mail_address_of(const char *from, char *out, size_t len);

/*
 * Writes the message from -> to with the words of t as RFC 5322 bytes
 * (CRLF line ends): Date, Message-ID (<id_left@domain of from>),
 * RFC 2047 encoded Subject, a multipart/alternative of text/plain and
 * text/html in UTF-8, each in the transfer encoding that fits it. *out is
 * a new string of *len bytes. Returns 0 or a negative lms_err (why in err).
 */
int mail_message_build(const char *from, const char *to, const struct mail_text *t,
		       const char *id_left, char **out, size_t *len, char *err, size_t errlen);

#endif
