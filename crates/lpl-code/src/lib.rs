//! A kernel source index: where every function, macro, type and global is
//! defined (file and line span, every `#ifdef` variant), who calls what,
//! and which functions are passed around as values ("maybe" edges), for
//! one or more kernel trees (a directory, or a git repository at a tag).
//!
//! Parsing: a pre-pass over the tokens (`skeleton`) drops comments, reads
//! `#define`s, masks the kernel's annotation macros (`__init`,
//! `__must_check`, `__acquires(x)` ...), renames `SYSCALL_DEFINEn(name, ...)`
//! to `sys_name`, and scans function bodies for calls; tree-sitter-c then
//! parses what is left (the declarations, with empty bodies) for the
//! definitions. Line numbers are the source's throughout.
//!
//! Storage: one SQLite file ([`CodeIndex`]); parse results belong to file
//! contents (git blob ids), so a second kernel version costs only its
//! changed files.
//!
//! What this crate does not do: run the preprocessor (both sides of an
//! `#ifdef` are indexed; macros are definitions, not expanded), resolve
//! calls through function pointers beyond the "maybe" edges, or print.
//!
//! ```no_run
//! use lpl_code::{CodeIndex, IndexOptions, TreeSource};
//! use std::sync::atomic::AtomicBool;
//!
//! let mut ix = CodeIndex::open("code.sqlite3".as_ref())?;
//! ix.index_tree(
//!     &TreeSource::Dir("linux-6.12".into()),
//!     &IndexOptions::default(),
//!     &mut |_| {},
//!     &AtomicBool::new(false),
//! )?;
//! for d in ix.definitions("zap_pte_range", None)? {
//!     println!("{} {}:{}", d.tree, d.path, d.line);
//! }
//! # Ok::<(), lpl_code::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod attribute;
mod db;
mod error;
mod extract;
mod graph;
mod index;
mod intern;
mod lex;
pub mod model;
mod query;
mod scan;
mod skeleton;
mod source;

pub use attribute::{Basis, Touched, attribute};
pub use db::CodeIndex;
pub use error::Error;
pub use index::{FileProblem, IndexOptions, IndexReport, Progress};
pub use model::{Def, DefKind, FileIndex, Ref, RefKind};
pub use query::{
    CallSite, CallTree, Callee, Callees, Callers, Definition, Edge, Span, TreeInfo, TreeNode,
    TreeOptions,
};
pub use skeleton::annotations;
pub use source::TreeSource;

/// Indexes one C file (a `.c` or `.h`, given as bytes): its definitions
/// and the references made from them.
pub fn index_file(src: &[u8]) -> FileIndex {
    thread_local! {
        static PARSER: std::cell::RefCell<tree_sitter::Parser> =
            std::cell::RefCell::new(extract::parser());
    }
    PARSER.with(|p| extract::index_source(&mut p.borrow_mut(), src))
}
