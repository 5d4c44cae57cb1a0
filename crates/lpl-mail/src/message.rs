//! One message: headers, chosen text body, patch.

use std::borrow::Cow;
use std::sync::OnceLock;

use mail_parser::{HeaderName, MessageParser, MimeHeaders, PartType};
use serde::Serialize;

use crate::charset::{self, Decoded};
use crate::id::{MessageId, parse_id_list};
use crate::patch::{self, Patch};
use crate::subject::{self, SubjectTags};

/// A mailbox: display name and address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Address {
    /// Display name, if any.
    pub name: Option<String>,
    /// The address (`local@domain`), as written.
    pub email: String,
}

impl Address {
    /// Parses `Name <addr>`, `"Name" <addr>`, `<addr>`, `addr (Name)` or `addr`.
    pub fn parse(s: &str) -> Option<Address> {
        let s = s.trim();
        if let (Some(lt), Some(gt)) = (s.rfind('<'), s.rfind('>'))
            && lt < gt
        {
            let email = s[lt + 1..gt].trim();
            let name = s[..lt].trim().trim_matches('"').trim();
            if email.is_empty() {
                return None;
            }
            return Some(Address {
                name: Some(name.to_owned()).filter(|n| !n.is_empty()),
                email: email.to_owned(),
            });
        }
        if let Some((addr, rest)) = s.split_once(" (")
            && addr.contains('@')
        {
            return Some(Address {
                name: Some(rest.trim_end_matches(')').trim().to_owned()).filter(|n| !n.is_empty()),
                email: addr.trim().to_owned(),
            });
        }
        let tok = s.split_whitespace().find(|t| t.contains('@'))?;
        Some(Address {
            name: None,
            email: tok
                .trim_matches(|c| c == '<' || c == '>' || c == ',')
                .to_owned(),
        })
    }

    /// `Name <email>` (or just the email).
    pub fn display(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} <{}>", self.email),
            None => self.email.clone(),
        }
    }

    /// The name if there is one, else the address.
    pub fn name_or_email(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.email)
    }

    /// The author name and address `git am` records for a patch from this
    /// address: `git mailinfo` collapses whitespace, drops a `(...)` around
    /// the name and takes the address instead of a name shorter than 3 or
    /// longer than 60 bytes or holding `@`, `<` or `>`; git's ident rules
    /// then cut quotes, commas, colons and the like from both ends.
    pub fn git_am_ident(&self) -> (String, String) {
        let email = without_crud(&self.email);
        let mut name = String::new();
        for word in self.name.as_deref().unwrap_or("").split_whitespace() {
            if !name.is_empty() {
                name.push(' ');
            }
            name.push_str(word);
        }
        if name.len() >= 2 && name.starts_with('(') && name.ends_with(')') {
            name = name[1..name.len() - 1].to_owned();
        }
        if name.len() < 3 || name.len() > 60 || name.contains(['@', '<', '>']) {
            name = self.email.clone();
        }
        (without_crud(&name), email)
    }
}

/// git's `strbuf_addstr_without_crud`: control characters, blanks and
/// `,:;<>"\\'` cut from both ends, `<`, `>` and newlines dropped inside.
fn without_crud(s: &str) -> String {
    let crud =
        |c: char| (c as u32) <= 32 || matches!(c, ',' | ':' | ';' | '<' | '>' | '"' | '\\' | '\'');
    s.trim_matches(crud)
        .chars()
        .filter(|c| !matches!(c, '\n' | '<' | '>'))
        .collect()
}

/// Something about a message that was wrong and how it was handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// What kind of problem.
    pub kind: DiagnosticKind,
    /// Human-readable detail.
    pub detail: String,
}

/// Kinds of [`Diagnostic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// Not parseable as a message at all (empty, binary junk).
    NotAMessage,
    /// No usable Message-ID header.
    MissingMessageId,
    /// No Date header, or one that does not parse.
    BadDate,
    /// A date whose zone or value is impossible (`+1700`, year 1970 or 2099).
    ImpossibleDate,
    /// Text decoded with another charset than declared, or guessed.
    CharsetFallback,
    /// No From header.
    MissingFrom,
    /// The MIME structure was damaged (bad base64, missing boundary).
    BrokenMime,
}

