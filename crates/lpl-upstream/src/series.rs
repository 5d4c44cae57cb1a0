//! Series status: merged, partially merged, not merged, superseded, or
//! unknown (no indexed repository could hold the series).

use std::collections::HashMap;

use serde::Serialize;

use crate::CommitId;
use crate::matching::Match;

/// One revision of a series: its label (`v3`) and its patches' Message-IDs
/// in order (`1/N` .. `N/N`, no cover letter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesInput {
    /// A label for messages (`v3`, or the series key).
    pub label: String,
    /// Message-IDs of the patches.
    pub patches: Vec<String>,
}

/// The state of one revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum SeriesState {
    /// Every patch became a commit.
    Merged,
    /// Some patches became commits (see [`SeriesStatus::patches`]).
    PartiallyMerged,
    /// No patch became a commit, and no later revision did either.
    NotMerged,
    /// This revision is not (fully) merged but a later revision has merged
    /// patches.
    Superseded {
        /// The label of the latest later revision with merged patches.
        by: String,
    },
    /// Nothing can be said: no repository is indexed, or none that could
    /// hold the revision's files (a kernel series against liburing).
    Unknown {
        /// Why, for users.
        reason: String,
    },
}

/// One patch's commits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchStatus {
    /// The patch's Message-ID.
    pub message_id: String,
    /// Its matches, strongest first (empty: not merged).
    pub matches: Vec<Match>,
}

/// The status of one revision of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesStatus {
    /// The revision's label.
    pub label: String,
    /// The state.
    #[serde(flatten)]
    pub state: SeriesState,
    /// Per patch, in order.
    pub patches: Vec<PatchStatus>,
    /// Patches with at least one commit.
    pub merged: usize,
    /// Patches in the revision.
    pub total: usize,
    /// The commits, in patch order.
    pub commits: Vec<CommitId>,
    /// The release that first contains all merged commits (the latest of
    /// their first tags, in `tag_order`); `None` if not released yet.
    pub first_tag: Option<String>,
    /// The repository the answer was checked against (its path), `None`
    /// when none is indexed.
    pub repository: Option<String>,
    /// The revision of that repository: the tips indexed (hex ids).
    pub revision: Vec<CommitId>,
    /// Every indexed repository, and whether its history could hold the
    /// revision (it touched the revision's files or their directories):
    /// the status comes from those that could, `repository` naming the one
    /// that answered.
    pub checked: Vec<Checked>,
}

/// A repository a status was checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checked {
    /// The repository (its key: the canonical path).
    pub repository: String,
    /// Its revision: the tips indexed.
    pub revision: Vec<CommitId>,
    /// Whether its history touched the revision's files (or their
    /// directories), so that it could hold the revision.
    pub covers: bool,
}

impl SeriesStatus {
    /// One line: `merged in v6.10-rc1 (5/5)`, `partially merged (2/5)`, ...
    pub fn summary(&self) -> String {
        let tag = self
            .first_tag
            .as_deref()
            .map(|t| format!(" in {t}"))
            .unwrap_or_default();
        match &self.state {
            SeriesState::Merged => format!("merged{tag} ({}/{})", self.merged, self.total),
            SeriesState::PartiallyMerged => {
                format!("partially merged{tag} ({}/{})", self.merged, self.total)
            }
            SeriesState::NotMerged => format!("not merged (0/{})", self.total),
            SeriesState::Superseded { by } => format!("superseded: {by} was merged"),
            SeriesState::Unknown { reason } => format!("unknown: {reason}"),
        }
    }

    /// Whether the revision is merged: `Some(true)` (merged, or superseded
    /// by a merged revision), `Some(false)` (partly or not merged),
    /// `None` when unknown.
    pub fn is_merged(&self) -> Option<bool> {
        match self.state {
            SeriesState::Merged | SeriesState::Superseded { .. } => Some(true),
            SeriesState::PartiallyMerged | SeriesState::NotMerged => Some(false),
            SeriesState::Unknown { .. } => None,
        }
    }

    /// The status of a revision nothing can be said about.
    pub fn unknown(label: &str, total: usize, reason: String) -> Self {
        SeriesStatus {
            label: label.to_owned(),
            state: SeriesState::Unknown { reason },
            patches: Vec::new(),
            merged: 0,
            total,
            commits: Vec::new(),
            first_tag: None,
            repository: None,
            revision: Vec::new(),
            checked: Vec::new(),
        }
    }

    /// How strong an answer this is, for choosing among repositories:
    /// merged before superseded before partly merged before not merged.
    pub fn rank(&self) -> (u8, std::cmp::Reverse<usize>) {
        let r = match self.state {
            SeriesState::Merged => 0,
            SeriesState::Superseded { .. } => 1,
            SeriesState::PartiallyMerged => 2,
            SeriesState::NotMerged => 3,
            SeriesState::Unknown { .. } => 4,
        };
        (r, std::cmp::Reverse(self.merged))
    }
}

