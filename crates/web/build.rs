//! Takes the NL Design System CSS (components and design tokens) and the OpenAPI viewer from
//! the npm registry at build time, as `assets/package-lock.json` pins them, and leaves the
//! files the server serves in `$OUT_DIR/assets`. Nothing of these packages is committed.

use std::path::{Path, PathBuf};
use std::process::{exit, Command};

/// (file in node_modules, name the server serves it under)
const FILES: &[(&str, &str)] = &[
    (
        "@utrecht/component-library-css/dist/index.css",
        "utrecht-components.css",
    ),
    (
        "@utrecht/component-library-css/dist/html.css",
        "utrecht-html.css",
    ),
    (
        "@utrecht/design-tokens/dist/theme.css",
        "utrecht-tokens.css",
    ),
    ("swagger-ui-dist/swagger-ui.css", "swagger-ui.css"),
    (
        "swagger-ui-dist/swagger-ui-bundle.js",
        "swagger-ui-bundle.js",
    ),
];

fn fail(message: &str) -> ! {
    eprintln!("spil-web build: {message}");
    exit(1)
}

fn copy(from: &Path, to: &Path) {
    if let Err(e) = std::fs::copy(from, to) {
        fail(&format!("copy {} to {}: {e}", from.display(), to.display()));
    }
}

fn main() {
    println!("cargo:rerun-if-changed=assets/package.json");
    println!("cargo:rerun-if-changed=assets/package-lock.json");
    println!("cargo:rerun-if-env-changed=SPIL_NPM");
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_else(|| fail("OUT_DIR is not set")));
    let npm_dir = out.join("npm");
    let assets = out.join("assets");
    for dir in [&npm_dir, &assets] {
        if let Err(e) = std::fs::create_dir_all(dir) {
            fail(&format!("create {}: {e}", dir.display()));
        }
    }
    let here = Path::new("assets");
    copy(&here.join("package.json"), &npm_dir.join("package.json"));
    copy(
        &here.join("package-lock.json"),
        &npm_dir.join("package-lock.json"),
    );
    let npm = std::env::var("SPIL_NPM").unwrap_or_else(|_| "npm".into());
    let status = Command::new(&npm)
        .args([
            "ci",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ])
        .current_dir(&npm_dir)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => fail(&format!(
            "`{npm} ci` failed ({s}): Spil takes the NL Design System CSS from the npm registry at build time"
        )),
        Err(e) => fail(&format!(
            "cannot run `{npm}` ({e}): install Node.js and npm (Spil takes the NL Design System CSS from the npm registry at build time)"
        )),
    }
    for (from, to) in FILES {
        copy(&npm_dir.join("node_modules").join(from), &assets.join(to));
    }
}
