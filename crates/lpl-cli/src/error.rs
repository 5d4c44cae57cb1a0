//! The one place where errors become messages, hints and exit codes.
//!
//! Exit codes scripts can rely on (ripgrep's and git's conventions):
//! 0 success (also when the reader of our output went away: a closed pipe),
//! 1 nothing matched / not found, 2 the user's input is wrong, or the
//! data directory cannot be written (read-only, full disk: the user can fix
//! both), 255 an internal error (a bug, or the machine failing under us).

use std::fmt;
use std::io::ErrorKind;

use lpl_core::error::{
    Invalid, LoreError, NotFound, NotebookError, SearchError, SourceError, StoreError,
};
use lpl_core::types::DiskFault;

/// Exit codes.
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// Nothing matched.
    pub const NOT_FOUND: i32 = 1;
    /// Wrong input.
    pub const USER: i32 = 2;
    /// Internal error.
    pub const INTERNAL: i32 = 255;
}

/// Who is at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Nothing matched what was asked for.
    NotFound,
    /// The user's input is wrong.
    User,
    /// A bug or an environment failure.
    Internal,
}

/// An error for the user, with hints on what to do.
#[derive(Debug)]
pub struct CommandError {
    /// Who is at fault.
    pub kind: Kind,
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub hints: Vec<String>,
    /// The kind of the I/O error underneath, if any (a closed pipe is a
    /// clean exit, told by this and never by the message's text).
    pub io: Option<ErrorKind>,
}

