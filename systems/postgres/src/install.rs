//! Where PostgreSQL's programs are: Debian's `postgresql` package puts the server's programs
//! (`postgres`, `initdb`, `pg_basebackup`, `pg_isready`) in `/usr/lib/postgresql/<major>/bin`,
//! off the PATH.

use runner::RunError;
use std::path::{Path, PathBuf};

/// The environment variable naming a directory of PostgreSQL's programs, ahead of the Debian
/// paths.
pub const BIN_DIR_VAR: &str = "RIFT_POSTGRES_BIN";

/// The Debian package that provides the programs.
pub const PACKAGE: &str = "postgresql";

/// The programs rift runs, each of which must be in the directory found.
const PROGRAMS: [&str; 4] = ["postgres", "initdb", "pg_basebackup", "pg_isready"];

/// A directory holding PostgreSQL's server programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binaries {
    dir: PathBuf,
}

impl Binaries {
    /// The programs in `$RIFT_POSTGRES_BIN` if set, else in the newest
    /// `/usr/lib/postgresql/<major>/bin`.
    pub fn find() -> Result<Binaries, RunError> {
        match std::env::var_os(BIN_DIR_VAR) {
            Some(dir) => Binaries::in_dir(Path::new(&dir), &format!("${BIN_DIR_VAR}")),
            None => Binaries::in_debian(Path::new("/usr/lib/postgresql")),
        }
    }

    /// The programs in the newest `<root>/<major>/bin`.
    fn in_debian(root: &Path) -> Result<Binaries, RunError> {
        let mut majors: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let major = e.file_name().to_str()?.parse().ok()?;
                Some((major, e.path().join("bin")))
            })
            .collect();
        majors.sort();
        match majors.pop() {
            Some((_, dir)) => Binaries::in_dir(&dir, "the newest major version"),
            None => Err(missing(&format!("no {}/<major>/bin", root.display()))),
        }
    }

    /// The programs in `dir`, every one of them present.
    fn in_dir(dir: &Path, which: &str) -> Result<Binaries, RunError> {
        match PROGRAMS.iter().find(|p| !dir.join(p).is_file()) {
            Some(absent) => Err(missing(&format!(
                "{which}: {} has no {absent}",
                dir.display()
            ))),
            None => Ok(Binaries { dir: dir.into() }),
        }
    }

    /// Program `name`'s path.
    pub fn program(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// The error for programs not found: names the package that provides them.
fn missing(searched: &str) -> RunError {
    RunError::NotFound {
        program: format!("PostgreSQL's server programs (Debian package `{PACKAGE}`)"),
        searched: format!(
            "{searched}; install the package (`apt-get install {PACKAGE}`) or set ${BIN_DIR_VAR}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_without_the_programs_is_an_error_naming_the_package() {
        let e = Binaries::in_dir(Path::new("/nonexistent"), "here").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("`postgresql`"), "{text}");
        assert!(text.contains("/nonexistent has no postgres"), "{text}");
        let e = Binaries::in_debian(Path::new("/nonexistent")).unwrap_err();
        assert!(e.to_string().contains("apt-get install postgresql"), "{e}");
    }
}
