//! Export and import agree: JSONL -> History -> JSONL is byte-identical, and EDN -> History ->
//! EDN -> History gives the same history, for every corpus file and for hand-made edge cases.

use crate::{corpora_dir, files_under};
use histories::formats::{
    read_path, read_str, write_edn, write_jsonl, Format, JsonlReader, JsonlWriter,
};
use histories::{Header, History, Op, OpType, Process};
use serde_json::json;

fn jsonl_of(h: &History) -> String {
    let mut out = Vec::new();
    write_jsonl(&mut out, h).unwrap();
    String::from_utf8(out).unwrap()
}

fn edn_of(h: &History) -> String {
    let mut out = Vec::new();
    write_edn(&mut out, h).unwrap();
    String::from_utf8(out).unwrap()
}

/// Asserts two histories are equal, showing only the first difference.
fn assert_same(got: &History, want: &History, name: &str) {
    assert_eq!(got.header, want.header, "{name}: headers differ");
    assert_eq!(got.len(), want.len(), "{name}: lengths differ");
    for (g, w) in got.ops.iter().zip(&want.ops) {
        assert_eq!(g, w, "{name}: first differing op");
    }
    assert_eq!(got, want);
}

fn corpus_histories() -> Vec<(String, History)> {
    let dir = corpora_dir();
    files_under(&dir, &["edn", "txt"])
        .into_iter()
        .map(|f| (f.display().to_string(), read_path(&f, None).unwrap()))
        .collect()
}

