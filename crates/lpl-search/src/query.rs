//! The lore/lei query language: lexer, hand-written parser and AST.
//!
//! Grammar (Xapian's `QueryParser` as public-inbox configures it: default
//! operator AND, boolean operators only in upper case):
//!
//! ```text
//! query    := or_expr
//! or_expr  := and_expr ("OR" and_expr)*
//! and_expr := seq (("AND" | "AND NOT" | "NOT") seq)*
//! seq      := unary+                      -- juxtaposition means AND
//! unary    := ("-" | "+")? primary
//! primary  := "(" or_expr ")" | prefix ":" value | value
//! value    := word | word "*" | "\"" phrase "\"" | "(" or_expr ")"
//! ```
//!
//! Dates (`d:`, `dt:`, `rt:`) are checked for syntax here and resolved against a caller's
//! `now` when the query is run (see [`crate::date`]).

use std::fmt;

use crate::date::{self, DateRange};

/// Where a term is searched: one lore prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Prefix {
    /// Bare words: Message-ID, subject, from, quoted and non-quoted body, diff.
    Default,
    /// `s:` subject.
    Subject,
    /// `f:` From.
    From,
    /// `t:` To.
    To,
    /// `c:` Cc.
    Cc,
    /// `tc:` To and Cc.
    ToCc,
    /// `tcf:` To, Cc and From.
    ToCcFrom,
    /// `a:` any address header (To, Cc, From).
    Address,
    /// `l:` List-Id (words).
    ListId,
    /// `lid:` List-Id (exact).
    ListIdExact,
    /// `m:` Message-ID (words).
    MessageId,
    /// `mid:` Message-ID (exact).
    MessageIdExact,
    /// `b:` body (quoted and non-quoted, diff included).
    Body,
    /// `bs:` subject and body.
    BodySubject,
    /// `q:` quoted text.
    Quoted,
    /// `nq:` non-quoted text (diff included).
    NonQuoted,
    /// `n:` file names of attachments.
    FileName,
    /// `dfn:` file name in a diff.
    DiffFile,
    /// `dfa:` removed lines.
    DiffRemoved,
    /// `dfb:` added lines.
    DiffAdded,
    /// `dfctx:` context lines.
    DiffContext,
    /// `dfhh:` hunk header (function name).
    DiffHunkHeader,
    /// `dffn:` the functions a hunk changes (lpl only: the caller works
    /// them out from the diff's own lines, where `dfhh:` has the hunk
    /// header's context line, which names the function *before* a change
    /// between two functions).
    DiffFunction,
    /// `dfpre:` pre-image blob id (abbreviations of 7+ digits match).
    DiffPreBlob,
    /// `dfpost:` post-image blob id.
    DiffPostBlob,
    /// `dfblob:` either blob id.
    DiffBlob,
    /// `patchid:` `git patch-id --stable`.
    PatchId,
    /// `kind:` document kind (`message`, `entry`, `note`, `question`); lpl only.
    Kind,
}

impl Prefix {
    /// Looks a prefix up by its name (without the colon).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "s" => Self::Subject,
            "f" => Self::From,
            "t" => Self::To,
            "c" => Self::Cc,
            "tc" => Self::ToCc,
            "tcf" => Self::ToCcFrom,
            "a" => Self::Address,
            "l" => Self::ListId,
            "lid" => Self::ListIdExact,
            "m" => Self::MessageId,
            "mid" => Self::MessageIdExact,
            "b" => Self::Body,
            "bs" => Self::BodySubject,
            "q" => Self::Quoted,
            "nq" => Self::NonQuoted,
            "n" => Self::FileName,
            "dfn" => Self::DiffFile,
            "dfa" => Self::DiffRemoved,
            "dfb" => Self::DiffAdded,
            "dfctx" => Self::DiffContext,
            "dfhh" => Self::DiffHunkHeader,
            "dffn" => Self::DiffFunction,
            "dfpre" => Self::DiffPreBlob,
            "dfpost" => Self::DiffPostBlob,
            "dfblob" => Self::DiffBlob,
            "patchid" => Self::PatchId,
            "kind" => Self::Kind,
            _ => return None,
        })
    }

    /// Boolean (exact, unscored) prefixes take their value verbatim.
    pub fn is_boolean(self) -> bool {
        matches!(
            self,
            Self::ListIdExact
                | Self::MessageIdExact
                | Self::DiffPreBlob
                | Self::DiffPostBlob
                | Self::DiffBlob
                | Self::PatchId
                | Self::Kind
        )
    }
}

