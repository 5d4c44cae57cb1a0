//! Naming entries and questions on the command line.
//!
//! An entry is named by its line (`L82`, `line:82`; a line of its notes
//! names it too), a Message-ID (`<id>` or bare), a URL that resolves
//! to one, its anchor, or words of its title (all must occur, any case). A
//! name matching several entries is an error listing them, unless exactly
//! one title equals the query. `topic` narrows the search (the seed links
//! one series from two topics).

use crate::doc::Notebook;
use crate::lore::{self, MessageId};

/// A candidate in an ambiguity error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Index into [`Notebook::entries`] or [`Notebook::questions`].
    pub index: usize,
    /// 1-based line.
    pub line: usize,
    /// Topic path (`THP / selftest`).
    pub topic: String,
    /// The entry title or question text.
    pub text: String,
}

/// Why a name did not select exactly one item.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SelectError {
    /// Nothing matched.
    #[error("no {what} matches {query:?}")]
    NotFound {
        /// `entry` or `question`.
        what: &'static str,
        /// The query.
        query: String,
    },
    /// Several matched.
    #[error("{query:?} is ambiguous ({} candidates): {}", candidates.len(), list(candidates))]
    Ambiguous {
        /// `entry` or `question`.
        what: &'static str,
        /// The query.
        query: String,
        /// What matched.
        candidates: Vec<Candidate>,
    },
}

fn list(c: &[Candidate]) -> String {
    let mut s = c
        .iter()
        .map(|c| format!("line {} [{}] {}", c.line, c.topic, c.text))
        .collect::<Vec<_>>()
        .join("; ");
    if let Some(first) = c.first() {
        s.push_str(&format!(" (name one by its line: L{})", first.line));
    }
    s
}

/// `L82`, `l82` or `line:82`: a 1-based line number.
pub fn line_query(q: &str) -> Option<usize> {
    let q = q.trim();
    let n = q
        .strip_prefix("line:")
        .or_else(|| q.strip_prefix('L'))
        .or_else(|| q.strip_prefix('l'))?;
    n.trim().parse::<usize>().ok().filter(|&n| n > 0)
}

fn words_match(hay: &str, query: &str) -> bool {
    let hay = hay.to_lowercase();
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    !words.is_empty() && words.iter().all(|w| hay.contains(w.as_str()))
}

fn topic_matches(nb: &Notebook, topic: Option<usize>, want: Option<&str>) -> bool {
    match want {
        None => true,
        Some(w) => topic.is_some_and(|t| {
            nb.topic_path(t)
                .iter()
                .any(|p| p.eq_ignore_ascii_case(w.trim()))
        }),
    }
}

fn topic_str(nb: &Notebook, topic: Option<usize>) -> String {
    topic.map_or(String::new(), |t| nb.topic_path(t).join(" / "))
}

/// Finds the entry named by `query`, optionally within topic `topic`.
pub fn find_entry(nb: &Notebook, query: &str, topic: Option<&str>) -> Result<usize, SelectError> {
    let q = query.trim();
    let by_id: Option<MessageId> = if q.contains("://") || q.starts_with("lore.kernel.org/") {
        lore::message_id_from_url(q)
    } else if q.contains('@') && !q.contains(char::is_whitespace) {
        MessageId::new(q)
    } else {
        None
    };
    let scoped: Vec<usize> = (0..nb.entries().len())
        .filter(|&i| topic_matches(nb, nb.entries()[i].topic, topic))
        .collect();
    let hits: Vec<usize> = if let Some(line) = line_query(q) {
        // The entry on that line, else the entry whose notes hold it.
        let on: Vec<usize> = scoped
            .iter()
            .copied()
            .filter(|&i| nb.entries()[i].line + 1 == line)
            .collect();
        if on.is_empty() {
            scoped
                .iter()
                .copied()
                .filter(|&i| nb.entries()[i].lines.contains(&(line - 1)))
                .collect()
        } else {
            on
        }
    } else if let Some(id) = &by_id {
        scoped
            .iter()
            .copied()
            .filter(|&i| {
                let e = &nb.entries()[i];
                e.message_id.as_ref() == Some(id)
                    || e.other_revisions.iter().any(|r| &r.message_id == id)
            })
            .collect()
    } else if let Some(i) = scoped
        .iter()
        .copied()
        .find(|&i| nb.entries()[i].anchor == q)
    {
        vec![i]
    } else {
        let all: Vec<usize> = scoped
            .iter()
            .copied()
            .filter(|&i| words_match(&nb.entries()[i].title, q))
            .collect();
        let exact: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| {
                let e = &nb.entries()[i];
                e.title.eq_ignore_ascii_case(q) || e.subject.eq_ignore_ascii_case(q)
            })
            .collect();
        if exact.len() == 1 { exact } else { all }
    };
    match hits.len() {
        0 => Err(SelectError::NotFound {
            what: "entry",
            query: q.to_owned(),
        }),
        1 => Ok(hits[0]),
        _ => Err(SelectError::Ambiguous {
            what: "entry",
            query: q.to_owned(),
            candidates: hits
                .iter()
                .map(|&i| {
                    let e = &nb.entries()[i];
                    Candidate {
                        index: i,
                        line: e.line + 1,
                        topic: topic_str(nb, e.topic),
                        text: e.title.clone(),
                    }
                })
                .collect(),
        }),
    }
}

