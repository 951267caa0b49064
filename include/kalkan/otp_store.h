/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * otp_store.h - the credential store of pam_kalkan.so and `kalkan otp`.
 *
 * A store is a root-owned directory (0700) holding a 32-byte store key
 * (DIR/key, 0400) and one state file per user (DIR/users/<encoded-user>),
 * each guarded by a lock file (DIR/users/<encoded-user>.lock) that also
 * holds the user's failure counters.  Secrets are encrypted with
 * XChaCha20-Poly1305 under the store key, bound to the format version, the
 * user and the credential id; recovery codes are kept only as keyed BLAKE2b
 * hashes.  The formats are described in docs/otp-store.md.
 *
 * Every operation that changes a user's state runs lock -> read -> decide
 * -> write -> unlock under an flock(2) of that user's lock file, so checks
 * and updates are atomic across processes: one code is accepted once, and N
 * parallel failures are counted N times.  Credential state is written with
 * kk_file_write_atomic, so a crash or a full disk leaves the previous file
 * and an accepted code is on disk before success is returned.  Failure
 * counters are a 128-byte authenticated record rewritten in place with one
 * pwrite(2) and no fsync: a crash may lose recent counts, and a torn or
 * invalid record is replaced by conservative counters, never fresh ones.
 *
 * Clock: every function that needs the time takes `now` (Unix seconds)
 * from the caller, so tests and `faketime` control it.
 *
 * Thread safety: a struct otp_store may be used by one thread at a time;
 * different handles (in one or many processes) may work on the same
 * directory concurrently.
 */
#ifndef KALKAN_OTP_STORE_H
#define KALKAN_OTP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kalkan/kk.h"
#include "kalkan/otp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OTP_STORE_DEFAULT_DIR "/var/lib/kalkan/otp"
#define OTP_STORE_DEFAULT_SOCKET "/run/kalkan/otp.sock"

/* "XXXX-XXXX-XXXX" and its NUL. */
#define OTP_RECOVERY_SIZE 15

/* Failure budgets: attempts with PAM_RHOST set are "remote", the rest
 * (console, su, sudo, screen locker) "local".  They are counted apart so
 * that a flood from the network cannot lock a person out of the computer
 * in front of them. */
enum otp_budget {
    OTP_BUDGET_LOCAL = 0,
    OTP_BUDGET_REMOTE = 1,
};
#define OTP_BUDGETS 2

/* "local", "remote". */
KK_API const char *otp_budget_name(enum otp_budget b);

enum otp_cred_state {
    OTP_CRED_PENDING = 0, /* enrolled, waiting for a first correct code */
    OTP_CRED_ACTIVE = 1,  /* usable for logins */
};

/*
 * Verification policy.  Defaults (otp_policy_default): window 1, back-off
 * after 3 consecutive failures starting at 1 s and doubling up to 300 s,
 * 100 failures per rolling 24 hours per budget.
 */
struct otp_policy {
    unsigned window;        /* TOTP steps either side; HOTP looks 2*window
                               ahead.  0 to KK_OTP_WINDOW_MAX */
    unsigned backoff_after; /* consecutive failures that cost nothing */
    unsigned backoff_base;  /* seconds of the first back-off, >= 1 */
    unsigned backoff_max;   /* cap of the back-off in seconds */
    unsigned daily_max;     /* failures per rolling 24 h, >= 1 */
};

KK_API void otp_policy_default(struct otp_policy *p);
/* KK_OK if every field is within its documented range, else KK_ERR_RANGE
 * with detail in d. */
KK_API KK_WUR int otp_policy_check(const struct otp_policy *p,
                                   struct kk_diag *d);

/* An open store: the directory and the store key.  Opaque. */
struct otp_store;

/* Flags of otp_store_open. */
#define OTP_STORE_CREATE 1u /* create DIR, DIR/users and DIR/key if missing */

/*
 * Opens the store in dir.  Refuses (KK_ERR_PERM) a directory or key that is
 * not owned by the effective user or is accessible by group or others, and
 * a key that is not exactly 32 bytes (KK_ERR_CORRUPT).  KK_ERR_NOTFOUND when
 * the store does not exist and OTP_STORE_CREATE is not given.  The key is
 * kept in locked, wiped memory until otp_store_free.
 */
KK_API KK_WUR int otp_store_open(const char *dir, unsigned flags,
                                 struct otp_store **out, struct kk_diag *d);
