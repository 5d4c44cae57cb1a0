//! URLs to `Workspace` calls, and the guard around all of them.

use std::collections::HashMap;
use std::hash::{Hash as _, Hasher as _};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use lpl_core::notebook::edit::{self, NoteTarget};
use lpl_core::notebook::html::{Links, Which};
use lpl_core::notebook::{Notebook, Progress, fsio};
use lpl_core::series::SeriesFilter;
use lpl_core::{SearchOptions, ShowAs, Shown, Workspace};

use crate::guard::{HEADERS, anchor_ok, segment};
use crate::{App, pages, svg};

/// Why a page could not be made.
#[derive(Debug)]
pub(crate) enum PageError {
    NotFound(String),
    Bad(String),
    Forbidden(String),
    Conflict(String),
    Internal(String),
}

impl From<lpl_core::Error> for PageError {
    fn from(e: lpl_core::Error) -> Self {
        match e {
            lpl_core::Error::NotFound(_) => PageError::NotFound(e.to_string()),
            lpl_core::Error::Invalid(_) | lpl_core::Error::Search(_) => {
                PageError::Bad(e.to_string())
            }
            e => PageError::Internal(e.to_string()),
        }
    }
}

impl From<fsio::FileError> for PageError {
    fn from(e: fsio::FileError) -> Self {
        match e {
            fsio::FileError::ChangedOnDisk { .. } => PageError::Conflict(e.to_string()),
            e => PageError::Internal(e.to_string()),
        }
    }
}

impl From<crate::pool::Unavailable> for PageError {
    fn from(e: crate::pool::Unavailable) -> Self {
        PageError::Internal(e.to_string())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, detail) = match self {
            PageError::NotFound(d) => (StatusCode::NOT_FOUND, "Not found", d),
            PageError::Bad(d) => (StatusCode::BAD_REQUEST, "Bad request", d),
            PageError::Forbidden(d) => (StatusCode::FORBIDDEN, "Refused", d),
            PageError::Conflict(d) => (StatusCode::CONFLICT, "Not saved", d),
            PageError::Internal(d) => (StatusCode::INTERNAL_SERVER_ERROR, "Internal error", d),
        };
        html_response(status, pages::error(title, &detail))
    }
}

type PageResult = Result<Response, PageError>;

fn html_response(status: StatusCode, m: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        m.into_string(),
    )
        .into_response()
}

fn ok(m: Markup) -> PageResult {
    Ok(html_response(StatusCode::OK, m))
}

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(roadmap))
        .route("/timeline", get(timeline))
        .route("/style.css", get(style))
        .route("/entry/{anchor}", get(entry))
        .route("/entry/{anchor}/{action}", post(edit_entry))
        .route("/series", get(series_list))
        .route("/search", get(search))
        .fallback(by_path)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// The Host check, the write checks that need no body (Origin), the
/// security headers on every answer, and `Server-Timing` (the time spent
/// in the server, which browsers' developer tools and the benchmark read).
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    // A block, so no borrow of the request (its body is not Sync) lives
    // across the await below.
    let (host, origin, referer) = {
        let h = req.headers();
        let header_of =
            |name: header::HeaderName| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        (
            header_of(header::HOST),
            header_of(header::ORIGIN),
            header_of(header::REFERER),
        )
    };
    let write = req.method() != Method::GET && req.method() != Method::HEAD;
    let mut resp = if !app.guard.host_ok(host.as_deref()) {
        (
            StatusCode::MISDIRECTED_REQUEST,
            "refused: the Host header does not name this server\n",
        )
            .into_response()
    } else if write && !app.guard.origin_ok(origin.as_deref(), referer.as_deref()) {
        (
            StatusCode::FORBIDDEN,
            "refused: a write must come from this server's own pages\n",
        )
            .into_response()
    } else {
        next.run(req).await
    };
    for (k, v) in HEADERS {
        resp.headers_mut().insert(*k, HeaderValue::from_static(v));
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={ms:.2}")) {
        resp.headers_mut().insert("server-timing", v);
    }
    resp
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        pages::css(),
    )
        .into_response()
}

