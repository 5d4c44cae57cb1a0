#!/bin/sh
# Builds a large synthetic git repository for the indexing benchmark with
# `git fast-import`: many small C-like text files, each commit modifying 1-3
# files with small hunks (a few lines replaced, inserted or deleted), a release
# tag every 5,000 commits, a Link: trailer on one commit in three.
#
# usage: make_big_repo.sh DEST [COMMITS]      (default 200000 commits)
# The repository is built at DEST (e.g. /work/scratch/upstream/big.git),
# never inside the project repository. Deterministic (fixed seed).
set -eu
DEST=${1:?usage: make_big_repo.sh DEST [COMMITS]}
N=${2:-200000}
rm -rf "$DEST"
git init -q --bare "$DEST"
python3 - "$N" <<'PY' | git -C "$DEST" fast-import --quiet --done
import random, sys
n = int(sys.argv[1])
rnd = random.Random(42)
out = sys.stdout.buffer
words = ("int ret = 0; if (ret < 0) return ret; struct io_uring_sqe *sqe; "
         "unsigned flags; for (i = 0; i < nr; i++) { sqe = io_uring_get_sqe(ring); "
         "io_uring_prep_nop(sqe); } static inline void ring_submit(void); "
         "fprintf(stderr, \"failed %d\\n\", ret); goto err; len = sizeof(buf); "
         "memset(buf, 0, len); pthread_mutex_lock(&lock); close(fd);").split()
dirs = ["src", "src/include", "test", "examples", "man", "tools", "lib", "arch/x86"]
NFILES = 4000
files = {}
def line():
    k = rnd.randint(2, 9)
    return ("\t" * rnd.randint(0, 2) + " ".join(rnd.choice(words) for _ in range(k)) + "\n")
paths = [f"{rnd.choice(dirs)}/file{i:04d}.c" for i in range(NFILES)]
def blob(data):
    out.write(b"data %d\n" % len(data)); out.write(data); out.write(b"\n")
authors = [(f"Dev {i}", f"dev{i}@example.org") for i in range(300)]
t = 1500000000
# Initial commit: every file, ~40 lines.
out.write(b"commit refs/heads/master\nmark :1\n")
out.write(b"author Dev 0 <dev0@example.org> %d +0000\ncommitter Dev 0 <dev0@example.org> %d +0000\n" % (t, t))
blob(b"initial import\n")
for p in paths:
    files[p] = [line() for _ in range(rnd.randint(20, 60))]
    out.write(b"M 100644 inline %s\n" % p.encode())
    blob("".join(files[p]).encode())
out.write(b"\n")
for c in range(2, n + 1):
    t += rnd.randint(60, 3000)
    name, email = rnd.choice(authors)
    touched = rnd.sample(paths, rnd.choice([1, 1, 1, 2, 2, 3]))
    subsys = touched[0].split("/")[0]
    subj = f"{subsys}: {' '.join(rnd.choice(['fix','add','remove','rework','handle','avoid','use']) for _ in range(1))} {rnd.choice(words).strip('();*{}')} in file {c}"
    msg = f"{subj}\n\nSome explanation of change {c}.\n\nSigned-off-by: {name} <{email}>\n"
    if c % 3 == 0:
        msg += f"Link: https://lore.kernel.org/r/{c}-1-{email}\n"
    out.write(b"commit refs/heads/master\nmark :%d\n" % c)
    out.write(("author %s <%s> %d +0000\ncommitter %s <%s> %d +0000\n" % (name, email, t, name, email, t)).encode())
    blob(msg.encode())
    out.write(b"from :%d\n" % (c - 1))
    for p in touched:
        ls = files[p]
        for _ in range(rnd.randint(1, 2)):
            pos = rnd.randrange(0, len(ls) + 1)
            op = rnd.random()
            if op < 0.5 and pos < len(ls):
                ls[pos] = line()
            elif op < 0.8 or len(ls) < 10:
                ls[pos:pos] = [line() for _ in range(rnd.randint(1, 3))]
            else:
                del ls[pos:pos + rnd.randint(1, 2)]
        out.write(b"M 100644 inline %s\n" % p.encode())
        blob("".join(ls).encode())
    out.write(b"\n")
    if c % 5000 == 0:
        out.write(b"reset refs/tags/v1.%d\nfrom :%d\n\n" % (c // 5000, c))
out.write(b"done\n")
PY
git -C "$DEST" symbolic-ref HEAD refs/heads/master
# Recompute deltas as pack-objects does for a clone or `git gc --aggressive`
# (recent versions whole, older ones as deltas): fast-import's own deltas run
# the other way (each version a delta of the previous one), which no real
# clone has and which makes newest-first readers resolve long chains.
git -C "$DEST" repack -a -d -f -q
git -C "$DEST" commit-graph write --reachable
git -C "$DEST" rev-list --count HEAD
