//! Parse one message file and print what was understood (debugging aid).
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse FILE");
        std::process::exit(2);
    };
    let mut raw = std::fs::read(&path).expect("readable file");
    if raw.starts_with(b"From ") {
        let nl = raw
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |n| n + 1);
        raw.drain(..nl);
    }
    println!("{:#?}", lpl_mail::parse(&raw));
}
