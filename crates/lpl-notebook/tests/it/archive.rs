//! An [`Archive`] over real (trimmed) messages from the corpus epochs, and
//! `check`/`stats` of the seed against it.
//!
//! The store-backed implementation is `lpl-core`'s; this one assembles
//! revisions from the fixture mboxes directly, simply (cover letters by
//! `0/N`, patches by In-Reply-To), to exercise the notebook side on real data.

use lpl_notebook::archive::{Archive, PatchView, RevisionView, SeriesView, TrailerCounts};
use lpl_notebook::check::{self, Found, Stale};
use lpl_notebook::inline::subject_tags;
use lpl_notebook::{MessageId, Notebook};

use crate::seed::{data, decoded};

#[derive(Debug)]
struct Msg {
    id: String,
    irt: Option<String>,
    from: String,
    date: Option<i64>,
    subject: String,
    body: String,
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `Mon, 20 Mar 2023 20:48:29 -0400` to unix seconds.
fn rfc2822(s: &str) -> Option<i64> {
    let s = s.split_once(',').map_or(s, |(_, r)| r).trim();
    let t: Vec<&str> = s.split_whitespace().collect();
    let d: i64 = t.first()?.parse().ok()?;
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mon = *t.get(1)?;
    let m = months.iter().position(|x| *x == mon)? as i64 + 1;
    let y: i64 = t.get(2)?.parse().ok()?;
    let hms: Vec<i64> = t
        .get(3)?
        .split(':')
        .filter_map(|x| x.parse().ok())
        .collect();
    let z = t.get(4).copied().unwrap_or("+0000");
    let sign = if z.starts_with('-') { -1 } else { 1 };
    let zz: i64 = z.trim_start_matches(['+', '-']).parse().unwrap_or(0);
    let off = sign * ((zz / 100) * 3600 + (zz % 100) * 60);
    Some(
        days_from_civil(y, m, d) * 86_400
            + hms[0] * 3600
            + hms[1] * 60
            + hms.get(2).copied().unwrap_or(0)
            - off,
    )
}

fn parse_mbox(text: &str) -> Vec<Msg> {
    let mut out = Vec::new();
    for chunk in text
        .split("From mboxrd@z Thu Jan  1 00:00:00 1970\n")
        .filter(|c| !c.is_empty())
    {
        let (head, body) = chunk.split_once("\n\n").unwrap_or((chunk, ""));
        let get = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(": ")))
                .map(|v| v.trim().to_owned())
        };
        let clean = |v: String| v.trim_start_matches('<').trim_end_matches('>').to_owned();
        let from = get("From").unwrap_or_default();
        let from = from
            .split(" <")
            .next()
            .unwrap_or("")
            .trim_matches('"')
            .to_owned();
        out.push(Msg {
            id: clean(get("Message-ID").expect("Message-ID")),
            irt: get("In-Reply-To").map(clean),
            from,
            date: get("Date").and_then(|d| rfc2822(&d)),
            subject: get("Subject").unwrap_or_default(),
            body: body.to_owned(),
        });
    }
    out
}

fn trailers(body: &str) -> TrailerCounts {
    let mut t = TrailerCounts::default();
    for l in body.lines() {
        if let Some((k, _)) = l.split_once(':') {
            let k = k.trim();
            if k.ends_with("-by") && !k.contains(' ') && !k.eq_ignore_ascii_case("Signed-off-by") {
                t.count(k);
            }
        }
    }
    t
}

fn norm(s: &str) -> String {
    subject_tags(s).rest.to_lowercase()
}

struct Rev {
    key: String,
    version: u32,
    cover: usize,
    patches: Vec<usize>,
}

pub struct FixtureArchive {
    msgs: Vec<Msg>,
    revs: Vec<Rev>,
}