impl CommandError {
    fn new(kind: Kind, message: impl Into<String>) -> Self {
        CommandError {
            kind,
            message: message.into(),
            hints: Vec::new(),
            io: None,
        }
    }
    pub fn user(message: impl Into<String>) -> Self {
        Self::new(Kind::User, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Kind::Internal, message)
    }
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hints.push(h.into());
        self
    }
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            Kind::NotFound => exit::NOT_FOUND,
            Kind::User => exit::USER,
            Kind::Internal => exit::INTERNAL,
        }
    }
    /// The reader of our output went away (`lpl ... | head`).
    pub fn is_broken_pipe(&self) -> bool {
        self.io == Some(ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

const READ_FORMATS: &str = "lpl import reads public-inbox epochs and inboxes, mbox (also .gz), Maildir, .eml files, directories of them, and - for stdin";
const DISK: &str =
    "check the data directory (lpl --home DIR, or $LPL_HOME) is writable and not on a full disk";

fn not_found(e: &NotFound) -> CommandError {
    let msg = e.to_string();
    match e {
        NotFound::Archive { .. } => CommandError::user(msg)
            .hint("import something first: lpl import PATH (or try: lpl quickstart)"),
        NotFound::Message { message_id } => CommandError::not_found(msg).hint(format!(
            "import it first: lpl import PATH, or lpl fetch {message_id}"
        )),
        NotFound::SearchIndex => {
            CommandError::not_found(msg).hint("run `lpl import` (or `lpl search --reindex`)")
        }
        NotFound::SyncList { .. } => {
            CommandError::user(msg).hint("lpl sync --list shows the registered lists")
        }
        NotFound::NoSyncLists => CommandError::user(msg)
            .hint("lpl sync --add https://lore.kernel.org/LIST registers one"),
        NotFound::SeriesId { .. } | NotFound::NoSeries { .. } => CommandError::not_found(msg)
            .hint("lpl series --all --singles lists every series with its id"),
        NotFound::ReviewNote { .. } => {
            CommandError::not_found(msg).hint("lpl review list shows the notes with their ids")
        }
        NotFound::Symbol { near, .. } if !near.is_empty() => {
            CommandError::not_found(msg).hint(format!("did you mean: {}", near.join(", ")))
        }
        NotFound::Symbol { .. } => CommandError::not_found(msg)
            .hint("lpl code trees lists the indexed trees; lpl code index SRC adds one"),
        _ => CommandError::not_found(msg),
    }
}

fn code(e: &lpl_core::code::IndexError) -> CommandError {
    use lpl_core::code::IndexError as C;
    let msg = e.to_string();
    match e {
        C::NoTrees => CommandError::not_found(msg).hint(
            "index a kernel tree first: lpl code index ~/src/linux (or --rev v6.12 in a git clone)",
        ),
        C::NoSuchTree { known, .. } => CommandError::not_found(msg).hint(if known.is_empty() {
            "no tree is indexed yet: lpl code index SRC".to_owned()
        } else {
            format!("indexed trees: {}", known.join(", "))
        }),
        C::NotATree { .. } => CommandError::user(msg)
            .hint("give the top directory of a kernel tree (or --force to index any C sources)"),
        C::BadRevision { .. } | C::Io { .. } | C::Git { .. } => CommandError::user(msg),
        C::TooNew { .. } => CommandError::user(msg),
        C::Cancelled => CommandError::user(
            "interrupted: the files parsed so far are kept and reused by the next run".to_owned(),
        ),
        _ => CommandError::internal(msg).hint(DISK),
    }
}

fn invalid(e: &Invalid) -> CommandError {
    let msg = e.to_string();
    match e {
        Invalid::MessageId { .. } => CommandError::user(msg).hint(
            "give a Message-ID (with or without <>), id:..., a lore URL or a patch.msgid.link URL",
        ),
        Invalid::UnnamedList { .. } => {
            CommandError::user(msg).hint("name it: lpl sync --add NAME URL")
        }
        Invalid::LoreConfig { .. } => {
            CommandError::user(msg).hint("fix or remove the file; lpl sync --add rewrites it")
        }
        _ => CommandError::user(msg),
    }
}

fn lore(e: &LoreError) -> CommandError {
    let msg = e.to_string();
    match e {
        LoreError::NotFound { .. } => CommandError::not_found(msg)
            .hint("check the Message-ID; a message sent minutes ago may not be archived yet"),
        LoreError::Offline { .. } | LoreError::Timeout { .. } | LoreError::Broken { .. } => {
            CommandError::user(msg).hint("check the network, or use a mirror with --base-url URL")
        }
        LoreError::Server { .. } => {
            CommandError::user(msg).hint("the server is busy or down; try again later")
        }
        LoreError::Html { .. }
        | LoreError::BadGzip { .. }
        | LoreError::NotMbox { .. }
        | LoreError::EmptyThread { .. } => {
            CommandError::user(msg).hint("nothing was imported; the archive is unchanged")
        }
        LoreError::TooLarge { .. } | LoreError::Deadline { .. } => CommandError::user(msg)
            .hint("nothing was imported; the server sent more, or slower, than lpl accepts (a broken mirror?)"),
        LoreError::RedirectRefused { .. } => CommandError::user(msg)
            .hint("nothing was imported; if the new address is right, give it with --base-url URL"),
        LoreError::Cancelled => CommandError::user(
            "interrupted: what was stored before the interruption is kept",
        )
        .hint("run the same command again to go on"),
        _ => CommandError::user(msg),
    }
}

fn search(e: &SearchError) -> CommandError {
    let msg = e.to_string();
    match e {
        SearchError::Query(_) => {
            CommandError::user(msg).hint("see `lpl search --help` for the prefixes")
        }
        SearchError::SchemaChanged { .. } | SearchError::Damaged { .. } => CommandError::user(
            format!("{msg}: run `lpl search --reindex` to rebuild it from the archive"),
        ),
        SearchError::Locked { .. } => CommandError::user(msg)
            .hint("another lpl is writing the index; try again when it is done"),
        _ => CommandError::internal(msg).hint(DISK),
    }
}

fn store(e: &StoreError) -> CommandError {
    let msg = e.to_string();
    match e {
        StoreError::Pack { .. } | StoreError::CorruptBlob { .. } => CommandError::internal(msg).hint(
            "the raw messages live in messages.pack beside lpl.sqlite3 in the data directory: back up and restore the two together",
        ),
        StoreError::TooNew { .. } | StoreError::NeedsUpgrade { .. } => CommandError::user(msg),
        StoreError::Missing { .. } => CommandError::user(msg)
            .hint("import something first: lpl import PATH (or try: lpl quickstart)"),
        _ => CommandError::internal(msg).hint(DISK),
    }
}

impl From<lpl_core::Error> for CommandError {
    fn from(e: lpl_core::Error) -> Self {
        use lpl_core::Error as E;
        let io = e.io_kind();
        let mut c = match &e {
            E::NotFound(n) => not_found(n),
            E::Invalid(i) => invalid(i),
            E::Lore(l) => lore(l),
            E::Search(s) => search(s),
            E::Store(s) => store(s),
            E::Source(o) => {
                let c = CommandError::user(o.to_string());
                match o {
                    SourceError::Io { .. } => c,
                    _ => c.hint(READ_FORMATS),
                }
            }
            E::Upstream(u) => CommandError::user(u.to_string())
                .hint("the repository must be a full (not shallow) git clone"),
            E::Notebook(n) => {
                let c = CommandError::user(n.to_string());
                match n {
                    NotebookError::Select(_) => c.hint(
                        "name an entry by its Message-ID, lore URL, or more words of its title",
                    ),
                    NotebookError::File(lpl_core::error::FileError::ChangedOnDisk { .. }) => {
                        c.hint("the file changed since it was read: nothing was written")
                    }
                    _ => c,
                }
            }
            E::Code(c) => code(c),
            E::Io { .. } => CommandError::internal(e.to_string()).hint(DISK),
            E::ReadOnly { .. } => CommandError::internal(e.to_string()),
            E::IndexBehind { .. } => CommandError::user(format!(
                "{e}: run `lpl search --reindex` to catch up, then search again"
            )),
            E::Cancelled { kept } => CommandError::user(format!(
                "interrupted: {kept}; what was stored before the interruption is kept (each batch is committed with its place in the source)"
            ))
            .hint("run the same command again to go on from there"),
            _ => CommandError::internal(e.to_string()),
        };
        c.io = io;
        match e.disk_fault() {
            Some(DiskFault::Full) => disk_full(c),
            Some(DiskFault::ReadOnly) => read_only(c),
            _ => c,
        }
    }
}

/// A full disk is not a bug: say so, and that nothing committed is lost.
fn disk_full(c: CommandError) -> CommandError {
    let mut d = CommandError::user(format!("the disk is full: {}", c.message))
        .hint("free some space (or move the archive: --home DIR), then run the same command again: what was committed before is kept and the rerun goes on from there");
    d.io = c.io;
    d
}

/// A data directory that cannot be written: reading still works.
fn read_only(c: CommandError) -> CommandError {
    let mut d = CommandError::user(format!(
        "the data directory cannot be written (read-only, or not yours): {}",
        c.message
    ))
    .hint("reading commands (show, series, thread, search, sources) work on a read-only archive; to change it, run lpl where the data directory is writable (--home DIR)");
    d.io = c.io;
    d
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        let mut c = CommandError::internal(format!("I/O error: {e}"));
        c.io = Some(e.kind());
        c
    }
}

impl From<serde_json::Error> for CommandError {
    fn from(e: serde_json::Error) -> Self {
        let mut c = CommandError::internal(format!("JSON error: {e}"));
        c.io = e.io_error_kind();
        c
    }
}

pub type CmdResult<T = i32> = Result<T, CommandError>;
