#!/usr/bin/env bash
# Builds the fuzzers' seed corpora under fuzz/corpus/<target>/ from the
# shared corpus (../shared/corpus, ../shared/seed) and the crates' test
# data. Not committed: regenerate with `bash fuzz/seed.sh` (idempotent).
set -euo pipefail
cd "$(dirname "$0")"
shared=../../shared
[ -d "$shared/corpus" ] || shared=../shared
corpus=$shared/corpus
out=corpus
mkdir -p "$out"/{mail,subject,diff_trailer,query,notebook,segment}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Mail: every 60th message of the cgroups epoch (about 600), plus the small
# corpora of other tools (b4, notmuch, patchwork, public-inbox tests).
rm -rf "$tmp/cg.git"
git clone -q --mirror "$corpus/lists/cgroups.vger.kernel.org.0.bundle" "$tmp/cg.git"
i=0
git -C "$tmp/cg.git" rev-list --all | awk 'NR % 60 == 0' | while read -r c; do
  git -C "$tmp/cg.git" show "$c:m" > "$out/mail/cg-$c" 2>/dev/null || rm -f "$out/mail/cg-$c"
done
find "$corpus/mail" -type f -size -200k | awk 'NR <= 400' | while read -r f; do
  cp "$f" "$out/mail/other-$(echo "$f" | sha1sum | cut -c1-16)"
done

# Subjects: the subject lines of those messages.
for f in "$out"/mail/cg-*; do
  s=$(grep -m1 -i '^Subject:' "$f" | cut -d: -f2- | sed 's/^ //') || true
  if [ -n "$s" ]; then printf '%s' "$s" > "$out/subject/$(basename "$f")"; fi
done

# Diffs and trailers: the bodies of the messages that carry a patch.
for f in "$out"/mail/cg-*; do
  if grep -q '^diff --git' "$f"; then sed '1,/^$/d' "$f" > "$out/diff_trailer/$(basename "$f")"; fi
done

# Queries: the differential test's queries, one per file.
n=0
grep -v '^#' ../crates/lpl-search/tests/data/differential-queries.txt | grep -v '^$' | while IFS= read -r q; do
  n=$((n + 1)); printf '%s' "$q" > "$out/query/q$n"
done
for q in 'rt:"ééééééé"' 'd:20240101..20240301' 'dt:..2.weeks.ago' '((((a))))' 's:a* f:b* OR NOT c' '"foo bar"~3' 'nq:x AND q:y'; do
  printf '%s' "$q" > "$out/query/$(printf '%s' "$q" | sha1sum | cut -c1-16)"
done

# Notebooks: the seed roadmap and the notebook tests' files.
cp "$shared/seed/roadmap-decoded.md" "$out/notebook/roadmap-decoded.md"
cp "$shared/seed/"000_*.txt "$out/notebook/roadmap-raw.md"
find ../crates/lpl-notebook/tests/data -name '*.md' -size -200k | while read -r f; do
  cp "$f" "$out/notebook/$(echo "$f" | sha1sum | cut -c1-16).md"
done

# Segments: written by lpl itself, importing 50 of the messages above
# (LPL names the binary; the workspace's debug build by default).
lpl=${LPL:-../target/debug/lpl}
if [ -x "$lpl" ]; then
  for f in $(ls "$out"/mail/cg-* | awk 'NR <= 50'); do
    printf 'From mboxrd@z Thu Jan  1 00:00:00 1970\n'; sed 's/^\(>*From \)/>\1/' "$f"; printf '\n'
  done > "$tmp/seed.mbox"
  LPL_HOME="$tmp/home" "$lpl" import "$tmp/seed.mbox" >/dev/null 2>&1 || true
  for s in "$tmp"/home/search/seg-*.lpl; do
    [ -f "$s" ] && cp "$s" "$out/segment/$(basename "$s")"
  done
else
  echo "seed: no lpl binary at $lpl: segment seeds skipped (cargo build -p lpl-cli)" >&2
fi
echo "seed: $(ls "$out"/mail | wc -l) mails, $(ls "$out"/subject | wc -l) subjects, $(ls "$out"/diff_trailer | wc -l) diffs, $(ls "$out"/query | wc -l) queries, $(ls "$out"/notebook | wc -l) notebooks, $(ls "$out"/segment | wc -l) segments"
