//! Integration tests of lpl-search on real mail.

#[path = "../common/pi.rs"]
mod pi;

mod cjk;
mod damage;
mod differential;
mod index;
mod model;