/* Wipes the key and frees; NULL is a no-op. */
KK_API void otp_store_free(struct otp_store *s);

/*
 * Encodes a user name for use as a file name: names of 1 to
 * KK_STORE_USER_MAX bytes of [A-Za-z0-9._-] that do not start with "." and
 * do not contain ".lock" or ".tmp" are kept as they are; any other name of
 * at most KK_STORE_USER_MAX bytes becomes "=" followed by its bytes in
 * lower-case hex.  out needs 2 * KK_STORE_USER_MAX + 2 bytes.
 * KK_ERR_INVAL for an empty name, KK_ERR_RANGE for a long one.
 */
#define OTP_STORE_USER_ENC_SIZE (2 * KK_STORE_USER_MAX + 2)
KK_API KK_WUR int otp_store_user_encode(const char *user,
                                        char out[OTP_STORE_USER_ENC_SIZE]);
/* The reverse of otp_store_user_encode; KK_ERR_INVAL if enc is not the
 * canonical encoding of a name. */
KK_API KK_WUR int otp_store_user_decode(const char *enc,
                                        char out[KK_STORE_USER_MAX + 1]);

/* ---- What a user's state holds, without any secret ---- */

struct otp_cred_info {
    unsigned id;
    char label[KK_OTP_LABEL_MAX + 1];
    struct otp_params params; /* params.counter: next HOTP counter */
    enum otp_cred_state state;
    int64_t created;   /* Unix seconds */
    int64_t last_used; /* 0 when never used */
    bool has_last_step;
    uint64_t last_step; /* last accepted TOTP step (when has_last_step) */
    int drift;          /* learned clock offset in steps */
    int pending_drift;  /* offset seen once, adopted if seen again */
};

struct otp_budget_info {
    unsigned consecutive;    /* failures since the last success */
    uint64_t total;          /* failures ever counted */
    int64_t last_fail;       /* Unix seconds, 0 when none */
    unsigned failures_24h;   /* failures still counted by the rolling cap */
    int64_t throttled_until; /* codes refused before this time; 0 if not */
};

struct otp_user_info {
    char user[KK_STORE_USER_MAX + 1];
    size_t ncreds;
    struct otp_cred_info creds[KK_STORE_CREDS_MAX];
    struct otp_budget_info budget[OTP_BUDGETS];
    unsigned recovery_left;   /* unused recovery codes */
    unsigned recovery_weak;   /* of which imported short (8-digit) codes */
    int64_t recovery_created; /* 0 when none were ever issued */
    bool enrolled;            /* at least one active credential */
};

/*
 * Reads user's state and failure counters without taking the lock for
 * writing (a shared lock is held while reading) and fills *out; the
 * rate-limit fields are evaluated at now under policy pol (NULL:
 * defaults).  A torn or invalid counter record is shown as the
 * conservative counters a verification would replace it with (nothing is
 * written).  KK_ERR_NOTFOUND when the user has no state file.
 */
KK_API KK_WUR int otp_store_info(struct otp_store *s, const char *user,
                                 const struct otp_policy *pol, int64_t now,
                                 struct otp_user_info *out, struct kk_diag *d);

/* Calls fn for each user with a state file, in directory order, until fn
 * returns non-zero (which is then returned).  Entries that are not valid
 * encoded names are skipped. */
KK_API KK_WUR int otp_store_users(struct otp_store *s,
                                  int (*fn)(const char *user, void *ctx),
                                  void *ctx, struct kk_diag *d);

/* ---- Enrolment and administration ---- */

/*
 * Adds a credential for user with the given label (1 to KK_OTP_LABEL_MAX
 * bytes), parameters and secret (KK_OTP_SECRET_MIN to KK_OTP_SECRET_MAX
 * bytes; borrowed, never stored in clear).  It is pending unless active is
 * set.  *id gets the new credential's id.  KK_ERR_LIMIT when the user
 * already has KK_STORE_CREDS_MAX credentials.
 */
KK_API KK_WUR int otp_store_cred_add(struct otp_store *s, const char *user,
                                     const char *label,
                                     const struct otp_params *params,
                                     const uint8_t *secret, size_t secret_len,
                                     bool active, int64_t now, unsigned *id,
                                     struct kk_diag *d);

/*
 * Activates pending credential id of user if code is a valid code for it
 * within pol->window at now.  The code's step (or counter) becomes the
 * last used one, so it cannot be replayed at login.  KK_ERR_AUTH for a
 * wrong code, KK_ERR_NOTFOUND for no such pending credential.
 */
