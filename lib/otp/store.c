/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store.c - the credential store: opening and keys, user-name encoding,
 * per-user locking, encryption of secrets, recovery codes, and the
 * verification that pam_kalkan.so runs on every login.
 *
 * Every change to a user runs lock -> read -> decide -> write -> unlock
 * under flock(2) on DIR/users/<user>.lock.  A lock is per user, so logins
 * of different people never wait for each other, and the whole decision
 * (replay check, rate limit, drift) sees one consistent state.
 *
 * Durability is split by what is at stake.  Credential state (secrets,
 * last accepted step or HOTP counter, drift, recovery codes) lives in the
 * state file and every change to it, an accepted code above all, is
 * written with kk_file_write_atomic (temporary file, fsync, rename,
 * directory fsync) before the caller hears "success", so a crash can
 * never bring a used code back.  The rate-limit counters live in a
 * 128-byte record at the start of the lock file (store_counters.c); a
 * failed attempt changes only them, with one pwrite(2) under the lock and
 * no fsync.  That is what keeps a failure at microseconds rather than the
 * millisecond of two fsyncs, and N parallel failures still count exactly
 * N.  A crash may lose recent counts; a record that does not check out is
 * replaced by a conservative one, never by a fresh one.
 *
 * A resynchronisation (otp_store_resync) is the one way to move a
 * credential's drift or HOTP counter further than the login window
 * reaches: two consecutive codes searched over a bounded range, under the
 * same lock, each failure counted like a failed login.
 *
 * Secrets are sealed with XChaCha20-Poly1305 (random 192-bit nonces, so no
 * nonce bookkeeping) under the store key, with associated data
 * "kalkan-otp-v1" NUL user NUL id, so a ciphertext copied to another user
 * or credential fails to open.  Recovery codes are kept as BLAKE2b-128
 * keyed with a key derived from the store key and bound to the user.
 */
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define STORE_KEY_LEN 32
#define STORE_PATH_MAX 4096
#define AD_PREFIX "kalkan-otp-v1"
#define RC_KEY_CONTEXT "kalkan-otp recovery key v1"
#define CTR_KEY_CONTEXT "kalkan-otp counters key v1"
#define DUMMY_RECORD ".dummy.lock" /* never a user's name: starts with . */
#define LOCK_POLL_NS 2000000L      /* 2 ms between attempts to take a lock */

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

struct otp_store {
    char dir[STORE_PATH_MAX];
    /* One guarded allocation (kk_secret: locked, guard pages, wiped on
     * free) holding the store key and the two keys derived from it.  Each
     * guarded allocation costs about a dozen system calls, and a store is
     * opened for every PAM attempt, so the three share one. */
    struct kk_secret *keys;
};

#define KEY_OFF 0                       /* DIR/key */
#define RC_KEY_OFF STORE_KEY_LEN        /* recovery-code hashes */
#define CTR_KEY_OFF (2 * STORE_KEY_LEN) /* counter-record MACs */
#define KEYS_LEN (3 * STORE_KEY_LEN)
_Static_assert(ST_CTR_KEY_LEN == STORE_KEY_LEN, "one key size");

static const uint8_t *store_key(const struct otp_store *s)
{
    return kk_secret_cptr(s->keys) + KEY_OFF;
}

static const uint8_t *rc_key(const struct otp_store *s)
{
    return kk_secret_cptr(s->keys) + RC_KEY_OFF;
}

static const uint8_t *ctr_key(const struct otp_store *s)
{
    return kk_secret_cptr(s->keys) + CTR_KEY_OFF;
}

/* ---- policy ---- */

void otp_policy_default(struct otp_policy *p)
{
    p->window = 1;
    p->backoff_after = 3;
    p->backoff_base = 1;
    p->backoff_max = 300;
    p->daily_max = 100;
}

int otp_policy_check(const struct otp_policy *p, struct kk_diag *d)
{
    if (p->window > KK_OTP_WINDOW_MAX) {
        kk_diag_set(d, "window must be 0 to %d", KK_OTP_WINDOW_MAX);
        return KK_ERR_RANGE;
    }
    if (p->backoff_after > 100000) {
        kk_diag_set(d, "backoff_after must be 0 to 100000");
        return KK_ERR_RANGE;
    }
    if (p->backoff_base < 1 || p->backoff_base > 3600) {
        kk_diag_set(d, "backoff_base must be 1 to 3600 seconds");
        return KK_ERR_RANGE;
    }
    if (p->backoff_max < p->backoff_base || p->backoff_max > 86400) {
        kk_diag_set(d, "backoff_max must be backoff_base to 86400 seconds");
        return KK_ERR_RANGE;
    }
    if (p->daily_max < 1 || p->daily_max > 100000) {
        kk_diag_set(d, "daily_max must be 1 to 100000");
        return KK_ERR_RANGE;
    }
    return KK_OK;
}

/* ---- user names ---- */

int otp_store_user_encode(const char *user, char out[OTP_STORE_USER_ENC_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    size_t len = strnlen(user, KK_STORE_USER_MAX + 1);
    bool plain = user[0] != '.' && strstr(user, ".lock") == NULL &&
                 strstr(user, ".tmp") == NULL;

    if (len == 0)
        return KK_ERR_INVAL;
    if (len > KK_STORE_USER_MAX)
        return KK_ERR_RANGE;
    for (size_t i = 0; i < len && plain; i++) {
        char c = user[i];
        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    }
    if (plain) {
        memcpy(out, user, len + 1);
        return KK_OK;
    }
    out[0] = '=';
    for (size_t i = 0; i < len; i++) {
        out[1 + 2 * i] = hex[(unsigned char)user[i] >> 4];
        out[2 + 2 * i] = hex[(unsigned char)user[i] & 15];
    }
    out[1 + 2 * len] = '\0';
    return KK_OK;
}

int otp_store_user_decode(const char *enc, char out[KK_STORE_USER_MAX + 1])
{
    char name[KK_STORE_USER_MAX + 1];
    char check[OTP_STORE_USER_ENC_SIZE];
    size_t n = strnlen(enc, OTP_STORE_USER_ENC_SIZE);

    if (n == 0 || n >= OTP_STORE_USER_ENC_SIZE)
        return KK_ERR_INVAL;
    if (enc[0] == '=') {
        if ((n - 1) % 2 != 0 || n < 3)
            return KK_ERR_INVAL;
        for (size_t i = 0; i < (n - 1) / 2; i++) {
            unsigned v = 0;
            for (size_t k = 1; k <= 2; k++) {
                char c = enc[2 * i + k];
                unsigned x;
                if (c >= '0' && c <= '9')
                    x = (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f')
                    x = (unsigned)(c - 'a' + 10);
                else
                    return KK_ERR_INVAL;
                v = v << 4 | x;
            }
            if (v == 0)
                return KK_ERR_INVAL;
            name[i] = (char)v;
        }
        name[(n - 1) / 2] = '\0';
    } else {
        if (n > KK_STORE_USER_MAX)
            return KK_ERR_INVAL;
        memcpy(name, enc, n + 1);
    }
    /* Only the canonical encoding of a name is valid. */
    if (otp_store_user_encode(name, check) != KK_OK || strcmp(check, enc) != 0)
        return KK_ERR_INVAL;
    memcpy(out, name, strlen(name) + 1);
    return KK_OK;
}

/* ---- paths ---- */

static int path_of(const struct otp_store *s, const char *enc,
                   const char *suffix, char out[STORE_PATH_MAX])
{
    int n = snprintf(out, STORE_PATH_MAX, "%s/users/%s%s", s->dir, enc, suffix);

    return n < 0 || n >= STORE_PATH_MAX ? KK_ERR_RANGE : KK_OK;
}

/* A directory or file of the store must belong to us and be private. */
static int check_private(const struct stat *st, const char *what,
                         struct kk_diag *d)
{
    if (st->st_uid != geteuid() || (st->st_mode & 077) != 0) {
        kk_diag_set(d,
                    "%s must be owned by uid %u and not accessible by group "
                    "or others",
                    what, (unsigned)geteuid());
        return KK_ERR_PERM;
    }
    return KK_OK;
}

static int ensure_dir(const char *path, bool create, struct kk_diag *d)
{
    struct stat st;

    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) {
            kk_diag_set(d, "%s: %s", path, strerror(errno));
            return KK_ERR_IO;
        }
        if (!create) {
            kk_diag_set(d, "%s: no such store", path);
            return KK_ERR_NOTFOUND;
        }
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            kk_diag_set(d, "%s: %s", path, strerror(errno));
            return errno == EACCES || errno == EROFS ? KK_ERR_PERM : KK_ERR_IO;
        }
        if (lstat(path, &st) != 0) {
            kk_diag_set(d, "%s: %s", path, strerror(errno));
            return KK_ERR_IO;
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        kk_diag_set(d, "%s: not a directory", path);
        return KK_ERR_PERM;
    }
    return check_private(&st, path, d);
}

