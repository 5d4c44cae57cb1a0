//! lpl-mail against real mail from other tools' test corpora
//! (`../shared/corpus/mail/`: patchwork, b4, public-inbox, notmuch,
//! curated old-style linux-mm mail). Read in place; nothing is copied.

use std::path::{Path, PathBuf};

use lpl_mail::diff::FileChange;
use lpl_mail::{DiagnosticKind, TrailerKind, parse};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/mail")
}

/// Reads a one-message mbox or .eml, dropping an mbox `From ` line.
fn load(rel: &str) -> Vec<u8> {
    let p = corpus().join(rel);
    let raw = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    if raw.starts_with(b"From ") {
        let nl = raw
            .iter()
            .position(|&b| b == b'\n')
            .expect("From line ends");
        raw[nl + 1..].to_vec()
    } else {
        raw
    }
}

fn pw(name: &str) -> lpl_mail::ParsedMessage {
    parse(&load(&format!(
        "patchwork/patchwork/tests/data/mail/{name}"
    )))
}

#[test]
fn every_corpus_file_parses_without_panic() {
    let mut n = 0;
    let mut stack = vec![corpus()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("corpus dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::metadata(&p)
                .map(|m| m.len() < 8 << 20)
                .unwrap_or(false)
            {
                let raw = std::fs::read(&p).expect("read");
                let _ = parse(&raw);
                n += 1;
            }
        }
    }
    assert!(n > 500, "only {n} files found: is ../shared/corpus there?");
}

#[test]
fn patchwork_pull_requests() {
    for name in [
        "0001-git-pull-request.mbox",
        "0002-git-pull-request-wrapped.mbox",
        "0017-git-pull-request-git-2-14-3.mbox",
    ] {
        let m = pw(name).message;
        assert!(m.is_pull_request, "{name}");
        assert!(
            m.patch.is_none(),
            "{name}: a pull request without a diff is not a patch"
        );
    }
    let m = pw("0003-git-pull-request-with-diff.mbox").message;
    assert!(m.is_pull_request);
    assert!(m.patch.is_some(), "pull request with a diff carries it");
}

#[test]
fn patchwork_cvs_diff() {
    let m = pw("0007-cvs-format-diff.mbox").message;
    let p = m.patch.expect("CVS-format diff is a patch");
    assert!(!p.files.is_empty());
    assert!(p.files.iter().all(|f| !f.hunks.is_empty()));
}

#[test]
fn patchwork_renames_and_modes() {
    let p = pw("0008-git-rename.mbox")
        .message
        .patch
        .expect("pure rename is a patch");
    assert!(
        matches!(
            p.files[0].change,
            FileChange::Renamed {
                similarity: Some(100)
            }
        ),
        "{:?}",
        p.files[0]
    );
    let p = pw("0009-git-rename-with-diff.mbox")
        .message
        .patch
        .expect("rename with diff");
    assert!(matches!(p.files[0].change, FileChange::Renamed { .. }));
    assert!(!p.files[0].hunks.is_empty());
    let p = pw("0022-git-mode-change.mbox")
        .message
        .patch
        .expect("mode change");
    assert_eq!(p.files[0].old_mode.as_deref(), Some("100644"));
    assert_eq!(p.files[0].new_mode.as_deref(), Some("100755"));
    let p = pw("0021-git-empty-new-file.mbox")
        .message
        .patch
        .expect("empty new file");
    assert_eq!(p.files[0].change, FileChange::Added);
}

#[test]
fn patchwork_binary_files() {
    let p = pw("0025-git-add-binary-file.mbox")
        .message
        .patch
        .expect("binary patch");
    assert!(p.files[0].binary);
    let p = pw("0026-git-add-mixed-binary-text-files.mbox")
        .message
        .patch
        .expect("mixed");
    assert_eq!(p.files.iter().filter(|f| f.binary).count(), 1);
    assert_eq!(p.files.iter().filter(|f| !f.binary).count(), 1);
    let p = pw("0027-git-modify-binary-file.mbox")
        .message
        .patch
        .expect("modify binary");
    assert!(p.files[0].binary);
}

