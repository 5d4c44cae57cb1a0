//! Inline SVG pictures: the roadmap's timeline (a row per topic, a dot per
//! dated entry) and a series' revisions (a dot per revision: its date,
//! size by patch count, trailer count, merged or not). Built with maud, so
//! every label is escaped; no script, no external reference.

use maud::{Markup, html};

/// One dot of the roadmap's timeline.
#[derive(Debug, Clone)]
pub struct Dot {
    /// Fractional year (`2024.5` is mid-2024).
    pub at: f64,
    /// Tooltip.
    pub label: String,
    /// Where the dot links.
    pub href: String,
    /// Read (filled) or not.
    pub done: bool,
}

const W: f64 = 900.0;
const LEFT: f64 = 190.0;
const ROW: f64 = 22.0;

fn span(points: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = points.fold((f64::MAX, f64::MIN), |(l, h), x| (l.min(x), h.max(x)));
    (lo <= hi).then(|| {
        let lo = lo.floor();
        let hi = (hi.floor() + 1.0).max(lo + 1.0);
        (lo, hi)
    })
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// The roadmap's timeline: one row per topic with dated entries.
pub fn roadmap(rows: &[(String, Vec<Dot>)]) -> Option<Markup> {
    let rows: Vec<&(String, Vec<Dot>)> = rows.iter().filter(|(_, d)| !d.is_empty()).collect();
    let (lo, hi) = span(rows.iter().flat_map(|(_, d)| d.iter().map(|x| x.at)))?;
    let x = |at: f64| LEFT + (at - lo) / (hi - lo) * (W - LEFT - 20.0);
    let h = 30.0 + ROW * rows.len() as f64;
    let years: Vec<u32> = (lo as u32..=hi as u32).collect();
    let step = (years.len() / 12).max(1);
    Some(html! {
        svg class="timeline-svg" xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox={ "0 0 " (W) " " (h) } aria-label="Timeline of dated entries per topic" {
            @for (k, y) in years.iter().enumerate().filter(|(k, _)| k % step == 0) {
                @let _ = k;
                line x1=(x(f64::from(*y))) x2=(x(f64::from(*y))) y1="14" y2=(h) class="grid" {}
                text x=(x(f64::from(*y)) + 2.0) y="11" class="year" { (y) }
            }
            @for (i, (topic, dots)) in rows.iter().enumerate() {
                @let y = 30.0 + ROW * i as f64;
                text x="4" y=(y + 4.0) class="topic" { (short(topic, 28)) }
                line x1=(LEFT) x2=(W - 20.0) y1=(y) y2=(y) class="row" {}
                @for d in dots {
                    a href=(d.href) {
                        circle cx=(x(d.at)) cy=(y) r="5" class=(if d.done { "dot done" } else { "dot" }) {
                            title { (d.label) }
                        }
                    }
                }
            }
        }
    })
}

/// One revision of a series, for [`revisions`].
#[derive(Debug, Clone)]
pub struct Rev {
    /// `vN`.
    pub version: u32,
    /// Date (Unix seconds).
    pub date: i64,
    /// Patches present.
    pub patches: u32,
    /// Reviewed-by, Acked-by and Tested-by given.
    pub trailers: u32,
    /// Merged upstream (only known for the revision shown).
    pub merged: bool,
    /// The revision shown.
    pub current: bool,
    /// Its series page.
    pub href: String,
}

/// A series' revisions on a time axis: a dot per revision (area by patch
/// count), its trailer count under it, merged ones green.
pub fn revisions(revs: &[Rev]) -> Option<Markup> {
    if revs.is_empty() {
        return None;
    }
    let (lo, hi) = {
        let lo = revs.iter().map(|r| r.date).min().unwrap_or(0);
        let hi = revs.iter().map(|r| r.date).max().unwrap_or(0);
        (lo, hi.max(lo + 86_400))
    };
    let w = 640.0;
    let x = |d: i64| 30.0 + (d - lo) as f64 / (hi - lo) as f64 * (w - 80.0);
    Some(html! {
        svg class="revs-svg" xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox={ "0 0 " (w) " 96" } aria-label="Revisions over time" {
            line x1="20" x2=(w - 20.0) y1="40" y2="40" class="row" {}
            @for r in revs {
                @let cx = x(r.date);
                @let rad = 4.0 + f64::from(r.patches.min(40)).sqrt() * 2.0;
                a href=(r.href) {
                    circle cx=(cx) cy="40" r=(rad)
                        class={ "dot" @if r.merged { " merged" } @if r.current { " current" } } {
                        title { "v" (r.version) " · " (lpl_core::time::date(r.date)) " · "
                            (r.patches) " patches · " (r.trailers) " trailers"
                            @if r.merged { " · merged" } }
                    }
                    text x=(cx) y="16" class="label" text-anchor="middle" { "v" (r.version) }
                }
                text x=(cx) y="70" class="small" text-anchor="middle" { (lpl_core::time::date(r.date)) }
                text x=(cx) y="86" class="small" text-anchor="middle" { (r.patches) "p · " (r.trailers) "t" }
            }
        }
    })
}
