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
//! - a word's stem is indexed once per field value, at the word's first
//!   occurrence. Stems are only ever searched as single terms (Xapian never
//!   stems inside phrases), so which documents match is unchanged; only the
//!   stem's within-document frequency, a BM25 input, counts distinct words
//!   instead of occurrences. That drops most stem postings: words repeat.

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
    words_with(&mut String::new(), text, |w| {
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

/// The character at byte `i` of `text` and its length (ASCII fast path).
#[inline]
fn char_at(text: &str, i: usize) -> (char, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (b as char, 1);
    }
    // `i` is always on a char boundary: every step advances by a char.
    let c = text[i..].chars().next().unwrap_or('\u{fffd}');
    (c, c.len_utf8())
}

#[inline]
fn push_lower(term: &mut String, c: char) {
    if c.is_ascii() {
        term.push(c.to_ascii_lowercase());
    } else {
        term.extend(c.to_lowercase());
    }
}

/// [`words`] with a caller-owned buffer (the tokenizer reuses it).
///
/// Walks the bytes of `text` once (mail text is mostly ASCII; other
/// characters are decoded where they occur).
fn words_with(term: &mut String, text: &str, mut sink: impl FnMut(WordRef<'_>)) {
    let n = text.len();
    let mut i = 0;
    while i < n {
        let (c0, l0) = char_at(text, i);
        if !is_word_char(c0) {
            i += l0;
            continue;
        }
        let start = i;
        let capitalised = c0.is_uppercase();
        term.clear();
        let mut prev;
        loop {
            // A run of word characters.
            loop {
                let (c, l) = char_at(text, i);
                push_lower(term, c);
                prev = c;
                i += l;
                if i >= n || !is_word_char(char_at(text, i).0) {
                    break;
                }
            }
            if i >= n {
                break;
            }
            let (c, l) = char_at(text, i);
            if i + l >= n {
                break;
            }
            let next = char_at(text, i + l).0;
            if !is_word_char(next) {
                break;
            }
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
            i += l;
        }
        // Suffixes such as C++ and C#.
        let len = term.len();
        let mut count = 0;
        while i < n && matches!(text.as_bytes()[i], b'+' | b'#') {
            count += 1;
            if count > 3 {
                term.truncate(len);
                break;
            }
            term.push(text.as_bytes()[i] as char);
            i += 1;
        }
        if count > 0 && i < n && is_word_char(char_at(text, i).0) {
            // "fish+chips" is not "fish+" and "chips".
            term.truncate(len);
        }
        let end = i.min(n);
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
    term: String,
    stem_buf: String,
    stemmer: frostem::Stemmer,
}

thread_local! {
    /// The stem cache of this thread and the generation of the field value
    /// being tokenized, for [`StemSlot::seen`]. Per thread, not per
    /// tokenizer: tantivy clones the tokenizer for every field of every
    /// segment writer, and a dozen caches per indexing thread thrashed the
    /// CPU cache that one shared cache fits in.
    static STEMS: std::cell::RefCell<(StemCache, u32)> =
        std::cell::RefCell::new((StemCache::new(), 0));
}

/// Longest word kept in the stem cache (longer ones are stemmed each time).
const SLOT_WORD: usize = 29;

/// One slot: a word and its stem, inline (no pointer to chase).
#[derive(Clone, Copy)]
struct StemSlot {
    /// Hash tag; 0 = empty.
    tag: u32,
    word_len: u8,
    /// 0: the stem is the word itself (nothing to index).
    stem_len: u8,
    /// Generation of the last field value whose stems included this
    /// word's; 0 = none.
    seen: u32,
    word: [u8; SLOT_WORD],
    stem: [u8; SLOT_WORD],
}

/// Word → stem, direct-mapped and small enough for the CPU cache: one
/// lookup per token, so a general hash map (a cache miss or two per
/// lookup on a vocabulary of 10^5+ words) cost more than Snowball itself on
/// the few misses. Mail vocabulary is Zipfian: the common words stay.
#[derive(Clone)]
struct StemCache {
    slots: Vec<StemSlot>,
}

const STEM_SLOTS: usize = 1 << 14;

impl StemCache {
    fn new() -> Self {
        Self {
            slots: vec![
                StemSlot {
                    tag: 0,
                    word_len: 0,
                    stem_len: 0,
                    seen: 0,
                    word: [0; SLOT_WORD],
                    stem: [0; SLOT_WORD],
                };
                STEM_SLOTS
            ],
        }
    }

    #[inline]
    fn hash(word: &[u8]) -> u64 {
        // FNV-1a over the bytes, then a multiply to spread the high bits.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in word {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        h.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// The stem of `word` (without the mark), `None` when it is the word
    /// itself. `scratch` receives a stem computed on a miss.
    #[cfg(test)]
    fn get<'a>(
        &'a mut self,
        stemmer: &frostem::Stemmer,
        word: &str,
        scratch: &'a mut String,
    ) -> Option<&'a str> {
        self.lookup(stemmer, word, scratch, 0).map(|(stem, _)| stem)
    }

    /// [`StemCache::get`], also telling whether this is the word's first
    /// lookup in `generation` (always true for a word not kept in the
    /// cache, so a stem is never wrongly skipped). `generation` 0 marks
    /// nothing.
    #[inline]
    fn lookup<'a>(
        &'a mut self,
        stemmer: &frostem::Stemmer,
        word: &str,
        scratch: &'a mut String,
        generation: u32,
    ) -> Option<(&'a str, bool)> {
        let wb = word.as_bytes();
        let compute = |scratch: &mut String| -> bool {
            let st = stemmer.stem(word);
            scratch.clear();
            scratch.push_str(&st);
            *scratch != word
        };
        if wb.len() > SLOT_WORD {
            return if compute(scratch) {
                Some((scratch.as_str(), true))
            } else {
                None
            };
        }
        let h = Self::hash(wb);
        let tag = ((h >> 32) as u32) | 1;
        let i = (h as usize) & (STEM_SLOTS - 1);
        let slot = &mut self.slots[i];
        let hit = slot.tag == tag
            && usize::from(slot.word_len) == wb.len()
            && &slot.word[..wb.len()] == wb;
        if !hit {
            let differs = compute(scratch);
            slot.tag = tag;
            slot.word_len = wb.len() as u8;
            slot.word[..wb.len()].copy_from_slice(wb);
            slot.seen = generation;
            // A stem is never longer than its word (Snowball only removes
            // or replaces suffixes); keep the slot consistent regardless.
            if differs && scratch.len() <= SLOT_WORD {
                slot.stem_len = scratch.len() as u8;
                slot.stem[..scratch.len()].copy_from_slice(scratch.as_bytes());
            } else {
                slot.stem_len = 0;
                slot.tag = if differs { 0 } else { tag };
            }
            return if differs {
                Some((scratch.as_str(), true))
            } else {
                None
            };
        }
        if slot.stem_len == 0 {
            return None;
        }
        let first = generation == 0 || slot.seen != generation;
        slot.seen = generation;
        let slot = &self.slots[i];
        std::str::from_utf8(&slot.stem[..usize::from(slot.stem_len)])
            .ok()
            .map(|stem| (stem, first))
    }

    /// Forgets every generation mark (when the counter wraps).
    fn clear_seen(&mut self) {
        for slot in &mut self.slots {
            slot.seen = 0;
        }
    }
}

/// Separates values that Xapian indexes with `increase_termpos` in between
/// (diff lines, body sections): phrases never match across it.
pub(crate) const VALUE_BREAK: char = '\u{1e}';

/// Name under which [`XapianTokenizer`] is registered in the index.
pub(crate) const XAPIAN_TOKENIZER: &str = "lpl_xapian";

impl XapianTokenizer {
    pub(crate) fn new() -> Self {
        Self {
            tokens: Vec::new(),
            term: String::new(),
            stem_buf: String::new(),
            stemmer: english(),
        }
    }
}

/// Token stream over a pre-computed token list.
pub(crate) struct VecTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

/// Writes a token (`mark` then `text`) into `tokens[*used]`, reusing its
/// string allocation.
fn emit(
    tokens: &mut Vec<Token>,
    used: &mut usize,
    mark: Option<char>,
    text: &str,
    from: usize,
    to: usize,
    position: usize,
) {
    if *used == tokens.len() {
        tokens.push(Token::default());
    }
    let t = &mut tokens[*used];
    t.text.clear();
    if let Some(m) = mark {
        t.text.push(m);
    }
    t.text.push_str(text);
    t.offset_from = from;
    t.offset_to = to;
    t.position = position;
    t.position_length = 1;
    *used += 1;
}

impl Tokenizer for XapianTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let mut used = 0usize;
        let stemmer = self.stemmer;
        let mut position = 0usize;
        let tokens = &mut self.tokens;
        let stem_buf = &mut self.stem_buf;
        let term = &mut self.term;
        let used_ref = &mut used;
        let mut base = 0;
        // `position` also advances per word inside the closure, so it is not
        // a plain loop counter.
        STEMS.with_borrow_mut(|(stems, generation)| {
            // A new field value: every word's stem is due once again.
            *generation = generation.wrapping_add(1);
            if *generation == 0 {
                stems.clear_seen();
                *generation = 1;
            }
            let generation = *generation;
            #[allow(clippy::explicit_counter_loop)]
            for piece in text.split(VALUE_BREAK) {
                words_with(term, piece, |w| {
                    // Only stems that differ from the word are indexed (a query
                    // for stem `s` searches the marked term and the word `s`),
                    // once per word and value.
                    let (from, to) = (base + w.start, base + w.end);
                    emit(tokens, used_ref, None, w.text, from, to, position);
                    if should_stem(w.text)
                        && let Some((stem, true)) =
                            stems.lookup(&stemmer, w.text, stem_buf, generation)
                    {
                        emit(tokens, used_ref, Some(STEM_MARK), stem, from, to, position);
                    }
                    position += 1;
                });
                // Xapian's increase_termpos between values.
                position += 1;
                base += piece.len() + VALUE_BREAK.len_utf8();
            }
        });
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
    fn stem_cache_agrees_with_snowball() {
        // More distinct words than slots, each seen twice: every lookup,
        // hit, miss or evicted, must give Snowball's answer.
        let stemmer = english();
        let mut cache = StemCache::new();
        let mut scratch = String::new();
        let suffixes = ["", "s", "ing", "ed", "ation", "ies", "ly", "ness"];
        for round in 0..2 {
            for i in 0..(STEM_SLOTS + 5000) {
                let w = format!("w{}{}", i, suffixes[(i + round) % suffixes.len()]);
                let want = stemmer.stem(&w).into_owned();
                let got = cache
                    .get(&stemmer, &w, &mut scratch)
                    .map(str::to_owned)
                    .unwrap_or_else(|| w.clone());
                assert_eq!(got, want, "{w}");
            }
        }
        let long = "a".repeat(SLOT_WORD + 3) + "ing";
        let got = cache.get(&stemmer, &long, &mut scratch).map(str::to_owned);
        assert_eq!(got.as_deref(), Some(&*stemmer.stem(&long)));
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
        // A repeated word's stem is indexed once per value; another word
        // with the same stem still gets its own, and a new value starts over.
        let mut s = t.token_stream("tested testing tested");
        let mut got = Vec::new();
        while s.advance() {
            got.push((s.token().text.clone(), s.token().position));
        }
        assert_eq!(
            got,
            [
                ("tested".to_owned(), 0),
                ("\u{1}test".to_owned(), 0),
                ("testing".to_owned(), 1),
                ("\u{1}test".to_owned(), 1),
                ("tested".to_owned(), 2),
            ]
        );
        let mut s = t.token_stream("tested");
        let mut n = 0;
        while s.advance() {
            n += 1;
        }
        assert_eq!(n, 2, "a new value indexes the stem again");
        let mut s = t.token_stream("1\u{1e}2");
        let mut got = Vec::new();
        while s.advance() {
            got.push((s.token().text.clone(), s.token().position));
        }
        assert_eq!(got, [("1".to_owned(), 0), ("2".to_owned(), 2)]);
    }
}
