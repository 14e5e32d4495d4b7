/* netaddr.c - IP addresses and CIDR ranges: parsing, matching, the client behind proxies */
#include "lms/core/netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Narrows [*start, *end) of s to its part without blanks around it. */
static void trim_span(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && is_blank(s[*start]))
		(*start)++;
	while (*end > *start && is_blank(s[*end - 1]))
		(*end)--;
}

bool netaddr_parse(const char *text, size_t len, struct netaddr *out)
{
	char buf[NETADDR_TEXT_MAX];
	struct in6_addr a6;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (!memchr(buf, ':', len)) {
		out->family = AF_INET;
		return inet_pton(AF_INET, buf, out->bytes) == 1;
	}
	if (inet_pton(AF_INET6, buf, &a6) != 1)
		return false;
	/* A dual-stack listener reports IPv4 peers in this form; a proxy list
	 * written in plain IPv4 must still match them. */
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		out->family = AF_INET;
		memcpy(out->bytes, &a6.s6_addr[12], 4);
	} else {
		out->family = AF_INET6;
		memcpy(out->bytes, a6.s6_addr, 16);
	}
	return true;
}

const char *netaddr_format(const struct netaddr *a, char *buf, size_t len)
{
	return inet_ntop(a->family, a->bytes, buf, (socklen_t)len);
}

const char *netaddr_range_format(const struct netaddr_range *r, char *buf, size_t len)
{
	char addr[NETADDR_TEXT_MAX];
	int n;

	if (!netaddr_format(&r->base, addr, sizeof(addr)))
		return NULL;
	n = snprintf(buf, len, "%s/%d", addr, r->prefix);
	return n >= 0 && (size_t)n < len ? buf : NULL;
}

static int max_prefix(const struct netaddr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

/* The mask of prefix bits within byte i of an address. */
static unsigned char prefix_mask(int prefix, int i)
{
	int bits = prefix - 8 * i;

	return bits >= 8 ? 0xff : bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));
}

static bool range_parse(const char *s, size_t len, struct netaddr_range *r, char *msg,
			size_t msglen)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	int prefix = 0;

	if (!netaddr_parse(s, alen, &r->base))
		goto bad;
	if (!slash) {
		r->prefix = max_prefix(&r->base);
		return true;
	}
	/* Plain decimal digits only: strtol would take "+8", " 8" or "0x8". */
	if (len - alen < 2 || len - alen > 4)
		goto bad;
	for (const char *p = slash + 1; p < s + len; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		prefix = prefix * 10 + (*p - '0');
	}
	if (prefix > max_prefix(&r->base))
		goto bad;
	r->prefix = prefix;
	/* 10.1.2.3/8 is most likely a typing error for one address or for
	 * 10.0.0.0/8; trusting a range other than the one meant is not a
	 * guess to make silently. */
	for (int i = 0; i < max_prefix(&r->base) / 8; i++) {
		if (r->base.bytes[i] & ~prefix_mask(prefix, i)) {
			snprintf(msg, msglen, "\"%.*s\" has bits set past its prefix /%d", (int)len, s,
				 prefix);
			return false;
		}
	}
	return true;
bad:
	snprintf(msg, msglen, "\"%.*s\" is not an IP address or CIDR range", (int)len, s);
	return false;
}

int netaddr_list_parse(const char *text, struct netaddr_list *out, char *msg, size_t msglen)
{
	struct netaddr_list l = {0};
	size_t pos = 0, total = strlen(text), start = 0, end = total;
	int rc = 0;

	out->v = NULL;
	out->n = 0;
	trim_span(text, &start, &end);
	if (start == end)
		return 0;
	while (pos <= total) {
		const char *comma = memchr(text + pos, ',', total - pos);
		size_t s = pos, e = comma ? (size_t)(comma - text) : total;
		struct netaddr_range *grown;

		trim_span(text, &s, &e);
		if (s == e) {
			snprintf(msg, msglen, "an entry of the list is empty");
			rc = LMS_EINVAL;
			goto fail;
		}
		if (!(grown = realloc(l.v, (l.n + 1) * sizeof(*l.v)))) {
			snprintf(msg, msglen, "out of memory");
			rc = LMS_ENOMEM;
			goto fail;
		}
		l.v = grown;
		if (!range_parse(text + s, e - s, &l.v[l.n], msg, msglen)) {
			rc = LMS_EINVAL;
			goto fail;
		}
		l.n++;
		if (!comma)
			break;
		pos = (size_t)(comma - text) + 1;
	}
	*out = l;
	return 0;
fail:
	free(l.v);
	return rc;
}

void netaddr_list_release(struct netaddr_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static bool range_contains(const struct netaddr_range *r, const struct netaddr *a)
{
	if (r->base.family != a->family)
		return false;
	for (int i = 0; i < max_prefix(a) / 8; i++) {
		unsigned char m = prefix_mask(r->prefix, i);

		if ((a->bytes[i] & m) != r->base.bytes[i])
			return false;
	}
	return true;
}

bool netaddr_list_contains(const struct netaddr_list *l, const struct netaddr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (range_contains(&l->v[i], a))
			return true;
	return false;
}

const char *netaddr_client(const char *peer, const char *const *xff, size_t n,
			   const struct netaddr_list *trusted, char *buf, size_t len)
{
	struct netaddr p, e;
	bool seen = false;

	if (!netaddr_parse(peer, strlen(peer), &p)) {
		snprintf(buf, len, "%s", peer);
		return buf;
	}
	if (!netaddr_list_contains(trusted, &p))
		goto peer;
	/* Right to left: each proxy appends the address it received the
	 * request from, so the right-most entries are the ones our own
	 * proxies wrote. */
	for (size_t i = n; i-- > 0;) {
		const char *s = xff[i];
		size_t end = strlen(s);

		for (;;) {
			size_t start = end, a, b;

			while (start > 0 && s[start - 1] != ',')
				start--;
			a = start;
			b = end;
			trim_span(s, &a, &b);
			if (!netaddr_parse(s + a, b - a, &e))
				goto peer;
			seen = true;
			if (!netaddr_list_contains(trusted, &e))
				goto client;
			if (start == 0)
				break;
			end = start - 1;
		}
	}
	if (seen)
		goto client;  /* every entry a proxy of ours: the farthest one */
peer:
	e = p;
client:
	if (!netaddr_format(&e, buf, len))
		snprintf(buf, len, "%s", peer);
	return buf;
}
