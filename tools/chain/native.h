/*
 * native.h - the gcc -O2 runner of `chain bench` (native.c): the same
 * interface as the real runners (<karyon/contract.h>), for measuring only.
 */
#ifndef KARYON_TOOLS_CHAIN_NATIVE_H
#define KARYON_TOOLS_CHAIN_NATIVE_H

#include <karyon/contract.h>

void native_init(const char *source_root);
const struct kr_contract_ops *native_ops(void);

#endif
