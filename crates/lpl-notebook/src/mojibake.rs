//! Detection and exact repair of double-encoded UTF-8 ("mojibake").
//!
//! The failure this undoes: UTF-8 bytes were decoded with a Windows code
//! page and the resulting characters encoded as UTF-8 again, so `支`
//! (`E6 94 AF`) became `æ”¯`. Mapping every character back to its byte and
//! decoding the bytes as UTF-8 recovers the text exactly, except where the
//! first decode could not map a byte: cp1252 leaves `0x81 0x8D 0x8F 0x90
//! 0x9D` undefined, cp1254 (Turkish) those and `0x8E 0x9E`, and the tool
//! that produced the seed dropped them. Those spots are not guessed: each
//! becomes one U+FFFD in the output and is reported with its line, column
//! and the characters it could have been.
//!
//! Which code page: the seed was decoded as cp1254, not cp1252: it holds
//! `ğ` (cp1254's `0xF0`: `ğŸš§` is `🚧`, `F0 9F 9A A7`) and never `Ž`/`ž`
//! (cp1252's `0x8E`/`0x9E`, which CJK text needs constantly: `后` is
//! `E5 90 8E`), so `0x8E` and `0x9E` were lost too. [`repair`] decides from
//! the same evidence and reports its choice in [`Repair::code_page`].
//!
//! Also exact: C1 control characters U+0080..U+009F (what some decoders
//! produce for undefined bytes) map back to their byte, and cp1254's
//! letters (`ğ Ğ İ Ş ı ş`) map back to their byte only when that byte
//! completes a valid UTF-8 sequence with its neighbours.

use std::ops::Range;

/// The cp1252 characters for bytes `0x80..=0x9F` (`None` where undefined).
const CP1252_HIGH: [Option<char>; 32] = [
    Some('\u{20AC}'),
    None,
    Some('\u{201A}'),
    Some('\u{0192}'),
    Some('\u{201E}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{02C6}'),
    Some('\u{2030}'),
    Some('\u{0160}'),
    Some('\u{2039}'),
    Some('\u{0152}'),
    None,
    Some('\u{017D}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201C}'),
    Some('\u{201D}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{02DC}'),
    Some('\u{2122}'),
    Some('\u{0161}'),
    Some('\u{203A}'),
    Some('\u{0153}'),
    None,
    Some('\u{017E}'),
    Some('\u{0178}'),
];

/// The bytes cp1252 leaves undefined: these are the ones that get lost.
pub const CP1252_UNDEFINED: &[u8] = &[0x81, 0x8D, 0x8F, 0x90, 0x9D];
/// The bytes cp1254 leaves undefined.
pub const CP1254_UNDEFINED: &[u8] = &[0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E];

/// The code page the text was wrongly decoded with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodePage {
    /// Windows-1252 (Western).
    Cp1252,
    /// Windows-1254 (Turkish): as cp1252 but `0x8E 0x9E` undefined and six
    /// Turkish letters in place of Icelandic ones.
    Cp1254,
}

impl CodePage {
    /// The bytes this code page cannot decode (and which were lost).
    pub fn undefined(self) -> &'static [u8] {
        match self {
            CodePage::Cp1252 => CP1252_UNDEFINED,
            CodePage::Cp1254 => CP1254_UNDEFINED,
        }
    }
}

/// cp1254 characters absent from cp1252, with their byte.
const CP1254_EXTRA: [(char, u8); 6] = [
    ('\u{011E}', 0xD0),
    ('\u{0130}', 0xDD),
    ('\u{015E}', 0xDE),
    ('\u{011F}', 0xF0),
    ('\u{0131}', 0xFD),
    ('\u{015F}', 0xFE),
];

/// How a character of the input maps back to a byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Back {
    /// Exactly one cp1252 (or C1/latin-1) byte.
    Byte(u8),
    /// A cp1254 byte: used only inside a valid sequence.
    Fallback(u8),
    /// Not a single-byte character: passes through unchanged.
    None,
}

fn back(c: char) -> Back {
    let u = c as u32;
    if u < 0x80 || (0xA0..=0xFF).contains(&u) {
        return Back::Byte(u as u8);
    }
    if (0x80..0xA0).contains(&u) {
        // C1 controls: exact for the undefined five, and harmless for the
        // rest (a decoder that maps bytes 1:1 to U+0080..U+009F).
        return Back::Byte(u as u8);
    }
    if let Some(i) = CP1252_HIGH.iter().position(|x| *x == Some(c)) {
        return Back::Byte(0x80 + i as u8);
    }
    if let Some((_, b)) = CP1254_EXTRA.iter().find(|(x, _)| *x == c) {
        return Back::Fallback(*b);
    }
    Back::None
}

