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
//!   English stem, marked with [`STEM_MARK`] (Xapian's `Z` prefix), so
//!   `testing` matches `tests` while `"testing"` and `Testing` match only
//!   the word itself. To halve the postings, the marked stem is left out
//!   when it equals the word; queries for a stem `s` therefore search the
//!   marked `s` and the plain word `s`. Stems are only ever searched as
//!   single terms (Xapian never stems inside phrases), so they need no
//!   positions.
//! - runs of Chinese, Japanese and Korean characters (Xapian's
//!   `CJK::codepoint_is_cjk` ranges), which are written without spaces,
//!   are cut into overlapping bigrams, as Xapian's `FLAG_CJK_NGRAM` does:
//!   `延迟拆分` is `延迟`, `迟拆`, `拆分`, each a word at its own position, so
//!   a query run becomes a phrase of its bigrams and finds any word inside
//!   a longer run. A run of one character is a word of its own. Each
//!   character of a bigram is also indexed as a marked unigram (without
//!   position, like a stem), so a one-character query finds it anywhere.

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
    /// A bigram after the first of its CJK run: it overlaps the word
    /// before (no separator between them; they form one phrase).
    pub joined: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_mark(c)
}

/// Xapian's `CJK::codepoint_is_cjk`: CJK ideographs and radicals, kana,
/// Hangul, full-width forms.
pub(crate) fn is_cjk(c: char) -> bool {
    let p = c as u32;
    p >= 0x2e80
        && matches!(p, 0x2e80..=0x2eff | 0x3000..=0x9fff | 0xa700..=0xa71f | 0xac00..=0xd7af
            | 0xf900..=0xfaff | 0xfe30..=0xfe4f | 0xff00..=0xffef | 0x20000..=0x2a6df
            | 0x2f800..=0x2fa1f)
}

/// A CJK character that is part of a word (not CJK punctuation).
fn is_cjk_word_char(c: char) -> bool {
    is_cjk(c) && is_word_char(c)
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
            joined: w.joined,
        })
    });
}

/// A word borrowed from the splitter's buffer.
struct WordRef<'a> {
    text: &'a str,
    capitalised: bool,
    start: usize,
    end: usize,
    joined: bool,
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
        if c0 >= '\u{2e80}' && is_cjk(c0) {
            i = cjk_run(term, text, i, &mut sink);
            continue;
        }
        let start = i;
        let capitalised = c0.is_uppercase();
        term.clear();
        let mut prev;
        let bytes = text.as_bytes();
        loop {
            // A run of word characters.
            loop {
                if bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' {
                    // ASCII fast path: the whole ASCII part of the run at
                    // once.
                    let s = i;
                    while i < n && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                        i += 1;
                    }
                    let from = term.len();
                    term.push_str(&text[s..i]);
                    term[from..].make_ascii_lowercase();
                    prev = bytes[i - 1] as char;
                } else {
                    let (c, l) = char_at(text, i);
                    push_lower(term, c);
                    prev = c;
                    i += l;
                }
                if i >= n || !is_latin_word_char(char_at(text, i).0) {
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
            if !is_latin_word_char(next) {
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
        if count > 0 && i < n && is_latin_word_char(char_at(text, i).0) {
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
                joined: false,
            });
        }
    }
}

/// A word character that continues a word of other scripts: CJK starts a
/// run of its own (`v2版本` is `v2` and `版本`).
#[inline]
fn is_latin_word_char(c: char) -> bool {
    is_word_char(c) && (c < '\u{2e80}' || !is_cjk(c))
}

