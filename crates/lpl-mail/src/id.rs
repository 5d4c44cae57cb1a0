//! Message-ID identity and parsing of `References`/`In-Reply-To` lists.

use std::fmt;

/// A normalised Message-ID: without angle brackets or surrounding space.
///
/// Case is preserved (public-inbox and lore do the same); two IDs differing
/// only in case are different messages.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct MessageId(String);

impl MessageId {
    /// Normalises `raw` (`<id@host>`, ` id@host `, `id:...` is not accepted here).
    ///
    /// Returns `None` when nothing usable remains (empty, or whitespace inside).
    pub fn new(raw: &str) -> Option<Self> {
        let s = raw.trim();
        let s = s.strip_prefix('<').unwrap_or(s);
        let s = s.strip_suffix('>').unwrap_or(s).trim();
        if s.is_empty()
            || s.len() > 998
            || s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        {
            return None;
        }
        Some(MessageId(s.to_owned()))
    }

    /// The ID without brackets.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ID as written in headers: `<id>`.
    pub fn bracketed(&self) -> String {
        format!("<{}>", self.0)
    }

    /// A short, stable name for the message: see [`short_id`].
    pub fn short_id(&self) -> String {
        short_id(&self.0)
    }
}

/// A short, stable name of a Message-ID: 8 hex digits of its FNV-1a hash
/// (the same in every archive that has the message). `lpl series` names
/// revisions by the short id of their key message, `lpl diff` patches by
/// their own.
pub fn short_id(message_id: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in message_id.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", (h >> 32) as u32 ^ h as u32)
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0)
    }
}

/// Extracts every Message-ID from a `References`/`In-Reply-To` style value.
///
/// Bracketed tokens win; mailers that write bare IDs (or junk such as
/// `Message from X of "date" <id>`) are handled by falling back to bare
/// `local@domain` tokens only when no bracketed one exists.
pub fn parse_id_list(value: &str) -> Vec<MessageId> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        match after.find('>') {
            Some(end) => {
                if let Some(id) = MessageId::new(&after[..end])
                    && !out.contains(&id)
                {
                    out.push(id);
                }
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    if out.is_empty() {
        for tok in value.split(|c: char| c.is_whitespace() || c == ',') {
            if tok.contains('@')
                && let Some(id) = MessageId::new(tok)
                && !out.contains(&id)
            {
                out.push(id);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_brackets_and_space() {
        assert_eq!(MessageId::new(" <a@b> ").map(|m| m.0), Some("a@b".into()));
        assert_eq!(MessageId::new("a@b").map(|m| m.0), Some("a@b".into()));
        assert!(MessageId::new("<>").is_none());
        assert!(MessageId::new("a b@c").is_none());
    }

    #[test]
    fn id_lists() {
        let v = parse_id_list("<a@b>\n <c@d> <a@b>");
        assert_eq!(
            v.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            ["a@b", "c@d"]
        );
        let v = parse_id_list("Message from Foo of \"Mon, 1 Jan\" <x@y>");
        assert_eq!(v.iter().map(|m| m.as_str()).collect::<Vec<_>>(), ["x@y"]);
        let v = parse_id_list("bare@id.example other");
        assert_eq!(
            v.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            ["bare@id.example"]
        );
        // A broken bracket still yields the bare ID rather than nothing.
        assert_eq!(parse_id_list("<unterminated@x").len(), 1);
        assert!(parse_id_list("no ids here").is_empty());
    }
}