#[test]
fn patchwork_charsets_and_headers() {
    let p = pw("0010-invalid-charset.mbox");
    assert!(
        p.message.patch.is_some(),
        "charset=\"none\" must not lose the patch"
    );
    let m = pw("0014-with-unencoded-utf8-headers.mbox").message;
    assert!(m.subject.contains("Rafał Miłecki"), "{}", m.subject);
    let p = pw("0015-with-invalid-utf8-headers.mbox");
    assert!(p.message.patch.is_some());
    let m = pw("0016-no-subject.mbox").message;
    assert_eq!(m.subject, "");
    assert!(m.patch.is_some());
    let m = pw("0013-with-utf8-body.mbox").message;
    assert!(m.patch.is_some());
    let m = pw("0011-no-newline-at-end-of-file.mbox").message;
    let p = m.patch.expect("patch");
    assert!(p.diff.contains("\\ No newline at end of file"));
}

#[test]
fn patchwork_multipart() {
    let m = pw("0019-multipart-patch.mbox").message;
    assert!(
        m.patch.is_some(),
        "patch in the text part of multipart/alternative"
    );
    assert!(
        !m.body.contains("<div"),
        "HTML alternative must not be the body"
    );
    let m = pw("0020-multipart-comment.mbox").message;
    assert!(m.patch.is_none());
    assert!(m.tags.is_reply);
}

#[test]
fn public_inbox_charsets_and_attachments() {
    let m = parse(&load("public-inbox/t/iso-2202-jp.eml")).message;
    assert!(
        m.body
            .chars()
            .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)
                || ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{}",
        m.body
    );
    let m = parse(&load("public-inbox/t/plack-attached-patch.eml")).message;
    // An inline text part named foo&.patch, with a sloppy hunk header
    // (`@@ -49, 7 +49,34 @@`): public-inbox indexes it as a patch, so do we.
    let p = m.patch.expect("a patch sent as a text part is a patch");
    assert_eq!(p.files[0].path(), "file");
    let m = parse(&load("public-inbox/t/plack-qp.eml")).message;
    assert!(
        !m.body.contains("=\n"),
        "quoted-printable soft breaks decoded"
    );
    let p = parse(&load("public-inbox/t/x-unknown-alpine.eml"));
    assert!(!p.message.body.is_empty());
}

#[test]
fn old_style_subjects_and_patches() {
    let m = parse(&load("curated-old-style/thp-v32-01of66-hg-patchbomb.eml")).message;
    assert_eq!((m.tags.counter, m.tags.total), (Some(1), Some(66)));
    assert!(m.patch.is_some());
    let m = parse(&load("curated-old-style/x86-lam-PATCHv12-01of16.eml")).message;
    assert_eq!(m.tags.revision, Some(12));
    assert!(m.patch.as_ref().is_some_and(|p| {
        p.trailers
            .iter()
            .any(|t| t.kind() == TrailerKind::SignedOffBy)
    }));
}

#[test]
fn b4_followup_trailers() {
    // b4's sample: the patch plus follow-ups carrying trailers.
    let raw = std::fs::read(corpus().join("b4/src/tests/samples/trailers-followup-single.mbox"))
        .expect("sample");
    let split = lpl_mail::mbox::split(&raw);
    let msgs: Vec<&[u8]> = split.iter().map(|(_, m)| &m[..]).collect();
    assert!(msgs.len() >= 2);
    let first = parse(msgs[0]).message;
    assert!(first.patch.is_some());
    let given: usize = msgs[1..]
        .iter()
        .map(|m| lpl_mail::trailer::parse_reply_trailers(&parse(m).message.body).len())
        .sum();
    assert!(given >= 1, "follow-ups give trailers");
}

#[test]
fn impossible_dates_are_flagged_not_fatal() {
    let raw = b"Message-ID: <d@x>\nFrom: A <a@x>\nSubject: t\nDate: Mon, 3 Jun 2019 10:00:00 +1700\n\nbody\n";
    let p = parse(raw);
    let d = p.message.date.expect("a best reading");
    assert!(d.suspect);
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::ImpossibleDate)
    );
    let p = parse(b"Message-ID: <d@x>\nFrom: A <a@x>\nSubject: t\nDate: yesterday-ish\n\nbody\n");
    assert!(p.message.date.is_none());
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::BadDate)
    );
}