/// The notebook as read now, with a version naming its bytes.
struct Loaded {
    file: fsio::Loaded,
    nb: Notebook,
    rev: String,
}

fn load(path: &Option<PathBuf>) -> Result<Loaded, PageError> {
    let path = path.as_ref().ok_or_else(|| {
        PageError::NotFound("no notebook: start the server as `lpl serve ROADMAP.md`".into())
    })?;
    let file = fsio::load(path)?;
    let nb = Notebook::parse(file.bytes.clone());
    let rev = rev_of(&file.bytes);
    Ok(Loaded { file, nb, rev })
}

/// A short name of the notebook's content: a form made from another
/// version is refused.
fn rev_of(bytes: &[u8]) -> String {
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("{:016x}-{}", h.finish(), bytes.len())
}

fn roadmap_rows(nb: &Notebook) -> Vec<(String, Vec<svg::Dot>)> {
    let mut rows: Vec<(String, Vec<svg::Dot>)> = Vec::new();
    let mut row_of: HashMap<Option<usize>, usize> = HashMap::new();
    for e in nb.entries() {
        let Some(d) = e.date else { continue };
        let k = *row_of.entry(e.topic).or_insert_with(|| {
            let name = e
                .topic
                .map(|t| nb.topic_path(t).join(" / "))
                .unwrap_or_else(|| "(no topic)".into());
            rows.push((name, Vec::new()));
            rows.len() - 1
        });
        rows[k].1.push(svg::Dot {
            at: f64::from(d.year)
                + f64::from(d.month.saturating_sub(1)) / 12.0
                + f64::from(d.day.saturating_sub(1)) / 372.0,
            label: format!("{} {}", d.iso(), e.title),
            href: format!("/entry/{}", e.anchor),
            done: e.progress() == Some(Progress::Read),
        });
    }
    rows
}

fn no_notebook(ws: &Workspace) -> Result<Markup, PageError> {
    let list = ws.series(&SeriesFilter {
        limit: Some(50),
        ..Default::default()
    })?;
    Ok(pages::shell(
        "Roadmap",
        html! { "linux-patch-learn" },
        html! {
            p class="muted" { "No notebook given: start the server as " code { "lpl serve ROADMAP.md" } " to see and edit your roadmap here. The newest series:" }
            ul {
                @for s in &list {
                    li { span class="date" { (lpl_core::time::date(s.date)) }
                        a href=(pages::series_href(&s.message_id)) { (pages::clean(&s.title)) } }
                }
            }
        },
    ))
}

async fn roadmap(State(app): State<Arc<App>>) -> PageResult {
    let path = app.notebook.clone();
    let m = app
        .pool
        .run(move |ws| -> Result<Markup, PageError> {
            if path.is_none() {
                return no_notebook(ws);
            }
            let l = load(&path)?;
            let parts = ws
                .notebook_page(&l.nb, Links::Served, Which::Index)?
                .ok_or_else(|| PageError::NotFound("no index".into()))?;
            let svg = svg::roadmap(&roadmap_rows(&l.nb))
                .map(|s| html! { h2 { "Timeline" } div class="svg" { (s) } });
            Ok(pages::notebook(&parts, svg, None))
        })
        .await??;
    ok(m)
}

async fn timeline(State(app): State<Arc<App>>) -> PageResult {
    let path = app.notebook.clone();
    let m = app
        .pool
        .run(move |ws| -> Result<Markup, PageError> {
            let l = load(&path)?;
            let parts = ws
                .notebook_page(&l.nb, Links::Served, Which::Timeline)?
                .ok_or_else(|| PageError::NotFound("no timeline".into()))?;
            let svg = svg::roadmap(&roadmap_rows(&l.nb)).map(|s| html! { div class="svg" { (s) } });
            Ok(pages::notebook(&parts, svg, None))
        })
        .await??;
    ok(m)
}

