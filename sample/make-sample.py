#!/usr/bin/env python3
"""Rebuild sample/linux-mm-sample.mbox from the cgroups public-inbox epoch.

Source: ../shared/corpus/lists/cgroups.vger.kernel.org.0.bundle (lore's
cgroups list, epoch 0; real public messages, kept byte for byte).
Selection: whole threads (References/In-Reply-To closure) of the cover
letters below, in epoch (arrival) order, written as mboxrd.

Usage: make-sample.py EPOCH.git OUT.mbox
"""
import email.parser, email.policy, re, subprocess, sys

COVERS = [
    # Split a folio to any lower order folios, v1..v5 (Zi Yan): in the seed roadmap (v5)
    r"^\[PATCH( v[2-5])? 0/[5-8]\] Split a folio to any lower order folios",
    # mm: mapcount for large folios + page_mapcount() cleanups (David Hildenbrand): in the seed roadmap
    r"^\[PATCH v1 00/18\] mm: mapcount for large folios",
    # "per lruvec lru_lock for memcg" v8, v9 renamed "per memcg lru_lock" v16, v19 (Alex Shi):
    # one chain whose title drifted
    r"^\[PATCH v(8|9) 00/\d+\] per lruvec lru_lock for memcg",
    r"^\[PATCH v(16|19) 00/\d+\] per memcg lru_lock",
    # vmscan lru_lock contention: RFC -> v1 -> v2 (a short chain with an RFC)
    r"^\[(RFC|PATCH|PATCH v2) 0/[12]\] mm/vmscan: reduce lru_lock contention",
]

def main(repo, out):
    revs = subprocess.run(["git", "-C", repo, "rev-list", "--reverse", "--all"],
                          capture_output=True, text=True, check=True).stdout.split()
    cat = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch"], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE)
    msgs = []  # (raw, mid, refs, subject)
    hp = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    for c in revs:
        cat.stdin.write(f"{c}:m\n".encode()); cat.stdin.flush()
        hdr = cat.stdout.readline().split()
        if hdr[-1] == b"missing":
            continue
        raw = cat.stdout.read(int(hdr[2])); cat.stdout.read(1)
        h = hp.parsebytes(raw)
        ids = lambda v: re.findall(r"<([^<>\s]+)>", str(v or ""))
        mid = (ids(h["Message-ID"]) or [None])[0]
        refs = ids(h["References"]) + ids(h["In-Reply-To"])
        subj = re.sub(r"\s+", " ", str(h["Subject"] or ""))
        msgs.append((raw, mid, refs, subj))
    want = set()
    for _, mid, _, subj in msgs:
        if mid and any(re.search(p, subj) for p in COVERS):
            want.add(mid)
    changed = True
    while changed:
        changed = False
        for _, mid, refs, _ in msgs:
            if mid and mid not in want and any(r in want for r in refs):
                want.add(mid); changed = True
    n = 0
    with open(out, "wb") as f:
        for raw, mid, _, _ in msgs:
            if mid in want:
                f.write(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n")
                for line in raw.split(b"\n"):
                    if re.match(rb"^>*From ", line):
                        line = b">" + line
                    f.write(line + b"\n")
                if not raw.endswith(b"\n"):
                    f.write(b"\n")
                n += 1
    print(f"{n} messages", file=sys.stderr)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
