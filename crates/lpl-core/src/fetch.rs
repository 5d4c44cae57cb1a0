//! `lpl fetch` and `lpl sync`: bring threads and whole lists from lore (or
//! a public-inbox mirror) into the store.
//!
//! Network access is [`lpl_lore`]'s; this module decides what to ask for,
//! hands the checked downloads to [`crate::import::import`] (which dedupes
//! by Message-ID and content, so fetching a thread again adds only what is
//! new) and remembers the registered lists in `lore.json` in the data
//! directory.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use lpl_lore::{Lore, LoreError, mirror};
use lpl_store::Store;

use crate::error::{Error, Invalid, Kept, NotFound};
use crate::event::Event;
use crate::import::{ImportOptions, ImportReport, import_indexed};
use crate::layout::{Component, Layout};
use crate::library::Library;
use crate::search::Indexer;
use crate::series::{SeriesSummary, summary};
use crate::show::resolve_message_id;

/// Settings and registered lists (`lore.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LoreConfig {
    /// Base URL for `lpl fetch` (default [`lpl_lore::DEFAULT_BASE_URL`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Lists kept mirrored by `lpl sync`.
    #[serde(default)]
    pub lists: Vec<SyncList>,
}

/// One list registered with `lpl sync --add`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SyncList {
    /// Short name (the mirror directory).
    pub name: String,
    /// The inbox URL (`https://lore.kernel.org/linux-mm`).
    pub url: String,
    /// Only epochs modified on or after this date (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

impl LoreConfig {
    /// Reads `lore.json` of `layout` (empty when missing).
    pub(crate) fn load(layout: &Layout) -> Result<LoreConfig, Error> {
        let path = layout.path(Component::LoreConfig);
        match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| {
                Invalid::LoreConfig {
                    path,
                    reason: e.to_string(),
                }
                .into()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(LoreConfig::default()),
            Err(e) => Err(Error::io("read", path)(e)),
        }
    }

    /// Writes `lore.json` of `layout` (atomically).
    pub(crate) fn save(&self, layout: &Layout) -> Result<(), Error> {
        let path = layout.path(Component::LoreConfig);
        let home = layout.home();
        std::fs::create_dir_all(home).map_err(Error::io("create", home))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = home.join(format!(".{name}.tmp"));
        let text = serde_json::to_string_pretty(self)
            .expect("the lore settings are plain data and always serialize");
        std::fs::write(&tmp, text + "\n").map_err(Error::io("write", &tmp))?;
        std::fs::rename(&tmp, &path).map_err(Error::io("write", &path))
    }
}

/// The outcome of fetching one thread or one search.
#[derive(Debug, Clone, Serialize)]
pub struct FetchReport {
    /// What was asked for, as given.
    pub request: String,
    /// The Message-ID it resolved to (thread fetches).
    pub message_id: Option<String>,
    /// The URL downloaded.
    pub url: String,
    /// Messages in the download.
    pub fetched: u64,
    /// Messages left out by `--limit`.
    pub dropped: u64,
    /// Served from the cache.
    pub from_cache: bool,
    /// New messages stored.
    pub imported: u64,
    /// Messages of the download already in the store: found again by
    /// Message-ID and content, or not even re-read because an earlier fetch
    /// of the same thread had read them (`fetched - imported - skipped`).
    pub deduplicated: u64,
    /// Messages skipped as broken.
    pub skipped: u64,
    /// The import in detail.
    pub import: ImportReport,
    /// Messages added to the search index (this fetch's, and any stored
    /// earlier but not indexed yet).
    pub indexed: u64,
    /// Series found in what was fetched.
    pub series: Vec<SeriesSummary>,
}

/// Where and how to ask lore.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct FetchOptions {
    /// The server (default: `lore.json`'s `base_url`, else
    /// [`lpl_lore::DEFAULT_BASE_URL`]).
    pub base_url: Option<String>,
    /// Ask again even when a fresh copy is cached.
    pub refresh: bool,
    /// The client's settings, whole (retries, pacing, timeouts, cache
    /// directory), instead of the defaults with `base_url`.
    pub client: Option<lpl_lore::Config>,
}

/// Builds a lore client from `lore.json`'s base URL (unless the options
/// override it), caching in the layout's lore cache.
pub(crate) fn client(layout: &Layout, o: &FetchOptions) -> Result<Lore, Error> {
    if let Some(c) = &o.client {
        return Ok(Lore::new(c.clone())?);
    }
    let cfg = LoreConfig::load(layout)?;
    let base = o
        .base_url
        .clone()
        .or(cfg.base_url)
        .unwrap_or_else(|| lpl_lore::DEFAULT_BASE_URL.to_owned());
    let mut c = lpl_lore::Config::new(base, layout.path(Component::LoreCache));
    if o.refresh {
        c.cache_ttl = std::time::Duration::ZERO;
    }
    Ok(Lore::new(c)?)
}

