//! The user's review notes on patches (`review_notes`, schema 7).

use rusqlite::params;
use serde::Serialize;

use crate::{Result, Store};

/// A note the user wrote on a patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewNote {
    /// Row id (what `lpl review rm` takes).
    pub id: i64,
    /// The patch's Message-ID.
    pub message_id: String,
    /// The note.
    pub text: String,
    /// When it was written (unix seconds).
    pub created_at: i64,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReviewNote> {
    Ok(ReviewNote {
        id: r.get(0)?,
        message_id: r.get(1)?,
        text: r.get(2)?,
        created_at: r.get(3)?,
    })
}

impl Store {
    /// Adds a note on the patch `message_id`; returns its id.
    pub fn add_review_note(
        &mut self,
        message_id: &str,
        text: &str,
        created_at: i64,
    ) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO review_notes(message_id, text, created_at) VALUES (?1, ?2, ?3)",
                params![message_id, text, created_at],
            )
            .map_err(self.err())?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Removes note `id`; whether there was one.
    pub fn remove_review_note(&mut self, id: i64) -> Result<bool> {
        let n = self
            .conn
            .execute("DELETE FROM review_notes WHERE id = ?1", params![id])
            .map_err(self.err())?;
        Ok(n > 0)
    }

    /// Every note, oldest first.
    pub fn review_notes(&self) -> Result<Vec<ReviewNote>> {
        let mut st = self
            .conn
            .prepare("SELECT id, message_id, text, created_at FROM review_notes ORDER BY id")
            .map_err(self.err())?;
        let rows = st.query_map([], row).map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// The notes on one patch, oldest first.
    pub fn review_notes_on(&self, message_id: &str) -> Result<Vec<ReviewNote>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, message_id, text, created_at FROM review_notes WHERE message_id = ?1 ORDER BY id",
            )
            .map_err(self.err())?;
        let rows = st.query_map(params![message_id], row).map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }
}
