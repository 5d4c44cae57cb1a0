//! `git range-diff`'s output: one header line per pair in git's order, the
//! diff of each changed pair indented by four spaces, in git's dual colours.

use super::xdiff::{OuterLine, diff_of_diffs};
use super::{Entry, PatchText, Status};

const RESET: &str = "\x1b[m";
const REVERSE: &str = "\x1b[7m";
const OLD: &str = "\x1b[31m";
const NEW: &str = "\x1b[32m";
const COMMIT: &str = "\x1b[33m";
const FRAG: &str = "\x1b[36m";
const CONTEXT_DIM: &str = "\x1b[2m";
const OLD_DIM: &str = "\x1b[2;31m";
const NEW_DIM: &str = "\x1b[2;32m";
const CONTEXT_BOLD: &str = "\x1b[1m";
const OLD_BOLD: &str = "\x1b[1;31m";
const NEW_BOLD: &str = "\x1b[1;32m";

/// One range as the renderer needs it.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The texts compared.
    pub texts: &'a [PatchText],
    /// The number printed for each patch: git prints the position (1, 2,
    /// ...); a revision with missing patches reads better with counters.
    pub numbers: &'a [u32],
    /// What stands where git prints an abbreviated commit hash.
    pub labels: &'a [String],
    /// The one-line subject of each patch.
    pub subjects: &'a [String],
}

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colours as `git range-diff --color` (dual colour) prints them.
    pub color: bool,
    /// Headers only (`git range-diff --no-patch`).
    pub no_patch: bool,
}

struct Palette {
    reset: &'static str,
    reverse: &'static str,
    old: &'static str,
    new: &'static str,
    commit: &'static str,
    frag: &'static str,
    context_dim: &'static str,
    old_dim: &'static str,
    new_dim: &'static str,
    context_bold: &'static str,
    old_bold: &'static str,
    new_bold: &'static str,
}

impl Palette {
    fn new(color: bool) -> Palette {
        if color {
            Palette {
                reset: RESET,
                reverse: REVERSE,
                old: OLD,
                new: NEW,
                commit: COMMIT,
                frag: FRAG,
                context_dim: CONTEXT_DIM,
                old_dim: OLD_DIM,
                new_dim: NEW_DIM,
                context_bold: CONTEXT_BOLD,
                old_bold: OLD_BOLD,
                new_bold: NEW_BOLD,
            }
        } else {
            Palette {
                reset: "",
                reverse: "",
                old: "",
                new: "",
                commit: "",
                frag: "",
                context_dim: "",
                old_dim: "",
                new_dim: "",
                context_bold: "",
                old_bold: "",
                new_bold: "",
            }
        }
    }
}

/// git's `decimal_width`.
fn decimal_width(mut n: usize) -> usize {
    let mut w = 1;
    while n >= 10 {
        n /= 10;
        w += 1;
    }
    w
}

/// Renders the whole range-diff.
pub fn render(a: Side<'_>, b: Side<'_>, entries: &[Entry], opts: &RenderOptions) -> String {
    render_with(a, b, entries, opts, |_, _| {})
}

/// Renders the whole range-diff, calling `after_header` after each entry's
/// header line (to add lines of one's own before its diff).
pub fn render_with(
    a: Side<'_>,
    b: Side<'_>,
    entries: &[Entry],
    opts: &RenderOptions,
    mut after_header: impl FnMut(usize, &mut String),
) -> String {
    let p = Palette::new(opts.color);
    let highest = |s: &Side<'_>| s.numbers.iter().copied().max().unwrap_or(0) as usize;
    let width = decimal_width(1 + highest(&a).max(highest(&b)));
    let mut out = String::new();
    let mut dashes = String::new();
    for (k, e) in entries.iter().enumerate() {
        if dashes.is_empty() {
            let first = match e.a {
                Some(i) => &a.labels[i],
                None => e.b.map_or("", |j| b.labels[j].as_str()),
            };
            dashes = "-".repeat(first.chars().count());
        }
        header(&mut out, &p, width, &dashes, a, b, e);
        after_header(k, &mut out);
        if e.status == Status::Changed
            && !opts.no_patch
            && let (Some(i), Some(j)) = (e.a, e.b)
        {
            for line in diff_of_diffs(a.texts[i].text(), b.texts[j].text()) {
                outer_line(&mut out, &p, &line);
            }
        }
    }
    out
}

