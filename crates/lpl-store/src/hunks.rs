//! The hunks of each patch (table `hunks`): what `lpl code history` reads
//! to tell which functions a patch changes.
//!
//! Written with each new patch by [`Store::write_batch`]; the patches of a
//! store older than the table are filled in from their raw messages by
//! [`Store::backfill_hunks`] (the state key `hunks_backfill` holds the
//! range of row ids still to do: `NEXT BELOW`).

use std::sync::atomic::AtomicBool;

use rusqlite::params;

use crate::{Result, Store};
use lpl_mail::diff::{HunkLines, LineKind, OutlineLine};

const BACKFILL_KEY: &str = "hunks_backfill";

/// One stored hunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HunkRow {
    /// The message (row id).
    pub message: i64,
    /// Position of its file in the patch.
    pub file: u32,
    /// Position in the file.
    pub hunk: u32,
    /// Path before (`None`: a new file).
    pub old_path: Option<String>,
    /// Path after (`None`: a deleted file).
    pub new_path: Option<String>,
    /// `@@ -old_start,old_len +new_start,new_len @@`.
    pub old_start: u32,
    /// See `old_start`.
    pub old_len: u32,
    /// See `old_start`.
    pub new_start: u32,
    /// See `old_start`.
    pub new_len: u32,
    /// The text after the second `@@`.
    pub header: String,
    /// Changed lines and outline.
    pub lines: HunkLines,
}

/// `3-5,9` for ascending numbers.
pub(crate) fn encode_ranges(v: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < v.len() {
        let start = v[i];
        let mut end = start;
        while i + 1 < v.len() && v[i + 1] == end + 1 {
            end += 1;
            i += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        if end == start {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}-{end}"));
        }
        i += 1;
    }
    out
}

/// The numbers of [`encode_ranges`]' text (what does not parse is left
/// out).
pub(crate) fn decode_ranges(s: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                    // A damaged row must not make a huge vector.
                    out.extend(a..=b.min(a.saturating_add(100_000)));
                }
            }
            None => {
                if let Ok(n) = part.parse() {
                    out.push(n);
                }
            }
        }
    }
    out
}

fn kind_char(k: LineKind) -> char {
    match k {
        LineKind::Context => ' ',
        LineKind::Added => '+',
        LineKind::Removed => '-',
    }
}

pub(crate) fn encode_outline(o: &[OutlineLine]) -> String {
    let mut out = String::new();
    for l in o {
        // One line each: a stray line break (none in a diff line) is a space.
        let text = l.text.replace(['\n', '\r'], " ");
        out.push_str(&format!(
            "{}{} {} {}\n",
            kind_char(l.kind),
            l.old,
            l.new,
            text
        ));
    }
    out
}

pub(crate) fn decode_outline(s: &str) -> Vec<OutlineLine> {
    s.lines()
        .filter_map(|l| {
            let mut chars = l.chars();
            let kind = match chars.next()? {
                '+' => LineKind::Added,
                '-' => LineKind::Removed,
                _ => LineKind::Context,
            };
            let rest = chars.as_str();
            let (old, rest) = rest.split_once(' ')?;
            let (new, text) = rest.split_once(' ').unwrap_or((rest, ""));
            Some(OutlineLine {
                kind,
                old: old.parse().ok()?,
                new: new.parse().ok()?,
                text: text.to_owned(),
            })
        })
        .collect()
}

/// Writes the hunks of one patch (inside the caller's transaction).
pub(crate) fn insert_patch(
    tx: &rusqlite::Connection,
    message: i64,
    patch: &lpl_mail::Patch,
) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT OR IGNORE INTO hunks(message, file, hunk, old_path, new_path, old_start, old_len,
            new_start, new_len, header, old_changed, new_changed, old_inserted, outline)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
    )?;
    for (fi, f) in patch.files.iter().enumerate() {
        for (hi, h) in f.hunks.iter().enumerate() {
            let l = h.lines(&patch.diff);
            st.execute(params![
                message,
                fi as i64,
                hi as i64,
                f.old_path,
                f.new_path,
                h.old_start,
                h.old_lines,
                h.new_start,
                h.new_lines,
                h.header_context,
                encode_ranges(&l.old_changed),
                encode_ranges(&l.new_changed),
                encode_ranges(&l.old_inserted),
                encode_outline(&l.outline),
            ])?;
        }
    }
    Ok(())
}

