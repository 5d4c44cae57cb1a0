//! A C tokenizer over bytes: identifiers, numbers, string and character
//! literals, punctuation and preprocessor directives, each with its line.
//! Comments and whitespace are skipped (their newlines still counted), so
//! the pre-pass and the body scanner never see a brace inside a comment or
//! a string.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `[A-Za-z_$][A-Za-z0-9_$]*`
    Ident,
    /// A preprocessing number (`0x1f`, `1e-3`, `42UL`).
    Number,
    /// `"..."`
    Str,
    /// `'...'`
    Char,
    /// One punctuator; `->` is [`Kind::Arrow`], everything else one byte.
    Punct(u8),
    /// `->`
    Arrow,
    /// A whole preprocessor directive (`#` first on its line), continuation
    /// lines included.
    Directive,
}

/// One token: its kind, byte range in the source and first line (1-based).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
    pub line: u32,
    /// Newlines inside the token (directives with continuations, strings
    /// spliced with backslash-newline).
    pub inner_newlines: u32,
}

impl Token {
    pub(crate) fn text<'a>(&self, src: &'a [u8]) -> &'a [u8] {
        &src[self.start as usize..self.end as usize]
    }

    pub(crate) fn is(&self, p: u8) -> bool {
        self.kind == Kind::Punct(p)
    }

    pub(crate) fn end_line(&self) -> u32 {
        self.line + self.inner_newlines
    }
}

/// The tokenizer.
pub(crate) struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: u32,
    /// Only whitespace since the last newline (a `#` here starts a directive).
    at_line_start: bool,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a [u8]) -> Self {
        Lexer {
            src,
            pos: 0,
            line: 1,
            at_line_start: true,
        }
    }

    /// Continues from byte `pos`, which is on line `line`.
    pub(crate) fn seek(&mut self, pos: usize, line: u32) {
        self.pos = pos;
        self.line = line;
        self.at_line_start = false;
    }

    /// The current line.
    pub(crate) fn line(&self) -> u32 {
        self.line
    }

    /// Skips whitespace and comments; returns newlines seen.
    fn skip_gap(&mut self) -> u32 {
        let s = self.src;
        let mut nl = 0;
        while self.pos < s.len() {
            let c = s[self.pos];
            match c {
                b'\n' => {
                    nl += 1;
                    self.line += 1;
                    self.at_line_start = true;
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' | b'\x0c' | b'\x0b' => self.pos += 1,
                b'\\' if s.get(self.pos + 1) == Some(&b'\n') => {
                    // A line splice outside a directive.
                    nl += 1;
                    self.line += 1;
                    self.pos += 2;
                }
                b'\\'
                    if s.get(self.pos + 1) == Some(&b'\r')
                        && s.get(self.pos + 2) == Some(&b'\n') =>
                {
                    nl += 1;
                    self.line += 1;
                    self.pos += 3;
                }
                b'/' if s.get(self.pos + 1) == Some(&b'*') => {
                    let body = &s[self.pos + 2..];
                    let end =
                        memchr::memmem::find(body, b"*/").map_or(s.len(), |i| self.pos + 2 + i + 2);
                    let n = memchr::memchr_iter(b'\n', &s[self.pos..end]).count() as u32;
                    nl += n;
                    self.line += n;
                    self.pos = end;
                }
                b'/' if s.get(self.pos + 1) == Some(&b'/') => {
                    // To the end of the line (a backslash continues it).
                    let mut i = self.pos + 2;
                    while i < s.len() {
                        if s[i] == b'\n' {
                            if s[i - 1] == b'\\' {
                                nl += 1;
                                self.line += 1;
                                i += 1;
                                continue;
                            }
                            break;
                        }
                        i += 1;
                    }
                    self.pos = i;
                }
                _ => break,
            }
        }
        nl
    }

    /// The next token, or `None` at the end.
    pub(crate) fn next_token(&mut self) -> Option<Token> {
        self.skip_gap();
        let s = self.src;
        if self.pos >= s.len() {
            return None;
        }
        let start = self.pos;
        let line = self.line;
        let c = s[start];
        let line_start = self.at_line_start;
        self.at_line_start = false;
        let mut inner = 0u32;
        let kind = if c == b'#' && line_start {
            // A directive: to the end of the logical line. Comments inside
            // may span lines; a `//` comment ends it.
            let mut i = start + 1;
            while i < s.len() {
                match s[i] {
                    b'\n' => {
                        let prev = s[i - 1];
                        let cont = prev == b'\\' || (prev == b'\r' && i >= 2 && s[i - 2] == b'\\');
                        if cont {
                            inner += 1;
                            i += 1;
                            continue;
                        }
                        break;
                    }
                    b'/' if s.get(i + 1) == Some(&b'*') => {
                        let end = memchr::memmem::find(&s[i + 2..], b"*/")
                            .map_or(s.len(), |k| i + 2 + k + 2);
                        inner += memchr::memchr_iter(b'\n', &s[i..end]).count() as u32;
                        i = end;
                    }
                    b'/' if s.get(i + 1) == Some(&b'/') => {
                        while i < s.len() && s[i] != b'\n' {
                            i += 1;
                        }
                    }
                    b'"' | b'\'' => {
                        let (end, n) = skip_quoted(s, i);
                        inner += n;
                        i = end;
                    }
                    _ => i += 1,
                }
            }
            self.pos = i;
            Kind::Directive
        } else if is_ident_start(c) {
            let mut i = start + 1;
            while i < s.len() && is_ident_char(s[i]) {
                i += 1;
            }
            // L"..." and u8'x' prefixes: the literal follows as its own token.
            self.pos = i;
            Kind::Ident
        } else if c.is_ascii_digit()
            || (c == b'.' && s.get(start + 1).is_some_and(u8::is_ascii_digit))
        {
            let mut i = start + 1;
            while i < s.len() {
                let d = s[i];
                let exponent_sign =
                    (d == b'+' || d == b'-') && matches!(s[i - 1], b'e' | b'E' | b'p' | b'P');
                // C23 digit separators: 1'000'000.
                let separator = d == b'\'' && s.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
                if is_ident_char(d) || d == b'.' || exponent_sign || separator {
                    i += 1;
                } else {
                    break;
                }
            }
            self.pos = i;
            Kind::Number
        } else if c == b'"' || c == b'\'' {
            let (end, n) = skip_quoted(s, start);
            inner = n;
            self.pos = end;
            if c == b'"' { Kind::Str } else { Kind::Char }
        } else if c == b'-' && s.get(start + 1) == Some(&b'>') {
            self.pos = start + 2;
            Kind::Arrow
        } else {
            self.pos = start + 1;
            Kind::Punct(c)
        };
        self.line += inner;
        Some(Token {
            kind,
            start: start as u32,
            end: self.pos as u32,
            line,
            inner_newlines: inner,
        })
    }
}

