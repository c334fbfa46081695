#!/bin/sh
# fuzz_kmod.sh - fuzz the module ELF loader (modules/kmod/kmod_elf.c) with
# libFuzzer under ASan and UBSan, seeded with the test fixtures.  Not part
# of CI.
#
# Usage: tools/fuzz_kmod.sh [seconds]      (default 60)
# Work files (binary, seeds, the growing corpus, crash inputs) go to
# $FUZZ_DIR, default ${TMPDIR:-/tmp}/karyon-fuzz-kmod.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
dir=${FUZZ_DIR:-${TMPDIR:-/tmp}/karyon-fuzz-kmod}
fix=$root/tests/unit/kmod_fixtures

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz_kmod: installing clang" >&2
	if [ "$(id -u)" = 0 ]; then apt-get install -y clang; else sudo apt-get install -y clang; fi
fi

mkdir -p "$dir/seeds" "$dir/corpus" "$dir/crashes"

# The seeds: the test fixtures, built with the module flags.
mflags="-std=gnu11 -O2 -ffreestanding -nostdinc -idirafter $(gcc -print-file-name=include)
	-fno-pie -fno-pic -mcmodel=kernel -mno-red-zone -mgeneral-regs-only
	-fno-asynchronous-unwind-tables -fno-common -I$root/abi"
# shellcheck disable=SC2086
gcc $mflags -c "$fix/hello.c" -o "$dir/seeds/hello.kmod"
# shellcheck disable=SC2086
gcc $mflags -c "$fix/relocs_a.c" -o "$dir/relocs_a.o"
# shellcheck disable=SC2086
gcc $mflags -c "$fix/relocs_b.c" -o "$dir/relocs_b.o"
ld -r "$dir/relocs_a.o" "$dir/relocs_b.o" -o "$dir/seeds/relocs.kmod"

clang -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$root/abi" -I"$root/tcc-runtime/include" -I"$root/modules" \
	"$root/tests/fuzz/fuzz_kmod_elf.c" "$root/modules/kmod/kmod_elf.c" \
	"$root/tcc-runtime/krt/fmt.c" "$root/tcc-runtime/krt/format.c" -o "$dir/fuzz_kmod_elf"

exec "$dir/fuzz_kmod_elf" -max_total_time="$secs" -max_len=16384 \
	-artifact_prefix="$dir/crashes/" "$dir/corpus" "$dir/seeds"