/// The date of a message and how much to trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MailDate {
    /// Seconds since the Unix epoch, UTC.
    pub timestamp: i64,
    /// Offset of the sender's zone in minutes east of UTC, as written
    /// (0 when the written zone was impossible).
    pub offset_minutes: i32,
    /// The header was impossible and this is the best reading of it.
    pub suspect: bool,
}

/// One message as understood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// The Message-ID.
    pub message_id: Option<MessageId>,
    /// The first ID of `In-Reply-To`.
    pub in_reply_to: Option<MessageId>,
    /// `References`, oldest first.
    pub references: Vec<MessageId>,
    /// Decoded, unfolded subject.
    pub subject: String,
    /// Subject tags (`[PATCH v5 3/8]`).
    pub tags: SubjectTags,
    /// The sender.
    pub from: Option<Address>,
    /// `To` recipients.
    pub to: Vec<Address>,
    /// `Cc` recipients.
    pub cc: Vec<Address>,
    /// The date.
    pub date: Option<MailDate>,
    /// When the message was received: the time of the first `Received:`
    /// header that carries a readable one (seconds since the epoch, UTC),
    /// as public-inbox reads it for `rt:`.
    pub received: Option<i64>,
    /// File names of the parts that declare one (`Content-Disposition`
    /// `filename` or `Content-Type` `name`), binary parts included, in
    /// message order; public-inbox's `n:`.
    pub attachment_names: Vec<String>,
    /// `List-Id` (the part in angle brackets).
    pub list_id: Option<String>,
    /// The chosen text body, decoded: the inline text parts in order (HTML
    /// only when there is no text).
    pub body: String,
    /// Every other text part, in message order (see [`TextPart`]): text
    /// attachments (`text/x-patch`, a second `text/plain`, `text/x-csrc`
    /// ...), text parts of forwarded messages. Together with `body` this is
    /// the text public-inbox indexes.
    pub extra_text: Vec<TextPart>,
    /// The patch carried by the message, if any.
    pub patch: Option<Patch>,
    /// `change-id:` (b4) found in the body.
    pub change_id: Option<String>,
    /// `base-commit:` found in the body.
    pub base_commit: Option<String>,
    /// The body looks like `git request-pull` output.
    pub is_pull_request: bool,
}

/// A text part of a message besides the ones making up [`Message::body`].
///
/// Which parts count follows public-inbox (`PublicInbox::MsgIter::msg_part_text`):
/// every leaf part, in message order, including those of attached
/// `message/rfc822` messages, whose type is `text/*` (except `text/html` and
/// `text/xhtml`), or that declares a `charset`, or that is
/// `application/octet-stream` and decodes to printable text. The text is
/// decoded like the body (transfer encoding, then the rules of
/// [`crate::charset`]), with CRLF line ends turned into LF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextPart {
    /// The declared MIME type, lower case (`text/x-patch`); `text/plain`
    /// when the part declares none.
    pub mime_type: String,
    /// The file name (`Content-Disposition` `filename` or `Content-Type`
    /// `name`), if any.
    pub filename: Option<String>,
    /// The decoded text.
    pub text: String,
    /// [`Message::patch`] was read from this part.
    pub is_patch: bool,
}

impl Message {
    /// Whether this message carries a patch.
    pub fn is_patch(&self) -> bool {
        self.patch.is_some()
    }
}

/// A message plus what went wrong reading it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedMessage {
    /// The message.
    pub message: Message,
    /// Problems met and how they were handled.
    pub diagnostics: Vec<Diagnostic>,
}

fn diag(d: &mut Vec<Diagnostic>, kind: DiagnosticKind, detail: impl Into<String>) {
    d.push(Diagnostic {
        kind,
        detail: detail.into(),
    });
}

fn addresses(v: Option<&mail_parser::Address<'_>>) -> Vec<Address> {
    let Some(v) = v else { return Vec::new() };
    v.iter()
        .filter_map(|a| {
            let email = a.address.as_deref()?.trim();
            if email.is_empty() {
                return None;
            }
            Some(Address {
                name: a
                    .name
                    .as_deref()
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
                email: email.to_owned(),
            })
        })
        .collect()
}

fn raw_header<'a>(m: &'a mail_parser::Message<'_>, name: HeaderName<'_>) -> Option<&'a [u8]> {
    let h = m.parts.first()?.headers.iter().find(|h| h.name == name)?;
    m.raw_message
        .get(h.offset_start as usize..h.offset_end as usize)
}

fn raw_header_str(m: &mail_parser::Message<'_>, name: HeaderName<'_>) -> Option<String> {
    raw_header(m, name).map(|b| String::from_utf8_lossy(b).into_owned())
}

