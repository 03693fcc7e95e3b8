//! Finding a program a system runs (booking-node, say): an environment variable, else next to the current
//! executable (`target/<profile>/`, also from `target/<profile>/deps/` where tests run), else the
//! PATH.

use crate::RunError;
use std::path::{Path, PathBuf};

/// The path of `program`, looked up in `$env_var`, then beside the current executable and its
/// parent directory, then on the PATH.
pub fn locate(program: &str, env_var: &str) -> Result<PathBuf, RunError> {
    if let Some(p) = std::env::var_os(env_var) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(RunError::NotFound {
                program: program.into(),
                searched: format!("${env_var}={} is not a file", p.display()),
            })
        };
    }
    let mut searched = vec![format!("${env_var} (unset)")];
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(2) {
            let candidate = dir.join(program);
            if candidate.is_file() {
                return Ok(candidate);
            }
            searched.push(dir.display().to_string());
        }
    }
    if let Some(found) = on_path(program) {
        return Ok(found);
    }
    searched.push("$PATH".into());
    Err(RunError::NotFound {
        program: program.into(),
        searched: format!("looked in {}", searched.join(", ")),
    })
}

/// `program` resolved on the PATH (or as given, if it holds a slash).
pub fn on_path(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Path::new(program).is_file().then(|| PathBuf::from(program));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}