/* Reads DIR/key, or creates it when allowed.  Creation writes a temporary
 * file and link(2)s it into place, which fails if another process created
 * the key first; then that key is read, so two first enrolments running at
 * once agree on one key. */
static int load_key(struct otp_store *s, bool create, struct kk_diag *d)
{
    char path[STORE_PATH_MAX];
    char tmp[STORE_PATH_MAX];
    uint8_t fresh[STORE_KEY_LEN];
    struct stat st;
    int fd = -1;
    int r = KK_ERR_IO;
    ssize_t n;

    if (snprintf(path, sizeof path, "%s/key", s->dir) >= (int)sizeof path ||
        snprintf(tmp, sizeof tmp, "%s/key.new%ld", s->dir, (long)getpid()) >=
            (int)sizeof tmp) {
        r = KK_ERR_RANGE;
        goto out;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT && create) {
        r = kk_random(fresh, sizeof fresh);
        if (r != KK_OK)
            goto out;
        (void)unlink(tmp);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  0400);
        if (fd < 0 || write(fd, fresh, sizeof fresh) != sizeof fresh ||
            fsync(fd) != 0) {
            kk_diag_set(d, "%s: %s", tmp, strerror(errno));
            r = errno == EACCES || errno == EROFS ? KK_ERR_PERM : KK_ERR_IO;
            if (fd >= 0) {
                close(fd);
                fd = -1;
                (void)unlink(tmp);
            }
            goto out;
        }
        close(fd);
        if (link(tmp, path) != 0 && errno != EEXIST) {
            kk_diag_set(d, "%s: %s", path, strerror(errno));
            (void)unlink(tmp);
            fd = -1;
            r = KK_ERR_IO;
            goto out;
        }
        (void)unlink(tmp);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd < 0) {
        kk_diag_set(d, "%s: %s", path, strerror(errno));
        r = errno == ENOENT   ? KK_ERR_NOTFOUND
            : errno == EACCES ? KK_ERR_PERM
                              : KK_ERR_IO;
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        kk_diag_set(d, "%s: not a regular file", path);
        r = KK_ERR_CORRUPT;
        goto out;
    }
    r = check_private(&st, path, d);
    if (r != KK_OK)
        goto out;
    if (st.st_size != STORE_KEY_LEN) {
        kk_diag_set(d, "%s: must hold exactly %d bytes", path, STORE_KEY_LEN);
        r = KK_ERR_CORRUPT;
        goto out;
    }
    r = kk_secret_new(KEYS_LEN, &s->keys);
    if (r != KK_OK)
        goto out;
    n = read(fd, kk_secret_ptr(s->keys) + KEY_OFF, STORE_KEY_LEN);
    if (n != STORE_KEY_LEN) {
        kk_diag_set(d, "%s: short read", path);
        r = KK_ERR_IO;
        goto out;
    }
    if (crypto_generichash(kk_secret_ptr(s->keys) + RC_KEY_OFF, STORE_KEY_LEN,
                           (const uint8_t *)RC_KEY_CONTEXT,
                           sizeof RC_KEY_CONTEXT - 1, store_key(s),
                           STORE_KEY_LEN) != 0 ||
        crypto_generichash(kk_secret_ptr(s->keys) + CTR_KEY_OFF, ST_CTR_KEY_LEN,
                           (const uint8_t *)CTR_KEY_CONTEXT,
                           sizeof CTR_KEY_CONTEXT - 1, store_key(s),
                           STORE_KEY_LEN) != 0) {
        r = KK_ERR_CRYPTO;
        goto out;
    }
    r = KK_OK;
out:
    kk_wipe(fresh, sizeof fresh);
    if (fd >= 0)
        close(fd);
    return r;
}

int otp_store_open(const char *dir, unsigned flags, struct otp_store **out,
                   struct kk_diag *d)
{
    struct otp_store *s = NULL;
    char users[STORE_PATH_MAX];
    bool create = (flags & OTP_STORE_CREATE) != 0;
    size_t len = strlen(dir);
    int r;

    if (len == 0 || len >= STORE_PATH_MAX - 256 || dir[0] != '/') {
        kk_diag_set(d, "the store directory must be an absolute path");
        return KK_ERR_INVAL;
    }
    if (sodium_init() < 0)
        return KK_ERR_CRYPTO;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return KK_ERR_NOMEM;
    memcpy(s->dir, dir, len + 1);
    while (len > 1 && s->dir[len - 1] == '/')
        s->dir[--len] = '\0';
    r = ensure_dir(s->dir, create, d);
    if (r != KK_OK)
        goto out;
    if (snprintf(users, sizeof users, "%s/users", s->dir) >=
        (int)sizeof users) {
        r = KK_ERR_RANGE;
        goto out;
    }
    r = ensure_dir(users, create, d);
    if (r != KK_OK)
        goto out;
    r = load_key(s, create, d);
    if (r != KK_OK)
        goto out;
    *out = s;
    s = NULL;
out:
    otp_store_free(s);
    return r;
}

void otp_store_free(struct otp_store *s)
{
    if (s == NULL)
        return;
    kk_secret_free(s->keys);
    free(s);
}

/* ---- locking and state I/O ---- */

/*
 * Takes an exclusive (or shared) flock on the user's lock file, waiting up
 * to KK_STORE_LOCK_TIMEOUT_MS.  The wait is counted in sleeps rather than
 * read from a clock, so faketime and clock jumps cannot stretch or skip it.
 * A read-only store still gets a lock (opened read-only), so a verify can
 * run and then fail closed on the write.
 *
 * The lock file is created only when create is set (enrolment, import,
 * recovery) or when the user's state file exists: a name that is merely
 * tried at a login prompt leaves nothing behind, so an attacker cycling
 * through invented user names over SSH cannot fill the store directory.
 */
