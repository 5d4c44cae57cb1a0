//! Definitions from the tree-sitter parse of a file's skeleton, joined with
//! what the pre-pass found (macros, references in bodies and
//! initialisers).

use std::collections::HashMap;

use tree_sitter::{Node, Parser};

use crate::model::{Def, DefKind, FileIndex, Ref};
use crate::scan::RawRef;
use crate::skeleton::{self, Skeleton};

/// A tree-sitter parser for C (one per thread).
pub(crate) fn parser() -> Parser {
    let mut p = Parser::new();
    // The grammar's ABI (15) is within what the runtime accepts (13..=15),
    // checked by the test suite; an error here is a build mistake.
    if p.set_language(&tree_sitter_c::LANGUAGE.into()).is_err() {
        debug_assert!(false, "tree-sitter-c ABI not supported by the runtime");
    }
    p
}

struct Staged {
    def: Def,
    refs: Vec<RawRef>,
    /// Parameter names, to find which are called.
    params: Vec<String>,
}

struct Extractor<'a> {
    text: &'a [u8],
    bodies: HashMap<u32, usize>,
    inits: HashMap<u32, usize>,
    sk: &'a mut Skeleton,
    out: Vec<Staged>,
    error_lines: Vec<u32>,
}

fn line(n: Node<'_>) -> u32 {
    n.start_position().row as u32 + 1
}

fn end_line(n: Node<'_>) -> u32 {
    n.end_position().row as u32 + 1
}

/// What a declarator declares.
struct Declared<'t> {
    name: Node<'t>,
    function: bool,
    params: Option<Node<'t>>,
}

