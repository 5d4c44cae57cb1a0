//! JWZ threading over `References` and `In-Reply-To`.
//!
//! Every Message-ID seen (as a message or only as a reference) becomes a
//! node; nodes without a message are placeholders for mail we never
//! received. Links are made as in Jamie Zawinski's algorithm, never by
//! subject. Reference loops and self-references are refused link by link,
//! duplicate Message-IDs get a node each (the first keeps the ID's
//! children), and dates only order siblings.

use std::collections::HashMap;

use lpl_mail::MessageId;
use serde::Serialize;

use crate::input::MessageMeta;

/// Index of a node in [`Threads`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NodeId(pub u32);

impl NodeId {
    fn ix(self) -> usize {
        self.0 as usize
    }
}

/// One node of the reply forest.
#[derive(Debug, Clone)]
pub struct Node {
    /// The Message-ID this node stands for.
    pub id: MessageId,
    /// Index of the message in the input, `None` for a placeholder.
    pub message: Option<usize>,
    /// Parent node.
    pub parent: Option<NodeId>,
    /// Children, oldest first.
    pub children: Vec<NodeId>,
}

/// The reply forest of a set of messages.
#[derive(Debug, Clone, Default)]
pub struct Threads {
    nodes: Vec<Node>,
    by_id: HashMap<MessageId, NodeId>,
    msg_node: Vec<NodeId>,
    duplicates: Vec<usize>,
}

/// One line of a reply tree walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeEntry {
    /// The node.
    pub node: NodeId,
    /// The Message-ID.
    pub message_id: MessageId,
    /// Index of the message in the input, `None` for a placeholder.
    pub message: Option<usize>,
    /// Depth below the walk's start (start = 0).
    pub depth: u32,
}

