//! Turning bytes in some (possibly wrong) charset into text.
//!
//! Kernel mail is mostly UTF-8 or ASCII, but archives contain every label
//! (`windows-1252`, `gb2312`, `koi8-r`, `iso-2022-jp`, `x-unknown`) and
//! 8-bit text with no label at all. The rules, in order:
//! 1. valid UTF-8 that contains multi-byte sequences is UTF-8, whatever the
//!    label says when the label is a single-byte one (a very common mislabel);
//! 2. a known label decodes with that charset (WHATWG semantics via
//!    `encoding_rs`: `gb2312` is GBK, `iso-8859-1`/`us-ascii` are windows-1252);
//! 3. no label or an unknown one: UTF-8 if valid, else a guess by `chardetng`.
//!
//! Every fallback is reported, so the decision is visible and can be redone
//! from the raw bytes that the store keeps.

use encoding_rs::Encoding;

/// How a piece of text was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// Decoded with the declared charset (or plain ASCII/UTF-8 as declared).
    AsDeclared,
    /// The declared charset was ignored because the bytes are valid UTF-8.
    Utf8DespiteLabel(String),
    /// The label was unknown; the charset was guessed.
    UnknownLabel {
        /// The label as written.
        label: String,
        /// The charset used instead.
        used: &'static str,
    },
    /// No label and not UTF-8: the charset was guessed.
    Guessed(&'static str),
    /// The declared charset produced replacement characters.
    Malformed(&'static str),
}

impl Decoded {
    /// Whether the decision deserves a diagnostic.
    pub fn is_fallback(&self) -> bool {
        !matches!(self, Decoded::AsDeclared)
    }
}

/// Looks up a MIME charset label, with the aliases mail uses beyond WHATWG.
pub fn lookup(label: &str) -> Option<&'static Encoding> {
    let l = label.trim().trim_matches('"').to_ascii_lowercase();
    let l = match l.as_str() {
        "utf8" | "utf-8" | "unicode-1-1-utf-8" | "x-unicode20utf8" => "utf-8",
        "ascii" | "us-ascii" | "ansi_x3.4-1968" | "iso646-us" | "646" => "windows-1252",
        "latin1" | "latin-1" => "windows-1252",
        "cp936" | "gb_2312-80" | "euc-cn" | "x-gbk" | "gb2312-80" => "gbk",
        "big5-hkscs" | "cp950" => "big5",
        "ks_c_5601-1987" | "cp949" => "euc-kr",
        "sjis" | "cp932" | "ms932" => "shift_jis",
        "utf-16le" | "utf-16be" | "utf-16" => l.as_str(),
        other => other,
    };
    Encoding::for_label(l.as_bytes())
}

/// Decodes `bytes` declared as `label` (if any).
pub fn decode(bytes: &[u8], label: Option<&str>) -> (String, Decoded) {
    decode_with(bytes, std::str::from_utf8(bytes).ok(), label)
}

/// [`decode`] of text already known to be valid UTF-8 (saves validating it
/// again); same result as `decode(text.as_bytes(), label)`.
pub fn decode_utf8(text: &str, label: Option<&str>) -> (String, Decoded) {
    decode_with(text.as_bytes(), Some(text), label)
}

/// [`decode`] with `utf8` = `std::str::from_utf8(bytes).ok()` given.
fn decode_with(bytes: &[u8], utf8: Option<&str>, label: Option<&str>) -> (String, Decoded) {
    // Only needed for declared non-UTF-8 charsets: computed there.
    let has_high = || match utf8 {
        Some(s) => !s.is_ascii(),
        None => !bytes.is_ascii(),
    };
    match label.map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => match lookup(l) {
            Some(enc) if enc == encoding_rs::UTF_8 => match utf8 {
                Some(s) => (s.to_owned(), Decoded::AsDeclared),
                None => guess(bytes, Decoded::Malformed("UTF-8")),
            },
            Some(enc) => {
                let has_high = has_high();
                let is_iso2022 = memchr::memchr(0x1b, bytes).is_some();
                if let (Some(s), true, true) = (utf8, has_high, enc.is_single_byte()) {
                    return (s.to_owned(), Decoded::Utf8DespiteLabel(l.to_owned()));
                }
                if !has_high && !is_iso2022 {
                    // Pure 7-bit text decodes identically in every ASCII-compatible charset.
                    if let Some(s) = utf8 {
                        return (s.to_owned(), Decoded::AsDeclared);
                    }
                }
                let (text, _, had_errors) = enc.decode(bytes);
                if had_errors {
                    if let Some(s) = utf8 {
                        return (s.to_owned(), Decoded::Utf8DespiteLabel(l.to_owned()));
                    }
                    (text.into_owned(), Decoded::Malformed(enc.name()))
                } else {
                    (text.into_owned(), Decoded::AsDeclared)
                }
            }
            None => match utf8 {
                Some(s) => (
                    s.to_owned(),
                    if has_high() {
                        Decoded::UnknownLabel {
                            label: l.to_owned(),
                            used: "UTF-8",
                        }
                    } else {
                        Decoded::AsDeclared
                    },
                ),
                None => {
                    let (text, used) = detect(bytes);
                    (
                        text,
                        Decoded::UnknownLabel {
                            label: l.to_owned(),
                            used,
                        },
                    )
                }
            },
        },
        None => match utf8 {
            Some(s) => (s.to_owned(), Decoded::AsDeclared),
            None => guess(bytes, Decoded::Guessed("")),
        },
    }
}