/// One place where bytes were lost before the file reached us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostSpot {
    /// 1-based line number (the same in the input and the repaired text).
    pub line: usize,
    /// 1-based column, in characters, of the U+FFFD in the repaired line.
    pub column: usize,
    /// Byte range of the damaged characters in the input.
    pub input_span: Range<usize>,
    /// Byte offset of the U+FFFD in the repaired text.
    pub output_offset: usize,
    /// The bytes that survived (a UTF-8 lead byte and some continuations).
    pub surviving: Vec<u8>,
    /// How many bytes are missing for a complete sequence.
    pub missing: usize,
    /// Every character the spot could have been, given that the lost bytes
    /// were among the code page's undefined ones (computed for up to two
    /// lost bytes; empty beyond).
    pub candidates: Vec<char>,
}

impl std::fmt::Display for LostSpot {
    /// `line 15, column 6: 1 byte lost after E6 8C (could be: 挀 挍 挎 挏 挐 挝 挞)`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex: Vec<String> = self.surviving.iter().map(|b| format!("{b:02X}")).collect();
        write!(
            f,
            "line {}, column {}: {} byte{} lost after {}",
            self.line,
            self.column,
            self.missing,
            if self.missing == 1 { "" } else { "s" },
            hex.join(" ")
        )?;
        if !self.candidates.is_empty() {
            let c: String = self.candidates.iter().map(|c| format!(" {c}")).collect();
            write!(f, " (could be:{c})")?;
        }
        Ok(())
    }
}

/// What [`repair`] found and did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    /// Whether the input looks double-encoded (if not, `text` is the input).
    pub detected: bool,
    /// The code page the text had been decoded with (meaningful if detected).
    pub code_page: CodePage,
    /// The repaired text (or the input unchanged when not detected).
    pub text: Vec<u8>,
    /// Multi-byte characters restored exactly.
    pub restored: usize,
    /// Spots where bytes were lost (U+FFFD in `text`).
    pub lost: Vec<LostSpot>,
}

/// One unit of the input after mapping characters back to bytes.
struct Unit {
    back: Back,
    /// Byte range of the character in the input.
    span: Range<usize>,
}

