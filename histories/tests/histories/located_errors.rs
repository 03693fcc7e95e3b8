//! Bad input is refused with an error naming file, line and column, and what was expected.

use histories::formats::{read_path, read_str, Format};
use histories::HistoryError;
use std::io::Write;

/// Writes `text` to a file called `name` in a fresh temporary directory, removed when the
/// returned guard drops.
fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("rift-histories-test-")
        .tempdir()
        .unwrap();
    let path = dir.path().join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    (dir, path)
}

fn error_of(name: &str, text: &str) -> String {
    let (_dir, path) = temp_file(name, text);
    read_path(&path, None).unwrap_err().to_string()
}

#[test]
fn malformed_edn_names_file_line_column_and_what_was_expected() {
    let e = error_of(
        "bad.edn",
        "[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 0, :type :ok, :f :read :value 3]\n",
    );
    assert!(e.contains("bad.edn:2:43:"), "{e}");
    assert!(e.contains("expected a value or '}'"), "{e}");
}

#[test]
fn an_op_map_with_a_bad_type_names_the_op_line() {
    let e = error_of(
        "type.edn",
        "[{:process 0, :type :invoke, :f :read}\n {:process 0, :type :done, :f :read}]\n",
    );
    assert!(e.contains("type.edn:2:2:"), "{e}");
    assert!(
        e.contains("expected :type to be :invoke, :ok, :fail or :info; found :done"),
        "{e}"
    );
}

#[test]
fn malformed_jsonl_names_file_line_and_column() {
    let e = error_of(
        "bad.jsonl",
        "{\"rift_history\":1}\n{\"index\":0,\"time\":0,\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n{\"index\":1,\"time\":1,\"process\":1,\"type\":\"okay\",\"f\":\"read\",\"value\":3}\n",
    );
    assert!(e.contains("bad.jsonl:3:"), "{e}");
    assert!(e.contains("expected an op"), "{e}");
    assert!(e.contains("okay"), "{e}");
}

#[test]
fn an_unsupported_jsonl_version_is_refused() {
    let e = read_str("{\"rift_history\":7}\n", None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("version 7 is not supported"), "{e}");
}

#[test]
fn unrecognisable_input_says_which_formats_were_expected() {
    let e = error_of("what.txt", "hello\n");
    assert!(e.contains("what.txt:1:1:"), "{e}");
    assert!(e.contains("cannot tell the history's format"), "{e}");
}

#[test]
fn non_utf8_input_is_located() {
    let (_dir, path) = temp_file("latin1.edn", "");
    std::fs::write(&path, b"[{:process 0\n :f \"caf\xe9\"}]").unwrap();
    let e = read_path(&path, Some(Format::Edn)).unwrap_err().to_string();
    assert!(e.contains("latin1.edn:2:9:"), "{e}");
    assert!(e.contains("not UTF-8"), "{e}");
}

#[test]
fn an_ok_without_an_invoke_names_the_file_and_line_of_the_op() {
    let (_dir, path) = temp_file(
        "orphan.edn",
        "[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 0, :type :ok, :f :read, :value 1}\n {:process 3, :type :ok, :f :read, :value 1}]\n",
    );
    let h = read_path(&path, None).unwrap();
    let e = h.calls().unwrap_err();
    assert!(matches!(e, HistoryError::CompletionWithoutInvoke { .. }));
    let at = e.location().expect("pairing errors are located");
    assert_eq!(
        (at.line, at.file.as_ref().map(|f| f.ends_with("orphan.edn"))),
        (3, Some(true))
    );
    let e = e.to_string();
    assert!(e.contains("orphan.edn:3:"), "{e}");
    assert!(e.contains("has no open invocation"), "{e}");
}

#[test]
fn a_second_invoke_on_an_open_process_names_its_line() {
    let (_dir, path) = temp_file(
        "double.jsonl",
        "{\"rift_history\":1}\n{\"index\":0,\"time\":0,\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n\n{\"index\":1,\"time\":1,\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n",
    );
    let h = read_path(&path, None).unwrap();
    let e = h.calls().unwrap_err();
    assert!(matches!(e, HistoryError::DoubleInvoke { .. }));
    assert!(e.to_string().contains("double.jsonl:4:"), "{e}");
}

#[test]
fn an_invoke_after_an_info_names_its_line() {
    let (_dir, path) = temp_file(
        "reuse.log",
        "INFO  jepsen.core - start\nINFO  jepsen.util - 4\t:invoke\t:write\t3\nINFO  jepsen.util - 4\t:info\t:write\t:timed-out\nINFO  jepsen.util - 4\t:invoke\t:read\tnil\n",
    );
    let h = read_path(&path, None).unwrap();
    let e = h.calls().unwrap_err();
    assert!(matches!(e, HistoryError::InvokeAfterInfo { .. }));
    assert!(e.to_string().contains("reuse.log:4:"), "{e}");
}
