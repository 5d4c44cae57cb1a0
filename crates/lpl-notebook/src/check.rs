//! `check` and `stats`: each entry against the archive.

use crate::archive::{Archive, SeriesView, TrailerCounts, UpstreamView};
use crate::doc::{Entry, LinkKind, Notebook, Progress};
use crate::inline;
use crate::lore::{self, MessageId};

/// How an entry was matched to the archive.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Found {
    /// By the Message-ID of its link.
    ByMessageId,
    /// By the Message-ID of another revision given in a note (`v33 https://...`).
    ByOtherRevision,
    /// By subject (and author).
    BySubject,
    /// A series link, but the archive does not have it.
    NotFound,
    /// Not a series (LWN, paper ...): nothing to look up.
    NotASeries,
}

/// Something that looks out of date.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Stale {
    /// A newer revision exists than the newest the entry links.
    NewerRevision {
        /// The newest revision the entry links (its link or its notes).
        linked: u32,
        /// The latest known.
        latest: u32,
        /// Message-ID of the latest.
        latest_message_id: MessageId,
    },
    /// Marked 🚧 (not merged yet) but the series is merged.
    MarkedNotMergedButMerged {
        /// What it was merged as (`merged in v6.10 (8/8)`).
        merged: String,
    },
    /// The link's title and the archive's subject disagree (a wrong link?).
    TitleMismatch {
        /// The subject in the notebook.
        notebook: String,
        /// The subject in the archive.
        archive: String,
    },
}

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Found::ByMessageId => "in archive",
            Found::ByOtherRevision => "in archive (by the revision in a note)",
            Found::BySubject => "in archive (by subject)",
            Found::NotFound => "not in archive",
            Found::NotASeries => "not a series",
        })
    }
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::NewerRevision {
                linked,
                latest,
                latest_message_id,
            } => write!(f, "links v{linked}, v{latest} exists <{latest_message_id}>"),
            Stale::MarkedNotMergedButMerged { merged } => {
                write!(f, "marked 🚧 (not merged) but {merged}")
            }
            Stale::TitleMismatch { notebook, archive } => {
                write!(f, "link title {notebook:?} but the archive has {archive:?}")
            }
        }
    }
}

/// A link of an entry that names a message: what `notebook fetch` asks for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MessageLink {
    /// The URL as written.
    pub url: String,
    /// The Message-ID it names.
    pub message_id: MessageId,
    /// The list named in the URL (`linux-mm`), if any.
    pub list: Option<String>,
    /// `entry` (its own link), `revision` (another revision in a note) or
    /// `note` (any other message linked in its notes).
    pub role: &'static str,
    /// The revision, for `revision` links.
    pub version: Option<u32>,
    /// 1-based line.
    pub line: usize,
    /// Whether the archive has the message's series.
    pub in_archive: bool,
}

/// An LWN article or a paper that belongs to a series entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Reading {
    /// The URL.
    pub url: String,
    /// The link text (or the entry title for an entry of its own).
    pub text: String,
    /// `lwn` or `paper`.
    pub kind: &'static str,
    /// 1-based line.
    pub line: usize,
    /// `under the entry` or `names its title`.
    pub why: &'static str,
}

/// The check of one entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EntryCheck {
    /// Index into [`Notebook::entries`].
    pub entry: usize,
    /// 1-based line.
    pub line: usize,
    /// The entry's anchor.
    pub anchor: String,
    /// The entry's title.
    pub title: String,
    /// Topic path (`THP / selftest`).
    pub topic: String,
    /// How (whether) it was found.
    pub found: Found,
    /// The series, when found.
    pub series: Option<SeriesView>,
    /// Revisions known (`[1, 2, 3, 4, 5]`).
    pub revisions: Vec<u32>,
    /// The revision the entry links.
    pub linked_revision: Option<u32>,
    /// The latest revision known.
    pub latest: Option<u32>,
    /// Trailers over the matched revision.
    pub trailers: TrailerCounts,
    /// Open questions under the entry.
    pub open_questions: usize,
    /// Answered questions under the entry.
    pub answered_questions: usize,
    /// What looks stale.
    pub stale: Vec<Stale>,
    /// Whether the revision the entry links is itself in the archive (it
    /// may be found through another revision or by subject).
    pub linked_in_archive: bool,
    /// Why it was (or was not) found, in words.
    pub reason: String,
    /// Every link of the entry that names a message.
    pub links: Vec<MessageLink>,
    /// Reading progress from its mark (`None` for a damaged mark).
    pub progress: Option<Progress>,
    /// Marked 🚧: not merged yet, as the learner wrote.
    pub marked_not_merged: bool,
    /// Merged upstream: `true` (merged, or superseded by a merged
    /// revision), `false` (not, or partly, merged), `null` when unknown
    /// (no series found, or no indexed repository covers its files:
    /// `upstream.reason` says which). The same answer as `lpl upstream`.
    pub merged: Option<bool>,
    /// The upstream status behind `merged`: its summary, the reason when
    /// unknown, and the repository and revision it was checked against.
    pub upstream: Option<UpstreamView>,
    /// Per-patch reading marks found (counter, progress), when the series
    /// is known.
    pub patches: Vec<(u32, Progress)>,
    /// LWN articles and papers that go with the series.
    pub reading: Vec<Reading>,
    /// Functions of the entry's call chains that the indexed kernel tree
    /// does not define (renamed, removed, or newer than the tree); empty
    /// when no tree is indexed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub undefined_functions: Vec<crate::code::ChainName>,
}