/// Fetches the thread of `arg` (a Message-ID, `<id>`, `id:...`, or a lore
/// or patch.msgid.link URL), imports it, and names the series in it.
pub(crate) fn fetch(
    store: &mut Store,
    lore: &Lore,
    arg: &str,
    opts: &ImportOptions,
    cancel: &AtomicBool,
    index: Option<&mut Indexer>,
    on_event: &mut dyn FnMut(&Event),
) -> Result<FetchReport, Error> {
    let mid = resolve_message_id(arg).ok_or_else(|| Invalid::MessageId {
        arg: arg.to_owned(),
    })?;
    on_event(&Event::Downloading {
        what: format!("<{}>", mid.as_str()),
    });
    let d = lore
        .thread(mid.as_str(), cancel)
        .map_err(Error::from_lore)?;
    let rep = import_indexed(store, &d.path, opts, cancel, index, &mut |e| {
        on_event(&Event::Import(e.clone()))
    })
    .map_err(|e| e.kept_as(&format!("<{}>", mid.as_str())))?;
    let lib = Library::load(store)?;
    let series = match lib.find_revision(mid.as_str()) {
        Ok(r) => vec![summary(&lib, r)],
        Err(_) => series_in(&lib, &d.path),
    };
    Ok(report(arg, Some(mid.as_str().to_owned()), &d, rep, series))
}

/// Runs a lore search (hits expanded to whole threads when `threads`),
/// imports at most `limit` messages of the answer. `Ok(None)` when nothing
/// matched.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fetch_query(
    store: &mut Store,
    lore: &Lore,
    query: &str,
    threads: bool,
    limit: Option<u64>,
    opts: &ImportOptions,
    cancel: &AtomicBool,
    index: Option<&mut Indexer>,
    on_event: &mut dyn FnMut(&Event),
) -> Result<Option<FetchReport>, Error> {
    on_event(&Event::Downloading {
        what: format!("search {query:?}"),
    });
    let Some(d) = lore
        .search(query, threads, limit, cancel)
        .map_err(Error::from_lore)?
    else {
        return Ok(None);
    };
    let rep = import_indexed(store, &d.path, opts, cancel, index, &mut |e| {
        on_event(&Event::Import(e.clone()))
    })
    .map_err(|e| e.kept_as(&format!("the search {query:?}")))?;
    let lib = Library::load(store)?;
    let series = series_in(&lib, &d.path);
    Ok(Some(report(query, None, &d, rep, series)))
}

fn report(
    request: &str,
    message_id: Option<String>,
    d: &lpl_lore::Download,
    rep: ImportReport,
    series: Vec<SeriesSummary>,
) -> FetchReport {
    FetchReport {
        request: request.to_owned(),
        message_id,
        url: d.url.clone(),
        fetched: d.messages,
        dropped: d.dropped,
        from_cache: d.from_cache,
        imported: rep.imported,
        // Found again by Message-ID and content, or not even re-read (an
        // earlier fetch of the same thread read them: the import resumed
        // after them). The download and the import count messages by one
        // rule (lpl_mail::mbox), so what was not read is the difference.
        deduplicated: rep.duplicates + rep.already + d.messages.saturating_sub(rep.read),
        skipped: rep.skipped.len() as u64,
        import: rep,
        indexed: 0,
        series,
    }
}

/// The series whose messages appear in the mbox at `path` (by the
/// Message-ID headers in it), in mbox order, at most 50.
fn series_in(lib: &Library, path: &Path) -> Vec<SeriesSummary> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for mid in mbox_message_ids(path) {
        if let Ok(r) = lib.find_revision(&mid)
            && !seen.contains(&r)
        {
            seen.push(r);
            out.push(summary(lib, r));
            if out.len() >= 50 {
                break;
            }
        }
    }
    out
}

/// Message-IDs of the messages of an mbox, split by the import's rule
/// (lpl_mail::mbox).
fn mbox_message_ids(path: &Path) -> Vec<String> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    lpl_mail::mbox::split(&bytes)
        .into_iter()
        .filter_map(|(_, raw)| lpl_mail::parse(&raw).message.message_id)
        .map(|m| m.as_str().to_owned())
        .collect()
}

