//! The config file: `$LPL_CONFIG`, else `$XDG_CONFIG_HOME/lpl/config.toml`,
//! else `~/.config/lpl/config.toml`.
//!
//! A small TOML subset: `[section]` headers and `key = "string"` lines
//! (comments with `#`). Unknown keys are kept when the file is rewritten.
//!
//! ```toml
//! [notebook]
//! file = "/home/me/notes/roadmap.md"
//! ```

use std::path::PathBuf;

use crate::error::{CmdResult, CommandError};

pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LPL_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(x).join("lpl/config.toml"));
    }
    std::env::var_os("HOME")
        .filter(|p| !p.is_empty())
        .map(|h| PathBuf::from(h).join(".config/lpl/config.toml"))
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v);
    v.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// The value of `section.key`.
pub fn get(section: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path()?).ok()?;
    let mut cur = String::new();
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        if let Some(s) = l.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            cur = s.trim().to_owned();
            continue;
        }
        if let Some((k, v)) = l.split_once('=')
            && cur == section
            && k.trim() == key
        {
            return Some(unquote(v.split(" #").next().unwrap_or(v)));
        }
    }
    None
}

/// Sets `section.key = value`, keeping the rest of the file.
pub fn set(section: &str, key: &str, value: &str) -> CmdResult<PathBuf> {
    let p = path().ok_or_else(|| {
        CommandError::user("cannot locate the config file: set $LPL_CONFIG or $HOME")
    })?;
    let text = std::fs::read_to_string(&p).unwrap_or_default();
    let quoted = format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut done = false;
    let mut section_seen = false;
    for line in text.lines() {
        let l = line.trim();
        if let Some(s) = l.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            if cur == section && !done {
                out.push(format!("{key} = {quoted}"));
                done = true;
            }
            cur = s.trim().to_owned();
            section_seen |= cur == section;
        } else if cur == section && l.split_once('=').is_some_and(|(k, _)| k.trim() == key) && !done
        {
            out.push(format!("{key} = {quoted}"));
            done = true;
            continue;
        }
        out.push(line.to_owned());
    }
    if !done {
        if !section_seen {
            if !out.is_empty() {
                out.push(String::new());
            }
            out.push(format!("[{section}]"));
        }
        out.push(format!("{key} = {quoted}"));
    }
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(&p, out.join("\n") + "\n")?;
    Ok(p)
}