/// Status of `chain[which]`, where `chain` is a series' revisions oldest
/// first and `matches` maps Message-IDs to their matches (for example from
/// [`crate::matching::MatchOutcome`] or [`crate::store::matches_for`]).
/// `tag_order` ranks tag names (release order) to pick the release that has
/// the whole revision.
pub fn series_status(
    chain: &[SeriesInput],
    which: usize,
    matches: &dyn Fn(&str) -> Vec<Match>,
    tag_order: &dyn Fn(&str) -> Option<usize>,
) -> Option<SeriesStatus> {
    let rev = chain.get(which)?;
    let mut patches = Vec::new();
    let mut commits = Vec::new();
    let mut merged = 0;
    let mut first_tag: Option<(usize, String)> = None;
    let mut unreleased = false;
    for mid in &rev.patches {
        let ms = matches(mid);
        if !ms.is_empty() {
            merged += 1;
            let best = &ms[0];
            commits.push(best.commit);
            match best
                .first_tag
                .as_deref()
                .and_then(|t| Some((tag_order(t)?, t)))
            {
                Some((o, t)) => {
                    if first_tag.as_ref().is_none_or(|(fo, _)| o > *fo) {
                        first_tag = Some((o, t.to_owned()));
                    }
                }
                None => unreleased = true,
            }
        }
        patches.push(PatchStatus {
            message_id: mid.clone(),
            matches: ms,
        });
    }
    let total = rev.patches.len();
    let later_merged = chain
        .iter()
        .skip(which + 1)
        .filter(|r| r.patches.iter().any(|m| !matches(m).is_empty()))
        .last()
        .map(|r| r.label.clone());
    let state = if merged == total && total > 0 {
        SeriesState::Merged
    } else if let Some(by) = later_merged {
        SeriesState::Superseded { by }
    } else if merged > 0 {
        SeriesState::PartiallyMerged
    } else {
        SeriesState::NotMerged
    };
    Some(SeriesStatus {
        label: rev.label.clone(),
        state,
        patches,
        merged,
        total,
        commits,
        first_tag: if unreleased {
            None
        } else {
            first_tag.map(|(_, t)| t)
        },
        repository: None,
        revision: Vec::new(),
        checked: Vec::new(),
    })
}

/// Groups matches by Message-ID (strongest first) for [`series_status`].
pub fn by_message(matches: &[Match]) -> HashMap<String, Vec<Match>> {
    let mut out: HashMap<String, Vec<Match>> = HashMap::new();
    for m in matches {
        out.entry(m.message_id.clone()).or_default().push(m.clone());
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| a.method.cmp(&b.method).then(b.score.total_cmp(&a.score)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::MatchMethod;

    fn m(id: &str, c: u8, tag: &str) -> Match {
        Match {
            message_id: id.into(),
            commit: CommitId([c; 20]),
            method: MatchMethod::PatchId,
            score: 1.0,
            first_tag: Some(tag.into()),
            repository: None,
        }
    }

    #[test]
    fn states() {
        let chain = vec![
            SeriesInput {
                label: "v1".into(),
                patches: vec!["a1".into(), "b1".into()],
            },
            SeriesInput {
                label: "v2".into(),
                patches: vec!["a2".into(), "b2".into()],
            },
        ];
        let all = vec![m("a2", 1, "v6.10-rc1"), m("b2", 2, "v6.10-rc2")];
        let by = by_message(&all);
        let look = |id: &str| by.get(id).cloned().unwrap_or_default();
        let order = |t: &str| ["v6.10-rc1", "v6.10-rc2"].iter().position(|x| *x == t);
        let v2 = series_status(&chain, 1, &look, &order).expect("v2");
        assert_eq!(v2.state, SeriesState::Merged);
        assert_eq!(v2.first_tag.as_deref(), Some("v6.10-rc2"));
        assert_eq!(v2.summary(), "merged in v6.10-rc2 (2/2)");
        let v1 = series_status(&chain, 0, &look, &order).expect("v1");
        assert_eq!(v1.state, SeriesState::Superseded { by: "v2".into() });

        let part = vec![m("a2", 1, "v6.10-rc1")];
        let by = by_message(&part);
        let look = |id: &str| by.get(id).cloned().unwrap_or_default();
        let v2 = series_status(&chain, 1, &look, &order).expect("v2");
        assert_eq!(v2.state, SeriesState::PartiallyMerged);
        assert_eq!(v2.merged, 1);
        let none = |_: &str| Vec::new();
        let v2 = series_status(&chain, 1, &none, &order).expect("v2");
        assert_eq!(v2.state, SeriesState::NotMerged);
        assert!(series_status(&chain, 5, &none, &order).is_none());
    }
}
