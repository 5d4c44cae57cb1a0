//! Definitions of mm/*.c and include/linux/*.h against universal-ctags.
//!
//! ctags runs as the kernel's own `scripts/tags.sh` runs it (its `-I` list
//! of annotation macros), plus the annotation list this crate masks (so
//! both tools know the same macros and the score measures parsing), with
//! prototypes off and `.h` as C. ctags reads only the first branch of an
//! `#if`/`#else`; we index every branch (issue 17: "#ifdef variants: all
//! listed"), so ctags reads a copy of the files with the conditional
//! directives blanked (line numbers kept, `#if 0` blocks left to it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::kernel::tree;

/// `-I` lists of linux-6.12/scripts/tags.sh (`exuberant()`).
const TAGS_SH: &[&str] = &[
    "__initdata,__exitdata,__initconst,__ro_after_init",
    "__initdata_memblock",
    "__refdata,__attribute,__maybe_unused,__always_unused",
    "__acquires,__releases,__deprecated,__always_inline",
    "__read_mostly,__aligned,____cacheline_aligned",
    "____cacheline_aligned_in_smp",
    "__cacheline_aligned,__cacheline_aligned_in_smp",
    "____cacheline_internodealigned_in_smp",
    "__used,__packed,__packed2__,__must_check,__must_hold",
    "EXPORT_SYMBOL,EXPORT_SYMBOL_GPL,ACPI_EXPORT_SYMBOL",
    "DEFINE_TRACE,EXPORT_TRACEPOINT_SYMBOL,EXPORT_TRACEPOINT_SYMBOL_GPL",
    "static,const",
];

type Tag = (String, String, u32, String);

/// The files compared, relative to the tree.
fn files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (dir, ext) in [("mm", ".c"), ("include/linux", ".h")] {
        for e in std::fs::read_dir(root.join(dir)).expect("read dir") {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            if name.ends_with(ext) {
                out.push(format!("{dir}/{name}"));
            }
        }
    }
    out.sort();
    out
}