static int lock_user(const struct otp_store *s, const char *enc, bool excl,
                     bool create, int *fdout, struct kk_diag *d)
{
    char path[STORE_PATH_MAX];
    struct timespec ts = {0, LOCK_POLL_NS};
    long waited_ns = 0;
    int fd;
    int r;

    r = path_of(s, enc, ".lock", path);
    if (r != KK_OK)
        return r;
    fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0 && errno == ENOENT) {
        char state[STORE_PATH_MAX];
        struct stat st;

        r = path_of(s, enc, "", state);
        if (r != KK_OK)
            return r;
        if (!create && lstat(state, &st) != 0) {
            kk_diag_set(d, "no such user");
            return KK_ERR_NOTFOUND;
        }
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
                  0600);
    }
    if (fd < 0 && (errno == EROFS || errno == EACCES))
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0) {
        kk_diag_set(d, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? KK_ERR_NOTFOUND : KK_ERR_IO;
    }
    for (;;) {
        if (flock(fd, (excl ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
            break;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            kk_diag_set(d, "%s: %s", path, strerror(errno));
            close(fd);
            return KK_ERR_IO;
        }
        if (waited_ns >= (long)KK_STORE_LOCK_TIMEOUT_MS * 1000000L) {
            kk_diag_set(d, "%s: still locked after %d ms", path,
                        KK_STORE_LOCK_TIMEOUT_MS);
            close(fd);
            return KK_ERR_TIMEOUT;
        }
        (void)nanosleep(&ts, NULL);
        waited_ns += LOCK_POLL_NS;
    }
    *fdout = fd;
    return KK_OK;
}

static void unlock_user(int fd)
{
    if (fd >= 0) {
        (void)flock(fd, LOCK_UN);
        close(fd);
    }
}

/* Reads and parses the user's state; KK_ERR_NOTFOUND if there is none. */
static int read_user(const struct otp_store *s, const char *enc,
                     struct st_user *u, struct kk_diag *d)
{
    char path[STORE_PATH_MAX];
    struct kk_buf *b = NULL;
    int r;

    r = path_of(s, enc, "", path);
    if (r != KK_OK)
        goto out;
    b = kk_buf_new(KK_STORE_FILE_MAX);
    if (b == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    r = kk_file_read(path, KK_STORE_FILE_MAX, b, d);
    if (r == KK_ERR_LIMIT || r == KK_ERR_INVAL)
        r = KK_ERR_CORRUPT;
    if (r != KK_OK)
        goto out;
    r = st_parse(kk_buf_str(b), kk_buf_len(b), enc, u, d);
out:
    kk_buf_free(b);
    return r;
}

/* Writes u durably: temporary file, fsync, rename, directory fsync. */
static int write_user(const struct otp_store *s, const struct st_user *u,
                      struct kk_diag *d)
{
    char path[STORE_PATH_MAX];
    struct kk_buf *b = NULL;
    int r;

    r = path_of(s, u->enc, "", path);
    if (r != KK_OK)
        goto out;
    b = kk_buf_new(KK_STORE_FILE_MAX);
    if (b == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    r = st_format(u, b);
    if (r != KK_OK)
        goto out;
    r = kk_file_write_atomic(path, kk_buf_data(b), kk_buf_len(b), 0600, d);
    if (r != KK_OK && r != KK_ERR_PERM)
        r = KK_ERR_IO;
out:
    kk_buf_free(b);
    return r;
}

/* A locked, loaded user: the common start of every operation.  The
 * counters are read only by the operations that need them
 * (session_counters). */
struct session {
    char enc[OTP_STORE_USER_ENC_SIZE];
    int lockfd;
    bool exists;
    struct st_user *u;
    struct st_counters ctr;
    bool ctr_missing; /* the lock file held no record */
    bool ctr_reset; /* it held an invalid one, replaced by st_counters_reset */
    bool ctr_oversize; /* it is longer than a record: truncate on write */
};

static int session_open(const struct otp_store *s, const char *user, bool excl,
                        bool create, struct session *ss, struct kk_diag *d)
{
    int r;

    memset(ss, 0, sizeof *ss);
    ss->lockfd = -1;
    r = otp_store_user_encode(user, ss->enc);
    if (r != KK_OK) {
        kk_diag_set(d, "invalid user name");
        return r;
    }
    ss->u = calloc(1, sizeof *ss->u);
    if (ss->u == NULL)
        return KK_ERR_NOMEM;
    r = lock_user(s, ss->enc, excl, create, &ss->lockfd, d);
    if (r != KK_OK)
        return r;
    r = read_user(s, ss->enc, ss->u, d);
    if (r == KK_OK) {
        ss->exists = true;
    } else if (r == KK_ERR_NOTFOUND && create) {
        st_user_init(ss->u, ss->enc);
        kk_diag_clear(d);
        r = KK_OK;
    }
    return r;
}

static void session_close(struct session *ss)
{
    unlock_user(ss->lockfd);
    ss->lockfd = -1;
    if (ss->u != NULL) {
        kk_wipe(ss->u, sizeof *ss->u);
        free(ss->u);
        ss->u = NULL;
    }
}

/* ---- the counter record in the lock file ---- */

/* pread/pwrite of exactly len bytes at offset 0, retried on EINTR.  A
 * record is far below a page, so the kernel copies it in one piece. */
static ssize_t rec_pread(int fd, uint8_t *buf, size_t len)
{
    ssize_t n;

    do
        n = pread(fd, buf, len, 0);
    while (n < 0 && errno == EINTR);
    return n;
}

static int rec_pwrite(int fd, const uint8_t *buf, size_t len)
{
    ssize_t n;

    do
        n = pwrite(fd, buf, len, 0);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)len)
        return KK_OK;
    if (n >= 0)
        errno = ENOSPC; /* a short write of a sub-page record */
    /* EBADF: the lock file was opened read-only on a read-only store. */
    return errno == EBADF || errno == EROFS || errno == EACCES || errno == EPERM
               ? KK_ERR_PERM
               : KK_ERR_IO;
}

/*
 * Reads the counter record from fd (a lock file) for user enc into *c:
 * KK_OK, KK_ERR_NOTFOUND (empty file: zero counters), KK_ERR_CORRUPT
 * (conservative counters for pol at now; *oversize set when the file is
 * longer than a record) or KK_ERR_IO.
 */
static int counters_read(const struct otp_store *s, int fd, const char *enc,
                         const struct otp_policy *pol, int64_t now,
                         struct st_counters *c, bool *oversize)
{
    uint8_t rec[ST_CTR_SIZE + 1];
    ssize_t n;
    int r;

    *oversize = false;
    n = rec_pread(fd, rec, sizeof rec);
    if (n < 0)
        return KK_ERR_IO;
    r = st_counters_parse(rec, (size_t)n, enc, ctr_key(s), c);
    if (r == KK_ERR_NOTFOUND)
        memset(c, 0, sizeof *c);
    else if (r != KK_OK)
        r = KK_ERR_CORRUPT;
    if (r == KK_ERR_CORRUPT) {
        st_counters_reset(c, pol, now);
        *oversize = n > ST_CTR_SIZE;
    }
    return r;
}

/* Writes counters c as the record of user enc into fd, without fsync
 * unless sync is set; truncates a file that was longer than a record. */
static int counters_write(const struct otp_store *s, int fd, const char *enc,
                          const struct st_counters *c, bool oversize, bool sync)
{
    uint8_t rec[ST_CTR_SIZE];
    int r;

    r = st_counters_format(c, enc, ctr_key(s), rec);
    if (r == KK_OK)
        r = rec_pwrite(fd, rec, sizeof rec);
    if (r == KK_OK && oversize && ftruncate(fd, ST_CTR_SIZE) != 0)
        r = KK_ERR_IO;
    if (r == KK_OK && sync && fdatasync(fd) != 0)
        r = KK_ERR_IO;
    return r;
}

/* Loads the session's counters (under its lock), evaluated at now. */
static int session_counters(const struct otp_store *s, struct session *ss,
                            const struct otp_policy *pol, int64_t now,
                            struct kk_diag *d)
{
    int r;

    r = counters_read(s, ss->lockfd, ss->enc, pol, now, &ss->ctr,
                      &ss->ctr_oversize);
    ss->ctr_missing = r == KK_ERR_NOTFOUND;
    ss->ctr_reset = r == KK_ERR_CORRUPT;
    if (r == KK_ERR_IO) {
        kk_diag_set(d, "%s.lock: %s", ss->enc, strerror(errno));
        return KK_ERR_IO;
    }
    return KK_OK;
}

/* Records the session's counters: one pwrite, no fsync. */
static int session_counters_write(const struct otp_store *s, struct session *ss,
                                  struct kk_diag *d)
{
    int r;

    r = counters_write(s, ss->lockfd, ss->enc, &ss->ctr, ss->ctr_oversize,
                       false);
    if (r == KK_ERR_IO || r == KK_ERR_PERM)
        kk_diag_set(d, "%s.lock: failure counters: %s", ss->enc,
                    strerror(errno));
    if (r == KK_OK) {
        ss->ctr_missing = false;
        ss->ctr_reset = false;
        ss->ctr_oversize = false;
    }
    return r;
}

/*
 * Before an enrolment-type change creates or extends a user: gives the
 * user a record of zero counters if the lock file has none, synced, so
 * that from then on a crash can only leave an old or a torn record (which
 * resets conservatively), never an empty file (which reads as fresh).
 */
static int session_counters_init(const struct otp_store *s, struct session *ss,
                                 struct kk_diag *d)
{
    struct otp_policy pol;
    int r;

    otp_policy_default(&pol);
    r = session_counters(s, ss, &pol, 0, d);
    if (r != KK_OK || !ss->ctr_missing)
        return r;
    r = counters_write(s, ss->lockfd, ss->enc, &ss->ctr, false, true);
    if (r == KK_ERR_IO || r == KK_ERR_PERM)
        kk_diag_set(d, "%s.lock: failure counters: %s", ss->enc,
                    strerror(errno));
    return r;
}

/* ---- crypto ---- */

static size_t make_ad(const char *enc, unsigned id, uint8_t *ad, size_t cap)
{
    int n = snprintf((char *)ad, cap, "%s%c%s%c%u", AD_PREFIX, 0, enc, 0, id);

    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static int seal(const struct otp_store *s, const char *enc, struct st_cred *c,
                const uint8_t *secret, size_t len)
{
    uint8_t ad[64 + OTP_STORE_USER_ENC_SIZE];
    size_t adlen = make_ad(enc, c->info.id, ad, sizeof ad);
    unsigned long long ctlen = 0;

    if (adlen == 0 || len < KK_OTP_SECRET_MIN || len > KK_OTP_SECRET_MAX)
        return KK_ERR_RANGE;
    randombytes_buf(c->nonce, sizeof c->nonce);
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(c->ct, &ctlen, secret, len,
                                                   ad, adlen, NULL, c->nonce,
                                                   store_key(s)) != 0)
        return KK_ERR_CRYPTO;
    c->ct_len = (size_t)ctlen;
    return KK_OK;
}

/* Decrypts credential c into out (KK_OTP_SECRET_MAX bytes); KK_ERR_CORRUPT
 * when the ciphertext does not open for this user and id. */
static int unseal(const struct otp_store *s, const char *enc,
                  const struct st_cred *c, uint8_t *out, size_t *len)
{
    uint8_t ad[64 + OTP_STORE_USER_ENC_SIZE];
    size_t adlen = make_ad(enc, c->info.id, ad, sizeof ad);
    unsigned long long n = 0;

    if (adlen == 0 || c->ct_len < ST_TAG_LEN ||
        c->ct_len - ST_TAG_LEN > KK_OTP_SECRET_MAX)
        return KK_ERR_CORRUPT;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &n, NULL, c->ct,
                                                   c->ct_len, ad, adlen,
                                                   c->nonce, store_key(s)) != 0)
        return KK_ERR_CORRUPT;
    *len = (size_t)n;
    return KK_OK;
}

