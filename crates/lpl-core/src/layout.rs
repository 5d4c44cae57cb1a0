//! Where everything lives inside a data directory ("home").
//!
//! This module is the one place that names files and directories of the
//! home; front ends ask it (through [`crate::Workspace::layout`]) and never
//! join names of their own.
//!
//! ```text
//! HOME/
//!   lpl.sqlite3 messages.pack   the store: what was understood, the raw messages
//!   search/                     the full-text index (derived; rebuilt when damaged)
//!   lore.json                   lore settings and the lists `lpl sync` keeps
//!   cache/lore/                 lore downloads (a few minutes' cache)
//!   mirrors/LIST/git/N.git      public-inbox epochs mirrored by `lpl sync`
//!   sample/                     the quickstart's sample mbox and roadmap
//!   upstream/                   room for data of indexed upstream repositories
//!   code/index.sqlite3          the kernel source index (`lpl code index`)
//!   ...                         further derived stores, one directory each
//!   lpl.lock                    held by the one process running a long write job
//! ```

use std::path::{Path, PathBuf};

/// A part of the home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Component {
    /// The SQLite database (with `messages.pack` beside it).
    Store,
    /// The raw messages beside the database.
    Pack,
    /// The full-text index directory.
    Search,
    /// `lore.json`: lore settings and the registered sync lists.
    LoreConfig,
    /// The lore download cache directory.
    LoreCache,
    /// The directory of mirrored lists.
    Mirrors,
    /// The quickstart sample directory.
    Sample,
    /// Data kept for indexed upstream repositories.
    Upstream,
    /// The lock of long write jobs (import, fetch, sync, reindex).
    JobLock,
    /// The kernel source index (`lpl code`): one SQLite file of its own,
    /// holding every indexed tree.
    CodeIndex,
    /// A further derived store with a directory of its own (`code` for the
    /// kernel source index ...): `HOME/NAME/`. Names are plain words.
    Derived(&'static str),
}

/// The paths of one home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    home: PathBuf,
}

impl Layout {
    /// The layout of `home` (nothing is created).
    pub fn new(home: impl Into<PathBuf>) -> Layout {
        Layout { home: home.into() }
    }

    /// The data directory itself.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Where `c` lives.
    pub fn path(&self, c: Component) -> PathBuf {
        let h = &self.home;
        match c {
            Component::Store => h.join(lpl_store::DB_FILE),
            Component::Pack => h.join(lpl_store::PACK_FILE),
            Component::Search => h.join("search"),
            Component::LoreConfig => h.join("lore.json"),
            Component::LoreCache => h.join("cache").join("lore"),
            Component::Mirrors => h.join("mirrors"),
            Component::Sample => h.join("sample"),
            Component::Upstream => h.join("upstream"),
            Component::JobLock => h.join("lpl.lock"),
            Component::CodeIndex => h.join("code").join("index.sqlite3"),
            Component::Derived(name) => h.join(sanitize(name)),
        }
    }

    /// The mirror of the list `name` (`mirrors/NAME`).
    pub fn mirror(&self, name: &str) -> PathBuf {
        self.path(Component::Mirrors).join(name)
    }

    /// Epoch `n` of the mirror of `name` (`mirrors/NAME/git/N.git`).
    pub fn mirror_epoch(&self, name: &str, n: u32) -> PathBuf {
        self.mirror(name).join("git").join(format!("{n}.git"))
    }

    /// Whether an archive exists here.
    pub fn exists(&self) -> bool {
        self.path(Component::Store).is_file()
    }
}

/// A derived store's name as a single path component (anything else would
/// leave the home).
fn sanitize(name: &str) -> String {
    let s: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if s.is_empty() {
        "derived".to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_component_stays_inside_the_home() {
        let l = Layout::new("/h");
        for c in [
            Component::Store,
            Component::Pack,
            Component::Search,
            Component::LoreConfig,
            Component::LoreCache,
            Component::Mirrors,
            Component::Sample,
            Component::Upstream,
            Component::JobLock,
            Component::CodeIndex,
            Component::Derived("code"),
            Component::Derived("../x"),
        ] {
            assert!(l.path(c).starts_with("/h"), "{c:?}");
        }
        assert_eq!(l.path(Component::Derived("../x")), Path::new("/h/x"));
        assert_eq!(
            l.mirror_epoch("linux-mm", 3),
            Path::new("/h/mirrors/linux-mm/git/3.git")
        );
    }
}
