/* range_fuzz.c - fuzz target: the Range header of downloads */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lms/http/range.h"

/*
 * Input: eight bytes of file size (its low 16 bits only when the first is
 * odd, so that sizes near the numbers in headers come up often), then the
 * header value.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long raw = 0;
	long long size_of_file, first = -7, last = -7, first2 = -7, last2 = -7;
	char *h, again[64];
	enum http_range_kind kind;

	if (size < sizeof(raw))
		return -1;
	memcpy(&raw, data, sizeof(raw));
	size_of_file = (long long)(raw & (data[0] & 1 ? 0xFFFFu : LLONG_MAX));
	h = fuzz_strndup(data + sizeof(raw), size - sizeof(raw));
	kind = http_range_parse(h, size_of_file, &first, &last);
	FUZZ_CHECK(kind == HTTP_RANGE_NONE || kind == HTTP_RANGE_ONE ||
		   kind == HTTP_RANGE_UNSATISFIABLE);
	/* Several ranges are never one. */
	if (strchr(h, ','))
		FUZZ_CHECK(kind == HTTP_RANGE_NONE);
	if (kind != HTTP_RANGE_ONE) {
		FUZZ_CHECK(first == -7 && last == -7);
	} else {
		FUZZ_CHECK(0 <= first && first <= last && last < size_of_file);
		/* The range it found, written out, is the same range. */
		snprintf(again, sizeof(again), "bytes=%lld-%lld", first, last);
		kind = http_range_parse(again, size_of_file, &first2, &last2);
		FUZZ_CHECK(kind == HTTP_RANGE_ONE && first2 == first && last2 == last);
	}
	free(h);
	return 0;
}