/*
 * Normalises a recovery code: drops dashes and spaces, upper-cases, maps
 * the Crockford look-alikes (O->0, I and L->1).  A strong code is 12
 * Crockford characters; a weak (imported GA scratch) code is 8 digits.
 * Returns the length written to out (13 bytes), or 0 if it is neither.
 */
static size_t rc_normalise(const char *in, char out[13], bool *weak)
{
    size_t n = 0;
    bool digits = true;

    for (size_t i = 0; in[i] != '\0'; i++) {
        char c = in[i];
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c == 'O')
            c = '0';
        else if (c == 'I' || c == 'L')
            c = '1';
        if (strchr(crockford, c) == NULL || c == '\0' || n >= 12)
            return 0;
        if (c < '0' || c > '9')
            digits = false;
        out[n++] = c;
    }
    out[n] = '\0';
    if (n == 12) {
        *weak = false;
        return n;
    }
    if (n == 8 && digits) {
        *weak = true;
        return n;
    }
    return 0;
}

static int rc_hash(const struct otp_store *s, const char *enc, const char *norm,
                   uint8_t out[ST_RC_HASH_LEN])
{
    uint8_t msg[16 + OTP_STORE_USER_ENC_SIZE + 16];
    int n = snprintf((char *)msg, sizeof msg, "v1%c%s%c%s", 0, enc, 0, norm);
    int r = KK_OK;

    if (n < 0 || (size_t)n >= sizeof msg)
        return KK_ERR_RANGE;
    if (crypto_generichash(out, ST_RC_HASH_LEN, msg, (size_t)n, rc_key(s),
                           STORE_KEY_LEN) != 0)
        r = KK_ERR_CRYPTO;
    kk_wipe(msg, sizeof msg);
    return r;
}

/* ---- verification ---- */

static bool is_code(const char *in, size_t *len)
{
    size_t n = strlen(in);

    if (n < KK_OTP_DIGITS_MIN || n > KK_OTP_DIGITS_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (in[i] < '0' || in[i] > '9')
            return false;
    }
    *len = n;
    return true;
}

/*
 * What recording a failure costs, for attempts on unknown users, so that
 * the disk does not tell them apart either: the same pread, MAC check, MAC
 * and pwrite of a record, on a per-store dummy record (DIR/users/
 * .dummy.lock; names starting with "." are never users).  It is not
 * locked (the caller holds the unknown name's own lock, as for an enrolled
 * user) and holds nothing: concurrent writers may tear it, and a torn
 * dummy is as good as any.  Nothing is kept per unknown name.
 */
static void dummy_record(const struct otp_store *s,
                         const struct otp_policy *pol, int64_t now)
{
    char path[STORE_PATH_MAX];
    struct st_counters c;
    bool oversize = false;
    int fd;
    int n;

    n = snprintf(path, sizeof path, "%s/users/%s", s->dir, DUMMY_RECORD);
    if (n < 0 || (size_t)n >= sizeof path)
        return;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
    if (fd < 0)
        return;
    (void)counters_read(s, fd, DUMMY_RECORD, pol, now, &c, &oversize);
    (void)counters_write(s, fd, DUMMY_RECORD, &c, oversize, false);
    close(fd);
}

/* The work an unknown user costs: one credential's window, one recovery
 * hash and a failure record written, so its answer takes about as long as
 * an enrolled one's. */
static void dummy_work(const struct otp_store *s, const char *enc,
                       const struct otp_policy *pol, const char *input,
                       int64_t now)
{
    uint8_t key[KK_OTP_SECRET_GEN];
    uint8_t h[ST_RC_HASH_LEN];
    int64_t off;
    char norm[13];
    bool weak;

    int ignored;

    randombytes_buf(key, sizeof key);
    ignored = otp_verify(key, sizeof key, OTP_ALG_SHA1, 6, 1u << 20,
                         pol->window, pol->window, "000000", &off);
    (void)ignored;
    if (rc_normalise(input, norm, &weak) == 0)
        memcpy(norm, "000000000000", 13);
    (void)rc_hash(s, enc[0] != '\0' ? enc : "-", norm, h);
    kk_wipe(key, sizeof key);
    kk_wipe(norm, sizeof norm);
    dummy_record(s, pol, now);
}

