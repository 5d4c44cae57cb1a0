//! grokmirror's `manifest.js.gz`: which epochs an inbox has.

use crate::client::Epoch;

/// Epoch numbers and modification times from a manifest: keys look like
/// `/linux-mm/git/0.git` (or `/linux-mm/0` on some mirrors).
pub(crate) fn parse(json: &[u8], inbox: &str, url: &str) -> Result<Vec<Epoch>, crate::LoreError> {
    let bad = |reason: String| crate::LoreError::BadManifest {
        url: url.to_owned(),
        reason,
    };
    let v: serde_json::Value = serde_json::from_slice(json).map_err(|e| bad(e.to_string()))?;
    let obj = v
        .as_object()
        .ok_or_else(|| bad("not a JSON object".into()))?;
    let mut out: Vec<Epoch> = Vec::new();
    for (key, val) in obj {
        let Some(n) = epoch_number(key) else { continue };
        if out.iter().any(|e| e.n == n) {
            continue;
        }
        let modified = val.get("modified").and_then(|m| m.as_i64());
        out.push(Epoch {
            n,
            url: crate::url::epoch(inbox, n),
            modified,
        });
    }
    out.sort_by_key(|e| e.n);
    Ok(out)
}

fn epoch_number(key: &str) -> Option<u32> {
    let k = key.trim_end_matches('/');
    let last = k.rsplit('/').next()?;
    let num = last.strip_suffix(".git").unwrap_or(last);
    let n = num.parse::<u32>().ok()?;
    // `/list/git/N.git` or `/list/N`; anything else (e.g. a v1 inbox) is not an epoch.
    (k.contains("/git/") || !last.ends_with(".git")).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lore_style_manifest() {
        let j = br#"{"/linux-mm/git/1.git":{"modified":1700000000,"fingerprint":"x"},
                     "/linux-mm/git/0.git":{"modified":1600000000},"/other.git":{}}"#;
        let e = parse(j, "https://l/linux-mm", "u").expect("valid");
        assert_eq!(e.iter().map(|e| e.n).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(e[1].url, "https://l/linux-mm/git/1.git");
        assert_eq!(e[0].modified, Some(1_600_000_000));
        assert!(parse(b"[1]", "i", "u").is_err());
    }
}
