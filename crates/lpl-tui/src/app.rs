//! The application state and what each key does. No terminal here: the
//! state is drawn by [`crate::draw`] and fed keys by [`crate::term`] (or by
//! a test).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use lpl_core::notebook::check::CheckReport;
use lpl_core::notebook::edit::{self, NoteTarget, PatchRef};
use lpl_core::notebook::{Notebook, Progress, fsio};
use lpl_core::reply::ReplyOptions;
use lpl_core::search::SearchResults;
use lpl_core::series::SeriesSummary;
use lpl_core::show::MessageView;
use lpl_core::types::{Address, SeriesStatus};
use lpl_core::{Reply, SeriesShown, ThreadView, Workspace};

use crate::rows::{self, Row, Target};
use crate::theme::Theme;
use crate::worker::{Answer, EditJob, Query, SERIES_PAGE, SeriesPage, Worker};

/// How `lpl tui` starts.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// The notebook (roadmap) file, when one is configured.
    pub notebook: Option<PathBuf>,
    /// Colours (false under `NO_COLOR`).
    pub color: bool,
    /// The browser to open lore and commit pages with (`$BROWSER`); the
    /// URL is shown on the status line either way.
    pub browser: Option<String>,
    /// Where `a` writes the `git am` mbox and `r` the draft of a reply
    /// (the current directory).
    pub am_dir: PathBuf,
    /// Who replies with `r` (`lpl reply`'s identity); `None`: `r` says how
    /// to set one.
    pub reply_from: Option<Address>,
    /// The editor `r` opens the draft in (run through `sh -c`, as git
    /// runs its editor); `None`: the draft is only written.
    pub editor: Option<String>,
}

impl Options {
    /// Options for `notebook` (or none), colours on, no browser, mboxes
    /// written to `am_dir`.
    pub fn new(notebook: Option<PathBuf>, am_dir: PathBuf) -> Options {
        Options {
            notebook,
            color: true,
            browser: None,
            am_dir,
            reply_from: None,
            editor: None,
        }
    }

    /// Who replies, and the editor the draft opens in.
    pub fn reply(mut self, from: Option<Address>, editor: Option<String>) -> Options {
        self.reply_from = from;
        self.editor = editor;
        self
    }

    /// Colours on or off.
    pub fn color(mut self, on: bool) -> Options {
        self.color = on;
        self
    }

    /// The browser command (`$BROWSER`).
    pub fn browser(mut self, b: Option<String>) -> Options {
        self.browser = b;
        self
    }
}

/// Which view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Roadmap,
    SeriesList,
    Series(String),
    Message(String),
    Thread(String),
    /// The range-diff into revision `.1` (default: the newest) of the
    /// series `.0` names, from the revision before it.
    Diff(String, Option<u32>),
    Search(String),
    Upstream(String),
}

/// What a view shows, once loaded.
#[derive(Debug)]
pub(crate) enum Data {
    Loading,
    Failed(String),
    Roadmap,
    SeriesList(SeriesPages),
    Series(Box<SeriesShown>),
    Message(Vec<MessageView>, Vec<Reply>),
    Thread(ThreadView),
    Diff(String),
    Search(SearchResults),
    Upstream(SeriesStatus),
}

/// The series list as read so far: its pages are read as the cursor
/// nears their end, and again from the first when the filter changes.
#[derive(Debug, Default)]
pub(crate) struct SeriesPages {
    /// The filter the rows were read with (words of the title or author).
    pub filter: String,
    /// The rows read, newest first.
    pub items: Vec<SeriesSummary>,
    /// More rows may follow (the last page read was full).
    pub more: bool,
    /// A page is being read.
    pub loading: bool,
}

impl SeriesPages {
    /// Takes a page in: the first of a filter replaces the rows, the next
    /// one appends; another filter's, or one already read, is dropped.
    fn take(&mut self, p: SeriesPage) {
        if p.filter != self.filter && p.offset > 0 {
            return;
        }
        if p.offset == 0 {
            self.filter = p.filter;
            self.items.clear();
        } else if p.offset != self.items.len() {
            return;
        }
        self.more = p.items.len() == SERIES_PAGE;
        self.items.extend(p.items);
    }
}

/// Rows of the series list left below the cursor when the next page is
/// asked for.
const SERIES_AHEAD: usize = 100;

