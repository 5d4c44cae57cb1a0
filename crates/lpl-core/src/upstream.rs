//! `lpl upstream`: index a local git repository, match the archive's
//! patches to its commits, and tell a series' merge status.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use lpl_store::Store;
use lpl_upstream::{
    IndexOptions, IndexReport, Match, MatchOptions, PatchInput, SeriesInput, SeriesState,
    SeriesStatus,
};

use crate::error::Error;
use crate::library::Library;

/// Indexes `repo` (incrementally) into the store's `up_*` tables.
pub(crate) fn index(
    store: &mut Store,
    repo: &Path,
    revs: Vec<String>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(lpl_upstream::Progress),
) -> Result<IndexReport, Error> {
    let opts = IndexOptions {
        revs,
        ..Default::default()
    };
    Ok(lpl_upstream::index::index_repository(
        store.conn_mut(),
        repo,
        &opts,
        cancel,
        progress,
    )?)
}

/// Outcome of matching every patch of the archive.
#[derive(Debug, Clone, Serialize)]
pub struct MatchAllReport {
    /// Patches considered.
    pub patches: usize,
    /// Patches with at least one matching commit.
    pub matched: usize,
    /// Every match (Message-ID, commit, method, score, first tag).
    pub matches: Vec<Match>,
    /// Patches that could only be matched partly, with the reason.
    pub problems: Vec<lpl_upstream::matching::PatchProblem>,
}

/// Matches every patch in the archive against the indexed repository.
pub(crate) fn match_all(
    store: &mut Store,
    lib: &Library,
    opts: &MatchOptions,
) -> Result<MatchAllReport, Error> {
    lpl_upstream::store::migrate(store.conn())?;
    let mut inputs = Vec::new();
    for (i, m) in lib.metas.iter().enumerate() {
        if !m.has_patch {
            continue;
        }
        let raw = store.raw(lib.rows[i])?;
        let msg = lpl_mail::parse(&raw).message;
        let series = lib
            .analysis
            .assembly
            .revision_of_message(i)
            .map(|r| lib.short_id(r));
        if let Some(p) = PatchInput::from_message(&msg, series) {
            inputs.push(p);
        }
    }
    let out = lpl_upstream::store::match_and_save(store.conn_mut(), &inputs, opts)?;
    let mut matched: Vec<&str> = out.matches.iter().map(|m| m.message_id.as_str()).collect();
    matched.sort_unstable();
    matched.dedup();
    Ok(MatchAllReport {
        patches: inputs.len(),
        matched: matched.len(),
        matches: out.matches.clone(),
        problems: out.problems,
    })
}

