//! The pre-pass: turns a C file into the *skeleton* tree-sitter parses, and
//! collects what tree-sitter is not needed for.
//!
//! - Comments go; `#define`s are read here (name, parameters, line span,
//!   the calls in their body) and other directives dropped. The branches
//!   of an `#if` are all kept at file scope, so a function defined in two
//!   configurations is found twice; `#if 0` blocks are skipped.
//! - The kernel's annotation macros (`__init`, `__must_check`,
//!   `__acquires(x)`, `__attribute__((...))` ...) are removed, `EXPORT_SYMBOL*`
//!   and `MODULE_*` lines dropped, and `SYSCALL_DEFINEn(name, type, arg, ...)`
//!   rewritten as `long sys_name(type arg, ...)` (`compat_sys_` for
//!   `COMPAT_SYSCALL_DEFINEn`).
//! - Function bodies and initialisers (`= { ... }`) are scanned for
//!   references (see `scan`) and left out: tree-sitter sees `{}` with the
//!   same number of lines, so every line number it reports is the
//!   source's, and parsing costs a fraction (bodies are most of a file).
//!
//! Braces inside `#if`/`#else` branches of a body are counted for the first
//! branch only (the others are alternatives of it), as ctags does.

use crate::lex::{self, Kind, Lexer, Token};
use crate::scan::{Collector, RawRef};

/// A `#define`.
#[derive(Debug, Clone)]
pub(crate) struct MacroDef {
    pub name: (u32, u32),
    pub line: u32,
    pub end_line: u32,
    /// Parameter names (function-like macros).
    pub params: Vec<(u32, u32)>,
    pub refs: Vec<RawRef>,
}

/// A scanned body or initialiser: where its `{` is in the skeleton, and the
/// references inside.
#[derive(Debug, Clone)]
pub(crate) struct Scanned {
    pub open: u32,
    pub refs: Vec<RawRef>,
}

/// The pre-pass result.
#[derive(Debug, Default)]
pub(crate) struct Skeleton {
    pub text: Vec<u8>,
    pub macros: Vec<MacroDef>,
    pub bodies: Vec<Scanned>,
    pub inits: Vec<Scanned>,
    /// Enumerators (name, line), read here: enum bodies are left out too.
    pub enumerators: Vec<((u32, u32), u32)>,
    pub lines: u32,
}

/// Annotation macros removed where they stand (no arguments).
const MASK_WORDS: &[&str] = &[
    "__init",
    "__exit",
    "__initdata",
    "__initconst",
    "__exitdata",
    "__initref",
    "__ref",
    "__refdata",
    "__refconst",
    "__meminit",
    "__meminitdata",
    "__meminitconst",
    "__init_memblock",
    "__initdata_memblock",
    "__head",
    "__read_mostly",
    "__ro_after_init",
    "__always_inline",
    "__inline_maybe_unused",
    "noinline",
    "noinline_for_stack",
    "__noinline",
    "__must_check",
    "__maybe_unused",
    "__always_unused",
    "__used",
    "__cold",
    "__hot",
    "notrace",
    "__notrace_funcgraph",
    "__weak",
    "__user",
    "__kernel",
    "__iomem",
    "__percpu",
    "__rcu",
    "__force",
    "__nocast",
    "__safe",
    "__private",
    "__packed",
    "__visible",
    "asmlinkage",
    "__noreturn",
    "__nonstring",
    "__deprecated",
    "__pure",
    "__attribute_const__",
    "__malloc",
    "__flatten",
    "__noclone",
    "__nocfi",
    "__no_kcsan",
    "__no_sanitize_address",
    "__no_sanitize_thread",
    "__no_sanitize_memory",
    "__no_sanitize_undefined",
    "__no_sanitize_coverage",
    "__no_profile",
    "__no_stack_protector",
    "noinstr",
    "__noinstr_section",
    "__cpuidle",
    "__kprobes",
    "nokprobe_inline",
    "__sched",
    "__lockfunc",
    "__latent_entropy",
    "__randomize_layout",
    "__no_randomize_layout",
    "__designated_init",
    "__cacheline_aligned",
    "__cacheline_aligned_in_smp",
    "____cacheline_aligned",
    "____cacheline_aligned_in_smp",
    "____cacheline_internodealigned_in_smp",
    "__page_aligned_data",
    "__page_aligned_bss",
    "__aligned_largest",
    "__bpf_kfunc",
    "__net_init",
    "__net_exit",
    "__net_initdata",
    "__tracepoint_string",
    "__lsm_ro_after_init",
    "__initdata_or_meminfo",
    "__initconst_or_meminfo",
    "__mlock",
    "__irq_entry",
    "__softirq_entry",
    "__kernel_text",
    "__fix_address",
    "__always_used",
    "__nocapture",
    "__counted_by_ptr",
    "__ksym",
    "__weak_alias",
    "__bitwise",
    "__bitwise__",
    "__user_pages",
    "__unused",
    "__gnu_inline",
    "__no_fgcse",
    "__ro_after_init_scope",
    "__kcfi_typeid",
    "__noscs",
    "__no_kmsan_checks",
    "__no_sanitize_or_inline",
    "__must_be_array",
    "__static_call_ret0",
    "__alias",
    "__trace_iter_entry",
    "__bpf_fastcall",
    "__rust_bind",
    "__retain",
    "__nostackprotector",
    "__compiletime_error_fallback",
    "__FORTIFY_INLINE",
    "POS",
    "POS0",
];