/// The filter as the archive is asked it: its words, one space apart.
fn filter_words(typed: &str) -> String {
    typed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What is being read: what notes and marks apply to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ctx {
    /// The notebook entry, when the way here started at one.
    pub entry: Option<usize>,
    /// Message-IDs of the series' revisions (key messages), when known.
    pub series: Vec<String>,
    /// The message, when one is read.
    pub message: Option<String>,
    /// The patch counter and subject, when a patch is read.
    pub patch: Option<(u32, String)>,
}

pub(crate) struct View {
    pub kind: Kind,
    pub data: Data,
    pub rows: Vec<Row>,
    pub cursor: usize,
    pub top: usize,
    pub ctx: Ctx,
    pub find: Option<String>,
    pub filter: String,
    pub expanded: HashSet<usize>,
    pub notes: bool,
}

impl View {
    fn new(kind: Kind, ctx: Ctx) -> View {
        View {
            kind,
            data: Data::Loading,
            rows: Vec::new(),
            cursor: 0,
            top: 0,
            ctx,
            find: None,
            filter: String::new(),
            expanded: HashSet::new(),
            notes: true,
        }
    }

    pub(crate) fn title(&self) -> String {
        match &self.kind {
            Kind::Roadmap => "roadmap".into(),
            Kind::SeriesList => "series".into(),
            Kind::Series(_) => match &self.data {
                Data::Series(s) => {
                    format!("series {} v{}", s.view.summary.id, s.view.summary.revision)
                }
                _ => "series".into(),
            },
            Kind::Message(_) => "message".into(),
            Kind::Thread(_) => "thread".into(),
            Kind::Diff(..) => "range-diff".into(),
            Kind::Search(q) => format!("search {}", crate::sanitize::clean(q)),
            Kind::Upstream(_) => "upstream".into(),
        }
    }
}

/// The notebook as read, and its check against the archive.
pub(crate) struct NbState {
    pub loaded: fsio::Loaded,
    pub nb: Notebook,
    pub check: Option<CheckReport>,
}

/// What a text prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PromptKind {
    Note,
    Question,
    Find,
    Filter,
    Search,
}

pub(crate) struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

impl Prompt {
    pub(crate) fn label(&self) -> &'static str {
        match self.kind {
            PromptKind::Note => "note: ",
            PromptKind::Question => "question: ",
            PromptKind::Find => "/",
            PromptKind::Filter => "filter: ",
            PromptKind::Search => "search (lei query): ",
        }
    }
}

/// A message on the status line.
pub(crate) struct Status {
    pub text: String,
    pub error: bool,
}

enum Waiting {
    View(u64),
    /// Another page of the series list of view `.0` (by its sequence).
    SeriesPage(u64),
    Notebook,
    Edit,
    Am,
    Reply,
}

/// The whole state of the terminal UI.
pub struct App {
    pub(crate) opts: Options,
    pub(crate) theme: Theme,
    worker: Worker,
    seq: u64,
    pub(crate) views: Vec<View>,
    view_seq: Vec<u64>,
    waiting: HashMap<u64, Waiting>,
    pub(crate) nb: Option<NbState>,
    pub(crate) nb_error: Option<String>,
    pub(crate) status: Option<Status>,
    pub(crate) prompt: Option<Prompt>,
    pub(crate) help: bool,
    pub(crate) quit: bool,
    /// Body height at the last draw (for page keys).
    pub(crate) page: usize,
    /// Set when something changed since the last draw.
    pub(crate) dirty: bool,
    /// A file to open in the editor (the draft `r` wrote), taken by the
    /// terminal loop, which leaves the screen to the editor meanwhile.
    edit_file: Option<PathBuf>,
}

impl App {
    /// The app over `ws` (moved to the worker thread), starting on the
    /// roadmap when a notebook is named, else on the series list.
    pub fn new(ws: Workspace, opts: Options) -> App {
        let theme = Theme::new(opts.color);
        let mut app = App {
            theme,
            worker: Worker::start(ws),
            seq: 0,
            views: Vec::new(),
            view_seq: Vec::new(),
            waiting: HashMap::new(),
            nb: None,
            nb_error: None,
            status: None,
            prompt: None,
            help: false,
            quit: false,
            page: 20,
            dirty: true,
            edit_file: None,
            opts,
        };
        match app.opts.notebook.clone() {
            Some(p) => {
                app.views.push(View::new(Kind::Roadmap, Ctx::default()));
                app.view_seq.push(u64::MAX);
                app.ask(Waiting::Notebook, Query::Notebook(p));
            }
            None => app.open(Kind::SeriesList, Ctx::default()),
        }
        app
    }

    /// Whether the user asked to quit.
    pub fn quitting(&self) -> bool {
        self.quit
    }

    /// Rows of the current view.
    pub fn rows(&self) -> usize {
        self.view().map_or(0, |v| v.rows.len())
    }

    /// Views on the stack (1: the first view).
    pub fn depth(&self) -> usize {
        self.views.len()
    }

    /// Whether any answer is still awaited.
    pub fn busy(&self) -> bool {
        !self.waiting.is_empty()
    }

    fn ask(&mut self, w: Waiting, q: Query) -> u64 {
        self.seq += 1;
        self.waiting.insert(self.seq, w);
        self.worker.send(self.seq, q);
        self.seq
    }