/*
 * Checks a code against one active credential.  On a match sets *step to
 * the matched TOTP step (or HOTP counter) and *offset to its distance from
 * the expected one.  KK_ERR_REPLAY for a TOTP step at or before the last
 * accepted one.
 */
static int check_cred(const struct otp_store *s, const char *enc,
                      const struct st_cred *c, const char *code,
                      unsigned window, int64_t now, uint64_t *step,
                      int64_t *offset)
{
    const struct otp_cred_info *in = &c->info;
    uint8_t key[KK_OTP_SECRET_MAX];
    size_t keylen = 0;
    uint64_t center;
    unsigned back;
    unsigned ahead;
    int64_t off = 0;
    int64_t expect;
    int r;

    /* A malformed answer costs the same HMACs as a wrong code (against a
     * filler that is then refused), so its timing tells nothing. */
    char filler[OTP_CODE_SIZE];
    bool wellformed = strlen(code) == in->params.digits;

    for (size_t i = 0; wellformed && code[i] != '\0'; i++)
        wellformed = code[i] >= '0' && code[i] <= '9';
    if (!wellformed) {
        memset(filler, '0', in->params.digits);
        filler[in->params.digits] = '\0';
        code = filler;
    }
    r = unseal(s, enc, c, key, &keylen);
    if (r != KK_OK)
        goto out;
    if (in->params.kind == OTP_KIND_HOTP) {
        center = in->params.counter;
        r = otp_verify(key, keylen, in->params.alg, in->params.digits, center,
                       0, 2 * window, code, &off);
        if (r != KK_OK)
            goto out;
        if (center + (uint64_t)off == UINT64_MAX) {
            r = KK_ERR_AUTH; /* the counter cannot move past it */
            goto out;
        }
        *step = center + (uint64_t)off;
        *offset = off;
        goto out;
    }
    {
        uint64_t now_step;
        r = otp_totp_step(now, in->params.period, &now_step);
        if (r != KK_OK)
            goto out;
        expect = (int64_t)now_step + in->drift;
    }
    /* Candidates: steps expect-window .. expect+window that are >= 0. */
    if (expect >= 0) {
        center = (uint64_t)expect;
        back = window;
        ahead = window;
    } else if (expect + (int64_t)window >= 0) {
        center = 0;
        back = 0;
        ahead = (unsigned)(expect + (int64_t)window);
    } else {
        r = KK_ERR_AUTH;
        goto out;
    }
    r = otp_verify(key, keylen, in->params.alg, in->params.digits, center, back,
                   ahead, code, &off);
    if (r != KK_OK)
        goto out;
    *step = center + (uint64_t)off;
    *offset = (int64_t)*step - expect;
    if (in->has_last_step && *step <= in->last_step)
        r = KK_ERR_REPLAY;
out:
    kk_wipe(key, sizeof key);
    if (!wellformed && (r == KK_OK || r == KK_ERR_REPLAY))
        r = KK_ERR_AUTH;
    return r;
}

/* Records a successful code on c: replay state, last use, drift. */
static bool accept_cred(struct st_cred *c, uint64_t step, int64_t offset,
                        int64_t now)
{
    struct otp_cred_info *in = &c->info;
    bool adopted = false;

    in->last_used = now;
    if (in->params.kind == OTP_KIND_HOTP) {
        in->params.counter = step + 1;
        return false;
    }
    in->has_last_step = true;
    in->last_step = step;
    /* Drift: adopt an offset only when two consecutive successful codes
     * matched at the same non-zero offset, and only within the bound. */
    if (offset == 0) {
        in->pending_drift = 0;
    } else if (offset == in->pending_drift) {
        int64_t nd = in->drift + offset;
        if (nd >= -KK_STORE_DRIFT_MAX && nd <= KK_STORE_DRIFT_MAX) {
            in->drift = (int)nd;
            adopted = true;
        }
        in->pending_drift = 0;
    } else if (offset >= -KK_STORE_DRIFT_MAX && offset <= KK_STORE_DRIFT_MAX) {
        in->pending_drift = (int)offset;
    }
    return adopted;
}

static const struct otp_policy *policy_or_default(const struct otp_policy *p,
                                                  struct otp_policy *def)
{
    if (p != NULL)
        return p;
    otp_policy_default(def);
    return def;
}

static void count_failure(struct st_budget *b, const struct otp_policy *pol,
                          int64_t now)
{
    uint64_t cap = (uint64_t)pol->daily_max * ST_LEVEL_UNIT;

    if (b->consec < ST_CONSEC_MAX)
        b->consec++;
    if (b->total < ST_TOTAL_MAX)
        b->total++;
    b->last_fail = now < 0 ? 0 : now;
    /* Refused attempts count too, but the level never exceeds the cap, so
     * a flood cannot push the refill beyond one day. */
    b->level = b->level + ST_LEVEL_UNIT > cap ? cap : b->level + ST_LEVEL_UNIT;
    if (b->consec > b->total)
        b->consec = (unsigned)b->total;
}

/* Counts one failure in budget b of an open session and writes the
 * counter record (one pwrite under the lock); *until gets the new end of
 * the back-off.  A failure that cannot be recorded is an error: a guess
 * that is not counted would be free. */
static int session_failure(const struct otp_store *s, struct session *ss,
                           struct st_budget *b, const struct otp_policy *pol,
                           int64_t now, int64_t *until, struct kk_diag *d)
{
    count_failure(b, pol, now);
    *until = st_throttled_until(b, pol, now);
    return session_counters_write(s, ss, d);
}

int otp_store_verify(struct otp_store *s, const char *user, const char *input,
                     enum otp_budget bi, const struct otp_policy *pol_in,
                     int64_t now, struct otp_verify_result *res,
                     struct kk_diag *d)
{
    struct otp_policy def;
    const struct otp_policy *pol = policy_or_default(pol_in, &def);
    struct session ss;
    struct otp_verify_result out;
    struct st_budget *b;
    size_t codelen = 0;
    bool code = is_code(input, &codelen);
    bool weak = false;
    char norm[13];
    size_t normlen = rc_normalise(input, norm, &weak);
    bool enrolled = false;
    bool replay = false;
    int64_t until;
    int r;

