/* proof.c - boot proofs (placeholder until they land in this session). */
#include "org.h"

kr_err_t proof_start(void) { return KR_OK; }
int proof_cmd(int argc, char **argv, print_fn print, void *ctx)
{ (void)argc; (void)argv; print(ctx, "proof: not built yet\n"); return 1; }
