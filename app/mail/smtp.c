/* smtp.c - hands a message to an SMTP server (libcurl): STARTTLS or TLS, AUTH */
#include "lms/mail/smtp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lms/core/err.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void mail_smtp_init(void)
{
	pthread_once(&once, init);
}

struct upload {
	const char *data;
	size_t left;
};

static size_t upload_read(char *buf, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t take = size * n < u->left ? size * n : u->left;

	memcpy(buf, u->data, take);
	u->data += take;
	u->left -= take;
	return take;
}

/* Non-zero aborts the transfer: the server is stopping. */
static int progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const atomic_bool *stop = arg;

	return stop && atomic_load(stop);
}

int mail_smtp_send(const struct mail_smtp *s, const char *from, const char *to, const char *msg,
		   size_t len, char *err, size_t errlen)
{
	char curl_err[CURL_ERROR_SIZE] = "", envelope_from[300], envelope_to[300];
	struct upload u = {msg, len};
	struct curl_slist *rcpt = NULL;
	CURL *c;
	CURLcode cc;
	long code = 0;
	int rc = LMS_EIO;

	mail_smtp_init();
	if (!(c = curl_easy_init())) {
		snprintf(err, errlen, "cannot start an SMTP session: out of memory");
		return LMS_ENOMEM;
	}
	snprintf(envelope_from, sizeof(envelope_from), "<%s>", from);
	snprintf(envelope_to, sizeof(envelope_to), "<%s>", to);
	if (!(rcpt = curl_slist_append(NULL, envelope_to))) {
		snprintf(err, errlen, "out of memory");
		rc = LMS_ENOMEM;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (s->starttls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (s->username && *s->username) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password ? s->password : "");
	}
	if (s->ca_file && *s->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, envelope_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(s->timeout_s < 10 ? s->timeout_s : 10));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)s->timeout_s);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)s->stop);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OK) {
		rc = 0;
	} else {
		snprintf(err, errlen, "%s%s%s (reply %ld)", curl_easy_strerror(cc),
			 curl_err[0] ? ": " : "", curl_err, code);
	}
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return rc;
}