    memset(&out, 0, sizeof out);
    if ((unsigned)bi >= OTP_BUDGETS || now < 0 || now > ST_TIME_MAX) {
        r = KK_ERR_INVAL;
        goto out_nolock;
    }
    r = otp_policy_check(pol, d);
    if (r != KK_OK)
        goto out_nolock;
    r = session_open(s, user, true, false, &ss, d);
    if (r == KK_ERR_NOTFOUND || r == KK_ERR_INVAL || r == KK_ERR_RANGE) {
        dummy_work(s, ss.enc, pol, input, now);
        r = KK_ERR_NOTFOUND;
        goto out;
    }
    if (r != KK_OK)
        goto out;
    for (size_t i = 0; i < ss.u->ncreds; i++)
        enrolled |= ss.u->creds[i].info.state == OTP_CRED_ACTIVE;
    if (!enrolled && ss.u->nrc == 0) {
        dummy_work(s, ss.enc, pol, input, now);
        r = KK_ERR_NOTFOUND;
        goto out;
    }
    r = session_counters(s, &ss, pol, now, d);
    if (r != KK_OK)
        goto out;
    out.counters_reset = ss.ctr_reset;
    b = &ss.ctr.budget[bi];
    until = st_throttled_until(b, pol, now);
    out.throttled_until = until;
    r = KK_ERR_AUTH;
    {
        /* Every active credential is computed, without an early exit, even
         * while throttled or for an answer that is not a code, so the time
         * taken is the same as an unknown user's; only an answer that may
         * be evaluated can be accepted.  The first that accepts wins. */
        for (size_t i = 0; i < ss.u->ncreds; i++) {
            struct st_cred *c = &ss.u->creds[i];
            uint64_t step = 0;
            int64_t off = 0;
            int cr;
            if (c->info.state != OTP_CRED_ACTIVE)
                continue;
            cr = check_cred(s, ss.enc, c, input, pol->window, now, &step, &off);
            if (cr == KK_ERR_CORRUPT) {
                kk_diag_set(d, "credential %u does not decrypt", c->info.id);
                r = KK_ERR_CORRUPT;
                goto out;
            }
            if (until != 0 || !code)
                continue;
            if (cr == KK_ERR_REPLAY)
                replay = true;
            if (cr == KK_OK && out.by == OTP_VERIFIED_NONE) {
                out.by = OTP_VERIFIED_CODE;
                out.cred_id = c->info.id;
                out.offset = off;
                out.drift_adopted = accept_cred(c, step, off, now);
            }
        }
    }
    /* Recovery codes: 60-bit codes are checked even while throttled, so
     * the owner always has a way in; weak 8-digit imported codes only
     * when not throttled, like TOTP codes. */
    {
        /* The hash is computed for every answer, as for unknown users. */
        uint8_t h[ST_RC_HASH_LEN];
        size_t hit = SIZE_MAX;
        bool may =
            out.by == OTP_VERIFIED_NONE && normlen > 0 && (!weak || until == 0);
        r = rc_hash(s, ss.enc, normlen > 0 ? norm : "000000000000", h);
        if (r != KK_OK)
            goto out;
        for (size_t i = 0; may && i < ss.u->nrc; i++) {
            bool eq = kk_memeq_ct(h, ss.u->rc[i].hash, ST_RC_HASH_LEN) &&
                      ss.u->rc[i].weak == weak;
            if (eq && hit == SIZE_MAX)
                hit = i;
        }
        if (hit != SIZE_MAX) {
            memmove(&ss.u->rc[hit], &ss.u->rc[hit + 1],
                    (ss.u->nrc - hit - 1) * sizeof ss.u->rc[0]);
            ss.u->nrc--;
            out.by = OTP_VERIFIED_RECOVERY;
        }
        kk_wipe(h, sizeof h);
    }
    out.recovery_left = (unsigned)ss.u->nrc;
    if (out.by != OTP_VERIFIED_NONE) {
        /* The acceptance stands only once it is durable: the state file
         * is replaced and synced before anything else.  Only then is the
         * consecutive count reset; if that advisory write fails the user
         * is merely kept more cautious, so the success stands. */
        r = write_user(s, ss.u, d);
        if (r != KK_OK)
            goto out;
        b->consec = 0;
        (void)session_counters_write(s, &ss, NULL);
    } else {
        /* A failure changes only the counters: one pwrite under the lock.
         * If it cannot be recorded, the attempt is refused as a store
         * error, as a guess that is not counted is free. */
        int w = session_failure(s, &ss, b, pol, now, &out.throttled_until, d);
        if (w != KK_OK) {
            r = w;
            goto out;
        }
        r = until != 0 ? KK_ERR_THROTTLED
            : replay   ? KK_ERR_REPLAY
                       : KK_ERR_AUTH;
    }
    *res = out;
out:
    session_close(&ss);
out_nolock:
    kk_wipe(norm, sizeof norm);
    if (r == KK_ERR_AUTH || r == KK_ERR_REPLAY || r == KK_ERR_THROTTLED)
        *res = out;
    return r;
}

/* ---- resynchronisation ---- */

/*
 * Looks for code1 and code2 at consecutive steps (TOTP) or counters (HOTP)
 * of credential c: TOTP steps whose second lies within KK_STORE_DRIFT_MAX
 * of the step of now (2 * KK_STORE_DRIFT_MAX + 2 HMACs), HOTP counters
 * from the next one up to KK_STORE_HOTP_RESYNC_MAX ahead.  Each candidate
 * is computed once and compared with both codes in constant time, without
 * an early exit, so the cost does not depend on where they match.  On a
 * match sets *first to the step or counter of code1; KK_ERR_AUTH when
 * there is none, KK_ERR_CORRUPT when the secret does not decrypt.
 */
static int resync_search(const struct otp_store *s, const char *enc,
                         const struct st_cred *c, const char *code1,
                         const char *code2, int64_t now, uint64_t *first)
{
    const struct otp_cred_info *in = &c->info;
    uint8_t key[KK_OTP_SECRET_MAX];
    size_t keylen = 0;
    size_t digits = in->params.digits;
    bool sized = strlen(code1) == digits && strlen(code2) == digits;
    char prev[OTP_CODE_SIZE];
    char cur[OTP_CODE_SIZE];
    bool found = false;
    uint64_t hit = 0;
    uint64_t lo;
    uint64_t hi;
    int r;

    memset(prev, 0, sizeof prev);
    memset(cur, 0, sizeof cur);
    r = unseal(s, enc, c, key, &keylen);
    if (r != KK_OK)
        goto out;
    if (in->params.kind == OTP_KIND_HOTP) {
        /* The counter moves to c + 2, so c + 1 stays below UINT64_MAX. */
        lo = in->params.counter;
        hi = lo <= UINT64_MAX - 1 - KK_STORE_HOTP_RESYNC_MAX
                 ? lo + KK_STORE_HOTP_RESYNC_MAX
                 : UINT64_MAX - 1;
    } else {
        uint64_t ns;
        r = otp_totp_step(now, in->params.period, &ns);
        if (r != KK_OK)
            goto out;
        lo = ns > KK_STORE_DRIFT_MAX + 1 ? ns - KK_STORE_DRIFT_MAX - 1 : 0;
        hi = ns + KK_STORE_DRIFT_MAX;
    }
    if (lo >= hi) {
        r = KK_ERR_AUTH;
        goto out;
    }
    for (uint64_t x = lo; x <= hi; x++) {
        r = otp_hotp(key, keylen, in->params.alg, x, in->params.digits, cur);
        if (r != KK_OK)
            goto out;
        if (x > lo && sized) {
            bool m1 = kk_memeq_ct(prev, code1, digits);
            bool m2 = kk_memeq_ct(cur, code2, digits);
            if (m1 && m2 && !found) {
                found = true;
                hit = x - 1;
            }
        }
        memcpy(prev, cur, sizeof prev);
    }
    r = found ? KK_OK : KK_ERR_AUTH;
    if (found)
        *first = hit;
out:
    kk_wipe(key, sizeof key);
    kk_wipe(prev, sizeof prev);
    kk_wipe(cur, sizeof cur);
    return r;
}

/* Moves credential c to the codes found at first (and first + 1). */
static int resync_apply(struct st_cred *c, uint64_t first, int64_t now,
                        struct otp_resync_result *out)
{
    struct otp_cred_info *in = &c->info;
    uint64_t ns = 0;
    int64_t nd;
    int r;

    out->cred_id = in->id;
    out->kind = in->params.kind;
    out->period = in->params.period;
    if (in->params.kind == OTP_KIND_HOTP) {
        out->old_counter = in->params.counter;
        in->params.counter = first + 2;
        out->counter = in->params.counter;
        in->last_used = now;
        return KK_OK;
    }
    r = otp_totp_step(now, in->params.period, &ns);
    if (r != KK_OK)
        return r;
    nd = (int64_t)(first + 1) - (int64_t)ns;
    if (nd < -KK_STORE_DRIFT_MAX || nd > KK_STORE_DRIFT_MAX)
        return KK_ERR_RANGE; /* resync_search never finds such a step */
    out->old_drift = in->drift;
    in->drift = (int)nd;
    in->pending_drift = 0;
    in->has_last_step = true;
    in->last_step = first + 1;
    in->last_used = now;
    out->drift = in->drift;
    return KK_OK;
}