/// Registers `url` under `name` (default: the URL's last path segment) for
/// `lpl sync`. Re-adding a name updates its URL and date.
pub(crate) fn sync_add(
    layout: &Layout,
    name: Option<&str>,
    url: &str,
    since: Option<&str>,
) -> Result<SyncList, Error> {
    lpl_lore::url::check(url)?;
    let url = lpl_lore::url::trim_base(url).to_owned();
    let name = match name {
        Some(n) => n.to_owned(),
        None => lpl_lore::url::inbox_name(&url)
            .ok_or_else(|| Invalid::UnnamedList { url: url.clone() })?,
    };
    // A list name names a directory and goes into messages and the
    // configuration: letters, digits and `-_.+@` only (a newline was
    // accepted before).
    let name_ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.+@".contains(c));
    if !name_ok {
        return Err(Invalid::ListName { name }.into());
    }
    if let Some(s) = since {
        crate::time::parse_day(s)?;
    }
    let mut cfg = LoreConfig::load(layout)?;
    let entry = SyncList {
        name: name.clone(),
        url,
        since: since.map(str::to_owned),
    };
    match cfg.lists.iter_mut().find(|l| l.name == name) {
        Some(l) => *l = entry.clone(),
        None => cfg.lists.push(entry.clone()),
    }
    cfg.save(layout)?;
    Ok(entry)
}

/// Removes a registered list (its mirror stays on disk).
pub(crate) fn sync_remove(layout: &Layout, name: &str) -> Result<SyncList, Error> {
    let mut cfg = LoreConfig::load(layout)?;
    let i = cfg
        .lists
        .iter()
        .position(|l| l.name == name)
        .ok_or_else(|| NotFound::SyncList {
            name: name.to_owned(),
        })?;
    let l = cfg.lists.remove(i);
    cfg.save(layout)?;
    Ok(l)
}

/// One epoch of a sync.
#[derive(Debug, Clone, Serialize)]
pub struct EpochReport {
    /// Its number.
    pub epoch: u32,
    /// Its URL.
    pub url: String,
    /// The local mirror.
    pub path: PathBuf,
    /// Cloned now (not fetched into an existing mirror).
    pub cloned: bool,
    /// Commits (messages) that arrived.
    pub fetched: u64,
    /// Items the import read (only what it had not read before).
    pub read: u64,
    /// New messages stored.
    pub imported: u64,
    /// Messages already in the store.
    pub deduplicated: u64,
    /// Broken messages skipped.
    pub skipped: u64,
    /// What failed, if anything (the other epochs go on).
    pub error: Option<String>,
}

/// One list of a sync.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// The list.
    pub list: SyncList,
    /// Epochs found on the server.
    pub epochs_found: u32,
    /// Epochs mirrored and imported.
    pub epochs: Vec<EpochReport>,
    /// Why the list could not be synced at all.
    pub error: Option<String>,
}

/// Mirrors and imports the registered lists (all, or those named in
/// `only`), into `mirrors/NAME/git/N.git`. A failing list or epoch is
/// reported and the others go on.
/// What a sync needs besides the store: where, from whom, how.
pub(crate) struct SyncContext<'a> {
    pub(crate) layout: &'a Layout,
    pub(crate) lore: &'a Lore,
    pub(crate) mirror: &'a mirror::MirrorOptions,
    pub(crate) import: &'a ImportOptions,
    pub(crate) cancel: &'a AtomicBool,
}

/// Mirrors and imports the registered lists (all, or those named in
/// `only`), into the layout's mirrors. A failing list or epoch is reported
/// and the others go on.
pub(crate) fn sync(
    store: &mut Store,
    cx: &SyncContext<'_>,
    only: &[String],
    mut index: Option<&mut Indexer>,
    on_event: &mut dyn FnMut(&Event),
) -> Result<Vec<SyncReport>, Error> {
    let cfg = LoreConfig::load(cx.layout)?;
    for n in only {
        if !cfg.lists.iter().any(|l| &l.name == n) {
            return Err(NotFound::SyncList { name: n.clone() }.into());
        }
    }
    let mut out: Vec<SyncReport> = Vec::new();
    for list in cfg
        .lists
        .iter()
        .filter(|l| only.is_empty() || only.contains(&l.name))
    {
        match sync_list(store, cx, list, index.as_deref_mut(), on_event) {
            Ok(r) => out.push(r),
            Err(e) => {
                let mut earlier = Kept::default();
                for ep in out.iter().flat_map(|r| &r.epochs) {
                    earlier.add(ep.url.clone(), ep.imported);
                }
                return Err(e.kept_after(earlier));
            }
        }
    }
    Ok(out)
}

/// What the epochs synced so far stored.
fn kept_in(rep: &SyncReport) -> Kept {
    let mut k = Kept::default();
    for ep in &rep.epochs {
        k.add(ep.url.clone(), ep.imported);
    }
    k
}

