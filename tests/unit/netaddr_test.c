/* netaddr_test.c - unit tests for addresses, CIDR lists and the client behind proxies */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/core/netaddr.h"

static bool parses(const char *text)
{
	struct netaddr a;

	return netaddr_parse(text, strlen(text), &a);
}

static void addresses(void **state)
{
	struct netaddr a;
	char buf[NETADDR_TEXT_MAX];

	assert_true(netaddr_parse("192.0.2.7", 9, &a));
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)), "192.0.2.7");
	assert_true(netaddr_parse("2001:DB8:0:0::1", 15, &a));
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)), "2001:db8::1");
	/* A dual-stack socket's view of an IPv4 peer is that IPv4 address. */
	assert_true(netaddr_parse("::ffff:127.0.0.1", 16, &a));
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)), "127.0.0.1");
	/* Only the length given is read. */
	assert_true(netaddr_parse("10.0.0.1, 10.0.0.2", 8, &a));
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)), "10.0.0.1");

	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4:80",
		"[::1]", "[::1]:443", "::g", "fe80::1%eth0", "unknown", "0x7f.0.0.1",
		"1:2:3:4:5:6:7:8:9", "2001:db8::1/64",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parses(bad[i]))
			fail_msg("\"%s\" parsed as an address", bad[i]);
	assert_false(parses("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb"));
}

