//! Mail text made inert before it reaches the terminal.
//!
//! Subjects, names and bodies come from strangers. An escape sequence in a
//! subject could move the cursor, retitle the window or (on some terminals)
//! answer back; a carriage return could overwrite what is drawn. Every
//! string from mail passes [`clean`] before a widget sees it: control
//! characters (C0, DEL, C1) become visible caret notation (`^[`), tabs
//! become spaces, and the bidirectional overrides that reorder a line
//! ("trojan source") become `<U+202E>`.

use unicode_width::UnicodeWidthChar;

/// `s` with every control character shown inert (one line: a newline is
/// shown as `^J`), tabs expanded to the next multiple of 8 columns.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut col = 0usize;
    for c in s.chars() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\0'..='\x1f' => {
                out.push('^');
                out.push(char::from(b'@' + c as u8));
                col += 2;
            }
            '\x7f' => {
                out.push_str("^?");
                col += 2;
            }
            '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                let shown = format!("<U+{:04X}>", c as u32);
                col += shown.len();
                out.push_str(&shown);
            }
            _ => {
                out.push(c);
                col += c.width().unwrap_or(0);
            }
        }
    }
    out
}

/// Whether `c` acts on a terminal: a control character (C0 but tab and
/// newline, DEL, C1) or a bidirectional override.
fn acts(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0b'..='\x1f' | '\x7f' | '\u{80}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A multi-line text (a body, a diff) for a terminal that shows it as it
/// is: newlines and tabs stay, a `\r` ending a line is dropped, and every
/// other control character is shown inert as [`clean`] shows it. Borrowed
/// when there is nothing to change, which is nearly always.
pub fn text(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(acts) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            c if acts(c) => out.push_str(&clean(c.encode_utf8(&mut [0; 4]))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The lines of a multi-line text, each [`clean`]ed (`\r\n` and `\n` end
/// lines; a lone `\r` is shown as `^M`).
pub fn lines(s: &str) -> impl Iterator<Item = String> + '_ {
    s.lines().map(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_controls_are_shown_not_sent() {
        assert_eq!(clean("a\x1b[2Jb"), "a^[[2Jb");
        assert_eq!(clean("x\ry"), "x^My");
        assert_eq!(clean("\x07\x7f\u{9b}31m"), "^G^?<U+009B>31m");
        assert_eq!(clean("ab\u{202e}cd"), "ab<U+202E>cd");
        assert!(!clean("\x1b]0;title\x07").contains('\x1b'));
    }

    #[test]
    fn tabs_expand_by_display_width() {
        assert_eq!(clean("\tx"), "        x");
        assert_eq!(clean("ab\tx"), "ab      x");
        // A CJK character is two columns wide.
        assert_eq!(clean("中\tx"), "中      x");
    }

    #[test]
    fn text_keeps_lines_and_tabs_and_shows_the_rest() {
        assert_eq!(text("a\tb\nc\r\nd"), "a\tb\nc\nd");
        assert_eq!(text("x\x1b[2J\ry\x07\u{202e}"), "x^[[2J^My^G<U+202E>");
        assert!(matches!(
            text("plain\ttext\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert!(!text("\x1b]0;t\x07\n\u{9b}1m").chars().any(acts));
    }

    #[test]
    fn text_is_kept() {
        assert_eq!(clean("📖 读 ✅ 🚧 é"), "📖 读 ✅ 🚧 é");
    }
}