impl FixtureArchive {
    pub fn load() -> FixtureArchive {
        let mut msgs = Vec::new();
        for f in [
            "split-folio.mbox",
            "mapcount.mbox",
            "nth-page.mbox",
            "msharefs.mbox",
        ] {
            let text = String::from_utf8(data(&format!("archive/{f}"))).expect("utf-8 fixture");
            msgs.extend(parse_mbox(&text));
        }
        let mut revs = Vec::new();
        for (i, m) in msgs.iter().enumerate() {
            let t = subject_tags(&m.subject);
            if m.subject.starts_with("Re:") || !t.is_patch || t.counter != Some(0) {
                continue;
            }
            let mut patches: Vec<usize> = (0..msgs.len())
                .filter(|&k| {
                    let p = &msgs[k];
                    let pt = subject_tags(&p.subject);
                    p.irt.as_deref() == Some(m.id.as_str())
                        && !p.subject.starts_with("Re:")
                        && pt.counter.is_some_and(|c| c > 0)
                })
                .collect();
            patches.sort_by_key(|&k| subject_tags(&msgs[k].subject).counter);
            revs.push(Rev {
                key: t.rest.to_lowercase(),
                version: t.version.unwrap_or(if t.rfc { 0 } else { 1 }),
                cover: i,
                patches,
            });
        }
        FixtureArchive { msgs, revs }
    }

    fn replies_to(&self, id: &str) -> TrailerCounts {
        let mut t = TrailerCounts::default();
        for m in self
            .msgs
            .iter()
            .filter(|m| m.irt.as_deref() == Some(id) && m.subject.starts_with("Re:"))
        {
            t.add(&trailers(&m.body));
        }
        t
    }

    fn view(&self, r: &Rev) -> SeriesView {
        let cover = &self.msgs[r.cover];
        let mut all: Vec<&Rev> = self.revs.iter().filter(|x| x.key == r.key).collect();
        all.sort_by_key(|x| x.version);
        let mut total = self.replies_to(&cover.id);
        let patches: Vec<PatchView> = r
            .patches
            .iter()
            .map(|&k| {
                let p = &self.msgs[k];
                let mut t = trailers(p.body.split("\n---\n").next().unwrap_or(""));
                t.add(&self.replies_to(&p.id));
                total.add(&t);
                let stat = p.body.split_once("\n---\n").map(|(_, s)| {
                    s.lines()
                        .take_while(|l| !l.starts_with("[diff trimmed]"))
                        .collect::<Vec<_>>()
                        .join("\n")
                        .trim()
                        .to_owned()
                });
                PatchView {
                    counter: subject_tags(&p.subject).counter.unwrap_or(0),
                    subject: p.subject.clone(),
                    message_id: MessageId::new(&p.id).expect("id"),
                    diffstat: stat.filter(|s| !s.is_empty()),
                    trailers: t,
                }
            })
            .collect();
        SeriesView {
            title: cover.subject.clone(),
            author: cover.from.clone(),
            date: cover.date,
            revision: r.version,
            message_id: MessageId::new(&cover.id).expect("id"),
            revisions: all
                .iter()
                .map(|x| RevisionView {
                    version: x.version,
                    message_id: MessageId::new(&self.msgs[x.cover].id).expect("id"),
                    subject: self.msgs[x.cover].subject.clone(),
                    date: self.msgs[x.cover].date,
                })
                .collect(),
            latest: all.iter().map(|x| x.version).max().unwrap_or(r.version),
            patches,
            cover_body: Some(cover.body.clone()),
            trailers: total,
            upstream: None,
            previous_diff: None,
        }
    }
}

impl Archive for FixtureArchive {
    fn series_by_message_id(&self, id: &MessageId) -> Option<SeriesView> {
        let r = self.revs.iter().find(|r| {
            self.msgs[r.cover].id == id.as_str()
                || r.patches.iter().any(|&k| self.msgs[k].id == id.as_str())
        })?;
        Some(self.view(r))
    }

    fn series_by_subject(&self, subject: &str, author: Option<&str>) -> Vec<SeriesView> {
        let key = norm(subject);
        let mut v: Vec<&Rev> = self
            .revs
            .iter()
            .filter(|r| r.key == key && author.is_none_or(|a| self.msgs[r.cover].from == a))
            .collect();
        v.sort_by_key(|r| std::cmp::Reverse(r.version));
        v.into_iter().map(|r| self.view(r)).collect()
    }
}

