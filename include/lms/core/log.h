/* log.h - leveled logging as JSON lines on stderr */
#ifndef LMS_CORE_LOG_H
#define LMS_CORE_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the lowest level written; the default is LOG_INFO. */
void log_level_set(enum log_level level);

/* Parses "debug", "info", "warn" or "error"; returns false otherwise. */
bool log_level_parse(const char *s, enum log_level *out);

/* Writes {"ts","level","msg"} for a printf-style message. Thread-safe. */
void log_write(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes one already-formatted JSON object (no newline) as a line, whatever
 * the level: the access log uses it. */
void log_json_line(const char *json);

#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)

#endif