fn unfold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decode_part_text(
    m: &mail_parser::Message<'_>,
    part: &mail_parser::MessagePart<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let raw = m
        .raw_message
        .get(part.offset_body as usize..part.offset_end as usize)?;
    let decoded: Cow<'_, [u8]> = match part.encoding {
        mail_parser::Encoding::None => Cow::Borrowed(raw),
        mail_parser::Encoding::QuotedPrintable => {
            match mail_parser::decoders::quoted_printable::quoted_printable_decode(raw) {
                Some(v) => Cow::Owned(v),
                None => {
                    diag(
                        diags,
                        DiagnosticKind::BrokenMime,
                        "bad quoted-printable body; kept as is",
                    );
                    Cow::Borrowed(raw)
                }
            }
        }
        mail_parser::Encoding::Base64 => {
            let cleaned: Vec<u8> = raw
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            match mail_parser::decoders::base64::base64_decode(&cleaned) {
                Some(v) => Cow::Owned(v),
                None => {
                    diag(
                        diags,
                        DiagnosticKind::BrokenMime,
                        "bad base64 body; used the parser's best effort",
                    );
                    return match &part.body {
                        PartType::Text(t) => Some(t.to_string()),
                        _ => None,
                    };
                }
            }
        }
    };
    let label = part.content_type().and_then(|ct| ct.attribute("charset"));
    let (text, how) = match (&decoded, &part.body) {
        // mail-parser borrowed the very same bytes as valid UTF-8: no need
        // to validate them again.
        (Cow::Borrowed(b), PartType::Text(Cow::Borrowed(t)))
            if t.as_ptr() == b.as_ptr() && t.len() == b.len() =>
        {
            charset::decode_utf8(t, label)
        }
        _ => charset::decode(&decoded, label),
    };
    if how.is_fallback() {
        diag(diags, DiagnosticKind::CharsetFallback, describe(&how));
    }
    Some(text)
}

fn describe(how: &Decoded) -> String {
    match how {
        Decoded::AsDeclared => "as declared".into(),
        Decoded::Utf8DespiteLabel(l) => format!("declared {l} but valid UTF-8: read as UTF-8"),
        Decoded::UnknownLabel { label, used } => {
            format!("unknown charset {label:?}: read as {used}")
        }
        Decoded::Guessed(used) => format!("undeclared 8-bit text: guessed {used}"),
        Decoded::Malformed(enc) => {
            format!("text is not valid {enc}: replacement characters inserted")
        }
    }
}

fn is_texty_attachment(part: &mail_parser::MessagePart<'_>) -> bool {
    let name = part.attachment_name().unwrap_or("").to_ascii_lowercase();
    if name.ends_with(".patch") || name.ends_with(".diff") {
        return true;
    }
    match part.content_type() {
        Some(ct) => {
            let t = ct.ctype().to_ascii_lowercase();
            let st = ct.subtype().unwrap_or("").to_ascii_lowercase();
            t == "text" && st != "html" || st.contains("patch") || st.contains("diff")
        }
        None => false,
    }
}

/// public-inbox's `$mime_nesting_limit`.
const MAX_NESTING: usize = 20;

/// The file names of every part of `m` that declares one, recursing into
/// attached messages (public-inbox indexes `$part->filename` of each part
/// its `msg_iter` visits).
fn collect_names(m: &mail_parser::Message<'_>, depth: usize, out: &mut Vec<String>) {
    for part in &m.parts {
        if matches!(part.body, PartType::Multipart(_)) {
            continue;
        }
        if let Some(name) = part.attachment_name()
            && !name.is_empty()
        {
            out.push(name.to_owned());
        }
        if let PartType::Message(sub) = &part.body
            && depth < MAX_NESTING
        {
            collect_names(sub, depth + 1, out);
        }
    }
}

/// The time of the first `Received:` header with a readable one, the way
/// public-inbox's `msg_received_at` finds it: the first run of
/// `DAY MONTH YEAR HH:MM:SS ZONE` anywhere in the header.
fn received_at(m: &mail_parser::Message<'_>) -> Option<i64> {
    let headers = &m.parts.first()?.headers;
    headers
        .iter()
        .filter(|h| h.name == HeaderName::Received)
        .filter_map(|h| {
            m.raw_message
                .get(h.offset_start as usize..h.offset_end as usize)
        })
        .find_map(|raw| received_time(&String::from_utf8_lossy(raw)))
}

