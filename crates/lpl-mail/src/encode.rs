//! Writing headers and bodies of messages lpl writes (`lpl am` mboxes,
//! replies): every value is re-encoded, never copied raw.
//!
//! A value that came out of a parsed message may hold anything an
//! RFC 2047 encoded-word can carry, CR and LF included: copied into a
//! header as it is, `=?utf-8?b?TGludXMKRnJvbTog...?=` in a From name becomes
//! a second header line (`git am` then records an injected author). Here
//! control characters are unfolded to spaces, then the value is written
//! as ASCII, quoted where the grammar needs it, or as RFC 2047 encoded-words
//! (`B`, UTF-8) when it is not ASCII.

/// `value` with every control character (CR, LF, tab, NUL, DEL, C1)
/// replaced by a space and runs of spaces folded into one, trimmed: what a
/// single header line may carry.
pub fn unfold(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut space = false;
    for c in value.chars() {
        if c.is_control() || c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// An unstructured header value (`Subject:`): unfolded, and as RFC 2047
/// encoded-words when not ASCII (or when it holds a `=?` that a reader
/// would otherwise decode). Long values are folded between encoded-words.
pub fn header_text(value: &str) -> String {
    let v = unfold(value);
    if v.is_ascii() && !v.contains("=?") {
        return v;
    }
    encoded_words(&v)
}

/// A display name for an address header (`From:`, `To:`, `Cc:`):
/// unfolded; `@` written ` at ` and `<`/`>` as `(`/`)`, because naive
/// readers take the first `@` of the line for the address (`git mailinfo`
/// does: `"X <torvalds@...>" <m@evil>` is recorded as torvalds); quoted
/// when it holds specials; encoded-words when not ASCII.
pub fn display_name(name: &str) -> String {
    let n = unfold(name)
        .replace('@', " at ")
        .replace('<', "(")
        .replace('>', ")");
    if !n.is_ascii() || n.contains("=?") {
        return encoded_words(&n);
    }
    if n.chars().any(|c| "()<>[]:;@\\,.\"".contains(c)) {
        format!("\"{}\"", n.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        n
    }
}

/// `Name <addr>` (or `addr`) for an address header. The address keeps
/// only the characters an address may hold: controls, spaces and angle
/// brackets are dropped, so it cannot end the header or start another.
pub fn mailbox(name: Option<&str>, email: &str) -> String {
    let email: String = email
        .chars()
        .filter(|c| !(c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | ',')))
        .collect();
    match name.map(unfold).filter(|n| !n.is_empty()) {
        Some(n) => format!("{} <{email}>", display_name(&n)),
        None => email,
    }
}

/// RFC 2047 `B` encoded-words of `v` (UTF-8), each at most 75 characters,
/// split between whole characters, folded onto continuation lines.
fn encoded_words(v: &str) -> String {
    // 45 bytes of text make 60 of base64: with `=?utf-8?b?` and `?=`,
    // 72 characters per word.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in v.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?utf-8?b?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?utf-8?b?{}?=", base64(chunk.as_bytes())));
    }
    words.join("\n ")
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(data.len().div_ceil(3) * 4);
    for ch in data.chunks(3) {
        let b = [
            ch[0],
            ch.get(1).copied().unwrap_or(0),
            ch.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= ch.len() {
                s.push(char::from(T[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// Whether a body line would be read as the start of a new message by some
/// mbox reader: `From ` (mboxo, `git mailsplit`) or `>From `, `>>From ` ...
/// (which mboxrd readers such as `git am --patch-format=mboxrd` unescape).
pub fn is_from_line(line: &str) -> bool {
    line.trim_start_matches('>').starts_with("From ")
}

/// Quoted-printable (RFC 2045) of a text body with `\n` line ends: every
/// line is kept (soft breaks past 76 characters), `=`, trailing spaces and
/// non-ASCII bytes are encoded, and so is the first character of a
/// [`is_from_line`] line, so that no mbox reader, whatever its dialect,
/// splits or alters the message: what a reader decodes is exactly `text`.
pub fn quoted_printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        let b = line.as_bytes();
        let mut col = 0;
        let from = is_from_line(line);
        for (i, &c) in b.iter().enumerate() {
            let last = i + 1 == b.len();
            let plain = (c == b' ' || c == b'\t') && !last
                || (33..=126).contains(&c) && c != b'=' && !(from && i == 0);
            let piece = if plain {
                char::from(c).to_string()
            } else {
                format!("={c:02X}")
            };
            // Room for the piece and a soft break `=`.
            if col + piece.len() > 75 {
                out.push_str("=\n");
                col = 0;
            }
            col += piece.len();
            out.push_str(&piece);
        }
        if lines.peek().is_some() {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_a_header() {
        // The From name of the issue 20 injection: an encoded-word whose
        // text holds a newline and a second From line.
        let name = "Mallory\nFrom: Linus Torvalds <torvalds@linux-foundation.org>";
        let v = mailbox(Some(name), "m@evil.example\r\nX: y");
        assert!(!v.contains('\n') && !v.contains('\r'), "{v}");
        assert_eq!(
            v,
            "\"Mallory From: Linus Torvalds (torvalds at linux-foundation.org)\" <m@evil.exampleX:y>"
        );
        assert_eq!(header_text("a\r\n b\0c\u{85}d"), "a b c d");
        assert_eq!(unfold("\n  x \t y \n"), "x y");
    }

    #[test]
    fn non_ascii_and_lookalike_encoded_words_are_encoded() {
        assert_eq!(header_text("Zoë"), "=?utf-8?b?Wm/Dqw==?=");
        // A literal `=?...?=` would be decoded by readers: encode it.
        assert_eq!(header_text("=?x?q?a?="), "=?utf-8?b?PT94P3E/YT89?=");
        let long = "é".repeat(40);
        let h = header_text(&long);
        assert!(h.lines().all(|l| l.trim_start().len() <= 75), "{h}");
        assert_eq!(h.lines().count(), 2);
        assert_eq!(display_name("A. Person"), "\"A. Person\"");
        assert_eq!(display_name("Plain Name"), "Plain Name");
        assert_eq!(mailbox(None, "a@b"), "a@b");
    }

    #[test]
    fn quoted_printable_escapes_from_lines_and_keeps_everything() {
        let text = "From the start\n>From quoted\nplain = x  \nna\u{ef}ve\n";
        let qp = quoted_printable(text);
        assert_eq!(
            qp,
            "=46rom the start\n=3EFrom quoted\nplain =3D x =20\nna=C3=AFve\n"
        );
        let long = "x".repeat(200);
        let qp = quoted_printable(&long);
        assert!(qp.lines().all(|l| l.len() <= 76));
        assert_eq!(qp.replace("=\n", ""), long);
    }

    #[test]
    fn base64_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
