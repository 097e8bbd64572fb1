/* Error message formatting (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cr_err_set(cr_err *e, int status, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}

void cr_err_prefix(cr_err *e, const char *fmt, ...)
{
    if (!e) return;
    char head[512], old[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
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
