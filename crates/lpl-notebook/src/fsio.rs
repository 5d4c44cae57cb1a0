//! The only file I/O of this crate: reading the notebook, saving an edit
//! atomically, and writing the rendered site.
//!
//! Saving: the new bytes go to a temporary file beside the notebook
//! (`.NAME.lpl-tmp`), which is flushed and renamed over it; the previous
//! content is kept as `NAME.bak` (overwritten each time). Before anything is
//! written, the file is read again and compared byte for byte with what was
//! parsed: if the user (or their editor, or git) changed it meanwhile, the
//! save is refused and nothing is touched.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::html::Site;

/// A notebook file as read from disk.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// Its path.
    pub path: PathBuf,
    /// Its bytes when read.
    pub bytes: Vec<u8>,
}

/// File errors, each with the path concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// Reading failed.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Writing failed (the notebook itself is unchanged).
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file changed on disk since it was read.
    #[error("{path} changed on disk since it was read; not saving (run the command again)")]
    ChangedOnDisk {
        /// The notebook.
        path: PathBuf,
    },
}

/// Reads the notebook at `path`.
pub fn load(path: &Path) -> Result<Loaded, FileError> {
    let bytes = fs::read(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(Loaded {
        path: path.to_owned(),
        bytes,
    })
}

/// The backup path for `path`: `NAME.bak` beside it.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".bak");
    path.with_file_name(name)
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(".lpl-tmp");
    path.with_file_name(name)
}

/// Replaces the notebook read as `loaded` by `new`, atomically, keeping the
/// old content in [`backup_path`]. Returns the backup's path.
pub fn save(loaded: &Loaded, new: &[u8]) -> Result<PathBuf, FileError> {
    let path = &loaded.path;
    let werr = |p: &Path| {
        let p = p.to_owned();
        move |source| FileError::Write { path: p, source }
    };
    let now = fs::read(path).map_err(|source| FileError::Read {
        path: path.clone(),
        source,
    })?;
    if now != loaded.bytes {
        return Err(FileError::ChangedOnDisk { path: path.clone() });
    }
    let bak = backup_path(path);
    write_atomic(&bak, &loaded.bytes).map_err(werr(&bak))?;
    let tmp = tmp_path(path);
    let res = (|| -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(new)?;
        f.sync_all()?;
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&tmp, meta.permissions())?;
        }
        // Last check, as close to the rename as we can get it.
        if fs::read(path)? != loaded.bytes {
            return Err(std::io::Error::other("changed"));
        }
        fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        if e.to_string() == "changed" {
            return Err(FileError::ChangedOnDisk { path: path.clone() });
        }
        return Err(FileError::Write {
            path: path.clone(),
            source: e,
        });
    }
    Ok(bak)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = tmp_path(path);
    let mut f = fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, path)
}

/// Writes a rendered site under `dir` (created if needed).
pub fn write_site(site: &Site, dir: &Path) -> Result<(), FileError> {
    for page in &site.pages {
        let p = dir.join(&page.path);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|source| FileError::Write {
                path: parent.to_owned(),
                source,
            })?;
        }
        write_atomic(&p, page.html.as_bytes()).map_err(|source| FileError::Write {
            path: p.clone(),
            source,
        })?;
    }
    Ok(())
}

/// Renders `nb` with `archive` and writes the site under `dir`.
pub fn render_html(
    nb: &crate::Notebook,
    archive: &dyn crate::Archive,
    dir: &Path,
) -> Result<(), FileError> {
    write_site(&crate::html::render(nb, archive), dir)
}