/// Reads `DAY MONTH YEAR HH:MM:SS ZONE` (e.g. `26 Nov 2026 12:00:01 +0100`)
/// from the first place in `v` where it occurs.
pub(crate) fn received_time(v: &str) -> Option<i64> {
    let toks: Vec<&str> = v.split_ascii_whitespace().collect();
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    toks.windows(5).find_map(|w| {
        // The day may follow other characters of its token (`Tue,26`).
        let day_digits = w[0].bytes().rev().take_while(u8::is_ascii_digit).count();
        let day: u32 = w[0][w[0].len() - day_digits..].parse().ok()?;
        if !w[1].bytes().all(|b| b.is_ascii_alphabetic()) || w[1].len() < 3 {
            return None;
        }
        let month = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ]
        .iter()
        .position(|m| w[1][..3].eq_ignore_ascii_case(m))? as u32
            + 1;
        if !digits(w[2]) || !(2..=4).contains(&w[2].len()) {
            return None;
        }
        let mut year: i64 = w[2].parse().ok()?;
        if w[2].len() == 2 {
            year += if year < 50 { 2000 } else { 1900 };
        }
        let hms: Vec<&str> = w[3]
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .collect();
        let [h, mi, sec] = hms.as_slice() else {
            return None;
        };
        let (h, mi, sec): (i64, i64, i64) = (h.parse().ok()?, mi.parse().ok()?, sec.parse().ok()?);
        let zone = w[4];
        let sign = match zone.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let zd: String = zone[1..].chars().take_while(char::is_ascii_digit).collect();
        if zd.is_empty() || day == 0 || day > 31 || h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        let z: i64 = zd.parse().ok()?;
        let offset = sign * ((z / 100) * 3600 + (z % 100) * 60);
        let utc = crate::date::unix(year, month, day, h as u32, mi as u32, sec as u32)?;
        Some(utc - offset)
    })
}

/// A [`TextPart`] being collected, with what its decoding reported.
struct Extra {
    /// Index in the top-level message's `parts` (`None` inside a forwarded
    /// message).
    part_id: Option<usize>,
    part: TextPart,
    diags: Vec<Diagnostic>,
}

/// Whether `b` (transfer-decoded bytes of an `application/octet-stream`
/// part) may be text: no control bytes but whitespace. The decoded text is
/// checked again for C1 controls.
fn may_be_text(b: &[u8]) -> bool {
    !b.iter()
        .any(|&c| (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)) || c == 0x7f)
}

/// The text parts of `m` other than those of `skip` (the body), in order,
/// as public-inbox's `msg_part_text` picks them; recurses into attached
/// messages.
fn collect_extra(
    m: &mail_parser::Message<'_>,
    skip: &[u32],
    top: bool,
    depth: usize,
    out: &mut Vec<Extra>,
) {
    for (id, part) in m.parts.iter().enumerate() {
        if skip.contains(&(id as u32)) {
            continue;
        }
        if let PartType::Message(sub) = &part.body {
            if depth < MAX_NESTING {
                collect_extra(sub, &[], false, depth + 1, out);
            }
            continue;
        }
        if matches!(part.body, PartType::Multipart(_)) {
            continue;
        }
        let ct = part.content_type();
        let (ctype, subtype) = match ct {
            Some(ct) => (
                ct.ctype().to_ascii_lowercase(),
                ct.subtype().unwrap_or("").to_ascii_lowercase(),
            ),
            None => ("text".to_owned(), "plain".to_owned()),
        };
        if ctype == "text" && (subtype == "html" || subtype == "xhtml") {
            continue;
        }
        let has_charset = ct.is_some_and(|ct| ct.attribute("charset").is_some());
        let octet_stream = ctype == "application" && subtype == "octet-stream";
        let wanted = ctype == "text"
            || has_charset
            || (top && ctype == "multipart" && subtype == "mixed")
            || octet_stream;
        if !wanted {
            continue;
        }
        if octet_stream
            && !has_charset
            && let PartType::Binary(b) | PartType::InlineBinary(b) = &part.body
            && !may_be_text(b)
        {
            continue;
        }
        let mut diags = Vec::new();
        let text = match &part.body {
            PartType::Text(_)
            | PartType::Html(_)
            | PartType::Binary(_)
            | PartType::InlineBinary(_) => decode_part_text(m, part, &mut diags),
            _ => None,
        };
        let Some(mut text) = text else { continue };
        if octet_stream
            && !has_charset
            && text.chars().any(|c| c.is_control() && !c.is_whitespace())
        {
            continue;
        }
        if text.contains('\r') {
            text = text.replace("\r\n", "\n");
        }
        out.push(Extra {
            part_id: top.then_some(id),
            part: TextPart {
                mime_type: format!("{ctype}/{subtype}"),
                filename: part.attachment_name().map(str::to_owned),
                text,
                is_patch: false,
            },
            diags,
        });
    }
}

