//! `check` and `stats`: each entry against the archive.

use crate::archive::{Archive, SeriesView, TrailerCounts};
use crate::doc::{Mark, Notebook};
use crate::inline;
use crate::lore::MessageId;

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
    /// Marked 🚧 but the series is merged.
    WipButMerged {
        /// What it was merged as.
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
            Stale::WipButMerged { merged } => write!(f, "marked 🚧 but merged ({merged})"),
            Stale::TitleMismatch { notebook, archive } => {
                write!(f, "link title {notebook:?} but the archive has {archive:?}")
            }
        }
    }
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

/// Checks every entry against `archive`.
pub fn check(nb: &Notebook, archive: &dyn Archive) -> CheckReport {
    let mut out = Vec::new();
    for (i, e) in nb.entries().iter().enumerate() {
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
        if let Some(s) = &series {
            revisions = s.revisions.iter().map(|r| r.version).collect();
            revisions.sort_unstable();
            revisions.dedup();
            let own = e
                .message_id
                .as_ref()
                .and_then(|id| s.revisions.iter().find(|r| &r.message_id == id))
                .map(|r| r.version)
                .or(match found {
                    Found::ByMessageId => Some(s.revision),
                    _ => e.tags.version.or(Some(s.revision)),
                });
            let noted = e.other_revisions.iter().map(|r| r.version).max();
            let newest_linked = own.max(noted);
            linked = own;
            latest = Some(s.latest);
            trailers = s.trailers.clone();
            if let Some(l) = newest_linked
                && s.latest > l
                && let Some(r) = s.revisions.iter().find(|r| r.version == s.latest)
            {
                stale.push(Stale::NewerRevision {
                    linked: l,
                    latest: s.latest,
                    latest_message_id: r.message_id.clone(),
                });
            }
            if let (Some(Mark::Wip), Some(m)) = (&e.mark, &s.merged) {
                stale.push(Stale::WipButMerged {
                    merged: m.what.clone(),
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
        }
        out.push(EntryCheck {
            entry: i,
            line: e.line + 1,
            anchor: e.anchor.clone(),
            title: e.title.clone(),
            topic,
            found,
            series,
            revisions,
            linked_revision: linked,
            latest,
            trailers,
            open_questions: open,
            answered_questions: answered,
            stale,
        });
    }
    CheckReport { entries: out }
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
}

fn is_found(f: &Found) -> bool {
    matches!(
        f,
        Found::ByMessageId | Found::ByOtherRevision | Found::BySubject
    )
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
            }
        })
        .collect();
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{MergedView, RevisionView};

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
            merged: merged.then(|| MergedView {
                what: "v6.10".into(),
                date: None,
            }),
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
        assert_eq!(
            r.entries[0].stale,
            [Stale::WipButMerged {
                merged: "v6.10".into()
            }]
        );
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
    }
}