/// Skips a string or character literal starting at `i` (the quote);
/// returns the end and the newlines inside (splices). An unterminated
/// literal ends at the end of its line, as compilers recover.
fn skip_quoted(s: &[u8], i: usize) -> (usize, u32) {
    let q = s[i];
    let mut j = i + 1;
    let mut nl = 0;
    while j < s.len() {
        match s[j] {
            b'\\' => {
                if s.get(j + 1) == Some(&b'\n') {
                    nl += 1;
                }
                j += 2;
            }
            b'\n' => return (j, nl),
            c if c == q => return (j + 1, nl),
            _ => j += 1,
        }
    }
    (s.len(), nl)
}

/// The directive's name (`define`, `ifdef` ...) and the text after it.
pub(crate) fn directive(text: &[u8]) -> (&[u8], &[u8]) {
    let t = &text[1..];
    let start = t
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t'))
        .unwrap_or(t.len());
    let t = &t[start..];
    let end = t
        .iter()
        .position(|&c| !c.is_ascii_alphanumeric() && c != b'_')
        .unwrap_or(t.len());
    (&t[..end], &t[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String, u32)> {
        let mut l = Lexer::new(src.as_bytes());
        let mut out = Vec::new();
        while let Some(t) = l.next_token() {
            out.push((
                t.kind,
                String::from_utf8_lossy(t.text(src.as_bytes())).into_owned(),
                t.line,
            ));
        }
        out
    }

    #[test]
    fn comments_strings_and_directives() {
        let k =
            kinds("/* a {\n */ int x = '{'; // }\n#define F(a) \\\n  g(a)\ns = \"}\\\"\";\np->q");
        let texts: Vec<&str> = k.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(
            texts,
            [
                "int",
                "x",
                "=",
                "'{'",
                ";",
                "#define F(a) \\\n  g(a)",
                "s",
                "=",
                "\"}\\\"\"",
                ";",
                "p",
                "->",
                "q"
            ]
        );
        assert_eq!(k[0].2, 2);
        assert_eq!(k[5].0, Kind::Directive);
        assert_eq!(k[6].2, 5, "line after a continued directive");
        assert_eq!(
            directive(b"#  ifdef CONFIG_X"),
            (&b"ifdef"[..], &b" CONFIG_X"[..])
        );
    }

    #[test]
    fn hash_inside_a_line_is_punctuation() {
        let k = kinds("a # b");
        assert_eq!(k[1].0, Kind::Punct(b'#'));
    }
}
