/* netaddr.h - IP addresses and CIDR ranges: parsing, matching, the client behind proxies */
#ifndef LMS_CORE_NETADDR_H
#define LMS_CORE_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

/* Room for any address as text, with its NUL (INET6_ADDRSTRLEN). */
#define NETADDR_TEXT_MAX 46

/* One IPv4 or IPv6 address. An IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * is kept as the IPv4 address it carries. */
struct netaddr {
	int family;               /* AF_INET or AF_INET6 */
	unsigned char bytes[16];  /* network order; the first 4 for AF_INET */
};

/* An address and a prefix length: 10.0.0.0/8, 2001:db8::/32, 192.0.2.7/32. */
struct netaddr_range {
	struct netaddr base;      /* no bit set past the prefix */
	int prefix;               /* 0-32 (AF_INET) or 0-128 (AF_INET6) */
};

/* A list of ranges; owns its array (netaddr_list_release). */
struct netaddr_list {
	struct netaddr_range *v;
	size_t n;
};

/*
 * Parses text[0..len) (no NUL needed) as one IPv4 or IPv6 address in the
 * forms inet_pton(3) accepts, without a port, brackets or zone. Returns
 * true and fills *out, or false.
 */
bool netaddr_parse(const char *text, size_t len, struct netaddr *out);

/* Writes a in its canonical text form into buf (len >= NETADDR_TEXT_MAX
 * suffices). Returns buf, or NULL when it does not fit. */
const char *netaddr_format(const struct netaddr *a, char *buf, size_t len);

/*
 * Parses a comma-separated list of addresses and CIDR ranges (spaces around
 * entries allowed); an address alone is a range of one. An empty or blank
 * text is an empty list. On success fills *out (the caller releases it) and
 * returns 0; otherwise writes a message naming the bad entry into msg and
 * returns LMS_EINVAL, or LMS_ENOMEM, leaving *out empty.
 */
int netaddr_list_parse(const char *text, struct netaddr_list *out, char *msg, size_t msglen);

/* Frees the ranges of l and empties it; safe on an empty or zeroed list. */
void netaddr_list_release(struct netaddr_list *l);

/* Whether a lies in one of the ranges of l (an IPv4 address is never in
 * an IPv6 range, nor the reverse). */
bool netaddr_list_contains(const struct netaddr_list *l, const struct netaddr *a);

/* Writes r as "address/prefix" into buf. Returns buf, or NULL when it does
 * not fit. */
const char *netaddr_range_format(const struct netaddr_range *r, char *buf, size_t len);

/*
 * The address of the client: the peer itself, unless the peer is in
 * trusted (a proxy of ours); then the X-Forwarded-For entries, xff[0..n)
 * in the order their header lines arrived, are walked from the right and
 * the first entry that is not a trusted proxy is the client (when every
 * entry is one, the left-most). Only a trusted proxy is believed, and only
 * about what it saw itself: entries left of the client's could be made up
 * by the client. An entry that is not an address makes the whole header
 * untrusted: the peer is the answer then, as it is without the header.
 * Writes the address in canonical form into buf and returns buf; a peer
 * that is not an address is copied as it is.
 */
const char *netaddr_client(const char *peer, const char *const *xff, size_t n,
			   const struct netaddr_list *trusted, char *buf, size_t len);

#endif