fn seq_len(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

fn is_cont(b: u8) -> bool {
    (0x80..0xC0).contains(&b)
}

fn unit_byte(u: &Unit) -> Option<u8> {
    match u.back {
        Back::Byte(b) | Back::Fallback(b) => Some(b),
        Back::None => None,
    }
}

/// Detects double-encoded UTF-8 in `input` and repairs it where exact.
///
/// Input that is not valid UTF-8, or whose non-ASCII text does not decode
/// as mojibake far more often than not, is returned unchanged with
/// `detected: false`.
pub fn repair(input: &[u8]) -> Repair {
    let unchanged = || Repair {
        detected: false,
        code_page: CodePage::Cp1252,
        text: input.to_vec(),
        restored: 0,
        lost: Vec::new(),
    };
    let Ok(s) = std::str::from_utf8(input) else {
        return unchanged();
    };
    let units: Vec<Unit> = s
        .char_indices()
        .map(|(i, c)| Unit {
            back: back(c),
            span: i..i + c.len_utf8(),
        })
        .collect();

    let (mut out, mut restored, mut lost, turkish) = decode(input, &units);
    // Double-encoding leaves more restorable sequences than holes (the seed:
    // 998 and 265); text that is not double-encoded restores next to none.
    let detected = restored >= 3 && restored >= lost.len();
    if !detected {
        return unchanged();
    }
    let western_only = s.contains(['\u{017D}', '\u{017E}']);
    let code_page = if turkish || !western_only {
        CodePage::Cp1254
    } else {
        CodePage::Cp1252
    };
    if code_page == CodePage::Cp1254 && units.iter().any(|u| matches!(u.back, Back::Fallback(_))) {
        // The Turkish letters are bytes for sure now, also where they lead
        // a damaged sequence: decode again with them as plain bytes.
        let units: Vec<Unit> = units
            .into_iter()
            .map(|u| match u.back {
                Back::Fallback(b) => Unit {
                    back: Back::Byte(b),
                    span: u.span,
                },
                _ => u,
            })
            .collect();
        (out, restored, lost, _) = decode(input, &units);
    }
    for spot in &mut lost {
        spot.candidates = candidates_for(&spot.surviving, spot.missing, code_page.undefined());
    }
    locate(&out, &mut lost);
    Repair {
        detected,
        code_page,
        text: out,
        restored,
        lost,
    }
}

/// One decoding pass: (output, restored count, lost spots, whether a
/// cp1254 letter completed a valid sequence).
fn decode(input: &[u8], units: &[Unit]) -> (Vec<u8>, usize, Vec<LostSpot>, bool) {
    let mut out: Vec<u8> = Vec::with_capacity(input.len());
    let mut restored = 0usize;
    let mut lost = Vec::new();
    let mut turkish = false;
    let mut i = 0;
    while i < units.len() {
        let u = &units[i];
        let original = &input[u.span.clone()];
        let Some(b) = unit_byte(u) else {
            out.extend_from_slice(original);
            i += 1;
            continue;
        };
        if b < 0x80 {
            out.push(b);
            i += 1;
            continue;
        }
        let Some(need) = seq_len(b) else {
            // A stray continuation or an invalid lead: not mojibake here.
            out.extend_from_slice(original);
            i += 1;
            continue;
        };
        // Gather the following continuation bytes (at most need - 1).
        let mut bytes = vec![b];
        let mut j = i + 1;
        while bytes.len() < need && j < units.len() {
            match unit_byte(&units[j]) {
                Some(c) if is_cont(c) => {
                    bytes.push(c);
                    j += 1;
                }
                _ => break,
            }
        }
        if bytes.len() == need
            && let Ok(decoded) = std::str::from_utf8(&bytes)
        {
            out.extend_from_slice(decoded.as_bytes());
            restored += 1;
            turkish |= units[i..j]
                .iter()
                .any(|u| matches!(u.back, Back::Fallback(_)));
            i = j;
            continue;
        }
        let fallback_involved = units[i..j]
            .iter()
            .any(|u| matches!(u.back, Back::Fallback(_)));
        if bytes.len() == need || fallback_involved {
            // An invalid complete sequence, or a cp1254 guess that did not
            // fit: keep the first character as it was.
            out.extend_from_slice(original);
            i += 1;
            continue;
        }
        // A truncated sequence: bytes were lost here.
        let missing = need - bytes.len();
        lost.push(LostSpot {
            line: 0,
            column: 0,
            input_span: units[i].span.start..units[j - 1].span.end,
            output_offset: out.len(),
            surviving: bytes,
            missing,
            candidates: Vec::new(),
        });
        out.extend_from_slice("\u{FFFD}".as_bytes());
        i = j;
    }

    (out, restored, lost, turkish)
}

/// The characters a truncated sequence could have been, given which bytes
/// could have been lost (up to two lost bytes; none beyond).
fn candidates_for(surviving: &[u8], missing: usize, lost_set: &[u8]) -> Vec<char> {
    let mut found = Vec::new();
    if missing == 0 || missing > 2 {
        return found;
    }
    let mut seqs: Vec<Vec<u8>> = vec![surviving.to_vec()];
    for _ in 0..missing {
        let mut next = Vec::new();
        for s in &seqs {
            for pos in 1..=s.len() {
                for &b in lost_set {
                    let mut v = s.clone();
                    v.insert(pos, b);
                    next.push(v);
                }
            }
        }
        seqs = next;
    }
    for v in seqs {
        if let Ok(s) = std::str::from_utf8(&v) {
            let c = s.chars().next().expect("one char decoded");
            if !found.contains(&c) {
                found.push(c);
            }
        }
    }
    found.sort_unstable();
    found
}

fn locate(out: &[u8], lost: &mut [LostSpot]) {
    let mut line = 1usize;
    let mut line_start = 0usize;
    let mut pos = 0usize;
    for spot in lost.iter_mut() {
        while pos < spot.output_offset {
            if out[pos] == b'\n' {
                line += 1;
                line_start = pos + 1;
            }
            pos += 1;
        }
        let col = String::from_utf8_lossy(&out[line_start..spot.output_offset])
            .chars()
            .count()
            + 1;
        spot.line = line;
        spot.column = col;
    }
}

/// The likeliest character for one lost spot, and the others in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters) of the U+FFFD.
    pub column: usize,
    /// Byte offset of the U+FFFD in the repaired text.
    pub output_offset: usize,
    /// The suggested character.
    pub best: char,
    /// Every candidate, likeliest first.
    pub ranked: Vec<char>,
    /// The share of the candidates' likelihood that `best` has (0..=1): low
    /// values are guesses.
    pub confidence: f64,
}

