//! The text of a commit's diff, as `git log -p --full-index --no-renames`
//! prints it, generated with gix: tree diff (no rename detection) and
//! `gix::diff::blob` (gix-imara-diff Myers, git's indent heuristic, 3 lines of
//! context).
//!
//! Binary files (a NUL byte in the first 8000 bytes of either side, git's
//! rule) are printed as `Binary files a/x and b/x differ` after a full-index
//! `index` line, so their patch-id is the same as for a `format-patch` mail's
//! `GIT binary patch` (git hashes the two blob ids in both cases).
//! `.gitattributes` (`-diff`, textconv) are not consulted.

use gix::bstr::ByteSlice;
use gix::diff::blob::{Algorithm, Diff, InternedInput};
use gix::objs::FindExt;

use crate::Error;

/// Lines of context around a change, git's default.
pub const CONTEXT: u32 = 3;
/// git reads this many bytes to decide that a blob is binary.
const FIRST_FEW_BYTES: usize = 8000;

/// Reusable buffers for generating diffs of many commits on one thread.
#[derive(Default)]
pub struct DiffBuffers {
    tree_old: Vec<u8>,
    tree_new: Vec<u8>,
    blob_old: Vec<u8>,
    blob_new: Vec<u8>,
    state: gix::diff::tree::State,
}

/// One changed file of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The path (for a type change both halves share it).
    pub path: Vec<u8>,
    /// Mode and blob before (`None` for an added file).
    pub old: Option<(u32, gix::ObjectId)>,
    /// Mode and blob after (`None` for a deleted file).
    pub new: Option<(u32, gix::ObjectId)>,
}

fn mode_bits(m: gix::objs::tree::EntryMode) -> u32 {
    u32::from(m.value())
}

fn is_tree(m: gix::objs::tree::EntryMode) -> bool {
    m.is_tree()
}

