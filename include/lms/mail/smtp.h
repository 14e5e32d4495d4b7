/* smtp.h - hands a message to an SMTP server (libcurl): STARTTLS or TLS, AUTH */
#ifndef LMS_MAIL_SMTP_H
#define LMS_MAIL_SMTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct mail_smtp {
	const char *url;       /* smtp://host:port or smtps://host:port */
	bool starttls;         /* smtp://: fail unless the session is encrypted */
	const char *username;  /* "" or NULL: no AUTH */
	const char *password;
	const char *ca_file;   /* "" or NULL: the system's CA bundle */
	int timeout_s;         /* the whole delivery */
	const atomic_bool *stop; /* set: abandon the delivery at once (may be NULL) */
};

/* Prepares libcurl; call once, from the main thread, before any thread
 * sends (idempotent). */
void mail_smtp_init(void);

/*
 * Sends the len bytes of msg from the envelope sender from to the one
 * recipient to. Returns 0 once the server accepted the message, or
 * LMS_EIO with the server's or the connection's words in err.
 */
int mail_smtp_send(const struct mail_smtp *s, const char *from, const char *to, const char *msg,
		   size_t len, char *err, size_t errlen);

#endif