/// The CJK run starting at byte `i` as bigrams (or one unigram); returns
/// the byte after it.
fn cjk_run(
    term: &mut String,
    text: &str,
    mut i: usize,
    sink: &mut impl FnMut(WordRef<'_>),
) -> usize {
    let n = text.len();
    // The previous character and where it starts.
    let (mut prev, l0) = char_at(text, i);
    let mut prev_at_start = i;
    i += l0;
    let mut first = true;
    while i < n {
        let (c, l) = char_at(text, i);
        if !is_cjk_word_char(c) {
            break;
        }
        term.clear();
        push_lower(term, prev);
        push_lower(term, c);
        sink(WordRef {
            text: term,
            capitalised: false,
            start: prev_at_start,
            end: i + l,
            joined: !first,
        });
        first = false;
        prev = c;
        prev_at_start = i;
        i += l;
    }
    if first {
        term.clear();
        push_lower(term, prev);
        sink(WordRef {
            text: term,
            capitalised: false,
            start: prev_at_start,
            end: i,
            joined: false,
        });
    }
    i
}

/// The two characters of a CJK bigram word, each indexed as a marked
/// unigram ([`unigram_term`]).
pub(crate) fn cjk_pair(w: &str) -> Option<(char, char)> {
    let mut cs = w.chars();
    let (a, b) = (cs.next()?, cs.next()?);
    (cs.next().is_none() && is_cjk(a) && is_cjk(b)).then_some((a, b))
}

/// The marked unigram term of one CJK character (under [`STEM_MARK`], so a
/// one-character query searches it as the word's "stem").
pub(crate) fn unigram_term(c: char) -> String {
    let mut out = String::with_capacity(c.len_utf8() + 1);
    out.push(STEM_MARK);
    out.extend(c.to_lowercase());
    out
}

/// Whether Xapian would also index (and, in a query, search) the stem of
/// `term`: only words starting with a letter.
/// A CJK bigram has no stem (its characters are indexed as unigrams); a
/// single CJK character's "stem" is its marked unigram.
pub(crate) fn should_stem(term: &str) -> bool {
    let mut cs = term.chars();
    match cs.next() {
        Some(c) if is_cjk(c) => c.is_alphabetic() && cs.next().is_none(),
        Some(c) => c.is_alphabetic(),
        None => false,
    }
}

/// The marked stem term of a lower-cased word.
pub(crate) fn stem_term(stemmer: &frostem::Stemmer, term: &str) -> String {
    let mut cs = term.chars();
    if let (Some(c), None) = (cs.next(), cs.next())
        && is_cjk(c)
    {
        return unigram_term(c);
    }
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

/// Words of `text` as borrowed lower-cased strings, with a caller-owned
/// buffer.
pub(crate) fn words_into(term: &mut String, text: &str, mut sink: impl FnMut(&str)) {
    words_with(term, text, |w| sink(w.text));
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
    fn mixed_ascii_and_other_letters_stay_one_word() {
        assert_eq!(
            terms("naïve Café_ÜNÏ x Größe9 ÀB_c"),
            ["naïve", "café_ünï", "x", "größe9", "àb_c"]
        );
        assert_eq!(terms("a\u{301}b"), ["a\u{301}b"], "combining mark inside");
        assert_eq!(terms("MM/Huge_Memory.C"), ["mm", "huge_memory", "c"]);
    }

    #[test]
    fn cjk_runs_are_bigrams_at_their_own_positions() {
        // The seed roadmap's line (decoded): a run, then Latin, then a run.
        assert_eq!(
            terms("首次支持延迟拆分大页。"),
            [
                "首次", "次支", "支持", "持延", "延迟", "迟拆", "拆分", "分大", "大页"
            ]
        );
        assert_eq!(terms("延迟拆分"), ["延迟", "迟拆", "拆分"]);
        // A one-character run is a word; CJK punctuation ends a run.
        assert_eq!(terms("页，THP 页"), ["页", "thp", "页"]);
        // Scripts meet without a space: each its own word.
        assert_eq!(
            terms("v2版本 split_huge_page拆分THP"),
            ["v2", "版本", "split_huge_page", "拆分", "thp"]
        );
        // Japanese kana and Korean Hangul too (iso-2022-jp sample of
        // public-inbox, decoded).
        assert_eq!(
            terms("|けいじゅ＠今はフリー(^^;;;です."),
            [
                "けい", "いじ", "じゅ", "今は", "はフ", "フリ", "リー", "です"
            ]
        );
        assert_eq!(terms("커널 패치"), ["커널", "패치"]);
        // Offsets cover the two characters; later bigrams are joined.
        let mut ws = Vec::new();
        words("a 延迟拆", |w| ws.push(w));
        assert_eq!((ws[1].start, ws[1].end, ws[1].joined), (2, 8, false));
        assert_eq!((ws[2].start, ws[2].end, ws[2].joined), (5, 11, true));
        assert!(!ws[0].joined);
        assert_eq!(terms("C++中文"), ["c++", "中文"]);
    }

    #[test]
    fn cjk_bigrams_have_unigrams_not_stems() {
        let s = english();
        assert!(!should_stem("延迟"));
        assert!(should_stem("页"));
        assert_eq!(stem_term(&s, "页"), "\u{1}页");
        assert_eq!(cjk_pair("延迟"), Some(('延', '迟')));
        assert_eq!(cjk_pair("页"), None);
        assert_eq!(cjk_pair("ab"), None);
        assert_eq!(unigram_term('迟'), "\u{1}迟");
    }

    #[test]
    fn words_into_borrows_the_same_words() {
        let mut buf = String::new();
        let mut got = Vec::new();
        words_into(&mut buf, "Tested 42 C++ kmalloc_array", |w| {
            got.push(w.to_owned())
        });
        assert_eq!(got, terms("Tested 42 C++ kmalloc_array"));
        assert_eq!(got, ["tested", "42", "c++", "kmalloc_array"]);
    }
}