/// Strips an mbox `From ` line and a header block from a format-patch
/// attachment, leaving its body (with `From:`/`Subject:` turned into in-body
/// pseudo-headers so the author is kept).
fn strip_attached_headers(text: &str) -> String {
    let t = text
        .strip_prefix("From ")
        .map(|_| text.split_once('\n').map_or("", |x| x.1))
        .unwrap_or(text);
    let looks_headers =
        t.starts_with("From: ") || t.starts_with("Subject: ") || t.starts_with("Date: ");
    if !looks_headers {
        return text.to_owned();
    }
    match t.split_once("\n\n") {
        Some((hdrs, body)) => {
            let mut out = String::new();
            for l in hdrs.lines() {
                if l.starts_with("From: ") || l.starts_with("Subject: ") {
                    out.push_str(l);
                    out.push('\n');
                }
            }
            out.push('\n');
            out.push_str(body);
            out
        }
        None => text.to_owned(),
    }
}

/// The value of the first line starting with `key` (ASCII), trimmed; `None`
/// when there is no such line or its value is empty. Same answer as
/// `body.lines().find_map(|l| l.strip_prefix(key))`, found with a vectorised
/// substring search instead of visiting every line.
fn body_field(body: &str, key: &str) -> Option<String> {
    let b = body.as_bytes();
    let finder = memchr::memmem::Finder::new(key.as_bytes());
    let mut from = 0;
    while let Some(i) = finder.find(&b[from..]) {
        let at = from + i;
        if at == 0 || b[at - 1] == b'\n' {
            let rest = &body[at + key.len()..];
            let line = rest.split('\n').next().unwrap_or("");
            return Some(line.trim().to_owned()).filter(|v| !v.is_empty());
        }
        from = at + 1;
    }
    None
}

/// Whether the body looks like `git request-pull` output.
fn is_pull_request(body: &str) -> bool {
    const LEAD: &[u8] = b"are available in the ";
    let b = body.as_bytes();
    let finder = memchr::memmem::Finder::new(LEAD);
    let mut from = 0;
    while let Some(i) = finder.find(&b[from..]) {
        let rest = &b[from + i + LEAD.len()..];
        if rest.starts_with(b"Git repository at:") || rest.starts_with(b"git repository at:") {
            return true;
        }
        from += i + 1;
    }
    false
}

/// The header parser: only the headers read through mail-parser's parsed
/// values are parsed (Subject, From, To, Cc, Date and the MIME headers that
/// drive body decoding); every other header (Received, DKIM-Signature,
/// ARC-*, X-*, List-*, Message-ID ...) is skipped and, where needed, read
/// raw from its byte offsets, which skipping keeps.
fn parser() -> &'static MessageParser {
    static PARSER: OnceLock<MessageParser> = OnceLock::new();
    PARSER.get_or_init(|| {
        MessageParser::new()
            .header_text(HeaderName::Subject)
            .header_address(HeaderName::From)
            .header_address(HeaderName::To)
            .header_address(HeaderName::Cc)
            .header_date(HeaderName::Date)
            .header_content_type(HeaderName::ContentType)
            .header_content_type(HeaderName::ContentDisposition)
            .header_text(HeaderName::ContentTransferEncoding)
            .default_header_ignore()
    })
}

/// Parses one raw RFC 5322 message. Never fails: problems become diagnostics.
pub fn parse(raw: &[u8]) -> ParsedMessage {
    let Some(m) = parser().parse(raw) else {
        let mut diags = Vec::new();
        diag(
            &mut diags,
            DiagnosticKind::NotAMessage,
            "no RFC 5322 header found",
        );
        return ParsedMessage {
            message: empty_message(),
            diagnostics: diags,
        };
    };
    let parsed = from_parsed(&m);
    teardown(m);
    parsed
}

