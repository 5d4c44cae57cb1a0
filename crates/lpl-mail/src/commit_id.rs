//! A git commit's identity: one type for the whole tool (the upstream
//! index, the locations of messages read from public-inbox epochs).

use std::fmt;
use std::str::FromStr;

/// A commit id (SHA-1, 20 bytes), shown as 40 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommitId(pub [u8; 20]);

impl CommitId {
    /// From 40 hex digits (either case); `None` otherwise.
    pub fn new(hex: &str) -> Option<CommitId> {
        hex.parse().ok()
    }

    /// From the 20 bytes of a SHA-1 object id; `None` for another length.
    pub fn from_bytes(b: &[u8]) -> Option<CommitId> {
        <[u8; 20]>::try_from(b).ok().map(CommitId)
    }

    /// The 20 bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The 40-digit hex form.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// The first `n` hex digits (for display).
    pub fn short(&self, n: usize) -> String {
        let mut s = self.to_string();
        s.truncate(n.min(40));
        s
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommitId({self})")
    }
}

/// A string that is not a 40-digit hex commit id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a full commit id (40 hex digits): {0:?}")]
pub struct ParseCommitIdError(pub String);

impl FromStr for CommitId {
    type Err = ParseCommitIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().as_bytes();
        if t.len() != 40 {
            return Err(ParseCommitIdError(s.to_owned()));
        }
        let mut out = [0u8; 20];
        for (i, o) in out.iter_mut().enumerate() {
            let hi = (t[2 * i] as char).to_digit(16);
            let lo = (t[2 * i + 1] as char).to_digit(16);
            match (hi, lo) {
                (Some(h), Some(l)) => *o = (h * 16 + l) as u8,
                _ => return Err(ParseCommitIdError(s.to_owned())),
            }
        }
        Ok(CommitId(out))
    }
}

impl serde::Serialize for CommitId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for CommitId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let c = CommitId::new("1A2B3C4D5E6F7a8b9c0d1a2b3c4d5e6f7a8b9c0d").expect("valid");
        assert_eq!(c.to_string(), "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d");
        assert_eq!(c.short(12), "1a2b3c4d5e6f");
        assert_eq!(CommitId::from_bytes(c.as_bytes()), Some(c));
        assert!(CommitId::new("xyz").is_none());
        assert!(CommitId::new(&"a".repeat(64)).is_none());
    }
}
