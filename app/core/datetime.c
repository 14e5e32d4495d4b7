/* datetime.c - calendar dates and RFC 3339 instants as requests write them */
#include "lms/core/datetime.h"

#include <string.h>

/* Reads exactly n decimal digits at s into *v. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static bool leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil; y >= 1 here, so no negative eras). */
static long long civil_days(int y, int m, int d)
{
	int yy = m <= 2 ? y - 1 : y;
	long long era = yy / 400;
	long long yoe = yy - era * 400;
	long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* The "YYYY-MM-DD" at the start of s (exactly ten characters). */
static bool date_prefix(const char *s, long long *days)
{
	int y, m, d;

	if (strnlen(s, 10) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return false;
	*days = civil_days(y, m, d);
	return true;
}

bool datetime_date_parse(const char *s, long long *days)
{
	long long v;

	if (!s || strlen(s) != 10 || !date_prefix(s, &v))
		return false;
	*days = v;
	return true;
}

bool datetime_timestamp_parse(const char *s, long long *usec)
{
	long long days, frac = 0;
	int h, mi, sec, oh = 0, om = 0, sign = 0, nfrac = 0;
	const char *p;

	if (!s || !date_prefix(s, &days) || s[10] != 'T')
		return false;
	p = s + 11;
	if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi) || p[5] != ':' ||
	    !digits(p + 6, 2, &sec) || h > 23 || mi > 59 || sec > 59)
		return false;
	p += 8;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
			if (nfrac == 6)
				return false;
			frac = frac * 10 + (*p - '0');
		}
		if (nfrac == 0)
			return false;
		for (int i = nfrac; i < 6; i++)
			frac *= 10;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 15 ||
		    om > 59)
			return false;
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	*usec = ((days * 86400 + h * 3600 + mi * 60 + sec) - sign * (oh * 3600 + om * 60)) *
			1000000LL +
		frac;
	return true;
}

/* Korea has kept +09:00 all year since 1988. */
#define KST_OFFSET_S (9 * 3600)

bool datetime_instant_parse(const char *s, long long *usec)
{
	size_t n = s ? strlen(s) : 0;
	long long days;
	char buf[64];

	if (datetime_date_parse(s, &days)) {
		*usec = (days * 86400 - KST_OFFSET_S) * 1000000LL;
		return true;
	}
	if (n > 19 && n < sizeof(buf) && s[n - 6] == ' ') {
		memcpy(buf, s, n + 1);
		buf[n - 6] = '+';
		s = buf;
	}
	return datetime_timestamp_parse(s, usec);
}
