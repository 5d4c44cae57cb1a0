//! Attributing diff hunks to the functions they change: one test per rule,
//! each with the tree's spans (shifted, as for a patch written against
//! another version) and without them (the diff's own lines).

use lpl_code::{Basis, DefKind, Span, Touched, attribute};
use lpl_mail::diff;

/// The hunks of a one-file diff: (header, lines).
fn hunks(text: &str) -> Vec<(String, diff::HunkLines)> {
    let d = diff::parse(text);
    assert_eq!(d.files.len(), 1, "{text}");
    d.files[0]
        .hunks
        .iter()
        .map(|h| (h.header_context.clone(), h.lines(&d.text)))
        .collect()
}

fn span(name: &str, kind: DefKind, start: u32, end: u32) -> Span {
    Span {
        name: name.into(),
        kind,
        start,
        line: start,
        end,
    }
}

fn shifted(spans: &[Span], by: i64) -> Vec<Span> {
    spans
        .iter()
        .map(|s| Span {
            start: (i64::from(s.start) + by) as u32,
            line: (i64::from(s.line) + by) as u32,
            end: (i64::from(s.end) + by) as u32,
            ..s.clone()
        })
        .collect()
}

fn names(t: &[Touched]) -> Vec<&str> {
    t.iter().map(|t| t.name.as_str()).collect()
}

/// The file the diffs below change (old side), as the tree has it.
fn file_spans() -> Vec<Span> {
    vec![
        span("foo", DefKind::Function, 10, 20),
        span("bar", DefKind::Function, 22, 40),
        span("QUUX", DefKind::Macro, 42, 45),
        span("gone", DefKind::Function, 47, 51),
        span("last", DefKind::Function, 54, 70),
    ]
}

/// Runs `attribute` with the tree (as is, and 37 lines further down: a
/// patch written against an older version) and without it.
fn all_ways(header: &str, h: &diff::HunkLines) -> [Vec<Touched>; 3] {
    let spans = file_spans();
    let later = shifted(&spans, 37);
    [
        attribute(h, header, Some(&spans)),
        attribute(h, header, Some(&later)),
        attribute(h, header, None),
    ]
}

#[test]
fn header_naming_the_previous_function() {
    // The hunk starts after foo's closing brace: git names foo in the
    // header, but the change is in bar.
    let text = "\
--- a/mm/x.c
+++ b/mm/x.c
@@ -19,7 +19,7 @@ static int foo(void)
 \treturn 0;
 }
 
 static void bar(int x)
 {
-\tx++;
+\tx += 2;
 \tif (x)
";
    let hs = hunks(text);
    let (header, h) = &hs[0];
    assert_eq!(header, "static int foo(void)");
    for (i, t) in all_ways(header, h).iter().enumerate() {
        assert_eq!(names(t), ["bar"], "way {i}: {t:?}");
        assert_eq!((t[0].removed, t[0].added), (1, 1), "way {i}");
    }
    let [with_tree, shifted, without] = all_ways(header, h);
    assert_eq!(with_tree[0].basis, Basis::Tree);
    assert_eq!(
        shifted[0].basis,
        Basis::Tree,
        "the definition shown anchors the shift"
    );
    assert_eq!(without[0].basis, Basis::Diff);
}

#[test]
fn the_tree_places_lines_the_header_does_not_name() {
    // No function in the header (the line above the hunk is a
    // declaration), the change deep inside bar: only the tree knows.
    let text = "\
--- a/mm/x.c
+++ b/mm/x.c
@@ -30,3 +30,3 @@ static DEFINE_SPINLOCK(lock);
 \ta = 1;
-\tb = 2;
+\tb = 3;
 \tc = 4;
";
    let hs = hunks(text);
    let (header, h) = &hs[0];
    let spans = file_spans();
    let t = attribute(h, header, Some(&spans));
    // The header says "outside any function" and nothing confirms the
    // tree's offset: the diff's word stands.
    assert!(t.is_empty(), "{t:?}");
    // With a header that says nothing at all, the tree decides.
    let t = attribute(h, "", Some(&spans));
    assert_eq!(names(&t), ["bar"]);
    assert_eq!(t[0].basis, Basis::Tree);
    assert!(attribute(h, "", None).is_empty());
}

