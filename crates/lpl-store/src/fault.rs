//! Faults of the disk under the data directory, told apart from bugs: a
//! directory that cannot be written (a read-only mount, files of another
//! user) and a full disk (or a file-size or quota limit). The user can fix
//! both, so front ends say so in those words instead of "internal error".

/// A fault of the disk holding the data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiskFault {
    /// Writing was refused: a read-only file system, or no permission.
    ReadOnly,
    /// No room: the disk is full, or a quota or file-size limit is reached.
    Full,
}

/// The disk fault behind `err`, if any, found anywhere in its chain of
/// sources (an `std::io::Error`, or SQLite's "database or disk is full" /
/// "attempt to write a readonly database").
pub fn disk_fault(err: &(dyn std::error::Error + 'static)) -> Option<DiskFault> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(f) = io_fault(io)
        {
            return Some(f);
        }
        if let Some(rusqlite::Error::SqliteFailure(f, _)) = e.downcast_ref::<rusqlite::Error>() {
            match f.code {
                rusqlite::ErrorCode::DiskFull => return Some(DiskFault::Full),
                rusqlite::ErrorCode::ReadOnly => return Some(DiskFault::ReadOnly),
                _ => {}
            }
        }
        cur = e.source();
    }
    None
}

fn io_fault(e: &std::io::Error) -> Option<DiskFault> {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ReadOnlyFilesystem | K::PermissionDenied => Some(DiskFault::ReadOnly),
        K::StorageFull | K::FileTooLarge | K::QuotaExceeded => Some(DiskFault::Full),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_found_through_the_chain() {
        let full = std::io::Error::from_raw_os_error(28); // ENOSPC
        assert_eq!(disk_fault(&full), Some(DiskFault::Full));
        let fsize = std::io::Error::from_raw_os_error(27); // EFBIG
        assert_eq!(disk_fault(&fsize), Some(DiskFault::Full));
        let rofs = std::io::Error::from_raw_os_error(30); // EROFS
        let wrapped = crate::StoreError::Pack {
            path: "p".into(),
            what: "write",
            source: rofs,
        };
        assert_eq!(disk_fault(&wrapped), Some(DiskFault::ReadOnly));
        let sq = crate::StoreError::Sqlite {
            path: "db".into(),
            source: rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                None,
            ),
        };
        assert_eq!(disk_fault(&sq), Some(DiskFault::Full));
        let other = std::io::Error::from_raw_os_error(5); // EIO
        assert_eq!(disk_fault(&other), None);
    }
}