KK_API KK_WUR int otp_store_cred_activate(struct otp_store *s, const char *user,
                                          unsigned id, const char *code,
                                          const struct otp_policy *pol,
                                          int64_t now, struct kk_diag *d);

/* Removes credential id of user, or all of them when id is 0, and then
 * the recovery codes too.  *removed gets how many credentials were
 * removed.  KK_ERR_NOTFOUND if none. */
KK_API KK_WUR int otp_store_cred_remove(struct otp_store *s, const char *user,
                                        unsigned id, unsigned *removed,
                                        struct kk_diag *d);

/*
 * Replaces user's recovery codes with KK_STORE_RECOVERY_CODES new ones of
 * 60 bits each, written into codes as "XXXX-XXXX-XXXX" (Crockford base32).
 * Only keyed hashes are stored; the caller shows the codes once and wipes
 * them.  Creates the user's state file if needed.
 */
KK_API KK_WUR int
otp_store_recovery_new(struct otp_store *s, const char *user, int64_t now,
                       char codes[KK_STORE_RECOVERY_CODES][OTP_RECOVERY_SIZE],
                       struct kk_diag *d);

/* ---- Verification (what PAM runs) ---- */

enum otp_verified_by {
    OTP_VERIFIED_NONE = 0,
    OTP_VERIFIED_CODE = 1,     /* a TOTP or HOTP code */
    OTP_VERIFIED_RECOVERY = 2, /* a recovery code, now used up */
};

struct otp_verify_result {
    enum otp_verified_by by;
    unsigned cred_id;        /* credential that matched (by CODE) */
    int64_t offset;          /* steps from the expected one (by CODE) */
    bool drift_adopted;      /* the credential's drift changed */
    unsigned recovery_left;  /* unused recovery codes after this attempt */
    int64_t throttled_until; /* set when the budget is throttled */
    bool counters_reset;     /* the failure-counter record was torn or
                                invalid and was reset conservatively */
};

/*
 * Checks input (a TOTP/HOTP code, or a recovery code "XXXX-XXXX-XXXX" in
 * any case, with or without dashes) for user, counting the attempt in
 * budget b under policy pol (NULL: defaults), at time now.
 *
 * Under the user's lock: reads the state and the failure counters,
 * refuses codes without evaluation while the budget is throttled (recovery
 * codes of 60 bits are still evaluated), checks every active credential
 * over its window (2w+1 HMACs each) accepting only a step after the last
 * accepted one (or an HOTP counter at or after the next one), learns
 * drift, and consumes a matching recovery code.  An acceptance is written
 * to the state file durably (fsync of file and directory) before KK_OK is
 * returned; if that write fails the attempt is refused.  Then the
 * consecutive count of b is reset.  A failure changes only the counter
 * record (one pwrite, no fsync); if that write fails the attempt is
 * refused with the store error.
 *
 * A torn or invalid counter record is replaced by conservative counters
 * (the free failures used up and half the daily cap spent) and
 * res->counters_reset is set; a missing record counts as a fresh budget.
 *
 * A user without a state file or without active credentials or recovery
 * codes costs the same HMACs and the same counter-record I/O (on a
 * per-store dummy record) and returns KK_ERR_NOTFOUND; nothing is kept for
 * that name.
 *
 * Returns KK_OK (accepted, *res filled), KK_ERR_AUTH (wrong code),
 * KK_ERR_REPLAY (a code of an already used step), KK_ERR_THROTTLED,
 * KK_ERR_NOTFOUND, or a store error (KK_ERR_CORRUPT, KK_ERR_IO, KK_ERR_PERM,
 * KK_ERR_TIMEOUT, ...).  *res is filled for KK_OK, KK_ERR_AUTH,
 * KK_ERR_REPLAY and KK_ERR_THROTTLED.
 */
KK_API KK_WUR int otp_store_verify(struct otp_store *s, const char *user,
                                   const char *input, enum otp_budget b,
                                   const struct otp_policy *pol, int64_t now,
                                   struct otp_verify_result *res,
                                   struct kk_diag *d);

/* ---- Resynchronisation (`kalkan otp resync`) ---- */

