/*
 * strand.c - the strand table of module updates (strand.h): two strands
 * per module, a record saying what they hold, and the operations that
 * move between the states without ever leaving the module unloadable.
 *
 * Three layers, bottom up:
 *	the codec      strand_record_encode/decode: <karyon/update.h>'s bytes,
 *	               little-endian, byte by byte (no host endianness or
 *	               alignment), every field checked by one rec_check;
 *	the store      commit (the next record into the copy that does not
 *	               hold the current one, then a flush), put_image
 *	               (chunked writes, then a flush), check_image (read back
 *	               and hash);
 *	operations     each in two halves, seL4 style: checks that change
 *	               nothing, then the store writes in an order that keeps
 *	               strand.h's invariant at every point: an image is
 *	               overwritten only after a durable record says its strand
 *	               is empty, a strand is named written only after its image
 *	               is flushed, and the preference flips in one record write.
 */
#include <karyon/hash.h>
#include <karyon/libc.h>

#include "strand.h"

/* ---- little-endian fields ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static kr_err_t refuse(const char **why, const char *what, kr_err_t err)
{
	if (why)
		*why = what;
	return err;
}

/* ---- names ---- */

const char *strand_blob_name(enum strand_blob b)
{
	static const char *const names[STRAND_BLOBS] = { "record.a", "record.b", "strand.a",
							 "strand.b" };

	return (unsigned)b < STRAND_BLOBS ? names[b] : NULL;
}

char strand_letter(unsigned which)
{
	return which ? 'B' : 'A';
}

const char *strand_state_name(unsigned state)
{
	static const char *const names[] = { "empty", "written", "verified", "failed" };

	return state <= KR_STRAND_STATE_MAX ? names[state] : "?";
}

/* A module name as kr_module_info has it: [a-z0-9_], 1..31 bytes. */
static bool name_ok(const char *s, size_t cap)
{
	size_t n = 0;

	while (n < cap && s[n]) {
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
		n++;
	}
	return n > 0 && n < cap;
}

/* ---- the codec ---- */

#define STRAND_OFF 64           /* struct kr_update_record.strand */
#define STRAND_SIZE 64          /* struct kr_update_strand */

/* Everything a record must satisfy beyond its bytes: NULL when it does. */
static const char *rec_check(const struct strand_rec *r)
{
	if (!name_ok(r->name, sizeof(r->name)))
		return "bad module name";
	for (size_t i = strnlen(r->name, sizeof(r->name)); i < sizeof(r->name); i++)
		if (r->name[i])
			return "bytes after the module name";
	if (r->generation == 0)
		return "generation 0";
	if (r->preferred > STRAND_B)
		return "preferred strand out of range";
	if (r->pad)
		return "padding not zero";
	if (r->flags & ~KR_UPDATE_F_KNOWN)
		return "unknown record flags";
	if ((r->flags & KR_UPDATE_F_TRIAL) && !(r->flags & KR_UPDATE_F_PROBATION))
		return "trial boot without probation";
	for (int i = 0; i < 2; i++) {
		const struct strand_info *s = &r->s[i];

		if (s->state > KR_STRAND_STATE_MAX)
			return "strand state out of range";
		if (s->flags & ~KR_STRAND_F_KNOWN)
			return "unknown strand flags";
		if (s->pad[0] || s->pad[1])
			return "padding not zero";
		if (s->state == KR_STRAND_EMPTY) {
			if (s->length || s->version || s->flags ||
			    !all_zero(s->digest, sizeof(s->digest)))
				return "an empty strand with contents";
		} else if (s->length == 0 || s->length > KR_UPDATE_IMAGE_MAX) {
			return "strand length out of range";
		}
	}
	return NULL;
}

