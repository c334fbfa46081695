/*
 * time.h - tick counter, TSC frequency and uptime.
 */
#ifndef KARYON_TIME_H
#define KARYON_TIME_H

#include <stdint.h>

#define TIME_HZ 100     /* timer interrupts per second */

void time_init(uint64_t entry_tsc);
uint64_t time_tsc_since_entry(void);
uint64_t time_tsc_to_us(uint64_t cycles);

#endif