/// How a term's text is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermMode {
    /// Words as typed: one word may match its stem; several words written
    /// together (`mm/slub.c`, `foo-bar`) form a phrase.
    Words,
    /// `"a quoted phrase"`: exact words in order, no stemming.
    Phrase,
    /// `word*`: the last word is a prefix.
    Wildcard,
}

/// A leaf of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Where to search.
    pub prefix: Prefix,
    /// The text as written (without quotes or trailing `*`).
    pub text: String,
    /// How to match it.
    pub mode: TermMode,
    /// Byte offset of the term in the query.
    pub offset: usize,
}

/// The parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A term.
    Term(Term),
    /// `d:` range.
    Date(DateRange),
    /// All of the children; `Not` children exclude.
    And(Vec<Node>),
    /// Any of the children.
    Or(Vec<Node>),
    /// Exclusion (`-x`, `NOT x`); only meaningful inside [`Node::And`], alone
    /// it means "everything but".
    Not(Box<Node>),
}

/// A malformed query, with the 1-based column of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at column {column}")]
pub struct QueryError {
    /// What is wrong.
    pub kind: QueryErrorKind,
    /// 1-based column (in characters) in the query text.
    pub column: usize,
}

/// What is wrong with a query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryErrorKind {
    /// `(` without `)` or `)` without `(`.
    #[error("unbalanced parenthesis")]
    UnbalancedParenthesis,
    /// `"` without its closing `"`.
    #[error("unterminated phrase")]
    UnterminatedPhrase,
    /// A prefix such as `s:` with nothing after it.
    #[error("missing value after `{0}:`")]
    MissingValue(String),
    /// `AND`, `OR` or `NOT` without an operand.
    #[error("`{0}` needs an expression on both sides")]
    MissingOperand(String),
    /// Nothing to search for.
    #[error("empty query")]
    Empty,
    /// A `d:` range that could not be understood.
    #[error("bad date: {0}")]
    BadDate(String),
    /// `(` `)` with nothing inside.
    #[error("empty parentheses")]
    EmptyGroup,
    /// Parentheses nested deeper than [`MAX_DEPTH`].
    #[error("parentheses nested more than {MAX_DEPTH} deep")]
    TooDeep,
}

/// Deepest nesting of parentheses a query may have: the parser and the
/// evaluator recurse once per level, so this bounds their stack (about
/// 2,500 levels overflowed the main thread's stack before the bound).
pub const MAX_DEPTH: usize = 64;