/// Annotation macros removed with their parenthesised arguments.
const MASK_CALLS: &[&str] = &[
    "__attribute__",
    "__attribute",
    "__aligned",
    "__section",
    "__printf",
    "__scanf",
    "__acquires",
    "__releases",
    "__acquire",
    "__release",
    "__must_hold",
    "__cond_acquires",
    "__cond_releases",
    "__alloc_size",
    "__realloc_size",
    "__assume_aligned",
    "__counted_by",
    "__counted_by_le",
    "__counted_by_be",
    "__diag_push",
    "__free",
    "__cleanup",
    "__copy",
    "__mode",
    "__nonnull",
    "__alias",
    "__weak_alias",
    "__compiletime_error",
    "__compiletime_warning",
    "__no_sanitize_or_inline",
    "__malloc_attr",
    "__symver",
    "__ADDRESSABLE",
    "____cacheline_aligned_in_smp_attr",
    "__diagnose_as",
    "__pass_object_size",
    "__pass_dynamic_object_size",
];

/// The annotation macros the pre-pass removes: words, and words removed
/// with their parenthesised arguments (for configuring peers such as ctags
/// the same way, `-I word` and `-I word+`).
pub fn annotations() -> (&'static [&'static str], &'static [&'static str]) {
    (MASK_WORDS, MASK_CALLS)
}

fn is_mask_word(w: &[u8]) -> bool {
    // Cheap filter first: every annotation starts with one of a few letters.
    match w.first() {
        Some(b'_' | b'n' | b'a' | b'P') => MASK_WORDS.iter().any(|m| m.as_bytes() == w),
        _ => false,
    }
}

/// Words that start a declaration: an unknown ALL-CAPS word right before
/// one at the start of a statement is an annotation macro
/// (`CGROUP_REF_FN_ATTRS void css_get(...)`).
fn starts_declaration(w: &[u8]) -> bool {
    matches!(
        w,
        b"static"
            | b"extern"
            | b"inline"
            | b"const"
            | b"volatile"
            | b"void"
            | b"char"
            | b"short"
            | b"int"
            | b"long"
            | b"float"
            | b"double"
            | b"signed"
            | b"unsigned"
            | b"struct"
            | b"union"
            | b"enum"
            | b"bool"
            | b"_Bool"
            | b"typedef"
    )
}

fn is_all_caps(w: &[u8]) -> bool {
    w.len() > 1
        && w.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
        && w.iter().any(u8::is_ascii_uppercase)
}

