/* Error message formatting (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Messages echo user input (a quoted "\n" in YAML, a bare CR in a CSV line): control characters are
 * written as escapes so that a message stays one line. */
static void copy_escaped(char *dst, size_t cap, const char *src)
{
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)src; *s; s++) {
        char esc[8];
        int k;
        if (*s >= 0x20 && *s != 0x7f) esc[0] = (char)*s, k = 1;
        else if (*s == '\n') k = snprintf(esc, sizeof esc, "\\n");
        else if (*s == '\r') k = snprintf(esc, sizeof esc, "\\r");
        else if (*s == '\t') k = snprintf(esc, sizeof esc, "\\t");
        else k = snprintf(esc, sizeof esc, "\\x%02x", *s);
        if (o + (size_t)k >= cap) break;
        memcpy(dst + o, esc, (size_t)k);
        o += (size_t)k;
    }
    dst[o] = 0;
}

int cr_err_set(cr_err *e, int status, const char *fmt, ...)
{
    if (e) {
        char raw[sizeof e->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        copy_escaped(e->msg, sizeof e->msg, raw);
    }
    return status;
}

void cr_err_prefix(cr_err *e, const char *fmt, ...)
{
    if (!e) return;
    char raw[512], head[512], old[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    copy_escaped(head, sizeof head, raw);
    memcpy(old, e->msg, sizeof old);
    /* Truncation is acceptable: the message stays one bounded line. */
    size_t h = strlen(head);
    if (h > sizeof e->msg - 3) h = sizeof e->msg - 3;
    memcpy(e->msg, head, h);
    memcpy(e->msg + h, ": ", 2);
    size_t room = sizeof e->msg - h - 3, o = strlen(old);
    if (o > room) o = room;
    memcpy(e->msg + h + 2, old, o);
    e->msg[h + 2 + o] = 0;
}