kr_err_t strand_record_encode(const struct strand_rec *r, uint8_t out[KR_UPDATE_RECORD_SIZE],
			      const char **why)
{
	const char *bad;

	if (!r || !out)
		return refuse(why, "bad arguments", KR_EINVAL);
	bad = rec_check(r);
	if (bad)
		return refuse(why, bad, KR_EINVAL);
	memset(out, 0, KR_UPDATE_RECORD_SIZE);
	put32(out, KR_UPDATE_MAGIC);
	put16(out + 4, KR_UPDATE_VERSION);
	put16(out + 6, r->flags);
	put64(out + 8, r->generation);
	memcpy(out + 16, r->name, KR_UPDATE_NAME_LEN);
	out[48] = r->preferred;
	put32(out + 52, r->probation_calls);
	put64(out + 56, r->probation_time);
	for (int i = 0; i < 2; i++) {
		uint8_t *p = out + STRAND_OFF + i * STRAND_SIZE;

		memcpy(p, r->s[i].digest, KR_UPDATE_DIGEST_LEN);
		put64(p + 32, r->s[i].length);
		put32(p + 40, r->s[i].version);
		p[44] = r->s[i].state;
		p[45] = r->s[i].flags;
	}
	/* Cannot fail: out and its length are checked above. */
	(void)kr_blake2b_256(out + KR_UPDATE_SUM_OFF, out, KR_UPDATE_SUM_OFF);
	return KR_OK;
}

kr_err_t strand_record_decode(const uint8_t *buf, size_t len, struct strand_rec *r,
			      const char **why)
{
	uint8_t sum[KR_UPDATE_DIGEST_LEN];
	struct strand_rec d;
	const char *bad;

	if (!buf || !r)
		return refuse(why, "bad arguments", KR_EINVAL);
	if (len < KR_UPDATE_RECORD_SIZE)
		return refuse(why, "shorter than a record", KR_ETRUNC);
	if (len > KR_UPDATE_RECORD_SIZE)
		return refuse(why, "longer than a record", KR_EFORMAT);
	if (get32(buf) != KR_UPDATE_MAGIC)
		return refuse(why, "bad magic", KR_EFORMAT);
	if (get16(buf + 4) != KR_UPDATE_VERSION)
		return refuse(why, "unknown record version", KR_EFORMAT);
	if (kr_blake2b_256(sum, buf, KR_UPDATE_SUM_OFF) != KR_OK ||
	    memcmp(sum, buf + KR_UPDATE_SUM_OFF, sizeof(sum)))
		return refuse(why, "checksum mismatch", KR_EFORMAT);
	if (buf[16 + KR_UPDATE_NAME_LEN - 1])
		return refuse(why, "module name not terminated", KR_EFORMAT);
	if (!all_zero(buf + 49, 3) || !all_zero(buf + 192, 32))
		return refuse(why, "reserved bytes not zero", KR_EFORMAT);
	memset(&d, 0, sizeof(d));
	d.flags = get16(buf + 6);
	d.generation = get64(buf + 8);
	memcpy(d.name, buf + 16, KR_UPDATE_NAME_LEN);
	d.preferred = buf[48];
	d.probation_calls = get32(buf + 52);
	d.probation_time = get64(buf + 56);
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = buf + STRAND_OFF + i * STRAND_SIZE;

		if (!all_zero(p + 46, 18))
			return refuse(why, "reserved bytes not zero", KR_EFORMAT);
		memcpy(d.s[i].digest, p, KR_UPDATE_DIGEST_LEN);
		d.s[i].length = get64(p + 32);
		d.s[i].version = get32(p + 40);
		d.s[i].state = p[44];
		d.s[i].flags = p[45];
	}
	bad = rec_check(&d);
	if (bad)
		return refuse(why, bad, KR_EFORMAT);
	*r = d;
	return KR_OK;
}

/* ---- the store ---- */

static enum strand_blob img_blob(unsigned which)
{
	return which ? STRAND_IMG_B : STRAND_IMG_A;
}

static bool env_ok(const struct strand_env *env)
{
	return env && env->store.read && env->store.write && env->store.flush &&
	       env->alloc.alloc && env->alloc.free;
}

static size_t chunk_of(const struct strand_table *t)
{
	return t->env.chunk ? t->env.chunk : STRAND_CHUNK_DEFAULT;
}

/* Write next, one generation on, into the copy that does not hold the
 * current record, and flush it; only then is it the table's record.  A
 * failure leaves the current copy whole and t->rec as it was. */
