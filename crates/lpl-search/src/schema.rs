//! The tantivy schema: one field per public-inbox term prefix.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::query::Prefix;
use crate::tokenize::XAPIAN_TOKENIZER;

/// Field handles, named after public-inbox's Xapian prefixes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub key: Field,
    pub kind: Field,
    pub anchor: Field,
    /// `Q`: exact Message-ID.
    pub mid: Field,
    /// `G`: exact List-Id.
    pub lid: Field,
    /// `XM`: Message-ID words.
    pub xm: Field,
    /// `S`: subject.
    pub subject: Field,
    /// `A`: From.
    pub from: Field,
    /// `XTO`.
    pub to: Field,
    /// `XCC`.
    pub cc: Field,
    /// `XL`: List-Id words.
    pub list: Field,
    /// `XQUOT`.
    pub quoted: Field,
    /// `XNQ`.
    pub unquoted: Field,
    /// `XFN`: attachment file names.
    pub filename: Field,
    /// `XDFN`.
    pub dfn: Field,
    /// `XDFA`.
    pub dfa: Field,
    /// `XDFB`.
    pub dfb: Field,
    /// `XDFHH`.
    pub dfhh: Field,
    /// `XDFCTX`.
    pub dfctx: Field,
    /// `XDFPRE`: every prefix of 7+ digits of each pre-image blob id.
    pub dfpre: Field,
    /// `XDFPOST`.
    pub dfpost: Field,
    /// `XDFID`.
    pub patchid: Field,
    /// `YYYYMMDD` of the Date header (UTC).
    pub day: Field,
    /// `YYYYMMDDHHMMSS` of the Date header (UTC).
    pub second: Field,
    /// Unix time, for sorting.
    pub ts: Field,
    /// Received time, unix seconds (public-inbox's `TS` value, `rt:`).
    pub received: Field,
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(XAPIAN_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        anchor: b.add_text_field("anchor", STORED),
        mid: b.add_text_field("mid", STRING),
        lid: b.add_text_field("lid", STRING),
        xm: b.add_text_field("xm", text.clone()),
        subject: b.add_text_field("s", text.clone()),
        from: b.add_text_field("a", text.clone()),
        to: b.add_text_field("xto", text.clone()),
        cc: b.add_text_field("xcc", text.clone()),
        list: b.add_text_field("xl", text.clone()),
        quoted: b.add_text_field("xquot", text.clone()),
        unquoted: b.add_text_field("xnq", text.clone()),
        filename: b.add_text_field("xfn", text.clone()),
        dfn: b.add_text_field("xdfn", text.clone()),
        dfa: b.add_text_field("xdfa", text.clone()),
        dfb: b.add_text_field("xdfb", text.clone()),
        dfhh: b.add_text_field("xdfhh", text.clone()),
        dfctx: b.add_text_field("xdfctx", text),
        dfpre: b.add_text_field("xdfpre", STRING),
        dfpost: b.add_text_field("xdfpost", STRING),
        patchid: b.add_text_field("xdfid", STRING),
        day: b.add_u64_field("day", INDEXED | FAST),
        second: b.add_u64_field("second", INDEXED | FAST),
        ts: b.add_i64_field("ts", FAST | STORED),
        received: b.add_i64_field("rt", INDEXED),
    };
    (b.build(), fields)
}

impl Fields {
    /// Text fields searched for a probabilistic prefix (public-inbox
    /// `%prob_prefix`), and whether the raw blob/patch-id terms are included
    /// (the non-quoted body set lists `XDFPRE XDFPOST XDFID`).
    pub(crate) fn text_fields(&self, p: Prefix) -> (Vec<Field>, bool) {
        let nq = [
            self.unquoted,
            self.dfn,
            self.dfa,
            self.dfb,
            self.dfhh,
            self.dfctx,
        ];
        match p {
            Prefix::Default => {
                let mut v = vec![self.xm, self.subject, self.from, self.quoted, self.filename];
                v.extend(nq);
                (v, true)
            }
            Prefix::Subject => (vec![self.subject], false),
            Prefix::From => (vec![self.from], false),
            Prefix::To => (vec![self.to], false),
            Prefix::Cc => (vec![self.cc], false),
            Prefix::ToCc => (vec![self.to, self.cc], false),
            Prefix::ToCcFrom | Prefix::Address => (vec![self.to, self.cc, self.from], false),
            Prefix::ListId => (vec![self.list], false),
            Prefix::MessageId => (vec![self.xm], false),
            Prefix::Body => {
                let mut v = nq.to_vec();
                v.push(self.quoted);
                (v, true)
            }
            Prefix::BodySubject => {
                let mut v = nq.to_vec();
                v.push(self.quoted);
                v.push(self.subject);
                (v, true)
            }
            Prefix::Quoted => (vec![self.quoted], false),
            Prefix::FileName => (vec![self.filename], false),
            Prefix::NonQuoted => (nq.to_vec(), true),
            Prefix::DiffFile => (vec![self.dfn], false),
            Prefix::DiffRemoved => (vec![self.dfa], false),
            Prefix::DiffAdded => (vec![self.dfb], false),
            Prefix::DiffContext => (vec![self.dfctx], false),
            Prefix::DiffHunkHeader => (vec![self.dfhh], false),
            Prefix::ListIdExact
            | Prefix::MessageIdExact
            | Prefix::DiffPreBlob
            | Prefix::DiffPostBlob
            | Prefix::DiffBlob
            | Prefix::PatchId
            | Prefix::Kind => (Vec::new(), false),
        }
    }

    /// Raw fields of a boolean prefix.
    pub(crate) fn exact_fields(&self, p: Prefix) -> Vec<Field> {
        match p {
            Prefix::ListIdExact => vec![self.lid],
            Prefix::MessageIdExact => vec![self.mid],
            Prefix::DiffPreBlob => vec![self.dfpre],
            Prefix::DiffPostBlob => vec![self.dfpost],
            Prefix::DiffBlob => vec![self.dfpre, self.dfpost],
            Prefix::PatchId => vec![self.patchid],
            Prefix::Kind => vec![self.kind],
            _ => Vec::new(),
        }
    }
}
