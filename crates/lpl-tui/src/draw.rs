//! Drawing the app: a title bar, the view's rows, a status line; the help
//! overlay on top. Any size works (a 20x5 terminal shows what fits).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::{App, Data, Kind};
use crate::sanitize::clean;

/// The keys, as the help overlay lists them.
pub(crate) const HELP: &[(&str, &str)] = &[
    ("j k ↓ ↑", "move"),
    ("Space b PgDn PgUp", "page down / up (Ctrl-D Ctrl-U: half)"),
    ("g G", "first / last line"),
    ("Enter l →", "open (entry, series, patch, reply, fold)"),
    ("q Esc h ←", "back (q on the first view quits; Q quits)"),
    (
        "Tab S-Tab",
        "next / previous section (roadmap: notes on/off)",
    ),
    ("/  n N", "find in the view; next / previous match"),
    (
        "/",
        "in series or search: a lei query (s:folio f:ziy d:2024-01-01..)",
    ),
    ("f", "series list: filter as you type"),
    ("R s", "roadmap / series list"),
    ("S t", "the series / the thread of what is read"),
    ("d", "range-diff with the revision before"),
    ("u", "upstream status; Enter or o on a commit opens it"),
    ("z", "fold / unfold quoted text"),
    ("c C", "add a note / a question to the roadmap entry"),
    ("m M U", "mark read ✅ / reading 📖 / unread"),
    ("o", "open on lore ($BROWSER, else the URL is shown)"),
    ("a", "write a git am mbox of the series here"),
    ("r", "reply: a draft .eml here, opened in $EDITOR"),
    ("Ctrl-R", "read the roadmap again"),
    ("?", "this help"),
];

/// Draws the whole app.
pub fn draw(f: &mut Frame<'_>, app: &mut App) {
    let area = f.area();
    if area.height == 0 || area.width == 0 {
        return;
    }
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    app.page = usize::from(body.height).max(1);
    draw_title(f, app, top);
    draw_body(f, app, body);
    draw_bottom(f, app, bottom);
    if app.help {
        draw_help(f, app, area);
    }
    app.dirty = false;
}

fn draw_title(f: &mut Frame<'_>, app: &App, area: Rect) {
    // The last four views of the way here.
    let skip = app.views.len().saturating_sub(4);
    let mut crumbs: Vec<String> = app.views.iter().skip(skip).map(|v| v.title()).collect();
    if skip > 0 {
        crumbs.insert(0, "…".into());
    }
    let mut s = format!("lpl · {}", crumbs.join(" › "));
    if let Some(v) = app.view()
        && !v.rows.is_empty()
    {
        s.push_str(&format!("  [{}/{}]", v.cursor + 1, v.rows.len()));
    }
    f.render_widget(Paragraph::new(s).style(app.theme.bar), area);
}

fn draw_body(f: &mut Frame<'_>, app: &mut App, area: Rect) {
    let t = app.theme;
    let h = usize::from(area.height);
    let Some(v) = app.views.last_mut() else {
        return;
    };
    let msg = match &v.data {
        Data::Loading => Some((
            match v.kind {
                Kind::Roadmap => "reading the roadmap…".to_owned(),
                _ => "loading…".to_owned(),
            },
            t.dim,
        )),
        Data::Failed(e) => Some((
            format!(
                "{}{}",
                clean(e),
                if v.kind == Kind::Roadmap {
                    "  (fix the file, then Ctrl-R; s: the series list)"
                } else {
                    ""
                }
            ),
            t.error,
        )),
        _ => None,
    };
    if let Some((m, style)) = msg {
        f.render_widget(Paragraph::new(Line::styled(m, style)), area);
        return;
    }
    if h == 0 {
        return;
    }
    // Keep the cursor on screen, scrolling as little as possible.
    if v.cursor < v.top {
        v.top = v.cursor;
    } else if v.cursor >= v.top + h {
        v.top = v.cursor + 1 - h;
    }
    v.top = v.top.min(v.rows.len().saturating_sub(1));
    let lines: Vec<Line<'_>> = v
        .rows
        .iter()
        .enumerate()
        .skip(v.top)
        .take(h)
        .map(|(i, r)| {
            if i == v.cursor {
                r.line.clone().patch_style(t.cursor)
            } else {
                r.line.clone()
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

fn draw_bottom(f: &mut Frame<'_>, app: &App, area: Rect) {
    let t = app.theme;
    let line = if let Some(p) = &app.prompt {
        Line::from(vec![
            Span::styled(p.label(), t.title),
            Span::raw(clean(&p.text)),
            Span::styled("█", Style::default()),
        ])
    } else if let Some(s) = &app.status {
        Line::styled(clean(&s.text), if s.error { t.error } else { t.plain })
    } else if app.busy() {
        Line::styled("working…  ? help", t.dim)
    } else {
        Line::styled(
            "? help  Enter open  q back  / find  c note  m read  o lore  a am",
            t.dim,
        )
    };
    f.render_widget(Paragraph::new(line), area);
}

fn draw_help(f: &mut Frame<'_>, app: &App, area: Rect) {
    let w = area.width.min(78);
    let h = area.height.min(HELP.len() as u16 + 2);
    let x = area.x + (area.width - w) / 2;
    let y = area.y + (area.height - h) / 2;
    let r = Rect::new(x, y, w, h);
    let lines: Vec<Line<'_>> = HELP
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!("{k:>18}  "), app.theme.title),
                Span::raw(*d),
            ])
        })
        .collect();
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" keys (any key closes) "),
        ),
        r,
    );
}