/// The check of a whole notebook.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CheckReport {
    /// One per entry, in file order.
    pub entries: Vec<EntryCheck>,
}

fn norm(s: &str) -> String {
    let rest = inline::subject_tags(s).rest;
    rest.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The message links of entry `i` (its own, other revisions, others in
/// its notes), not yet marked as in the archive.
fn message_links(nb: &Notebook, i: usize) -> Vec<MessageLink> {
    let e = &nb.entries()[i];
    let mut out = Vec::new();
    for l in nb.links().iter().filter(|l| l.entry == Some(i)) {
        let LinkKind::Message(id) = &l.kind else {
            continue;
        };
        let rev = e
            .other_revisions
            .iter()
            .find(|r| &r.message_id == id && r.line == l.line);
        let role = if l.is_entry_link {
            "entry"
        } else if rev.is_some() {
            "revision"
        } else {
            "note"
        };
        if out.iter().any(|m: &MessageLink| &m.message_id == id) {
            continue;
        }
        out.push(MessageLink {
            url: l.url.clone(),
            message_id: id.clone(),
            list: lore::list_from_url(&l.url),
            role,
            version: rev.map(|r| r.version).or(if l.is_entry_link {
                e.tags.version
            } else {
                None
            }),
            line: l.line + 1,
            in_archive: false,
        });
    }
    out
}

fn words(s: &str) -> Vec<String> {
    const STOP: &[&str] = &[
        "the", "and", "for", "with", "from", "into", "of", "to", "in", "on", "a", "an", "mm",
        "patch", "rfc", "lwn", "net", "linux", "kernel", "via", "use", "using", "support",
    ];
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| w.len() >= 3 && !STOP.contains(w))
        .map(|w| w.trim_end_matches('s').to_owned())
        .collect()
}

/// Whether a reading's title names the series' title: at least two
/// significant words in common, half of the shorter one's.
fn names_title(reading: &str, series: &str) -> bool {
    let a = words(reading);
    let b = words(&inline::subject_tags(series).rest);
    let common = a.iter().filter(|w| b.contains(w)).count();
    common >= 2 && common * 2 >= a.len().min(b.len())
}

fn reading_kind(k: &LinkKind) -> Option<&'static str> {
    match k {
        LinkKind::Lwn => Some("lwn"),
        LinkKind::Paper => Some("paper"),
        _ => None,
    }
}

/// LWN articles and papers under entry `i`, or elsewhere naming its title.
fn readings(nb: &Notebook, i: usize) -> Vec<Reading> {
    let e = &nb.entries()[i];
    let mut out = Vec::new();
    for l in nb.links() {
        let Some(kind) = reading_kind(&l.kind) else {
            continue;
        };
        if !e.is_series() {
            break;
        }
        let (text, under) = match l.entry {
            Some(k) if k == i && l.is_entry_link => continue,
            Some(k) if k == i => (l.text.clone(), true),
            Some(k) if l.is_entry_link => (nb.entries()[k].title.clone(), false),
            _ => (l.text.clone(), false),
        };
        let why = if under {
            "under the entry"
        } else if e.is_series() && !text.is_empty() && names_title(&text, &e.subject) {
            "names its title"
        } else {
            continue;
        };
        out.push(Reading {
            url: l.url.clone(),
            text,
            kind,
            line: l.line + 1,
            why,
        });
    }
    out
}