fn hunk_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HunkRow> {
    Ok(HunkRow {
        message: r.get(0)?,
        file: r.get(1)?,
        hunk: r.get(2)?,
        old_path: r.get(3)?,
        new_path: r.get(4)?,
        old_start: r.get(5)?,
        old_len: r.get(6)?,
        new_start: r.get(7)?,
        new_len: r.get(8)?,
        header: r.get(9)?,
        lines: HunkLines {
            old_changed: decode_ranges(&r.get::<_, String>(10)?),
            new_changed: decode_ranges(&r.get::<_, String>(11)?),
            old_inserted: decode_ranges(&r.get::<_, String>(12)?),
            outline: decode_outline(&r.get::<_, String>(13)?),
        },
    })
}

/// Progress of [`Store::backfill_hunks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackfillProgress {
    /// Patches done.
    pub done: u64,
    /// Patches to do.
    pub total: u64,
}

impl Store {
    /// Patches stored before hunks were recorded, still to be filled in
    /// ([`Store::backfill_hunks`]); 0 when none.
    pub fn hunks_pending(&self) -> Result<u64> {
        let Some((next, below)) = self.backfill_range(BACKFILL_KEY)? else {
            return Ok(0);
        };
        self.conn
            .query_row(
                "SELECT count(*) FROM messages WHERE id >= ?1 AND id < ?2 AND is_patch",
                params![next, below],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(self.err())
    }

    /// Records the hunks of the patches stored before this lpl recorded
    /// them, from their raw messages, a batch per transaction (an
    /// interrupted run resumes where it stopped). A message whose raw
    /// bytes cannot be read is passed over (counted in the result's
    /// second number). Returns (patches done, passed over).
    pub fn backfill_hunks(
        &mut self,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(BackfillProgress),
    ) -> Result<(u64, u64)> {
        let total = self.hunks_pending()?;
        let job = crate::backfill::Backfill {
            key: BACKFILL_KEY,
            select: "SELECT id FROM messages WHERE id >= ?1 AND id < ?2 AND is_patch ORDER BY id LIMIT 256",
            read: |raw| lpl_mail::parse(raw).message.patch,
            write: insert_patch,
        };
        let done = self.run_backfill(&job, Some(cancel), &mut |done| {
            progress(BackfillProgress { done, total })
        })?;
        Ok((done.done, done.passed))
    }

    /// The hunks that may change `name`: those of files in `paths` (where
    /// an indexed tree defines it), and those naming it in their header or
    /// outline, in message order.
    pub fn hunks_touching(&self, paths: &[String], name: &str) -> Result<Vec<HunkRow>> {
        let cols =
            "message, file, hunk, old_path, new_path, old_start, old_len, new_start, new_len,
                    header, old_changed, new_changed, old_inserted, outline";
        let mut out = Vec::new();
        // One scan: the table is read in key order either way.
        let sql = format!(
            "SELECT {cols} FROM hunks
             WHERE instr(header, ?1) OR instr(outline, ?1)
                OR old_path IN (SELECT value FROM json_each(?2))
                OR new_path IN (SELECT value FROM json_each(?2))"
        );
        let paths_json = serde_json::to_string(paths).unwrap_or_else(|_| "[]".into());
        let mut st = self.conn.prepare_cached(&sql).map_err(self.err())?;
        let rows = st
            .query_map(params![name, paths_json], hunk_row)
            .map_err(self.err())?;
        for r in rows {
            out.push(r.map_err(self.err())?);
        }
        Ok(out)
    }

    /// Every hunk of one message, in order.
    pub fn hunks_of(&self, message: i64) -> Result<Vec<HunkRow>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT message, file, hunk, old_path, new_path, old_start, old_len, new_start, new_len,
                        header, old_changed, new_changed, old_inserted, outline
                 FROM hunks WHERE message = ?1 ORDER BY file, hunk",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![message], hunk_row)
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_trip() {
        for v in [vec![], vec![3], vec![3, 4, 5, 9], vec![1, 3, 5, 6]] {
            assert_eq!(decode_ranges(&encode_ranges(&v)), v);
        }
        assert_eq!(encode_ranges(&[3, 4, 5, 9]), "3-5,9");
        assert_eq!(decode_ranges("x,2-a,7"), [7]);
    }

    #[test]
    fn outline_round_trip() {
        let o = vec![
            OutlineLine {
                kind: LineKind::Removed,
                old: 12,
                new: 0,
                text: "static int foo(int a, int b)".into(),
            },
            OutlineLine {
                kind: LineKind::Context,
                old: 13,
                new: 14,
                text: String::new(),
            },
            OutlineLine {
                kind: LineKind::Added,
                old: 0,
                new: 15,
                text: "}".into(),
            },
        ];
        assert_eq!(decode_outline(&encode_outline(&o)), o);
    }
}
