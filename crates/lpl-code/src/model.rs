//! What the index knows of one file: definitions with their line spans,
//! and references (calls and functions used as values) with their line.

use serde::Serialize;

/// What a definition defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DefKind {
    /// A function definition (with its body).
    Function,
    /// A `#define`.
    Macro,
    /// `struct NAME { ... }`.
    Struct,
    /// `union NAME { ... }`.
    Union,
    /// `enum NAME { ... }`.
    Enum,
    /// One value of an enum.
    Enumerator,
    /// `typedef ... NAME;`.
    Typedef,
    /// A global (file-scope) variable.
    Variable,
}

impl DefKind {
    /// Every kind, in code order.
    pub const ALL: [DefKind; 8] = [
        DefKind::Function,
        DefKind::Macro,
        DefKind::Struct,
        DefKind::Union,
        DefKind::Enum,
        DefKind::Enumerator,
        DefKind::Typedef,
        DefKind::Variable,
    ];

    /// The name shown (and used by `--json`).
    pub fn as_str(self) -> &'static str {
        match self {
            DefKind::Function => "function",
            DefKind::Macro => "macro",
            DefKind::Struct => "struct",
            DefKind::Union => "union",
            DefKind::Enum => "enum",
            DefKind::Enumerator => "enumerator",
            DefKind::Typedef => "typedef",
            DefKind::Variable => "variable",
        }
    }

    pub(crate) fn code(self) -> i64 {
        self as i64
    }

    pub(crate) fn from_code(c: i64) -> DefKind {
        usize::try_from(c)
            .ok()
            .and_then(|i| DefKind::ALL.get(i).copied())
            .unwrap_or(DefKind::Variable)
    }
}

/// One definition in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Def {
    /// The name (`sys_madvise` for `SYSCALL_DEFINE3(madvise, ...)`).
    pub name: String,
    /// What it is.
    pub kind: DefKind,
    /// The line of the name (1-based), as ctags and elixir give it.
    pub line: u32,
    /// First line of the definition (return type, `#define`).
    pub start: u32,
    /// Last line (closing brace).
    pub end: u32,
    /// `static` (visible in its file only).
    pub is_static: bool,
    /// Bit i set: the function (or function-like macro) calls its i-th
    /// parameter (`visit(vma, ...)` in `madvise_walk_vmas`): a function
    /// passed there is a "maybe" callee.
    pub called_params: u32,
}

/// How a name is referenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefKind {
    /// `name(...)`: a call (of a function, or of a function-like macro).
    Call,
    /// `x->name(...)` / `x.name(...)`: a call through a structure field.
    FieldCall,
    /// `f(a, name, b)`: a function passed as an argument (`via` is `f`,
    /// `arg` the position).
    Arg,
    /// `.field = name` in an initializer, or `x->field = name` (`via` is
    /// the field; empty for a plain `x = name` or a positional element).
    Assign,
}

impl RefKind {
    pub(crate) fn code(self) -> i64 {
        self as i64
    }

    pub(crate) fn from_code(c: i64) -> RefKind {
        match c {
            0 => RefKind::Call,
            1 => RefKind::FieldCall,
            2 => RefKind::Arg,
            _ => RefKind::Assign,
        }
    }

    /// The name shown (and used by `--json`).
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Call => "call",
            RefKind::FieldCall => "field_call",
            RefKind::Arg => "arg",
            RefKind::Assign => "assign",
        }
    }
}

/// One reference made from inside a definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ref {
    /// Index of the definition it is made from (in [`FileIndex::defs`]).
    pub from: u32,
    /// The name referenced (called, or used as a value).
    pub name: String,
    /// How.
    pub kind: RefKind,
    /// The line.
    pub line: u32,
    /// The called function ([`RefKind::Arg`]) or field ([`RefKind::Assign`]).
    pub via: Option<String>,
    /// The argument position ([`RefKind::Arg`]).
    pub arg: u8,
}

/// Everything found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileIndex {
    /// Definitions in source order.
    pub defs: Vec<Def>,
    /// References, each from one of `defs`.
    pub refs: Vec<Ref>,
    /// Regions tree-sitter could not parse (first line of each ERROR node):
    /// what was inside may be missing.
    pub error_lines: Vec<u32>,
    /// Lines of the file.
    pub lines: u32,
    /// tree-sitter ran out of time: only macros and enumerators are known.
    pub timed_out: bool,
}