fn entry_index(nb: &Notebook, anchor: &str) -> Result<usize, PageError> {
    if !anchor_ok(anchor) {
        return Err(PageError::Bad(
            "refused: an entry is named by its anchor ([a-z0-9-])".into(),
        ));
    }
    nb.entries()
        .iter()
        .position(|e| e.anchor == anchor)
        .ok_or_else(|| PageError::NotFound(format!("no entry {anchor} in the notebook")))
}

async fn entry(
    State(app): State<Arc<App>>,
    Path(anchor): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let path = app.notebook.clone();
    let token = app.guard.token().to_owned();
    let flash = match q.get("saved").map(String::as_str) {
        Some("note") => Some("Note added."),
        Some("question") => Some("Question added."),
        Some("answer") => Some("Question answered."),
        Some("status") => Some("Status changed."),
        _ => None,
    };
    let m = app
        .pool
        .run(move |ws| -> Result<Markup, PageError> {
            let l = load(&path)?;
            let i = entry_index(&l.nb, &anchor)?;
            let parts = ws
                .notebook_page(&l.nb, Links::Served, Which::Entry(i))?
                .ok_or_else(|| PageError::NotFound(format!("no entry {anchor}")))?;
            let e = &l.nb.entries()[i];
            let forms = pages::EntryForms {
                anchor: anchor.clone(),
                token,
                rev: l.rev.clone(),
                progress: e.progress().map(Progress::as_str),
                questions: l
                    .nb
                    .questions()
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| q.entry == Some(i) && !q.answered)
                    .map(|(k, q)| (k, q.text.clone()))
                    .collect(),
                flash: flash.map(str::to_owned),
            };
            let series = e.message_id.as_ref().map(|id| {
                html! { p { a href={ "/series/" (lpl_core::notebook::lore::escape_msgid(id.as_str())) } { "The series in the archive →" } } }
            });
            Ok(pages::notebook(
                &parts,
                series,
                Some(pages::entry_forms(&forms)),
            ))
        })
        .await??;
    ok(m)
}

/// The fields of the edit forms.
#[derive(Debug, serde::Deserialize)]
struct EditForm {
    csrf: Option<String>,
    rev: Option<String>,
    text: Option<String>,
    question: Option<usize>,
    status: Option<String>,
}

async fn edit_entry(
    State(app): State<Arc<App>>,
    Path((anchor, action)): Path<(String, String)>,
    Form(f): Form<EditForm>,
) -> PageResult {
    if !f.csrf.as_deref().is_some_and(|t| app.guard.token_ok(t)) {
        return Err(PageError::Forbidden(
            "refused: the form's token is missing or stale; reload the page".into(),
        ));
    }
    if !matches!(action.as_str(), "note" | "question" | "answer" | "status") {
        return Err(PageError::NotFound(format!("no action {action}")));
    }
    let path = app.notebook.clone();
    let a = anchor.clone();
    let act = action.clone();
    app.pool
        .run(move |_ws| -> Result<(), PageError> {
            let l = load(&path)?;
            if f.rev.as_deref() != Some(l.rev.as_str()) {
                return Err(PageError::Conflict(
                    "the notebook changed since this page was shown; reload it and try again"
                        .into(),
                ));
            }
            let i = entry_index(&l.nb, &a)?;
            let text = f.text.as_deref().unwrap_or("");
            let bad = |e: edit::EditError| PageError::Bad(e.to_string());
            let ed = match act.as_str() {
                "note" => edit::add_note(&l.nb, i, &NoteTarget::Entry, text).map_err(bad)?,
                "question" => edit::ask(&l.nb, i, text).map_err(bad)?,
                "answer" => {
                    let q = f
                        .question
                        .filter(|&q| l.nb.questions().get(q).is_some_and(|q| q.entry == Some(i)))
                        .ok_or_else(|| PageError::Bad("no such question on this entry".into()))?;
                    let t = text.trim();
                    edit::answer(&l.nb, q, (!t.is_empty()).then_some(t)).map_err(bad)?
                }
                _ => {
                    let p = match f.status.as_deref() {
                        Some("read") => Progress::Read,
                        Some("reading") => Progress::Reading,
                        Some("unread") => Progress::Unread,
                        _ => return Err(PageError::Bad("status: read, reading or unread".into())),
                    };
                    edit::set_status(&l.nb, i, p).map_err(bad)?
                }
            };
            fsio::save(&l.file, &ed.bytes)?;
            Ok(())
        })
        .await??;
    Ok(Redirect::to(&format!("/entry/{anchor}?saved={action}#edit")).into_response())
}