/// The files changed between two trees (`None` = the empty tree), sorted by
/// path, with type changes (file <-> symlink <-> submodule) split into a
/// deletion and an addition as git prints them.
pub fn changed_files(
    repo: &gix::Repository,
    old_tree: Option<gix::ObjectId>,
    new_tree: gix::ObjectId,
    bufs: &mut DiffBuffers,
) -> Result<Vec<FileChange>, Error> {
    let kind = new_tree.kind();
    let old_iter = match old_tree {
        Some(id) => repo
            .objects
            .find_tree_iter(&id, &mut bufs.tree_old)
            .map_err(|e| Error::git(format!("reading tree {id}"), e))?,
        None => gix::objs::TreeRefIter::from_bytes(&[], kind),
    };
    let new_iter = repo
        .objects
        .find_tree_iter(&new_tree, &mut bufs.tree_new)
        .map_err(|e| Error::git(format!("reading tree {new_tree}"), e))?;
    let mut rec = gix::diff::tree::Recorder::default();
    gix::diff::tree(old_iter, new_iter, &mut bufs.state, &repo.objects, &mut rec)
        .map_err(|e| Error::git(format!("diffing tree {new_tree}"), e))?;
    let mut out = Vec::with_capacity(rec.records.len());
    use gix::diff::tree::recorder::Change;
    for c in rec.records {
        match c {
            Change::Addition {
                entry_mode,
                oid,
                path,
                ..
            } if !is_tree(entry_mode) => out.push(FileChange {
                path: path.into(),
                old: None,
                new: Some((mode_bits(entry_mode), oid)),
            }),
            Change::Deletion {
                entry_mode,
                oid,
                path,
                ..
            } if !is_tree(entry_mode) => out.push(FileChange {
                path: path.into(),
                old: Some((mode_bits(entry_mode), oid)),
                new: None,
            }),
            Change::Modification {
                previous_entry_mode,
                previous_oid,
                entry_mode,
                oid,
                path,
            } => {
                let path: Vec<u8> = path.into();
                match (is_tree(previous_entry_mode), is_tree(entry_mode)) {
                    (true, true) => {}
                    (true, false) => out.push(FileChange {
                        path,
                        old: None,
                        new: Some((mode_bits(entry_mode), oid)),
                    }),
                    (false, true) => out.push(FileChange {
                        path,
                        old: Some((mode_bits(previous_entry_mode), previous_oid)),
                        new: None,
                    }),
                    (false, false) => {
                        let (om, nm) = (mode_bits(previous_entry_mode), mode_bits(entry_mode));
                        if om & 0o170000 != nm & 0o170000 {
                            // A type change: git shows a deletion and an addition.
                            out.push(FileChange {
                                path: path.clone(),
                                old: Some((om, previous_oid)),
                                new: None,
                            });
                            out.push(FileChange {
                                path,
                                old: None,
                                new: Some((nm, oid)),
                            });
                        } else {
                            out.push(FileChange {
                                path,
                                old: Some((om, previous_oid)),
                                new: Some((nm, oid)),
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// git's `quote_c_style` with `core.quotePath=true`: the path with its
/// prefix, quoted if it holds control characters, `"`, `\` or non-ASCII.
fn push_quoted_path(out: &mut Vec<u8>, prefix: &[u8], path: &[u8]) {
    let needs = path
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\' || b >= 0x7f);
    if !needs {
        out.extend_from_slice(prefix);
        out.extend_from_slice(path);
        return;
    }
    out.push(b'"');
    out.extend_from_slice(prefix);
    for &b in path {
        match b {
            b'\x07' => out.extend_from_slice(b"\\a"),
            b'\x08' => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\x0b' => out.extend_from_slice(b"\\v"),
            b'\x0c' => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b if !(0x20..0x7f).contains(&b) => {
                out.extend_from_slice(format!("\\{b:03o}").as_bytes());
            }
            b => out.push(b),
        }
    }
    out.push(b'"');
}

fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(FIRST_FEW_BYTES)]).is_some()
}

const NULL_OID: &str = "0000000000000000000000000000000000000000";

/// Appends the diff text of one file change to `out`.
pub fn write_file_diff(
    repo: &gix::Repository,
    change: &FileChange,
    bufs: &mut DiffBuffers,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let path = &change.path;
    out.extend_from_slice(b"diff --git ");
    push_quoted_path(out, b"a/", path);
    out.push(b' ');
    push_quoted_path(out, b"b/", path);
    out.push(b'\n');

    let old_oid = change.old.map(|(_, id)| id);
    let new_oid = change.new.map(|(_, id)| id);
    let hex = |o: Option<gix::ObjectId>| o.map_or_else(|| NULL_OID.to_owned(), |o| o.to_string());
    match (change.old, change.new) {
        (None, Some((m, _))) => {
            out.extend_from_slice(format!("new file mode {m:06o}\n").as_bytes())
        }
        (Some((m, _)), None) => {
            out.extend_from_slice(format!("deleted file mode {m:06o}\n").as_bytes())
        }
        (Some((om, _)), Some((nm, _))) if om != nm => {
            out.extend_from_slice(format!("old mode {om:06o}\nnew mode {nm:06o}\n").as_bytes())
        }
        _ => {}
    }
    if old_oid == new_oid {
        // Mode change only.
        return Ok(());
    }
    out.extend_from_slice(format!("index {}..{}", hex(old_oid), hex(new_oid)).as_bytes());
    if let (Some((om, _)), Some((nm, _))) = (change.old, change.new)
        && om == nm
    {
        out.extend_from_slice(format!(" {om:06o}").as_bytes());
    }
    out.push(b'\n');

    let old_data = load(repo, change.old, &mut bufs.blob_old)?;
    let new_data = load(repo, change.new, &mut bufs.blob_new)?;
    let (old_data, new_data) = (&bufs.blob_old[..old_data], &bufs.blob_new[..new_data]);

    if is_binary(old_data) || is_binary(new_data) {
        out.extend_from_slice(b"Binary files ");
        if change.old.is_some() {
            push_quoted_path(out, b"a/", path);
        } else {
            out.extend_from_slice(b"/dev/null");
        }
        out.extend_from_slice(b" and ");
        if change.new.is_some() {
            push_quoted_path(out, b"b/", path);
        } else {
            out.extend_from_slice(b"/dev/null");
        }
        out.extend_from_slice(b" differ\n");
        return Ok(());
    }
    if old_data.is_empty() && new_data.is_empty() {
        return Ok(());
    }
    out.extend_from_slice(b"--- ");
    if change.old.is_some() {
        push_quoted_path(out, b"a/", path);
    } else {
        out.extend_from_slice(b"/dev/null");
    }
    out.extend_from_slice(b"\n+++ ");
    if change.new.is_some() {
        push_quoted_path(out, b"b/", path);
    } else {
        out.extend_from_slice(b"/dev/null");
    }
    out.push(b'\n');
    write_hunks(old_data, new_data, out);
    Ok(())
}

/// Loads a blob (or a submodule's `Subproject commit` line) into `buf`,
/// returning its length.
fn load(
    repo: &gix::Repository,
    side: Option<(u32, gix::ObjectId)>,
    buf: &mut Vec<u8>,
) -> Result<usize, Error> {
    buf.clear();
    let Some((mode, id)) = side else {
        return Ok(0);
    };
    if mode & 0o170000 == 0o160000 {
        buf.extend_from_slice(format!("Subproject commit {id}\n").as_bytes());
        return Ok(buf.len());
    }
    let len = repo
        .objects
        .find_blob(&id, buf)
        .map_err(|e| Error::git(format!("reading blob {id}"), e))?
        .data
        .len();
    Ok(len)
}

/// Appends unified hunks (3 lines of context, git's hunk merging) of a line
/// diff of `old` against `new`.
pub fn write_hunks(old: &[u8], new: &[u8], out: &mut Vec<u8>) {
    let input = InternedInput::new(
        gix::diff::blob::sources::byte_lines(old),
        gix::diff::blob::sources::byte_lines(new),
    );
    let mut diff = Diff::compute(Algorithm::Myers, &input);
    diff.postprocess_lines(&input);
    let hunks: Vec<gix::diff::blob::Hunk> = diff.hunks().collect();
    if hunks.is_empty() {
        return;
    }
    let old_lines: Vec<&[u8]> = old.lines_with_terminator().collect();
    let new_lines: Vec<&[u8]> = new.lines_with_terminator().collect();
    let (n_old, n_new) = (old_lines.len() as u32, new_lines.len() as u32);

    let mut i = 0;
    while i < hunks.len() {
        // Group hunks whose gap is at most 2 * CONTEXT lines (git's rule).
        let mut j = i;
        while j + 1 < hunks.len() && hunks[j + 1].before.start - hunks[j].before.end <= 2 * CONTEXT
        {
            j += 1;
        }
        let first = &hunks[i];
        let last = &hunks[j];
        let lead = first.before.start.min(CONTEXT);
        let o_start = first.before.start - lead;
        let n_start = first.after.start - lead;
        let trail = (n_old - last.before.end).min(CONTEXT);
        let o_end = last.before.end + trail;
        let n_end = last.after.end + trail.min(n_new - last.after.end);
        let (oc, nc) = (o_end - o_start, n_end - n_start);
        out.extend_from_slice(b"@@ -");
        push_range(out, o_start, oc);
        out.extend_from_slice(b" +");
        push_range(out, n_start, nc);
        out.extend_from_slice(b" @@\n");

        let mut o = o_start;
        for h in &hunks[i..=j] {
            while o < h.before.start {
                push_line(out, b' ', old_lines[o as usize]);
                o += 1;
            }
            for k in h.before.clone() {
                push_line(out, b'-', old_lines[k as usize]);
            }
            for k in h.after.clone() {
                push_line(out, b'+', new_lines[k as usize]);
            }
            o = h.before.end;
        }
        while o < o_end {
            push_line(out, b' ', old_lines[o as usize]);
            o += 1;
        }
        i = j + 1;
    }
}

fn push_range(out: &mut Vec<u8>, start0: u32, count: u32) {
    let start = if count == 0 { start0 } else { start0 + 1 };
    if count == 1 {
        out.extend_from_slice(start.to_string().as_bytes());
    } else {
        out.extend_from_slice(format!("{start},{count}").as_bytes());
    }
}

fn push_line(out: &mut Vec<u8>, sign: u8, line: &[u8]) {
    out.push(sign);
    out.extend_from_slice(line);
    if !line.ends_with(b"\n") {
        out.extend_from_slice(b"\n\\ No newline at end of file\n");
    }
}

/// The full diff text of `commit` against its first parent (or the empty
/// tree for a root commit), and the paths it touches.
pub fn commit_diff(
    repo: &gix::Repository,
    parent_tree: Option<gix::ObjectId>,
    tree: gix::ObjectId,
    bufs: &mut DiffBuffers,
    out: &mut Vec<u8>,
) -> Result<Vec<String>, Error> {
    let changes = changed_files(repo, parent_tree, tree, bufs)?;
    let mut files = Vec::with_capacity(changes.len());
    for c in &changes {
        write_file_diff(repo, c, bufs, out)?;
        let p = String::from_utf8_lossy(&c.path).into_owned();
        if files.last() != Some(&p) {
            files.push(p);
        }
    }
    Ok(files)
}
