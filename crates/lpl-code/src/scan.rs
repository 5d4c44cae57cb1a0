//! References inside a function body or a macro body, from its tokens:
//! calls (`f(...)`, `x->f(...)`, `(*f)(...)`), functions passed as
//! arguments (`f(a, g)`), and functions assigned (`.field = g`,
//! `x->field = g`, `x = g`). The tree-sitter pass never sees bodies (see
//! `skeleton`): a token scan finds the same calls in a fraction of the time.

use crate::lex::{Kind, Token};
use crate::model::RefKind;

/// A reference with byte ranges into the source (made into strings once
/// its definition is known).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawRef {
    pub name: (u32, u32),
    pub kind: RefKind,
    pub line: u32,
    pub via: Option<(u32, u32)>,
    pub arg: u8,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    /// The function called with these parentheses (direct calls only).
    callee: Option<(u32, u32)>,
    arg: u8,
    ntok: u32,
    single: Option<Token>,
}

/// Words that are followed by `(` without being calls.
const NOT_CALLS: &[&[u8]] = &[
    b"if",
    b"for",
    b"while",
    b"switch",
    b"return",
    b"sizeof",
    b"typeof",
    b"typeof_unqual",
    b"__typeof__",
    b"__typeof",
    b"_Alignof",
    b"alignof",
    b"__alignof__",
    b"__alignof",
    b"_Alignas",
    b"_Generic",
    b"do",
    b"else",
    b"case",
    b"asm",
    b"__asm__",
    b"__asm",
    b"volatile",
    b"__volatile__",
    b"__volatile",
    b"defined",
    b"_Static_assert",
    b"__attribute__",
    b"__attribute",
    b"goto",
    b"int",
    b"char",
    b"void",
    b"long",
    b"unsigned",
    b"signed",
    b"short",
    b"float",
    b"double",
    b"const",
    b"struct",
    b"union",
    b"enum",
    b"static",
    b"inline",
    b"__inline__",
    b"__inline",
    b"restrict",
    b"__restrict",
    b"_Bool",
    b"__auto_type",
    b"__extension__",
];

/// Whether `name(` is not a call: a keyword, a compiler builtin, or a
/// `for_each` loop macro (`list_for_each_entry(pos, head, member) {`).
pub(crate) fn is_not_call(name: &[u8]) -> bool {
    NOT_CALLS.contains(&name)
        || name.starts_with(b"__builtin_")
        || memchr::memmem::find(name, b"for_each").is_some()
}

fn is_keyword(name: &[u8]) -> bool {
    NOT_CALLS.contains(&name)
        || matches!(
            name,
            b"NULL"
                | b"true"
                | b"false"
                | b"break"
                | b"continue"
                | b"default"
                | b"extern"
                | b"register"
        )
}

/// Collects references from the significant tokens of one body, fed in
/// order (directives left out).
pub(crate) struct Collector<'a> {
    src: &'a [u8],
    /// The last four tokens, newest first.
    hist: [Option<Token>; 4],
    frames: Vec<Frame>,
    pub refs: Vec<RawRef>,
}

impl<'a> Collector<'a> {
    pub(crate) fn new(src: &'a [u8]) -> Self {
        Collector {
            src,
            hist: [None; 4],
            frames: Vec::new(),
            refs: Vec::new(),
        }
    }

    fn range(t: &Token) -> (u32, u32) {
        (t.start, t.end)
    }

