//! Xapian-compatible word splitting, so `lpl search` finds what lore finds.
//!
//! public-inbox indexes with Xapian's `TermGenerator`; this module follows its
//! rules (Xapian 1.4 `termgenerator_internal.cc`) closely enough for identical
//! hit sets on kernel mail:
//!
//! - word characters are Unicode letters, marks, digits and `_` (so
//!   `kmalloc_array` and `CONFIG_FOO_BAR` stay one word);
//! - `'` and `&` join two words (`don't`, `AT&T`), and `.`, `,`, `;` join two
//!   digits (`6.12`, `1,000`);
//! - up to three trailing `+`/`#` are kept (`C++`);
//! - words are lower-cased and words longer than 64 bytes are dropped;
//! - every word that starts with a letter is also indexed as its Snowball
//!   English stem, at the same position, marked with [`STEM_MARK`] (Xapian's
//!   `Z` prefix), so `testing` matches `tests` while `"testing"` and
//!   `Testing` match only the word itself. To halve the postings, the marked
//!   stem is left out when it equals the word; queries for a stem `s`
//!   therefore search the marked `s` and the plain word `s`.

use std::collections::HashMap;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Leading character of stemmed terms (Xapian writes them with a `Z` prefix).
pub(crate) const STEM_MARK: char = '\u{1}';

/// Xapian's `max_word_length`.
const MAX_WORD_BYTES: usize = 64;

/// One word of a text, with the separator that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    /// Lower-cased term.
    pub text: String,
    /// Whether the word, as written, started with an upper-case letter.
    pub capitalised: bool,
    /// Byte offsets in the input.
    pub start: usize,
    /// End byte offset in the input.
    pub end: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_mark(c)
}

fn is_mark(c: char) -> bool {
    // Combining diacritical marks; enough for mail text.
    matches!(c as u32, 0x300..=0x36f | 0x1ab0..=0x1aff | 0x1dc0..=0x1dff | 0x20d0..=0x20ff | 0xfe20..=0xfe2f)
}

fn infix(c: char) -> Option<Option<char>> {
    match c {
        '\'' | '&' | '\u{b7}' | '\u{5f4}' | '\u{2027}' => Some(Some(c)),
        '\u{2019}' | '\u{201b}' => Some(Some('\'')),
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => Some(None),
        _ => None,
    }
}

fn infix_digit(c: char) -> Option<Option<char>> {
    match c {
        ',' | '.' | ';' | '\u{37e}' | '\u{589}' | '\u{60d}' | '\u{7f8}' | '\u{2044}'
        | '\u{fe10}' | '\u{fe13}' | '\u{fe14}' => Some(Some(c)),
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => Some(None),
        _ => None,
    }
}

/// Splits `text` into words the way Xapian's `TermGenerator` does.
pub(crate) fn words(text: &str, mut sink: impl FnMut(Word)) {
    words_with(&mut Vec::new(), &mut String::new(), text, |w| {
        sink(Word {
            text: w.text.to_owned(),
            capitalised: w.capitalised,
            start: w.start,
            end: w.end,
        })
    });
}

/// A word borrowed from the splitter's buffer.
struct WordRef<'a> {
    text: &'a str,
    capitalised: bool,
    start: usize,
    end: usize,
}

/// [`words`] with a caller-owned buffer (the tokenizer reuses it).
fn words_with(
    chars: &mut Vec<(usize, char)>,
    term: &mut String,
    text: &str,
    mut sink: impl FnMut(WordRef<'_>),
) {
    chars.clear();
    chars.extend(text.char_indices());
    let n = chars.len();
    let mut i = 0;
    while i < n {
        if !is_word_char(chars[i].1) {
            i += 1;
            continue;
        }
        let start = chars[i].0;
        let capitalised = chars[i].1.is_uppercase();
        term.clear();
        let mut prev;
        loop {
            // A run of word characters.
            loop {
                let c = chars[i].1;
                term.extend(c.to_lowercase());
                prev = c;
                i += 1;
                if i >= n || !is_word_char(chars[i].1) {
                    break;
                }
            }
            if i + 1 >= n || !is_word_char(chars[i + 1].1) {
                break;
            }
            let c = chars[i].1;
            let next = chars[i + 1].1;
            let joined = if prev.is_numeric() && next.is_numeric() {
                infix_digit(c)
            } else {
                infix(c)
            };
            match joined {
                None => break,
                Some(Some(j)) => term.push(j),
                Some(None) => {}
            }
            i += 1;
        }
        // Suffixes such as C++ and C#.
        let len = term.len();
        let mut count = 0;
        while i < n && matches!(chars[i].1, '+' | '#') {
            count += 1;
            if count > 3 {
                term.truncate(len);
                break;
            }
            term.push(chars[i].1);
            i += 1;
        }
        if count > 0 && i < n && is_word_char(chars[i].1) {
            // "fish+chips" is not "fish+" and "chips".
            term.truncate(len);
        }
        let end = if i < n { chars[i].0 } else { text.len() };
        if term.len() <= MAX_WORD_BYTES {
            sink(WordRef {
                text: term,
                capitalised,
                start,
                end,
            });
        }
    }
}

/// Whether Xapian would also index (and, in a query, search) the stem of
/// `term`: only words starting with a letter.
pub(crate) fn should_stem(term: &str) -> bool {
    term.chars().next().is_some_and(char::is_alphabetic)
}

/// The marked stem term of a lower-cased word.
pub(crate) fn stem_term(stemmer: &frostem::Stemmer, term: &str) -> String {
    let stem = stemmer.stem(term);
    let mut out = String::with_capacity(stem.len() + 1);
    out.push(STEM_MARK);
    out.push_str(&stem);
    out
}

/// The English stemmer used for indexing and queries.
pub(crate) fn english() -> frostem::Stemmer {
    frostem::Stemmer::new(frostem::Algorithm::English)
}

/// Tantivy tokenizer producing Xapian-like terms plus marked stems at the same
/// position. Registered as [`XAPIAN_TOKENIZER`].
#[derive(Clone)]
pub(crate) struct XapianTokenizer {
    tokens: Vec<Token>,
    chars: Vec<(usize, char)>,
    term: String,
    stemmer: frostem::Stemmer,
    /// Word → marked stem; mail vocabulary is Zipfian, so this saves most
    /// Snowball runs. Cleared when it grows past [`STEM_CACHE_MAX`].
    stems: HashMap<String, Option<String>>,
}

const STEM_CACHE_MAX: usize = 200_000;

/// Separates values that Xapian indexes with `increase_termpos` in between
/// (diff lines, body sections): phrases never match across it.
pub(crate) const VALUE_BREAK: char = '\u{1e}';

/// Name under which [`XapianTokenizer`] is registered in the index.
pub(crate) const XAPIAN_TOKENIZER: &str = "lpl_xapian";

impl XapianTokenizer {
    pub(crate) fn new() -> Self {
        Self {
            tokens: Vec::new(),
            chars: Vec::new(),
            term: String::new(),
            stemmer: english(),
            stems: HashMap::new(),
        }
    }
}

/// Token stream over a pre-computed token list.
pub(crate) struct VecTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

/// Writes a token into `tokens[*used]`, reusing its string allocation.
fn emit(
    tokens: &mut Vec<Token>,
    used: &mut usize,
    text: &str,
    from: usize,
    to: usize,
    position: usize,
) {
    if let Some(t) = tokens.get_mut(*used) {
        t.text.clear();
        t.text.push_str(text);
        t.offset_from = from;
        t.offset_to = to;
        t.position = position;
        t.position_length = 1;
    } else {
        tokens.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text: text.to_owned(),
            position_length: 1,
        });
    }
    *used += 1;
}

