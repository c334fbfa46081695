/*
 * smt_golden.c - the state tree's proofs for tests/tools/test_vm_proof.py,
 * which checks them with tools/vm_proof.py (an independent verifier).
 *
 * Usage: smt_golden            print the golden state's root and proofs
 *        smt_golden --write DIR   write DIR/smt_proof.bin (slot 0's
 *                                 inclusion proof), smt_proof_absent.bin
 *                                 and smt_proof.root (the root in hex)
 *
 * Printed lines, hex throughout:
 *   root ROOT
 *   incl CONTRACT KEYTEXT VALUE PROOF     (VALUE "-" for an empty value)
 *   excl CONTRACT KEYTEXT PROOF
 * for every slot of smt_golden.h, then for absent keys: slots' keys under
 * other contracts, and a few more.
 */
#include <stdio.h>
#include "smt_golden.h"

static void hex(FILE *f, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", ((const uint8_t *)p)[i]);
}

static size_t prove(struct smt *t, uint8_t contract, const char *key, uint8_t *out)
{
	uint8_t k[SMT_HASH_LEN];
	size_t len;

	smt_golden_key(k, contract, key);
	if (smt_prove(t, k, out, SMT_PROOF_MAX, &len)) {
		fprintf(stderr, "smt_golden: smt_prove failed\n");
		exit(1);
	}
	return len;
}

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static uint8_t proof[SMT_PROOF_MAX];
	uint8_t root[SMT_HASH_LEN], a[32];
	static const char *const extra[] = { "nonce", "balance:dave", "x", "" };
	struct smt t;
	size_t len;

	smt_golden_build(&t);
	smt_root(&t, root);
	if (argc == 3 && !strcmp(argv[1], "--write")) {
		char line[2 * SMT_HASH_LEN + 2];

		len = prove(&t, smt_golden_slots[0].contract, smt_golden_slots[0].key, proof);
		write_file(argv[2], "smt_proof.bin", proof, len);
		len = prove(&t, SMT_GOLDEN_ABSENT_CONTRACT, SMT_GOLDEN_ABSENT_KEY, proof);
		write_file(argv[2], "smt_proof_absent.bin", proof, len);
		for (int i = 0; i < SMT_HASH_LEN; i++)
			snprintf(line + 2 * i, 3, "%02x", root[i]);
		line[2 * SMT_HASH_LEN] = '\n';
		write_file(argv[2], "smt_proof.root", line, 2 * SMT_HASH_LEN + 1);
		smt_free(&t);
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: smt_golden [--write DIR]\n");
		return 2;
	}
	printf("root "), hex(stdout, root, sizeof(root)), printf("\n");
	for (size_t i = 0; i < SMT_GOLDEN_N; i++) {
		const struct smt_golden_slot *s = &smt_golden_slots[i];

		len = prove(&t, s->contract, s->key, proof);
		memset(a, s->contract, sizeof(a));
		printf("incl "), hex(stdout, a, 32), printf(" %s ", s->key);
		if (*s->value)
			hex(stdout, s->value, strlen(s->value));
		else
			printf("-");
		printf(" "), hex(stdout, proof, len), printf("\n");
	}
	for (unsigned c = 0xc0; c <= 0xc3; c++) {
		for (size_t i = 0; i < SMT_GOLDEN_N + 4; i++) {
			const char *key = i < SMT_GOLDEN_N ? smt_golden_slots[i].key :
							    extra[i - SMT_GOLDEN_N];
			uint8_t k[SMT_HASH_LEN];

			if (!*key)
				continue;
			smt_golden_key(k, (uint8_t)c, key);
			if (smt_get(&t, k, NULL))
				continue;
			len = prove(&t, (uint8_t)c, key, proof);
			memset(a, (int)c, sizeof(a));
			printf("excl "), hex(stdout, a, 32), printf(" %s ", key);
			hex(stdout, proof, len), printf("\n");
		}
	}
	smt_free(&t);
	return 0;
}
