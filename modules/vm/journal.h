/*
 * journal.h - the contract VM's storage journal (journal.c), issue 18's
 * requirement 3: storage writes go to a journal that is applied on
 * success and discarded on revert, fault or out-of-gas; nested calls have
 * their own journal layers.
 *
 * Levels, bottom up:
 *	the store      the committed storage, behind the caller's vm_store
 *	               (the state tree, or a test's model);
 *	level 0        pending: what committed transactions wrote and the
 *	               store has not received yet (a block's write set);
 *	levels 1..16   open layers: the running transaction (1) and the
 *	               nested calls it made (2, 3, ...).
 * A write goes to the innermost layer; a read sees the innermost layer's
 * view: each level down to the store, the first that holds the key wins
 * (a delete is a tombstone that hides the levels below).  Committing a
 * layer merges it into the one below (layer 1: into level 0); reverting
 * it drops it.  vm_journal_changes gives level 0 in canonical order
 * (address bytes, then key bytes, a key before the longer keys it is a
 * prefix of), so every machine applies the same writes in the same order,
 * and vm_journal_apply hands them to the store.
 *
 * Memory is bounded: at most max_entries (address, key) entries over all
 * levels and max_bytes of entries (VM_JOURNAL_ENTRY_COST each plus key
 * and value bytes), both set at init; a write past either is refused with
 * KR_ENOSPC and changes nothing.  Besides the entries, the journal holds
 * two arrays of max_entries pointers, allocated at init, so that commit
 * and revert never allocate and cannot fail; and an overwrite allocates
 * the new entry before it frees the old, so for a moment it holds one
 * entry (at most VM_JOURNAL_ENTRY_COST + KR_VM_KEY_MAX + KR_VM_VALUE_MAX
 * bytes) over max_bytes.  All memory comes from the caller's allocator.
 * Not thread-safe: one journal per executing transaction stream.
 */
#ifndef VM_JOURNAL_H
#define VM_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>
#include <karyon/vm.h>

#define VM_JOURNAL_DEPTH_MAX    16              /* open layers: nested call depth */
#define VM_JOURNAL_ENTRIES_MAX  65536           /* the most max_entries can be */
#define VM_JOURNAL_ENTRIES_DEFAULT 16384
#define VM_JOURNAL_BYTES_DEFAULT   (4u << 20)
#define VM_JOURNAL_ENTRY_COST   ((size_t)sizeof(struct vm_change))

struct vm_alloc {
	void *(*alloc)(void *ctx, size_t size);         /* NULL: out of memory */
	void (*free)(void *ctx, void *p);
	void *ctx;
};

/* The committed store.  get: KR_OK with the value in val (*val_len its
 * length), KR_ENOENT when absent, KR_ENOSPC when cap is too small (*val_len
 * the length needed); set and del: KR_OK, or an error that stops
 * vm_journal_apply.  A del of an absent key is KR_OK. */
struct vm_store {
	kr_err_t (*get)(void *ctx, const uint8_t addr[KR_VM_ADDR_LEN], const uint8_t *key,
			size_t key_len, uint8_t *val, size_t cap, size_t *val_len);
	kr_err_t (*set)(void *ctx, const uint8_t addr[KR_VM_ADDR_LEN], const uint8_t *key,
			size_t key_len, const uint8_t *val, size_t val_len);
	kr_err_t (*del)(void *ctx, const uint8_t addr[KR_VM_ADDR_LEN], const uint8_t *key,
			size_t key_len);
	void *ctx;
};

/* One write: a value, or a delete.  key and val lie in the same
 * allocation, after the struct. */
struct vm_change {
	uint8_t addr[KR_VM_ADDR_LEN];
	const uint8_t *key;
	const uint8_t *val;             /* NULL for a delete */
	uint16_t key_len;               /* 1..KR_VM_KEY_MAX */
	uint16_t val_len;               /* 1..KR_VM_VALUE_MAX; 0 for a delete */
	bool deleted;
};