impl Tokenizer for XapianTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let mut used = 0usize;
        if self.stems.len() > STEM_CACHE_MAX {
            self.stems.clear();
        }
        let stemmer = self.stemmer;
        let mut position = 0usize;
        let tokens = &mut self.tokens;
        let stems = &mut self.stems;
        let chars = &mut self.chars;
        let term = &mut self.term;
        let used_ref = &mut used;
        let mut base = 0;
        // `position` also advances per word inside the closure, so it is not
        // a plain loop counter.
        #[allow(clippy::explicit_counter_loop)]
        for piece in text.split(VALUE_BREAK) {
            words_with(chars, term, piece, |w| {
                // Only stems that differ from the word are indexed: a query
                // for stem `s` searches the marked term and the word `s`.
                let (from, to) = (base + w.start, base + w.end);
                emit(tokens, used_ref, w.text, from, to, position);
                if should_stem(w.text) {
                    if !stems.contains_key(w.text) {
                        let s = stem_term(&stemmer, w.text);
                        let s = (s[STEM_MARK.len_utf8()..] != *w.text).then_some(s);
                        stems.insert(w.text.to_owned(), s);
                    }
                    if let Some(Some(stem)) = stems.get(w.text) {
                        emit(tokens, used_ref, stem, from, to, position);
                    }
                }
                position += 1;
            });
            // Xapian's increase_termpos between values.
            position += 1;
            base += piece.len() + VALUE_BREAK.len_utf8();
        }
        VecTokenStream {
            tokens: &mut self.tokens[..used],
            next: 0,
        }
    }
}

impl TokenStream for VecTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        words(s, |w| v.push(w.text));
        v
    }

    #[test]
    fn splits_like_xapian() {
        assert_eq!(
            terms("kmalloc_array(CONFIG_FOO)"),
            ["kmalloc_array", "config_foo"]
        );
        assert_eq!(terms("Linux 6.12-rc1"), ["linux", "6.12", "rc1"]);
        assert_eq!(
            terms("don't use C++ or fish+chips"),
            ["don't", "use", "c++", "or", "fish", "chips"]
        );
        assert_eq!(terms("david@redhat.com"), ["david", "redhat", "com"]);
        assert_eq!(terms("mm/huge_memory.c"), ["mm", "huge_memory", "c"]);
        assert_eq!(terms("AT&T, 1,000."), ["at&t", "1,000"]);
        let long = "a".repeat(65);
        assert_eq!(terms(&format!("x {long} y")), ["x", "y"]);
    }

    #[test]
    fn stems_only_words_starting_with_a_letter() {
        let s = english();
        assert!(should_stem("testing"));
        assert!(!should_stem("6.12"));
        assert!(!should_stem("_foo"));
        assert_eq!(stem_term(&s, "testing"), "\u{1}test");
    }

    #[test]
    fn token_stream_puts_stems_at_the_same_position() {
        let mut t = XapianTokenizer::new();
        let mut s = t.token_stream("Tested 42 test");
        let mut got = Vec::new();
        while s.advance() {
            got.push((s.token().text.clone(), s.token().position));
        }
        assert_eq!(
            got,
            [
                ("tested".to_owned(), 0),
                ("\u{1}test".to_owned(), 0),
                ("42".to_owned(), 1),
                ("test".to_owned(), 2)
            ]
        );
        let mut s = t.token_stream("1\u{1e}2");
        let mut got = Vec::new();
        while s.advance() {
            got.push((s.token().text.clone(), s.token().position));
        }
        assert_eq!(got, [("1".to_owned(), 0), ("2".to_owned(), 2)]);
    }
}
