#include <liba.h>
unsigned long strlen(const char *s);
LIBA_METHOD(x) { (void)alen; return (long)strlen((const char *)args); }