int otp_store_resync(struct otp_store *s, const char *user, unsigned id,
                     const char *code1, const char *code2,
                     const struct otp_policy *pol_in, int64_t now,
                     struct otp_resync_result *res, struct kk_diag *d)
{
    struct otp_policy def;
    const struct otp_policy *pol = policy_or_default(pol_in, &def);
    struct otp_resync_result out;
    struct session ss;
    struct st_budget *b = NULL;
    struct st_cred *match = NULL;
    uint64_t first = 0;
    unsigned nmatch = 0;
    bool any = false;
    bool replay = false;
    size_t n;
    int r;

    memset(&out, 0, sizeof out);
    if (now < 0 || now > ST_TIME_MAX || !is_code(code1, &n) ||
        !is_code(code2, &n)) {
        kk_diag_set(d, "the codes must be %d to %d digits", KK_OTP_DIGITS_MIN,
                    KK_OTP_DIGITS_MAX);
        return KK_ERR_INVAL;
    }
    r = otp_policy_check(pol, d);
    if (r != KK_OK)
        return r;
    r = session_open(s, user, true, false, &ss, d);
    if (r != KK_OK)
        goto out;
    for (size_t i = 0; i < ss.u->ncreds; i++) {
        const struct otp_cred_info *in = &ss.u->creds[i].info;
        any |= in->state == OTP_CRED_ACTIVE && (id == 0 || in->id == id);
    }
    if (!any) {
        kk_diag_set(d, "%s has no active credential%s", user,
                    id != 0 ? " of that id" : "");
        r = KK_ERR_NOTFOUND;
        goto out;
    }
    r = session_counters(s, &ss, pol, now, d);
    if (r != KK_OK)
        goto out;
    b = &ss.ctr.budget[OTP_BUDGET_LOCAL];
    out.throttled_until = st_throttled_until(b, pol, now);
    if (out.throttled_until != 0) {
        kk_diag_set(d, "local logins of %s are throttled; try again later",
                    user);
        r = KK_ERR_THROTTLED;
    }
    for (size_t i = 0; r == KK_OK && i < ss.u->ncreds; i++) {
        struct st_cred *c = &ss.u->creds[i];
        uint64_t f = 0;
        int cr;
        if (c->info.state != OTP_CRED_ACTIVE || (id != 0 && c->info.id != id))
            continue;
        cr = resync_search(s, ss.enc, c, code1, code2, now, &f);
        if (cr == KK_ERR_CORRUPT) {
            kk_diag_set(d, "credential %u does not decrypt", c->info.id);
            r = KK_ERR_CORRUPT;
            goto out;
        }
        if (cr == KK_ERR_AUTH)
            continue;
        if (cr != KK_OK) {
            r = cr;
            goto out;
        }
        if (c->info.params.kind == OTP_KIND_TOTP && c->info.has_last_step &&
            f <= c->info.last_step) {
            replay = true;
            continue;
        }
        nmatch++;
        if (match == NULL) {
            match = c;
            first = f;
        }
    }
    if (r == KK_OK && nmatch > 1) {
        kk_diag_set(d, "the codes match %u credentials; give --id", nmatch);
        r = KK_ERR_EXISTS;
        goto out;
    }
    if (r == KK_OK && match == NULL) {
        if (replay)
            kk_diag_set(d, "the codes are of steps already used");
        else
            kk_diag_set(d,
                        "the codes are not two consecutive codes of %s "
                        "within the resync range",
                        user);
        r = replay ? KK_ERR_REPLAY : KK_ERR_AUTH;
    }
    if (r == KK_OK) {
        /* Durable before success, like an accepted login. */
        r = resync_apply(match, first, now, &out);
        if (r == KK_OK)
            r = write_user(s, ss.u, d);
        if (r == KK_OK)
            *res = out;
        goto out;
    }
    /* A failed or refused attempt costs like a failed login: one pwrite
     * of the counter record, and it is refused if that cannot be done. */
    {
        int w = session_failure(s, &ss, b, pol, now, &out.throttled_until, d);
        if (w != KK_OK) {
            r = w;
            goto out;
        }
    }
    *res = out;
out:
    session_close(&ss);
    return r;
}

/* ---- administration ---- */

int otp_store_info(struct otp_store *s, const char *user,
                   const struct otp_policy *pol_in, int64_t now,
                   struct otp_user_info *out, struct kk_diag *d)
{
    struct otp_policy def;
    const struct otp_policy *pol = policy_or_default(pol_in, &def);
    struct session ss;
    int r;

    r = session_open(s, user, false, false, &ss, d);
    if (r == KK_OK)
        r = session_counters(s, &ss, pol, now, d);
    if (r == KK_OK)
        st_info(ss.u, &ss.ctr, pol, now, out);
    session_close(&ss);
    return r;
}

int otp_store_users(struct otp_store *s, int (*fn)(const char *user, void *ctx),
                    void *ctx, struct kk_diag *d)
{
    char path[STORE_PATH_MAX];
    DIR *dir;
    struct dirent *de;
    int r = KK_OK;

    if (snprintf(path, sizeof path, "%s/users", s->dir) >= (int)sizeof path)
        return KK_ERR_RANGE;
    dir = opendir(path);
    if (dir == NULL) {
        kk_diag_set(d, "%s: %s", path, strerror(errno));
        return KK_ERR_IO;
    }
    while ((de = readdir(dir)) != NULL) {
        char name[KK_STORE_USER_MAX + 1];
        if (otp_store_user_decode(de->d_name, name) != KK_OK)
            continue;
        r = fn(name, ctx);
        if (r != 0)
            break;
    }
    closedir(dir);
    return r;
}

/* Opens user for a change that adds a credential (creating the user if
 * needed) and returns the empty slot, its id and label set; the caller
 * fills the rest, seals the secret and bumps ncreds and next_id. */
static int session_new_cred(struct otp_store *s, const char *user,
                            const char *label, struct session *ss,
                            struct st_cred **out, struct kk_diag *d)
{
    struct st_cred *c;
    int r = session_open(s, user, true, true, ss, d);

    if (r != KK_OK)
        return r;
    if (ss->u->ncreds >= KK_STORE_CREDS_MAX || ss->u->next_id >= ST_ID_MAX) {
        kk_diag_set(d, "user already has %d credentials", KK_STORE_CREDS_MAX);
        return KK_ERR_LIMIT;
    }
    c = &ss->u->creds[ss->u->ncreds];
    memset(c, 0, sizeof *c);
    c->info.id = ss->u->next_id;
    memcpy(c->info.label, label, strlen(label) + 1);
    *out = c;
    return KK_OK;
}

int otp_store_cred_add(struct otp_store *s, const char *user, const char *label,
                       const struct otp_params *params, const uint8_t *secret,
                       size_t secret_len, bool active, int64_t now,
                       unsigned *id, struct kk_diag *d)
{
    struct session ss;
    struct st_cred *c;
    size_t ll = strlen(label);
    int r;

    if (ll == 0 || ll > KK_OTP_LABEL_MAX || otp_params_check(params) != KK_OK ||
        secret_len < KK_OTP_SECRET_MIN || secret_len > KK_OTP_SECRET_MAX ||
        now < 0 || now > ST_TIME_MAX) {
        kk_diag_set(d, "invalid label, parameters or secret length");
        return KK_ERR_INVAL;
    }
    r = session_new_cred(s, user, label, &ss, &c, d);
    if (r != KK_OK)
        goto out;
    c->info.params = *params;
    c->info.state = active ? OTP_CRED_ACTIVE : OTP_CRED_PENDING;
    c->info.created = now;
    if (params->kind == OTP_KIND_HOTP)
        c->info.params.period = 0;
    else
        c->info.params.counter = 0;
    r = seal(s, ss.enc, c, secret, secret_len);
    if (r != KK_OK)
        goto out;
    ss.u->ncreds++;
    ss.u->next_id++;
    r = session_counters_init(s, &ss, d);
    if (r != KK_OK)
        goto out;
    r = write_user(s, ss.u, d);
    if (r == KK_OK)
        *id = c->info.id;
out:
    session_close(&ss);
    return r;
}

