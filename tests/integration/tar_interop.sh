#!/usr/bin/env bash
# services: none
# What ri-tar writes, GNU tar and bsdtar list and extract, for every compression; what GNU tar
# writes (gnu, pax and ustar formats, with hard links), ri-tar extracts. Every extraction is
# compared with the source tree file by file: type, mode, content, symlink target, mtime.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-tar
ri_setup
fixture=$(cd "$(dirname "$0")/../fixtures" && pwd)/tar_tree.py
for t in tar bsdtar zstd gzip; do command -v $t >/dev/null || fail "precondition: $t is not installed"; done

python3 "$fixture" make-tree "$T/Proj/Run_1"
src=$T/Proj/Run_1
nfiles=$(find "$src" -type f | wc -l)

for c in none gzip zstd; do
  out=$T/out_$c
  expect_exit 0 ri-tar "$src" -o "$out" --compression $c --json
  archive=$(json_field "$T/out" path)
  expect_field "$T/out" compression $c
  expect_field "$T/out" files "$nfiles"
  [ -f "$archive" ] || fail "$c: the record names $archive, which does not exist"
  [ "$(ls "$out")" = "$(basename "$archive")" ] || fail "$c: stray files in $out: $(ls "$out")"
  zflag=()
  [ $c = gzip ] && zflag=(-z)
  [ $c = zstd ] && zflag=(-I zstd)

  # Both listers see every entry under Run_1/.
  tar "${zflag[@]}" -tf "$archive" >"$T/gnu.list" || fail "$c: GNU tar cannot list $archive"
  bsdtar -tf "$archive" >"$T/bsd.list" || fail "$c: bsdtar cannot list $archive"
  want=$(cd "$T/Proj" && find Run_1 | wc -l)
  [ "$(wc -l <"$T/gnu.list")" = "$want" ] || fail "$c: GNU tar lists $(wc -l <"$T/gnu.list") entries, want $want"
  [ "$(wc -l <"$T/bsd.list")" = "$want" ] || fail "$c: bsdtar lists $(wc -l <"$T/bsd.list") entries, want $want"
  grep -q '^Run_1/sp ace' "$T/gnu.list" || fail "$c: GNU tar does not list the odd name"
  grep -q "^Run_1/.*long_name_n\{110\}\.dat$" "$T/bsd.list" || fail "$c: bsdtar does not list the long name"

  mkdir "$T/gnu_$c" "$T/bsd_$c"
  tar "${zflag[@]}" -xf "$archive" -C "$T/gnu_$c" || fail "$c: GNU tar cannot extract $archive"
  bsdtar -xpf "$archive" -C "$T/bsd_$c" || fail "$c: bsdtar cannot extract $archive"
  python3 "$fixture" compare "$src" "$T/gnu_$c/Run_1" || fail "$c: GNU tar's extraction differs from the tree"
  python3 "$fixture" compare "$src" "$T/bsd_$c/Run_1" || fail "$c: bsdtar's extraction differs from the tree"

  # ri-tar reads its own archives back the same way.
  expect_exit 0 ri-tar extract "$archive" -C "$T/ri_$c" --json
  expect_field "$T/out" files "$nfiles"
  python3 "$fixture" compare "$src" "$T/ri_$c/Run_1" || fail "$c: ri-tar's extraction differs from the tree"
  expect_exit 0 ri-tar list "$archive" --json
  [ "$(wc -l <"$T/out")" = "$want" ] || fail "$c: ri-tar list printed $(wc -l <"$T/out") entries, want $want"
done

# pax: a non-ASCII name is stored as UTF-8 (what Windows and macOS extractors read).
grep -q "^Run_1/ünicøde/日本語.txt$" <<<"$(tar -tf "$T/out_none"/*.tar)" || fail "the unicode name is not stored as UTF-8"

# The other way round: GNU tar's archives, in each format, with hard links, through each filter.
cp -a "$src" "$T/Proj/Run_2"
ln "$T/Proj/Run_2/mesh/part_1.msh" "$T/Proj/Run_2/hard_copy.msh"
for fmt in gnu pax ustar; do
  for c in none gzip zstd; do
    zflag=()
    ext=tar
    [ $c = gzip ] && { zflag=(-z); ext=tar.gz; }
    [ $c = zstd ] && { zflag=(-I zstd); ext=tar.zst; }
    name=$fmt.$ext
    if [ $fmt = ustar ]; then
      # ustar cannot hold the long path: archive the rest.
      tar --format=$fmt "${zflag[@]}" -cf "$T/$name" -C "$T/Proj" --exclude deep Run_2
    else
      tar --format=$fmt "${zflag[@]}" -cf "$T/$name" -C "$T/Proj" Run_2
    fi
    expect_exit 0 ri-tar extract "$T/$name" -C "$T/x_$name" --json
    expect_field "$T/out" hardlinks 1
    if [ $fmt = ustar ]; then
      mkdir "$T/ref_ustar_$c"
      tar "${zflag[@]}" -xf "$T/$name" -C "$T/ref_ustar_$c"
      python3 "$fixture" compare "$T/ref_ustar_$c/Run_2" "$T/x_$name/Run_2" || fail "$name: ri-tar's extraction differs from GNU tar's"
    else
      python3 "$fixture" compare "$T/Proj/Run_2" "$T/x_$name/Run_2" || fail "$name: ri-tar's extraction differs from the tree"
    fi
    [ "$(stat -c %i "$T/x_$name/Run_2/hard_copy.msh")" = "$(stat -c %i "$T/x_$name/Run_2/mesh/part_1.msh")" ] ||
      fail "$name: the hard link was not extracted as a hard link"
  done
done

# An archive made with `tar -C DIR .` starts with "./": extracted into DIR itself.
tar -cf "$T/dot.tar" -C "$src" .
expect_exit 0 ri-tar extract "$T/dot.tar" -C "$T/dot"
python3 "$fixture" compare "$src" "$T/dot" || fail "./-rooted archive extracted wrong"

echo "ok: GNU tar and bsdtar list and extract ri-tar's none/gzip/zstd archives; ri-tar extracts GNU tar's gnu/pax/ustar archives with hard links; trees equal file by file"
