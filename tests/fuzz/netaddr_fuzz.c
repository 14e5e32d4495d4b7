/* netaddr_fuzz.c - fuzz target: addresses, CIDR lists and X-Forwarded-For */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "lms/core/netaddr.h"

#define MAX_HEADERS 8

static bool same_addr(const struct netaddr *a, const struct netaddr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* An address parsed is written in a form that parses to it again. */
static void check_address(const char *text, size_t size)
{
	struct netaddr a, b;
	char buf[NETADDR_TEXT_MAX];

	if (!netaddr_parse(text, strlen(text), &a))
		return;
	FUZZ_CHECK(a.family == AF_INET || a.family == AF_INET6);
	FUZZ_CHECK(netaddr_format(&a, buf, sizeof(buf)) == buf);
	FUZZ_CHECK(netaddr_parse(buf, strlen(buf), &b) && same_addr(&a, &b));
}

/* A list parsed holds ranges without bits past their prefix, each holding
 * its own base, and reads back the same from its written form; a list
 * refused says why. */
static void check_list(const char *text, size_t size)
{
	struct netaddr_list l, again;
	char msg[160], *joined;
	size_t cap;

	if (netaddr_list_parse(text, &l, msg, sizeof(msg)) < 0) {
		FUZZ_CHECK(l.n == 0 && l.v == NULL);
		FUZZ_CHECK(msg[0] != '\0' && memchr(msg, '\0', sizeof(msg)));
		return;
	}
	cap = l.n * (NETADDR_TEXT_MAX + 5) + 1;
	joined = calloc(1, cap);
	FUZZ_CHECK(joined != NULL);
	for (size_t i = 0; i < l.n; i++) {
		const struct netaddr_range *r = &l.v[i];
		char one[NETADDR_TEXT_MAX + 5];
		int bits = r->base.family == AF_INET ? 32 : 128;

		FUZZ_CHECK(r->prefix >= 0 && r->prefix <= bits);
		for (int b = r->prefix; b < bits; b++)
			FUZZ_CHECK(!(r->base.bytes[b / 8] & (0x80 >> (b % 8))));
		FUZZ_CHECK(netaddr_list_contains(&l, &r->base));
		FUZZ_CHECK(netaddr_range_format(r, one, sizeof(one)) == one);
		if (i)
			strcat(joined, ",");
		strcat(joined, one);
	}
	FUZZ_CHECK(netaddr_list_parse(joined, &again, msg, sizeof(msg)) == 0);
	FUZZ_CHECK(again.n == l.n);
	for (size_t i = 0; i < l.n; i++)
		FUZZ_CHECK(same_addr(&again.v[i].base, &l.v[i].base) &&
			   again.v[i].prefix == l.v[i].prefix);
	netaddr_list_release(&again);
	netaddr_list_release(&l);
	free(joined);
}

/*
 * The rule of netaddr_client, worked out the plain way: walk the entries
 * of all headers from the right; a bad entry means the peer, the first
 * entry that is not a trusted proxy is the client, and when all are
 * trusted the left-most is. The peer unless it is a trusted proxy.
 */
static struct netaddr expected_client(const struct netaddr *peer, char **xff, size_t n,
				      const struct netaddr_list *trusted)
{
	struct netaddr e, last = *peer;

	if (!netaddr_list_contains(trusted, peer))
		return *peer;
	for (size_t i = n; i-- > 0;) {
		for (;;) {
			char *comma = strrchr(xff[i], ','), *text = comma ? comma + 1 : xff[i];
			size_t len;

			while (*text == ' ' || *text == '\t')
				text++;
			len = strlen(text);
			while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
				len--;
			if (!netaddr_parse(text, len, &e))
				return *peer;
			if (!netaddr_list_contains(trusted, &e))
				return e;
			last = e;
			if (!comma)
				break;
			*comma = '\0';
		}
	}
	return last;
}

static void check_client(const char *s, size_t size)
{
	const char *peer = fuzz_part(s, size, 0), *xff[MAX_HEADERS];
	char *copies[MAX_HEADERS], buf[NETADDR_TEXT_MAX], msg[160];
	struct netaddr_list trusted;
	struct netaddr p, want, got;
	size_t n = 0;

	if (netaddr_list_parse(fuzz_part(s, size, 1), &trusted, msg, sizeof(msg)) < 0)
		return;
	while (n < MAX_HEADERS && n + 2 < fuzz_nparts(s, size)) {
		xff[n] = fuzz_part(s, size, (int)n + 2);
		FUZZ_CHECK((copies[n] = strdup(xff[n])) != NULL);
		n++;
	}
	FUZZ_CHECK(netaddr_client(peer, xff, n, &trusted, buf, sizeof(buf)) == buf);
	FUZZ_CHECK(memchr(buf, '\0', sizeof(buf)));
	if (!netaddr_parse(peer, strlen(peer), &p)) {
		/* Not an address (a Unix socket, say): passed on as it is. */
		FUZZ_CHECK(strncmp(buf, peer, sizeof(buf) - 1) == 0);
	} else {
		want = expected_client(&p, copies, n, &trusted);
		FUZZ_CHECK(netaddr_parse(buf, strlen(buf), &got));
		FUZZ_CHECK(same_addr(&got, &want));
	}
	for (size_t i = 0; i < n; i++)
		free(copies[i]);
	netaddr_list_release(&trusted);
}

/*
 * Input: a mode byte, then text. Mode 0: one address; 1: a list of
 * ranges; 2: NUL-separated parts: the peer, the trusted proxies, then up
 * to eight X-Forwarded-For header values.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const checks[])(const char *s, size_t size) = {
		check_address, check_list, check_client,
	};
	char *s;

	if (size < 1)
		return -1;
	s = fuzz_strndup(data + 1, size - 1);
	checks[data[0] % 3](s, size - 1);
	free(s);
	return 0;
}