static kr_err_t commit(struct strand_table *t, const struct strand_rec *next)
{
	uint8_t buf[KR_UPDATE_RECORD_SIZE];
	struct strand_rec r = *next;
	unsigned copy = t->copy ^ 1u;
	enum strand_blob b = copy ? STRAND_REC_B : STRAND_REC_A;
	kr_err_t e;

	r.generation = t->rec.generation + 1;
	e = strand_record_encode(&r, buf, &t->why);
	if (e != KR_OK)
		return e;       /* a bug of the caller: nothing written */
	e = t->env.store.write(t->env.store.ctx, b, 0, buf, sizeof(buf));
	if (e == KR_OK)
		e = t->env.store.flush(t->env.store.ctx, b);
	if (e != KR_OK) {
		t->stale = true;
		return refuse(&t->why, "store error writing the strand table", e);
	}
	t->rec = r;
	t->copy = (uint8_t)copy;
	t->stale = false;
	return KR_OK;
}

static kr_err_t put_image(struct strand_table *t, unsigned which, const uint8_t *image,
			  size_t len)
{
	enum strand_blob b = img_blob(which);
	size_t chunk = chunk_of(t);
	kr_err_t e;

	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		e = t->env.store.write(t->env.store.ctx, b, off, image + off, n);
		if (e != KR_OK)
			return refuse(&t->why, "store error writing the image", e);
	}
	e = t->env.store.flush(t->env.store.ctx, b);
	if (e != KR_OK)
		return refuse(&t->why, "store error flushing the image", e);
	return KR_OK;
}

/* Read strand which's image (the table's length of it) into buf, and say
 * whether the blob holds exactly that many bytes and they hash to the
 * table's digest.  A store error is returned as it came. */
static kr_err_t read_image(struct strand_table *t, unsigned which, uint8_t *buf, bool *ok)
{
	const struct strand_info *s = &t->rec.s[which];
	uint8_t h[KR_UPDATE_DIGEST_LEN], extra;
	size_t got = 0, more = 0;
	kr_err_t e;

	*ok = false;
	e = t->env.store.read(t->env.store.ctx, img_blob(which), 0, buf, (size_t)s->length, &got);
	if (e == KR_OK)
		e = t->env.store.read(t->env.store.ctx, img_blob(which), s->length, &extra, 1,
				      &more);
	if (e != KR_OK)
		return refuse(&t->why, "store error reading the image", e);
	if (got != s->length || more)
		return KR_OK;
	e = kr_blake2b_256(h, buf, got);
	if (e != KR_OK)
		return e;
	*ok = !memcmp(h, s->digest, sizeof(h));
	return KR_OK;
}

/* read_image into memory of our own. */
static kr_err_t check_image(struct strand_table *t, unsigned which, bool *ok)
{
	uint8_t *buf = t->env.alloc.alloc(t->env.alloc.ctx, (size_t)t->rec.s[which].length);
	kr_err_t e;

	*ok = false;
	if (!buf)
		return refuse(&t->why, "out of memory for the image", KR_ENOMEM);
	e = read_image(t, which, buf, ok);
	t->env.alloc.free(t->env.alloc.ctx, buf);
	return e;
}

/* ---- operations ---- */

/* A table that was opened or created (its record decodes). */
static bool table_ok(const struct strand_table *t)
{
	return t && env_ok(&t->env) && rec_check(&t->rec) == NULL;
}

kr_err_t strand_open(struct strand_table *t, const struct strand_env *env, const char *name)
{
	uint8_t buf[2][KR_UPDATE_RECORD_SIZE + 1];
	struct strand_rec r[2];
	bool valid[2], present[2];
	int best;

	if (!t || !env_ok(env) || !name || !name_ok(name, KR_UPDATE_NAME_LEN))
		return t ? refuse(&t->why, "bad arguments", KR_EINVAL) : KR_EINVAL;
	for (int i = 0; i < 2; i++) {
		size_t got = 0;
		kr_err_t e = env->store.read(env->store.ctx, i ? STRAND_REC_B : STRAND_REC_A, 0,
					     buf[i], sizeof(buf[i]), &got);

		/* An unreadable copy may hold the newer record: using the other
		 * could name images that were overwritten since, so stop. */
		if (e != KR_OK)
			return refuse(&t->why, "store error reading the strand table", e);
		present[i] = got > 0;
		valid[i] = strand_record_decode(buf[i], got, &r[i], NULL) == KR_OK;
	}
	if (!valid[0] && !valid[1]) {
		if (!present[0] && !present[1])
			return refuse(&t->why, "no strand table", KR_ENOENT);
		return refuse(&t->why, "no copy of the strand table is valid", KR_EFORMAT);
	}
	best = !valid[0] || (valid[1] && r[1].generation > r[0].generation);
	if (strncmp(r[best].name, name, KR_UPDATE_NAME_LEN))
		return refuse(&t->why, "the strand table names another module", KR_EFORMAT);
	t->env = *env;
	t->rec = r[best];
	t->copy = (uint8_t)best;
	t->stale = false;       /* the other copy is older, or not valid */
	t->why = NULL;
	return KR_OK;
}

