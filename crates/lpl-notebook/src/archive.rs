//! What the notebook needs to know about the archive, as a trait and plain
//! view structs. `lpl-core` implements [`Archive`] over the store; tests
//! implement it over parsed real messages.

use crate::lore::MessageId;

/// Trailer counts over a series (all patches and replies).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TrailerCounts {
    /// `Reviewed-by:`
    pub reviewed_by: u32,
    /// `Acked-by:`
    pub acked_by: u32,
    /// `Tested-by:`
    pub tested_by: u32,
    /// Any other trailer (`Suggested-by:`, `Reported-by:` ...).
    pub other: u32,
}

impl TrailerCounts {
    /// Adds `other` to `self`.
    pub fn add(&mut self, other: &TrailerCounts) {
        self.reviewed_by += other.reviewed_by;
        self.acked_by += other.acked_by;
        self.tested_by += other.tested_by;
        self.other += other.other;
    }

    /// Counts one trailer by its key (case-insensitive).
    pub fn count(&mut self, key: &str) {
        match key.to_ascii_lowercase().as_str() {
            "reviewed-by" => self.reviewed_by += 1,
            "acked-by" => self.acked_by += 1,
            "tested-by" => self.tested_by += 1,
            _ => self.other += 1,
        }
    }

    /// Sum of all counts.
    pub fn total(&self) -> u32 {
        self.reviewed_by + self.acked_by + self.tested_by + self.other
    }
}

/// One revision (vN) of a series.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RevisionView {
    /// The revision number (1 when unlabelled).
    pub version: u32,
    /// Message-ID of its cover letter (or first patch).
    pub message_id: MessageId,
    /// Its subject.
    pub subject: String,
    /// Date, unix seconds UTC.
    pub date: Option<i64>,
}

/// One patch of the revision shown.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PatchView {
    /// The counter (`3` of `3/8`).
    pub counter: u32,
    /// The subject as sent.
    pub subject: String,
    /// Its Message-ID.
    pub message_id: MessageId,
    /// The diffstat, if the patch had one (and the lookup read the patch:
    /// a light lookup leaves it out, see [`SeriesView`]).
    pub diffstat: Option<String>,
    /// Trailers on this patch (in the patch and in replies to it).
    pub trailers: TrailerCounts,
}

/// Upstream status of a revision, as `lpl upstream` tells it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UpstreamView {
    /// `true`: merged (or superseded by a merged revision); `false`: not,
    /// or only partly, merged; `None`: unknown (no indexed repository
    /// could hold the series: see `reason`).
    pub merged: Option<bool>,
    /// One line: `merged in v6.10 (8/8)`, `not merged (0/3)`,
    /// `unknown: no indexed repository covers these files`.
    pub what: String,
    /// Why nothing can be said, when `merged` is `None`.
    pub reason: Option<String>,
    /// The repository the status was checked against (its path); `None`
    /// when none is indexed.
    pub repository: Option<String>,
    /// The revision of that repository: the indexed tips (hex ids).
    pub revision: Vec<String>,
    /// Date, unix seconds UTC.
    pub date: Option<i64>,
}

impl UpstreamView {
    /// Whether the series is known to be merged.
    pub fn is_merged(&self) -> bool {
        self.merged == Some(true)
    }
}

/// What changed from the revision before the matched one: the range-diff
/// of the two, as `git range-diff` prints it (plain text).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PreviousDiff {
    /// The earlier revision's number.
    pub from_revision: u32,
    /// The range-diff text.
    pub text: String,
}

/// A series as the archive knows it (the revision the lookup matched).
///
/// An archive may answer a lookup *light*: without what costs reading
/// and parsing the messages or comparing revisions, which only a page
/// showing the one series needs: the patches' diffstats, the cover
/// letter's body and the range-diff from the previous revision (`None`
/// there). lpl-core answers light for checks, the index and the timeline,
/// and whole for an entry's page, the static site and `check --json`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SeriesView {
    /// Subject of the cover letter (or of the single patch), tags included.
    pub title: String,
    /// Author name (or address).
    pub author: String,
    /// Date of the matched revision, unix seconds UTC.
    pub date: Option<i64>,
    /// The matched revision's number.
    pub revision: u32,
    /// Message-ID of the matched revision.
    pub message_id: MessageId,
    /// Every revision known, oldest first (including the matched one).
    pub revisions: Vec<RevisionView>,
    /// The latest revision's number.
    pub latest: u32,
    /// The patches of the matched revision.
    pub patches: Vec<PatchView>,
    /// The cover letter's body, if there is one.
    pub cover_body: Option<String>,
    /// Trailer counts over the whole matched revision.
    pub trailers: TrailerCounts,
    /// Upstream status (`None`: the archive does not tell; an unknown
    /// status says why in [`UpstreamView::reason`]).
    pub upstream: Option<UpstreamView>,
    /// The range-diff from the revision before, when the archive has one.
    pub previous_diff: Option<PreviousDiff>,
}

/// Where an indexed kernel tree defines a function (for the links of the
/// roadmap's call chains).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CodeView {
    /// The tree (`v6.12`).
    pub tree: String,
    /// The file.
    pub path: String,
    /// The line of its name.
    pub line: u32,
    /// Where to read it on the web (a source browser at that line), when
    /// the tree is a released version.
    pub url: Option<String>,
}

/// A series revision whose patches change a function.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CodeChange {
    /// Its title.
    pub title: String,
    /// The revision's number.
    pub revision: u32,
    /// Its date, unix seconds UTC.
    pub date: i64,
    /// Its cover letter (or single patch).
    pub message_id: MessageId,
}

/// Read access to the archive.
pub trait Archive {
    /// The series whose revision has this Message-ID as cover letter or
    /// one of its patches.
    fn series_by_message_id(&self, id: &MessageId) -> Option<SeriesView>;

    /// Series whose subject (tags stripped) equals `subject`, optionally
    /// from `author`; newest first. Used when the entry's link does not
    /// resolve (not a lore link, or a message not in the archive).
    fn series_by_subject(&self, subject: &str, author: Option<&str>) -> Vec<SeriesView>;

    /// Whether the archive has the series of the message `id` (what a
    /// link's badge says): [`Archive::series_by_message_id`] finds it, at
    /// no more cost than the lookup.
    fn has_series(&self, id: &MessageId) -> bool {
        self.series_by_message_id(id).is_some()
    }

    /// The indexed kernel tree the roadmap's call chains are looked up
    /// in; `None` (the default) when none is: the chains stay plain text.
    fn code_tree(&self) -> Option<String> {
        None
    }

    /// Where that tree defines the function `name`; `None` when it does
    /// not (renamed, removed, or never there).
    fn code_definition(&self, name: &str) -> Option<CodeView> {
        let _ = name;
        None
    }

    /// The series revisions whose patches change `name`, newest first.
    fn code_history(&self, name: &str) -> Vec<CodeChange> {
        let _ = name;
        Vec::new()
    }
}

/// An archive that knows nothing (for `check` without a store).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoArchive;

impl Archive for NoArchive {
    fn series_by_message_id(&self, _: &MessageId) -> Option<SeriesView> {
        None
    }
    fn series_by_subject(&self, _: &str, _: Option<&str>) -> Vec<SeriesView> {
        Vec::new()
    }
}
