use lpl_notebook::Notebook;

pub fn decoded() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/seed/roadmap-decoded.md")).expect("seed")
}

#[test]
#[ignore]
fn dump() {
    let nb = Notebook::parse(decoded());
    for t in nb.topics() {
        println!("TOPIC {:?} L{} {} {:?} lines {:?} entries {:?}", t.kind, t.level, t.title, t.parent, t.lines, t.entries);
    }
    for e in nb.entries() {
        println!("ENTRY {} {:?} {:?} mark={:?} subj={:?} author={:?} id={:?} lines={:?} tags={:?}/{:?}/{:?} anchor={}", e.line+1, e.topic, e.date, e.mark, e.subject, e.author, e.message_id, e.lines, e.tags.version, e.tags.counter, e.tags.total, e.anchor);
        for r in &e.other_revisions { println!("   REV {:?}", r); }
        for n in &e.notes { println!("   NOTE {:?} d{} {:?} sub {:?} p={:?} cb={:?} ci={} {}", n.kind, n.depth, n.lines, n.subtree, n.patch, n.checkbox, n.content_indent, n.text.chars().take(40).collect::<String>()); }
    }
    for q in nb.questions() { println!("Q {:?}", q); }
    for l in nb.links() { println!("LINK {} {:?} {} entry={:?} own={}", l.line+1, l.kind, l.url, l.entry, l.is_entry_link); }
}