fn sync_list(
    store: &mut Store,
    cx: &SyncContext<'_>,
    list: &SyncList,
    mut index: Option<&mut Indexer>,
    on_event: &mut dyn FnMut(&Event),
) -> Result<SyncReport, Error> {
    let (lore, cancel) = (cx.lore, cx.cancel);
    let mut rep = SyncReport {
        list: list.clone(),
        epochs_found: 0,
        epochs: Vec::new(),
        error: None,
    };
    let epochs = match lore.epochs(&list.url, cancel) {
        Ok(e) => e,
        Err(LoreError::Cancelled) => return Err(Error::cancelled()),
        Err(e) => {
            rep.error = Some(e.to_string());
            return Ok(rep);
        }
    };
    rep.epochs_found = epochs.len() as u32;
    let since = list
        .since
        .as_deref()
        .map(crate::time::parse_day)
        .transpose()?;
    let last = epochs.iter().map(|e| e.n).max();
    for ep in epochs {
        // An epoch last modified before --since holds nothing newer; the
        // newest epoch is always kept (its date may be unknown).
        if let (Some(s), Some(m)) = (since, ep.modified)
            && m < s
            && Some(ep.n) != last
        {
            continue;
        }
        let path = cx.layout.mirror_epoch(&list.name, ep.n);
        on_event(&Event::Mirroring {
            list: list.name.clone(),
            url: ep.url.clone(),
        });
        let mut er = EpochReport {
            epoch: ep.n,
            url: ep.url.clone(),
            path: path.clone(),
            cloned: false,
            fetched: 0,
            read: 0,
            imported: 0,
            deduplicated: 0,
            skipped: 0,
            error: None,
        };
        match mirror::mirror_epoch(&ep.url, &path, cx.mirror, cancel) {
            Ok(m) => {
                er.cloned = m.cloned;
                er.fetched = m.new_commits;
            }
            Err(LoreError::Cancelled) => return Err(Error::cancelled().kept_after(kept_in(&rep))),
            Err(e) => er.error = Some(e.to_string()),
        }
        // Import even after a failed fetch: what an earlier sync brought may
        // not have been imported yet (the cursor makes this cheap).
        if path.join("refs").is_dir() {
            match import_indexed(
                store,
                &path,
                cx.import,
                cancel,
                index.as_deref_mut(),
                &mut |e| on_event(&Event::Import(e.clone())),
            ) {
                Ok(r) => {
                    er.read = r.read;
                    er.imported = r.imported;
                    er.deduplicated = r.duplicates + r.already;
                    er.skipped = r.skipped.len() as u64;
                }
                Err(e @ Error::Cancelled { .. }) => {
                    return Err(e.kept_as(&ep.url).kept_after(kept_in(&rep)));
                }
                Err(e) => {
                    let msg = e.to_string();
                    er.error = Some(match er.error.take() {
                        Some(prev) => format!("{prev}; import: {msg}"),
                        None => format!("import: {msg}"),
                    });
                }
            }
        }
        rep.epochs.push(er);
    }
    Ok(rep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_roundtrip_and_names() {
        let d = tempfile::tempdir().expect("tempdir");
        let layout = Layout::new(d.path());
        let l = sync_add(
            &layout,
            None,
            "https://lore.kernel.org/linux-mm/",
            Some("2024-01-01"),
        )
        .expect("add");
        assert_eq!(
            (l.name.as_str(), l.url.as_str()),
            ("linux-mm", "https://lore.kernel.org/linux-mm")
        );
        sync_add(
            &layout,
            Some("mm"),
            "https://lore.kernel.org/linux-mm",
            None,
        )
        .expect("add");
        sync_add(&layout, Some("mm"), "https://mirror.example/linux-mm", None).expect("update");
        let cfg = LoreConfig::load(&layout).expect("load");
        assert_eq!(cfg.lists.len(), 2);
        assert_eq!(cfg.lists[1].url, "https://mirror.example/linux-mm");
        assert!(sync_add(&layout, Some("../x"), "https://h/x", None).is_err());
        // Issue 20: a newline in a list name was accepted.
        for bad in ["a\nb", "a b", "x\0", ".hidden", "ü"] {
            assert!(
                sync_add(&layout, Some(bad), "https://h/x", None).is_err(),
                "{bad:?}"
            );
        }
        assert!(sync_add(&layout, Some("ok"), "https://h/x\ny", None).is_err());
        assert!(sync_add(&layout, Some("linux-mm.2+x@y_z"), "https://h/x", None).is_ok());
        assert!(sync_add(&layout, None, "https://h", None).is_err());
        assert!(sync_add(&layout, None, "https://h/x", Some("2024-13-01")).is_err());
        assert!(sync_remove(&layout, "nope").is_err());
        sync_remove(&layout, "mm").expect("remove");
        std::fs::write(layout.path(Component::LoreConfig), "{").expect("write");
        assert!(matches!(
            LoreConfig::load(&layout),
            Err(Error::Invalid(Invalid::LoreConfig { .. }))
        ));
    }
}