/// The file with its conditional directives blanked (not those of `#if 0`).
fn blank_conditionals(src: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(src.len());
    let mut stack: Vec<bool> = Vec::new();
    let mut continued = false;
    for line in src.split_inclusive(|&c| c == b'\n') {
        let nl = if line.ends_with(b"\n") {
            &b"\n"[..]
        } else {
            &b""[..]
        };
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        if continued {
            continued = body.ends_with(b"\\");
            out.extend_from_slice(nl);
            continue;
        }
        let t = body.trim_ascii_start();
        let directive = t.strip_prefix(b"#").map(|r| {
            let r = r.trim_ascii_start();
            let end = r
                .iter()
                .position(|c| !c.is_ascii_alphabetic())
                .unwrap_or(r.len());
            (&r[..end], r[end..].trim_ascii())
        });
        let blank = match directive {
            Some((b"if" | b"ifdef" | b"ifndef", rest)) => {
                let zero = directive.is_some_and(|(d, _)| d == b"if")
                    && (rest == b"0" || rest.starts_with(b"0 "));
                stack.push(zero);
                !zero
            }
            Some((b"elif" | b"else", _)) => !stack.last().copied().unwrap_or(false),
            Some((b"endif", _)) => !stack.pop().unwrap_or(false),
            _ => false,
        };
        if blank {
            continued = body.ends_with(b"\\");
            out.extend_from_slice(nl);
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

fn ctags(root: &Path, files: &[String]) -> BTreeSet<Tag> {
    let copy = tempfile::tempdir().expect("temp dir");
    for f in files {
        let dst = copy.path().join(f);
        std::fs::create_dir_all(dst.parent().expect("parent")).expect("mkdir");
        let src = std::fs::read(root.join(f)).expect("read");
        std::fs::write(&dst, blank_conditionals(&src)).expect("write");
    }
    let (words, calls) = lpl_code::annotations();
    let mut cmd = std::process::Command::new("ctags");
    for l in TAGS_SH {
        cmd.arg("-I").arg(l);
    }
    cmd.arg("-I").arg(words.join(","));
    cmd.arg("-I").arg(
        calls
            .iter()
            .map(|c| format!("{c}+"))
            .collect::<Vec<_>>()
            .join(","),
    );
    let out = cmd
        .args([
            "--langmap=C:+.h",
            "--kinds-C=-p",
            "--output-format=json",
            "--fields=+nK",
            "-f",
            "-",
        ])
        .args(files)
        .current_dir(copy.path())
        .output()
        .expect("universal-ctags is installed (.ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut tags = BTreeSet::new();
    let mut lines_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        let j: serde_json::Value = serde_json::from_str(l).expect("ctags json");
        if j["_type"] != "tag" {
            continue;
        }
        let kind = j["kind"].as_str().unwrap_or("");
        if ![
            "function",
            "macro",
            "struct",
            "union",
            "enum",
            "enumerator",
            "typedef",
            "variable",
        ]
        .contains(&kind)
        {
            continue;
        }
        let mut name = j["name"].as_str().unwrap_or("").to_owned();
        let path = j["path"].as_str().unwrap_or("").to_owned();
        let line = j["line"].as_u64().unwrap_or(0) as u32;
        if name.starts_with("__anon") {
            continue;
        }
        // SYSCALL_DEFINE3(madvise, ...) is sys_madvise, as tags.sh's own
        // regex names it.
        if kind == "function"
            && (name.starts_with("SYSCALL_DEFINE") || name.starts_with("COMPAT_SYSCALL_DEFINE"))
        {
            let text = lines_of.entry(path.clone()).or_insert_with(|| {
                String::from_utf8_lossy(&std::fs::read(root.join(&path)).expect("read"))
                    .lines()
                    .map(str::to_owned)
                    .collect()
            });
            let l = &text[line as usize - 1];
            let arg = l.split_once('(').map_or("", |(_, r)| r);
            let arg = arg.split([',', ')']).next().unwrap_or("").trim();
            let prefix = if name.starts_with("COMPAT") {
                "compat_sys_"
            } else {
                "sys_"
            };
            name = format!("{prefix}{arg}");
        }
        tags.insert((name, path, line, kind.to_owned()));
    }
    tags
}

#[test]
fn definitions_agree_with_universal_ctags() {
    let root = tree();
    let files = files(root);
    assert!(files.len() > 1000, "{} files", files.len());
    let reference = ctags(root, &files);
    let mut ours = BTreeSet::new();
    for f in &files {
        let fi = lpl_code::index_file(&std::fs::read(root.join(f)).expect("read"));
        for d in fi.defs {
            ours.insert((d.name, f.clone(), d.line, d.kind.as_str().to_owned()));
        }
    }
    let common = reference.intersection(&ours).count();
    let precision = common as f64 / ours.len() as f64;
    let recall = common as f64 / reference.len() as f64;
    let by_kind = |s: &BTreeSet<Tag>, other: &BTreeSet<Tag>| {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in s.difference(other) {
            m.entry(t.3.clone())
                .or_default()
                .push(format!("{} {}:{}", t.0, t.1, t.2));
        }
        m
    };
    let missed = by_kind(&reference, &ours);
    let extra = by_kind(&ours, &reference);
    eprintln!(
        "ctags {} definitions, ours {}, common {common}: precision {precision:.4}, recall {recall:.4}",
        reference.len(),
        ours.len()
    );
    for (what, m) in [
        ("missed (in ctags only)", &missed),
        ("extra (ours only)", &extra),
    ] {
        for (kind, v) in m {
            eprintln!("{what} {kind}: {} e.g. {:?}", v.len(), &v[..v.len().min(8)]);
        }
    }
    assert!(
        precision >= 0.995 && recall >= 0.995,
        "precision {precision:.4} recall {recall:.4}"
    );
}