#[test]
fn garbage_is_not_a_message() {
    let p = parse(b"");
    assert!(p.diagnostics.iter().any(
        |d| d.kind == DiagnosticKind::NotAMessage || d.kind == DiagnosticKind::MissingMessageId
    ));
    let p = parse(&[0xff, 0xfe, 0x00, 0x01]);
    assert!(p.message.message_id.is_none());
}

/// public-inbox's own test mail (`t/search.t`, `t/filter_base.t`): text
/// attachments are text parts; `text/xhtml` is not.
#[test]
fn extra_text_parts_like_public_inbox() {
    let m = parse(&load("public-inbox/t/search-amsg.eml")).message;
    let texts: Vec<&str> = m.extra_text.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, ["inside the attachment", "inside another"]);
    assert_eq!(
        m.extra_text[0].filename.as_deref(),
        Some("attached_fart.txt")
    );
    assert_eq!(m.extra_text[1].mime_type, "text/plain");

    let m = parse(&load("public-inbox/t/filter_base-xhtml.eml")).message;
    assert!(m.extra_text.is_empty(), "{:?}", m.extra_text);
    assert!(m.body.contains("hi = \"bye\""));

    // Inline text parts are the body, not extra text; the binary part is
    // neither.
    let m = parse(&load("public-inbox/t/psgi_attach.eml")).message;
    assert!(m.body.contains("dotfile") && m.body.contains("pass"));
    assert!(m.extra_text.is_empty(), "{:?}", m.extra_text);

    // The attached patch is one of the text parts, and marked so.
    let m = parse(&load("public-inbox/t/plack-attached-patch.eml")).message;
    let patch_parts = m.extra_text.iter().filter(|t| t.is_patch).count();
    let from_attachment = m.patch.as_ref().is_some_and(|p| p.from_attachment);
    assert_eq!(patch_parts, usize::from(from_attachment));
}

fn mime(parts: &str) -> String {
    format!(
        "From: a@example.com\nSubject: s\nMessage-ID: <m@x>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\
         MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n{parts}--b--\n"
    )
}

#[test]
fn extra_text_types_charsets_and_forwarded_mail() {
    let raw = mime(concat!(
        "--b\nContent-Type: text/plain\n\nsomething like this?\n\n",
        "--b\nContent-Type: text/x-patch; name=fix.patch\nContent-Disposition: attachment; filename=fix.patch\n\n",
        "diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n\n",
        "--b\nContent-Type: text/plain; charset=iso-8859-1; name=notes.txt\n",
        "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9 cr=E8me\n\n",
        "--b\nContent-Type: text/html\nContent-Disposition: attachment\n\n<p>html</p>\n\n",
        "--b\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n\n",
        "--b\nContent-Type: application/octet-stream; name=config\n",
        "Content-Transfer-Encoding: base64\n\nQ09ORklHX0lPX1VSSU5HPXkK\n\n",
        "--b\nContent-Type: application/octet-stream; name=blob\n",
        "Content-Transfer-Encoding: base64\n\nAAECAwQ=\n\n",
        "--b\nContent-Type: message/rfc822\n\n",
        "From: c@example.com\nSubject: fwd\n\nforwarded words\n\n",
    ));
    let p = parse(raw.as_bytes());
    let m = &p.message;
    assert_eq!(m.body.trim_end(), "something like this?");
    let got: Vec<(&str, &str, bool)> = m
        .extra_text
        .iter()
        .map(|t| (t.mime_type.as_str(), t.text.trim_end(), t.is_patch))
        .collect();
    assert_eq!(
        got,
        [
            (
                "text/x-patch",
                "diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b",
                true
            ),
            ("text/plain", "café crème", false),
            ("application/octet-stream", "CONFIG_IO_URING=y", false),
            ("text/plain", "forwarded words", false),
        ]
    );
    assert!(m.patch.as_ref().is_some_and(|p| p.from_attachment));
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
}
