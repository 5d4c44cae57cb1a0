//! A lore look-alike on 127.0.0.1 and the small real epoch it serves.

mod fixture;
mod server;

pub use fixture::{Msg, all_messages, bundle, clone_epoch, commits, git, gzip, mboxrd, messages};
pub use server::{Seen, Server, State, pct_decode};

/// The cover letter of "[PATCH 0/3] io_uring: submission path cleanup" and its thread.
pub fn cleanup_thread() -> (&'static Msg, Vec<&'static Msg>) {
    let all = fixture::all_messages();
    let cover = all
        .iter()
        .find(|m| {
            m.subject
                .starts_with("[PATCH 0/3] io_uring: submission path cleanup")
        })
        .expect("cover in fixture");
    let t: Vec<&Msg> = all
        .iter()
        .filter(|m| m.root == cover.message_id || m.message_id == cover.message_id)
        .collect();
    (cover, t)
}
