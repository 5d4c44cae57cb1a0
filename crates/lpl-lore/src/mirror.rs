//! Mirroring public-inbox epochs with gix over smart HTTP.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::LoreError;

/// How to talk git to the server.
#[derive(Debug, Clone)]
pub struct MirrorOptions {
    /// User-Agent of the HTTP requests.
    pub user_agent: String,
    /// Connection timeout.
    pub connect_timeout: Duration,
    /// Give up when less than 1 byte/s arrives for this long.
    pub stall_timeout: Duration,
}

impl Default for MirrorOptions {
    fn default() -> Self {
        MirrorOptions {
            user_agent: crate::user_agent(),
            connect_timeout: Duration::from_secs(15),
            stall_timeout: Duration::from_secs(60),
        }
    }
}

/// What a clone or fetch did.
#[derive(Debug, Clone)]
pub struct MirrorOutcome {
    /// The epoch URL.
    pub url: String,
    /// The bare repository.
    pub path: PathBuf,
    /// It was created by this call.
    pub cloned: bool,
    /// Commits that arrived (reachable from the new branch tips, not from the old ones).
    pub new_commits: u64,
}

/// Clones the epoch at `url` into the bare repository `dest` (created if
/// missing), or fetches what is new into it. Branches are mirrored
/// (`+refs/heads/*:refs/heads/*`), so a rewritten epoch replaces the old
/// history, which the importer notices.
///
/// Installs rustls' `ring` provider as the process default if none is set
/// (the git HTTP client needs one).
pub fn mirror_epoch(
    url: &str,
    dest: &Path,
    opts: &MirrorOptions,
    cancel: &AtomicBool,
) -> Result<MirrorOutcome, LoreError> {
    crate::url::check(url)?;
    let git = |e: &dyn std::fmt::Display| LoreError::Git {
        url: url.to_owned(),
        reason: e.to_string(),
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cloned = !dest.join("HEAD").is_file();
    if cloned {
        std::fs::create_dir_all(dest).map_err(|e| LoreError::io(dest, e))?;
    }
    let mut repo = if cloned {
        gix::init_bare(dest).map_err(|e| git(&e))?
    } else {
        gix::open(dest).map_err(|e| git(&e))?
    };
    let old_tips = branch_tips(&repo).map_err(|e| git(&e))?;
    {
        let mut c = repo.config_snapshot_mut();
        c.append_config(
            [
                // The git protocol's `agent=` capability. (gix's reqwest
                // backend sends its own fixed HTTP User-Agent,
                // `git/oxide-VERSION`, and ignores `http.userAgent`; the curl
                // backend would honour it but builds libcurl.)
                format!("gitoxide.userAgent={}", opts.user_agent),
                format!("http.userAgent={}", opts.user_agent),
                "http.lowSpeedLimit=1".to_owned(),
                // Never follow a redirect (to another host, or from https
                // down to http): the configured inbox URL must be the
                // real one (issue 20).
                "http.followRedirects=false".to_owned(),
                format!("http.lowSpeedTime={}", opts.stall_timeout.as_secs().max(1)),
                format!(
                    "gitoxide.http.connectTimeout={}",
                    opts.connect_timeout.as_millis()
                ),
            ]
            .iter()
            .map(String::as_str),
            gix::config::Source::Api,
        )
        .map_err(|e| git(&e))?;
        c.commit().map_err(|e| git(&e))?;
    }
    let remote = repo
        .remote_at(url)
        .map_err(|e| git(&e))?
        .with_refspecs(
            ["+refs/heads/*:refs/heads/*"],
            gix::remote::Direction::Fetch,
        )
        .map_err(|e| git(&e))?;
    let conn = remote
        .connect(gix::remote::Direction::Fetch)
        .map_err(|e| offline_or_git(url, &e))?;
    let outcome = conn
        .prepare_fetch(gix::progress::Discard, Default::default())
        .map_err(|e| offline_or_git(url, &e))?
        .receive(gix::progress::Discard, cancel)
        .map_err(|e| {
            if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                LoreError::Cancelled
            } else {
                offline_or_git(url, &e)
            }
        })?;
    drop(outcome);
    let repo = gix::open(dest).map_err(|e| git(&e))?;
    let new_tips = branch_tips(&repo).map_err(|e| git(&e))?;
    let new_commits = if new_tips.is_empty() {
        0
    } else {
        repo.rev_walk(new_tips.clone())
            .with_hidden(
                old_tips
                    .iter()
                    .copied()
                    .filter(|t| repo.find_object(*t).is_ok()),
            )
            .all()
            .map_err(|e| git(&e))?
            .filter_map(Result::ok)
            .count() as u64
    };
    Ok(MirrorOutcome {
        url: url.to_owned(),
        path: dest.to_owned(),
        cloned,
        new_commits,
    })
}

fn branch_tips(
    repo: &gix::Repository,
) -> Result<Vec<gix::ObjectId>, Box<dyn std::error::Error + Send + Sync>> {
    let mut out = Vec::new();
    for r in repo.references()?.local_branches()? {
        let mut r = r?;
        if let Ok(id) = r.peel_to_id() {
            out.push(id.detach());
        }
    }
    Ok(out)
}

/// gix reports an unreachable server deep inside a transport error; the
/// message is what we have to tell offline from other failures.
fn offline_or_git(url: &str, e: &dyn std::error::Error) -> LoreError {
    let mut chain = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        src = s.source();
    }
    let l = chain.to_ascii_lowercase();
    let network = [
        "connection refused",
        "dns error",
        "failed to lookup",
        "error trying to connect",
        "timed out",
        "connect error",
        "tcp connect",
    ];
    if network.iter().any(|n| l.contains(n)) {
        LoreError::Offline {
            host: crate::url::host(url),
            reason: chain,
        }
    } else {
        LoreError::Git {
            url: url.to_owned(),
            reason: chain,
        }
    }
}
