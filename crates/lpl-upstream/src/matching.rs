//! Matching mailed patches to upstream commits.
//!
//! Methods, strongest first (each patch gets the strongest that finds
//! something):
//!
//! 1. [`MatchMethod::Link`]: a `Link:`/`Message-ID:` trailer of the commit
//!    names the patch's Message-ID (skipped with
//!    [`MatchOptions::no_link_trailers`]). Score 1.
//! 2. [`MatchMethod::PatchId`]: equal `git patch-id --stable`. Score 1.
//!
//! Methods 2-4 need the patch's diff; a message without one (a report, a
//! discussion that a `Link:` names) can only be matched by method 1 and is
//! reported as [`PatchProblemKind::NoDiff`].
//!
//! 3. [`MatchMethod::SubjectAuthor`]: the same subject once tags, prefixes
//!    (`mm: `, `mm/thp:` vs `mm: thp:`), case, spacing and trailing dots are
//!    normalised away ([`crate::subject::core`]), the same author (email or
//!    name), the commit no earlier than a day before the mail, and at least
//!    one file in common when both sides name files. Score: the diff
//!    similarity, floored at 0.5.
//! 4. [`MatchMethod::DiffSimilarity`]: among commits touching a file of the
//!    patch, committed from a day before the mail up to
//!    [`MatchOptions::max_days_after`] after, the best
//!    [`crate::similarity::score`] (0.2 files + 0.6 changed lines + 0.2
//!    subject words) if it reaches [`MatchOptions::similarity_threshold`].
//!
//! Then each commit keeps only its best message (strongest method, highest
//! score, then the mail dated exactly the commit's author date — `git am`
//! copies it — then the latest mail sent before the commit): older revisions of a
//! patch that also resemble the commit are left unmatched, so that series
//! status can call them superseded.

use std::collections::HashMap;

use lpl_mail::patch_id::PatchId;
use serde::Serialize;

use crate::index::IndexedCommit;
use crate::similarity::{Fingerprint, fingerprint, score};
use crate::{CommitId, links, subject};

/// How a patch was matched to a commit; ordered strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchMethod {
    /// A `Link:`/`Message-ID:` trailer names the message.
    Link,
    /// Equal stable patch-id.
    PatchId,
    /// Same normalised subject and author.
    SubjectAuthor,
    /// Similar diff.
    DiffSimilarity,
}

impl MatchMethod {
    /// Stable name (`link`, `patch-id`, `subject-author`, `diff-similarity`).
    pub fn as_str(self) -> &'static str {
        match self {
            MatchMethod::Link => "link",
            MatchMethod::PatchId => "patch-id",
            MatchMethod::SubjectAuthor => "subject-author",
            MatchMethod::DiffSimilarity => "diff-similarity",
        }
    }

    /// Parses [`MatchMethod::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "link" => MatchMethod::Link,
            "patch-id" => MatchMethod::PatchId,
            "subject-author" => MatchMethod::SubjectAuthor,
            "diff-similarity" => MatchMethod::DiffSimilarity,
            _ => return None,
        })
    }

    /// All methods, strongest first.
    pub const ALL: [MatchMethod; 4] = [
        MatchMethod::Link,
        MatchMethod::PatchId,
        MatchMethod::SubjectAuthor,
        MatchMethod::DiffSimilarity,
    ];
}

impl std::fmt::Display for MatchMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One mailed patch, as the archive knows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PatchInput {
    /// Its Message-ID (normalised, no `<>`).
    pub message_id: String,
    /// The subject: the mail's (with `[PATCH …]` tags, they are ignored) or
    /// the in-body `Subject:`.
    pub subject: String,
    /// Author name (in-body `From:` if any, else the mail's sender).
    pub author_name: Option<String>,
    /// Author email.
    pub author_email: Option<String>,
    /// Date sent, unix seconds.
    pub date: Option<i64>,
    /// Its stable patch-id (computed from `diff` if `None`).
    pub patch_id: Option<PatchId>,
    /// Paths touched (taken from `diff` if empty).
    pub files: Vec<String>,
    /// The diff text, if the message carries one.
    pub diff: Option<String>,
    /// The series it belongs to (opaque key), if known.
    pub series: Option<String>,
}