struct otp_resync_result {
    unsigned cred_id;        /* the credential that matched */
    enum otp_kind kind;      /* its kind */
    unsigned period;         /* TOTP: its period in seconds */
    int drift;               /* TOTP: the new drift in steps */
    int old_drift;           /* TOTP: the drift before */
    uint64_t counter;        /* HOTP: the next counter now */
    uint64_t old_counter;    /* HOTP: the next counter before */
    int64_t throttled_until; /* set when the local budget is throttled */
};

/*
 * Resynchronises a credential of user whose device clock (TOTP) or counter
 * (HOTP) is too far off for the login window, from two codes the device
 * showed one after the other: code1, then code2 (6 to 8 digits each;
 * borrowed).  id selects the credential; 0 tries every active one and
 * uses the one that matches.  pol (NULL: defaults) is the rate-limit
 * policy of the local budget; now is the time in Unix seconds.
 *
 * TOTP: looks for steps s and s + 1 with s + 1 within +-KK_STORE_DRIFT_MAX
 * of the step of now (2 * KK_STORE_DRIFT_MAX + 2 HMACs per credential), so
 * the drift found stays within the bound of learned drift; then the drift
 * becomes s + 1 minus the step of now and the last accepted step s + 1,
 * so neither code can be used at a login.  Steps at or before the last
 * accepted one are refused as replays.  HOTP: looks for counters c and
 * c + 1 from the next counter up to KK_STORE_HOTP_RESYNC_MAX ahead
 * (KK_STORE_HOTP_RESYNC_MAX + 1 HMACs) and sets the next counter to c + 2.
 *
 * Under the user's lock, like every change: refuses without evaluation
 * while the local budget is throttled, and counts every failed or refused
 * attempt against the local budget (one pwrite of the counter record, as
 * otp_store_verify does), since two codes checked over a wide range are an
 * oracle otherwise.  A success is written durably to the state file before
 * KK_OK is returned; it leaves the failure counters as they are.
 *
 * Returns KK_OK (*res filled), KK_ERR_AUTH (no two consecutive steps
 * match), KK_ERR_REPLAY (they match only at steps already used),
 * KK_ERR_THROTTLED, KK_ERR_EXISTS (with id 0, the codes match more than
 * one credential; nothing is counted or changed), KK_ERR_NOTFOUND (no such
 * user or active credential), KK_ERR_INVAL (a code that is not 6 to 8
 * digits, a bad time; nothing is counted), or a store error.
 * res->throttled_until is also set for KK_ERR_AUTH, KK_ERR_REPLAY and
 * KK_ERR_THROTTLED.  Thread safety as for the store handle.
 */
KK_API KK_WUR int otp_store_resync(struct otp_store *s, const char *user,
                                   unsigned id, const char *code1,
                                   const char *code2,
                                   const struct otp_policy *pol, int64_t now,
                                   struct otp_resync_result *res,
                                   struct kk_diag *d);

/* ---- The state file format, for tools and fuzzing ---- */

/*
 * Parses the text of a state file (at most KK_STORE_FILE_MAX bytes) that
 * must belong to user, into *out (no secret is decrypted).  The failure
 * counters are not in the state file; out->budget is left at zero.  Any
 * deviation from the canonical format is KK_ERR_CORRUPT with detail in d.
 */
KK_API KK_WUR int otp_store_file_parse(const char *text, size_t len,
                                       const char *user,
                                       struct otp_user_info *out,
                                       struct kk_diag *d);

/* ---- google-authenticator files ---- */

/* What a ~/.google_authenticator file holds.  Holds the secret and the
 * scratch codes: wipe with otp_ga_wipe(). */
#define OTP_GA_SCRATCH_MAX 10
#define OTP_GA_REUSE_MAX 64
struct otp_ga {
    uint8_t secret[KK_OTP_SECRET_MAX];
    size_t secret_len;
    bool totp; /* TOTP_AUTH */
    bool hotp; /* HOTP_COUNTER present */
    uint64_t hotp_counter;
    unsigned step_size; /* STEP_SIZE, 30 when absent */
    bool has_step_size;
    unsigned window_size; /* WINDOW_SIZE, 0 when absent */
    bool disallow_reuse;
    size_t nreuse;
    uint64_t reuse[OTP_GA_REUSE_MAX]; /* time steps already used */
    bool has_rate_limit;
    unsigned rate_attempts, rate_interval;
    bool has_time_skew;
    int64_t time_skew; /* steps */
    bool resetting_time_skew;
    size_t nscratch;
    char scratch[OTP_GA_SCRATCH_MAX][9];
    unsigned unknown; /* option lines not known to this parser */
};

