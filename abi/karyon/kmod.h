/*
 * kmod.h - the "kmod" service: loading and unloading modules at run time.
 *
 * Implemented by the kmod module (modules/kmod), not by the core; the
 * shell's insmod/rmmod/lsmod and the tests use it through
 * kr_service_open(self, "kmod", KR_KMOD_SERVICE_VERSION, &cap).
 */
#ifndef KARYON_KMOD_H
#define KARYON_KMOD_H

#include <karyon/module.h>
#include <karyon/service.h>

#define KR_KMOD_SERVICE_VERSION 6     /* 2: link; 3: watch; 4: layout; 5: caps; 6: live */

enum kr_kmod_state { KR_KMOD_LOADING = 1, KR_KMOD_LIVE = 2, KR_KMOD_UNLOADING = 3 };

/* One loaded module, as lsmod shows it. */
struct kr_kmod_entry {
	uint32_t version;       /* KR_KMOD_ENTRY_VERSION */
	uint32_t state;         /* enum kr_kmod_state */
	char     name[KR_MODULE_NAME_MAX];
	uint32_t module_version;
	uint32_t users;         /* loaded modules that depend on it */
	uint64_t size;          /* bytes of memory its image takes */
	uint8_t  digest[32];    /* BLAKE2b-256 of its file (zero if unmeasured) */
	char     used_by[64];   /* names of the users, comma-separated */
	uint32_t builtin;       /* 1: linked into the kernel image */
	uint32_t reserved;
};
#define KR_KMOD_ENTRY_VERSION 1
KR_ABI_SIZE(struct kr_kmod_entry, 160);

/* Linking a plain relocatable object that is not a module (a handler the
 * tcc module compiled): memory comes from alloc (page-aligned, writable,
 * size a multiple of 4096), every undefined symbol from resolve and from
 * nowhere else, neither the kernel nor other modules.  resolve returns
 * KR_OK with *addr or KR_ENOENT (the link then fails with "unresolved
 * symbol: NAME").  The object's entry is the global function named entry. */
#define KR_KMOD_LINK_VERSION 2     /* 2: link_addr, defined (version 1 still accepted) */
struct kr_kmod_link {
	uint32_t version;       /* KR_KMOD_LINK_VERSION */
	uint32_t reserved;
	void *ctx;
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *p, size_t size);
	kr_err_t (*resolve)(void *ctx, const char *name, uint64_t *addr);
	const char *entry;
	/* Version 2.  link_addr: page-aligned address the image will run at
	 * (a user address space), 0: where alloc put it.  Relocations, entry
	 * and the addresses passed to defined are run-time addresses. */
	uint64_t link_addr;
	/* May be NULL: called for every global symbol the object defines; an
	 * error from it fails the link. */
	kr_err_t (*defined)(void *ctx, const char *name, uint64_t addr);
};
KR_ABI_SIZE(struct kr_kmod_link, 64);

/* The linked image: three page-aligned regions of base[0..size); the caller
 * makes text read+exec, ro read-only, data read+write (in the kernel or,
 * linked for link_addr, in an address space), and frees base (with the
 * free it passed) when done.  entry is a run-time address. */
#define KR_KMOD_LINKED_VERSION 1
struct kr_kmod_linked {
	uint32_t version;       /* KR_KMOD_LINKED_VERSION */
	uint32_t reserved;
	uint8_t *base;
	uint64_t size;
	uint64_t text_off, text_size;
	uint64_t ro_off, ro_size;
	uint64_t data_off, data_size;
	uint64_t entry;         /* address of the entry function */
};
KR_ABI_SIZE(struct kr_kmod_linked, 80);

/* Where a loaded module's image lies (version 4's layout): three
 * page-aligned regions, in this order, inside [base, base + size).  For
 * lsmod -v and debuggers (tools/gdb/karyon.py recomputes each ELF
 * section's address from the file and text, as the loader lays them out:
 * modules/kmod/kmod_elf.c kmod_layout). */
#define KR_KMOD_LAYOUT_VERSION 1
struct kr_kmod_layout {
	uint32_t version;       /* KR_KMOD_LAYOUT_VERSION */
	uint32_t reserved;
	uint64_t base, size;
	uint64_t text, text_size;       /* executable sections */
	uint64_t ro, ro_size;           /* read-only data, descriptor, exports, GOT */
	uint64_t data, data_size;       /* writable data and .bss */
};
KR_ABI_SIZE(struct kr_kmod_layout, 72);

