#!/bin/sh
# fuzz.sh - build and run the libFuzzer targets of tests/fuzz/ (clang with
# ASan and UBSan) on the parsers of untrusted input; docs/reliability.md
# lists them and their campaigns.
#
# Usage: tools/fuzz.sh [TARGET...] [--runs N | --seconds S] [--jobs J]
#                      [--update-corpus] [--list]
#   TARGET: a target to run (default: all of them; --list names them).
#   --runs N: run each target for N inputs.
#   --seconds S: run each target for S seconds (the default: 60).
#   --jobs J: run J fuzzing processes per target (default 1).
#   --update-corpus: merge the new inputs that add coverage back into
#   tests/fuzz/corpus/TARGET (otherwise the tree is never written).
#   --list: print the targets, one per line.
#   --help: this text.
#
# Each target is built into $FUZZ_DIR/TARGET/ (default
# ${TMPDIR:-/tmp}/karyon-fuzz) and run over a copy of its seed corpus
# tests/fuzz/corpus/TARGET (new inputs gather in the copy).  The first
# crash, leak or timeout stops everything: the reproducing input's path is
# printed, and `$FUZZ_DIR/TARGET/fuzz_TARGET INPUT` replays it.  clang is
# installed with apt-get when missing, unless FUZZ_NO_INSTALL=1 (the
# fuzz-smoke test sets it: there a missing clang is a failure).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${FUZZ_DIR:-${TMPDIR:-/tmp}/karyon-fuzz}
ALL="kmod_elf mb2 initrd token lineedit vfs_path vfs_commit vfs_unpack cmdline work gas manifest vq clog parcel channels vm_block smt_proof update_strand liba_enc printf scanf strtod strtol"

die() { echo "fuzz.sh: $*" >&2; exit 2; }

# sources TARGET: the project files and flags a target compiles with, as
# tests/unit/meson.build compiles the same code for its unit test.
krt="tcc-runtime/krt/fmt.c tcc-runtime/krt/format.c"
sources() {
	case $1 in
	kmod_elf) echo "-Imodules modules/kmod/kmod_elf.c $krt" ;;
	mb2) echo "-Iboot boot/multiboot2.c" ;;
	initrd) echo "-Imodules modules/vfs/initrd.c modules/vfs/vfs_fs.c modules/vfs/vfs_path.c $krt tcc-runtime/krt/err.c" ;;
	token) echo "-Imodules modules/shell/token.c $krt" ;;
	lineedit) echo "-Imodules modules/shell/lineedit.c $krt" ;;
	vfs_path) echo "-Imodules modules/vfs/vfs_path.c" ;;
	vfs_commit) echo "-Imodules modules/vfs/commit.c modules/vfs/vfs_fs.c modules/vfs/vfs_tree.c modules/vfs/vfs_path.c $krt" ;;
	vfs_unpack) echo "-Imodules modules/vfs/vfs_fs.c modules/vfs/vfs_tree.c modules/vfs/vfs_path.c $krt" ;;
	cmdline) echo "tcc-runtime/krt/cmdline.c $krt" ;;
	work) echo "-DWORK_HOST -Imodules/sched modules/sched/work.c" ;;
	gas) echo "-Imodules modules/tcc/gas.c $krt" ;;
	manifest) echo "-Imodules -Itests/unit modules/tcc/manifest.c modules/tcc/grants.c $krt" ;;
	vq) echo "-Imodules modules/virtio_blk/vq.c" ;;
	# BLAKE2b as the unit tests and the kernel have it: blake2.c over libb2.a.
	clog) echo "-Imodules/clog modules/clog/format.c modules/clog/log.c tcc-runtime/krt/blake2.c $krt -l:libb2.a" ;;
	# Parcels as the kernel, parcelcat and the unit test have them: the
	# codec, the peroxisome over it, and xxh.c over Debian's libxxhash.a.
	parcel) echo "-Imodules/organelles modules/organelles/parcel.c modules/organelles/perox.c modules/organelles/xxh.c -l:libxxhash.a" ;;
	channels) echo "-Imodules modules/organelles/graph.c modules/organelles/graph_blob.c tcc-runtime/krt/blake2.c $krt -l:libb2.a" ;;
	# The contract VM's decoders as the unit test has them: codec.c,
	# BLAKE2b through blake2.c over libb2.a.
	vm_block) echo "-Imodules modules/vm/codec.c tcc-runtime/krt/blake2.c -l:libb2.a" ;;
	# The contract VM's state tree, over blake2.c and libb2.a as above.
	smt_proof) echo "-Imodules modules/vm/smt.c tcc-runtime/krt/blake2.c -l:libb2.a" ;;
	# Module updates' strand table as unit-update-strand has it: strand.c,
	# BLAKE2b through blake2.c over libb2.a.
	update_strand) echo "-Imodules modules/update/strand.c tcc-runtime/krt/blake2.c -l:libb2.a" ;;
	# The contract argument reader, as unit-liba-enc has it.
	liba_enc) echo "-Isdk/liba/include sdk/liba/enc.c" ;;
	# The libc differential targets include their sources themselves,
	# renamed beside glibc's (as the unit tests do).
	printf|strtod) echo "-Itcc-runtime -Itests/unit -lm" ;;
	scanf|strtol) echo "-Itcc-runtime -Itests/unit" ;;
	*) return 1 ;;
	esac
}

