//! What the server serves besides pages: Spil's stylesheet, the NL Design System CSS and the
//! OpenAPI viewer (taken from the npm registry at build time, see build.rs), and the
//! municipalities' token themes.

use std::collections::BTreeMap;
use std::path::Path;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::AppState;

macro_rules! built {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/assets/", $name)).as_slice()
    };
}

/// (path under /static/, content type, bytes)
const FILES: &[(&str, &str, &[u8])] = &[
    ("spil.css", CSS, include_bytes!("../static/spil.css")),
    ("nlds/tokens.css", CSS, built!("utrecht-tokens.css")),
    ("nlds/components.css", CSS, built!("utrecht-components.css")),
    ("nlds/html.css", CSS, built!("utrecht-html.css")),
    ("api-docs/swagger-ui.css", CSS, built!("swagger-ui.css")),
    (
        "api-docs/swagger-ui-bundle.js",
        JS,
        built!("swagger-ui-bundle.js"),
    ),
    (
        "api-docs/start.js",
        JS,
        include_bytes!("../static/api-docs.js"),
    ),
];

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Built-in themes: (municipality code, token file).
const BUILT_IN_THEMES: &[(&str, &str)] = &[
    ("gm0197", include_str!("../../../themes/gm0197.css")),
    ("gm0294", include_str!("../../../themes/gm0294.css")),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/theme/{file}", get(theme))
        .route("/static/{*path}", get(file))
}

async fn file(UrlPath(path): UrlPath<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == path) {
        Some((_, kind, bytes)) => (
            [
                (header::CONTENT_TYPE, *kind),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn theme(State(state): State<AppState>, UrlPath(file): UrlPath<String>) -> Response {
    let code = file.strip_suffix(".css").unwrap_or_default();
    // A municipality without a theme of its own wears the NL Design System defaults.
    let css = state
        .themes
        .css(code)
        .map_or_else(|| ".spil-theme {}\n".to_owned(), str::to_owned);
    (
        [
            (header::CONTENT_TYPE, CSS),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        css,
    )
        .into_response()
}

/// The municipalities' looks: per municipality code, a stylesheet that sets its tokens.
#[derive(Debug, Clone, Default)]
pub struct Themes {
    css: BTreeMap<String, String>,
}

impl Themes {
    /// The built-in themes, with those of `dir` (`<code>.css` files) added or replacing them.
    pub fn load(dir: Option<&Path>) -> Result<Themes, String> {
        let mut themes = Themes::default();
        for (code, tokens) in BUILT_IN_THEMES {
            themes.add(code, tokens, code)?;
        }
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(code) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".css"))
                else {
                    continue;
                };
                let tokens = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                themes.add(code, &tokens, &path.display().to_string())?;
            }
        }
        Ok(themes)
    }

    fn add(&mut self, code: &str, tokens: &str, source: &str) -> Result<(), String> {
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!(
                "{source}: a theme is named after a municipality code, such as gm0197.css"
            ));
        }
        let declarations =
            parse_tokens(tokens).map_err(|(line, why)| format!("{source}, line {line}: {why}"))?;
        self.css.insert(
            code.to_owned(),
            format!(".spil-theme {{\n{}\n}}\n", declarations.join("\n")),
        );
        Ok(())
    }

    pub fn css(&self, code: &str) -> Option<&str> {
        self.css.get(code).map(String::as_str)
    }

    pub fn has(&self, code: &str) -> bool {
        self.css.contains_key(code)
    }
}

/// The declarations of a token file: only `--name: value;` lines and comments, so a theme
/// can change colours and sizes but never add rules, imports or URLs.
fn parse_tokens(text: &str) -> Result<Vec<String>, (usize, &'static str)> {
    let mut declarations = Vec::new();
    let mut in_comment = false;
    for (i, raw) in text.lines().enumerate() {
        let mut line = raw.trim();
        if in_comment {
            match line.find("*/") {
                Some(end) => {
                    in_comment = false;
                    line = line[end + 2..].trim();
                }
                None => continue,
            }
        }
        if let Some(rest) = line.strip_prefix("/*") {
            match rest.find("*/") {
                Some(end) if rest[end + 2..].trim().is_empty() => continue,
                Some(_) => return Err((i + 1, "put a comment on a line of its own")),
                None => {
                    in_comment = true;
                    continue;
                }
            }
        }
        if line.is_empty() {
            continue;
        }
        let Some((name, value)) = line.strip_suffix(';').and_then(|l| l.split_once(':')) else {
            return Err((i + 1, "expected `--name: value;`"));
        };
        let (name, value) = (name.trim(), value.trim());
        let name_ok = name.len() > 2
            && name.starts_with("--")
            && name[2..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        let value_ok = !value.is_empty()
            && !value.contains(['{', '}', ';', '<', '>', '\\', '@'])
            && !value.to_ascii_lowercase().contains("url(");
        if !name_ok {
            return Err((
                i + 1,
                "a token's name starts with -- and holds letters, digits and -",
            ));
        }
        if !value_ok {
            return Err((
                i + 1,
                "a token's value holds no braces, semicolons, URLs or @-rules",
            ));
        }
        declarations.push(format!("  {name}: {value};"));
    }
    Ok(declarations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_themes_load_and_set_only_tokens() {
        let themes = Themes::load(None).unwrap_or_else(|e| panic!("{e}"));
        for code in ["gm0197", "gm0294"] {
            let css = themes.css(code).unwrap_or_default();
            assert!(css.starts_with(".spil-theme {"), "{css}");
            assert!(css.contains("--spil-color-primary:"), "{css}");
        }
        assert!(!themes.has("gm9999"));
    }

    #[test]
    fn a_token_file_with_anything_but_tokens_is_refused_with_its_line() {
        assert_eq!(
            parse_tokens("/* Aalten */\n--a-b: #005a46;\n\n/* two\nlines */\n--c: 1rem;"),
            Ok(vec![
                "  --a-b: #005a46;".to_owned(),
                "  --c: 1rem;".to_owned()
            ])
        );
        for (text, line) in [
            ("--a: red;\nbody { color: red; }", 2),
            ("--a: url(https://evil.example/x.png);", 1),
            ("--a: red; } body { display: none", 1),
            ("@import 'x.css';", 1),
            ("color: red;", 1),
            ("--a: red", 1),
        ] {
            assert_eq!(parse_tokens(text).map_err(|(l, _)| l), Err(line), "{text}");
        }
    }
}