fn header(
    out: &mut String,
    p: &Palette,
    width: usize,
    dashes: &str,
    a: Side<'_>,
    b: Side<'_>,
    e: &Entry,
) {
    let (status, color) = match e.status {
        Status::Removed => ('<', p.old),
        Status::Added => ('>', p.new),
        Status::Changed => ('!', p.commit),
        Status::Equal => ('=', p.commit),
    };
    let changed = e.status == Status::Changed;
    out.push_str(if changed { p.old } else { color });
    match e.a {
        None => out.push_str(&format!("{:>width$}:  {dashes} ", "-")),
        Some(i) => out.push_str(&format!("{:>width$}:  {} ", a.numbers[i], a.labels[i])),
    }
    if changed {
        out.push_str(p.reset);
        out.push_str(color);
    }
    out.push(status);
    if changed {
        out.push_str(p.reset);
        out.push_str(p.new);
    }
    match e.b {
        None => out.push_str(&format!(" {:>width$}:  {dashes}", "-")),
        Some(j) => out.push_str(&format!(" {:>width$}:  {}", b.numbers[j], b.labels[j])),
    }
    if changed {
        out.push_str(p.reset);
        out.push_str(color);
    }
    out.push(' ');
    let subject = match e.a {
        Some(i) => &a.subjects[i],
        None => e.b.map_or("", |j| b.subjects[j].as_str()),
    };
    out.push_str(subject);
    out.push_str(p.reset);
    out.push('\n');
}

/// One line of the diff of diffs, as `emit_diff_symbol()` prints it with
/// `dual_color_diffed_diffs`: the outer marker in reverse video, the inner
/// line coloured by its own marker (bold when added, dim when removed).
fn outer_line(out: &mut String, p: &Palette, line: &OuterLine<'_>) {
    out.push_str("    ");
    match line {
        OuterLine::Hunk(func) => {
            out.push_str(p.reverse);
            out.push_str(p.frag);
            out.push_str("@@");
            out.push_str(p.reset);
            if !func.is_empty() {
                // The blanks between `@@` and the name are context-coloured.
                let name = func.trim_start_matches([' ', '\t']);
                out.push(' ');
                out.push_str(&func[..func.len() - name.len()]);
                out.push_str(p.reset);
                if !name.is_empty() {
                    out.push_str(name);
                    out.push_str(p.reset);
                }
            }
        }
        OuterLine::Context(l) => {
            let set = match l.as_bytes().first() {
                Some(b'+') => p.new,
                Some(b'@') => p.frag,
                Some(b'-') => p.old,
                _ => "",
            };
            out.push_str(set);
            out.push(' ');
            out.push_str(l);
            out.push_str(p.reset);
        }
        OuterLine::Added(l) => {
            let set = match l.as_bytes().first() {
                Some(b'-') => p.old_bold,
                Some(b'@') => p.frag,
                Some(b'+') => p.new_bold,
                _ => p.context_bold,
            };
            marked(out, p, p.new, '+', set, l);
        }
        OuterLine::Removed(l) => {
            let set = match l.as_bytes().first() {
                Some(b'+') => p.new_dim,
                Some(b'@') => p.frag,
                Some(b'-') => p.old_dim,
                _ => p.context_dim,
            };
            marked(out, p, p.old, '-', set, l);
        }
    }
    out.push('\n');
}

fn marked(out: &mut String, p: &Palette, sign_color: &str, sign: char, set: &str, line: &str) {
    out.push_str(p.reverse);
    out.push_str(sign_color);
    out.push(sign);
    if !line.is_empty() {
        out.push_str(p.reset);
        out.push_str(set);
        out.push_str(line);
    }
    out.push_str(p.reset);
}
