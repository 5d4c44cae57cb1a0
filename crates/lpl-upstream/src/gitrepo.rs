//! Opening the repository and reading refs through gix (the one place that
//! knows gix's API for repositories; gix changes every few weeks).

use std::path::Path;

use crate::Error;

/// Opens `path` as a git repository, refusing shallow clones.
pub(crate) fn open(path: &Path) -> Result<gix::ThreadSafeRepository, Error> {
    let repo = gix::open(path).map_err(|e| Error::NotARepository {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    if repo
        .is_shallow()
        .map_err(|e| Error::git("checking for a shallow clone", e))?
    {
        return Err(Error::ShallowClone {
            path: path.to_owned(),
        });
    }
    Ok(repo.into_sync())
}

/// All tags as (name without `refs/tags/`, peeled commit id); tags that do not
/// point (through annotated tags) at a commit are skipped.
pub(crate) fn tags(repo: &gix::Repository) -> Result<Vec<(String, gix::ObjectId)>, Error> {
    let refs = repo
        .references()
        .map_err(|e| Error::git("reading refs", e))?;
    let mut out = Vec::new();
    for r in refs.tags().map_err(|e| Error::git("reading tags", e))? {
        let Ok(mut r) = r else { continue };
        let name = r.name().shorten().to_string();
        let Ok(commit) = r.peel_to_commit() else {
            continue;
        };
        out.push((name, commit.id));
    }
    Ok(out)
}

/// Resolves revisions (`HEAD`, branch names, hex ids) to commit ids.
pub(crate) fn resolve(
    repo: &gix::Repository,
    path: &Path,
    revs: &[String],
) -> Result<Vec<gix::ObjectId>, Error> {
    let mut out = Vec::new();
    for rev in revs {
        let id = repo
            .rev_parse_single(rev.as_str())
            .ok()
            .and_then(|id| id.object().ok())
            .and_then(|o| o.peel_to_commit().ok())
            .map(|c| c.id)
            .ok_or_else(|| Error::BadRevision {
                path: path.to_owned(),
                rev: rev.clone(),
            })?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// The commit `HEAD` points to, if any.
pub(crate) fn head(repo: &gix::Repository) -> Option<gix::ObjectId> {
    repo.head_commit().ok().map(|c| c.id)
}