int otp_store_cred_activate(struct otp_store *s, const char *user, unsigned id,
                            const char *code, const struct otp_policy *pol_in,
                            int64_t now, struct kk_diag *d)
{
    struct otp_policy def;
    const struct otp_policy *pol = policy_or_default(pol_in, &def);
    struct session ss;
    struct st_cred *c = NULL;
    uint64_t step = 0;
    int64_t off = 0;
    size_t n;
    int r;

    r = session_open(s, user, true, false, &ss, d);
    if (r != KK_OK)
        goto out;
    for (size_t i = 0; i < ss.u->ncreds; i++) {
        if (ss.u->creds[i].info.id == id &&
            ss.u->creds[i].info.state == OTP_CRED_PENDING)
            c = &ss.u->creds[i];
    }
    if (c == NULL) {
        kk_diag_set(d, "no pending credential %u", id);
        r = KK_ERR_NOTFOUND;
        goto out;
    }
    if (!is_code(code, &n)) {
        r = KK_ERR_AUTH;
        goto out;
    }
    r = check_cred(s, ss.enc, c, code, pol->window, now, &step, &off);
    if (r == KK_ERR_REPLAY)
        r = KK_ERR_AUTH;
    if (r != KK_OK)
        goto out;
    (void)accept_cred(c, step, off, now);
    c->info.pending_drift = 0;
    c->info.state = OTP_CRED_ACTIVE;
    r = write_user(s, ss.u, d);
out:
    session_close(&ss);
    return r;
}

int otp_store_cred_remove(struct otp_store *s, const char *user, unsigned id,
                          unsigned *removed, struct kk_diag *d)
{
    struct session ss;
    size_t k = 0;
    unsigned n = 0;
    int r;

    r = session_open(s, user, true, false, &ss, d);
    if (r != KK_OK)
        goto out;
    for (size_t i = 0; i < ss.u->ncreds; i++) {
        if (id == 0 || ss.u->creds[i].info.id == id) {
            n++;
            continue;
        }
        if (k != i)
            ss.u->creds[k] = ss.u->creds[i];
        k++;
    }
    if (n == 0) {
        kk_diag_set(d, "no such credential");
        r = KK_ERR_NOTFOUND;
        goto out;
    }
    kk_wipe(&ss.u->creds[k], (ss.u->ncreds - k) * sizeof ss.u->creds[0]);
    ss.u->ncreds = k;
    if (id == 0) {
        /* All of the second factor goes, recovery codes included: this is
         * what an admin does after a phone is lost or a compromise. */
        kk_wipe(ss.u->rc, sizeof ss.u->rc);
        ss.u->nrc = 0;
    }
    r = write_user(s, ss.u, d);
    if (r == KK_OK)
        *removed = n;
out:
    session_close(&ss);
    return r;
}

int otp_store_recovery_new(
    struct otp_store *s, const char *user, int64_t now,
    char codes[KK_STORE_RECOVERY_CODES][OTP_RECOVERY_SIZE], struct kk_diag *d)
{
    char tmp[KK_STORE_RECOVERY_CODES][OTP_RECOVERY_SIZE];
    struct session ss;
    int r;

    if (now < 0 || now > ST_TIME_MAX)
        return KK_ERR_INVAL;
    r = session_open(s, user, true, true, &ss, d);
    if (r != KK_OK)
        goto out;
    for (size_t i = 0; i < KK_STORE_RECOVERY_CODES; i++) {
        uint8_t rnd[8];
        uint64_t v = 0;
        char norm[13];
        size_t k = 0;
        r = kk_random(rnd, sizeof rnd);
        if (r != KK_OK)
            goto out;
        for (size_t j = 0; j < sizeof rnd; j++)
            v = v << 8 | rnd[j];
        kk_wipe(rnd, sizeof rnd);
        /* 60 bits: 12 characters of 5 bits each. */
        for (size_t j = 0; j < 12; j++) {
            norm[j] = crockford[(v >> (55 - 5 * j)) & 31];
            if (j == 4 || j == 8)
                tmp[i][k++] = '-';
            tmp[i][k++] = norm[j];
        }
        norm[12] = '\0';
        tmp[i][k] = '\0';
        ss.u->rc[i].weak = false;
        r = rc_hash(s, ss.enc, norm, ss.u->rc[i].hash);
        kk_wipe(norm, sizeof norm);
        v = 0;
        if (r != KK_OK)
            goto out;
    }
    ss.u->nrc = KK_STORE_RECOVERY_CODES;
    ss.u->recovery_created = now;
    r = session_counters_init(s, &ss, d);
    if (r != KK_OK)
        goto out;
    r = write_user(s, ss.u, d);
    if (r == KK_OK)
        memcpy(codes, tmp, sizeof tmp);
out:
    kk_wipe(tmp, sizeof tmp);
    session_close(&ss);
    return r;
}

int otp_store_import_ga(struct otp_store *s, const char *user,
                        const char *label, const struct otp_ga *g, int64_t now,
                        unsigned *id, bool *scratch_imported, struct kk_diag *d)
{
    struct session ss;
    struct st_cred *c;
    size_t ll = strlen(label);
    bool scratch = false;
    int r;

    if (ll == 0 || ll > KK_OTP_LABEL_MAX || g->totp == g->hotp ||
        g->secret_len < KK_OTP_SECRET_MIN ||
        g->secret_len > KK_OTP_SECRET_MAX || now < 0 || now > ST_TIME_MAX) {
        kk_diag_set(d, "invalid label or file");
        return KK_ERR_INVAL;
    }
    r = session_new_cred(s, user, label, &ss, &c, d);
    if (r != KK_OK)
        goto out;
    otp_params_default(&c->info.params);
    c->info.state = OTP_CRED_ACTIVE;
    c->info.created = now;
    if (g->hotp) {
        c->info.params.kind = OTP_KIND_HOTP;
        c->info.params.period = 0;
        c->info.params.counter = g->hotp_counter;
    } else {
        c->info.params.period = g->has_step_size ? g->step_size : 30;
        for (size_t i = 0; i < g->nreuse; i++) {
            if (!c->info.has_last_step || g->reuse[i] > c->info.last_step) {
                c->info.last_step = g->reuse[i];
                c->info.has_last_step = true;
            }
        }
        if (g->has_time_skew && g->time_skew >= -KK_STORE_DRIFT_MAX &&
            g->time_skew <= KK_STORE_DRIFT_MAX)
            c->info.drift = (int)g->time_skew;
    }
    r = seal(s, ss.enc, c, g->secret, g->secret_len);
    if (r != KK_OK)
        goto out;
    ss.u->ncreds++;
    ss.u->next_id++;
    if (ss.u->nrc == 0 && g->nscratch > 0) {
        for (size_t i = 0; i < g->nscratch && i < KK_STORE_RECOVERY_CODES;
             i++) {
            ss.u->rc[i].weak = true;
            r = rc_hash(s, ss.enc, g->scratch[i], ss.u->rc[i].hash);
            if (r != KK_OK)
                goto out;
        }
        ss.u->nrc = g->nscratch < KK_STORE_RECOVERY_CODES
                        ? g->nscratch
                        : KK_STORE_RECOVERY_CODES;
        ss.u->recovery_created = now;
        scratch = true;
    }
    r = session_counters_init(s, &ss, d);
    if (r != KK_OK)
        goto out;
    r = write_user(s, ss.u, d);
    if (r == KK_OK) {
        *id = c->info.id;
        *scratch_imported = scratch;
    }
out:
    session_close(&ss);
    return r;
}