#[test]
fn a_new_function() {
    let text = "\
--- a/mm/x.c
+++ b/mm/x.c
@@ -19,4 +19,9 @@ static int foo(void)
 \treturn 0;
 }
 
+static int added_fn(void)
+{
+\treturn 1;
+}
+
 static void bar(int x)
";
    let hs = hunks(text);
    let (header, h) = &hs[0];
    for (i, t) in all_ways(header, h).iter().enumerate() {
        assert_eq!(names(t), ["added_fn"], "way {i}: {t:?}");
        assert!(t[0].added_definition, "way {i}");
        assert_eq!(t[0].added, 4, "way {i}: the blank line is outside it");
    }
}

#[test]
fn a_deleted_function() {
    let text = "\
--- a/mm/x.c
+++ b/mm/x.c
@@ -45,10 +45,3 @@ static int foo(void)
 #define QUUX(a) (a)
 
-static void gone(void)
-{
-\tfoo();
-\tbar(1);
-}
-
-static int no_longer(void);
 static void last(void)
";
    let hs = hunks(text);
    let (header, h) = &hs[0];
    for (i, t) in all_ways(header, h).iter().enumerate() {
        assert_eq!(names(t), ["gone"], "way {i}: {t:?}");
        assert!(t[0].removed_definition, "way {i}");
        assert_eq!(t[0].removed, 5, "way {i}");
    }
}

#[test]
fn a_macro() {
    let text = "\
--- a/mm/x.c
+++ b/mm/x.c
@@ -40,6 +40,6 @@ static void bar(int x)
 }
 
 #define QUUX(a)\t\t\\
 \tdo {\t\t\t\\
-\t\tfoo(a);\t\t\\
+\t\tbar(a);\t\t\\
 \t} while (0)
";
    let hs = hunks(text);
    let (header, h) = &hs[0];
    for (i, t) in all_ways(header, h).iter().enumerate() {
        assert_eq!(names(t), ["QUUX"], "way {i}: {t:?}");
        assert_eq!(t[0].kind, DefKind::Macro, "way {i}");
    }
}

#[test]
fn a_hunk_spanning_two_functions() {
    let text = "\
--- a/mm/x.c
+++ b/mm/x.c
@@ -17,9 +17,9 @@ static int foo(void)
 \tint a;
-\ta = 1;
+\ta = 2;
 \treturn 0;
 }
 
 static void bar(int x)
 {
-\tx++;
+\tx--;
 \tif (x)
";
    let hs = hunks(text);
    let (header, h) = &hs[0];
    for (i, t) in all_ways(header, h).iter().enumerate() {
        assert_eq!(names(t), ["bar", "foo"], "way {i}: {t:?}");
        assert!(t.iter().all(|t| t.removed == 1 && t.added == 1), "way {i}");
    }
}

#[test]
fn a_tree_that_contradicts_the_hunk_is_not_used() {
    // The tree has other functions at these lines (another version of the
    // file, nothing in the hunk to line them up): the header's word stands.
    let text = "\
--- a/mm/x.c
+++ b/mm/x.c
@@ -30,3 +30,3 @@ static void bar(int x)
 \ta = 1;
-\tb = 2;
+\tb = 3;
 \tc = 4;
";
    let hs = hunks(text);
    let (header, h) = &hs[0];
    let other = vec![span("unrelated", DefKind::Function, 25, 35)];
    let t = attribute(h, header, Some(&other));
    assert_eq!(names(&t), ["bar"]);
    assert_eq!(t[0].basis, Basis::Diff);
}
