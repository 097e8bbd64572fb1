#!/bin/sh
# Seed corpora for the libFuzzer targets in tests/fuzz/: OUT/config from configs/*.yaml and
# tests/bad_configs/*.yaml (plus a few inputs with the "@@set" separator that fuzz_config reads),
# OUT/csv from tests/bad_data/*.csv (plus two good files). Run from the source root:
#   tests/fuzz/make_corpus.sh build-fuzz/corpus
set -eu
out=${1:?usage: make_corpus.sh OUTDIR}
[ -d configs ] && [ -d tests/bad_configs ] && [ -d tests/bad_data ] || {
    echo "make_corpus.sh: run from the source root" >&2; exit 2; }
rm -rf "$out/config" "$out/csv"
mkdir -p "$out/config" "$out/csv"
for f in configs/*.yaml configs/*/*.yaml; do
    [ -f "$f" ] && cp "$f" "$out/config/good_$(echo "$f" | tr / _)"
done
for f in tests/bad_configs/*.yaml; do cp "$f" "$out/config/bad_$(basename "$f")"; done
# Overrides after the separator: one good, one unknown key, one bad list, one path.
printf 'experiment: landscape\n@@set\nlandscape.grid=21\nseed=7\n' >"$out/config/set_good.yaml"
printf 'experiment: arrangement_count\n@@set\ncount.n=[4,8]\ncount.d=2,3\n' >"$out/config/set_list.yaml"
printf 'experiment: landscape\n@@set\nlandscape.gird=5\n' >"$out/config/set_unknown.yaml"
printf 'experiment: arrangements\n@@set\ndata.kind=csv\ndata.path=/dev/null\n' >"$out/config/set_csv.yaml"
# data.path is only checked for data.kind csv: any text is kept and echoed into the resolved config.
printf 'experiment: landscape\ndata:\n  path: "sub dir/x.csv"\n' >"$out/config/path_quoted.yaml"
printf 'experiment: landscape\n@@set\ndata.path=rel/x.csv\n' >"$out/config/set_path.yaml"
for f in tests/bad_data/*.csv; do cp "$f" "$out/csv/bad_$(basename "$f")"; done
printf 'x1,x2,y\n3,3,1\n2,2,-1\n1,0,1\n' >"$out/csv/good_header.csv"
printf '# comment\r\n1.5e-3, -2 ,1\r\n\r\n0x1p3,4,-1\r\n' >"$out/csv/good_crlf.csv"
echo "make_corpus.sh: $(ls "$out/config" | wc -l) config seeds, $(ls "$out/csv" | wc -l) csv seeds in $out"