kr_err_t strand_create(struct strand_table *t, const struct strand_env *env, const char *name,
		       const uint8_t *image, size_t len, uint32_t version,
		       const struct strand_allow *allow, bool *unlisted)
{
	struct strand_table probe;
	struct strand_rec next;
	bool listed, ok;
	kr_err_t e;

	if (!t || !env_ok(env) || !name || !name_ok(name, KR_UPDATE_NAME_LEN) || !image ||
	    !allow || !allow->listed)
		return t ? refuse(&t->why, "bad arguments", KR_EINVAL) : KR_EINVAL;
	if (len == 0 || len > KR_UPDATE_IMAGE_MAX)
		return refuse(&t->why, "image length out of range", KR_ERANGE);
	e = strand_open(&probe, env, name);
	if (e == KR_OK)
		return refuse(&t->why, "a strand table exists already", KR_EEXIST);
	if (e != KR_ENOENT && e != KR_EFORMAT)
		return refuse(&t->why, probe.why, e);
	memset(&next, 0, sizeof(next));
	memcpy(next.name, name, strnlen(name, KR_UPDATE_NAME_LEN));
	next.preferred = STRAND_A;
	next.s[0].state = KR_STRAND_VERIFIED;
	next.s[0].length = len;
	next.s[0].version = version;
	(void)kr_blake2b_256(next.s[0].digest, image, len);
	listed = allow->listed(allow->ctx, next.s[0].digest);
	if (!listed && allow->enforcing)
		return refuse(&t->why, "the image is not in the allow-list", KR_EPERM);
	if (!listed)
		next.s[0].flags = KR_STRAND_F_UNLISTED;

	/* No table yet: record.a gets generation 1 (commit writes copy ^ 1). */
	memset(t, 0, sizeof(*t));
	t->env = *env;
	t->copy = 1;
	e = put_image(t, STRAND_A, image, len);
	if (e != KR_OK)
		return e;
	t->rec = next;          /* for check_image's length and digest */
	t->rec.generation = 0;
	e = check_image(t, STRAND_A, &ok);
	if (e == KR_OK && !ok)
		e = refuse(&t->why, "the image read back does not match its digest", KR_EFORMAT);
	if (e == KR_OK)
		e = commit(t, &next);
	if (e != KR_OK) {
		memset(&t->rec, 0, sizeof(t->rec));     /* not a table: table_ok refuses it */
		return e;
	}
	if (unlisted)
		*unlisted = !listed;
	t->why = listed ? NULL : "accepted, though not in the allow-list (permissive)";
	return KR_OK;
}

kr_err_t strand_write(struct strand_table *t, const uint8_t *image, size_t len,
		      uint32_t version)
{
	struct strand_rec next;
	unsigned other;
	kr_err_t e;

	if (!table_ok(t) || !image)
		return t ? refuse(&t->why, "bad arguments", KR_EINVAL) : KR_EINVAL;
	if (len == 0 || len > KR_UPDATE_IMAGE_MAX)
		return refuse(&t->why, "image length out of range", KR_ERANGE);
	if (t->rec.flags & KR_UPDATE_F_PROBATION)
		return refuse(&t->why, "the preferred strand is on probation: confirm or roll "
			      "back first", KR_EBUSY);
	other = t->rec.preferred ^ 1u;
	next = t->rec;
	memset(&next.s[other], 0, sizeof(next.s[other]));
	/* The image is overwritten only once a durable record says its strand
	 * holds nothing; and after a failed record write, whose bytes may have
	 * landed and would win at the next open naming the old image, only
	 * once a record written since has replaced them. */
	if (t->rec.s[other].state != KR_STRAND_EMPTY || t->stale) {
		e = commit(t, &next);
		if (e != KR_OK)
			return e;
	}
	e = put_image(t, other, image, len);
	if (e != KR_OK)
		return e;
	next.s[other].state = KR_STRAND_WRITTEN;
	next.s[other].length = len;
	next.s[other].version = version;
	(void)kr_blake2b_256(next.s[other].digest, image, len);
	e = commit(t, &next);
	if (e == KR_OK)
		t->why = NULL;
	return e;
}