async fn series_list(State(app): State<Arc<App>>) -> PageResult {
    let list = app
        .pool
        .run(|ws| {
            ws.series(&SeriesFilter {
                limit: Some(200),
                ..Default::default()
            })
        })
        .await??;
    ok(pages::series_list(&list, "Series"))
}

async fn search(
    State(app): State<Arc<App>>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let q = q.get("q").cloned().unwrap_or_default();
    if q.trim().is_empty() {
        return ok(pages::search("", None, &[], None));
    }
    let path = app.notebook.clone();
    let (status, m) = app
        .pool
        .run(move |ws| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            let nb_hits = match load(&path) {
                Ok(l) => lpl_core::search::search_notebook(&l.nb, &q, 50, now).unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            let mut o = SearchOptions::default();
            o.limit = 100;
            o.now = now;
            match ws.search(&q, &o) {
                Ok(r) => (StatusCode::OK, pages::search(&q, Some(&r), &nb_hits, None)),
                Err(e) => (
                    StatusCode::BAD_REQUEST,
                    pages::search(&q, None, &nb_hits, Some(&e.to_string())),
                ),
            }
        })
        .await?;
    Ok(html_response(status, m))
}

/// `/series/MSGID`, `/MSGID/...` and `/LIST/MSGID/...`.
async fn by_path(State(app): State<Arc<App>>, req: Request) -> PageResult {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(PageError::NotFound("no such page".into()));
    }
    let raw: Vec<&str> = req
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .collect();
    let mut segs = Vec::with_capacity(raw.len());
    for (k, s) in raw.iter().enumerate() {
        // A trailing slash leaves one empty last segment: allowed.
        if s.is_empty() && k + 1 == raw.len() {
            segs.push(String::new());
            continue;
        }
        segs.push(segment(s).ok_or_else(|| {
            PageError::Bad("refused: a path segment that is not a plain name".into())
        })?);
    }
    let v: Option<u32> = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("v=")))
        .and_then(|v| v.parse().ok());
    if segs.first().map(String::as_str) == Some("series") && segs.len() >= 2 && !segs[1].is_empty()
    {
        return series_page(app, segs[1].clone(), v).await;
    }
    let (mid, rest) = match segs.as_slice() {
        [m, rest @ ..] if m.contains('@') => (m.clone(), rest.to_vec()),
        [list, m, rest @ ..]
            if m.contains('@')
                && !list.is_empty()
                && list
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) =>
        {
            (m.clone(), rest.to_vec())
        }
        _ => return Err(PageError::NotFound("no such page".into())),
    };
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    match rest.as_slice() {
        [] | [""] => message_page(app, mid).await,
        ["raw"] => {
            let raw = app.pool.run(move |ws| ws.raw(&mid)).await??;
            Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], raw).into_response())
        }
        ["t.mbox.gz"] => {
            let mbox = app.pool.run(move |ws| ws.thread_mbox(&mid)).await??;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&mbox)
                .map_err(|e| PageError::Internal(e.to_string()))?;
            let body = gz
                .finish()
                .map_err(|e| PageError::Internal(e.to_string()))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "application/gzip"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"t.mbox.gz\"",
                    ),
                ],
                body,
            )
                .into_response())
        }
        ["T" | "t"] | ["T" | "t", ""] => thread_page(app, mid).await,
        _ => Err(PageError::NotFound("no such page".into())),
    }
}