impl QueryError {
    fn at(query: &str, offset: usize, kind: QueryErrorKind) -> Self {
        let column = query
            .get(..offset.min(query.len()))
            .map_or(offset, |s| s.chars().count())
            + 1;
        Self { kind, column }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Not,
    /// A value with optional prefix, `-`/`+` sign, phrase flag.
    Item {
        neg: bool,
        prefix: Option<(Prefix, String)>,
        value: Value,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Word(String),
    Phrase(String),
    /// `prefix:(` — the group follows as ordinary tokens.
    Group,
}

#[derive(Debug, Clone)]
struct Lexed {
    tok: Tok,
    offset: usize,
}

fn lex(q: &str) -> Result<Vec<Lexed>, QueryError> {
    let b = q.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let is_quote = |c: char| matches!(c, '"' | '\u{201c}' | '\u{201d}');
    while i < b.len() {
        let c = q[i..]
            .chars()
            .next()
            .expect("i is a char boundary below len");
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let offset = i;
        match c {
            '(' => {
                out.push(Lexed {
                    tok: Tok::Open,
                    offset,
                });
                i += 1;
                continue;
            }
            ')' => {
                out.push(Lexed {
                    tok: Tok::Close,
                    offset,
                });
                i += 1;
                continue;
            }
            _ => {}
        }
        let mut neg = false;
        if (c == '-' || c == '+') && i + 1 < b.len() {
            let next = q[i + 1..].chars().next().expect("boundary");
            if !next.is_whitespace() && next != ')' {
                neg = c == '-';
                i += 1;
            }
        }
        // Read a prefix name if any.
        let rest = &q[i..];
        let mut prefix = None;
        if let Some(colon) = rest.find(':') {
            let name = &rest[..colon];
            if !name.is_empty()
                && name.bytes().all(|c| c.is_ascii_lowercase())
                && let Some(p) = Prefix::from_name(name)
            {
                prefix = Some((p, name.to_owned()));
                i += colon + 1;
            } else if matches!(name, "d" | "dt" | "rt") {
                // Date range: runs to whitespace or a closing parenthesis.
                let start = i + colon + 1;
                let end = q[start..]
                    .find(|c: char| c.is_whitespace() || c == ')')
                    .map_or(q.len(), |e| start + e);
                let spec = &q[start..end];
                if spec.is_empty() {
                    return Err(QueryError::at(
                        q,
                        offset,
                        QueryErrorKind::MissingValue(name.to_owned()),
                    ));
                }
                out.push(Lexed {
                    tok: Tok::Item {
                        neg,
                        prefix: Some((Prefix::Default, name.to_owned())),
                        value: Value::Word(spec.to_owned()),
                    },
                    offset,
                });
                i = end;
                continue;
            }
        }
        let c = q[i..].chars().next();
        let value = match c {
            Some(c) if is_quote(c) => {
                let start = i + c.len_utf8();
                let Some(len) = q[start..].find(is_quote) else {
                    return Err(QueryError::at(q, i, QueryErrorKind::UnterminatedPhrase));
                };
                let close = q[start + len..].chars().next().expect("found").len_utf8();
                i = start + len + close;
                Value::Phrase(q[start..start + len].to_owned())
            }
            Some('(') if prefix.is_some() => {
                i += 1;
                Value::Group
            }
            Some(c) if !c.is_whitespace() && c != ')' => {
                let start = i;
                let end = q[start..]
                    .find(|c: char| c.is_whitespace() || c == '(' || c == ')' || is_quote(c))
                    .map_or(q.len(), |e| start + e);
                i = end;
                Value::Word(q[start..end].to_owned())
            }
            _ => {
                let name = prefix.map_or_else(|| "-".to_owned(), |(_, n)| n);
                return Err(QueryError::at(
                    q,
                    offset,
                    QueryErrorKind::MissingValue(name),
                ));
            }
        };
        let tok = match (&prefix, &value, neg) {
            (None, Value::Word(w), false) if w == "AND" => Tok::And,
            (None, Value::Word(w), false) if w == "OR" => Tok::Or,
            (None, Value::Word(w), false) if w == "NOT" => Tok::Not,
            _ => Tok::Item { neg, prefix, value },
        };
        out.push(Lexed { tok, offset });
    }
    Ok(out)
}

struct Parser<'q> {
    q: &'q str,
    toks: Vec<Lexed>,
    pos: usize,
    /// Open groups around the current position.
    depth: usize,
}

/// Parses a lore/lei query into its AST.
pub fn parse(query: &str) -> Result<Node, QueryError> {
    let toks = lex(query)?;
    if toks.is_empty() {
        return Err(QueryError::at(query, 0, QueryErrorKind::Empty));
    }
    let mut p = Parser {
        q: query,
        toks,
        pos: 0,
        depth: 0,
    };
    let node = p.or_expr(None)?;
    if let Some(t) = p.toks.get(p.pos) {
        // Only a stray ')' can stop the top level early.
        return Err(QueryError::at(
            query,
            t.offset,
            QueryErrorKind::UnbalancedParenthesis,
        ));
    }
    Ok(node)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|l| &l.tok)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.q.len(), |l| l.offset)
    }

    fn or_expr(&mut self, field: Option<Prefix>) -> Result<Node, QueryError> {
        let mut alts = vec![self.and_expr(field, None)?];
        while self.peek() == Some(&Tok::Or) {
            let op_at = self.offset();
            self.pos += 1;
            alts.push(self.and_expr(field, Some(("OR", op_at)))?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().expect("one")
        } else {
            Node::Or(alts)
        })
    }

    fn and_expr(
        &mut self,
        field: Option<Prefix>,
        after: Option<(&str, usize)>,
    ) -> Result<Node, QueryError> {
        let mut parts = Vec::new();
        match self.peek() {
            Some(Tok::Not) if after.is_none() => {
                // Leading NOT: "everything but" (Xapian needs FLAG_PURE_NOT).
                let at = self.offset();
                self.pos += 1;
                parts.push(Node::Not(Box::new(self.seq(field, Some(("NOT", at)))?)));
            }
            _ => parts.push(self.seq(field, after)?),
        }
        loop {
            let at = self.offset();
            match self.peek() {
                Some(Tok::And) => {
                    self.pos += 1;
                    if self.peek() == Some(&Tok::Not) {
                        self.pos += 1;
                        parts.push(Node::Not(Box::new(self.seq(field, Some(("AND NOT", at)))?)));
                    } else {
                        parts.push(self.seq(field, Some(("AND", at)))?);
                    }
                }
                Some(Tok::Not) => {
                    self.pos += 1;
                    parts.push(Node::Not(Box::new(self.seq(field, Some(("NOT", at)))?)));
                }
                _ => break,
            }
        }
        Ok(flatten_and(parts))
    }

    fn seq(
        &mut self,
        field: Option<Prefix>,
        after: Option<(&str, usize)>,
    ) -> Result<Node, QueryError> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                Some(Tok::Open) => {
                    let at = self.offset();
                    self.pos += 1;
                    parts.push(self.group(field, at)?);
                }
                Some(Tok::Item { .. }) => {
                    let lexed = self.toks[self.pos].clone();
                    self.pos += 1;
                    let Tok::Item { neg, prefix, value } = lexed.tok else {
                        unreachable!("matched above")
                    };
                    let node = self.item(field, prefix, value, lexed.offset)?;
                    parts.push(if neg { Node::Not(Box::new(node)) } else { node });
                }
                _ => break,
            }
        }
        if parts.is_empty() {
            let at = self.offset();
            return Err(match (after, self.peek()) {
                (Some((op, op_at)), _) => {
                    QueryError::at(self.q, op_at, QueryErrorKind::MissingOperand(op.to_owned()))
                }
                (None, Some(Tok::And)) => {
                    QueryError::at(self.q, at, QueryErrorKind::MissingOperand("AND".to_owned()))
                }
                (None, Some(Tok::Or)) => {
                    QueryError::at(self.q, at, QueryErrorKind::MissingOperand("OR".to_owned()))
                }
                (None, Some(Tok::Close)) => {
                    QueryError::at(self.q, at, QueryErrorKind::UnbalancedParenthesis)
                }
                _ => QueryError::at(self.q, at, QueryErrorKind::Empty),
            });
        }
        Ok(flatten_and(parts))
    }

    fn group(&mut self, field: Option<Prefix>, open_at: usize) -> Result<Node, QueryError> {
        if self.peek() == Some(&Tok::Close) {
            return Err(QueryError::at(self.q, open_at, QueryErrorKind::EmptyGroup));
        }
        if self.peek().is_none() {
            return Err(QueryError::at(
                self.q,
                open_at,
                QueryErrorKind::UnbalancedParenthesis,
            ));
        }
        if self.depth >= MAX_DEPTH {
            return Err(QueryError::at(self.q, open_at, QueryErrorKind::TooDeep));
        }
        self.depth += 1;
        let node = self.or_expr(field)?;
        self.depth -= 1;
        if self.peek() != Some(&Tok::Close) {
            return Err(QueryError::at(
                self.q,
                open_at,
                QueryErrorKind::UnbalancedParenthesis,
            ));
        }
        self.pos += 1;
        Ok(node)
    }

    fn item(
        &mut self,
        field: Option<Prefix>,
        prefix: Option<(Prefix, String)>,
        value: Value,
        offset: usize,
    ) -> Result<Node, QueryError> {
        if let Some((_, name)) = &prefix
            && let Some(field) = match name.as_str() {
                "d" => Some(date::DateField::Date),
                "dt" => Some(date::DateField::DateTime),
                "rt" => Some(date::DateField::Received),
                _ => None,
            }
        {
            let Value::Word(spec) = value else {
                unreachable!("the lexer gives dates as words")
            };
            return date::parse_field_range(&spec, field)
                .map(Node::Date)
                .map_err(|msg| QueryError::at(self.q, offset, QueryErrorKind::BadDate(msg)));
        }
        let prefix_kind = prefix.as_ref().map(|(p, _)| *p);
        let p = prefix_kind.or(field).unwrap_or(Prefix::Default);
        Ok(match value {
            Value::Group => {
                let open_at = offset;
                self.group(Some(p), open_at)?
            }
            Value::Phrase(text) => Node::Term(Term {
                prefix: p,
                text,
                mode: TermMode::Phrase,
                offset,
            }),
            Value::Word(w) => {
                let (text, mode) = match w.strip_suffix('*') {
                    Some(stem) if !stem.is_empty() && !p.is_boolean() => {
                        (stem.to_owned(), TermMode::Wildcard)
                    }
                    _ => (w, TermMode::Words),
                };
                Node::Term(Term {
                    prefix: p,
                    text,
                    mode,
                    offset,
                })
            }
        })
    }
}