/// Finds the question named by `query`: `line:N` / `LN` (its 1-based line),
/// or words of its text. Open questions are preferred over answered ones.
pub fn find_question(nb: &Notebook, query: &str) -> Result<usize, SelectError> {
    let q = query.trim();
    let line = line_query(q);
    let qs = nb.questions();
    let mut hits: Vec<usize> = match line {
        Some(l) => (0..qs.len()).filter(|&i| qs[i].line + 1 == l).collect(),
        None => (0..qs.len())
            .filter(|&i| words_match(&qs[i].text, q))
            .collect(),
    };
    if hits.len() > 1 {
        let open: Vec<usize> = hits.iter().copied().filter(|&i| !qs[i].answered).collect();
        if open.len() == 1 {
            hits = open;
        }
    }
    match hits.len() {
        0 => Err(SelectError::NotFound {
            what: "question",
            query: q.to_owned(),
        }),
        1 => Ok(hits[0]),
        _ => Err(SelectError::Ambiguous {
            what: "question",
            query: q.to_owned(),
            candidates: hits
                .iter()
                .map(|&i| Candidate {
                    index: i,
                    line: qs[i].line + 1,
                    topic: topic_str(nb, qs[i].topic),
                    text: qs[i].text.clone(),
                })
                .collect(),
        }),
    }
}

/// Finds a topic by title (case-insensitive), or by a path suffix with `/`
/// (`mTHP/selftests`). An exact match wins over a unique prefix; several
/// matches are an error listing them.
pub fn find_topic(nb: &Notebook, title: &str) -> Result<usize, SelectError> {
    let q = title.trim().to_lowercase();
    let n = nb.topics().len();
    let exact: Vec<usize> = (0..n)
        .filter(|&i| nb.topics()[i].title.trim().to_lowercase() == q)
        .collect();
    let hits = if !exact.is_empty() {
        exact
    } else {
        // A path suffix at a component boundary (titles may hold `/` too).
        let norm = |s: &str| s.split('/').map(str::trim).collect::<Vec<_>>().join("/");
        let joined = |i: usize| norm(&nb.topic_path(i).join("/").to_lowercase());
        let q_path = norm(&q);
        let by_path: Vec<usize> = (0..n)
            .filter(|&i| {
                let p = joined(i);
                p == q_path || p.ends_with(&format!("/{q_path}"))
            })
            .collect();
        if !by_path.is_empty() {
            by_path
        } else {
            (0..n)
                .filter(|&i| nb.topics()[i].title.trim().to_lowercase().starts_with(&q))
                .collect()
        }
    };
    match hits.len() {
        0 => Err(SelectError::NotFound {
            what: "topic",
            query: title.trim().to_owned(),
        }),
        1 => Ok(hits[0]),
        _ => Err(SelectError::Ambiguous {
            what: "topic",
            query: title.trim().to_owned(),
            candidates: hits
                .iter()
                .map(|&i| Candidate {
                    index: i,
                    line: nb.topics()[i].line + 1,
                    topic: topic_str(nb, nb.topics()[i].parent),
                    text: nb.topics()[i].title.clone(),
                })
                .collect(),
        }),
    }
}
