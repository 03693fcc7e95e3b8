//! Running one external command to completion and turning failure into a [`FaultError`].

use crate::FaultError;
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `cmd` with `stdin` as its input; returns its stdout, or an error naming the command,
/// its status and its stderr.
pub fn run(cmd: &mut Command, stdin: Option<&str>) -> Result<String, FaultError> {
    let line = describe(cmd);
    let fail = |status: String, stderr: String| FaultError::Command {
        command: line.clone(),
        status,
        stderr: stderr.trim().to_string(),
    };
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| fail(format!("cannot start: {e}"), String::new()))?;
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(text.as_bytes())
            .map_err(|e| fail(format!("cannot write its input: {e}"), String::new()))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| fail(format!("cannot wait: {e}"), String::new()))?;
    if !out.status.success() {
        return Err(fail(
            out.status.to_string(),
            String::from_utf8_lossy(&out.stderr).into(),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The command line as one string, for messages.
pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}