    fn open(&mut self, kind: Kind, ctx: Ctx) {
        let q = match &kind {
            Kind::Roadmap => {
                // Back to the roadmap already at the bottom of the stack.
                if let Some(i) = self.views.iter().position(|v| v.kind == Kind::Roadmap) {
                    self.views.truncate(i + 1);
                    self.view_seq.truncate(i + 1);
                    return;
                }
                match self.opts.notebook.clone() {
                    Some(p) => {
                        self.views.push(View::new(Kind::Roadmap, ctx));
                        self.view_seq.push(u64::MAX);
                        self.ask(Waiting::Notebook, Query::Notebook(p));
                        return;
                    }
                    None => {
                        self.say_error(
                            "no roadmap: name one with `lpl tui FILE` or `lpl notebook use FILE`",
                        );
                        return;
                    }
                }
            }
            Kind::SeriesList => Query::SeriesList {
                filter: String::new(),
                offset: 0,
            },
            Kind::Series(a) => Query::Series(a.clone()),
            Kind::Message(a) => Query::Message(a.clone()),
            Kind::Thread(a) => Query::Thread(a.clone()),
            Kind::Diff(a, new) => Query::Diff {
                arg: a.clone(),
                new: *new,
            },
            Kind::Search(q) => Query::Search(q.clone()),
            Kind::Upstream(a) => Query::Upstream(a.clone()),
        };
        let id = self.seq + 1;
        self.views.push(View::new(kind, ctx));
        self.view_seq.push(id);
        self.ask(Waiting::View(id), q);
        self.dirty = true;
    }

    fn say(&mut self, s: impl Into<String>) {
        self.status = Some(Status {
            text: s.into(),
            error: false,
        });
        self.dirty = true;
    }

    fn say_error(&mut self, s: impl Into<String>) {
        self.status = Some(Status {
            text: s.into(),
            error: true,
        });
        self.dirty = true;
    }

    /// Applies every answer that has arrived; true when any did.
    pub fn poll(&mut self) -> bool {
        let mut any = false;
        while let Ok((seq, a)) = self.worker.answers().try_recv() {
            self.apply(seq, a);
            any = true;
        }
        any
    }

