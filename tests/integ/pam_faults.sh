#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fail-closed state (goal G8): a full disk, a read-only store, corrupt or
# empty state files, a bad store key and a missing store all deny; a code
# whose use cannot be recorded is not accepted; no zero-size state file or
# temporary is left behind; a used code is never accepted again.  A torn,
# garbage or forged failure-counter record (the lock file) neither lets a
# used code in nor locks the owner out: it resets conservatively.  The
# store lives on a small tmpfs mounted here, so "full" and "read-only" are
# real.
. "$KK_SOURCE_DIR/tests/data/pam/lib.sh"

FS=$T/fs
mkdir -p "$FS"
mount -t tmpfs -o size=256k,mode=0700 kalkan-test "$FS" || { bad "mount a tmpfs"; finish; }
at_exit "umount '$FS'"
STORE=$FS/store
enroll fault "$SECRET"
service "auth required $PAM_KALKAN store=$STORE"
state=$STORE/users/fault
base=$(step_start 1950000000)
code_at() { oathtool --totp -b "$SECRET" -N "@$1"; }
field() { # budget key
    kk status --user fault --json | python3 -c "import json,sys; v=json.load(sys.stdin)['users'][0]['budgets']['$1']['$2']; print('null' if v is None else v)"
}
clean_dir() { test -z "$(find "$STORE/users" -type f \( -size 0 ! -name '*.lock' -o -name '*.tmp*' \))"; }

# Disk full.
t1=$((base + 3600))
c1=$(code_at $t1)
expect_pt 0 "a code is accepted before the disk fills" fault "$c1" $t1
dd if=/dev/zero of="$FS/fill" bs=4k >/dev/null 2>&1
cp "$state" "$T/before"
t2=$((base + 7200))
c2=$(code_at $t2)
expect_pt 1 "disk full: a valid code is refused (its use cannot be recorded)" fault "$c2" $t2
expect_pt 1 "disk full: a used code is refused" fault "$c1" $t1
check "disk full: the state file is unchanged" cmp -s "$state" "$T/before"
check "disk full: the refused replay was still counted (in place, no new blocks)" \
    test "$(field local failures_total)" -eq 1
check "disk full: no zero-size state file or temporary left" clean_dir
rm -f "$FS/fill"
expect_pt 0 "space again: the unrecorded code is accepted now" fault "$c2" $t2
expect_pt 1 "space again: and only once" fault "$c2" $t2

# Read-only store.
mount -o remount,ro "$FS" || bad "remount read-only"
t3=$((base + 10800))
c3=$(code_at $t3)
expect_pt 1 "read-only store: a valid code is refused" fault "$c3" $t3
kk status --user fault >/dev/null
check "read-only store: status can still read it" test $? -eq 0
mount -o remount,rw "$FS" || bad "remount read-write"
expect_pt 0 "writable again: the code is accepted" fault "$c3" $t3
expect_pt 1 "writable again: a code of the same step is refused" fault "$c3" $t3

# Corrupt and empty state.
cp "$state" "$T/good"
t4=$((base + 14400))
c4=$(code_at $t4)
printf 'kalkan-otp-state 1\nuser fault\ngarbage\n' >"$state"
expect_pt 1 "corrupt state file: denied" fault "$c4" $t4
: >"$state"
expect_pt 1 "empty state file: denied" fault "$c4" $t4
sed 's/ active / pending /' "$T/good" >"$state"
expect_pt 1 "edited credential state: not active, denied" fault "$c4" $t4
cp "$T/good" "$state"
expect_pt 0 "restored state file: accepted" fault "$c4" $t4

# Bad key.
t5=$((base + 18000))
c5=$(code_at $t5)
cp "$STORE/key" "$T/key"
chmod 600 "$STORE/key"; head -c 32 /dev/urandom >"$STORE/key"; chmod 400 "$STORE/key"
expect_pt 1 "a different store key: the secret does not decrypt, denied" fault "$c5" $t5
cp "$T/key" "$STORE/key"; chmod 444 "$STORE/key"
expect_pt 1 "a key readable by others: refused" fault "$c5" $t5
chmod 400 "$STORE/key"; chmod 755 "$STORE"
expect_pt 1 "a store directory open to others: refused" fault "$c5" $t5
chmod 700 "$STORE"
expect_pt 0 "everything restored: accepted" fault "$c5" $t5

# Corrupt failure counters: the record at the start of the lock file.
lock=$STORE/users/fault.lock
t6=$((base + 25200))
c6=$(code_at $t6)
expect_pt 0 "counters: a code is accepted" fault "$c6" $t6
head -c 64 /dev/urandom >"$lock"
check "torn counter record: status shows the conservative reset (3 in a row, 50 of 100 a day)" \
    test "$(field local consecutive_failures)/$(field local failures_24h)" = 3/50
expect_pt 1 "torn counter record: the used code is still refused" fault "$c6" $t6
check "torn counter record: the lock file holds one whole record again" \
    test "$(stat -c %s "$lock")" -eq 128
check "torn counter record: the replay was counted on top of the reset" \
    test "$(field local consecutive_failures)" -eq 4
head -c 300 /dev/urandom >"$lock"
t7=$((t6 + 60))
c7=$(code_at $t7)
expect_pt 0 "garbage counter record: the owner's next code is accepted" fault "$c7" $t7
expect_pt 1 "garbage counter record: and only once" fault "$c7" $t7
check "garbage counter record: cut back to one record" test "$(stat -c %s "$lock")" -eq 128
printf '\x01' | dd of="$lock" bs=1 seek=20 conv=notrunc status=none
expect_pt 1 "forged counter record (one byte changed): a wrong code is refused" fault 000000 $((t7 + 1))
check "forged counter record: not trusted, reset, and the back-off runs" \
    test "$(field local consecutive_failures)" -eq 4
t8=$((t7 + 60))
expect_pt 0 "forged counter record: a valid code after the back-off is accepted" fault "$(code_at $t8)" $t8
: >"$lock"
t9=$((t8 + 60))
expect_pt 1 "empty lock file (no record): a used code is refused" fault "$(code_at $t8)" $t9
check "empty lock file: a fresh budget, this failure counted" \
    test "$(field local consecutive_failures)/$(field local failures_24h)" = 1/1
expect_pt 0 "empty lock file: a valid code is accepted" fault "$(code_at $t9)" $t9

# Missing store.
service "auth required $PAM_KALKAN store=$T/nonexistent"
expect_pt 1 "missing store: denied" fault "$(code_at $((base + 21600)))" $((base + 21600))
check "no zero-size state file or temporary left at the end" clean_dir
finish
