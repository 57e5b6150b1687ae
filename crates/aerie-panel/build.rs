//! Embeds the built web UI (`web/dist`) into the panel. Each file becomes a static byte
//! slice; compressible files also get a gzip copy made here, so the server never compresses
//! the same asset twice. A missing `web/dist` embeds nothing (the panel then serves a page
//! saying how to build the UI) so that the Rust side builds on its own.

use std::io::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let dist = manifest.join("../../web/dist");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed={}", dist.display());

    let mut files = Vec::new();
    walk(&dist, &mut files);
    let mut code = String::from("pub(crate) static ASSETS: &[Asset] = &[\n");
    for (i, f) in files.iter().enumerate() {
        let rel = f
            .strip_prefix(&dist)
            .expect("walked under dist")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(f).expect("read asset");
        let compressible = matches!(
            f.extension().and_then(|e| e.to_str()),
            Some("html" | "js" | "mjs" | "css" | "svg" | "json" | "txt" | "map" | "webmanifest")
        );
        let mut gz = "None".to_owned();
        if compressible && bytes.len() > 512 {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(&bytes).expect("gzip");
            let z = enc.finish().expect("gzip");
            if z.len() < bytes.len() {
                let gz_path = out_dir.join(format!("asset{i}.gz"));
                std::fs::write(&gz_path, z).expect("write gz");
                gz = format!("Some(include_bytes!({:?}))", gz_path.display().to_string());
            }
        }
        code.push_str(&format!(
            "    Asset {{ path: {rel:?}, body: include_bytes!({:?}), gzip: {gz} }},\n",
            f.canonicalize()
                .expect("canonical path")
                .display()
                .to_string()
        ));
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("assets.rs"), code).expect("write assets.rs");
}
