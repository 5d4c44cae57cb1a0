//! Hostile messages (issue 20): generated here, since they are large.
//! `lpl_mail::parse` must return, without a panic or a stack overflow, on
//! the main thread's stack and on a small one.

/// A message nested `depth` levels deep: `message/rfc822` in
/// `message/rfc822` ... (1.5 MB at 50,000 levels).
fn nested_rfc822(depth: usize) -> Vec<u8> {
    let mut m = Vec::new();
    for i in 0..depth {
        m.extend_from_slice(
            format!("Subject: level {i}\r\nContent-Type: message/rfc822\r\n\r\n").as_bytes(),
        );
    }
    m.extend_from_slice(b"Subject: innermost\r\n\r\nhello\r\n");
    m
}

/// `multipart/mixed` in `multipart/mixed` ... `depth` levels.
fn nested_multipart(depth: usize) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(
        b"Subject: parts\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n",
    );
    for i in 0..depth {
        m.extend_from_slice(
            format!(
                "--b{i}\r\nContent-Type: multipart/mixed; boundary=\"b{}\"\r\n\r\n",
                i + 1
            )
            .as_bytes(),
        );
    }
    m.extend_from_slice(
        format!("--b{depth}\r\nContent-Type: text/plain\r\n\r\nhello\r\n").as_bytes(),
    );
    m
}

fn parse_on_small_stack(raw: Vec<u8>) -> lpl_mail::ParsedMessage {
    std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || lpl_mail::parse(&raw))
        .expect("thread")
        .join()
        .expect("parse returns on a 256 KiB stack")
}

#[test]
fn deeply_nested_messages_parse_without_overflowing_the_stack() {
    for depth in [100, 5_000, 50_000] {
        let p = parse_on_small_stack(nested_rfc822(depth));
        assert_eq!(p.message.subject, "level 0", "depth {depth}");
        let p = parse_on_small_stack(nested_multipart(depth));
        assert_eq!(p.message.subject, "parts", "depth {depth}");
    }
}
