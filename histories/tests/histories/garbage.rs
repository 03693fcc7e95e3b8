//! Truncated and garbled input gives an error or a history, never a panic; and whatever reads as a
//! history survives export and import unchanged.

use crate::corpora_dir;
use histories::formats::{read_str, write_edn, write_jsonl, Format, JsonlReader};
use histories::History;
use proptest::prelude::*;

/// Real texts of every format to cut and garble.
fn samples() -> Vec<String> {
    let dir = corpora_dir();
    let mut texts: Vec<String> = [
        "knossos/cas-register/bad/bad-analysis.edn",
        "knossos/cas-register/bad/rethink-fail-minimal.edn",
        "knossos/cas-register/good/mongodb-v0-ack-rollback-10.edn",
        "knossos/mutex/bad/etcd.edn",
        "porcupine-kv/c01-ok.txt",
        "elle/paper-example.edn",
        "elle/si-without-g-single.edn",
    ]
    .iter()
    .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
    .collect();
    texts.push(
        "INFO  jepsen.core - Running test\n\
         INFO  jepsen.util - 0\t:invoke\t:read\tnil\n\
         INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]\n\
         INFO  jepsen.util - 0\t:ok\t:read\t3\n\
         INFO  jepsen.util - 2\t:info\t:cas\t:timed-out\n\
         INFO  jepsen.util - :nemesis\t:info\t:start\t\"cut {:n1 #{:n2}}\"\n"
            .to_string(),
    );
    let h = histories::formats::read_str(&texts[0], None).unwrap();
    let mut jsonl = Vec::new();
    write_jsonl(&mut jsonl, &h).unwrap();
    texts.push(String::from_utf8(jsonl).unwrap());
    texts
}

/// The largest char boundary of `s` at or below `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Reads `text` with every reader; for each history read, checks pairing does not panic and both
/// exports read back to the same history.
fn read_every_way(text: &str) -> Result<(), TestCaseError> {
    let formats = [
        None,
        Some(Format::Jsonl),
        Some(Format::Edn),
        Some(Format::JepsenLog),
        Some(Format::PorcupineKv),
    ];
    for format in formats {
        if let Ok(h) = read_str(text, format) {
            let _ = h.calls();
            round_trips(&h)?;
        }
    }
    if let Ok(reader) = JsonlReader::new(text.as_bytes()) {
        for op in reader {
            let _ = op;
        }
    }
    Ok(())
}

fn round_trips(h: &History) -> Result<(), TestCaseError> {
    let mut edn = Vec::new();
    write_edn(&mut edn, h).unwrap();
    let back = read_str(std::str::from_utf8(&edn).unwrap(), Some(Format::Edn));
    prop_assert_eq!(
        back.as_ref().ok(),
        Some(h),
        "EDN export of a read history reads back"
    );
    let mut jsonl = Vec::new();
    write_jsonl(&mut jsonl, h).unwrap();
    let back = read_str(std::str::from_utf8(&jsonl).unwrap(), Some(Format::Jsonl));
    prop_assert_eq!(
        back.as_ref().ok(),
        Some(h),
        "JSONL export of a read history reads back"
    );
    Ok(())
}

/// Bytes that matter to the parsers.
const SIGNIFICANT: &[u8] = b"[](){}\"\\:;#,_ \t\n-+.0123456789Ne{}";

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_a_reader(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        read_every_way(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn random_significant_characters_never_panic_a_reader(
        picks in proptest::collection::vec(0..SIGNIFICANT.len(), 0..200)
    ) {
        let text: String = picks.iter().map(|&i| SIGNIFICANT[i] as char).collect();
        read_every_way(&text)?;
        read_every_way(&format!("{{:process 0, :type :invoke, :f :read, :value {text}}}"))?;
        read_every_way(&format!("INFO jepsen.util - 1 :ok :read {text}"))?;
    }

    #[test]
    fn truncated_corpus_text_never_panics_a_reader(sample in 0..9usize, cut in 0.0..1.0f64) {
        let texts = samples();
        let text = &texts[sample % texts.len()];
        let at = floor_boundary(text, (text.len() as f64 * cut) as usize);
        read_every_way(&text[..at])?;
    }

    #[test]
    fn garbled_corpus_text_never_panics_a_reader(
        sample in 0..9usize,
        from in 0.0..1.0f64,
        len in 0..40usize,
        inserted in 0..SIGNIFICANT.len(),
    ) {
        let texts = samples();
        let text = &texts[sample % texts.len()];
        let a = floor_boundary(text, (text.len() as f64 * from) as usize);
        let b = floor_boundary(text, a + len);
        let garbled = format!("{}{}{}", &text[..a], SIGNIFICANT[inserted] as char, &text[b..]);
        read_every_way(&garbled)?;
    }
}