/// Drops a parsed message without recursion. mail-parser builds attached
/// messages (`message/rfc822`) as a tree, without a depth limit, and its
/// drop glue recurses once per level: 50,000 nested levels (a 1.5 MB
/// mail) overflowed the stack, aborting the whole import. The tree is
/// taken apart level by level here instead.
fn teardown(m: mail_parser::Message<'_>) {
    let mut stack = vec![m];
    while let Some(mut m) = stack.pop() {
        for part in m.parts.drain(..) {
            if let PartType::Message(sub) = part.body {
                stack.push(sub);
            }
        }
    }
}

fn from_parsed(m: &mail_parser::Message<'_>) -> ParsedMessage {
    let mut diags = Vec::new();

    // Some mailers write a bare ID without brackets or even without `@`.
    let message_id = raw_header_str(m, HeaderName::MessageId).and_then(|v| {
        parse_id_list(&v)
            .into_iter()
            .next()
            .or_else(|| MessageId::new(v.trim()))
    });
    if message_id.is_none() {
        diag(
            &mut diags,
            DiagnosticKind::MissingMessageId,
            "no usable Message-ID header",
        );
    }
    let in_reply_to =
        raw_header_str(m, HeaderName::InReplyTo).and_then(|v| parse_id_list(&v).into_iter().next());
    let mut references = raw_header_str(m, HeaderName::References)
        .map(|v| parse_id_list(&v))
        .unwrap_or_default();
    if let Some(own) = &message_id {
        references.retain(|r| r != own);
    }

    // Subject: 8-bit raw headers are decoded by our charset layer, not lossily.
    let subject = match raw_header(m, HeaderName::Subject) {
        Some(bytes) if std::str::from_utf8(bytes).is_err() => {
            let (s, how) = charset::decode(bytes, None);
            diag(
                &mut diags,
                DiagnosticKind::CharsetFallback,
                format!("subject: {}", describe(&how)),
            );
            unfold(&s)
        }
        _ => unfold(m.subject().unwrap_or("")),
    };

    let mut from = addresses(m.from()).into_iter().next();
    if let (Some(f), Some(bytes)) = (from.as_mut(), raw_header(m, HeaderName::From))
        && std::str::from_utf8(bytes).is_err()
    {
        let (s, _) = charset::decode(bytes, None);
        if let Some(a) = Address::parse(&unfold(&s)) {
            f.name = a.name;
        }
    }
    if from.is_none() {
        diag(&mut diags, DiagnosticKind::MissingFrom, "no From header");
    }
    let to = addresses(m.to());
    let cc = addresses(m.cc());

    let date = match m.date() {
        Some(d) => {
            let zone_ok = d.tz_hour <= 14 && d.tz_minute < 60;
            let valid = d.is_valid();
            let offset =
                (d.tz_hour as i32 * 60 + d.tz_minute as i32) * if d.tz_before_gmt { -1 } else { 1 };
            let ts = if zone_ok {
                d.to_timestamp()
            } else {
                // Impossible zone: read the wall-clock time as UTC.
                let mut utc = *d;
                utc.tz_hour = 0;
                utc.tz_minute = 0;
                utc.to_timestamp()
            };
            // 1991-08-25 (Linux's announcement) .. 2100: anything else is a broken clock.
            let plausible = (683_078_400..4_102_444_800).contains(&ts);
            let suspect = !zone_ok || !valid || !plausible;
            if suspect {
                let raw = raw_header_str(m, HeaderName::Date).unwrap_or_default();
                diag(
                    &mut diags,
                    DiagnosticKind::ImpossibleDate,
                    format!("impossible date {:?}", raw.trim()),
                );
            }
            Some(MailDate {
                timestamp: ts,
                offset_minutes: if zone_ok { offset } else { 0 },
                suspect,
            })
        }
        None => {
            let raw = raw_header_str(m, HeaderName::Date);
            diag(
                &mut diags,
                DiagnosticKind::BadDate,
                match raw {
                    Some(r) => format!("unparseable date {:?}", r.trim()),
                    None => "no Date header".to_owned(),
                },
            );
            None
        }
    };

    let list_id = raw_header_str(m, HeaderName::ListId).map(|v| {
        let v = v.trim();
        match (v.rfind('<'), v.rfind('>')) {
            (Some(a), Some(b)) if a < b => v[a + 1..b].to_owned(),
            _ => v.to_owned(),
        }
    });

    // Body: inline text parts in order; HTML only when there is no text.
    let mut body = String::new();
    for &id in &m.text_body {
        let Some(part) = m.parts.get(id as usize) else {
            continue;
        };
        let text = match &part.body {
            PartType::Text(_) => decode_part_text(m, part, &mut diags),
            PartType::Html(_) => m
                .body_text(m.text_body.iter().position(|&x| x == id).unwrap_or(0))
                .map(|c| c.into_owned()),
            _ => None,
        };
        if let Some(t) = text {
            if !body.is_empty() && !body.ends_with('\n') {
                body.push('\n');
            }
            body.push_str(&t);
        }
    }
    if body.is_empty()
        && m.text_body.is_empty()
        && let Some(t) = m.body_text(0)
    {
        body = t.into_owned();
    }
    if body.contains('\r') {
        body = body.replace("\r\n", "\n");
    }

    let mut extra = Vec::new();
    collect_extra(m, &m.text_body, true, 0, &mut extra);

    let mut patch = patch::split(&body, false);
    if patch.is_none() {
        for &id in &m.attachments {
            let Some(part) = m.parts.get(id as usize) else {
                continue;
            };
            if !is_texty_attachment(part) {
                continue;
            }
            if !matches!(
                part.body,
                PartType::Text(_) | PartType::Binary(_) | PartType::InlineBinary(_)
            ) {
                continue;
            }
            // A text part already decoded above is not decoded twice.
            let seen = extra.iter_mut().find(|e| e.part_id == Some(id as usize));
            let text = match seen {
                Some(e) => {
                    diags.append(&mut e.diags);
                    Some(Cow::Borrowed(e.part.text.as_str()))
                }
                None => decode_part_text(m, part, &mut diags)
                    .map(|t| Cow::Owned(t.replace("\r\n", "\n"))),
            };
            if let Some(t) = text {
                let t = strip_attached_headers(&t);
                if let Some(mut p) = patch::split(&t, true) {
                    if p.commit_message.trim().is_empty() || p.trailers.is_empty() {
                        // Commit message is in the mail body when the attachment is a bare diff.
                        if p.commit_message.trim().is_empty() {
                            p.commit_message = body.trim_end().to_owned();
                            p.trailers = crate::trailer::parse_commit_trailers(&p.commit_message);
                        }
                    }
                    patch = Some(p);
                    if let Some(e) = extra.iter_mut().find(|e| e.part_id == Some(id as usize)) {
                        e.part.is_patch = true;
                    }
                    break;
                }
            }
        }
    }
    let extra_text = extra
        .into_iter()
        .map(|mut e| {
            for mut d in e.diags.drain(..) {
                d.detail = format!("{} part: {}", e.part.mime_type, d.detail);
                diags.push(d);
            }
            e.part
        })
        .collect();

    let received = received_at(m);
    let mut attachment_names = Vec::new();
    collect_names(m, 0, &mut attachment_names);

    let tags = subject::parse(&subject);
    let change_id = body_field(&body, "change-id: ");
    let base_commit = body_field(&body, "base-commit: ");
    let is_pull_request = is_pull_request(&body);

    let message = Message {
        message_id,
        in_reply_to,
        references,
        subject,
        tags,
        from,
        to,
        cc,
        date,
        received,
        attachment_names,
        list_id,
        body,
        extra_text,
        patch,
        change_id,
        base_commit,
        is_pull_request,
    };
    ParsedMessage {
        message,
        diagnostics: diags,
    }
}