impl Threads {
    /// Thread `messages`.
    pub fn build(messages: &[MessageMeta]) -> Self {
        let mut t = Threads {
            nodes: Vec::with_capacity(messages.len() + messages.len() / 4),
            by_id: HashMap::with_capacity(messages.len() + messages.len() / 4),
            msg_node: Vec::with_capacity(messages.len()),
            duplicates: Vec::new(),
        };
        let mut refs: Vec<NodeId> = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            let mut node = t.get_or_create(&m.message_id);
            if t.nodes[node.ix()].message.is_some() {
                // Duplicate Message-ID: its own node, reachable by index only.
                node = t.push_node(m.message_id.clone());
                t.duplicates.push(i);
            }
            t.nodes[node.ix()].message = Some(i);
            t.msg_node.push(node);

            // The reference chain: References, then In-Reply-To when it is
            // not already its last element. Self-references are dropped.
            refs.clear();
            let irt = m.in_reply_to.as_ref().filter(|id| **id != m.message_id);
            for r in m.references.iter().chain(irt) {
                if *r == m.message_id {
                    continue;
                }
                let n = t.get_or_create(r);
                if n == node {
                    continue;
                }
                if let Some(pos) = refs.iter().position(|x| *x == n) {
                    // A repeated ID: keep its last position only when it is
                    // In-Reply-To repeating the last reference.
                    if pos + 1 == refs.len() {
                        continue;
                    }
                    refs.remove(pos);
                }
                refs.push(n);
            }
            // Link consecutive references where no parent is known yet.
            for w in refs.windows(2) {
                let (p, c) = (w[0], w[1]);
                if t.nodes[c.ix()].parent.is_none()
                    && !t.is_ancestor(c, p)
                    && p != node
                    && c != node
                {
                    t.link(p, c);
                }
            }
            // The message's own parent is the last reference (authoritative).
            if let Some(&p) = refs.last()
                && !t.is_ancestor(node, p)
            {
                t.unlink(node);
                t.link(p, node);
            }
        }
        t.sort_children(messages);
        t
    }

    fn push_node(&mut self, id: MessageId) -> NodeId {
        let n = NodeId(u32::try_from(self.nodes.len()).expect("fewer than 2^32 nodes"));
        self.nodes.push(Node {
            id,
            message: None,
            parent: None,
            children: Vec::new(),
        });
        n
    }

    fn get_or_create(&mut self, id: &MessageId) -> NodeId {
        if let Some(&n) = self.by_id.get(id) {
            return n;
        }
        let n = self.push_node(id.clone());
        self.by_id.insert(id.clone(), n);
        n
    }

    /// True when `a` is `b` or an ancestor of `b`.
    fn is_ancestor(&self, a: NodeId, b: NodeId) -> bool {
        let mut cur = Some(b);
        let mut steps = 0usize;
        while let Some(c) = cur {
            if c == a {
                return true;
            }
            steps += 1;
            if steps > self.nodes.len() {
                return true; // cannot happen (acyclic); refuse the link
            }
            cur = self.nodes[c.ix()].parent;
        }
        false
    }

    fn link(&mut self, parent: NodeId, child: NodeId) {
        self.nodes[child.ix()].parent = Some(parent);
        self.nodes[parent.ix()].children.push(child);
    }

    fn unlink(&mut self, child: NodeId) {
        if let Some(p) = self.nodes[child.ix()].parent.take() {
            self.nodes[p.ix()].children.retain(|c| *c != child);
        }
    }

    fn sort_children(&mut self, messages: &[MessageMeta]) {
        // Sort key of a node: its message's (date, index); a placeholder
        // sorts by its earliest child's key.
        let key = |t: &Threads, n: NodeId| -> (i64, usize) {
            match t.nodes[n.ix()].message {
                Some(i) => (messages[i].date, i),
                None => t.nodes[n.ix()]
                    .children
                    .iter()
                    .filter_map(|c| t.nodes[c.ix()].message)
                    .map(|i| (messages[i].date, i))
                    .min()
                    .unwrap_or((i64::MAX, usize::MAX)),
            }
        };
        for n in 0..self.nodes.len() {
            if self.nodes[n].children.len() < 2 {
                continue;
            }
            let mut ch = std::mem::take(&mut self.nodes[n].children);
            ch.sort_by_cached_key(|c| key(self, *c));
            self.nodes[n].children = ch;
        }
    }

    /// Number of nodes (messages and placeholders).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// A node.
    pub fn node(&self, n: NodeId) -> &Node {
        &self.nodes[n.ix()]
    }

    /// The node of message `i` of the input.
    pub fn node_of_message(&self, i: usize) -> NodeId {
        self.msg_node[i]
    }

    /// The node of a Message-ID (the first message with it, or a placeholder).
    pub fn lookup(&self, id: &MessageId) -> Option<NodeId> {
        self.by_id.get(id).copied()
    }

    /// Input indices of messages whose Message-ID was already taken.
    pub fn duplicates(&self) -> &[usize] {
        &self.duplicates
    }

    /// Parent node of message `i` (maybe a placeholder).
    pub fn parent_node(&self, i: usize) -> Option<NodeId> {
        self.nodes[self.msg_node[i].ix()].parent
    }

    /// The nearest ancestor of message `i` that is a received message.
    pub fn parent_message(&self, i: usize) -> Option<usize> {
        let mut cur = self.nodes[self.msg_node[i].ix()].parent;
        while let Some(c) = cur {
            if let Some(m) = self.nodes[c.ix()].message {
                return Some(m);
            }
            cur = self.nodes[c.ix()].parent;
        }
        None
    }

    /// Ancestor messages of message `i`, nearest first (placeholders skipped).
    pub fn ancestor_messages(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let mut cur = self.nodes[self.msg_node[i].ix()].parent;
        std::iter::from_fn(move || {
            while let Some(c) = cur {
                cur = self.nodes[c.ix()].parent;
                if let Some(m) = self.nodes[c.ix()].message {
                    return Some(m);
                }
            }
            None
        })
    }

    /// The root of the thread containing node `n`.
    pub fn root(&self, n: NodeId) -> NodeId {
        let mut cur = n;
        while let Some(p) = self.nodes[cur.ix()].parent {
            cur = p;
        }
        cur
    }

    /// All thread roots, in node order.
    pub fn roots(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len())
            .map(|i| NodeId(i as u32))
            .filter(|n| self.nodes[n.ix()].parent.is_none())
    }

    /// Depth-first walk of the subtree under `start` (itself at depth 0),
    /// children oldest first.
    pub fn walk(&self, start: NodeId) -> Vec<TreeEntry> {
        let mut out = Vec::new();
        let mut stack = vec![(start, 0u32)];
        while let Some((n, d)) = stack.pop() {
            let node = &self.nodes[n.ix()];
            out.push(TreeEntry {
                node: n,
                message_id: node.id.clone(),
                message: node.message,
                depth: d,
            });
            for c in node.children.iter().rev() {
                stack.push((*c, d + 1));
            }
        }
        out
    }

    /// The reply tree below the message with this ID.
    pub fn reply_tree(&self, id: &MessageId) -> Option<Vec<TreeEntry>> {
        self.lookup(id).map(|n| self.walk(n))
    }

    /// The whole thread containing the message with this ID, from its root.
    pub fn thread_of(&self, id: &MessageId) -> Option<Vec<TreeEntry>> {
        self.lookup(id).map(|n| self.walk(self.root(n)))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn meta(id: &str, refs: &[&str], subject: &str, date: i64) -> MessageMeta {
        MessageMeta {
            message_id: MessageId::new(id).expect("id"),
            in_reply_to: refs.last().and_then(|r| MessageId::new(r)),
            references: refs.iter().filter_map(|r| MessageId::new(r)).collect(),
            subject: subject.into(),
            tags: lpl_mail::subject::parse(subject),
            from_name: Some("A".into()),
            from_email: "a@example.org".into(),
            date,
            has_patch: false,
            is_pull_request: false,
            patch_id: None,
            files: Vec::new(),
            change_id: None,
            patch_trailers: Vec::new(),
            reply_trailers: Vec::new(),
            list: None,
            version_links: Vec::new(),
        }
    }

    fn id(s: &str) -> MessageId {
        MessageId::new(s).expect("id")
    }

    #[test]
    fn placeholder_parent() {
        let msgs = vec![
            meta("b@x", &["a@x"], "Re: x", 2),
            meta("c@x", &["a@x", "b@x"], "Re: x", 3),
        ];
        let t = Threads::build(&msgs);
        let a = t.lookup(&id("a@x")).expect("placeholder");
        assert_eq!(t.node(a).message, None);
        assert_eq!(t.parent_node(0), Some(a));
        assert_eq!(t.parent_message(1), Some(0));
        let tree = t.thread_of(&id("c@x")).expect("thread");
        let shape: Vec<(Option<usize>, u32)> = tree.iter().map(|e| (e.message, e.depth)).collect();
        assert_eq!(shape, vec![(None, 0), (Some(0), 1), (Some(1), 2)]);
    }

    #[test]
    fn references_fill_missing_links() {
        // c names a <- b <- c; b never arrives: a is still c's grandparent.
        let msgs = vec![
            meta("a@x", &[], "x", 1),
            meta("c@x", &["a@x", "b@x"], "Re: x", 3),
        ];
        let t = Threads::build(&msgs);
        let b = t.lookup(&id("b@x")).expect("b");
        assert_eq!(t.node(b).parent, t.lookup(&id("a@x")));
        assert_eq!(t.parent_message(1), Some(0));
    }

    #[test]
    fn reference_loops_and_self_references() {
        let msgs = vec![
            meta("a@x", &["b@x"], "x", 1),
            meta("b@x", &["a@x"], "Re: x", 2),
            meta("c@x", &["c@x"], "self", 3),
            meta("d@x", &["e@x", "d@x", "e@x"], "weird", 4),
        ];
        let t = Threads::build(&msgs);
        // a -> b was made first (a's References); b -> a would loop.
        let a = t.node_of_message(0);
        let b = t.node_of_message(1);
        assert!(t.node(a).parent == Some(b) || t.node(b).parent == Some(a));
        assert!(!(t.node(a).parent == Some(b) && t.node(b).parent == Some(a)));
        assert_eq!(t.parent_node(2), None);
        assert_eq!(t.node(t.parent_node(3).expect("parent")).id, id("e@x"));
        // Walks terminate.
        for r in t.roots().collect::<Vec<_>>() {
            assert!(t.walk(r).len() <= t.len());
        }
    }

    #[test]
    fn duplicate_message_ids() {
        let msgs = vec![
            meta("a@x", &[], "x", 1),
            meta("a@x", &[], "x again", 2),
            meta("b@x", &["a@x"], "Re: x", 3),
        ];
        let t = Threads::build(&msgs);
        assert_eq!(t.duplicates(), &[1]);
        assert_ne!(t.node_of_message(0), t.node_of_message(1));
        assert_eq!(t.parent_message(2), Some(0));
    }

    #[test]
    fn absurd_dates_only_order_siblings() {
        let msgs = vec![
            meta("a@x", &[], "x", 1_000),
            meta("b@x", &["a@x"], "Re: x", i64::MAX),
            meta("c@x", &["a@x"], "Re: x", i64::MIN),
            meta("d@x", &["a@x"], "Re: x", 0),
        ];
        let t = Threads::build(&msgs);
        let kids: Vec<Option<usize>> = t
            .node(t.node_of_message(0))
            .children
            .iter()
            .map(|c| t.node(*c).message)
            .collect();
        assert_eq!(kids, vec![Some(2), Some(3), Some(1)]);
    }

    #[test]
    fn later_references_override_parent() {
        // b first seen as a's child via c's references, then b itself says
        // its parent is z.
        let msgs = vec![
            meta("c@x", &["a@x", "b@x"], "Re: x", 3),
            meta("b@x", &["z@x"], "Re: x", 2),
        ];
        let t = Threads::build(&msgs);
        assert_eq!(t.node(t.parent_node(1).expect("p")).id, id("z@x"));
    }
}
