//! The store's files, served read-only: a requested path is resolved inside the store or refused.

use std::path::{Component, Path, PathBuf};

/// Why a path is not served.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The path leaves the store (`..`, an absolute path, a link to elsewhere): 403.
    Outside,
    /// Nothing is there: 404.
    Missing,
}

/// The file or directory `requested` (relative, as in the URL) names inside `root` (the store,
/// canonical), with every link resolved; refused when it is not inside the store.
pub fn resolve(root: &Path, requested: &str) -> Result<PathBuf, Refused> {
    if requested.contains('\0') {
        return Err(Refused::Outside);
    }
    let rel = Path::new(requested);
    for c in rel.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(Refused::Outside)
            }
        }
    }
    let path = std::fs::canonicalize(root.join(rel)).map_err(|_| Refused::Missing)?;
    if path.starts_with(root) {
        Ok(path)
    } else {
        Err(Refused::Outside)
    }
}

/// The content type of a store file, by its name: text for the store's text files, so that a
/// browser shows them rather than downloading them.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "xml" => "application/xml",
        _ => "text/plain; charset=utf-8",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_components_and_links_out_of_the_store_are_refused() {
        let base = std::env::temp_dir().join(format!("rift-serve-files-{}", std::process::id()));
        let store = base.join("store");
        std::fs::create_dir_all(store.join("t/run")).unwrap();
        std::fs::write(store.join("t/run/run.json"), "{}").unwrap();
        std::fs::write(base.join("secret"), "x").unwrap();
        std::os::unix::fs::symlink(&base, store.join("escape")).unwrap();
        std::os::unix::fs::symlink("run", store.join("t/latest")).unwrap();
        let root = std::fs::canonicalize(&store).unwrap();
        assert!(resolve(&root, "t/run/run.json").is_ok());
        assert!(
            resolve(&root, "t/latest/run.json").is_ok(),
            "a link inside the store"
        );
        assert_eq!(resolve(&root, "../secret"), Err(Refused::Outside));
        assert_eq!(resolve(&root, "t/../../secret"), Err(Refused::Outside));
        assert_eq!(resolve(&root, "/etc/passwd"), Err(Refused::Outside));
        assert_eq!(resolve(&root, "escape/secret"), Err(Refused::Outside));
        assert_eq!(resolve(&root, "t/none"), Err(Refused::Missing));
        std::fs::remove_dir_all(&base).unwrap();
    }
}