kr_err_t strand_verify(struct strand_table *t, const struct strand_allow *allow,
		       bool *unlisted)
{
	struct strand_rec next;
	unsigned other;
	bool ok, listed;
	kr_err_t e;

	if (!table_ok(t) || !allow || !allow->listed)
		return t ? refuse(&t->why, "bad arguments", KR_EINVAL) : KR_EINVAL;
	other = t->rec.preferred ^ 1u;
	switch (t->rec.s[other].state) {
	case KR_STRAND_EMPTY:
		return refuse(&t->why, "nothing written to verify", KR_ENOENT);
	case KR_STRAND_VERIFIED:
		return refuse(&t->why, "verified already", KR_EALREADY);
	case KR_STRAND_FAILED:
		return refuse(&t->why, "the strand failed: write it again", KR_EPERM);
	}
	e = check_image(t, other, &ok);
	if (e != KR_OK)
		return e;
	next = t->rec;
	listed = ok && allow->listed(allow->ctx, t->rec.s[other].digest);
	if (!ok || (!listed && allow->enforcing)) {
		next.s[other].state = KR_STRAND_FAILED;
		e = commit(t, &next);
		if (e != KR_OK)
			return e;
		if (!ok)
			return refuse(&t->why, "the image does not match its digest (damaged on "
				      "the store)", KR_EFORMAT);
		return refuse(&t->why, "the image is not in the allow-list", KR_EPERM);
	}
	next.s[other].state = KR_STRAND_VERIFIED;
	if (!listed)
		next.s[other].flags |= KR_STRAND_F_UNLISTED;
	e = commit(t, &next);
	if (e != KR_OK)
		return e;
	if (unlisted)
		*unlisted = !listed;
	t->why = listed ? NULL : "accepted, though not in the allow-list (permissive)";
	return KR_OK;
}

kr_err_t strand_prefer(struct strand_table *t, uint32_t probation_calls,
		       uint64_t probation_time)
{
	struct strand_rec next;
	unsigned other;
	kr_err_t e;

	if (!table_ok(t))
		return t ? refuse(&t->why, "bad arguments", KR_EINVAL) : KR_EINVAL;
	if (t->rec.flags & KR_UPDATE_F_PROBATION)
		return refuse(&t->why, "the preferred strand is on probation: confirm or roll "
			      "back first", KR_EBUSY);
	other = t->rec.preferred ^ 1u;
	if (t->rec.s[other].state != KR_STRAND_VERIFIED)
		return refuse(&t->why, "the other strand is not verified", KR_EPERM);
	next = t->rec;
	next.preferred = (uint8_t)other;
	next.flags = KR_UPDATE_F_PROBATION;
	next.probation_calls = probation_calls;
	next.probation_time = probation_time;
	e = commit(t, &next);
	if (e == KR_OK)
		t->why = NULL;
	return e;
}

/* The preference to the other strand, probation over. */
static kr_err_t flip_back(struct strand_table *t, bool mark_failed)
{
	struct strand_rec next = t->rec;

	if (mark_failed)
		next.s[next.preferred].state = KR_STRAND_FAILED;
	next.preferred ^= 1u;
	next.flags = 0;
	next.probation_calls = 0;
	next.probation_time = 0;
	return commit(t, &next);
}

kr_err_t strand_rollback(struct strand_table *t)
{
	kr_err_t e;

	if (!table_ok(t))
		return t ? refuse(&t->why, "bad arguments", KR_EINVAL) : KR_EINVAL;
	if (t->rec.s[t->rec.preferred ^ 1u].state != KR_STRAND_VERIFIED)
		return refuse(&t->why, "the other strand is not verified: nothing to roll "
			      "back to", KR_EPERM);
	e = flip_back(t, false);
	if (e == KR_OK)
		t->why = NULL;
	return e;
}