/// Merge status of revision `r` (with its chain, for "superseded").
pub(crate) fn status(
    store: &Store,
    lib: &Library,
    r: usize,
) -> Result<Option<SeriesStatus>, Error> {
    // No migrate here: a read-only workspace asks too, and without the
    // tables nothing is indexed (the answer is "unknown").
    let chain = lib.analysis.chains.chain(r);
    let inputs: Vec<SeriesInput> = chain
        .iter()
        .map(|&c| {
            let rev = &lib.revisions()[c];
            SeriesInput {
                label: format!("v{}", rev.revision),
                patches: rev
                    .patches
                    .iter()
                    .filter(|p| p.inherited_from.is_none() || c == r)
                    .map(|p| lib.metas[p.message].message_id.as_str().to_owned())
                    .collect(),
            }
        })
        .collect();
    let which = chain.iter().position(|&c| c == r).unwrap_or(0);
    let conn = store.conn();
    // Which repositories could hold it: those whose history touched the
    // revision's files. Without one, "not merged" would be a guess.
    let rev = &lib.revisions()[r];
    let total = rev.patches.len();
    let label = format!("v{}", rev.revision);
    let repos = lpl_upstream::store::repositories(conn)?;
    if repos.is_empty() {
        return Ok(Some(SeriesStatus::unknown(
            &label,
            total,
            "no indexed repository covers these files (none is indexed: lpl upstream index --repo DIR)".into(),
        )));
    }
    let mut files: Vec<String> = rev
        .patches
        .iter()
        .flat_map(|p| lib.metas[p.message].files.iter().cloned())
        .collect();
    files.sort();
    files.dedup();
    let own: Vec<(&str, &[String])> = rev
        .patches
        .iter()
        .map(|p| {
            let m = &lib.metas[p.message];
            (m.message_id.as_str(), m.files.as_slice())
        })
        .collect();
    let mut checked = Vec::new();
    let mut best: Option<SeriesStatus> = None;
    // A repository that could hold the revision but whose stored matches
    // do not answer for it (never matched, indexed again since, or the
    // revision arrived after the last run): its "not merged" would be a
    // guess.
    let mut unmatched: Option<SeriesStatus> = None;
    for repo in &repos {
        let covers =
            files.is_empty() || lpl_upstream::store::covers_any_file(conn, repo.id, &files)?;
        checked.push(lpl_upstream::Checked {
            repository: repo.path.clone(),
            revision: repo.tips.clone(),
            covers,
        });
        if !covers {
            continue;
        }
        let order = lpl_upstream::store::tag_order(conn, repo.id)?;
        let matches =
            |mid: &str| lpl_upstream::store::matches_for(conn, repo, mid).unwrap_or_default();
        let tag_order = |t: &str| order.get(t).copied();
        let Some(mut st) =
            lpl_upstream::series::series_status(&inputs, which, &matches, &tag_order)
        else {
            continue;
        };
        st.repository = Some(repo.path.clone());
        st.revision = repo.tips.clone();
        let sure = matches!(
            st.state,
            SeriesState::Merged | SeriesState::Superseded { .. }
        );
        if !sure {
            let run = lpl_upstream::store::match_run(conn, repo, &own)?;
            if let Some(reason) = unmatched_reason(&run, &repo.path, own.len()) {
                if unmatched.is_none() {
                    let mut u = SeriesStatus::unknown(&label, total, reason);
                    u.repository = Some(repo.path.clone());
                    u.revision = repo.tips.clone();
                    unmatched = Some(u);
                }
                continue;
            }
        }
        // The strongest answer wins (merged in linux beats not merged
        // in a fork that also touched the files); ties go to the
        // repository indexed first.
        if best.as_ref().is_none_or(|b| st.rank() < b.rank()) {
            best = Some(st);
        }
    }
    // Merged somewhere is an answer; "not merged" needs every repository
    // that could hold the revision to have been matched against it.
    let best = match (best, unmatched) {
        (Some(b), _) if b.is_merged() == Some(true) => Some(b),
        (_, Some(u)) => Some(u),
        (b, None) => b,
    };
    let mut st = best.unwrap_or_else(|| {
        SeriesStatus::unknown(
            &label,
            total,
            "no indexed repository covers these files".into(),
        )
    });
    st.checked = checked;
    Ok(Some(st))
}

/// Why `repo`'s stored matches cannot answer "not merged" (`None`: they
/// can).
fn unmatched_reason(
    run: &lpl_upstream::store::MatchRun,
    repo: &str,
    patches: usize,
) -> Option<String> {
    use lpl_upstream::store::MatchRun;
    let why = match run {
        MatchRun::Current => return None,
        MatchRun::Never => format!("{repo} is indexed but was never matched with the archive"),
        MatchRun::Reindexed => format!("{repo} was indexed again after the last match run"),
        MatchRun::Missed(ids) if ids.len() >= patches => {
            format!("the series arrived after the last match run against {repo}")
        }
        MatchRun::Missed(ids) => format!(
            "{} of its {patches} patches arrived after the last match run against {repo}",
            ids.len()
        ),
    };
    Some(format!("{why} (run: lpl upstream --all)"))
}

/// Whether an upstream index exists in this store.
pub(crate) fn has_index(store: &Store) -> bool {
    lpl_upstream::store::has_matches(store.conn()).unwrap_or(false)
}
