//! Splitting an mbox stream into messages: the one rule of the whole tool
//! (the archive reader, lore's download check, `fetch`'s scan and the
//! tests all use this module).
//!
//! The mbox family cannot be told apart from the data: mboxo escapes body
//! lines `From ` as `>From `, mboxrd escapes `>*From ` by one more `>`.
//! lore.kernel.org serves mboxrd, so lines matching `^>+From ` lose one
//! `>` (for an mboxo file this over-unescapes a body line that genuinely
//! began with `>From `, which is rare and harmless for our purposes).
//!
//! A message starts at a `From ` line that begins the stream or follows a
//! blank line, and that looks like a From_ line (`From SENDER DATE`, with a
//! month name, a time and a year in the date). The blank line before the
//! next From_ line is the separator and not part of the message. The first
//! line of a stream only needs to start with `From SENDER`: fuzzed and
//! hand-made files carry truncated From_ lines.
//!
//! A stream that does not start with `From ` is one message, unchanged
//! (an `.eml` piped on standard input, a gzipped single message).

use std::io::{self, BufRead, Read};

use crate::MAX_MESSAGE_BYTES;

/// Reads messages one at a time from a buffered stream; memory holds one
/// message, whatever the size of the stream.
pub struct Splitter<R> {
    input: R,
    /// Bytes consumed from `input` so far.
    offset: u64,
    line: Vec<u8>,
    /// Offset of the From_ line that starts the next message, already
    /// consumed.
    next_start: Option<u64>,
    state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing read yet.
    Start,
    /// Splitting on From_ lines.
    Mbox,
    /// The stream is one message; the first line is in `line`.
    Single,
    /// Nothing more to yield.
    Done,
}

/// One message cut from the stream.
pub struct Piece {
    /// Offset of the message's From_ line (or of the message itself when
    /// the stream is a single message).
    pub offset: u64,
    /// The message, unescaped, without From_ line and separator.
    pub bytes: Vec<u8>,
}

/// What went wrong while cutting one message.
#[derive(Debug)]
pub struct PieceError {
    /// Offset of the message's From_ line.
    pub offset: u64,
    /// What went wrong.
    pub error: PieceFault,
}

/// Why a message could not be cut.
#[derive(Debug)]
pub enum PieceFault {
    /// Reading failed: the stream is abandoned.
    Io(io::Error),
    /// The message passed [`MAX_MESSAGE_BYTES`] (`at_least` bytes were
    /// seen): it was skipped to the next From_ line, and reading goes on.
    TooLarge {
        /// Bytes seen of it.
        at_least: u64,
    },
}

impl<R: BufRead> Splitter<R> {
    /// Starts at the beginning of `input`; `offset` is the position of
    /// `input` in the underlying file (non-zero when resuming).
    pub fn new(input: R, offset: u64) -> Self {
        Self {
            input,
            offset,
            line: Vec::with_capacity(256),
            next_start: None,
            state: State::Start,
        }
    }

    /// Bytes of the stream consumed so far (including the offset given to
    /// [`Splitter::new`]).
    pub fn consumed(&self) -> u64 {
        self.offset
    }

    /// Where the next message starts: the offset of its From_ line when
    /// it was already seen, else the end of what was consumed. Everything
    /// before it has been yielded.
    pub fn resume_offset(&self) -> u64 {
        self.next_start.unwrap_or(self.offset)
    }

    /// Whether the stream has been read to its end.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Whether the stream turned out to be an mbox (false for a single
    /// message, or before the first call to `next_piece`).
    pub fn is_mbox(&self) -> bool {
        self.state == State::Mbox || (self.state == State::Done && self.next_start.is_some())
    }

    /// Reads one line, or the first [`MAX_MESSAGE_BYTES`] + 1 bytes of a
    /// longer one (a 2 GB line of zeros is not buffered whole).
    fn read_line(&mut self) -> io::Result<usize> {
        self.line.clear();
        let n = (&mut self.input)
            .take(MAX_MESSAGE_BYTES as u64 + 1)
            .read_until(b'\n', &mut self.line)?;
        self.offset += n as u64;
        Ok(n)
    }

    /// The next message; `None` at the end of the stream. An empty stream
    /// yields nothing. After an I/O error the stream is abandoned.
    pub fn next_piece(&mut self) -> Option<Result<Piece, PieceError>> {
        match self.state {
            State::Done => None,
            State::Start => {
                let start = self.offset;
                match self.read_line() {
                    Err(error) => {
                        self.state = State::Done;
                        Some(Err(PieceError {
                            offset: start,
                            error: PieceFault::Io(error),
                        }))
                    }
                    Ok(0) => {
                        self.state = State::Done;
                        None
                    }
                    Ok(_) => {
                        if is_first_from_line(&self.line) {
                            self.state = State::Mbox;
                            self.next_start = Some(start);
                            self.next_mbox()
                        } else {
                            self.state = State::Single;
                            self.next_single(start)
                        }
                    }
                }
            }
            State::Single => None,
            State::Mbox => self.next_mbox(),
        }
    }

