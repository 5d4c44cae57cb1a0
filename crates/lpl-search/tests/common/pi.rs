//! Differential testing against public-inbox (shared by the integration test
//! and the `differential` example).
//!
//! Builds a public-inbox v2 inbox from (a prefix of) a real epoch with
//! `public-inbox-init`/`public-inbox-index`, asks `PublicInbox::Search` (the
//! code behind lore and `lei q`) through `tests/pi_query.pl`, and compares
//! the Message-ID sets with ours.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lpl_search::{DocKey, IndexOptions, SearchDoc, SearchIndex};

/// The crate directory.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The io-uring epoch bundle of the shared corpus.
pub fn io_uring_bundle() -> PathBuf {
    crate_dir().join("../../../shared/corpus/lists/io-uring.vger.kernel.org.0.bundle")
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Clones `bundle` as a bare mirror into `dest` and, if `limit` is given,
/// points `master` at the `limit`-th commit (epochs are linear, one message
/// per commit), so the inbox holds exactly the first `limit` messages.
pub fn clone_epoch(bundle: &Path, dest: &Path, limit: Option<usize>) -> Result<(), String> {
    run(Command::new("git")
        .args(["clone", "-q", "--mirror"])
        .arg(bundle)
        .arg(dest))?;
    if let Some(n) = limit {
        let revs =
            run(Command::new("git")
                .arg("-C")
                .arg(dest)
                .args(["rev-list", "--reverse", "HEAD"]))?;
        let commit = revs
            .lines()
            .nth(n.saturating_sub(1))
            .ok_or("epoch shorter than the limit")?
            .to_owned();
        run(Command::new("git")
            .arg("-C")
            .arg(dest)
            .args(["update-ref", "HEAD", &commit]))?;
    }
    Ok(())
}

/// Raw messages (`m` blobs) of an epoch, oldest first.
pub fn read_messages(epoch: &Path) -> Result<Vec<Vec<u8>>, String> {
    let revs =
        run(Command::new("git")
            .arg("-C")
            .arg(epoch)
            .args(["rev-list", "--reverse", "HEAD"]))?;
    let revs: Vec<String> = revs.lines().map(str::to_owned).collect();
    let mut child = Command::new("git")
        .arg("-C")
        .arg(epoch)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("git cat-file: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let feed_revs = revs.clone();
    let feeder = std::thread::spawn(move || {
        for r in feed_revs {
            if writeln!(stdin, "{r}:m").is_err() {
                break;
            }
        }
    });
    let mut out = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut msgs = Vec::with_capacity(revs.len());
    let mut header = String::new();
    for _ in &revs {
        header.clear();
        out.read_line(&mut header).map_err(|e| e.to_string())?;
        let parts: Vec<&str> = header.split_whitespace().collect();
        if parts.len() < 3 || parts[1] != "blob" {
            continue; // a deletion commit ("d") or missing
        }
        let size: usize = parts[2].parse().map_err(|_| "bad size")?;
        let mut buf = vec![0; size + 1];
        out.read_exact(&mut buf).map_err(|e| e.to_string())?;
        buf.pop();
        msgs.push(buf);
    }
    feeder.join().map_err(|_| "feeder panicked")?;
    child.wait().map_err(|e| e.to_string())?;
    Ok(msgs)
}

/// Makes a public-inbox v2 inbox at `inbox` whose epoch 0 is `epoch` (moved
/// in), and indexes it (`indexlevel=full`). `home` isolates the config.
pub fn make_inbox(epoch: &Path, inbox: &Path, home: &Path) -> Result<(), String> {
    std::fs::create_dir_all(home).map_err(|e| e.to_string())?;
    let env = |c: &mut Command| {
        c.env("HOME", home)
            .env("PI_CONFIG", home.join("pi-config"))
            .env("TZ", "UTC");
    };
    let mut init = Command::new("public-inbox-init");
    init.args(["-V2", "-L", "full", "test"])
        .arg(inbox)
        .args(["http://example.invalid/test", "test@example.invalid"]);
    env(&mut init);
    run(&mut init)?;
    let git0 = inbox.join("git/0.git");
    std::fs::remove_dir_all(&git0).map_err(|e| e.to_string())?;
    std::fs::rename(epoch, &git0).map_err(|e| e.to_string())?;
    let mut index = Command::new("public-inbox-index");
    // No fsync: the inbox is thrown away, and fsync dominates the run time.
    index.arg("--no-fsync").arg(inbox);
    env(&mut index);
    run(&mut index)?;
    Ok(())
}

/// public-inbox's answer to each query: the Message-IDs, or its error.
pub fn pi_query(
    inbox: &Path,
    queries: &[String],
) -> Result<Vec<Result<BTreeSet<String>, String>>, String> {
    let mut child = Command::new("perl")
        .arg(crate_dir().join("tests/pi_query.pl"))
        .arg(inbox)
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("perl: {e}"))?;
    {
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        for q in queries {
            writeln!(stdin, "{q}").map_err(|e| e.to_string())?;
        }
    }
    let mut text = String::new();
    child
        .stdout
        .take()
        .ok_or("no stdout")?
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    child.wait().map_err(|e| e.to_string())?;
    let mut results = Vec::new();
    let mut current: Option<Result<BTreeSet<String>, String>> = None;
    for line in text.lines() {
        if line.starts_with("Q ") {
            current = Some(Ok(BTreeSet::new()));
        } else if line == "END" {
            results.push(current.take().ok_or("END without Q")?);
        } else if let Some(e) = line.strip_prefix("ERR ") {
            current = Some(Err(e.to_owned()));
        } else if let Some(Ok(set)) = current.as_mut() {
            set.insert(line.to_owned());
        }
    }
    if results.len() != queries.len() {
        return Err(format!(
            "pi_query.pl answered {} of {} queries",
            results.len(),
            queries.len()
        ));
    }
    Ok(results)
}

/// Parses and indexes `msgs` into `dir`; returns the index and the number of
/// messages indexed. Keys are `Message-ID` + newline + position, so reposts
/// of one Message-ID stay separate documents as in public-inbox (see
/// [`mid_of`]).
pub fn build_ours(msgs: &[Vec<u8>], dir: Option<&Path>) -> Result<(SearchIndex, usize), String> {
    let opts = IndexOptions::default();
    let mut index = match dir {
        Some(d) => SearchIndex::open(d, &opts),
        None => SearchIndex::in_memory(&opts),
    }
    .map_err(|e| e.to_string())?;
    let mut n = 0;
    for (i, raw) in msgs.iter().enumerate() {
        let parsed = lpl_mail::parse(raw);
        let Some(mid) = parsed.message.message_id.as_ref() else {
            continue;
        };
        let key = DocKey::new(format!("{}\n{i}", mid.as_str()));
        let doc = SearchDoc::from_message(key, &parsed.message);
        index.add(&doc).map_err(|e| e.to_string())?;
        n += 1;
    }
    index.commit().map_err(|e| e.to_string())?;
    Ok((index, n))
}

/// The differential queries, one per line of `tests/data/differential-queries.txt`
/// (`#` comments and blank lines skipped).
pub fn queries() -> Vec<String> {
    let text = std::fs::read_to_string(crate_dir().join("tests/data/differential-queries.txt"))
        .expect("query list is part of the crate");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Result of one query on both sides.
#[derive(Debug)]
pub struct Comparison {
    /// The query.
    pub query: String,
    /// Hits of public-inbox (or its error).
    pub theirs: Result<BTreeSet<String>, String>,
    /// Our hits (or our error).
    pub ours: Result<BTreeSet<String>, String>,
}

impl Comparison {
    /// Message-IDs only public-inbox found.
    pub fn only_theirs(&self) -> Vec<&String> {
        match (&self.theirs, &self.ours) {
            (Ok(t), Ok(o)) => t.difference(o).collect(),
            _ => Vec::new(),
        }
    }

    /// Message-IDs only we found.
    pub fn only_ours(&self) -> Vec<&String> {
        match (&self.theirs, &self.ours) {
            (Ok(t), Ok(o)) => o.difference(t).collect(),
            _ => Vec::new(),
        }
    }
}

/// Runs every query on both sides.
pub fn compare(
    inbox: &Path,
    ours: &SearchIndex,
    queries: &[String],
    now: i64,
) -> Result<Vec<Comparison>, String> {
    let theirs = pi_query(inbox, queries)?;
    Ok(queries
        .iter()
        .zip(theirs)
        .map(|(q, theirs)| Comparison {
            query: q.clone(),
            theirs,
            ours: ours
                .matching_keys(q, now)
                .map(|keys| keys.iter().map(|k| mid_of(k).to_owned()).collect())
                .map_err(|e| e.to_string()),
        })
        .collect())
}

/// The Message-ID part of a key made by [`build_ours`].
pub fn mid_of(key: &DocKey) -> &str {
    key.as_str().split('\n').next().unwrap_or_default()
}
