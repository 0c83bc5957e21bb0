#!/usr/bin/env bash
# services: none
# Hostile archives -- absolute paths, "..", symlinks out, symlink chains out, hard links out,
# writes through a symlink -- are refused with exit 65 and one plain line naming the entry;
# nothing is written outside the target, and what was extracted before the refusal is removed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-tar
ri_setup
fixture=$(cd "$(dirname "$0")/../fixtures" && pwd)/tar_tree.py

# A world to protect: a victim file beside the target, and the targets' parent.
mkdir -p "$T/world"
printf 'precious\n' >"$T/world/victim"
rm -f /tmp/ri-tar-evil-absolute

kinds=$(python3 "$fixture" evil-kinds)
for kind in $kinds; do
  for c in none gzip zstd; do
    archive=$T/evil_$kind.tar
    python3 "$fixture" evil "$kind" "$archive"
    [ $c = gzip ] && { gzip -kf "$archive"; archive=$archive.gz; }
    [ $c = zstd ] && { zstd -qf "$archive"; archive=$archive.zst; }
    dest=$T/world/dest_${kind}_$c
    mkdir "$dest"
    printf 'mine\n' >"$dest/keep.txt"
    # Everything under $T but ri's own log and the captured output.
    before=$(cd "$T" && find . -path ./home -prune -o -print | LC_ALL=C sort | grep -v "^./out$\|^./err$")
    expect_exit 65 ri-tar extract "$archive" -C "$dest" --progress none
    [ "$(wc -l <"$T/err")" -eq 1 ] || fail "$kind/$c: want one line on stderr, got: $(cat "$T/err")"
    grep -q "Refusing to extract" "$T/err" || fail "$kind/$c: the message does not say it refused: $(cat "$T/err")"
    [ -s "$T/out" ] && fail "$kind/$c: a record was printed for a refused archive: $(cat "$T/out")"
    # Nothing anywhere changed: the only new path is the compressed copy made above.
    after=$(cd "$T" && find . -path ./home -prune -o -print | LC_ALL=C sort | grep -v "^./out$\|^./err$")
    [ "$before" = "$after" ] || fail "$kind/$c: the filesystem changed: $(diff <(echo "$before") <(echo "$after"))"
    [ "$(cat "$T/world/victim")" = precious ] || fail "$kind/$c: the victim file was changed"
    [ "$(cat "$dest/keep.txt")" = mine ] || fail "$kind/$c: a file already in the target was changed"
    [ -e /tmp/ri-tar-evil-absolute ] && fail "$kind/$c: wrote /tmp/ri-tar-evil-absolute"
    [ -e "$T/ri-tar-evil-dotdot" ] || [ -e "$T/world/ri-tar-evil-dotdot" ] && fail "$kind/$c: wrote outside with .."
    [ -e "$T/world/ri-tar-evil-symlink" ] && fail "$kind/$c: wrote through a symlink"
    rm -rf "$dest"
  done
done

# The entry is named, and the reason is plain.
python3 "$fixture" evil dotdot "$T/e.tar"
expect_exit 65 ri-tar extract "$T/e.tar" -C "$T/world/d"
grep -q "sub/../../ri-tar-evil-dotdot" "$T/err" || fail "the dotdot entry is not named: $(cat "$T/err")"
python3 "$fixture" evil hardlink "$T/e.tar"
expect_exit 65 ri-tar extract "$T/e.tar" -C "$T/world/d"
grep -q "hard link" "$T/err" || fail "the hard link refusal does not say so: $(cat "$T/err")"

# A symlink already in the target directory is not followed either.
mkdir -p "$T/world/t2" "$T/elsewhere"
ln -s "$T/elsewhere" "$T/world/t2/results"
python3 - "$T/e2.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    i = tarfile.TarInfo("results/out.dat"); i.size = 2
    t.addfile(i, io.BytesIO(b"x\n"))
PY
expect_exit 65 ri-tar extract "$T/e2.tar" -C "$T/world/t2"
[ -z "$(ls -A "$T/elsewhere")" ] || fail "wrote through a symlink that was in the target directory"

# Damaged archives are bad data too: truncated, and not an archive at all.
ri-tar "$(python3 "$fixture" make-tree "$T/Run_9" && echo "$T/Run_9")" -o "$T/arch" --compression zstd -q >"$T/rec"
good=$(json_field "$T/rec" path)
head -c $(($(size_of "$good") / 2)) "$good" >"$T/trunc.tar.zst"
expect_exit 65 ri-tar extract "$T/trunc.tar.zst" -C "$T/world/t3"
grep -q "damaged, truncated or not a tar archive" "$T/err" || fail "truncation message: $(cat "$T/err")"
[ -z "$(ls -A "$T/world/t3" 2>/dev/null)" ] || fail "a truncated archive left files: $(ls -R "$T/world/t3")"
head -c 5000 /dev/urandom >"$T/noise.tar"
expect_exit 65 ri-tar list "$T/noise.tar"
expect_exit 66 ri-tar list "$T/missing.tar"

echo "ok: $(echo "$kinds" | wc -w) kinds of hostile archive x 3 compressions refused with 65, nothing written outside, partial extraction undone; damaged archives 65"
