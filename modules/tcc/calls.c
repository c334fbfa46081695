/*
 * calls.c - the address behind every call number of the grant table
 * (grants.c): the handler library's own functions (hlib.c, h_*) and the
 * pure ones straight from tcc-runtime, Debian's libtcc1.a and the core.
 *
 * Only addresses are taken here, so each symbol is declared as an array of
 * unknown type; this file includes no header that declares them for real.
 * Built with -fno-builtin: memcpy and friends are plain symbols here.
 */
#include "grants.h"

#define SYMS(X) \
	X(1, memcpy) X(2, memmove) X(3, memset) X(4, memcmp) X(5, memchr) \
	X(6, strlen) X(7, strnlen) X(8, strcmp) X(9, strncmp) X(10, strcpy) \
	X(11, strncpy) X(12, strcat) X(13, strncat) X(14, strchr) X(15, strrchr) \
	X(16, strstr) X(17, strspn) X(18, strcspn) X(19, strpbrk) X(20, strtok) \
	X(21, strtok_r) X(22, strcasecmp) X(23, strncasecmp) X(24, h_strdup) X(25, h_strndup) \
	X(26, h_malloc) X(27, h_calloc) X(28, h_realloc) X(29, h_free) X(30, atoi) \
	X(31, atol) X(32, atoll) X(33, atof) X(34, strtol) X(35, strtoul) \
	X(36, strtoll) X(37, strtoull) X(38, strtod) X(39, strtof) X(40, qsort) \
	X(41, bsearch) X(42, abs) X(43, labs) X(44, llabs) X(45, div) \
	X(46, ldiv) X(47, lldiv) X(48, h_exit) X(49, h_abort) \
	X(50, snprintf) X(51, vsnprintf) X(52, sprintf) X(53, vsprintf) X(54, sscanf) \
	X(55, vsscanf) \
	X(56, isalnum) X(57, isalpha) X(58, isblank) X(59, iscntrl) X(60, isdigit) \
	X(61, isgraph) X(62, islower) X(63, isprint) X(64, ispunct) X(65, isspace) \
	X(66, isupper) X(67, isxdigit) X(68, tolower) X(69, toupper) \
	X(70, sqrt) X(71, fabs) X(72, floor) X(73, ceil) X(74, trunc) \
	X(75, round) X(76, fmod) X(77, fmin) X(78, fmax) X(79, sqrtf) \
	X(80, fabsf) X(81, floorf) X(82, ceilf) X(83, truncf) X(84, roundf) \
	X(85, fmodf) \
	X(86, __fixdfdi) X(87, __fixsfdi) X(88, __fixunsdfdi) X(89, __fixunssfdi) \
	X(90, __fixunsxfdi) X(91, __fixxfdi) X(92, __floatundidf) X(93, __floatundisf) \
	X(94, __floatundixf) X(95, __va_arg) X(96, alloca) \
	X(97, h_printf) X(98, h_vprintf) X(99, h_puts) X(100, h_putchar) \
	X(101, h_fputs) X(102, h_fputc) X(103, h_fputc) X(104, h_fprintf) \
	X(105, h_vfprintf) X(106, h_fflush) X(107, h_stdout) X(108, h_stderr) \
	X(109, h_vfs_read) X(110, h_vfs_size) X(111, h_vfs_write) X(112, h_vfs_append) \
	X(113, h_time_us)

#define DECLARE(nr, sym) extern char sym[];
SYMS(DECLARE)
#define ENTRY(nr, sym) [nr] = sym,
static const void *const addr[] = { SYMS(ENTRY) };

const void *hlib_address(unsigned nr)
{
	return nr < sizeof(addr) / sizeof(addr[0]) ? addr[nr] : NULL;
}