fn reason(e: &Entry, found: &Found, s: Option<&SeriesView>, linked_in: bool) -> String {
    let id = e
        .message_id
        .as_ref()
        .map(|m| format!("<{m}>"))
        .unwrap_or_default();
    let revs = |s: &SeriesView| {
        let v: Vec<String> = s
            .revisions
            .iter()
            .map(|r| format!("v{}", r.version))
            .collect();
        v.join(", ")
    };
    match (found, s) {
        (Found::ByMessageId, Some(s)) => {
            format!(
                "{id} is in the archive: v{} (revisions {})",
                s.revision,
                revs(s)
            )
        }
        (Found::ByOtherRevision, Some(s)) => format!(
            "{id} is not in the archive; the revision given in a note is (v{}; revisions {})",
            s.revision,
            revs(s)
        ),
        (Found::BySubject, Some(s)) => format!(
            "{} is not in the archive; a series with the same subject is ({}){}",
            if id.is_empty() { "the link" } else { &id },
            revs(s),
            if linked_in {
                String::new()
            } else {
                format!(
                    ", but not the revision linked{}",
                    e.tags
                        .version
                        .map(|v| format!(" (v{v})"))
                        .unwrap_or_default()
                )
            }
        ),
        (Found::NotFound, _) => format!(
            "{} is not in the archive, nor another revision given in its notes, nor a series with the subject {:?}{}",
            if id.is_empty() { "the link" } else { &id },
            inline::subject_tags(&e.subject).rest,
            e.author
                .as_deref()
                .map(|a| format!(" by {a}"))
                .unwrap_or_default()
        ),
        _ => format!("not a mailing-list message ({})", e.url),
    }
}

/// Checks every entry against `archive`.
pub fn check(nb: &Notebook, archive: &dyn Archive) -> CheckReport {
    let mut undefined = undefined_functions(nb, archive, None);
    let entries = (0..nb.entries().len())
        .map(|i| entry_check(nb, archive, i, undefined.remove(&i).unwrap_or_default()))
        .collect();
    CheckReport { entries }
}

/// Checks entry `i` alone against `archive` (`None`: no such entry): what
/// [`check`] says of it, without looking up the other entries (a page
/// showing one entry).
pub fn check_entry(nb: &Notebook, archive: &dyn Archive, i: usize) -> Option<EntryCheck> {
    if i >= nb.entries().len() {
        return None;
    }
    let undefined = undefined_functions(nb, archive, Some(i))
        .remove(&i)
        .unwrap_or_default();
    Some(entry_check(nb, archive, i, undefined))
}

