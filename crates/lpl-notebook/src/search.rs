//! The notebook's text for the search index.
//!
//! [`search_items`] yields one item per entry (its title), per note and per
//! question, each with a stable anchor (derived from the entry's anchor and
//! the item's position within the entry) and the path of its page in the
//! rendered site.

use crate::doc::Notebook;
use crate::lore::MessageId;

/// What a searchable item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ItemKind {
    /// An entry's title (subject and author).
    Entry,
    /// A note under an entry.
    Note,
    /// A `[ ]`/`[x]` question.
    Question,
}

/// One searchable piece of the notebook.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SearchItem {
    /// What it is.
    pub kind: ItemKind,
    /// Stable id: `ANCHOR`, `ANCHOR/nK` (K-th note of the entry),
    /// `ANCHOR/qK` or `q/LINE` for a question outside entries.
    pub anchor: String,
    /// Page in the rendered site, with fragment (`entries/ANCHOR.html#n3`).
    pub href: String,
    /// Index into [`Notebook::entries`], if under an entry.
    pub entry: Option<usize>,
    /// The entry's Message-ID, if any (to join with the archive).
    pub message_id: Option<MessageId>,
    /// 1-based line in the notebook.
    pub line: usize,
    /// Topic path.
    pub topic: String,
    /// The text.
    pub text: String,
    /// Whether the question is answered (questions only).
    pub answered: Option<bool>,
}

/// Every searchable item, in file order of entries (then loose questions).
pub fn search_items(nb: &Notebook) -> impl Iterator<Item = SearchItem> + '_ {
    let per_entry = nb.entries().iter().enumerate().flat_map(move |(i, e)| {
        let topic = e
            .topic
            .map_or(String::new(), |t| nb.topic_path(t).join(" / "));
        let page = format!("entries/{}.html", e.anchor);
        let mut v = vec![SearchItem {
            kind: ItemKind::Entry,
            anchor: e.anchor.clone(),
            href: page.clone(),
            entry: Some(i),
            message_id: e.message_id.clone(),
            line: e.line + 1,
            topic: topic.clone(),
            text: e.title.clone(),
            answered: None,
        }];
        let mut q = 0;
        for (k, n) in e.notes.iter().enumerate() {
            let (kind, anchor, answered) = match n.checkbox {
                Some(a) => {
                    q += 1;
                    (ItemKind::Question, format!("{}/q{q}", e.anchor), Some(a))
                }
                None => (ItemKind::Note, format!("{}/n{k}", e.anchor), None),
            };
            v.push(SearchItem {
                kind,
                anchor,
                href: format!("{page}#n{k}"),
                entry: Some(i),
                message_id: e.message_id.clone(),
                line: n.lines.start + 1,
                topic: topic.clone(),
                text: n.text.clone(),
                answered,
            });
        }
        v
    });
    let loose = nb
        .questions()
        .iter()
        .filter(|q| q.entry.is_none())
        .map(move |q| SearchItem {
            kind: ItemKind::Question,
            anchor: format!("q/{}", q.line + 1),
            href: "index.html#questions".into(),
            entry: None,
            message_id: None,
            line: q.line + 1,
            topic: q
                .topic
                .map_or(String::new(), |t| nb.topic_path(t).join(" / ")),
            text: q.text.clone(),
            answered: Some(q.answered),
        });
    per_entry.chain(loose)
}