fn is_mask_call(w: &[u8]) -> bool {
    w.first() == Some(&b'_') && MASK_CALLS.iter().any(|m| m.as_bytes() == w)
}

fn is_dropped_statement(w: &[u8]) -> bool {
    w.starts_with(b"EXPORT_SYMBOL")
        || w.starts_with(b"EXPORT_TRACEPOINT_SYMBOL")
        || w.starts_with(b"EXPORT_STATIC_CALL")
        || w.starts_with(b"MODULE_")
}

/// `SYSCALL_DEFINEn` -> `sys_`, `COMPAT_SYSCALL_DEFINEn` -> `compat_sys_`.
fn syscall_prefix(w: &[u8]) -> Option<&'static str> {
    let digit = |rest: &[u8]| rest.len() == 1 && rest[0].is_ascii_digit();
    if let Some(rest) = w.strip_prefix(b"SYSCALL_DEFINE")
        && digit(rest)
    {
        return Some("sys_");
    }
    if let Some(rest) = w.strip_prefix(b"COMPAT_SYSCALL_DEFINE")
        && digit(rest)
    {
        return Some("compat_sys_");
    }
    None
}

/// Condition frames of `#if` inside a body: the brace depth where the
/// conditional started and where its first branch ended.
#[derive(Clone, Copy)]
struct Cond {
    at_if: i32,
    first_end: Option<i32>,
}

struct Builder<'a> {
    src: &'a [u8],
    lx: Lexer<'a>,
    out: Vec<u8>,
    out_line: u32,
    pushback: Option<Token>,
    sk: Skeleton,
}

impl<'a> Builder<'a> {
    fn next(&mut self) -> Option<Token> {
        self.pushback.take().or_else(|| self.lx.next_token())
    }

    fn peek(&mut self) -> Option<Token> {
        if self.pushback.is_none() {
            self.pushback = self.lx.next_token();
        }
        self.pushback
    }

    /// Brings the output to `line` (newlines), then a separator.
    fn sync(&mut self, line: u32) {
        while self.out_line < line {
            self.out.push(b'\n');
            self.out_line += 1;
        }
        if self.out.last().is_some_and(|c| !matches!(c, b'\n' | b' ')) {
            self.out.push(b' ');
        }
    }

    fn emit(&mut self, t: &Token) {
        self.sync(t.line);
        let text = t.text(self.src);
        self.out.extend_from_slice(text);
        if t.inner_newlines > 0 {
            self.out_line += memchr::memchr_iter(b'\n', text).count() as u32;
        }
    }

    fn emit_str(&mut self, line: u32, s: &str) {
        self.sync(line);
        self.out.extend_from_slice(s.as_bytes());
    }

    /// Skips a balanced `( ... )` if it comes next; returns the tokens'
    /// byte range inside the parentheses.
    fn skip_parens(&mut self) -> Option<(usize, usize, Vec<Token>)> {
        let open = self.peek()?;
        if !open.is(b'(') {
            return None;
        }
        self.pushback = None;
        let mut depth = 1;
        let mut inner = Vec::new();
        while let Some(t) = self.next() {
            if t.is(b'(') {
                depth += 1;
            } else if t.is(b')') {
                depth -= 1;
                if depth == 0 {
                    return Some((open.end as usize, t.start as usize, inner));
                }
            } else if t.kind == Kind::Directive {
                continue;
            }
            inner.push(t);
        }
        Some((open.end as usize, self.src.len(), inner))
    }

    /// Reads a `#define`.
    fn define(&mut self, t: &Token) {
        let text = t.text(self.src);
        let (_, rest) = lex::directive(text);
        let base = t.start as usize + (text.len() - rest.len());
        let end = t.end as usize;
        let mut lx = Lexer::new(&self.src[..end]);
        lx.seek(base, t.line);
        let Some(name) = lx.next_token().filter(|n| n.kind == Kind::Ident) else {
            return;
        };
        let mut params = Vec::new();
        let function_like = self.src.get(name.end as usize) == Some(&b'(');
        if function_like {
            // Parameters up to `)`.
            let _ = lx.next_token();
            while let Some(p) = lx.next_token() {
                if p.is(b')') {
                    break;
                }
                if p.kind == Kind::Ident {
                    params.push((p.start, p.end));
                }
            }
        }
        let mut c = Collector::new(self.src);
        while let Some(tok) = lx.next_token() {
            c.feed(tok);
        }
        self.sk.macros.push(MacroDef {
            name: (name.start, name.end),
            line: t.line,
            end_line: t.end_line(),
            params,
            refs: c.refs,
        });
    }