/// The check of entry `i`, its undefined call-chain names given.
fn entry_check(
    nb: &Notebook,
    archive: &dyn Archive,
    i: usize,
    undefined_functions: Vec<crate::code::ChainName>,
) -> EntryCheck {
    let e = &nb.entries()[i];
    let topic = e
        .topic
        .map_or(String::new(), |t| nb.topic_path(t).join(" / "));
    let (open, answered) =
        nb.questions()
            .iter()
            .filter(|q| q.entry == Some(i))
            .fold(
                (0, 0),
                |(o, a), q| if q.answered { (o, a + 1) } else { (o + 1, a) },
            );
    let mut links = message_links(nb, i);
    for l in &mut links {
        l.in_archive = archive.has_series(&l.message_id);
    }
    let mut found = if e.message_id.is_some() {
        Found::NotFound
    } else {
        Found::NotASeries
    };
    let mut series = None;
    if let Some(id) = &e.message_id {
        series = archive.series_by_message_id(id);
        if series.is_some() {
            found = Found::ByMessageId;
        }
    }
    if series.is_none() {
        for r in &e.other_revisions {
            if let Some(s) = archive.series_by_message_id(&r.message_id) {
                series = Some(s);
                found = Found::ByOtherRevision;
                break;
            }
        }
    }
    if series.is_none() && (e.message_id.is_some() || e.tags.is_patch) {
        let subject = inline::subject_tags(&e.subject).rest;
        let mut hits = archive.series_by_subject(&subject, e.author.as_deref());
        if !hits.is_empty() {
            // Prefer the revision the entry names.
            let k = hits
                .iter()
                .position(|s| Some(s.revision) == e.tags.version)
                .unwrap_or(0);
            series = Some(hits.swap_remove(k));
            found = Found::BySubject;
        }
    }
    let mut stale = Vec::new();
    let (mut revisions, mut linked, mut latest, mut trailers) =
        (Vec::new(), None, None, TrailerCounts::default());
    let mut linked_in = false;
    let mut patches = Vec::new();
    if let Some(s) = &series {
        revisions = s.revisions.iter().map(|r| r.version).collect();
        revisions.sort_unstable();
        revisions.dedup();
        // The revision the entry links: its message's, else the one its
        // subject names, else (found by its own Message-ID) the match.
        let by_id = e
            .message_id
            .as_ref()
            .and_then(|id| s.revisions.iter().find(|r| &r.message_id == id))
            .map(|r| r.version);
        let own = by_id.or(match found {
            Found::ByMessageId => Some(s.revision),
            _ => e.tags.version.or(Some(1).filter(|_| e.tags.is_patch)),
        });
        linked_in = found == Found::ByMessageId
            || by_id.is_some()
            || (found == Found::BySubject
                && own.is_some_and(|v| revisions.contains(&v))
                && e.message_id.is_none());
        let noted = e.other_revisions.iter().map(|r| r.version).max();
        let newest_linked = own.max(noted);
        linked = own;
        latest = revisions
            .last()
            .copied()
            .or(Some(s.latest))
            .max(Some(s.latest));
        trailers = s.trailers.clone();
        if let (Some(l), Some(t)) = (newest_linked, latest)
            && t > l
            && let Some(r) = s.revisions.iter().find(|r| r.version == t)
        {
            stale.push(Stale::NewerRevision {
                linked: l,
                latest: t,
                latest_message_id: r.message_id.clone(),
            });
        }
        let a = norm(&e.subject);
        let b = norm(&s.title);
        if found == Found::ByMessageId
            && !a.is_empty()
            && !b.is_empty()
            && !a.contains(&b)
            && !b.contains(&a)
        {
            stale.push(Stale::TitleMismatch {
                notebook: e.subject.clone(),
                archive: s.title.clone(),
            });
        }
        if let (true, Some(m)) = (e.not_merged, s.upstream.as_ref().filter(|u| u.is_merged())) {
            stale.push(Stale::MarkedNotMergedButMerged {
                merged: m.what.clone(),
            });
        }
        for (k, c) in crate::patches::patch_notes(e, &s.patches) {
            if let Some(p) = Progress::of(e.notes[k].mark.as_ref()) {
                patches.push((c, p));
            }
        }
    }
    EntryCheck {
        entry: i,
        line: e.line + 1,
        anchor: e.anchor.clone(),
        title: e.title.clone(),
        topic,
        reason: reason(e, &found, series.as_ref(), linked_in),
        marked_not_merged: e.not_merged,
        merged: series
            .as_ref()
            .and_then(|s| s.upstream.as_ref())
            .and_then(|u| u.merged),
        upstream: series.as_ref().and_then(|s| s.upstream.clone()),
        found,
        series,
        revisions,
        linked_revision: linked,
        latest,
        trailers,
        open_questions: open,
        answered_questions: answered,
        stale,
        linked_in_archive: linked_in,
        links,
        progress: e.progress(),
        patches,
        reading: readings(nb, i),
        undefined_functions,
    }
}

/// The call-chain names no indexed tree defines, by entry (nothing when
/// no tree is indexed), of every entry or of entry `only`.
fn undefined_functions(
    nb: &Notebook,
    archive: &dyn Archive,
    only: Option<usize>,
) -> std::collections::HashMap<usize, Vec<crate::code::ChainName>> {
    let mut out: std::collections::HashMap<usize, Vec<_>> = std::collections::HashMap::new();
    if archive.code_tree().is_none() {
        return out;
    }
    let mut defined: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
    for c in crate::code::chain_names(nb)
        .into_iter()
        .filter(|c| only.is_none_or(|i| c.entry == i))
    {
        let known = *defined
            .entry(c.name.clone())
            .or_insert_with(|| archive.code_definition(&c.name).is_some());
        if !known {
            out.entry(c.entry).or_default().push(c);
        }
    }
    out
}