    fn ident<'t>(&self, t: Option<&'t Token>) -> Option<&'t Token> {
        t.filter(|t| t.kind == Kind::Ident)
    }

    fn is_punct(t: Option<&Token>, p: u8) -> bool {
        t.is_some_and(|t| t.is(p))
    }

    fn close_arg(&mut self) {
        let Some(f) = self.frames.last() else { return };
        if let (Some(callee), 1, Some(single)) = (f.callee, f.ntok, f.single)
            && single.kind == Kind::Ident
            && !is_keyword(single.text(self.src))
        {
            self.refs.push(RawRef {
                name: Self::range(&single),
                kind: RefKind::Arg,
                line: single.line,
                via: Some(callee),
                arg: f.arg,
            });
        }
    }

    /// `... = NAME` ended by `t`: an assignment of what may be a function.
    fn assignment(&mut self) {
        let h = self.hist;
        let (Some(value), Some(eq)) = (self.ident(h[0].as_ref()), h[1].as_ref()) else {
            return;
        };
        if !eq.is(b'=') || is_keyword(value.text(self.src)) {
            return;
        }
        let lhs = h[2].as_ref();
        let Some(lhs) = lhs.filter(|t| t.kind == Kind::Ident) else {
            return;
        };
        let field = h[3]
            .as_ref()
            .is_some_and(|t| t.is(b'.') || t.kind == Kind::Arrow);
        self.refs.push(RawRef {
            name: Self::range(value),
            kind: RefKind::Assign,
            line: value.line,
            via: field.then(|| Self::range(lhs)),
            arg: 0,
        });
    }

    /// Feeds the next significant token.
    pub(crate) fn feed(&mut self, t: Token) {
        match t.kind {
            Kind::Punct(b'(') => {
                if let Some(f) = self.frames.last_mut() {
                    f.ntok += 1;
                    f.single = Some(t);
                }
                let h = self.hist;
                let mut callee = None;
                if let Some(prev) = self.ident(h[0].as_ref()) {
                    let name = prev.text(self.src);
                    if !is_not_call(name) {
                        let field = h[1]
                            .as_ref()
                            .is_some_and(|t| t.kind == Kind::Arrow || t.is(b'.'));
                        self.refs.push(RawRef {
                            name: Self::range(prev),
                            kind: if field {
                                RefKind::FieldCall
                            } else {
                                RefKind::Call
                            },
                            line: prev.line,
                            via: None,
                            arg: 0,
                        });
                        if !field {
                            callee = Some(Self::range(prev));
                        }
                    }
                } else if Self::is_punct(h[0].as_ref(), b')')
                    && Self::is_punct(h[2].as_ref(), b'*')
                    && Self::is_punct(h[3].as_ref(), b'(')
                    && let Some(p) = self.ident(h[1].as_ref())
                {
                    // `(*visit)(...)`
                    self.refs.push(RawRef {
                        name: Self::range(p),
                        kind: RefKind::Call,
                        line: p.line,
                        via: None,
                        arg: 0,
                    });
                }
                self.frames.push(Frame {
                    callee,
                    arg: 0,
                    ntok: 0,
                    single: None,
                });
            }
            Kind::Punct(b')') => {
                self.assignment_before(b')');
                self.close_arg();
                self.frames.pop();
                if let Some(f) = self.frames.last_mut() {
                    f.ntok += 1;
                    f.single = Some(t);
                }
            }
            Kind::Punct(b',') => {
                self.assignment_before(b',');
                if self.frames.is_empty() {
                    // A comma between initialisers or declarators.
                } else {
                    self.close_arg();
                    if let Some(f) = self.frames.last_mut() {
                        f.arg = f.arg.saturating_add(1);
                        f.ntok = 0;
                        f.single = None;
                    }
                }
            }
            Kind::Punct(b';') | Kind::Punct(b'}') => {
                self.assignment_before(b';');
                if let Some(f) = self.frames.last_mut() {
                    f.ntok += 1;
                    f.single = Some(t);
                }
            }
            _ => {
                if let Some(f) = self.frames.last_mut() {
                    f.ntok += 1;
                    f.single = Some(t);
                }
            }
        }
        self.hist = [Some(t), self.hist[0], self.hist[1], self.hist[2]];
    }

    fn assignment_before(&mut self, _end: u8) {
        self.assignment();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::Lexer;

    fn refs(src: &str) -> Vec<(String, RefKind, Option<String>, u8)> {
        let b = src.as_bytes();
        let mut lx = Lexer::new(b);
        let mut c = Collector::new(b);
        while let Some(t) = lx.next_token() {
            c.feed(t);
        }
        let s =
            |r: (u32, u32)| String::from_utf8_lossy(&b[r.0 as usize..r.1 as usize]).into_owned();
        c.refs
            .iter()
            .map(|r| (s(r.name), r.kind, r.via.map(s), r.arg))
            .collect()
    }

    #[test]
    fn calls_args_and_assignments() {
        let r = refs(
            "error = madvise_walk_vmas(mm, start, end, behavior,\n madvise_vma_behavior);\n\
             if (x) ops->open(f); (*visit)(vma); list_for_each_entry(p, h, m) { kfree(p); }\n\
             cb.fn = my_cb; q->done = end_io; r = s; a == b;",
        );
        let want = [
            ("madvise_walk_vmas", RefKind::Call, None, 0),
            ("mm", RefKind::Arg, Some("madvise_walk_vmas"), 0),
            ("start", RefKind::Arg, Some("madvise_walk_vmas"), 1),
            ("end", RefKind::Arg, Some("madvise_walk_vmas"), 2),
            ("behavior", RefKind::Arg, Some("madvise_walk_vmas"), 3),
            (
                "madvise_vma_behavior",
                RefKind::Arg,
                Some("madvise_walk_vmas"),
                4,
            ),
            ("open", RefKind::FieldCall, None, 0),
            ("visit", RefKind::Call, None, 0),
            ("kfree", RefKind::Call, None, 0),
            ("p", RefKind::Arg, Some("kfree"), 0),
            ("my_cb", RefKind::Assign, Some("fn"), 0),
            ("end_io", RefKind::Assign, Some("done"), 0),
            ("s", RefKind::Assign, None, 0),
        ];
        let got: Vec<_> = r
            .iter()
            .map(|(n, k, v, a)| (n.as_str(), *k, v.as_deref(), *a))
            .collect();
        assert_eq!(got, want);
    }
}