fn flatten_and(mut parts: Vec<Node>) -> Node {
    if parts.len() == 1 {
        return parts.pop().expect("one");
    }
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        match p {
            Node::And(inner) => out.extend(inner),
            other => out.push(other),
        }
    }
    Node::And(out)
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Term(t) => {
                write!(f, "{:?}:", t.prefix)?;
                match t.mode {
                    TermMode::Words => write!(f, "{}", t.text),
                    TermMode::Phrase => write!(f, "\"{}\"", t.text),
                    TermMode::Wildcard => write!(f, "{}*", t.text),
                }
            }
            Node::Date(r) => write!(f, "{r}"),
            Node::And(v) | Node::Or(v) => {
                let op = if matches!(self, Node::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                write!(f, "(")?;
                for (i, n) in v.iter().enumerate() {
                    if i > 0 {
                        write!(f, "{op}")?;
                    }
                    write!(f, "{n}")?;
                }
                write!(f, ")")
            }
            Node::Not(n) => write!(f, "-{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(q: &str) -> String {
        parse(q).map_or_else(|e| format!("error: {e}"), |n| n.to_string())
    }

    #[test]
    fn bare_words_and_prefixes() {
        assert_eq!(show("folio"), "Default:folio");
        assert_eq!(show("s:folio f:willy"), "(Subject:folio AND From:willy)");
        assert_eq!(show("dfn:mm/huge_memory.c"), "DiffFile:mm/huge_memory.c");
        assert_eq!(show("s:\"split huge page\""), "Subject:\"split huge page\"");
        assert_eq!(show("s:foli*"), "Subject:foli*");
        assert_eq!(show("patchid:abc*"), "PatchId:abc*");
        assert_eq!(show("unknown:word"), "Default:unknown:word");
    }

    #[test]
    fn operators_and_precedence() {
        assert_eq!(show("a b OR c"), "((Default:a AND Default:b) OR Default:c)");
        assert_eq!(show("a OR b c"), "(Default:a OR (Default:b AND Default:c))");
        assert_eq!(
            show("a AND b OR c AND d"),
            "((Default:a AND Default:b) OR (Default:c AND Default:d))"
        );
        assert_eq!(show("a NOT b"), "(Default:a AND -Default:b)");
        assert_eq!(show("a AND NOT b"), "(Default:a AND -Default:b)");
        assert_eq!(show("a -b +c"), "(Default:a AND -Default:b AND Default:c)");
        assert_eq!(
            show("(a OR b) c"),
            "((Default:a OR Default:b) AND Default:c)"
        );
        assert_eq!(show("s:(a OR b)"), "(Subject:a OR Subject:b)");
        assert_eq!(show("NOT a"), "-Default:a");
        assert_eq!(
            show("a and b or c"),
            "(Default:a AND Default:and AND Default:b AND Default:or AND Default:c)"
        );
        assert_eq!(
            show("foo-bar - x"),
            "(Default:foo-bar AND Default:- AND Default:x)"
        );
    }

    #[test]
    fn dates_parse() {
        assert!(matches!(
            parse("d:2024-01-01..2024-03-01"),
            Ok(Node::Date(_))
        ));
        assert!(matches!(parse("d:20240101.."), Ok(Node::Date(_))));
        assert!(matches!(parse("d:..2.weeks.ago"), Ok(Node::Date(_))));
        assert!(matches!(parse("(d:last.month..)"), Ok(Node::Date(_))));
        assert!(matches!(parse("s:x d:yesterday"), Ok(Node::And(_))));
    }

    #[test]
    fn bad_queries_point_at_the_problem() {
        assert_eq!(
            show("(s:foo OR b:bar"),
            "error: unbalanced parenthesis at column 1"
        );
        assert_eq!(
            show("s:foo OR b:bar)"),
            "error: unbalanced parenthesis at column 15"
        );
        assert_eq!(
            show("s:foo (b:bar OR (x)"),
            "error: unbalanced parenthesis at column 7"
        );
        assert_eq!(
            show("s:\"open phrase"),
            "error: unterminated phrase at column 3"
        );
        assert_eq!(
            show("f:willy s:"),
            "error: missing value after `s:` at column 9"
        );
        assert_eq!(
            show("a AND"),
            "error: `AND` needs an expression on both sides at column 3"
        );
        assert_eq!(
            show("OR a"),
            "error: `OR` needs an expression on both sides at column 1"
        );
        assert_eq!(
            show("a OR OR b"),
            "error: `OR` needs an expression on both sides at column 3"
        );
        assert_eq!(
            show("a NOT"),
            "error: `NOT` needs an expression on both sides at column 3"
        );
        assert_eq!(show("d:"), "error: missing value after `d:` at column 1");
        assert_eq!(
            show("x d:2024-13-45.."),
            "error: bad date: `2024-13-45` at column 3"
        );
        assert_eq!(show("d:soon"), "error: bad date: `soon` at column 1");
        assert_eq!(show("a ()"), "error: empty parentheses at column 3");
        assert_eq!(show("   "), "error: empty query at column 1");
        assert_eq!(show("ü (x"), "error: unbalanced parenthesis at column 3");
    }

    #[test]
    fn nesting_is_bounded() {
        // 2,500 levels overflowed the stack before the bound (issue 20).
        for n in [2_500, 100_000] {
            let q = format!("{}a{}", "(".repeat(n), ")".repeat(n));
            assert_eq!(
                show(&q),
                format!(
                    "error: parentheses nested more than {MAX_DEPTH} deep at column {}",
                    MAX_DEPTH + 1
                )
            );
            let q = format!("{}a{}", "s:(".repeat(n), ")".repeat(n));
            assert!(
                show(&q).starts_with("error: parentheses nested"),
                "{}",
                show(&q)
            );
        }
        let q = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(show(&q), "Default:a");
    }

    #[test]
    fn dates_with_multibyte_text_are_errors_not_panics() {
        // `rt:"ééééééé"` panicked (a slice inside a character).
        for q in [
            "rt:\"ééééééé\"",
            "d:ééééééééé..",
            "dt:..2024-01-0é.12:00",
            "d:2024-01-01é12:00:00",
        ] {
            assert!(show(q).starts_with("error: bad date"), "{q}: {}", show(q));
        }
    }
}