fn empty_message() -> Message {
    Message {
        message_id: None,
        in_reply_to: None,
        references: Vec::new(),
        subject: String::new(),
        tags: subject::parse(""),
        from: None,
        to: Vec::new(),
        cc: Vec::new(),
        date: None,
        received: None,
        attachment_names: Vec::new(),
        list_id: None,
        body: String::new(),
        extra_text: Vec::new(),
        patch: None,
        change_id: None,
        base_commit: None,
        is_pull_request: false,
    }
}

/// Identity of a message's content, for deduplication (as public-inbox
/// does with Message-ID plus a content hash): the same message received
/// through two lists hashes the same (list headers, `Received:` and DKIM
/// are left out), a different message reusing a Message-ID does not.
pub fn content_hash(m: &Message) -> [u8; 20] {
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    let mut field = |name: &[u8], v: &[u8]| {
        h.update(name);
        h.update((v.len() as u64).to_le_bytes());
        h.update(v);
    };
    field(
        b"mid",
        m.message_id
            .as_ref()
            .map(|i| i.as_str())
            .unwrap_or("")
            .as_bytes(),
    );
    field(
        b"from",
        m.from
            .as_ref()
            .map(|a| a.email.to_ascii_lowercase())
            .unwrap_or_default()
            .as_bytes(),
    );
    field(b"subject", m.subject.as_bytes());
    field(
        b"date",
        &m.date
            .map(|d| d.timestamp)
            .unwrap_or(i64::MIN)
            .to_le_bytes(),
    );
    // Mailing-list software may append a footer: hash the body without
    // trailing blank lines, and without a vger-style footer.
    let body = m.body.trim_end();
    field(b"body", body.as_bytes());
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_field_by_lines(body: &str, key: &str) -> Option<String> {
        body.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    #[test]
    fn received_time_reads_the_first_date_in_the_header() {
        // 2021-01-15 10:20:30 UTC = 1610706030.
        let cases = [
            (
                "from a by b; Fri, 15 Jan 2021 11:20:30 +0100",
                Some(1_610_706_030),
            ),
            (
                "by b with ESMTP id x;\r\n\tFri, 15 Jan 2021 05:20:30 -0500 (EST)",
                Some(1_610_706_030),
            ),
            ("by b; Fri,15 jan 21 10:20:30 +0000", Some(1_610_706_030)),
            // No seconds, no zone, a bad month: no time (public-inbox's
            // pattern needs all of them).
            ("by b; Fri, 15 Jan 2021 10:20 +0000", None),
            ("by b; Fri, 15 Jan 2021 10:20:30", None),
            ("by b; Fri, 15 Foo 2021 10:20:30 +0000", None),
            ("by b (Postfix) id 3F1", None),
        ];
        for (v, want) in cases {
            assert_eq!(received_time(v), want, "{v:?}");
        }
        assert_eq!(crate::date::unix(1970, 1, 1, 0, 0, 0), Some(0));
        assert_eq!(
            crate::date::unix(2000, 3, 1, 0, 0, 0),
            Some(11_017 * 86_400)
        );
    }

    #[test]
    fn received_and_attachment_names_come_from_the_headers_and_parts() {
        let raw = b"Received: by relay (Postfix) id 1\r\n\
Received: from x by relay; Fri, 15 Jan 2021 10:20:30 +0000\r\n\
Received: from y by z; Thu, 14 Jan 2021 00:00:00 +0000\r\n\
Message-ID: <a@b>\r\nFrom: A <a@b>\r\nSubject: s\r\n\
Date: Thu, 14 Jan 2021 00:00:00 +0000\r\n\
Content-Type: multipart/mixed; boundary=XX\r\n\r\n\
--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
--XX\r\nContent-Type: application/gzip; name=\"config.gz\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nH4sI\r\n\
--XX\r\nContent-Type: text/x-csrc\r\n\
Content-Disposition: attachment; filename=repro.c\r\n\r\nint main;\r\n\
--XX--\r\n";
        let m = parse(raw).message;
        assert_eq!(m.received, Some(1_610_706_030));
        assert_eq!(m.attachment_names, ["config.gz", "repro.c"]);
        let plain = parse(b"From: a@b\r\nSubject: s\r\n\r\nbody\r\n").message;
        assert_eq!(plain.received, None);
        assert!(plain.attachment_names.is_empty());
    }

    #[test]
    fn body_field_is_the_first_line_with_the_key() {
        for body in [
            "",
            "change-id: ",
            "change-id: 20240101-x-1\n",
            "a\nchange-id:  v \r\nchange-id: w\n",
            "xchange-id: no\nchange-id: yes",
            "change-id: \nchange-id: later\n",
            "change-id:\r\nchange-id: z",
            "  change-id: indented\n",
            "é\nchange-id: ü\n",
        ] {
            assert_eq!(
                body_field(body, "change-id: "),
                body_field_by_lines(body, "change-id: "),
                "{body:?}"
            );
        }
    }

    #[test]
    fn pull_request_phrase() {
        for (body, want) in [
            ("are available in the Git repository at:\n", true),
            ("x are available in the git repository at:", true),
            (
                "are available in the are available in the git repository at:",
                true,
            ),
            ("are available in the GIT repository at:", false),
            ("are available in the git repository", false),
        ] {
            assert_eq!(is_pull_request(body), want, "{body:?}");
        }
    }
}
