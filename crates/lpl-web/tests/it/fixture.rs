//! One archive per test binary (the first 6,000 messages of io-uring's
//! epoch 0), a notebook per test linking series of it, a server per test.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use lpl_core::series::SeriesFilter;
use lpl_core::{SearchOptions, Workspace};

/// The shared archive and what the tests look at in it.
pub struct Archive {
    _dir: tempfile::TempDir,
    pub home: PathBuf,
    /// A series with an earlier revision (cover Message-ID).
    pub multi: String,
    /// A patch with replies (Message-ID).
    pub replied_patch: String,
    /// The list name.
    pub list: &'static str,
}

pub fn archive() -> &'static Archive {
    static A: OnceLock<Archive> = OnceLock::new();
    A.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let epoch = lpl_testutil::corpus::epoch_prefix("io-uring", dir.path(), Some(6000));
        let home = dir.path().join("home");
        let mut ws = Workspace::open(&home).expect("workspace");
        ws.import(
            &[epoch],
            &Default::default(),
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .expect("import");
        let list = ws.series(&SeriesFilter::default()).expect("series");
        let multi = list
            .iter()
            .find(|s| s.revisions.len() >= 2 && s.revision >= 2 && s.has_cover && s.present >= 2)
            .expect("a series with two revisions")
            .message_id
            .clone();
        // A patch whose thread has a reply below it.
        let mut replied_patch = None;
        'outer: for s in list.iter().filter(|s| s.present >= 1).take(300) {
            let Ok(v) = ws.series_view(&s.message_id, None) else {
                continue;
            };
            for p in &v.patches {
                let t = ws.thread(&p.message_id).expect("thread");
                if let Some(k) = t.lines.iter().position(|l| l.message_id == p.message_id)
                    && t.lines
                        .get(k + 1)
                        .is_some_and(|n| n.depth > t.lines[k].depth)
                {
                    replied_patch = Some(p.message_id.clone());
                    break 'outer;
                }
            }
        }
        let _ = ws.search("s:io_uring", &SearchOptions::default());
        Archive {
            home,
            multi,
            replied_patch: replied_patch.expect("a patch with a reply"),
            list: "io-uring",
            _dir: dir,
        }
    })
}

/// A notebook in `dir` with a topic, the multi-revision series, the
/// replied patch's series and an open question: (path, bytes).
pub fn notebook(dir: &Path, a: &Archive) -> PathBuf {
    let ws = Workspace::open_read_only(&a.home).expect("ws");
    let line = |mid: &str| {
        let s = ws.series_view(mid, None).expect("series");
        let date = lpl_core::time::date(s.summary.date);
        format!(
            "- {date} [{}](https://lore.kernel.org/{}/{}/)",
            s.summary.subject.replace(['[', ']'], ""),
            a.list,
            s.summary.message_id
        )
    };
    let text = format!(
        "# roadmap\n\n## io_uring\n\n{}\n  - first note\n  - [ ] why this way?\n\n## replies\n\n{}\n",
        line(&a.multi),
        line(&a.replied_patch)
    );
    let p = dir.join("roadmap.md");
    std::fs::write(&p, text).expect("write notebook");
    p
}

/// A server on 127.0.0.1, port 0.
pub fn serve(a: &Archive, notebook: Option<PathBuf>) -> lpl_web::Running {
    lpl_web::Server::bind(lpl_web::Config {
        home: a.home.clone(),
        notebook,
        addr: "127.0.0.1:0".parse().expect("addr"),
        workers: 2,
    })
    .expect("bind")
    .spawn()
    .expect("spawn")
}
