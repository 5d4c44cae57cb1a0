//! Styles. Colours are the terminal's own sixteen (its palette, its
//! default foreground and background), never RGB; with `NO_COLOR` only
//! bold, dim, underline and reverse remain.

use ratatui::style::{Color, Modifier, Style};

/// The styles of every kind of text the views draw.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    pub plain: Style,
    pub title: Style,
    pub section: Style,
    pub dim: Style,
    pub add: Style,
    pub remove: Style,
    pub hunk: Style,
    pub file: Style,
    pub quote: Style,
    pub trailer: Style,
    pub warn: Style,
    pub good: Style,
    pub cursor: Style,
    pub bar: Style,
    pub error: Style,
}

impl Theme {
    pub(crate) fn new(color: bool) -> Theme {
        let c = |col: Color| {
            if color {
                Style::default().fg(col)
            } else {
                Style::default()
            }
        };
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let dim = Style::default().add_modifier(Modifier::DIM);
        Theme {
            plain: Style::default(),
            title: bold,
            section: c(Color::Yellow).add_modifier(Modifier::BOLD),
            dim,
            add: c(Color::Green),
            remove: c(Color::Red),
            hunk: c(Color::Cyan),
            file: bold,
            quote: if color { c(Color::Blue) } else { dim },
            trailer: c(Color::Green),
            warn: c(Color::Yellow),
            good: c(Color::Green),
            cursor: Style::default().add_modifier(Modifier::REVERSED),
            bar: Style::default().add_modifier(Modifier::REVERSED),
            error: c(Color::Red).add_modifier(Modifier::BOLD),
        }
    }
}