impl PatchInput {
    /// Builds the input from a parsed message (`None` if it has no
    /// Message-ID).
    pub fn from_message(msg: &lpl_mail::Message, series: Option<String>) -> Option<PatchInput> {
        let message_id = msg.message_id.as_ref()?.as_str().to_owned();
        let patch = msg.patch.as_ref();
        let author = patch.and_then(|p| p.author.as_ref()).or(msg.from.as_ref());
        let subject = patch
            .and_then(|p| p.subject.clone())
            .unwrap_or_else(|| msg.subject.clone());
        Some(PatchInput {
            message_id,
            subject,
            author_name: author.and_then(|a| a.name.clone()),
            author_email: author.map(|a| a.email.clone()),
            date: msg.date.as_ref().map(|d| d.timestamp),
            patch_id: patch.and_then(|p| p.patch_id),
            files: patch
                .map(|p| p.files.iter().map(|f| f.path().to_owned()).collect())
                .unwrap_or_default(),
            diff: patch.map(|p| p.diff.clone()).filter(|d| !d.is_empty()),
            series,
        })
    }
}

/// A patch-to-commit match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// The patch's Message-ID.
    pub message_id: String,
    /// The commit.
    pub commit: CommitId,
    /// How it was found.
    pub method: MatchMethod,
    /// Confidence in 0..=1 (1 for link and patch-id).
    pub score: f64,
    /// The first release tag containing the commit, if known.
    pub first_tag: Option<String>,
    /// The repository of the commit (its key), when the match was stored
    /// or read back with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
}

/// Matching options.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchOptions {
    /// Ignore `Link:`/`Message-ID:` trailers (to score the other methods
    /// against ground truth that comes from those trailers).
    pub no_link_trailers: bool,
    /// Minimum [`crate::similarity::Score::total`] for a diff-similarity
    /// match. Default 0.3: see the crate README for the sweep on liburing.
    pub similarity_threshold: f64,
    /// Commits later than this many days after the mail are not considered
    /// by methods 3 and 4.
    pub max_days_after: i64,
    /// The methods to use (default: all four). Running one method alone
    /// scores it on its own.
    pub methods: Vec<MatchMethod>,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            no_link_trailers: false,
            similarity_threshold: 0.3,
            max_days_after: 2 * 365,
            methods: MatchMethod::ALL.to_vec(),
        }
    }
}

/// A patch that could not be matched fully, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatchProblem {
    /// The patch's Message-ID.
    pub message_id: String,
    /// What is wrong.
    pub kind: PatchProblemKind,
}

/// Kinds of [`PatchProblem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PatchProblemKind {
    /// The message carries no diff: only the `Link:` method can find it.
    NoDiff,
    /// The message has no date: date windows are not applied to it.
    NoDate,
}

impl std::fmt::Display for PatchProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            PatchProblemKind::NoDiff => write!(
                f,
                "<{}>: the message carries no diff; only a Link: trailer naming it can match it",
                self.message_id
            ),
            PatchProblemKind::NoDate => write!(f, "<{}>: no date", self.message_id),
        }
    }
}

/// The result of [`UpstreamIndex::match_patches`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MatchOutcome {
    /// Matches, grouped by patch in input order, strongest first.
    pub matches: Vec<Match>,
    /// Patches that could only be matched partly.
    pub problems: Vec<PatchProblem>,
}

/// The indexed commits in memory, with lookup tables for each method.
#[derive(Debug, Default)]
pub struct UpstreamIndex {
    commits: Vec<IndexedCommit>,
    first_tags: Vec<Option<String>>,
    by_id: HashMap<CommitId, usize>,
    by_msgid: HashMap<String, Vec<usize>>,
    by_patch_id: HashMap<PatchId, Vec<usize>>,
    by_core: HashMap<String, Vec<usize>>,
    /// Per file, commit indexes sorted by commit date.
    by_file: HashMap<String, Vec<usize>>,
    cores: Vec<String>,
}

const DAY: i64 = 86_400;

fn same_author(p: &PatchInput, c: &IndexedCommit) -> bool {
    if let Some(e) = &p.author_email
        && e.eq_ignore_ascii_case(&c.author_email)
    {
        return true;
    }
    match &p.author_name {
        Some(n) => {
            let norm = |s: &str| {
                s.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
                    .trim_matches('"')
                    .to_owned()
            };
            let a = norm(n);
            !a.is_empty() && a == norm(&c.author_name)
        }
        None => false,
    }
}

impl UpstreamIndex {
    /// Builds the lookup tables. `first_tags[i]` is the first release tag
    /// containing `commits[i]`.
    pub fn new(commits: Vec<IndexedCommit>, mut first_tags: Vec<Option<String>>) -> Self {
        first_tags.resize(commits.len(), None);
        let mut ix = UpstreamIndex {
            first_tags,
            ..Default::default()
        };
        for (i, c) in commits.iter().enumerate() {
            ix.by_id.insert(c.id, i);
            for m in &c.message_ids {
                ix.by_msgid.entry(m.clone()).or_default().push(i);
            }
            if let Some(p) = c.patch_id {
                ix.by_patch_id.entry(p).or_default().push(i);
            }
            let core = subject::core(&c.subject);
            ix.by_core.entry(core.clone()).or_default().push(i);
            ix.cores.push(core);
            for f in &c.files {
                ix.by_file.entry(f.clone()).or_default().push(i);
            }
        }
        for v in ix.by_file.values_mut() {
            v.sort_by_key(|&i| commits[i].commit_date);
        }
        ix.commits = commits;
        ix
    }

