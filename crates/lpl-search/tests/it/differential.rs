//! Same hits as public-inbox (lore, lei) on a real slice of the io-uring list.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::pi;

/// Messages of the slice: the first 2000 of the io-uring epoch
/// (2019-12 .. 2020-05), so public-inbox-index finishes in CI time.
const SLICE: usize = 2000;

/// Queries whose hit sets differ for documented reasons (see README.md,
/// "Differences from public-inbox"), with the largest tolerated difference.
/// None on this slice: every text part is indexed (`nq:tested`,
/// `dfn:fs/io_uring.c` and `dfn:io_uring.c` agree) and so are attachment
/// file names (`n:`; bare words search them too, and
/// `test-io_uring-openat-rlimit.c` holds the stem of "testing"). The
/// differences left show on the whole epoch only (`examples/differential`).
const KNOWN: &[(&str, usize)] = &[];

#[test]
fn same_hits_as_public_inbox() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let epoch = tmp.path().join("epoch.git");
    pi::clone_epoch(&pi::io_uring_bundle(), &epoch, Some(SLICE)).expect("clone the corpus epoch");
    let msgs = pi::read_messages(&epoch).expect("read messages");
    assert_eq!(msgs.len(), SLICE);
    let (ours, n) = pi::build_ours(&msgs, None).expect("our index");
    assert!(n > SLICE * 99 / 100, "{n} messages with a Message-ID");
    let inbox = tmp.path().join("inbox");
    pi::make_inbox(&epoch, &inbox, &tmp.path().join("home"))
        .expect("public-inbox-init/-index (Debian package public-inbox) must work");
    let queries = pi::queries();
    assert!(queries.len() >= 40);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
        .try_into()
        .expect("fits");
    let results = pi::compare(&inbox, &ours, &queries, now).expect("compare");
    let mut failures = Vec::new();
    let mut nonempty = 0;
    for c in &results {
        let (theirs, ours) = match (&c.theirs, &c.ours) {
            (Ok(t), Ok(o)) => (t, o),
            (t, o) => {
                failures.push(format!("{}: theirs {t:?} ours {o:?}", c.query));
                continue;
            }
        };
        if !theirs.is_empty() {
            nonempty += 1;
        }
        let diff = c.only_theirs().len() + c.only_ours().len();
        let allowed = KNOWN
            .iter()
            .find(|(q, _)| *q == c.query)
            .map_or(0, |(_, n)| *n);
        if diff > allowed {
            failures.push(format!(
                "{}: theirs {} ours {} only-theirs {:?} only-ours {:?}",
                c.query,
                theirs.len(),
                ours.len(),
                c.only_theirs().iter().take(5).collect::<Vec<_>>(),
                c.only_ours().iter().take(5).collect::<Vec<_>>()
            ));
        }
    }
    assert!(nonempty >= 35, "only {nonempty} queries found anything");
    assert!(failures.is_empty(), "differences:\n{}", failures.join("\n"));
}