/// Figures for one topic (its own entries, not its sub-topics').
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TopicStats {
    /// Index into [`Notebook::topics`].
    pub topic: usize,
    /// Topic path.
    pub path: String,
    /// Entries.
    pub entries: usize,
    /// Entries linking a series.
    pub series: usize,
    /// Series found in the archive.
    pub found: usize,
    /// Series not in the archive.
    pub missing: usize,
    /// Open questions in the topic.
    pub open_questions: usize,
    /// Answered questions in the topic.
    pub answered_questions: usize,
    /// Entries marked read (✅ or `[x]`).
    pub read: usize,
    /// Entries marked as being read (📖).
    pub reading: usize,
    /// Entries without a mark (or `[ ]`).
    pub unread: usize,
    /// Entries whose mark is damaged or unknown.
    pub other_marks: usize,
    /// Series the archive knows as merged.
    pub merged: usize,
    /// Entries marked 🚧 (not merged yet).
    pub marked_not_merged: usize,
}

/// Figures for the whole notebook.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Per topic, in file order.
    pub topics: Vec<TopicStats>,
    /// Entries.
    pub entries: usize,
    /// Entries linking a series.
    pub series: usize,
    /// Series found in the archive.
    pub found: usize,
    /// Series not in the archive.
    pub missing: usize,
    /// Notes (items and paragraphs under entries).
    pub notes: usize,
    /// Open questions.
    pub open_questions: usize,
    /// Answered questions.
    pub answered_questions: usize,
    /// Links that are not entry links.
    pub other_links: usize,
    /// Entries marked read.
    pub read: usize,
    /// Entries marked as being read.
    pub reading: usize,
    /// Entries not read yet.
    pub unread: usize,
    /// Series the archive knows as merged.
    pub merged: usize,
    /// Entries marked 🚧 (not merged yet).
    pub marked_not_merged: usize,
}

fn is_found(f: &Found) -> bool {
    matches!(
        f,
        Found::ByMessageId | Found::ByOtherRevision | Found::BySubject
    )
}

fn count_progress(checks: &[&EntryCheck], p: Option<Progress>) -> usize {
    checks.iter().filter(|c| c.progress == p).count()
}