#[test]
fn fixture_archive_is_what_the_corpus_has() {
    let a = FixtureArchive::load();
    let versions = |k: &str| {
        let mut v: Vec<u32> = a
            .revs
            .iter()
            .filter(|r| r.key == k)
            .map(|r| r.version)
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        versions("split a folio to any lower order folios"),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(versions("mm: remove nth_page()"), [0, 1, 2]);
    assert_eq!(
        versions("mm: mapcount for large folios + page_mapcount() cleanups"),
        [1]
    );
    assert_eq!(
        rfc2822("Mon, 20 Mar 2023 20:48:29 -0400"),
        Some(1_679_359_709)
    );
}

#[test]
fn seed_check_against_the_corpus() {
    let nb = Notebook::parse(decoded());
    let a = FixtureArchive::load();
    let report = check::check(&nb, &a);
    let found: Vec<(usize, &str)> = report
        .entries
        .iter()
        .filter(|c| c.found == Found::ByMessageId)
        .map(|c| (c.line, c.topic.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (67, "linux_patch_learn / THP"),
            (71, "linux_patch_learn / THP"),
            (173, "linux_patch_learn / mm init"),
            (176, "linux_patch_learn / vma optimization"),
        ]
    );
    let count = |f: Found| report.entries.iter().filter(|c| c.found == f).count();
    assert_eq!(
        count(Found::NotFound),
        26,
        "31 lore entries, 4 found by Message-ID, msharefs by subject"
    );
    assert_eq!(count(Found::BySubject), 1);
    assert_eq!(count(Found::NotASeries), 11);

    let by_line = |l: usize| report.entries.iter().find(|c| c.line == l).expect("entry");
    let zi = by_line(71);
    assert_eq!(zi.revisions, [1, 2, 3, 4, 5]);
    assert_eq!((zi.linked_revision, zi.latest), (Some(5), Some(5)));
    assert!(zi.stale.is_empty(), "{:?}", zi.stale);
    let s = zi.series.as_ref().expect("series");
    assert_eq!(s.author, "Zi Yan");
    assert_eq!(s.patches.len(), 8, "all 8 patches of v5 reached cgroups");
    assert_eq!(zi.trailers, s.trailers);
    // Counted with a separate script over the fixture: v5's patches and the
    // replies to v5 carry 1 Reviewed-by and 4 Acked-by.
    assert_eq!(
        (
            zi.trailers.reviewed_by,
            zi.trailers.acked_by,
            zi.trailers.tested_by
        ),
        (1, 4, 0)
    );

    let mapcount = by_line(67);
    assert_eq!(
        (mapcount.revisions.clone(), mapcount.linked_revision),
        (vec![1], Some(1))
    );

    // The nth_page() entry links v1 (via a /T/#m... URL); v2 exists.
    let mm_init = by_line(173);
    assert_eq!(mm_init.revisions, [0, 1, 2]);
    assert_eq!(
        mm_init.stale,
        [Stale::NewerRevision {
            linked: 1,
            latest: 2,
            latest_message_id: MessageId::new("20250901150359.867252-1-david@redhat.com").unwrap()
        }]
    );
    assert_eq!(
        mm_init.stale[0].to_string(),
        "links v1, v2 exists <20250901150359.867252-1-david@redhat.com>"
    );
    assert_eq!(mm_init.found.to_string(), "in archive");
    // "Per-VMA locks" was pasted with the nth_page() URL: flagged.
    let vma = by_line(176);
    assert!(vma.stale.iter().any(|s| matches!(s, Stale::TitleMismatch { notebook, .. } if notebook == "[PATCH v4 00/33] Per-VMA locks")), "{:?}", vma.stale);

    let st = check::stats(&nb, &report);
    assert_eq!(
        (st.entries, st.series, st.found, st.missing),
        (42, 31, 5, 26)
    );
    assert_eq!((st.open_questions, st.answered_questions), (3, 0));
    let thp = st
        .topics
        .iter()
        .find(|t| t.path == "linux_patch_learn / THP")
        .unwrap();
    assert_eq!(
        (
            thp.entries,
            thp.series,
            thp.found,
            thp.missing,
            thp.open_questions
        ),
        (16, 13, 2, 11, 3),
        "13 lore + 3 LWN entries directly under THP"
    );
}