runs= secs=60 jobs=1 update=0 targets=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) [ $# -ge 2 ] || die "--runs needs a number"; runs=$2; secs=; shift ;;
	--seconds) [ $# -ge 2 ] || die "--seconds needs a number"; secs=$2; runs=; shift ;;
	--jobs) [ $# -ge 2 ] || die "--jobs needs a number"; jobs=$2; shift ;;
	--update-corpus) update=1 ;;
	--list) echo "$ALL" | tr ' ' '\n'; exit 0 ;;
	-h|--help) sed -n '2,/^set /s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) die "unknown option $1 (try tools/fuzz.sh --help)" ;;
	*) sources "$1" >/dev/null || die "no target '$1' (have: $ALL)"
	   targets="$targets $1" ;;
	esac
	shift
done
[ -n "$targets" ] || targets=$ALL

if ! command -v clang >/dev/null 2>&1; then
	[ "${FUZZ_NO_INSTALL:-0}" = 1 ] &&
		die "clang is not installed: the fuzz targets need clang's libFuzzer (apt-get install clang; ./karyon installs it)"
	echo "fuzz.sh: installing clang" >&2
	if [ "$(id -u)" = 0 ]; then apt-get install -y clang >&2; else sudo apt-get install -y clang >&2; fi
fi

mkdir -p "$dir"

# build TARGET: compile $dir/TARGET/fuzz_TARGET (quiet unless it fails).
build() {
	t=$1 out=$dir/$1
	mkdir -p "$out/corpus" "$out/crashes"
	# shellcheck disable=SC2046
	(cd "$root" && clang -std=gnu11 -g -O1 -Wall -Wextra -DKR_DEBUG \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Iabi -Itcc-runtime/include "tests/fuzz/fuzz_$t.c" $(sources "$t") \
		-o "$out/fuzz_$t") >"$out/build.log" 2>&1 ||
		{ cat "$out/build.log" >&2; echo "fuzz.sh: $t: build failed" >&2; return 1; }
}

# Build in parallel (two at a time by default: these are slow compiles).
pids=
for t in $targets; do
	build "$t" &
	pids="$pids $!"
	if [ "$(echo "$pids" | wc -w)" -ge "${FUZZ_BUILD_JOBS:-2}" ]; then
		for p in $pids; do wait "$p" || exit 1; done
		pids=
	fi
done
for p in $pids; do wait "$p" || exit 1; done

if [ -n "$runs" ]; then limit="-runs=$runs"; else limit="-max_total_time=$secs"; fi
for t in $targets; do
	out=$dir/$t
	seeds=$root/tests/fuzz/corpus/$t
	[ -d "$seeds" ] && cp -R "$seeds/." "$out/corpus/"
	ls "$out/crashes" >"$out/crashes.before"
	start=$(date +%s)
	# With --jobs, libFuzzer's workers log to fuzz-N.log in the current
	# directory: theirs is $out.
	par=
	[ "$jobs" -gt 1 ] && par="-jobs=$jobs -workers=$jobs"
	# shellcheck disable=SC2086
	if ! (cd "$out" && "$out/fuzz_$t" "$limit" $par -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/crashes/" \
		"$out/corpus" >"$out/run.log" 2>&1); then
		tail -40 "$out/run.log" >&2
		new=$(ls "$out/crashes" | grep -vxF -f "$out/crashes.before" | head -1 || true)
		echo "fuzz.sh: $t: FAILED; reproduce with: $out/fuzz_$t $out/crashes/$new" >&2
		exit 1
	fi
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/run.log" | tail -1)
	echo "fuzz.sh: $t: ${n:-?} inputs in $(( $(date +%s) - start )) s, no crash"
	if [ $update = 1 ]; then
		"$out/fuzz_$t" -merge=1 "$seeds" "$out/corpus" >"$out/merge.log" 2>&1 ||
			{ tail -20 "$out/merge.log" >&2; die "$t: merge failed"; }
	fi
done
