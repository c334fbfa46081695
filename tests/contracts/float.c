#include <liba.h>
LIBA_METHOD(x) { (void)args; return (long)(alen * 1.5); }
