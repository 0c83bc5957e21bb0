#!/usr/bin/env bash
# services: none
# Choosing what goes in: --include/--exclude globs (repeatable, ';'-separated lists), --subpath
# (refusing ways out), --flatten; config.csv's exclude_pattern, include_pattern, flatten_tar and
# tar_compression stand in for absent flags, and flags win. Symlinks are stored as links, never
# followed; sockets and FIFOs are skipped with a warning.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-tar
ri_setup

names() { # ARCHIVE: the sorted entry names, space-separated
  bsdtar -tf "$1" | LC_ALL=C sort | tr '\n' ' '
}

r=$T/Run_1
mkdir -p "$r/mesh" "$r/scratch/deep" "$r/results/final" "$T/outside"
for f in case.inp notes.txt run.log mesh/a.msh mesh/b.log scratch/tmp.dat scratch/deep/x.inp results/final/r.dat; do
  printf '%s\n' "$f" >"$r/$f"
done
printf 'outside\n' >"$T/outside/secret.dat"
ln -s ../outside "$r/escape"
ln -s "$T/outside/secret.dat" "$r/abs_link"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$r/sock"
mkfifo "$r/fifo"

expect_exit 0 ri-tar "$r" -o "$T/o1" --json
a=$(json_field "$T/out" path)
[ "$(names "$a")" = "Run_1/ Run_1/abs_link Run_1/case.inp Run_1/escape Run_1/mesh/ Run_1/mesh/a.msh Run_1/mesh/b.log Run_1/notes.txt Run_1/results/ Run_1/results/final/ Run_1/results/final/r.dat Run_1/run.log Run_1/scratch/ Run_1/scratch/deep/ Run_1/scratch/deep/x.inp Run_1/scratch/tmp.dat " ] ||
  fail "plain archive: $(names "$a")"
# Symlinks are links in the archive, never the files they point to.
grep -q "Run_1/escape -> ../outside" <<<"$(bsdtar -tvf "$a")" || fail "symlink not stored as a link"
grep -q outside <<<"$(bsdtar -xOf "$a")" && fail "content from outside the tree was archived"
grep -q "sock is a socket; left out" "$T/err" || fail "no warning for the socket: $(cat "$T/err")"
grep -q "fifo is a FIFO; left out" "$T/err" || fail "no warning for the FIFO: $(cat "$T/err")"
grep -q "escape is a symlink to '../outside', outside" "$T/err" || fail "no warning for the outward link: $(cat "$T/err")"
rm -f "$r/sock" "$r/fifo" "$r/escape" "$r/abs_link"

# --exclude: names at any depth, paths from the root, directories pruned, ';' lists.
expect_exit 0 ri-tar "$r" -o "$T/o2" --exclude '*.log;scratch' --exclude results/final/r.dat --json
[ "$(names "$(json_field "$T/out" path)")" = "Run_1/ Run_1/case.inp Run_1/mesh/ Run_1/mesh/a.msh Run_1/notes.txt Run_1/results/ Run_1/results/final/ " ] ||
  fail "--exclude: $(names "$(json_field "$T/out" path)")"
# --include: only matching files (directories still walked), exclude wins.
expect_exit 0 ri-tar "$r" -o "$T/o3" --include '*.inp' --include 'mesh/*' --exclude 'b.log' --json
[ "$(names "$(json_field "$T/out" path)")" = "Run_1/ Run_1/case.inp Run_1/mesh/ Run_1/mesh/a.msh Run_1/results/ Run_1/results/final/ Run_1/scratch/ Run_1/scratch/deep/ Run_1/scratch/deep/x.inp " ] ||
  fail "--include: $(names "$(json_field "$T/out" path)")"
expect_field "$T/out" files 3

# --subpath: only that subdirectory, named after it; ways out refused.
expect_exit 0 ri-tar "$r" -o "$T/o4" --subpath results/final --json
expect_field "$T/out" subpath results/final
[[ $(basename "$(json_field "$T/out" path)") == results_final_*.tar ]] || fail "subpath name: $(cat "$T/out")"
[ "$(names "$(json_field "$T/out" path)")" = "final/ final/r.dat " ] || fail "--subpath: $(names "$(json_field "$T/out" path)")"
ln -s ../../outside "$r/results/out"
expect_exit 65 ri-tar "$r" -o "$T/o5" --subpath results/out
grep -q "leads out of" "$T/err" || fail "subpath symlink escape: $(cat "$T/err")"
expect_exit 64 ri-tar "$r" -o "$T/o5" --subpath results/../../outside
expect_exit 66 ri-tar "$r" -o "$T/o5" --subpath nothing/here
[ -e "$T/o5" ] && [ -n "$(ls -A "$T/o5")" ] && fail "a refused subpath left files"
rm -f "$r/results/out"

# config.csv (Interlink's keys) fills in absent flags...
mkdir -p "$XDG_CONFIG_HOME/rescale"
printf 'key,value\nexclude_pattern,*.log;scratch\ntar_compression,zstd\nflatten_tar,true\n' >"$XDG_CONFIG_HOME/rescale/config.csv"
expect_exit 0 ri-tar "$r" -o "$T/o6" --json
expect_field "$T/out" compression zstd
[ "$(names "$(json_field "$T/out" path)")" = "a.msh case.inp notes.txt r.dat " ] || fail "config defaults: $(names "$(json_field "$T/out" path)")"
# ...and flags win over it (an empty --exclude clears the configured patterns).
expect_exit 0 ri-tar "$r" -o "$T/o7" --compression none --no-flatten --exclude '' --include '*.log' --json
expect_field "$T/out" compression none
[ "$(names "$(json_field "$T/out" path)")" = "Run_1/ Run_1/mesh/ Run_1/mesh/b.log Run_1/results/ Run_1/results/final/ Run_1/run.log Run_1/scratch/ Run_1/scratch/deep/ " ] ||
  fail "flags over config: $(names "$(json_field "$T/out" path)")"

echo "ok: include/exclude globs and lists, subpath with escape refusal, flatten, config.csv defaults with flags winning, symlinks as links, sockets and FIFOs skipped"
