//! Schema and migrations (`PRAGMA user_version`).

/// Ordered migrations; index + 1 is the schema version they lead to.
/// Never edit a released migration: append a new one.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: messages, raw blobs, sources, derived tables.
    r#"
CREATE TABLE blobs (
    id        INTEGER PRIMARY KEY,
    size      INTEGER NOT NULL,          -- uncompressed size
    data      BLOB NOT NULL              -- lz4 block, size-prepended
);
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    message_id    TEXT NOT NULL,
    content_hash  BLOB NOT NULL,        -- sha1 over identity headers + decoded body
    blob_id       INTEGER NOT NULL REFERENCES blobs(id),
    synthetic_id  INTEGER NOT NULL DEFAULT 0, -- Message-ID made up (none in the mail)
    subject       TEXT NOT NULL,
    title         TEXT NOT NULL,        -- bare title from the subject tags
    norm_title    TEXT NOT NULL,
    from_name     TEXT,
    from_email    TEXT,
    date          INTEGER,              -- unix seconds UTC
    date_suspect  INTEGER NOT NULL DEFAULT 0,
    in_reply_to   TEXT,
    list_id       TEXT,
    is_reply      INTEGER NOT NULL,
    is_patch      INTEGER NOT NULL,     -- carries a diff
    tag_patch     INTEGER NOT NULL,     -- [PATCH] in subject
    is_rfc        INTEGER NOT NULL,
    is_resend     INTEGER NOT NULL,
    is_pull       INTEGER NOT NULL,
    revision      INTEGER,
    counter       INTEGER,
    total         INTEGER,
    tags_json     TEXT NOT NULL,        -- full SubjectTags
    patch_id      TEXT,
    change_id     TEXT,
    base_commit   TEXT,
    author_name   TEXT,                 -- in-body From: (git am's author)
    author_email  TEXT,
    n_files       INTEGER NOT NULL DEFAULT 0,
    added         INTEGER NOT NULL DEFAULT 0,
    removed       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (message_id, content_hash)
);
CREATE INDEX messages_mid ON messages(message_id);
CREATE INDEX messages_date ON messages(date);
CREATE INDEX messages_irt ON messages(in_reply_to);
CREATE INDEX messages_patch_id ON messages(patch_id) WHERE patch_id IS NOT NULL;
CREATE INDEX messages_norm_title ON messages(norm_title);
CREATE TABLE refs (
    message   INTEGER NOT NULL REFERENCES messages(id),
    pos       INTEGER NOT NULL,
    ref_id    TEXT NOT NULL,
    PRIMARY KEY (message, pos)
) WITHOUT ROWID;
CREATE INDEX refs_ref ON refs(ref_id);
CREATE TABLE addresses (
    message   INTEGER NOT NULL REFERENCES messages(id),
    field     TEXT NOT NULL,            -- 'to' | 'cc'
    name      TEXT,
    email     TEXT NOT NULL
);
CREATE INDEX addresses_msg ON addresses(message);
CREATE TABLE files (
    message   INTEGER NOT NULL REFERENCES messages(id),
    old_path  TEXT,
    new_path  TEXT,
    change    TEXT NOT NULL,
    added     INTEGER NOT NULL,
    removed   INTEGER NOT NULL,
    functions TEXT NOT NULL             -- hunk header contexts, newline-separated
);
CREATE INDEX files_msg ON files(message);
CREATE INDEX files_path ON files(new_path);
CREATE TABLE trailers (
    message   INTEGER NOT NULL REFERENCES messages(id),
    pos       INTEGER NOT NULL,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    in_patch  INTEGER NOT NULL          -- 1: in the commit message; 0: given in a reply
);
CREATE INDEX trailers_msg ON trailers(message);
CREATE TABLE sources (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    path      TEXT NOT NULL UNIQUE,     -- canonical path (or '-' for stdin)
    cursor    TEXT,                     -- reader's resume point, committed with each batch
    imported  INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    skipped   INTEGER NOT NULL DEFAULT 0,
    deleted   INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER
);
CREATE TABLE message_sources (
    message   INTEGER NOT NULL REFERENCES messages(id),
    source    INTEGER NOT NULL REFERENCES sources(id),
    location  TEXT NOT NULL,
    PRIMARY KEY (message, source)
) WITHOUT ROWID;
CREATE TABLE skipped (
    source    INTEGER NOT NULL REFERENCES sources(id),
    location  TEXT NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (source, location)
) WITHOUT ROWID;
CREATE TABLE diagnostics (
    message   INTEGER NOT NULL REFERENCES messages(id),
    kind      TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX diagnostics_msg ON diagnostics(message);
CREATE TABLE deletions (
    source    INTEGER NOT NULL REFERENCES sources(id),
    location  TEXT NOT NULL,
    message_id TEXT,
    PRIMARY KEY (source, location)
) WITHOUT ROWID;
"#,
    // 2: the user's corrections of revision chains, kept across re-imports.
    r#"
CREATE TABLE revision_overrides (
    older     TEXT NOT NULL,            -- key Message-ID of the older revision
    newer     TEXT NOT NULL,            -- key Message-ID of the newer revision
    kind      TEXT NOT NULL,            -- 'link' | 'unlink'
    created_at INTEGER NOT NULL,
    PRIMARY KEY (older, newer)
) WITHOUT ROWID;
"#,
    // 3: small key/value state (search index watermark ...).
    r#"
CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"#,
    // 4: what threading and series assembly concluded, per message, saved so
    // that a search need not redo them (derived data, rebuilt when stale).
    r#"
CREATE TABLE link_cache (
    message INTEGER PRIMARY KEY,   -- messages.id
    thread  TEXT NOT NULL,         -- Message-ID of the thread root
    series  TEXT                   -- short id of the series revision, if any
);
CREATE TABLE series_cache (
    id      TEXT PRIMARY KEY,      -- short id
    summary TEXT NOT NULL          -- JSON, written and read by lpl-core
) WITHOUT ROWID;
"#,
    // 5: raw messages appended to `messages.pack` (see pack.rs) instead of
    // `blobs.data` (left empty for them; older rows keep theirs).
    r#"
ALTER TABLE blobs ADD COLUMN pack_offset INTEGER;
ALTER TABLE blobs ADD COLUMN pack_len INTEGER;
"#,
    // 6: what no query reads, dropped: every row written cost B-tree work in
    // each import (the random-key indexes dirtied pages all over the file)
    // for nothing. Message-ID lookups use the UNIQUE (message_id,
    // content_hash) index; the library reads the other tables whole, in row
    // order; To/Cc are searched through the search index and shown from
    // the raw message.
    r#"
DROP INDEX messages_mid;
DROP INDEX messages_date;
DROP INDEX messages_irt;
DROP INDEX messages_patch_id;
DROP INDEX messages_norm_title;
DROP INDEX refs_ref;
DROP INDEX files_path;
DROP INDEX files_msg;
DROP TABLE addresses;
"#,
    // 7: the user's review notes on patches (`lpl review note`), kept across
    // re-imports and carried to later revisions when they are shown (the
    // carrying is computed, not stored). Keyed by Message-ID, as the
    // revision overrides are, so a rebuilt archive keeps them.
    r#"
CREATE TABLE review_notes (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX review_notes_message ON review_notes(message_id);
"#,
    // 8: the understanding of the archive (threads, series, chains,
    // trailers, summaries), saved by lpl-core after each import so that a
    // query reads the rows it needs instead of re-analysing everything.
    // Derived data, stamped (`understanding.stamp` in `state`): a stale one
    // is ignored and rebuilt. A *unit* is a closed neighbourhood of the
    // analysis (whole reference graphs, whole series, whole chains and the
    // backports beside them); its id is its smallest message row.
    // `files(message)` is appended in row order (cheap at import) and lets a
    // unit's metadata be read without scanning the table.
    r#"
CREATE TABLE an_units (
    id      INTEGER PRIMARY KEY,        -- smallest message row in it
    data    TEXT NOT NULL               -- JSON: its revisions' keys and chains (lpl-core)
);
CREATE TABLE an_members (
    message INTEGER PRIMARY KEY,        -- messages.id
    unit    INTEGER NOT NULL
);
CREATE INDEX an_members_unit ON an_members(unit, message);
CREATE TABLE an_phantoms (
    message_id TEXT PRIMARY KEY,        -- referenced, never received
    unit       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE an_revisions (
    key_row    INTEGER PRIMARY KEY,     -- messages.id of the cover, else first patch
    unit       INTEGER NOT NULL,
    short      TEXT NOT NULL,           -- the series id `lpl series` prints
    date       INTEGER NOT NULL,
    revision   INTEGER NOT NULL,
    latest     INTEGER NOT NULL,        -- latest posting of its chain
    series     INTEGER NOT NULL,        -- kind is a series (not a single patch, pull)
    norm_title TEXT NOT NULL,
    title_lc   TEXT NOT NULL,           -- normalised title, lowercase (Unicode)
    name_lc    TEXT NOT NULL,
    email_lc   TEXT NOT NULL,
    list       TEXT,
    summary    TEXT NOT NULL            -- JSON, written and read by lpl-core
);
CREATE INDEX an_revisions_short ON an_revisions(short);
CREATE INDEX an_revisions_title ON an_revisions(norm_title);
CREATE INDEX an_revisions_date ON an_revisions(date DESC, revision DESC, key_row);
CREATE INDEX files_msg ON files(message);
"#,
    // 9: each patch's hunks, for telling which functions a series changes
    // (`lpl code history`): lines changed on each side, where added lines
    // go in the old file, the header's text and the outline (column-0
    // lines) the hunk shows. Patches stored before this migration are
    // filled in from their raw messages on demand (`hunks_backfill`: the
    // rows below that id).
    r#"
CREATE TABLE hunks (
    message      INTEGER NOT NULL,      -- messages.id
    file         INTEGER NOT NULL,      -- position of the file in the diff
    hunk         INTEGER NOT NULL,      -- position of the hunk in the file
    old_path     TEXT,
    new_path     TEXT,
    old_start    INTEGER NOT NULL,
    old_len      INTEGER NOT NULL,
    new_start    INTEGER NOT NULL,
    new_len      INTEGER NOT NULL,
    header       TEXT NOT NULL,         -- after the second @@ (the function, usually)
    old_changed  TEXT NOT NULL,         -- removed lines, old numbers: `3-5,9`
    new_changed  TEXT NOT NULL,         -- added lines, new numbers
    old_inserted TEXT NOT NULL,         -- where added runs go, old numbers
    outline      TEXT NOT NULL,         -- `K OLD NEW TEXT` per line (K: ' ', '-', '+')
    PRIMARY KEY (message, file, hunk)
) WITHOUT ROWID;
INSERT INTO state(key, value)
    SELECT 'hunks_backfill', '0 ' || (max(id) + 1) FROM messages HAVING count(*) > 0;
"#,
    // 10: the earlier versions a cover letter (or a lone patch) links to
    // in its changelog (`v1: https://lore.kernel.org/...`), chain evidence
    // for lpl-series. Messages stored before this migration are read again
    // once (`version_links_backfill`: the rows below that id), when the
    // store is next opened for writing.
    r#"
CREATE TABLE version_links (
    message   INTEGER NOT NULL,         -- messages.id
    pos       INTEGER NOT NULL,
    ref_id    TEXT NOT NULL,            -- Message-ID of an earlier version
    PRIMARY KEY (message, pos)
) WITHOUT ROWID;
INSERT INTO state(key, value)
    SELECT 'version_links_backfill', '0 ' || (max(id) + 1) FROM messages HAVING count(*) > 0;
"#,
    // 11: each saved unit of the understanding has a row (before, only
    // units with series did) with a hash of everything saved for it, so
    // that an import replaces only the units whose content changed. The
    // understanding stamp's form changes with it (lpl-core), so the rows
    // of schema 8 are replaced whole once. Removing a unit's rows looks
    // its phantoms and revisions up by unit.
    r#"
ALTER TABLE an_units ADD COLUMN hash INTEGER NOT NULL DEFAULT 0;
CREATE INDEX an_phantoms_unit ON an_phantoms(unit);
CREATE INDEX an_revisions_unit ON an_revisions(unit);
"#,
    // 12: `lpl series` without a scan of every revision row. Its default
    // (latest postings of series, newest first) is a range of
    // `an_revisions_pick`; the title words of any query are checked in the
    // index (it carries `title_lc`), so only the rows that match are read
    // for their summary. On 1M synthetic messages (177,058 revisions, 5,652
    // latest), `lpl series WORD`'s query went from 530 ms to 1 ms, and
    // with `--all` from 430 ms to 190 ms.
    r#"
CREATE INDEX an_revisions_pick ON an_revisions(latest, series, date DESC, revision DESC, key_row, title_lc);
DROP INDEX an_revisions_date;
CREATE INDEX an_revisions_date ON an_revisions(date DESC, revision DESC, key_row, title_lc);
"#,
];