    /// Waits up to `timeout` for answers until none is awaited (tests and
    /// the benchmark).
    pub fn settle(&mut self, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while self.busy() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.worker.answers().recv_timeout(left) {
                Ok((seq, a)) => self.apply(seq, a),
                Err(_) => return false,
            }
        }
        true
    }

    /// Waits up to `timeout` for the next answer (the terminal loop).
    pub(crate) fn wait(&mut self, timeout: Duration) -> bool {
        match self.worker.answers().recv_timeout(timeout) {
            Ok((seq, a)) => {
                self.apply(seq, a);
                self.poll();
                true
            }
            Err(_) => false,
        }
    }

    fn apply(&mut self, seq: u64, a: Answer) {
        self.dirty = true;
        // The notebook answers twice (the file, then its check).
        let w = match &a {
            Answer::Notebook(_) => self.waiting.get(&seq).map(|_| Waiting::Notebook),
            _ => self.waiting.remove(&seq),
        };
        let Some(w) = w else { return };
        match (w, a) {
            (Waiting::Notebook, Answer::Notebook(r)) => match r {
                Ok((loaded, nb)) => {
                    self.nb = Some(NbState {
                        loaded,
                        nb,
                        check: None,
                    });
                    self.nb_error = None;
                    self.rebuild_roadmap();
                }
                Err(e) => {
                    self.waiting.remove(&seq);
                    self.nb_error = Some(e.clone());
                    self.say_error(format!("roadmap: {e}"));
                    self.rebuild_roadmap();
                }
            },
            (Waiting::Notebook, Answer::Check(r)) => {
                match r {
                    Ok(c) => {
                        if let Some(s) = self.nb.as_mut() {
                            s.check = Some(c);
                        }
                    }
                    Err(e) => self.say_error(format!("roadmap check: {e}")),
                }
                self.rebuild_roadmap();
            }
            (Waiting::View(id), a) => {
                let Some(i) = self.view_seq.iter().position(|&s| s == id) else {
                    return;
                };
                let data = match a {
                    Answer::SeriesList(r) => r.map(|p| {
                        let mut pages = SeriesPages::default();
                        pages.take(p);
                        Data::SeriesList(pages)
                    }),
                    Answer::Series(r) => r.map(Data::Series),
                    Answer::Message(r) => r.map(|(m, rep)| Data::Message(m, rep)),
                    Answer::Thread(r) => r.map(Data::Thread),
                    Answer::Diff(r) => r.map(Data::Diff),
                    Answer::Search(r) => r.map(Data::Search),
                    Answer::Upstream(r) => r.map(Data::Upstream),
                    _ => Err("unexpected answer".into()),
                };
                let v = &mut self.views[i];
                v.data = data.unwrap_or_else(Data::Failed);
                self.learn_ctx(i);
                self.rebuild(i);
                self.place_cursor(i);
            }
            (Waiting::SeriesPage(id), Answer::SeriesList(r)) => {
                let Some(i) = self.view_seq.iter().position(|&s| s == id) else {
                    return;
                };
                let v = &mut self.views[i];
                let Data::SeriesList(pages) = &mut v.data else {
                    return;
                };
                match r {
                    Ok(p) => {
                        let last = p.filter == filter_words(&v.filter);
                        pages.take(p);
                        // Still loading while the filter typed since has
                        // its page to come.
                        pages.loading = !last;
                    }
                    Err(e) => {
                        pages.loading = false;
                        pages.more = false;
                        self.say_error(format!("series: {e}"));
                    }
                }
                self.rebuild(i);
                self.more_series();
            }
            (Waiting::Edit, Answer::Edited(r)) => match r {
                Ok((loaded, backup, change)) => {
                    let path = loaded.path.clone();
                    self.say(format!(
                        "{} (previous version: {})",
                        crate::sanitize::clean(change.trim_end()),
                        backup.display()
                    ));
                    // Re-read and re-check what was written.
                    self.ask(Waiting::Notebook, Query::Notebook(path));
                }
                Err(e) => self.say_error(format!(
                    "not written: {e} (Ctrl-R reloads the roadmap as it is on disk)"
                )),
            },
            (Waiting::Reply, Answer::Reply(r)) => match r {
                Ok((path, reply)) => {
                    let to: Vec<String> = reply.to.iter().map(Address::display).collect();
                    self.say(format!(
                        "wrote {} ({} to {}{}); send it with: git send-email {}",
                        path.display(),
                        crate::sanitize::clean(&reply.subject),
                        crate::sanitize::clean(&to.join(", ")),
                        if reply.cc.is_empty() {
                            String::new()
                        } else {
                            format!(", Cc {} more", reply.cc.len())
                        },
                        path.display()
                    ));
                    if self.opts.editor.is_some() {
                        self.edit_file = Some(path);
                    }
                }
                Err(e) => self.say_error(format!("reply: {e}")),
            },
            (Waiting::Am, Answer::Am(r)) => match r {
                Ok((path, n)) => self.say(format!(
                    "wrote {n} patches to {} (apply with: git am {})",
                    path.display(),
                    path.display()
                )),
                Err(e) => self.say_error(format!("am: {e}")),
            },
            _ => {}
        }
    }

    /// Fills the view's context from what it loaded (the series' revisions,
    /// the patch read).
    fn learn_ctx(&mut self, i: usize) {
        let v = &mut self.views[i];
        match &v.data {
            Data::Series(s) => {
                v.ctx.series = s.view.chain.iter().map(|c| c.message_id.clone()).collect();
                v.ctx.message = Some(s.view.summary.message_id.clone());
            }
            Data::Message(m, _) => {
                if let Some(m) = m.first() {
                    v.ctx.message = Some(m.message_id.clone());
                    if m.patch.is_some()
                        && let Some(c) = m.tags.counter.filter(|&c| c > 0)
                    {
                        v.ctx.patch = Some((c, m.subject.clone()));
                    }
                }
            }
            _ => {}
        }
    }

    fn place_cursor(&mut self, i: usize) {
        let v = &mut self.views[i];
        if let Data::Thread(t) = &v.data
            && let Some(at) = t.lines.iter().position(|l| l.message_id == t.focus)
        {
            v.cursor = at;
        }
        v.cursor = v.cursor.min(v.rows.len().saturating_sub(1));
    }

    fn rebuild_roadmap(&mut self) {
        if let Some(i) = self.views.iter().position(|v| v.kind == Kind::Roadmap) {
            self.views[i].data = match (&self.nb, &self.nb_error) {
                (_, Some(e)) => Data::Failed(e.clone()),
                (Some(_), None) => Data::Roadmap,
                (None, None) => Data::Loading,
            };
            self.rebuild(i);
        }
    }

    /// Rebuilds the rows of view `i` from its data.
    pub(crate) fn rebuild(&mut self, i: usize) {
        let t = self.theme;
        let v = &mut self.views[i];
        v.rows = match &v.data {
            Data::Loading | Data::Failed(_) => Vec::new(),
            Data::Roadmap => match &self.nb {
                Some(s) => rows::roadmap(&s.nb, s.check.as_ref(), v.notes, &t),
                None => Vec::new(),
            },
            Data::SeriesList(p) => rows::series_list(
                &p.items,
                // The rows read with another filter than the one typed
                // (its page still to come) are filtered here meanwhile.
                (p.filter != filter_words(&v.filter)).then_some(v.filter.as_str()),
                !v.filter.trim().is_empty(),
                p.more,
                &t,
            ),
            Data::Series(s) => rows::series(s, &v.expanded, &t),
            Data::Message(m, r) => rows::message(m, r, &v.expanded, &t),
            Data::Thread(th) => rows::thread(th, &t),
            Data::Diff(d) => rows::range_diff(d, &t),
            Data::Search(r) => rows::search(
                r,
                match &v.kind {
                    Kind::Search(q) => q,
                    _ => "",
                },
                &t,
            ),
            Data::Upstream(s) => rows::upstream(s, &t),
        };
        v.cursor = v.cursor.min(v.rows.len().saturating_sub(1));
        self.dirty = true;
    }

    pub(crate) fn view(&self) -> Option<&View> {
        self.views.last()
    }

    fn target(&self) -> Target {
        self.view()
            .and_then(|v| v.rows.get(v.cursor))
            .map_or(Target::None, |r| r.target.clone())
    }

    /// The context of what is under the cursor.
    fn here(&self) -> Ctx {
        let Some(v) = self.view() else {
            return Ctx::default();
        };
        let mut c = v.ctx.clone();
        match (&v.kind, self.target()) {
            (Kind::Roadmap, Target::Entry(e)) => {
                c.entry = Some(e);
                c.series = self.entry_series(e);
                c.message = c.series.last().cloned();
            }
            (_, Target::Series(s)) => {
                c.series = Vec::new();
                c.message = Some(s);
                c.patch = None;
            }
            (Kind::Series(_), Target::Message(m)) => {
                if let Data::Series(s) = &v.data
                    && let Some(p) = s.view.patches.iter().find(|p| p.message_id == m)
                {
                    c.patch = Some((p.counter, p.subject.clone()));
                }
                c.message = Some(m);
            }
            (Kind::Thread(_) | Kind::Search(_) | Kind::Message(_), Target::Message(m)) => {
                c.message = Some(m);
                c.patch = None;
            }
            _ => {}
        }
        c
    }

    /// Message-IDs of the revisions the check found for entry `e`.
    fn entry_series(&self, e: usize) -> Vec<String> {
        self.nb
            .as_ref()
            .and_then(|s| s.check.as_ref())
            .and_then(|c| c.entries.iter().find(|x| x.entry == e))
            .and_then(|x| x.series.as_ref())
            .map(|s| {
                let mut v: Vec<String> = s
                    .revisions
                    .iter()
                    .map(|r| r.message_id.as_str().to_owned())
                    .collect();
                // The matched revision last: it is what Enter opens.
                v.retain(|m| m != s.message_id.as_str());
                v.push(s.message_id.as_str().to_owned());
                v
            })
            .unwrap_or_default()
    }

    /// The notebook entry about what `c` reads: the one the way here
    /// started at, else the one whose series (any revision) or link is it.
    fn entry_for(&self, c: &Ctx) -> Result<usize, String> {
        if let Some(e) = c.entry {
            return Ok(e);
        }
        let s = self
            .nb
            .as_ref()
            .ok_or("no roadmap loaded: name one with `lpl tui FILE` or `lpl notebook use FILE`")?;
        let ids: Vec<&str> = c
            .series
            .iter()
            .map(String::as_str)
            .chain(c.message.as_deref())
            .collect();
        if let Some(check) = &s.check {
            for x in &check.entries {
                if let Some(sv) = &x.series {
                    let hit = sv
                        .revisions
                        .iter()
                        .any(|r| ids.contains(&r.message_id.as_str()))
                        || sv
                            .patches
                            .iter()
                            .any(|p| ids.contains(&p.message_id.as_str()));
                    if hit {
                        return Ok(x.entry);
                    }
                }
            }
        }
        for id in &ids {
            if let Ok(e) = lpl_core::notebook::select::find_entry(&s.nb, id, None) {
                return Ok(e);
            }
        }
        Err(
            "no roadmap entry links this series: add one with `lpl notebook add ID --topic T`"
                .into(),
        )
    }

    fn edit(
        &mut self,
        f: impl FnOnce(&Notebook, usize, &Ctx) -> Result<edit::Edit, edit::EditError>,
    ) {
        if self
            .waiting
            .values()
            .any(|w| matches!(w, Waiting::Edit | Waiting::Notebook))
        {
            self.say_error("the roadmap is being read or written: try again in a moment");
            return;
        }
        let c = self.here();
        let e = match self.entry_for(&c) {
            Ok(e) => e,
            Err(m) => return self.say_error(m),
        };
        let Some(s) = &self.nb else { return };
        match f(&s.nb, e, &c) {
            Ok(ed) => {
                let job = EditJob {
                    loaded: s.loaded.clone(),
                    bytes: ed.bytes.clone(),
                    summary: ed.to_string(),
                };
                self.ask(Waiting::Edit, Query::Edit(job));
                self.say("writing the roadmap…");
            }
            Err(err) => self.say_error(err.to_string()),
        }
    }

    fn mark(&mut self, p: Progress) {
        self.edit(|nb, e, c| match &c.patch {
            Some((counter, subject)) => edit::set_patch_status(
                nb,
                e,
                &PatchRef {
                    counter: *counter,
                    subject: Some(subject.clone()),
                },
                p,
            ),
            None => edit::set_status(nb, e, p),
        });
    }

    fn open_url(&mut self, url: String) {
        let shown = crate::sanitize::clean(&url);
        match self.opts.browser.clone().filter(|b| !b.is_empty()) {
            Some(b) => {
                let spawned = std::process::Command::new(&b)
                    .arg(&url)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn();
                match spawned {
                    Ok(_) => self.say(format!("opened {shown}")),
                    Err(e) => self.say_error(format!("{b}: {e}; the URL: {shown}")),
                }
            }
            None => self.say(shown),
        }
    }

    /// Handles one key.
    pub fn key(&mut self, k: KeyEvent) {
        self.handle_key(k);
        // The series list reads its next page as the cursor nears the end.
        self.more_series();
    }

    fn handle_key(&mut self, k: KeyEvent) {
        self.dirty = true;
        if self.prompt.is_some() {
            return self.prompt_key(k);
        }
        if self.help {
            self.help = false;
            return;
        }
        self.status = None;
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let page = self.page.max(1);
        match k.code {
            KeyCode::Char('c') if ctrl => self.quit = true,
            KeyCode::Char('r') if ctrl => {
                if let Some(p) = self.opts.notebook.clone() {
                    self.ask(Waiting::Notebook, Query::Notebook(p));
                    self.say("reading the roadmap again…");
                }
            }
            KeyCode::Char('f') if ctrl => self.move_by(page as isize),
            KeyCode::Char('b') if ctrl => self.move_by(-(page as isize)),
            KeyCode::Char('d') if ctrl => self.move_by((page / 2).max(1) as isize),
            KeyCode::Char('u') if ctrl => self.move_by(-((page / 2).max(1) as isize)),
            KeyCode::Char('q') | KeyCode::Esc | KeyCode::Left | KeyCode::Char('h') => {
                if self.views.len() > 1 {
                    self.views.pop();
                    self.view_seq.pop();
                } else if k.code == KeyCode::Char('q') {
                    self.quit = true;
                }
            }
            KeyCode::Char('Q') => self.quit = true,
            KeyCode::Char('?') => self.help = true,
            KeyCode::Char('j') | KeyCode::Down => self.move_by(1),
            KeyCode::Char('k') | KeyCode::Up => self.move_by(-1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.move_by(page as isize),
            KeyCode::PageUp | KeyCode::Char('b') => self.move_by(-(page as isize)),
            KeyCode::Char('g') | KeyCode::Home => self.move_to(0),
            KeyCode::Char('G') | KeyCode::End => self.move_to(usize::MAX),
            KeyCode::Tab => self.section(true),
            KeyCode::BackTab => self.section(false),
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => self.enter(),
            KeyCode::Char('/') => {
                let kind = match self.view().map(|v| &v.kind) {
                    Some(Kind::SeriesList | Kind::Search(_)) => PromptKind::Search,
                    _ => PromptKind::Find,
                };
                self.prompt = Some(Prompt {
                    kind,
                    text: String::new(),
                });
            }
            KeyCode::Char('f') => {
                if matches!(self.view().map(|v| &v.kind), Some(Kind::SeriesList)) {
                    let text = self.view().map(|v| v.filter.clone()).unwrap_or_default();
                    self.prompt = Some(Prompt {
                        kind: PromptKind::Filter,
                        text,
                    });
                } else {
                    self.say_error("f filters the series list (s opens it)");
                }
            }
            KeyCode::Char('n') => self.find_next(true),
            KeyCode::Char('N') => self.find_next(false),
            KeyCode::Char('s') => self.open(Kind::SeriesList, Ctx::default()),
            KeyCode::Char('R') => self.open(Kind::Roadmap, Ctx::default()),
            KeyCode::Char('z') => self.toggle_fold(true),
            KeyCode::Char('t') => match self.here().message {
                Some(m) => {
                    let c = self.here();
                    self.open(Kind::Thread(m), c)
                }
                None => self.say_error("no message here"),
            },
            KeyCode::Char('S') => match self.here().message {
                Some(m) => {
                    let mut c = self.here();
                    c.patch = None;
                    self.open(Kind::Series(m), c)
                }
                None => self.say_error("no message here"),
            },
            KeyCode::Char('d') => match self.series_arg() {
                Some(a) => {
                    let c = self.here();
                    let new = match (self.target(), self.view().map(|v| &v.data)) {
                        (Target::Series(_), _) => None,
                        (_, Some(Data::Series(s))) => Some(s.view.summary.revision),
                        _ => None,
                    };
                    // From a revision row: that revision against the one before.
                    let new = match (self.target(), self.view().map(|v| &v.data)) {
                        (Target::Series(id), Some(Data::Series(s))) => s
                            .view
                            .chain
                            .iter()
                            .find(|c| c.message_id == id)
                            .map(|c| c.revision),
                        _ => new,
                    };
                    self.open(Kind::Diff(a, new), c)
                }
                None => self.say_error("d shows the range-diff of a series: open one first"),
            },
            KeyCode::Char('u') => match self.series_arg() {
                Some(a) => {
                    let c = self.here();
                    self.open(Kind::Upstream(a), c)
                }
                None => self.say_error("u shows where a series was merged: open one first"),
            },
            KeyCode::Char('a') => match self.series_arg() {
                Some(a) => {
                    let dir = self.opts.am_dir.clone();
                    self.ask(Waiting::Am, Query::Am { arg: a, dir });
                    self.say("writing the mbox…");
                }
                None => self.say_error("a writes a series as a git am mbox: open one first"),
            },
            KeyCode::Char('r') => self.reply(),
            KeyCode::Char('o') => match self.target() {
                Target::Url(u) => self.open_url(u),
                _ => match self
                    .here()
                    .message
                    .and_then(|m| lpl_core::show::lore_url(&m))
                {
                    Some(u) => self.open_url(u),
                    None => self.say_error("no message here"),
                },
            },
            KeyCode::Char('c') => self.ask_text(PromptKind::Note),
            KeyCode::Char('C') => self.ask_text(PromptKind::Question),
            KeyCode::Char('m') => self.mark(Progress::Read),
            KeyCode::Char('M') => self.mark(Progress::Reading),
            KeyCode::Char('U') => self.mark(Progress::Unread),
            _ => {}
        }
    }

    /// `r`: a reply to the message under the cursor (or read), written as
    /// `lpl reply` writes it (the draft `reply-<short id>.eml` in the
    /// directory of `a`), then opened in the editor.
    fn reply(&mut self) {
        let Some(m) = self.here().message else {
            return self.say_error("no message here: r answers the message under the cursor");
        };
        let Some(from) = self.opts.reply_from.clone() else {
            return self.say_error(
                "who is replying? no email address: git config --global user.email you@example.org (or [reply] email in lpl's config)",
            );
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        let opts = ReplyOptions {
            message_id: lpl_core::reply::new_message_id(
                &from,
                secs,
                now.subsec_nanos(),
                std::process::id(),
            ),
            from,
            trailers: Vec::new(),
            date: secs,
            user_agent: format!("lpl/{}", env!("CARGO_PKG_VERSION")),
        };
        let dir = self.opts.am_dir.clone();
        self.ask(Waiting::Reply, Query::Reply { arg: m, opts, dir });
        self.say("writing the reply…");
    }

    /// The editor and the file to open in it, once (the terminal loop
    /// runs it, leaving the screen meanwhile).
    pub fn take_edit(&mut self) -> Option<(String, PathBuf)> {
        let path = self.edit_file.take()?;
        Some((self.opts.editor.clone()?, path))
    }

    /// The editor has closed: `result` is how it ended.
    pub fn edited(&mut self, path: &std::path::Path, result: Result<(), String>) {
        match result {
            Ok(()) => self.say(format!(
                "{} edited; send it with: git send-email {}",
                path.display(),
                path.display()
            )),
            Err(e) => self.say_error(format!(
                "the editor failed ({e}); the reply stays in {}",
                path.display()
            )),
        }
    }

    fn ask_text(&mut self, kind: PromptKind) {
        let c = self.here();
        match self.entry_for(&c) {
            Ok(_) => {
                self.prompt = Some(Prompt {
                    kind,
                    text: String::new(),
                })
            }
            Err(m) => self.say_error(m),
        }
    }

    /// The series the view is about (or the one under the cursor).
    fn series_arg(&self) -> Option<String> {
        let v = self.view()?;
        if let Target::Series(s) = self.target() {
            return Some(s);
        }
        match (&v.kind, &v.data) {
            (Kind::Series(_), Data::Series(s)) => Some(s.view.summary.id.clone()),
            (Kind::Series(a) | Kind::Diff(a, _) | Kind::Upstream(a), _) => Some(a.clone()),
            _ => {
                let c = self.here();
                c.message.or_else(|| c.series.last().cloned())
            }
        }
    }

    fn prompt_key(&mut self, k: KeyEvent) {
        let Some(p) = self.prompt.as_mut() else {
            return;
        };
        match k.code {
            KeyCode::Esc => {
                let kind = p.kind;
                self.prompt = None;
                if kind == PromptKind::Filter {
                    self.set_filter(String::new());
                }
            }
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.prompt = None;
            }
            KeyCode::Backspace => {
                p.text.pop();
                if p.kind == PromptKind::Filter {
                    let t = p.text.clone();
                    self.set_filter(t);
                }
            }
            KeyCode::Char('u') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                p.text.clear();
            }
            KeyCode::Char(ch) => {
                p.text.push(ch);
                if p.kind == PromptKind::Filter {
                    let t = p.text.clone();
                    self.set_filter(t);
                }
            }
            KeyCode::Enter => {
                let Some(p) = self.prompt.take() else { return };
                let text = p.text.trim().to_owned();
                match p.kind {
                    PromptKind::Filter => {}
                    _ if text.is_empty() => {}
                    PromptKind::Find => {
                        if let Some(v) = self.views.last_mut() {
                            v.find = Some(text.to_lowercase());
                        }
                        self.find_next(true);
                    }
                    PromptKind::Search => self.open(Kind::Search(text), Ctx::default()),
                    PromptKind::Note => self.edit(|nb, e, c| {
                        let target = match &c.patch {
                            Some((counter, subject)) => NoteTarget::Patch {
                                counter: *counter,
                                subject: Some(subject.clone()),
                            },
                            None => NoteTarget::Entry,
                        };
                        edit::add_note(nb, e, &target, &text)
                    }),
                    PromptKind::Question => self.edit(|nb, e, _| edit::ask(nb, e, &text)),
                }
            }
            _ => {}
        }
    }

    fn set_filter(&mut self, f: String) {
        if let Some(i) = self.views.len().checked_sub(1) {
            self.views[i].filter = f;
            self.views[i].cursor = 0;
            self.rebuild(i);
            // The archive's rows for the new filter, from the first: the
            // rows read so far are filtered here until they come.
            let v = &mut self.views[i];
            let want = filter_words(&v.filter);
            if let Data::SeriesList(p) = &mut v.data
                && (p.filter != want || p.loading)
            {
                p.loading = true;
                let id = self.view_seq[i];
                self.ask(
                    Waiting::SeriesPage(id),
                    Query::SeriesList {
                        filter: want,
                        offset: 0,
                    },
                );
            }
        }
    }

    /// Asks for the next page of the series list when the cursor nears
    /// the end of the rows read.
    fn more_series(&mut self) {
        let Some(i) = self.views.len().checked_sub(1) else {
            return;
        };
        let id = self.view_seq[i];
        let v = &mut self.views[i];
        let near = v.cursor + SERIES_AHEAD >= v.rows.len();
        let Data::SeriesList(p) = &mut v.data else {
            return;
        };
        if !near || !p.more || p.loading || p.filter != filter_words(&v.filter) {
            return;
        }
        p.loading = true;
        let q = Query::SeriesList {
            filter: p.filter.clone(),
            offset: p.items.len(),
        };
        self.ask(Waiting::SeriesPage(id), q);
    }

    fn move_by(&mut self, d: isize) {
        if let Some(v) = self.views.last_mut() {
            let max = v.rows.len().saturating_sub(1);
            v.cursor = v.cursor.saturating_add_signed(d).min(max);
        }
    }

    fn move_to(&mut self, at: usize) {
        if let Some(v) = self.views.last_mut() {
            v.cursor = at.min(v.rows.len().saturating_sub(1));
        }
    }

    fn section(&mut self, forward: bool) {
        if let Some(v) = self.views.last_mut() {
            let n = v.rows.len();
            let found = if forward {
                (v.cursor + 1..n).find(|&i| v.rows[i].section)
            } else {
                (0..v.cursor).rev().find(|&i| v.rows[i].section)
            };
            if let Some(i) = found {
                v.cursor = i;
                // The section's head at the top of the screen.
                v.top = i;
            } else if matches!(v.kind, Kind::Roadmap) {
                v.notes = !v.notes;
                self.rebuild(self.views.len() - 1);
            }
        }
    }

    fn find_next(&mut self, forward: bool) {
        let Some(v) = self.views.last_mut() else {
            return;
        };
        let Some(q) = v.find.clone() else {
            self.say_error("nothing to find: / starts");
            return;
        };
        let n = v.rows.len();
        let hit = (1..=n)
            .map(|k| {
                if forward {
                    (v.cursor + k) % n
                } else {
                    (v.cursor + n * 2 - k) % n
                }
            })
            .find(|&i| v.rows[i].text.to_lowercase().contains(&q));
        match hit {
            Some(i) => {
                // As less does: the match on the first line of the screen.
                v.cursor = i;
                v.top = i;
            }
            None => {
                let q = crate::sanitize::clean(&q);
                self.say_error(format!("not found: {q}"));
            }
        }
    }

    fn toggle_fold(&mut self, _all: bool) {
        let i = self.views.len().saturating_sub(1);
        let Some(v) = self.views.last_mut() else {
            return;
        };
        if let Target::Fold(f) = v
            .rows
            .get(v.cursor)
            .map_or(Target::None, |r| r.target.clone())
        {
            if !v.expanded.remove(&f) {
                v.expanded.insert(f);
            }
            self.rebuild(i);
        }
    }

    fn enter(&mut self) {
        let c = self.here();
        match self.target() {
            Target::None => {}
            Target::Entry(e) => match c.message.clone() {
                Some(m) => self.open(Kind::Series(m), c),
                None => {
                    let line = self
                        .nb
                        .as_ref()
                        .and_then(|s| s.nb.entries().get(e))
                        .map_or(0, |x| x.line + 1);
                    let checked = self.nb.as_ref().is_some_and(|s| s.check.is_some());
                    if !checked {
                        self.say("still checking the roadmap against the archive…");
                    } else if self
                        .nb
                        .as_ref()
                        .and_then(|s| s.nb.entries().get(e))
                        .is_some_and(|x| x.is_series())
                    {
                        self.say_error(format!(
                            "not in the archive: lpl notebook fetch L{line} brings it"
                        ));
                    } else if let Some(url) = self
                        .nb
                        .as_ref()
                        .and_then(|s| s.nb.entries().get(e))
                        .map(|x| x.url.clone())
                    {
                        self.open_url(url);
                    }
                }
            },
            Target::Series(s) => {
                let mut c = c;
                c.patch = None;
                self.open(Kind::Series(s), c)
            }
            Target::Message(m) => {
                // From a series, the patch (or reply) as a message.
                self.open(Kind::Message(m), c)
            }
            Target::Fold(_) => self.toggle_fold(false),
            Target::Upstream => {
                if let Some(a) = self.series_arg() {
                    self.open(Kind::Upstream(a), c)
                }
            }
            Target::Url(u) => self.open_url(u),
        }
    }
}
