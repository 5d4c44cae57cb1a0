//! `lpl serve`: the local web UI.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::app::App;
use crate::config;
use crate::error::{CmdResult, CommandError};

/// Serve a local web UI: roadmap, series, patches, threads, search
///
/// Your roadmap (the notebook) with a timeline per topic, each entry beside
/// its series, and forms to add notes and questions, answer them and change
/// an entry's status (written to the notebook file only, keeping
/// FILE.bak). Series pages show the cover, patches, trailers, revisions,
/// upstream status and the range-diff to the previous revision; messages
/// and threads live at lore's URLs, so a lore link with the host replaced
/// works: /MSGID/, /MSGID/raw, /MSGID/t.mbox.gz, /MSGID/T/, also
/// /LIST/MSGID/.
///
/// It listens on 127.0.0.1 only, unless --bind says otherwise (with a
/// warning: anyone who can reach the address can read the archive and
/// edit the notebook). Stop it with Ctrl-C.
///
/// Examples:
///   lpl serve                       # the notebook of `lpl notebook use`
///   lpl serve ~/notes/roadmap.md --port 8080
///   xdg-open http://127.0.0.1:8080/linux-mm/20240226205534.1603748-1-zi.yan@sent.com/
#[derive(clap::Args)]
pub struct Args {
    /// The notebook (default: the one `lpl notebook use` remembered)
    notebook: Option<PathBuf>,
    /// The port (0: any free port)
    #[arg(long, short, default_value_t = 8080)]
    port: u16,
    /// The address to listen on (default 127.0.0.1; anything else is
    /// reachable from other machines)
    #[arg(long, value_name = "ADDR")]
    bind: Option<IpAddr>,
    /// Worker threads reading the archive
    #[arg(long, default_value_t = 2)]
    workers: usize,
}

pub fn run(app: &App, a: Args) -> CmdResult {
    let notebook = a
        .notebook
        .or_else(|| config::get("notebook", "file").map(PathBuf::from));
    let ip = a.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let addr = SocketAddr::new(ip, a.port);
    if !lpl_web::is_loopback(&addr) {
        eprintln!(
            "warning: listening on {addr}: anyone who can reach it can read the archive and \
             edit the notebook (there is no login); use the default 127.0.0.1 unless you mean it"
        );
    }
    // Opening fails early (no archive: a hint) before the port is taken.
    drop(app.workspace()?);
    let server = lpl_web::Server::bind(lpl_web::Config {
        home: app.home.clone(),
        notebook: notebook.clone(),
        addr,
        workers: a.workers.max(1),
    })
    .map_err(|e| match e {
        lpl_web::WebError::Core(e) => CommandError::from(e),
        e => CommandError::user(e.to_string())
            .hint("pick another port with --port N (0: any free one)"),
    })?;
    let url = format!("http://{}/", server.local_addr());
    match &notebook {
        Some(n) => eprintln!(
            "serving {} and {} at {url} (Ctrl-C stops)",
            app.home.display(),
            n.display()
        ),
        None => eprintln!(
            "serving {} at {url} (no notebook: lpl serve ROADMAP.md shows and edits yours; Ctrl-C stops)",
            app.home.display()
        ),
    }
    server
        .run_until_ctrl_c()
        .map_err(|e| CommandError::internal(e.to_string()))?;
    Ok(0)
}