static void lists(void **state)
{
	struct netaddr_list l;
	char msg[256], buf[64];

	assert_int_equal(netaddr_list_parse("", &l, msg, sizeof(msg)), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(netaddr_list_parse("  \t ", &l, msg, sizeof(msg)), 0);
	assert_int_equal(l.n, 0);
	netaddr_list_release(&l);

	assert_int_equal(netaddr_list_parse(" 127.0.0.1 ,10.0.0.0/8,\t2001:db8::/32, ::1, 0.0.0.0/0",
					    &l, msg, sizeof(msg)),
			 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(netaddr_range_format(&l.v[0], buf, sizeof(buf)), "127.0.0.1/32");
	assert_string_equal(netaddr_range_format(&l.v[1], buf, sizeof(buf)), "10.0.0.0/8");
	assert_string_equal(netaddr_range_format(&l.v[2], buf, sizeof(buf)), "2001:db8::/32");
	assert_string_equal(netaddr_range_format(&l.v[3], buf, sizeof(buf)), "::1/128");
	assert_string_equal(netaddr_range_format(&l.v[4], buf, sizeof(buf)), "0.0.0.0/0");
	assert_null(netaddr_range_format(&l.v[2], buf, 8));
	netaddr_list_release(&l);
	netaddr_list_release(&l);  /* released twice: still empty */
	assert_int_equal(l.n, 0);

	static const struct {
		const char *text, *want;
	} bad[] = {
		{"10.0.0.0/33", "\"10.0.0.0/33\" is not an IP address or CIDR range"},
		{"::/129", "\"::/129\" is not"},
		{"10.0.0.0/", "\"10.0.0.0/\" is not"},
		{"10.0.0.0/+8", "is not"},
		{"10.0.0.0/ 8", "is not"},
		{"10.0.0.0/0008", "is not"},
		{"10.0.0.0/8/8", "is not"},
		{"/8", "is not"},
		{"localhost", "\"localhost\" is not"},
		{"10.1.2.3/8", "\"10.1.2.3/8\" has bits set past its prefix /8"},
		{"192.0.2.129/25", "has bits set past its prefix /25"},
		{"2001:db8::1/32", "has bits set past its prefix /32"},
		{"127.0.0.1,,10.0.0.1", "an entry of the list is empty"},
		{"127.0.0.1,", "an entry of the list is empty"},
		{"127.0.0.1 10.0.0.1", "\"127.0.0.1 10.0.0.1\" is not"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		assert_int_equal(netaddr_list_parse(bad[i].text, &l, msg, sizeof(msg)), LMS_EINVAL);
		assert_int_equal(l.n, 0);
		assert_null(l.v);
		if (!strstr(msg, bad[i].want))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].text, msg, bad[i].want);
	}
}

static bool in(const char *list, const char *addr)
{
	struct netaddr_list l;
	struct netaddr a;
	char msg[128];
	bool yes;

	assert_int_equal(netaddr_list_parse(list, &l, msg, sizeof(msg)), 0);
	assert_true(netaddr_parse(addr, strlen(addr), &a));
	yes = netaddr_list_contains(&l, &a);
	netaddr_list_release(&l);
	return yes;
}

static void matching(void **state)
{
	assert_true(in("10.0.0.0/8", "10.255.1.2"));
	assert_false(in("10.0.0.0/8", "11.0.0.1"));
	assert_true(in("192.0.2.128/25", "192.0.2.200"));
	assert_false(in("192.0.2.128/25", "192.0.2.100"));
	assert_true(in("198.51.100.7", "198.51.100.7"));
	assert_false(in("198.51.100.7", "198.51.100.8"));
	assert_true(in("0.0.0.0/0", "203.0.113.1"));
	assert_false(in("0.0.0.0/0", "2001:db8::1"));
	assert_false(in("::/0", "203.0.113.1"));
	assert_true(in("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(in("2001:db8::/32", "2001:db9::1"));
	assert_true(in("2001:db8::/33", "2001:db8:7fff::1"));
	assert_false(in("2001:db8::/33", "2001:db8:8000::1"));
	assert_true(in("127.0.0.1", "::ffff:127.0.0.1"));
	assert_false(in("", "127.0.0.1"));
	assert_true(in("10.0.0.0/8, 172.16.0.0/12", "172.31.255.255"));
	assert_false(in("10.0.0.0/8, 172.16.0.0/12", "172.32.0.0"));
}

/* The client seen from peer with one X-Forwarded-For line (NULL: none)
 * when trusted lists the proxies. */
static const char *client(const char *trusted, const char *peer, const char *xff)
{
	static char buf[NETADDR_TEXT_MAX];
	struct netaddr_list l;
	char msg[128];
	const char *lines[] = {xff};

	assert_int_equal(netaddr_list_parse(trusted, &l, msg, sizeof(msg)), 0);
	netaddr_client(peer, lines, xff ? 1 : 0, &l, buf, sizeof(buf));
	netaddr_list_release(&l);
	return buf;
}

static void client_behind_proxies(void **state)
{
	const char *proxies = "127.0.0.1, 10.0.0.0/8";

	/* No proxy configured, or a peer that is none: the header is the
	 * client's own word, and ignored. */
	assert_string_equal(client("", "127.0.0.1", "203.0.113.7"), "127.0.0.1");
	assert_string_equal(client(proxies, "198.51.100.1", "203.0.113.7"), "198.51.100.1");
	/* A trusted peer: the entry it appended. */
	assert_string_equal(client(proxies, "127.0.0.1", "203.0.113.7"), "203.0.113.7");
	assert_string_equal(client(proxies, "127.0.0.1", "203.0.113.7, 10.1.2.3"), "203.0.113.7");
	/* Whatever the client wrote left of it is not believed. */
	assert_string_equal(client(proxies, "127.0.0.1", "1.1.1.1, 203.0.113.7"), "203.0.113.7");
	assert_string_equal(client(proxies, "127.0.0.1", "garbage, 203.0.113.7"), "203.0.113.7");
	/* Every entry a proxy of ours: the farthest. */
	assert_string_equal(client(proxies, "127.0.0.1", "10.0.0.5,10.0.0.6"), "10.0.0.5");
	/* A header that does not parse where it counts: the peer. */
	assert_string_equal(client(proxies, "127.0.0.1", "garbage"), "127.0.0.1");
	assert_string_equal(client(proxies, "127.0.0.1", "203.0.113.7:5000"), "127.0.0.1");
	assert_string_equal(client(proxies, "127.0.0.1", "203.0.113.7, garbage"), "127.0.0.1");
	assert_string_equal(client(proxies, "127.0.0.1", "203.0.113.7,,10.0.0.1"), "127.0.0.1");
	assert_string_equal(client(proxies, "127.0.0.1", ""), "127.0.0.1");
	assert_string_equal(client(proxies, "127.0.0.1", NULL), "127.0.0.1");
	/* Canonical forms, IPv6 on either side. */
	assert_string_equal(client(proxies, "127.0.0.1", " 2001:DB8:0::1 "), "2001:db8::1");
	assert_string_equal(client(proxies, "::ffff:127.0.0.1", "203.0.113.7"), "203.0.113.7");
	assert_string_equal(client("::1", "::1", "203.0.113.7"), "203.0.113.7");
	assert_string_equal(client("", "::ffff:198.51.100.1", NULL), "198.51.100.1");
	/* A peer that is no address is passed on as it is. */
	assert_string_equal(client(proxies, "not-an-address", "203.0.113.7"), "not-an-address");
}

/* A proxy may add its own line below the client's rather than extend it:
 * the lines are one list, in order. */
static void several_header_lines(void **state)
{
	struct netaddr_list l;
	char msg[128], buf[NETADDR_TEXT_MAX];
	const char *spoofed[] = {"1.1.1.1", "203.0.113.9"};
	const char *chained[] = {"203.0.113.9", "10.0.0.1, 10.0.0.2"};

	assert_int_equal(netaddr_list_parse("127.0.0.1, 10.0.0.0/8", &l, msg, sizeof(msg)), 0);
	assert_string_equal(netaddr_client("127.0.0.1", spoofed, 2, &l, buf, sizeof(buf)),
			    "203.0.113.9");
	assert_string_equal(netaddr_client("127.0.0.1", chained, 2, &l, buf, sizeof(buf)),
			    "203.0.113.9");
	netaddr_list_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses),
		cmocka_unit_test(lists),
		cmocka_unit_test(matching),
		cmocka_unit_test(client_behind_proxies),
		cmocka_unit_test(several_header_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