    fn next_single(&mut self, start: u64) -> Option<Result<Piece, PieceError>> {
        let mut bytes = std::mem::take(&mut self.line);
        let room = (MAX_MESSAGE_BYTES + 1).saturating_sub(bytes.len()) as u64;
        let result = (&mut self.input).take(room).read_to_end(&mut bytes);
        self.state = State::Done;
        match result {
            Ok(n) => {
                self.offset += n as u64;
                if bytes.len() > MAX_MESSAGE_BYTES {
                    return Some(Err(PieceError {
                        offset: start,
                        error: PieceFault::TooLarge {
                            at_least: bytes.len() as u64,
                        },
                    }));
                }
                Some(Ok(Piece {
                    offset: start,
                    bytes,
                }))
            }
            Err(error) => Some(Err(PieceError {
                offset: start,
                error: PieceFault::Io(error),
            })),
        }
    }

    fn next_mbox(&mut self) -> Option<Result<Piece, PieceError>> {
        let start = self.next_start?;
        let mut bytes = Vec::new();
        let mut prev_blank = false;
        // Whether the last read ended a line (a longer line comes in
        // pieces, and only a line's start can be a From_ line).
        let mut at_line_start = true;
        // Bytes of the message seen once it passed the limit (then nothing
        // more is kept: the message is skipped).
        let mut over: Option<u64> = None;
        let finish = |bytes: Vec<u8>, over: Option<u64>| match over {
            None => Ok(Piece {
                offset: start,
                bytes,
            }),
            Some(at_least) => Err(PieceError {
                offset: start,
                error: PieceFault::TooLarge { at_least },
            }),
        };
        loop {
            let line_start = self.offset;
            match self.read_line() {
                Err(error) => {
                    self.state = State::Done;
                    self.next_start = None;
                    return Some(Err(PieceError {
                        offset: start,
                        error: PieceFault::Io(error),
                    }));
                }
                Ok(0) => {
                    self.state = State::Done;
                    self.next_start = None;
                    if prev_blank {
                        strip_last_line(&mut bytes);
                    }
                    return Some(finish(bytes, over));
                }
                Ok(_) => {}
            }
            let line = &self.line[..];
            if at_line_start && prev_blank && is_from_line(line) {
                self.next_start = Some(line_start);
                strip_last_line(&mut bytes);
                return Some(finish(bytes, over));
            }
            let starts_line = at_line_start;
            at_line_start = line.ends_with(b"\n");
            prev_blank = starts_line && (line == b"\n" || line == b"\r\n");
            if let Some(seen) = &mut over {
                *seen += line.len() as u64;
                continue;
            }
            let line = if starts_line && is_escaped_from(line) {
                &line[1..]
            } else {
                line
            };
            if bytes.len() + line.len() > MAX_MESSAGE_BYTES {
                over = Some((bytes.len() + line.len()) as u64);
                bytes = Vec::new();
                continue;
            }
            bytes.extend_from_slice(line);
        }
    }
}

/// Whether `line` starts a message: the stream's first line when it is a
/// From_ line at all ([`is_first_from_line`]), or a From_ line
/// ([`is_from_line`]) after a blank line.
pub fn starts_message(line: &[u8], first: bool, prev_blank: bool) -> bool {
    if first {
        is_first_from_line(line)
    } else {
        prev_blank && is_from_line(line)
    }
}

/// The messages of an mbox in memory: (offset of the From_ line, the
/// message unescaped). A message over [`MAX_MESSAGE_BYTES`] is left out.
/// Data that is not an mbox is one message.
pub fn split(data: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut s = Splitter::new(data, 0);
    let mut out = Vec::new();
    while let Some(p) = s.next_piece() {
        if let Ok(p) = p {
            out.push((p.offset, p.bytes));
        }
    }
    out
}

/// Removes the last (blank) line: the separator before a From_ line.
fn strip_last_line(bytes: &mut Vec<u8>) {
    if bytes.ends_with(b"\r\n") {
        bytes.truncate(bytes.len() - 2);
    } else if bytes.ends_with(b"\n") {
        bytes.truncate(bytes.len() - 1);
    }
}