/// Character statistics of Chinese technical text, restricted to what can
/// be a hole: `U c n` (count of a character that loses a byte in cp1254)
/// and `B xy n` (count of a pair holding one). Generated by
/// `tools/zh_table.py` from the kernel's Chinese documentation.
const ZH_TABLE: &str = include_str!("zh_lossy.txt");

struct Table {
    uni: std::collections::HashMap<char, u32>,
    bi: std::collections::HashMap<(char, char), u32>,
}

fn table() -> &'static Table {
    static T: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut t = Table {
            uni: Default::default(),
            bi: Default::default(),
        };
        for l in ZH_TABLE.lines() {
            let mut it = l.splitn(3, ' ');
            let (Some(kind), Some(key), Some(n)) = (it.next(), it.next(), it.next()) else {
                continue;
            };
            let Ok(n) = n.parse::<u32>() else { continue };
            let mut cs = key.chars();
            match (kind, cs.next(), cs.next(), cs.next()) {
                ("U", Some(c), None, _) => {
                    t.uni.insert(c, n);
                }
                ("B", Some(a), Some(b), None) => {
                    t.bi.insert((a, b), n);
                }
                _ => {}
            }
        }
        t
    })
}

/// Suggests a character for each spot of `r.lost`, from the candidates its
/// surviving bytes allow, ranked by how often each occurs in Chinese
/// technical text and with the characters beside the hole.
///
/// Why not from the file itself: a character that loses a byte loses it
/// everywhere in the file, so the intact text of the same file never holds
/// any candidate; what it gives is the neighbours, which is how they are
/// used here. Spots with more than two lost bytes get no suggestion.
pub fn suggest(r: &Repair) -> Vec<Suggestion> {
    let t = table();
    let text = String::from_utf8_lossy(&r.text);
    let mut out = Vec::new();
    for spot in &r.lost {
        if spot.candidates.is_empty() {
            continue;
        }
        let at = spot.output_offset.min(text.len());
        let prev = text[..at].chars().next_back().filter(|&c| c != '\u{FFFD}');
        let next = text
            .get(at + '\u{FFFD}'.len_utf8()..)
            .and_then(|s| s.chars().next())
            .filter(|&c| c != '\u{FFFD}');
        let score = |c: char| -> f64 {
            let u = f64::from(t.uni.get(&c).copied().unwrap_or(0));
            let mut s = (u + 0.1).ln();
            if let Some(p) = prev {
                s += (f64::from(t.bi.get(&(p, c)).copied().unwrap_or(0)) + 0.1).ln();
            }
            if let Some(n) = next {
                s += (f64::from(t.bi.get(&(c, n)).copied().unwrap_or(0)) + 0.1).ln()
                    - (u + 1.0).ln();
            }
            s
        };
        let mut ranked: Vec<(char, f64)> = spot.candidates.iter().map(|&c| (c, score(c))).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let top = ranked[0].1;
        let mass: f64 = ranked.iter().map(|(_, s)| (s - top).exp()).sum();
        out.push(Suggestion {
            line: spot.line,
            column: spot.column,
            output_offset: spot.output_offset,
            best: ranked[0].0,
            ranked: ranked.iter().map(|(c, _)| *c).collect(),
            confidence: 1.0 / mass,
        });
    }
    out
}

