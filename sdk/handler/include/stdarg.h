/*
 * <stdarg.h> - va_list, va_start, va_arg, va_copy, va_end.  No grant needed.
 * Both gcc and TinyCC implement these as compiler builtins.
 */
#ifndef _KARYON_STDARG_H
#define _KARYON_STDARG_H

typedef __builtin_va_list va_list;

#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_copy(dest, src) __builtin_va_copy(dest, src)
#define va_end(ap) __builtin_va_end(ap)

#endif
