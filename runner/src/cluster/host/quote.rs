//! Words for a POSIX shell: each quoted so that the remote shell passes it on unchanged.

use std::borrow::Cow;
use std::path::Path;

/// `word` as one shell word.
pub fn word(word: &str) -> String {
    shell_escape::unix::escape(Cow::Borrowed(word)).into_owned()
}

/// `path` as one shell word.
pub fn path(path: &Path) -> String {
    word(&path.to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_with_spaces_and_quotes_survives_sh() {
        let tricky = "it's a $HOME `x` \"y\"";
        let out = std::process::Command::new("sh")
            .args(["-c", &format!("printf %s {}", word(tricky))])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), tricky);
    }
}