/// The repaired text with each suggestion put in its hole.
pub fn apply_suggestions(r: &Repair, suggestions: &[Suggestion]) -> Vec<u8> {
    let mut out = Vec::with_capacity(r.text.len());
    let mut pos = 0;
    let fffd = "\u{FFFD}".as_bytes();
    for s in suggestions {
        if s.output_offset < pos || r.text.get(s.output_offset..s.output_offset + 3) != Some(fffd) {
            continue;
        }
        out.extend_from_slice(&r.text[pos..s.output_offset]);
        let mut b = [0u8; 4];
        out.extend_from_slice(s.best.encode_utf8(&mut b).as_bytes());
        pos = s.output_offset + fffd.len();
    }
    out.extend_from_slice(&r.text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mojibake(s: &str) -> String {
        // Encode as UTF-8, decode as cp1252 (dropping undefined bytes).
        s.bytes()
            .filter_map(|b| {
                if !(0x80..0xA0).contains(&b) {
                    Some(b as char)
                } else {
                    CP1252_HIGH[(b - 0x80) as usize]
                }
            })
            .collect()
    }

    #[test]
    fn lone_lead_is_a_loss_with_candidates() {
        // 后 is E5 90 8E; as cp1254 both continuation bytes are lost.
        let r = repair("ç„¶å，æ˜¯ ä¸€ä¸ª".as_bytes());
        assert!(r.detected);
        assert_eq!(r.code_page, CodePage::Cp1254);
        assert_eq!(r.lost.len(), 1);
        assert_eq!(r.lost[0].missing, 2);
        assert!(r.lost[0].candidates.contains(&'后'));
        assert_eq!(String::from_utf8(r.text).unwrap(), "然\u{FFFD}，是 一个");
    }

    #[test]
    fn restores_cjk_exactly() {
        let m = mojibake("支持 anon THP, 在 2025 年（LSFMM） 🚧");
        let r = repair(m.as_bytes());
        assert!(r.detected);
        // 持 is E6 8C 81: its last byte is undefined in cp1252 and lost.
        assert_eq!(r.lost.len(), 1);
        let spot = &r.lost[0];
        assert_eq!((spot.line, spot.column), (1, 2));
        assert!(spot.candidates.contains(&'持'));
        assert_eq!(
            String::from_utf8(r.text).unwrap(),
            "支\u{FFFD} anon THP, 在 2025 年（LSFMM） 🚧"
        );
    }

    #[test]
    fn plain_text_is_not_mojibake() {
        for s in ["café au lait", "支持 anon THP", "plain ascii", "Ã©"] {
            let r = repair(s.as_bytes());
            assert!(!r.detected, "{s}");
            assert_eq!(r.text, s.as_bytes());
        }
        assert!(!repair(b"\xff\xfe bad utf-8").detected);
    }

    #[test]
    fn turkish_letters_are_bytes_once_cp1254_is_evident() {
        // `ğŸš§` is 🚧: cp1254. Then a lone `ğ` is a lead byte whose
        // continuation bytes were lost (an original ğ would read `ÄŸ`).
        let r = repair("ğŸš§ çº¿ ç¨‹ Ã¤ ğx".as_bytes());
        assert!(r.detected);
        assert_eq!(r.code_page, CodePage::Cp1254);
        assert_eq!(String::from_utf8(r.text).unwrap(), "🚧 线 程 ä \u{FFFD}x");
        assert_eq!(r.lost.len(), 1);
        // With cp1252's `Ž` (0x8E) in use and no Turkish sequence, `ğ` is text.
        let r = repair("çº¿ ç¨‹ Ã¤ çŽ‹ ğx".as_bytes());
        assert_eq!(r.code_page, CodePage::Cp1252);
        assert_eq!(String::from_utf8(r.text).unwrap(), "线 程 ä 王 ğx");
    }

    /// UTF-8 bytes decoded as cp1254, undefined bytes dropped (as the seed).
    fn mojibake_1254(s: &str) -> String {
        s.bytes()
            .filter_map(|b| match b {
                0x8E | 0x9E => None,
                0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
                _ => CP1254_EXTRA
                    .iter()
                    .find(|(_, x)| *x == b)
                    .map(|(c, _)| *c)
                    .or(Some(b as char)),
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn repair_inverts_cp1254_mojibake(chars in proptest::collection::vec(proptest::prop_oneof![
            proptest::char::range('a', 'z'),
            proptest::char::range('\u{4E00}', '\u{9FA5}'),
            proptest::char::range('\u{00C0}', '\u{017F}'),
            proptest::char::range('\u{0400}', '\u{04FF}'),
            proptest::char::range('\u{1F300}', '\u{1F6FF}'),
            proptest::prelude::Just(' '),
            proptest::prelude::Just('\n'),
        ], 0..60)) {
            let s: String = chars.iter().collect();
            let lossy = |c: char| {
                let mut b = [0u8; 4];
                c.encode_utf8(&mut b).bytes().any(|x| CP1254_UNDEFINED.contains(&x))
            };
            let want: String = s.chars().map(|c| if lossy(c) { '\u{FFFD}' } else { c }).collect();
            let damaged: Vec<char> = s.chars().filter(|&c| lossy(c)).collect();
            let intact = s.chars().filter(|&c| c.len_utf8() > 1 && !lossy(c)).count();
            let r = repair(mojibake_1254(&s).as_bytes());
            if intact >= 3 && intact >= damaged.len() {
                proptest::prop_assert!(r.detected);
            }
            if r.detected {
                proptest::prop_assert_eq!(String::from_utf8(r.text.clone()).unwrap(), want);
                proptest::prop_assert_eq!(r.lost.len(), damaged.len());
                for (spot, c) in r.lost.iter().zip(&damaged) {
                    if spot.missing <= 2 {
                        proptest::prop_assert!(spot.candidates.contains(c), "{} not in {:?}", c, spot.candidates);
                    }
                }
            }
        }
    }
}