    /// Number of commits.
    pub fn len(&self) -> usize {
        self.commits.len()
    }

    /// Whether there are no commits.
    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }

    /// A commit by id.
    pub fn commit(&self, id: CommitId) -> Option<&IndexedCommit> {
        self.by_id.get(&id).map(|&i| &self.commits[i])
    }

    /// The first release tag containing a commit.
    pub fn first_tag(&self, id: CommitId) -> Option<&str> {
        self.by_id
            .get(&id)
            .and_then(|&i| self.first_tags[i].as_deref())
    }

    fn mk(&self, p: &PatchInput, i: usize, method: MatchMethod, score: f64) -> Match {
        Match {
            message_id: p.message_id.clone(),
            commit: self.commits[i].id,
            method,
            score,
            first_tag: self.first_tags[i].clone(),
            repository: None,
        }
    }

    fn in_window(&self, p: &PatchInput, i: usize, opts: &MatchOptions) -> bool {
        match p.date {
            Some(d) => {
                let c = self.commits[i].commit_date;
                c >= d - DAY && c <= d + opts.max_days_after * DAY
            }
            None => true,
        }
    }

    /// Candidates for one patch: every method's best, strongest first (before
    /// the per-commit de-duplication).
    fn candidates(
        &self,
        p: &PatchInput,
        fp: Option<&Fingerprint>,
        opts: &MatchOptions,
    ) -> Vec<Match> {
        let mut out = Vec::new();
        let on = |m: MatchMethod| opts.methods.contains(&m);
        if !opts.no_link_trailers
            && on(MatchMethod::Link)
            && let Some(id) = links::normalise_id(&p.message_id)
            && let Some(v) = self.by_msgid.get(&id)
        {
            for &i in v {
                out.push(self.mk(p, i, MatchMethod::Link, 1.0));
            }
        }
        if !out.is_empty() || fp.is_none() {
            // Without a diff only the Link: method applies: a subject alone
            // (a reply, a report) is too weak.
            return out;
        }
        let pid = p.patch_id.or_else(|| {
            p.diff
                .as_deref()
                .and_then(|d| lpl_mail::patch_id::patch_id_stable(d.as_bytes()))
        });
        if let Some(pid) = pid.filter(|_| on(MatchMethod::PatchId))
            && let Some(v) = self.by_patch_id.get(&pid)
        {
            // Prefer commits made after the mail, the earliest of them.
            let best = v
                .iter()
                .copied()
                .min_by_key(|&i| {
                    let c = self.commits[i].commit_date;
                    let before = p.date.is_some_and(|d| c < d - DAY);
                    (before, c)
                })
                .expect("non-empty");
            out.push(self.mk(p, best, MatchMethod::PatchId, 1.0));
            return out;
        }
        let core = subject::core(&p.subject);
        let pwords = subject::words(&core);
        let sim = |i: usize| -> f64 {
            match fp {
                Some(fp) => {
                    let cw = subject::words(&self.cores[i]);
                    score(fp, &self.commits[i].fingerprint, &pwords, &cw).total
                }
                None => 0.0,
            }
        };
        if pwords.len() >= 2
            && on(MatchMethod::SubjectAuthor)
            && let Some(v) = self.by_core.get(&core)
        {
            let best = v
                .iter()
                .copied()
                .filter(|&i| same_author(p, &self.commits[i]) && self.in_window(p, i, opts))
                .filter(|&i| {
                    let cf = &self.commits[i].files;
                    let pf = fp.map(|f| &f.files[..]).unwrap_or(&p.files[..]);
                    pf.is_empty() || cf.is_empty() || pf.iter().any(|f| cf.binary_search(f).is_ok())
                })
                .min_by_key(|&i| self.commits[i].commit_date);
            if let Some(i) = best {
                let s = sim(i).max(0.5);
                out.push(self.mk(p, i, MatchMethod::SubjectAuthor, s));
                return out;
            }
        }
        if let Some(fp) = fp
            && !fp.files.is_empty()
            && on(MatchMethod::DiffSimilarity)
        {
            let mut seen: Vec<usize> = Vec::new();
            for f in &fp.files {
                let Some(v) = self.by_file.get(f) else {
                    continue;
                };
                let (lo, hi) = match p.date {
                    Some(d) => {
                        let lo = v.partition_point(|&i| self.commits[i].commit_date < d - DAY);
                        let hi = v.partition_point(|&i| {
                            self.commits[i].commit_date <= d + opts.max_days_after * DAY
                        });
                        (lo, hi)
                    }
                    None => (0, v.len()),
                };
                seen.extend_from_slice(&v[lo..hi.max(lo)]);
            }
            seen.sort_unstable();
            seen.dedup();
            let best = seen.into_iter().map(|i| (i, sim(i))).max_by(|a, b| {
                a.1.total_cmp(&b.1).then(
                    self.commits[b.0]
                        .commit_date
                        .cmp(&self.commits[a.0].commit_date),
                )
            });
            if let Some((i, s)) = best
                && s >= opts.similarity_threshold
            {
                out.push(self.mk(p, i, MatchMethod::DiffSimilarity, s));
            }
        }
        out
    }

    /// Matches patches to commits (see the module docs). Runs in parallel.
    pub fn match_patches(&self, patches: &[PatchInput], opts: &MatchOptions) -> MatchOutcome {
        use rayon::prelude::*;
        let per: Vec<(Vec<Match>, Vec<PatchProblem>)> = patches
            .par_iter()
            .map(|p| {
                let mut problems = Vec::new();
                let fp = p.diff.as_deref().map(|d| {
                    let mut f = fingerprint(d.as_bytes());
                    if f.files.is_empty() && !p.files.is_empty() {
                        f.files = p.files.clone();
                        f.files.sort();
                        f.files.dedup();
                    }
                    f
                });
                if fp.is_none() {
                    problems.push(PatchProblem {
                        message_id: p.message_id.clone(),
                        kind: PatchProblemKind::NoDiff,
                    });
                }
                if p.date.is_none() {
                    problems.push(PatchProblem {
                        message_id: p.message_id.clone(),
                        kind: PatchProblemKind::NoDate,
                    });
                }
                (self.candidates(p, fp.as_ref(), opts), problems)
            })
            .collect();

        // Per commit, keep the best message (links: keep all).
        let date_of: HashMap<&str, Option<i64>> = patches
            .iter()
            .map(|p| (p.message_id.as_str(), p.date))
            .collect();
        let mut best: HashMap<CommitId, Key> = HashMap::new();
        for (ms, _) in &per {
            for m in ms {
                if m.method == MatchMethod::Link {
                    continue;
                }
                let (cdate, adate) = self
                    .commit(m.commit)
                    .map_or((0, 0), |c| (c.commit_date, c.author_date));
                let d = date_of
                    .get(m.message_id.as_str())
                    .copied()
                    .flatten()
                    .unwrap_or(0);
                // `git am` takes the author date from the mail's Date: header.
                let same_date = (d - adate).abs() <= 60;
                let before = d <= cdate + DAY;
                let key = Key {
                    method: m.method,
                    score: m.score,
                    same_date,
                    before,
                    date: d,
                    message_id: m.message_id.clone(),
                };
                match best.get(&m.commit) {
                    Some(cur) if !beats(&key, cur) => {}
                    _ => {
                        best.insert(m.commit, key);
                    }
                }
            }
        }
        // A commit that has a Link: match keeps only its linked messages.
        let linked: std::collections::HashSet<CommitId> = per
            .iter()
            .flat_map(|(ms, _)| ms.iter())
            .filter(|m| m.method == MatchMethod::Link)
            .map(|m| m.commit)
            .collect();
        let mut outcome = MatchOutcome::default();
        for (ms, problems) in per {
            for m in ms {
                let keep = m.method == MatchMethod::Link
                    || (!linked.contains(&m.commit)
                        && best
                            .get(&m.commit)
                            .is_some_and(|b| b.message_id == m.message_id));
                if keep {
                    outcome.matches.push(m);
                }
            }
            outcome.problems.extend(problems);
        }
        outcome
    }
}

/// A candidate message for a commit, for the per-commit choice.
struct Key {
    method: MatchMethod,
    score: f64,
    same_date: bool,
    before: bool,
    date: i64,
    message_id: String,
}

/// Whether candidate `a` should replace `b` as a commit's message: stronger
/// method, then higher score, then the mail whose date is the commit's author
/// date (`git am` copies it), then sent before the commit, then sent later
/// (the last revision before the commit).
fn beats(a: &Key, b: &Key) -> bool {
    if a.method != b.method {
        return a.method < b.method;
    }
    if (a.score - b.score).abs() > 1e-9 {
        return a.score > b.score;
    }
    if a.same_date != b.same_date {
        return a.same_date;
    }
    if a.before != b.before {
        return a.before;
    }
    if a.date != b.date {
        return a.date > b.date;
    }
    a.message_id < b.message_id
}