/// `^>+From `: an mboxrd-escaped body line.
pub fn is_escaped_from(line: &[u8]) -> bool {
    if line.first() != Some(&b'>') {
        return false;
    }
    let rest = &line[line.iter().take_while(|&&b| b == b'>').count()..];
    rest.starts_with(b"From ")
}

/// The first line of a file or stream: `From ` and a non-blank sender.
pub fn is_first_from_line(line: &[u8]) -> bool {
    line.strip_prefix(b"From ")
        .and_then(|rest| rest.first())
        .is_some_and(|b| !b.is_ascii_whitespace())
}

/// A From_ line between messages: `From SENDER DATE`, where the date has a
/// month name, a time (`hh:mm` or `hh:mm:ss`) and a four-digit year, as in
/// `From mboxrd@z Thu Jan  1 00:00:00 1970` (lore) or
/// `From 1a2b... Mon Sep 17 00:00:00 2001` (git format-patch).
pub fn is_from_line(line: &[u8]) -> bool {
    if !is_first_from_line(line) || line.len() > 1000 {
        return false;
    }
    let mut words = line[5..]
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty());
    let _sender = words.next();
    let (mut month, mut time, mut year) = (false, false, false);
    for w in words {
        month |= is_month(w);
        time |= is_time(w);
        year |= w.len() == 4 && w.iter().all(u8::is_ascii_digit);
    }
    month && time && year
}

fn is_month(w: &[u8]) -> bool {
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    MONTHS.iter().any(|m| w.eq_ignore_ascii_case(m))
}

fn is_time(w: &[u8]) -> bool {
    let mut parts = w.split(|&b| b == b':');
    let ok = |p: Option<&[u8]>| {
        p.is_some_and(|p| (1..=2).contains(&p.len()) && p.iter().all(u8::is_ascii_digit))
    };
    let (h, m) = (parts.next(), parts.next());
    let s = parts.next();
    ok(h) && ok(m) && (s.is_none() || ok(s)) && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(data: &[u8]) -> Vec<(u64, Vec<u8>)> {
        let mut s = Splitter::new(data, 0);
        let mut out = Vec::new();
        while let Some(p) = s.next_piece() {
            let p = p.map_err(|e| e.error).expect("in-memory read");
            out.push((p.offset, p.bytes));
        }
        out
    }

    #[test]
    fn from_lines() {
        assert!(is_from_line(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n"));
        assert!(is_from_line(
            b"From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
        ));
        assert!(is_from_line(
            b"From libc-alpha-return-50517-siddhesh=redhat.com@sourceware.org Thu Jun  5 10:36:33 2014\n"
        ));
        assert!(!is_from_line(b"From the beginning, at 10:30 we knew.\n"));
        assert!(!is_from_line(b"From: someone\n"));
        assert!(!is_from_line(b"From lib\n"));
        assert!(is_first_from_line(b"From lib\n"));
    }

    #[test]
    fn splits_mboxrd_and_unescapes() {
        let data = b"From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: a\n\n>From here\n>>From there\n> From not\n\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: b\n\nbody\n\n";
        let got = split(data);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, 0);
        assert_eq!(
            got[0].1,
            b"Subject: a\n\nFrom here\n>From there\n> From not\n".to_vec()
        );
        assert_eq!(got[1].1, b"Subject: b\n\nbody\n".to_vec());
        let second = data
            .windows(6)
            .rposition(|w| w == b"\nFrom ")
            .map(|i| i as u64 + 1);
        assert_eq!(Some(got[1].0), second);
    }

    #[test]
    fn unescaped_from_in_body_without_blank_line_is_not_a_split() {
        let data = b"From a@b Thu Jan  1 00:00:00 1970\nSubject: a\n\ntext\nFrom a@b Thu Jan  1 00:00:00 1970\n";
        assert_eq!(split(data).len(), 1);
    }

    #[test]
    fn single_message_and_empty() {
        let got = split(b"Subject: x\n\n>From kept\n");
        assert_eq!(got, vec![(0, b"Subject: x\n\n>From kept\n".to_vec())]);
        assert!(split(b"").is_empty());
    }

    #[test]
    fn crlf_separators() {
        let data = b"From a@b Thu Jan  1 00:00:00 1970\r\nSubject: a\r\n\r\nx\r\n\r\nFrom a@b Thu Jan  1 00:00:00 1970\r\nSubject: b\r\n\r\ny\r\n";
        let got = split(data);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1, b"Subject: a\r\n\r\nx\r\n".to_vec());
        assert_eq!(got[1].1, b"Subject: b\r\n\r\ny\r\n".to_vec());
    }
}