fn declared(n: Node<'_>) -> Option<Declared<'_>> {
    match n.kind() {
        "identifier" | "field_identifier" | "type_identifier" | "primitive_type" => {
            Some(Declared {
                name: n,
                function: false,
                params: None,
            })
        }
        "pointer_declarator" | "array_declarator" | "init_declarator" => {
            declared(n.child_by_field_name("declarator")?)
        }
        "attributed_declarator" | "parenthesized_declarator" => {
            let inner = n.named_child(0)?;
            let d = declared(inner)?;
            if n.kind() == "parenthesized_declarator" && !d.function {
                // `(*fp)`: a pointer, whatever follows.
                return Some(Declared {
                    function: false,
                    params: None,
                    ..d
                });
            }
            Some(d)
        }
        "function_declarator" => {
            let inner = n.child_by_field_name("declarator")?;
            let d = declared(inner)?;
            if inner.kind() == "parenthesized_declarator" && !d.function {
                // `int (*fp)(int)`: a pointer to a function.
                return Some(d);
            }
            if d.function {
                // A function returning a pointer to a function.
                return Some(d);
            }
            Some(Declared {
                name: d.name,
                function: true,
                params: n.child_by_field_name("parameters"),
            })
        }
        _ => None,
    }
}

fn has_storage(n: Node<'_>, text: &[u8], word: &str) -> bool {
    let mut c = n.walk();
    n.children(&mut c).any(|ch| {
        ch.kind() == "storage_class_specifier" && ch.utf8_text(text).is_ok_and(|t| t == word)
    })
}

fn param_names(params: Option<Node<'_>>, text: &[u8]) -> Vec<String> {
    let Some(p) = params else {
        return Vec::new();
    };
    let mut c = p.walk();
    p.named_children(&mut c)
        .filter(|ch| ch.kind() == "parameter_declaration")
        .map(|ch| {
            ch.child_by_field_name("declarator")
                .and_then(declared)
                .and_then(|d| d.name.utf8_text(text).ok())
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

impl Extractor<'_> {
    fn name_of(&self, n: Node<'_>) -> Option<String> {
        let t = n.utf8_text(self.text).ok()?;
        (!t.is_empty()).then(|| t.to_owned())
    }

    fn push(&mut self, def: Def, refs: Vec<RawRef>, params: Vec<String>) {
        self.out.push(Staged { def, refs, params });
    }

    fn take_refs(&mut self, which: bool, open: u32) -> Vec<RawRef> {
        let map = if which { &self.bodies } else { &self.inits };
        let Some(&i) = map.get(&open) else {
            return Vec::new();
        };
        let v = if which {
            &mut self.sk.bodies[i].refs
        } else {
            &mut self.sk.inits[i].refs
        };
        std::mem::take(v)
    }

    fn walk(&mut self, n: Node<'_>) {
        match n.kind() {
            "function_definition" => self.function(n),
            "declaration" => self.declaration(n, false),
            "type_definition" => self.declaration(n, true),
            "struct_specifier" | "union_specifier" | "enum_specifier" => self.specifier(n),
            "compound_statement"
            | "parameter_list"
            | "initializer_list"
            | "string_literal"
            | "comment"
            | "expression_statement" => {}
            kind => {
                if kind == "ERROR" {
                    self.error_lines.push(line(n));
                }
                let mut c = n.walk();
                let children: Vec<Node<'_>> = n.named_children(&mut c).collect();
                for ch in children {
                    self.walk(ch);
                }
            }
        }
    }

    fn function(&mut self, n: Node<'_>) {
        if let Some(t) = n.child_by_field_name("type") {
            self.walk_type(t);
        }
        let Some(d) = n.child_by_field_name("declarator").and_then(declared) else {
            return;
        };
        let Some(name) = self.name_of(d.name) else {
            return;
        };
        let refs = n
            .child_by_field_name("body")
            .map(|b| self.take_refs(true, b.start_byte() as u32))
            .unwrap_or_default();
        let params = param_names(d.params, self.text);
        let def = Def {
            name,
            kind: DefKind::Function,
            line: line(d.name),
            start: line(n),
            end: end_line(n),
            is_static: has_storage(n, self.text, "static"),
            called_params: 0,
        };
        self.push(def, refs, params);
    }

    fn walk_type(&mut self, t: Node<'_>) {
        if matches!(
            t.kind(),
            "struct_specifier" | "union_specifier" | "enum_specifier"
        ) {
            self.specifier(t);
        }
    }

    fn declaration(&mut self, n: Node<'_>, typedef: bool) {
        if let Some(t) = n.child_by_field_name("type") {
            self.walk_type(t);
        }
        let is_extern = !typedef && has_storage(n, self.text, "extern");
        let is_static = has_storage(n, self.text, "static");
        let mut c = n.walk();
        let decls: Vec<Node<'_>> = n.children_by_field_name("declarator", &mut c).collect();
        for decl in decls {
            let Some(d) = declared(decl) else { continue };
            if !typedef && (d.function || is_extern) {
                // A prototype or an extern declaration: not a definition.
                continue;
            }
            let Some(name) = self.name_of(d.name) else {
                continue;
            };
            let refs = if decl.kind() == "init_declarator" {
                decl.child_by_field_name("value")
                    .filter(|v| v.kind() == "initializer_list")
                    .map(|v| self.take_refs(false, v.start_byte() as u32))
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let def = Def {
                name,
                kind: if typedef {
                    DefKind::Typedef
                } else {
                    DefKind::Variable
                },
                line: line(d.name),
                start: line(n),
                end: end_line(n),
                is_static,
                called_params: 0,
            };
            self.push(def, refs, Vec::new());
        }
    }

    fn specifier(&mut self, n: Node<'_>) {
        let Some(body) = n.child_by_field_name("body") else {
            return;
        };
        let kind = match n.kind() {
            "struct_specifier" => DefKind::Struct,
            "union_specifier" => DefKind::Union,
            _ => DefKind::Enum,
        };
        if let Some(name) = n.child_by_field_name("name")
            && let Some(text) = self.name_of(name)
        {
            let def = Def {
                name: text,
                kind,
                line: line(name),
                start: line(n),
                end: end_line(n),
                is_static: false,
                called_params: 0,
            };
            self.push(def, Vec::new(), Vec::new());
        }
        let mut c = body.walk();
        let members: Vec<Node<'_>> = body.named_children(&mut c).collect();
        for m in members {
            match m.kind() {
                "enumerator" => {
                    if let Some(name) = m.child_by_field_name("name")
                        && let Some(text) = self.name_of(name)
                    {
                        let def = Def {
                            name: text,
                            kind: DefKind::Enumerator,
                            line: line(name),
                            start: line(m),
                            end: end_line(m),
                            is_static: false,
                            called_params: 0,
                        };
                        self.push(def, Vec::new(), Vec::new());
                    }
                }
                "field_declaration" => {
                    if let Some(t) = m.child_by_field_name("type") {
                        self.walk_type(t);
                    }
                }
                "ERROR" => {
                    self.error_lines.push(line(m));
                    self.walk(m);
                }
                _ => self.walk(m),
            }
        }
    }
}

fn text_of(src: &[u8], r: (u32, u32)) -> String {
    String::from_utf8_lossy(src.get(r.0 as usize..r.1 as usize).unwrap_or_default()).into_owned()
}

/// How long tree-sitter may take over one file's skeleton before the file
/// is indexed without it (macros and enumerators only).
const PARSE_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// Indexes one C source file.
pub(crate) fn index_source(parser: &mut Parser, src: &[u8]) -> FileIndex {
    let mut sk = skeleton::build(src);
    let text = std::mem::take(&mut sk.text);
    let started = std::time::Instant::now();
    let mut over_budget = |_: &tree_sitter::ParseState| {
        if started.elapsed() > PARSE_BUDGET {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    };
    let len = text.len();
    let tree = parser.parse_with_options(
        &mut |i, _| if i < len { &text[i..] } else { &[][..] },
        None,
        Some(tree_sitter::ParseOptions::new().progress_callback(&mut over_budget)),
    );
    let timed_out = tree.is_none();
    let bodies = sk
        .bodies
        .iter()
        .enumerate()
        .map(|(i, b)| (b.open, i))
        .collect();
    let inits = sk
        .inits
        .iter()
        .enumerate()
        .map(|(i, b)| (b.open, i))
        .collect();
    let lines = sk.lines;
    let macros = std::mem::take(&mut sk.macros);
    let enumerators = std::mem::take(&mut sk.enumerators);
    let mut ex = Extractor {
        text: &text,
        bodies,
        inits,
        sk: &mut sk,
        out: Vec::new(),
        error_lines: Vec::new(),
    };
    if let Some(tree) = &tree {
        ex.walk(tree.root_node());
    }
    let mut staged = std::mem::take(&mut ex.out);
    let error_lines = std::mem::take(&mut ex.error_lines);
    for m in macros {
        staged.push(Staged {
            def: Def {
                name: text_of(src, m.name),
                kind: DefKind::Macro,
                line: m.line,
                start: m.line,
                end: m.end_line,
                is_static: false,
                called_params: 0,
            },
            params: m.params.iter().map(|&p| text_of(src, p)).collect(),
            refs: m.refs,
        });
    }
    for (name, line) in enumerators {
        staged.push(Staged {
            def: Def {
                name: text_of(src, name),
                kind: DefKind::Enumerator,
                line,
                start: line,
                end: line,
                is_static: false,
                called_params: 0,
            },
            params: Vec::new(),
            refs: Vec::new(),
        });
    }
    staged.sort_by_key(|s| (s.def.start, s.def.line));
    let mut out = FileIndex {
        lines,
        error_lines,
        timed_out,
        ..FileIndex::default()
    };
    for (i, s) in staged.into_iter().enumerate() {
        let mut def = s.def;
        for r in &s.refs {
            let name = text_of(src, r.name);
            if r.kind == crate::model::RefKind::Call
                && let Some(p) = s.params.iter().position(|p| *p == name)
                && p < 32
            {
                def.called_params |= 1 << p;
            }
            out.refs.push(Ref {
                from: i as u32,
                name,
                kind: r.kind,
                line: r.line,
                via: r.via.map(|v| text_of(src, v)),
                arg: r.arg,
            });
        }
        out.defs.push(def);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RefKind;

    fn idx(src: &str) -> FileIndex {
        index_source(&mut parser(), src.as_bytes())
    }

    fn defs(f: &FileIndex) -> Vec<(&str, DefKind, u32, u32, u32)> {
        f.defs
            .iter()
            .map(|d| (d.name.as_str(), d.kind, d.line, d.start, d.end))
            .collect()
    }

    #[test]
    fn kinds_and_spans() {
        let f = idx(
            "#define MAX 3\nstruct s {\n\tint a;\n\tunion u { int b; } c;\n};\nenum e { A, B = 2 };\ntypedef int (*fn_t)(int);\nstatic int counter, *ptr;\nextern int ext;\nint proto(void);\nstatic inline struct page *__must_check\nget(struct s *x)\n{\n\treturn NULL;\n}\nint (*hook)(int) = NULL;\n",
        );
        assert_eq!(
            defs(&f),
            [
                ("MAX", DefKind::Macro, 1, 1, 1),
                ("s", DefKind::Struct, 2, 2, 5),
                ("u", DefKind::Union, 4, 4, 4),
                ("e", DefKind::Enum, 6, 6, 6),
                ("A", DefKind::Enumerator, 6, 6, 6),
                ("B", DefKind::Enumerator, 6, 6, 6),
                ("fn_t", DefKind::Typedef, 7, 7, 7),
                ("counter", DefKind::Variable, 8, 8, 8),
                ("ptr", DefKind::Variable, 8, 8, 8),
                ("get", DefKind::Function, 12, 11, 15),
                ("hook", DefKind::Variable, 16, 16, 16),
            ]
        );
    }

    #[test]
    fn madvise_walk_vmas_calls_its_visit_parameter() {
        let f = idx(
            "int madvise_walk_vmas(struct mm_struct *mm, unsigned long start,\n\t\tunsigned long end, unsigned long arg,\n\t\tint (*visit)(struct vm_area_struct *vma,\n\t\t\tunsigned long arg))\n{\n\tunusable = visit(vma, arg);\n}\nint do_madvise(void)\n{\n\treturn madvise_walk_vmas(mm, start, end, behavior, madvise_vma_behavior);\n}\n",
        );
        assert_eq!(f.defs[0].name, "madvise_walk_vmas");
        assert_eq!(f.defs[0].called_params, 1 << 4);
        let arg = f
            .refs
            .iter()
            .find(|r| r.name == "madvise_vma_behavior")
            .expect("arg ref");
        assert_eq!(
            (arg.kind, arg.via.as_deref(), arg.arg, arg.from),
            (RefKind::Arg, Some("madvise_walk_vmas"), 4, 1)
        );
    }

    #[test]
    fn initialisers_reference_functions() {
        let f = idx(
            "static const struct vm_operations_struct ops = {\n\t.fault = my_fault,\n\t.open = my_open,\n};\n",
        );
        assert_eq!(defs(&f), [("ops", DefKind::Variable, 1, 1, 4)]);
        let r: Vec<_> = f
            .refs
            .iter()
            .map(|r| (r.name.as_str(), r.via.as_deref()))
            .collect();
        assert_eq!(r, [("my_fault", Some("fault")), ("my_open", Some("open"))]);
    }

    #[test]
    fn ifdef_variants_are_all_kept() {
        let f = idx(
            "#ifdef CONFIG_MEMCG\nvoid split_page_memcg(struct page *head, int old, int new)\n{\n\tcss_get_many(x, y);\n}\n#else\nstatic inline void split_page_memcg(struct page *head, int old, int new)\n{\n}\n#endif\n",
        );
        let v: Vec<_> = f
            .defs
            .iter()
            .map(|d| (d.name.as_str(), d.start, d.end, d.is_static))
            .collect();
        assert_eq!(
            v,
            [
                ("split_page_memcg", 2, 5, false),
                ("split_page_memcg", 7, 9, true)
            ]
        );
    }
}