struct vm_journal {
	struct vm_alloc a;
	struct vm_store store;
	struct vm_change **ent;         /* every level's entries, level by level, each sorted */
	struct vm_change **scratch;     /* commit's merge */
	uint32_t max_entries, count;
	size_t max_bytes, bytes;
	uint32_t start[VM_JOURNAL_DEPTH_MAX + 1];       /* start[l]: level l's first entry */
	unsigned depth;                 /* open layers */
	const char *why;                /* the last refusal's reason (VM_JWHY_*) */
};

/* KR_EINVAL: NULL pointers or an allocator or store without its
 * functions; KR_ERANGE: max_entries 0 or over VM_JOURNAL_ENTRIES_MAX, or
 * max_bytes under one entry's cost; KR_ENOMEM: the arrays. */
kr_err_t vm_journal_init(struct vm_journal *j, const struct vm_alloc *a,
			 const struct vm_store *store, uint32_t max_entries, size_t max_bytes);
/* Free everything: open layers and pending changes are dropped. */
void vm_journal_fini(struct vm_journal *j);

/* Open a layer on top: *layer = its number (1 for the transaction's).
 * KR_ERANGE when VM_JOURNAL_DEPTH_MAX are open. */
kr_err_t vm_journal_begin(struct vm_journal *j, unsigned *layer);
/* Merge the innermost layer into the one below (layer 1: into the pending
 * changes), or drop it.  KR_EINVAL unless layer is the innermost open one;
 * otherwise they cannot fail. */
kr_err_t vm_journal_commit(struct vm_journal *j, unsigned layer);
kr_err_t vm_journal_revert(struct vm_journal *j, unsigned layer);

/* Write or delete in the innermost layer.  KR_EINVAL: no layer open, a
 * NULL pointer, a key or value length out of range (karyon/vm.h);
 * KR_ENOSPC: over max_entries or max_bytes; KR_ENOMEM: the allocator
 * failed.  On an error nothing changed. */
kr_err_t vm_journal_set(struct vm_journal *j, const uint8_t addr[KR_VM_ADDR_LEN],
			const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len);
kr_err_t vm_journal_del(struct vm_journal *j, const uint8_t addr[KR_VM_ADDR_LEN],
			const uint8_t *key, size_t key_len);

/* Read through the levels to the store, as the store's get answers
 * (KR_OK, KR_ENOENT, KR_ENOSPC with *val_len the length needed). */
kr_err_t vm_journal_get(struct vm_journal *j, const uint8_t addr[KR_VM_ADDR_LEN],
			const uint8_t *key, size_t key_len, uint8_t *val, size_t cap,
			size_t *val_len);

/* The pending changes in canonical order (valid until the next call that
 * changes the journal).  KR_EBUSY while a layer is open. */
kr_err_t vm_journal_changes(const struct vm_journal *j, struct vm_change *const **list,
			    uint32_t *n);
/* Hand the pending changes to the store in canonical order, then drop
 * them.  A store error stops it and keeps them all (applying a change
 * twice is harmless: set and del are idempotent), so it can be retried.
 * KR_EBUSY while a layer is open. */
kr_err_t vm_journal_apply(struct vm_journal *j);
/* Drop the pending changes (a block that is not kept). */
kr_err_t vm_journal_discard(struct vm_journal *j);

#define VM_JWHY_ARGS     "bad arguments"
#define VM_JWHY_NO_LAYER "no open layer"
#define VM_JWHY_LAYER    "not the innermost layer"
#define VM_JWHY_DEPTH    "too many nested layers"
#define VM_JWHY_KEY      "key length out of range"
#define VM_JWHY_VALUE    "value length out of range"
#define VM_JWHY_ENTRIES  "journal full: too many entries"
#define VM_JWHY_BYTES    "journal full: too many bytes"
#define VM_JWHY_NOMEM    "out of memory"
#define VM_JWHY_BUSY     "layers still open"

#endif
