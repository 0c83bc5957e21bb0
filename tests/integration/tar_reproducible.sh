#!/usr/bin/env bash
# services: none
# --reproducible: identical trees give byte-identical archives, whatever their mtimes, owners,
# creation order, location or the zstd thread count; SOURCE_DATE_EPOCH sets the time. Without
# it, mtimes and owners are kept.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-tar
ri_setup

make_tree() { # DIR ORDER(fwd|rev) MTIME
  local d=$1 f
  mkdir -p "$d"
  local names=(b.dat a.dat sub/z.dat sub/y.dat "sub/deeper/ü.txt")
  [ "$2" = rev ] && names=("sub/deeper/ü.txt" sub/y.dat sub/z.dat a.dat b.dat)
  for f in "${names[@]}"; do
    mkdir -p "$d/$(dirname "$f")"
    printf 'content of %s\n' "$f" >"$d/$f"
  done
  head -c 300000 /dev/zero | tr '\0' 'q' >"$d/big.dat"
  chmod 0640 "$d/a.dat"
  ln -s a.dat "$d/link"
  find "$d" -exec touch -h -d "$3" {} +
}

make_tree "$T/one/Run_1" fwd '2020-01-01 10:00'
make_tree "$T/two/Run_1" rev '2023-06-15 18:30'
[ "$(id -u)" -eq 0 ] && chown -R -h 12345:54321 "$T/two/Run_1"

for c in none gzip zstd; do
  expect_exit 0 ri-tar "$T/one/Run_1" -o "$T/o1" --compression $c --reproducible --threads 1 --json
  a=$(json_field "$T/out" path)
  expect_exit 0 ri-tar "$T/two/Run_1" -o "$T/o2" --compression $c --reproducible --threads 2 --json
  b=$(json_field "$T/out" path)
  cmp "$a" "$b" || fail "$c: --reproducible archives of identical trees differ"
  # The fixed owner and time are what readers see.
  TZ=UTC tar -tvf "$a" --numeric-owner >"$T/tv"
  grep -q " 0/0 .* 2000-01-01 00:00 Run_1/a.dat" "$T/tv" || fail "$c: owner/time not fixed: $(cat "$T/tv")"
  # Without --reproducible the two differ (their mtimes do).
  expect_exit 0 ri-tar "$T/one/Run_1" -o "$T/p1" --compression $c --json
  x=$(json_field "$T/out" path)
  expect_exit 0 ri-tar "$T/two/Run_1" -o "$T/p2" --compression $c --json
  y=$(json_field "$T/out" path)
  cmp -s "$x" "$y" && fail "$c: archives of trees with different mtimes are identical without --reproducible"
done

# Entries are sorted; modes are kept even under --reproducible.
tar -tvf "$T/o1"/*.tar >"$T/tv"
[ "$(tar -tf "$T/o1"/*.tar | tr '\n' ' ')" = "Run_1/ Run_1/a.dat Run_1/b.dat Run_1/big.dat Run_1/link Run_1/sub/ Run_1/sub/deeper/ Run_1/sub/deeper/ü.txt Run_1/sub/y.dat Run_1/sub/z.dat " ] ||
  fail "entries are not sorted: $(tar -tf "$T/o1"/*.tar | tr '\n' ' ')"
grep -q '^-rw-r-----' <(grep 'Run_1/a.dat' "$T/tv") || fail "mode 0640 not kept: $(grep a.dat "$T/tv")"

# SOURCE_DATE_EPOCH chooses the time.
SOURCE_DATE_EPOCH=1700000000 ri-tar "$T/one/Run_1" -o "$T/e" --reproducible -q >/dev/null
TZ=UTC tar -tvf "$T/e"/*.tar >"$T/tv"
grep -q "2023-11-14 22:13 Run_1/a.dat" "$T/tv" || fail "SOURCE_DATE_EPOCH not used: $(cat "$T/tv")"

# Without --reproducible, mtimes and (as root) owners are what the tree has.
TZ=UTC tar -I zstd -tvf "$T/p1"/*.tar.zst >"$T/tv"
grep -q "2020-01-01 10:00 Run_1/a.dat" "$T/tv" || fail "mtime not kept: $(cat "$T/tv")"
if [ "$(id -u)" -eq 0 ]; then
  tar -I zstd --numeric-owner -tvf "$T/p2"/*.tar.zst >"$T/tv"
  grep -q " 12345/54321 .*Run_1/a.dat" "$T/tv" || fail "owner not kept: $(cat "$T/tv")"
fi

echo "ok: --reproducible archives byte-identical across mtimes, owners, order, location and zstd threads; SOURCE_DATE_EPOCH; modes, mtimes and owners kept otherwise"