kr_err_t strand_confirm(struct strand_table *t)
{
	struct strand_rec next;
	kr_err_t e;

	if (!table_ok(t))
		return t ? refuse(&t->why, "bad arguments", KR_EINVAL) : KR_EINVAL;
	if (!(t->rec.flags & KR_UPDATE_F_PROBATION))
		return refuse(&t->why, "not on probation", KR_EALREADY);
	next = t->rec;
	next.flags = 0;
	next.probation_calls = 0;
	next.probation_time = 0;
	e = commit(t, &next);
	if (e == KR_OK)
		t->why = NULL;
	return e;
}

kr_err_t strand_fail(struct strand_table *t)
{
	kr_err_t e;

	if (!table_ok(t))
		return t ? refuse(&t->why, "bad arguments", KR_EINVAL) : KR_EINVAL;
	if (t->rec.s[t->rec.preferred ^ 1u].state != KR_STRAND_VERIFIED)
		return refuse(&t->why, "no verified strand to fall back to", KR_ENOENT);
	e = flip_back(t, true);
	if (e == KR_OK)
		t->why = NULL;
	return e;
}

kr_err_t strand_boot_choice(struct strand_table *t, unsigned *which)
{
	const char *reason = NULL;
	unsigned pref, other;
	bool ok = false, other_ok = false;
	kr_err_t e, read_err = KR_OK;

	if (!table_ok(t) || !which)
		return t ? refuse(&t->why, "bad arguments", KR_EINVAL) : KR_EINVAL;
	pref = t->rec.preferred;
	other = pref ^ 1u;
	if (t->rec.flags & KR_UPDATE_F_TRIAL) {
		reason = "the preferred strand's trial boot did not confirm";
	} else if (t->rec.s[pref].state != KR_STRAND_VERIFIED) {
		reason = "the preferred strand is not verified";
	} else {
		read_err = check_image(t, pref, &ok);
		if (read_err == KR_OK && !ok)
			reason = "the preferred strand's image does not match its digest";
	}
	if (read_err == KR_OK && !reason) {
		t->why = NULL;
		/* A new version's first boot: found still set at the next boot,
		 * TRIAL means this one never confirmed. */
		if (t->rec.flags & KR_UPDATE_F_PROBATION) {
			struct strand_rec next = t->rec;

			next.flags |= KR_UPDATE_F_TRIAL;
			*which = pref;
			e = commit(t, &next);
			if (e != KR_OK)
				return refuse(&t->why, "store error recording the trial boot", e);
		}
		*which = pref;
		return KR_OK;
	}
	if (t->rec.s[other].state == KR_STRAND_VERIFIED) {
		e = check_image(t, other, &other_ok);
		if (e != KR_OK)
			return e;
	}
	if (!other_ok) {
		if (read_err != KR_OK)
			return read_err;
		return refuse(&t->why, "no loadable strand", KR_ENOENT);
	}
	*which = other;
	if (read_err != KR_OK) {
		/* Unreadable is not damaged: boot the other once, change nothing. */
		t->why = "the preferred strand cannot be read: booting the other this time";
		return KR_OK;
	}
	e = flip_back(t, true);
	if (e != KR_OK)
		return refuse(&t->why, "store error correcting the preference", e);
	t->why = reason;
	return KR_OK;
}

kr_err_t strand_load(struct strand_table *t, unsigned which, uint8_t *buf, size_t cap,
		     size_t *len)
{
	bool ok;
	kr_err_t e;

	if (!table_ok(t) || which > STRAND_B || !buf || !len)
		return t ? refuse(&t->why, "bad arguments", KR_EINVAL) : KR_EINVAL;
	if (t->rec.s[which].state == KR_STRAND_EMPTY)
		return refuse(&t->why, "the strand is empty", KR_ENOENT);
	if (cap < t->rec.s[which].length)
		return refuse(&t->why, "buffer too small for the image", KR_ENOSPC);
	e = read_image(t, which, buf, &ok);
	if (e != KR_OK)
		return e;
	if (!ok)
		return refuse(&t->why, "the image does not match its digest", KR_EFORMAT);
	*len = (size_t)t->rec.s[which].length;
	t->why = NULL;
	return KR_OK;
}