/* Version 6: live replacement (<karyon/live.h>): how one is made. */
#define KR_KMOD_LIVE_VERSION 1
struct kr_kmod_live {
	uint32_t version;       /* KR_KMOD_LIVE_VERSION */
	uint32_t window;        /* probation: calls guarded before the old version goes; 0: none */
	const char *origin;     /* names the file in messages */
	/* Each line of the outcome, when the replacement is made and when its
	 * probation ends (confirmed or rolled back); may be NULL.  Runs in the
	 * task that made the last call of the window or hit the fault. */
	void (*report)(void *ctx, const char *name, bool kept, const char *line);
	void *ctx;
};
KR_ABI_SIZE(struct kr_kmod_live, 32);

/* The replacement in probation, if any. */
#define KR_KMOD_LIVE_STATUS_VERSION 1
struct kr_kmod_live_status {
	uint32_t version;       /* KR_KMOD_LIVE_STATUS_VERSION */
	uint32_t active;        /* 1: a replacement is in probation */
	char     name[KR_MODULE_NAME_MAX];
	uint32_t calls, window; /* guarded calls so far, of window */
	uint32_t services;      /* services handed over */
	uint32_t reserved;
	uint64_t state_bytes;   /* the state handed over, last replacement */
	uint64_t pause_tsc;     /* TSC ticks callers waited, last replacement */
};
KR_ABI_SIZE(struct kr_kmod_live_status, 72);

struct kr_kmod_ops {
	struct kr_ops_header hdr;       /* version KR_KMOD_SERVICE_VERSION */
	/* Load the module in file[0..size) (origin names it in messages).  On
	 * failure, err (if not NULL) gets one line saying why. */
	kr_err_t (*load)(const void *file, size_t size, const char *origin,
			 char *err, size_t errlen);
	/* Unload by name; refused with the reason while it is in use. */
	kr_err_t (*unload)(const char *name, char *err, size_t errlen);
	/* The index-th loaded module (load order); KR_ENOENT past the last. */
	kr_err_t (*get)(uint32_t index, struct kr_kmod_entry *out);
	/* Validate file[0..size) and copy its descriptor (init and exit are
	 * NULL: nothing is loaded), for modinfo and for loading dependencies
	 * first. */
	kr_err_t (*describe)(const void *file, size_t size, struct kr_module_info *out,
			     char *err, size_t errlen);
	/* Version 2: link a plain object (see struct kr_kmod_link). */
	kr_err_t (*link)(const void *file, size_t size, const struct kr_kmod_link *how,
			 struct kr_kmod_linked *out, char *err, size_t errlen);
	/* Version 3: call fn (loaded true or false, the module's name) after
	 * every module that comes up or goes away from now on, built-in ones
	 * at boot excepted.  Up to 4 watchers, one per domain; fn NULL stops
	 * d's (a watcher's exit must).  fn runs in the loading task: short,
	 * no loading or unloading from it.  KR_ENOSPC when 4 watch. */
	kr_err_t (*watch)(kr_domain_t *d, void (*fn)(void *ctx, bool loaded, const char *name),
			  void *ctx);
	/* Version 4: where the index-th module (numbered as get numbers them)
	 * was loaded.  KR_ENOSYS for a built-in module (it lies in the kernel
	 * image, whose symbols say where), KR_ENOENT past the last. */
	kr_err_t (*layout)(uint32_t index, struct kr_kmod_layout *out);
	/* Version 5: a loaded module's capability table, as kr_cap_dump
	 * prints it (the shell's `caps NAME`; built-in modules' tables are
	 * read through kr_builtin_module).  KR_ENOENT if no module of that
	 * name was loaded. */
	kr_err_t (*caps)(const char *name, kr_print_fn print, void *ctx);
	/* Version 6: replace the running module of file's name with file,
	 * live (<karyon/live.h>).  Refused with nothing changed (err says
	 * why) when either version cannot, the state versions differ, one is
	 * in probation already, or the old one stays busy; a failing import
	 * leaves the old one running. */
	kr_err_t (*live)(const void *file, size_t size, const struct kr_kmod_live *how,
			 char *err, size_t errlen);
	kr_err_t (*live_status)(struct kr_kmod_live_status *out);
	/* End the probation now: confirm (the old version goes) or roll
	 * back.  KR_ENOENT if none is running. */
	kr_err_t (*live_end)(bool confirm, char *err, size_t errlen);
};
KR_ABI_OFFSET(struct kr_kmod_ops, load, 16);
KR_ABI_OFFSET(struct kr_kmod_ops, watch, 56);
KR_ABI_OFFSET(struct kr_kmod_ops, caps, 72);
KR_ABI_OFFSET(struct kr_kmod_ops, live, 80);
KR_ABI_SIZE(struct kr_kmod_ops, 104);

#endif