#[test]
fn jsonl_written_read_and_written_again_is_byte_identical_for_every_corpus_file() {
    for (name, h) in corpus_histories() {
        let first = jsonl_of(&h);
        let back = read_str(&first, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_same(&back, &h, &name);
        assert_eq!(jsonl_of(&back), first, "{name}");
    }
}

#[test]
fn edn_written_and_read_back_is_the_same_history_for_every_corpus_file() {
    for (name, h) in corpus_histories() {
        let edn = edn_of(&h);
        let back = read_str(&edn, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_same(&back, &h, &name);
        let again = read_str(&edn_of(&back), Some(Format::Edn)).unwrap();
        assert_same(&again, &back, &name);
    }
}

fn awkward_history() -> History {
    let mut h = History::from_ops(vec![
        Op::new(
            0,
            10,
            Process::Client(1),
            OpType::Invoke,
            "cas",
            json!([1, 2]),
        )
        .with_key(json!(7)),
        Op::new(
            1,
            20,
            Process::Nemesis,
            OpType::Info,
            "start-partition",
            json!({"n1": ["n2", "n3"]}),
        ),
        Op::new(2, 30, Process::Client(1), OpType::Info, "cas", json!(null)).with_key(json!(7)),
        Op::new(
            3,
            40,
            Process::Client(2),
            OpType::Invoke,
            "my op",
            json!("quote \" back\\slash\nnewline \u{1} é"),
        ),
        Op::new(
            4,
            50,
            Process::Client(2),
            OpType::Ok,
            "my op",
            json!([1.5, -3, 18446744073709551615u64, true, {"a b": null}]),
        ),
    ]);
    h.ops[2].error = Some(json!("timed-out"));
    h.ops[3].node = Some("n1".into());
    h.ops[4].error = Some(json!({"code": 5}));
    h.ops[4].extra.insert("rev".into(), json!(12));
    h.ops[4].extra.insert("odd key".into(), json!(["x"]));
    h.header = Header::default();
    h.header.meta.insert("model".into(), json!("cas-register"));
    h.header.meta.insert("seed".into(), json!(42));
    h
}

#[test]
fn nemesis_ops_errors_nodes_extra_keys_and_escapes_survive_both_formats() {
    let h = awkward_history();
    let from_jsonl = read_str(&jsonl_of(&h), None).unwrap();
    assert_eq!(from_jsonl, h);
    let from_edn = read_str(&edn_of(&h), None).unwrap();
    assert_eq!(from_edn, h);
    assert_eq!(from_edn.header.meta["seed"], json!(42));
}

#[test]
fn the_streaming_writer_and_reader_agree_line_by_line() {
    let h = awkward_history();
    let mut writer = JsonlWriter::new(Vec::new(), &h.header).unwrap();
    for op in &h.ops {
        writer.write_op(op).unwrap();
    }
    let bytes = writer.into_inner().unwrap();
    assert_eq!(String::from_utf8(bytes.clone()).unwrap(), jsonl_of(&h));
    let mut reader = JsonlReader::new(&bytes[..]).unwrap();
    assert_eq!(reader.header(), &h.header);
    for (i, want) in h.ops.iter().enumerate() {
        let got = reader.next().unwrap().unwrap();
        assert_eq!(&got, want);
        assert_eq!(reader.line() as usize, i + 2, "the header is line 1");
    }
    assert!(reader.next().is_none());
}

#[test]
fn the_streaming_writer_appends_to_a_file_that_is_readable_after_each_flush() {
    let path = std::env::temp_dir().join(format!(
        "rift-histories-stream-{}.jsonl",
        std::process::id()
    ));
    let h = awkward_history();
    let mut writer = JsonlWriter::create(&path, &h.header).unwrap();
    for (i, op) in h.ops.iter().enumerate() {
        writer.write_op(op).unwrap();
        writer.flush().unwrap();
        let so_far = read_path(&path, None).unwrap();
        assert_eq!(so_far.ops, h.ops[..=i]);
    }
    drop(writer);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_jepsen_log_exports_to_edn_and_jsonl_and_reads_back_the_same() {
    let log = "INFO  jepsen.core - Running test\n\
               INFO  jepsen.util - 0\t:invoke\t:read\tnil\n\
               INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]\n\
               INFO  jepsen.util - 0\t:ok\t:read\t3\n\
               INFO  jepsen.util - 2\t:info\t:cas\t:timed-out\n\
               INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n";
    let h = read_str(log, None).unwrap();
    assert_eq!(h.len(), 5);
    assert_eq!(read_str(&edn_of(&h), None).unwrap(), h);
    assert_eq!(read_str(&jsonl_of(&h), None).unwrap(), h);
}

/// A history big enough to be read in several chunks on several threads.
fn big_history(ops: u64) -> History {
    let mut h = History::from_ops(
        (0..ops)
            .map(|i| {
                let p = i % 7;
                let kind = if (i / 7) % 2 == 0 {
                    OpType::Invoke
                } else {
                    OpType::Ok
                };
                Op::new(i, i * 3, Process::Client(p), kind, "write", json!(i))
                    .with_key(json!(i % 100))
            })
            .collect(),
    );
    h.header.meta.insert("note".into(), json!("big"));
    h
}

#[test]
fn a_history_of_many_chunks_reads_the_same_in_parallel_as_line_by_line() {
    let h = big_history(120_000);
    let mut text = jsonl_of(&h);
    // Blank lines in the middle are skipped by both readers.
    let cut = text.len() / 2;
    let nl = cut + text[cut..].find('\n').unwrap() + 1;
    text.insert_str(nl, "\n  \n");
    assert!(text.len() > 9 << 20, "more than one chunk of text");
    let path =
        std::env::temp_dir().join(format!("rift-histories-big-{}.jsonl", std::process::id()));
    std::fs::write(&path, &text).unwrap();
    let whole = read_path(&path, None).unwrap();
    let mut streamed = JsonlReader::open(&path).unwrap();
    let mut lines = Vec::new();
    while let Some(op) = streamed.next() {
        assert_eq!(op.unwrap(), h.ops[lines.len()]);
        lines.push(streamed.line());
    }
    assert_same(&whole, &h, "parallel");
    assert_eq!(whole.provenance.lines, lines);
    assert_eq!(
        *lines.last().unwrap() as usize,
        h.len() + 3,
        "header and two blank lines"
    );

    // A bad line late in the file is reported at its own line.
    let mut bad: Vec<&str> = text.lines().collect();
    let bad_index = bad.len() - 2;
    bad[bad_index] = "{\"index\": oops}";
    std::fs::write(&path, bad.join("\n")).unwrap();
    let e = read_path(&path, None).unwrap_err().to_string();
    std::fs::remove_file(&path).unwrap();
    let bad_line = bad_index + 1;
    assert!(
        e.contains(&format!("big-{}.jsonl:{bad_line}:11:", std::process::id())),
        "{e}"
    );
}

#[test]
fn floats_survive_jsonl_exactly() {
    let values = [5e97, 0.1, 1.0 / 3.0, -2.5e-300, 1.7976931348623157e308];
    let h = History::from_ops(
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                Op::new(
                    i as u64,
                    0,
                    Process::Client(0),
                    OpType::Invoke,
                    "write",
                    json!(v),
                )
            })
            .collect(),
    );
    let back = read_str(&jsonl_of(&h), None).unwrap();
    assert_eq!(back, h);
}