    /// Skips an `#if 0` block: returns when its `#else`/`#elif` (live) or
    /// `#endif` has been consumed.
    fn skip_if0(&mut self) {
        let mut depth = 0;
        while let Some(t) = self.next() {
            if t.kind != Kind::Directive {
                continue;
            }
            let (name, _) = lex::directive(t.text(self.src));
            match name {
                b"if" | b"ifdef" | b"ifndef" => depth += 1,
                b"endif" if depth == 0 => return,
                b"endif" => depth -= 1,
                b"else" | b"elif" | b"elifdef" | b"elifndef" if depth == 0 => return,
                _ => {}
            }
        }
    }

    /// Skips to the `#endif` closing the conditional we are in.
    fn skip_to_endif(&mut self) {
        let mut depth = 0;
        while let Some(t) = self.next() {
            if t.kind != Kind::Directive {
                continue;
            }
            let (name, _) = lex::directive(t.text(self.src));
            match name {
                b"if" | b"ifdef" | b"ifndef" => depth += 1,
                b"endif" if depth == 0 => return,
                b"endif" => depth -= 1,
                _ => {}
            }
        }
    }

    fn is_if0(&self, t: &Token) -> bool {
        let (name, rest) = lex::directive(t.text(self.src));
        name == b"if" && {
            let r = rest.trim_ascii();
            r == b"0" || r.starts_with(b"0 ") || r.starts_with(b"0/") || r.starts_with(b"0\t")
        }
    }

    /// Scans a body or initialiser whose `{` was just read, up to its
    /// matching `}` (consumed). Returns the references and the `}`.
    fn scan_block(&mut self) -> (Vec<RawRef>, Option<Token>) {
        let mut c = Collector::new(self.src);
        let mut depth: i32 = 1;
        let mut conds: Vec<Cond> = Vec::new();
        while let Some(t) = self.next() {
            match t.kind {
                Kind::Directive => {
                    let (name, _) = lex::directive(t.text(self.src));
                    match name {
                        b"define" => self.define(&t),
                        b"if" if self.is_if0(&t) => self.skip_if0(),
                        b"if" | b"ifdef" | b"ifndef" => conds.push(Cond {
                            at_if: depth,
                            first_end: None,
                        }),
                        b"else" | b"elif" | b"elifdef" | b"elifndef" => match conds.last_mut() {
                            Some(cd) => {
                                if cd.first_end.is_none() {
                                    cd.first_end = Some(depth);
                                }
                                depth = cd.at_if;
                            }
                            // The body opened in the first branch of a
                            // conditional outside it: the other branches
                            // are alternatives of what came before.
                            None => self.skip_to_endif(),
                        },
                        b"endif" => {
                            if let Some(cd) = conds.pop()
                                && let Some(d) = cd.first_end
                            {
                                depth = d;
                            }
                        }
                        _ => {}
                    }
                    if depth <= 0 {
                        return (c.refs, None);
                    }
                }
                Kind::Punct(b'{') => {
                    depth += 1;
                    c.feed(t);
                }
                Kind::Punct(b'}') => {
                    depth -= 1;
                    if depth == 0 {
                        return (c.refs, Some(t));
                    }
                    c.feed(t);
                }
                _ => c.feed(t),
            }
        }
        (c.refs, None)
    }