/*
 * Parses a google-authenticator file of len bytes (at most KK_GA_FILE_MAX):
 * a base32 secret line, option lines starting with '" ', and scratch codes
 * of 8 digits.  Malformed input is KK_ERR_INVAL with detail in d.
 */
KK_API KK_WUR int otp_ga_parse(const char *text, size_t len, struct otp_ga *out,
                               struct kk_diag *d);
KK_API void otp_ga_wipe(struct otp_ga *g);

/*
 * Imports a parsed file as a new active credential of user (label as
 * given): TOTP (period = STEP_SIZE, last step = the highest DISALLOW_REUSE
 * step, drift = TIME_SKEW when within KK_STORE_DRIFT_MAX) or HOTP (counter
 * = HOTP_COUNTER); scratch codes become short recovery codes when the
 * user has no recovery codes yet (*scratch_imported tells).
 */
KK_API KK_WUR int otp_store_import_ga(struct otp_store *s, const char *user,
                                      const char *label, const struct otp_ga *g,
                                      int64_t now, unsigned *id,
                                      bool *scratch_imported,
                                      struct kk_diag *d);

/* ---- The helper daemon's protocol (docs/pam_kalkan.md) ---- */

/*
 * Unprivileged PAM callers (screen lockers) cannot read the store, so they
 * ask the root daemon `kalkan otp daemon` over a UNIX stream socket.  One
 * request line per connection, at most OTP_PROTO_LINE_MAX bytes:
 *
 *   "KALKAN-OTP 1 VERIFY <encoded-user> <local|remote> <input>\n"
 *   "KALKAN-OTP 1 ENROLLED <encoded-user>\n"
 *
 * <input> is 1 to OTP_PROTO_INPUT_MAX characters of [0-9A-Za-z-].  One
 * reply line: "OK code", "OK recovery", "DENIED auth", "DENIED replay",
 * "DENIED throttled", "UNENROLLED", "YES", "NO" or "ERROR <word>".
 */
#define OTP_PROTO_LINE_MAX 256
#define OTP_PROTO_INPUT_MAX 32
#define OTP_PROTO_TIMEOUT_MS 15000 /* client: longer than the lock wait */

/*
 * Reduces what a person typed to what can be checked: drops spaces and
 * tabs; input that is then empty, longer than OTP_PROTO_INPUT_MAX or holds
 * other characters than [0-9A-Za-z-] becomes "-", which never matches but
 * still counts as a failed attempt.  out needs OTP_PROTO_INPUT_MAX + 1.
 */
KK_API void otp_input_clean(const char *in, char out[OTP_PROTO_INPUT_MAX + 1]);

/*
 * Client side: asks the daemon at socket_path to verify input for user in
 * budget b (the daemon forces "local" for callers that are not root), with
 * a timeout for the whole exchange.  Returns what otp_store_verify would
 * (KK_OK, KK_ERR_AUTH, KK_ERR_REPLAY, KK_ERR_THROTTLED, KK_ERR_NOTFOUND),
 * with *by set on KK_OK, or KK_ERR_IO, KK_ERR_TIMEOUT, KK_ERR_PROTO or
 * KK_ERR_PERM when the daemon cannot be asked or refuses.
 */
KK_API KK_WUR int otp_remote_verify(const char *socket_path, const char *user,
                                    const char *input, enum otp_budget b,
                                    unsigned timeout_ms,
                                    enum otp_verified_by *by,
                                    struct kk_diag *d);
/* Client side: whether user has an active credential (for nullok). */
KK_API KK_WUR int otp_remote_enrolled(const char *socket_path, const char *user,
                                      unsigned timeout_ms, bool *enrolled,
                                      struct kk_diag *d);

/*
 * Server side: reads one request from connected socket fd (with a timeout
 * of timeout_ms), checks that a caller with uid peer_uid may ask about the
 * user (root may ask about anyone, others only about the user whose uid is
 * theirs, looked up with getpwnam_r), runs it against s with policy pol at
 * now, and writes the reply.  Never closes fd.  *verdict gets the result
 * of the store call for logging.
 */
KK_API KK_WUR int otp_proto_serve(struct otp_store *s,
                                  const struct otp_policy *pol, int fd,
                                  unsigned peer_uid, int64_t now,
                                  unsigned timeout_ms, int *verdict,
                                  char user[KK_STORE_USER_MAX + 1],
                                  struct kk_diag *d);

#ifdef __cplusplus
}
#endif

#endif