/// At most this many replies are shown inline under a message.
const MAX_REPLIES: usize = 50;
/// At most this many messages of a thread are shown on its page.
const MAX_THREAD: usize = 300;

async fn message_page(app: Arc<App>, mid: String) -> PageResult {
    let m = app
        .pool
        .run(move |ws| -> Result<Markup, PageError> {
            let views = ws.message(&mid)?;
            let m = views
                .into_iter()
                .next()
                .ok_or_else(|| PageError::NotFound(format!("no message {mid}")))?;
            let thread = ws.thread(&m.message_id)?;
            let mut replies = Vec::new();
            if let Some(k) = thread
                .lines
                .iter()
                .position(|l| l.message_id == m.message_id)
            {
                let d0 = thread.lines[k].depth;
                for l in thread.lines[k + 1..]
                    .iter()
                    .take_while(|l| l.depth > d0)
                    .take(MAX_REPLIES)
                {
                    if let Ok(v) = ws.message(&l.message_id)
                        && let Some(r) = v.into_iter().next()
                    {
                        replies.push((l.depth - d0, r));
                    }
                }
            }
            Ok(pages::message(&m, &replies, &thread))
        })
        .await??;
    ok(m)
}

async fn thread_page(app: Arc<App>, mid: String) -> PageResult {
    let m = app
        .pool
        .run(move |ws| -> Result<Markup, PageError> {
            let t = ws.thread(&mid)?;
            let msgs: Vec<_> = t
                .lines
                .iter()
                .take(MAX_THREAD)
                .filter_map(|l| ws.message(&l.message_id).ok()?.into_iter().next())
                .collect();
            Ok(pages::thread(
                &t,
                &msgs,
                t.lines.len().saturating_sub(MAX_THREAD),
            ))
        })
        .await??;
    ok(m)
}

async fn series_page(app: Arc<App>, arg: String, v: Option<u32>) -> PageResult {
    let m = app
        .pool
        .run(move |ws| -> Result<Markup, PageError> {
            let shown = match ws.show(&arg, ShowAs::Series, v)? {
                Shown::Series(s) => s,
                _ => return Err(PageError::NotFound(format!("no series for {arg}"))),
            };
            let me = shown.view.summary.message_id.clone();
            let merged = shown
                .upstream
                .as_ref()
                .is_some_and(|u| u.total > 0 && u.merged == u.total);
            let revs: Vec<svg::Rev> = ws
                .revision_summaries(&me)
                .unwrap_or_default()
                .iter()
                .map(|s| svg::Rev {
                    version: s.revision,
                    date: s.date,
                    patches: s.present,
                    trailers: s.trailers.reviewed + s.trailers.acked + s.trailers.tested,
                    merged: s.message_id == me && merged,
                    current: s.message_id == me,
                    href: pages::series_href(&s.message_id),
                })
                .collect();
            let chain = &shown.view.chain;
            let prev = chain
                .iter()
                .position(|c| c.current)
                .filter(|&k| k > 0)
                .map(|k| (chain[k - 1].revision, chain[k].revision));
            let diff = prev.and_then(|(a, b)| {
                (a != b)
                    .then(|| {
                        ws.range_diff(&me, Some(a), Some(b), &Default::default(), None)
                            .ok()
                    })
                    .flatten()
            });
            let text = diff
                .as_ref()
                .map(|d| lpl_core::diff::render_git(d, false, false, |_, _| {}));
            let title = shown.view.summary.title.clone();
            Ok(pages::shell(
                &title,
                html! { a href="/" { "Roadmap" } " / " a href="/series" { "series" } },
                pages::series(
                    &shown,
                    svg::revisions(&revs),
                    diff.as_ref(),
                    text.as_deref(),
                ),
            ))
        })
        .await??;
    ok(m)
}
