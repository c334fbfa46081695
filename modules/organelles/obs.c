/* obs.c - channel 0 (placeholder until the feed lands in this session). */
#include "org.h"

void obs_append(const uint8_t *parcel, size_t size) { (void)parcel; (void)size; }
kr_err_t obs_start(void) { return KR_OK; }
void obs_stop(void) {}
int obs_cmd(int argc, char **argv, print_fn print, void *ctx)
{ (void)argc; (void)argv; print(ctx, "obs: not built yet\n"); return 1; }