fn guess(bytes: &[u8], how: Decoded) -> (String, Decoded) {
    let (text, used) = detect(bytes);
    let how = match how {
        Decoded::Guessed(_) => Decoded::Guessed(used),
        other => other,
    };
    (text, how)
}

fn detect(bytes: &[u8]) -> (String, &'static str) {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    det.feed(bytes, true);
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, _) = enc.decode(bytes);
    (text.into_owned(), enc.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_mislabelled_as_latin1_is_utf8() {
        let (s, how) = decode("Résumé".as_bytes(), Some("iso-8859-1"));
        assert_eq!(s, "Résumé");
        assert!(matches!(how, Decoded::Utf8DespiteLabel(_)));
    }

    #[test]
    fn latin1_is_latin1() {
        let (s, how) = decode(b"R\xe9sum\xe9", Some("ISO-8859-1"));
        assert_eq!(s, "Résumé");
        assert_eq!(how, Decoded::AsDeclared);
    }

    #[test]
    fn gb2312_label_decodes_gbk() {
        let (bytes, _, _) = encoding_rs::GBK.encode("内存管理");
        let (s, how) = decode(&bytes, Some("gb2312"));
        assert_eq!(s, "内存管理");
        assert_eq!(how, Decoded::AsDeclared);
    }

    #[test]
    fn koi8r_and_big5_and_iso2022jp() {
        let (b, _, _) = encoding_rs::KOI8_R.encode("Привет");
        assert_eq!(decode(&b, Some("koi8-r")).0, "Привет");
        let (b, _, _) = encoding_rs::BIG5.encode("記憶體");
        assert_eq!(decode(&b, Some("big5")).0, "記憶體");
        let (b, _, _) = encoding_rs::ISO_2022_JP.encode("日本語");
        assert_eq!(decode(&b, Some("iso-2022-jp")).0, "日本語");
    }

    #[test]
    fn unlabelled_gbk_is_guessed_not_lost() {
        let text = "这是一个关于内存管理的补丁，用于修复大页拆分时的问题。";
        let (b, _, _) = encoding_rs::GBK.encode(text);
        let (s, how) = decode(&b, None);
        assert_eq!(s, text);
        assert!(matches!(how, Decoded::Guessed(_)));
    }

    #[test]
    fn decode_utf8_is_decode() {
        for text in ["plain", "Résumé", "a\u{1b}$B", "日本語", ""] {
            for label in [
                None,
                Some("utf-8"),
                Some("iso-8859-1"),
                Some("us-ascii"),
                Some("gb2312"),
                Some("iso-2022-jp"),
                Some("x-bogus"),
                Some(" "),
            ] {
                assert_eq!(
                    decode_utf8(text, label),
                    decode(text.as_bytes(), label),
                    "{text:?} {label:?}"
                );
            }
        }
    }

    #[test]
    fn bogus_label_falls_back() {
        let (s, how) = decode("naïve".as_bytes(), Some("x-bogus-charset"));
        assert_eq!(s, "naïve");
        assert!(matches!(how, Decoded::UnknownLabel { .. }));
        let (s, how) = decode(b"plain", Some("x-bogus-charset"));
        assert_eq!(s, "plain");
        assert_eq!(how, Decoded::AsDeclared);
    }
}
