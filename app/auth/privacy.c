/* privacy.c - the privacy notice's version and items */
#include "lms/auth/privacy.h"

#include <string.h>

static const char *const optional_items[] = {"program_news", "survey", NULL};

bool privacy_optional_item(const char *item)
{
	for (size_t i = 0; item && optional_items[i]; i++)
		if (strcmp(item, optional_items[i]) == 0)
			return true;
	return false;
}

const char *privacy_optional_list(void) { return "program_news,survey"; }

json_t *privacy_notice_json(void)
{
	json_t *items = json_pack("[{s:s, s:b}]", "code", PRIVACY_REQUIRED_ITEM, "required", 1);

	for (size_t i = 0; items && optional_items[i]; i++)
		json_array_append_new(items, json_pack("{s:s, s:b}", "code", optional_items[i],
						       "required", 0));
	return json_pack("{s:s, s:o, s:{s:s, s:s}}", "version", PRIVACY_NOTICE_VERSION, "items",
			 items, "text", "ko", "/privacy/notice.ko.txt", "en",
			 "/privacy/notice.en.txt");
}