    /// `SYSCALL_DEFINE3(madvise, unsigned long, start, ...)` ->
    /// `long sys_madvise(unsigned long start, ...)`.
    fn syscall(&mut self, t: &Token, prefix: &str) -> bool {
        let Some((_, _, inner)) = self.skip_parens() else {
            return false;
        };
        // Split the arguments at top-level commas.
        let mut args: Vec<Vec<Token>> = vec![Vec::new()];
        let mut depth = 0;
        for tok in inner {
            if tok.is(b'(') {
                depth += 1;
            } else if tok.is(b')') {
                depth -= 1;
            }
            if tok.is(b',') && depth == 0 {
                args.push(Vec::new());
            } else if let Some(a) = args.last_mut() {
                a.push(tok);
            }
        }
        let text = |toks: &[Token]| {
            toks.iter()
                .map(|t| String::from_utf8_lossy(t.text(self.src)).into_owned())
                .filter(|w| !is_mask_word(w.as_bytes()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let name = args.first().map(|a| text(a)).unwrap_or_default();
        if name.is_empty() {
            return false;
        }
        let mut params = Vec::new();
        for pair in args[1..].chunks(2) {
            match pair {
                [ty, arg] => params.push(format!("{} {}", text(ty), text(arg))),
                [ty] => params.push(text(ty)),
                _ => {}
            }
        }
        let params = if params.is_empty() {
            "void".to_owned()
        } else {
            params.join(", ")
        };
        self.emit_str(t.line, &format!("long {prefix}{name}({params})"));
        true
    }

    fn run(mut self) -> Skeleton {
        let mut depth = 0i32;
        // The last significant token kept at file scope (or in a type body).
        let mut prev: Option<Token> = None;
        let mut before_prev: Option<Token> = None;
        while let Some(t) = self.next() {
            match t.kind {
                Kind::Directive => {
                    let (name, _) = lex::directive(t.text(self.src));
                    match name {
                        b"define" => self.define(&t),
                        b"if" if self.is_if0(&t) => self.skip_if0(),
                        _ => {}
                    }
                    continue;
                }
                Kind::Ident => {
                    let w = t.text(self.src);
                    if is_mask_word(w) {
                        continue;
                    }
                    if is_mask_call(w) {
                        self.skip_parens();
                        continue;
                    }
                    if depth == 0 && is_dropped_statement(w) {
                        if self.skip_parens().is_some() && self.peek().is_some_and(|n| n.is(b';')) {
                            self.pushback = None;
                        }
                        continue;
                    }
                    let stmt_start = prev.is_none_or(|p| p.is(b';') || p.is(b'}'));
                    if depth == 0 && stmt_start && syscall_prefix(w).is_none() {
                        if is_all_caps(w)
                            && self.peek().is_some_and(|n| {
                                n.kind == Kind::Ident && starts_declaration(n.text(self.src))
                            })
                        {
                            // An annotation macro we do not know by name.
                            continue;
                        }
                        if self.peek().is_some_and(|n| n.is(b'(')) {
                            let toks = self.take_parens();
                            let next = self.peek();
                            let last_line = toks.last().map_or(t.line, |x| x.end_line());
                            let invocation = next.is_none_or(|n| {
                                n.line > last_line
                                    && !matches!(
                                        n.kind,
                                        Kind::Punct(b';' | b'{' | b',' | b'=' | b'(' | b'[' | b':')
                                    )
                            });
                            if invocation {
                                // `BUFFER_FNS(Uptodate, uptodate)` on a line of
                                // its own: a macro expanding to definitions
                                // we cannot see; tree-sitter would join it
                                // with the next declaration.
                                continue;
                            }
                            self.emit(&t);
                            for x in &toks {
                                self.emit(x);
                            }
                            before_prev = Some(t);
                            prev = toks.last().copied();
                            continue;
                        }
                    }
                    if let Some(prefix) = syscall_prefix(w)
                        && self.syscall(&t, prefix)
                    {
                        before_prev = prev;
                        prev = Some(Token {
                            kind: Kind::Punct(b')'),
                            ..t
                        });
                        continue;
                    }
                    self.emit(&t);
                }
                Kind::Punct(b'{') => {
                    let kind = prev.map(|p| p.kind);
                    let elide = if kind == Some(Kind::Punct(b')')) && depth == 0 {
                        Some(true)
                    } else if self.opens_type(prev, before_prev) {
                        None
                    } else {
                        // An initialiser, or a brace tree-sitter could only
                        // recover from (data rows included by another file).
                        Some(false)
                    };
                    self.emit(&t);
                    if elide.is_none() && self.opens_enum(prev, before_prev) {
                        self.enum_body();
                        before_prev = prev;
                        prev = Some(Token {
                            kind: Kind::Punct(b'}'),
                            ..t
                        });
                        continue;
                    }
                    if let Some(is_body) = elide {
                        let open = (self.out.len() - 1) as u32;
                        let (refs, close) = self.scan_block();
                        let scanned = Scanned { open, refs };
                        if is_body {
                            self.sk.bodies.push(scanned);
                        } else {
                            self.sk.inits.push(scanned);
                        }
                        let line = close.map_or(self.lx_line(), |c| c.line);
                        self.emit_str(line, "}");
                        before_prev = prev;
                        prev = close;
                        continue;
                    }
                    depth += 1;
                }
                Kind::Punct(b'}') => {
                    depth = (depth - 1).max(0);
                    self.emit(&t);
                }
                _ => self.emit(&t),
            }
            before_prev = prev;
            prev = Some(t);
        }
        self.sk.lines = self.lx_line();
        self.sk.text = self.out;
        self.sk
    }

    /// Whether a `{` after `prev` opens an enum body.
    fn opens_enum(&self, prev: Option<Token>, before: Option<Token>) -> bool {
        let is_enum = |t: Option<Token>| {
            t.is_some_and(|t| t.kind == Kind::Ident && t.text(self.src) == b"enum")
        };
        is_enum(prev) || (prev.is_some_and(|p| p.kind == Kind::Ident) && is_enum(before))
    }

    /// Reads an enum body whose `{` was just emitted: its enumerators (an
    /// identifier first in an element), up to the matching `}` (emitted).
    fn enum_body(&mut self) {
        let mut depth = 1;
        let mut element_start = true;
        let mut close_line = None;
        while let Some(t) = self.next() {
            match t.kind {
                Kind::Directive => {
                    if lex::directive(t.text(self.src)).0 == b"define" {
                        self.define(&t);
                    } else if self.is_if0(&t) {
                        self.skip_if0();
                    }
                    continue;
                }
                Kind::Punct(b'{' | b'(' | b'[') => depth += 1,
                Kind::Punct(b'}' | b')' | b']') => {
                    depth -= 1;
                    if depth == 0 {
                        close_line = Some(t.line);
                        break;
                    }
                }
                Kind::Punct(b',') if depth == 1 => {
                    element_start = true;
                    continue;
                }
                Kind::Ident if depth == 1 && element_start => {
                    let w = t.text(self.src);
                    if !is_mask_word(w) {
                        let follows = self.peek();
                        if follows.is_none_or(|n| {
                            matches!(n.kind, Kind::Punct(b'=' | b',' | b'}'))
                                || n.kind == Kind::Ident
                        }) {
                            self.sk.enumerators.push(((t.start, t.end), t.line));
                        }
                        element_start = false;
                    }
                    continue;
                }
                _ => {}
            }
            element_start = false;
        }
        let line = close_line.unwrap_or_else(|| self.lx_line());
        self.emit_str(line, "}");
    }

    /// Tokens of a balanced `( ... )` that comes next, parentheses
    /// included, directives left out.
    fn take_parens(&mut self) -> Vec<Token> {
        let mut out = Vec::new();
        let mut depth = 0;
        while let Some(t) = self.next() {
            if t.kind == Kind::Directive {
                continue;
            }
            if t.is(b'(') {
                depth += 1;
            } else if t.is(b')') {
                depth -= 1;
            }
            out.push(t);
            if depth == 0 {
                break;
            }
        }
        out
    }

    /// Whether a `{` after `prev` opens a struct, union or enum body:
    /// `struct NAME {`, `struct {`.
    fn opens_type(&self, prev: Option<Token>, before: Option<Token>) -> bool {
        let is_tag = |t: Option<Token>| {
            t.is_some_and(|t| {
                t.kind == Kind::Ident && matches!(t.text(self.src), b"struct" | b"union" | b"enum")
            })
        };
        is_tag(prev) || (prev.is_some_and(|p| p.kind == Kind::Ident) && is_tag(before))
    }

    fn lx_line(&self) -> u32 {
        self.lx.line()
    }
}

/// Builds the skeleton of `src`.
pub(crate) fn build(src: &[u8]) -> Skeleton {
    Builder {
        src,
        lx: Lexer::new(src),
        out: Vec::with_capacity(src.len() / 3 + 64),
        out_line: 1,
        pushback: None,
        sk: Skeleton::default(),
    }
    .run()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(src: &str) -> String {
        String::from_utf8(build(src.as_bytes()).text).expect("utf-8")
    }

    #[test]
    fn bodies_are_left_out_with_their_lines() {
        let src = "/* c */\nstatic int __init foo(int a)\n{\n\treturn bar(a);\n}\nint x = 1;\n";
        let t = text(src);
        assert_eq!(t.lines().count(), src.lines().count(), "{t:?}");
        assert!(t.contains("static int foo ( int a )"), "{t:?}");
        assert!(!t.contains("bar"), "{t:?}");
        let sk = build(src.as_bytes());
        assert_eq!(sk.bodies.len(), 1);
        assert_eq!(sk.bodies[0].refs.len(), 2); // bar(...) and a as its argument
    }

    #[test]
    fn syscalls_are_renamed() {
        let t = text(
            "SYSCALL_DEFINE3(madvise, unsigned long, start, size_t, len_in,\n\t\tint, behavior)\n{\n\treturn do_madvise(current->mm, start, len_in, behavior);\n}\n",
        );
        assert!(
            t.starts_with(
                "long sys_madvise(unsigned long start, size_t len_in, int behavior)\n\n{"
            ),
            "{t:?}"
        );
    }

    #[test]
    fn macros_are_read_and_dropped() {
        let src = "#define pte_offset_map_lock(mm, pmd, addr, ptlp) \\\n\t__pte_offset_map_lock(mm, pmd, addr, ptlp)\nint y;\n";
        let sk = build(src.as_bytes());
        assert_eq!(sk.macros.len(), 1);
        let m = &sk.macros[0];
        assert_eq!((m.line, m.end_line, m.params.len()), (1, 2, 4));
        assert_eq!(
            m.refs
                .iter()
                .filter(|r| r.kind == crate::model::RefKind::Call)
                .count(),
            1
        );
        assert_eq!(String::from_utf8_lossy(&sk.text), "\n\nint y ;");
    }

    #[test]
    fn unbalanced_branches_in_a_body() {
        let src = "void f(void)\n{\n#ifdef A\n\tif (a) {\n#else\n\tif (b) {\n#endif\n\t\tg();\n\t}\n}\nvoid h(void) { }\n";
        let sk = build(src.as_bytes());
        assert_eq!(
            sk.bodies.len(),
            2,
            "{:?}",
            String::from_utf8_lossy(&sk.text)
        );
    }

    #[test]
    fn signature_in_two_branches() {
        let src = "#ifdef A\nstatic void f(int a) {\n#else\nstatic void f(void) {\n#endif\n\tg();\n}\nvoid h(void) { }\n";
        let sk = build(src.as_bytes());
        assert_eq!(
            sk.bodies.len(),
            2,
            "{:?}",
            String::from_utf8_lossy(&sk.text)
        );
    }

    #[test]
    fn if0_is_skipped() {
        let t = text("#if 0\nint dead(void) { }\n#else\nint live;\n#endif\n");
        assert!(!t.contains("dead") && t.contains("live"), "{t:?}");
    }
}
