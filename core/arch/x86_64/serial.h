/*
 * serial.h - the 16550 UART on COM1, polled.
 */
#ifndef KARYON_X86_SERIAL_H
#define KARYON_X86_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

bool serial_init(void);                       /* false if no UART answers */
void serial_write(const char *s, size_t n);   /* "\n" goes out as "\r\n" */

#endif