/// Computes [`Stats`] from the notebook and its check.
pub fn stats(nb: &Notebook, report: &CheckReport) -> Stats {
    let topics = nb
        .topics()
        .iter()
        .enumerate()
        .map(|(t, topic)| {
            let checks: Vec<&EntryCheck> =
                topic.entries.iter().map(|&e| &report.entries[e]).collect();
            TopicStats {
                topic: t,
                path: nb.topic_path(t).join(" / "),
                entries: topic.entries.len(),
                series: checks
                    .iter()
                    .filter(|c| c.found != Found::NotASeries)
                    .count(),
                found: checks.iter().filter(|c| is_found(&c.found)).count(),
                missing: checks.iter().filter(|c| c.found == Found::NotFound).count(),
                open_questions: nb
                    .questions()
                    .iter()
                    .filter(|q| q.topic == Some(t) && !q.answered)
                    .count(),
                answered_questions: nb
                    .questions()
                    .iter()
                    .filter(|q| q.topic == Some(t) && q.answered)
                    .count(),
                read: count_progress(&checks, Some(Progress::Read)),
                reading: count_progress(&checks, Some(Progress::Reading)),
                unread: count_progress(&checks, Some(Progress::Unread)),
                other_marks: count_progress(&checks, None),
                merged: checks.iter().filter(|c| c.merged == Some(true)).count(),
                marked_not_merged: checks.iter().filter(|c| c.marked_not_merged).count(),
            }
        })
        .collect();
    let all: Vec<&EntryCheck> = report.entries.iter().collect();
    Stats {
        topics,
        entries: nb.entries().len(),
        series: report
            .entries
            .iter()
            .filter(|c| c.found != Found::NotASeries)
            .count(),
        found: report.entries.iter().filter(|c| is_found(&c.found)).count(),
        missing: report
            .entries
            .iter()
            .filter(|c| c.found == Found::NotFound)
            .count(),
        notes: nb.entries().iter().map(|e| e.notes.len()).sum(),
        open_questions: nb.questions().iter().filter(|q| !q.answered).count(),
        answered_questions: nb.questions().iter().filter(|q| q.answered).count(),
        other_links: nb.links().iter().filter(|l| !l.is_entry_link).count(),
        read: count_progress(&all, Some(Progress::Read)),
        reading: count_progress(&all, Some(Progress::Reading)),
        unread: count_progress(&all, Some(Progress::Unread)),
        merged: report
            .entries
            .iter()
            .filter(|c| c.merged == Some(true))
            .count(),
        marked_not_merged: report
            .entries
            .iter()
            .filter(|c| c.marked_not_merged)
            .count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{RevisionView, UpstreamView};

    /// Series known by Message-ID and by subject (the paths the corpus
    /// fixture in `tests/it/archive.rs` does not reach: merged status,
    /// lookups by subject and by a note's revision).
    struct Known(Vec<SeriesView>);

    impl Archive for Known {
        fn series_by_message_id(&self, id: &MessageId) -> Option<SeriesView> {
            self.0
                .iter()
                .find(|s| s.revisions.iter().any(|r| &r.message_id == id))
                .map(|s| {
                    let mut s = s.clone();
                    let r = s
                        .revisions
                        .iter()
                        .find(|r| &r.message_id == id)
                        .expect("found");
                    s.revision = r.version;
                    s.message_id = r.message_id.clone();
                    s
                })
        }
        fn series_by_subject(&self, subject: &str, _: Option<&str>) -> Vec<SeriesView> {
            self.0
                .iter()
                .filter(|s| norm(&s.title) == norm(subject))
                .cloned()
                .collect()
        }
    }

    fn series(title: &str, ids: &[&str], merged: bool) -> SeriesView {
        let revisions: Vec<RevisionView> = ids
            .iter()
            .enumerate()
            .map(|(k, id)| RevisionView {
                version: k as u32 + 1,
                message_id: MessageId::new(id).expect("id"),
                subject: title.to_owned(),
                date: None,
            })
            .collect();
        SeriesView {
            title: title.to_owned(),
            author: "A".into(),
            date: None,
            revision: ids.len() as u32,
            message_id: revisions.last().expect("one").message_id.clone(),
            latest: ids.len() as u32,
            revisions,
            patches: Vec::new(),
            cover_body: None,
            trailers: TrailerCounts::default(),
            upstream: Some(UpstreamView {
                merged: Some(merged),
                what: if merged { "v6.10" } else { "not merged (0/2)" }.into(),
                reason: None,
                repository: Some("/src/linux".into()),
                revision: vec!["0123456789abcdef0123456789abcdef01234567".into()],
                date: None,
            }),
            previous_diff: None,
        }
    }

    #[test]
    fn merged_wip_subject_and_note_revisions() {
        let nb = Notebook::parse(
            "## T\n\
             - 2024-01-01 🚧 [\\[PATCH v2 0/2\\] one - A](https://lore.kernel.org/r/one2@x)\n\
             - 2024-01-02 [\\[PATCH v3 0/2\\] two - A](https://example.org/two)\n\
             - 2010-01-01 [\\[PATCH 0/9\\] three - A](https://lore.kernel.org/r/gone@x)\n\
             \x20 - v2 https://lore.kernel.org/all/three2@x/\n",
        );
        let a = Known(vec![
            series("[PATCH 0/2] one", &["one1@x", "one2@x"], true),
            series(
                "[PATCH 0/2] two",
                &["two1@x", "two2@x", "two3@x", "two4@x"],
                false,
            ),
            series("[PATCH 0/9] three", &["three1@x", "three2@x"], false),
        ]);
        let r = check(&nb, &a);
        assert_eq!(r.entries[0].found, Found::ByMessageId);
        assert!(r.entries[0].marked_not_merged);
        assert_eq!(
            r.entries[0].stale,
            [Stale::MarkedNotMergedButMerged {
                merged: "v6.10".into()
            }]
        );
        assert_eq!(r.entries[0].merged, Some(true));
        assert_eq!(r.entries[1].merged, Some(false));
        assert!(
            r.entries[1]
                .stale
                .iter()
                .all(|s| !matches!(s, Stale::MarkedNotMergedButMerged { .. }))
        );
        assert_eq!(r.entries[0].progress, Some(Progress::Unread));
        assert_eq!(r.entries[1].found, Found::BySubject);
        assert_eq!(
            (r.entries[1].linked_revision, r.entries[1].latest),
            (Some(3), Some(4))
        );
        assert!(matches!(
            r.entries[1].stale[..],
            [Stale::NewerRevision {
                linked: 3,
                latest: 4,
                ..
            }]
        ));
        // The link is gone from the archive, the v2 in the note is found,
        // and it is the latest: nothing stale.
        assert_eq!(r.entries[2].found, Found::ByOtherRevision);
        assert!(r.entries[2].stale.is_empty(), "{:?}", r.entries[2].stale);
        let st = stats(&nb, &r);
        assert_eq!((st.series, st.found, st.missing), (3, 3, 0));
        assert_eq!((st.merged, st.marked_not_merged), (1, 1));
    }
}
