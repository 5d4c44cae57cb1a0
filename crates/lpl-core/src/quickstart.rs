//! The quickstart: the bundled sample of real linux-mm mail imported,
//! understood, searched and linked to the example roadmap, with no network.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use lpl_store::StoreStats;

use crate::error::{Error, Result};
use crate::event::Event;
use crate::import::{ImportOptions, ImportReport};
use crate::layout::Component;
use crate::notebook::Notebook;
use crate::notebook::check::{CheckReport, Stats};
use crate::series::{ChainItem, SeriesFilter, SeriesSummary};
use crate::workspace::{SearchOptions, Workspace};

/// The bundled sample: real linux-mm threads from lore's cgroups archive
/// (see sample/README.md).
pub const SAMPLE_MBOX: &[u8] = include_bytes!("../../../sample/linux-mm-sample.mbox");

/// The example notebook: the seed roadmap, repaired by `lpl notebook import`.
pub const ROADMAP: &[u8] = include_bytes!("../../../sample/roadmap.md");

/// The queries the quickstart shows off.
pub const QUERIES: [&str; 3] = [
    "dfn:mm/huge_memory.c",
    "dfhh:split_huge_page_to_list_to_order",
    "f:zi.yan s:\"lower order\" d:2024-01-01..",
];

/// What the quickstart did and found.
#[derive(Debug)]
pub struct Quickstart {
    /// The sample mbox, written into the home.
    pub sample: PathBuf,
    /// Its import.
    pub import: ImportReport,
    /// The archive after it.
    pub store: StoreStats,
    /// Threads in the archive.
    pub threads: usize,
    /// Series revisions in the archive.
    pub revisions: usize,
    /// The latest revision of each chain, newest first, with its chain.
    pub series: Vec<(SeriesSummary, Vec<ChainItem>)>,
    /// Each of [`QUERIES`]: matches in all and the newest hit's subject.
    pub searches: Vec<(String, usize, Option<String>)>,
    /// The example roadmap, written into the home.
    pub roadmap: PathBuf,
    /// Its topics.
    pub topics: usize,
    /// Its check against the archive.
    pub check: CheckReport,
    /// Its counts.
    pub stats: Stats,
}

fn write_if_changed(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).map(|b| b != bytes).unwrap_or(true) {
        std::fs::write(path, bytes).map_err(Error::io("write", path))?;
    }
    Ok(())
}

impl Workspace {
    /// Imports the bundled sample into this archive (harmless when run
    /// again: nothing is stored twice), then shows what lpl understood.
    pub fn quickstart(
        &mut self,
        now: i64,
        cancel: &AtomicBool,
        on: &mut dyn FnMut(&Event),
    ) -> Result<Quickstart> {
        let dir = self.layout().path(Component::Sample);
        std::fs::create_dir_all(&dir).map_err(Error::io("create", &dir))?;
        let sample = dir.join("linux-mm-sample.mbox");
        write_if_changed(&sample, SAMPLE_MBOX)?;
        let roadmap = dir.join("roadmap.md");
        write_if_changed(&roadmap, ROADMAP)?;
        let mut out = self.import(
            std::slice::from_ref(&sample),
            &ImportOptions::default(),
            cancel,
            on,
        )?;
        if let Some((_, e)) = out.failures.pop() {
            return Err(e);
        }
        let import = out.sources.pop().ok_or_else(Error::cancelled)?;
        let ov = self.overview()?;
        let (threads, revisions) = (ov.threads, ov.revisions);
        let list = self.series(&SeriesFilter::default())?;
        let mut series = Vec::with_capacity(list.len());
        for s in list {
            let chain = self.revisions(&s.message_id)?;
            series.push((s, chain));
        }
        let mut searches = Vec::new();
        for q in QUERIES {
            let res = self.search(
                q,
                &SearchOptions {
                    limit: 1,
                    by_date: true,
                    now,
                },
            )?;
            searches.push((
                q.to_owned(),
                res.total,
                res.hits.first().map(|h| h.subject.clone()),
            ));
        }
        let nb = Notebook::parse(ROADMAP.to_vec());
        let check = self.notebook_check(&nb, crate::notebook::Detail::Light)?;
        let stats = crate::notebook::check::stats(&nb, &check);
        Ok(Quickstart {
            sample,
            import,
            store: out.store,
            threads,
            revisions,
            series,
            searches,
            roadmap,
            topics: nb.topics().len(),
            check,
            stats,
        })
    }
}
