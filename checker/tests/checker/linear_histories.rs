//! Hand-built histories: what each semantic rule and each budget promises.

use super::notation::history;
use checker::linear::{check_history, Explanation, Options};
use checker::model::spec::ModelKind;
use checker::model::{FailSemantics, ModelSpec};
use checker::Verdict;
use std::time::Duration;

fn verdict(text: &str, kind: ModelKind, options: &Options) -> Verdict {
    check_history(&history(text), &ModelSpec::new(kind), options)
        .unwrap()
        .verdict
}

fn cas(text: &str) -> Verdict {
    verdict(text, ModelKind::CasRegister, &Options::default())
}

#[test]
fn a_read_of_the_last_completed_write_is_linearizable() {
    assert_eq!(cas("0:w1 0:ok 1:r 1:ok1"), Verdict::Valid);
}

#[test]
fn a_stale_read_after_a_newer_write_completed_is_not_linearizable() {
    assert_eq!(cas("0:w1 0:ok 0:w2 0:ok 1:r 1:ok1"), Verdict::Invalid);
}

#[test]
fn a_read_concurrent_with_a_write_may_see_either_value() {
    assert_eq!(cas("0:w1 0:ok 0:w2 1:r 1:ok1 0:ok"), Verdict::Valid);
    assert_eq!(cas("0:w1 0:ok 0:w2 1:r 1:ok2 0:ok"), Verdict::Valid);
}

#[test]
fn an_info_write_may_take_effect_after_its_invocation() {
    assert_eq!(cas("0:w1 0:info 1:r 1:ok0 1:r 1:ok1"), Verdict::Valid);
    // ... but never before it.
    assert_eq!(cas("1:r 1:ok1 0:w1 0:info"), Verdict::Invalid);
}

#[test]
fn an_info_cas_that_could_never_succeed_is_simply_a_no_op() {
    assert_eq!(cas("0:c1-4 0:info 1:r 1:ok0"), Verdict::Valid);
}

#[test]
fn an_info_write_once_observed_cannot_be_unobserved() {
    assert_eq!(cas("0:w1 0:info 1:r 1:ok1 1:r 1:ok0"), Verdict::Invalid);
}

#[test]
fn a_failed_write_had_no_effect_under_knossos_semantics() {
    assert_eq!(cas("0:w1 0:fail 1:r 1:ok1"), Verdict::Invalid);
    assert_eq!(cas("0:w1 0:fail 1:r 1:ok0"), Verdict::Valid);
}

#[test]
fn a_read_of_nil_constrains_nothing_under_knossos_semantics_but_means_no_value_under_etcd() {
    let etcd = Options {
        semantics: FailSemantics::Etcd,
        ..Options::default()
    };
    assert_eq!(cas("0:w1 0:ok 1:r 1:ok"), Verdict::Valid);
    assert_eq!(
        verdict("0:w1 0:ok 1:r 1:ok", ModelKind::CasRegister, &etcd),
        Verdict::Invalid
    );
    assert_eq!(
        verdict("1:r 1:ok 0:w1 0:ok", ModelKind::CasRegister, &etcd),
        Verdict::Valid
    );
}

#[test]
fn a_failed_cas_is_an_observed_mismatch_under_etcd_semantics() {
    let etcd = Options {
        semantics: FailSemantics::Etcd,
        ..Options::default()
    };
    // The register holds 1, so a cas from 1 cannot have failed ...
    let h = "0:w1 0:ok 1:c1-2 1:fail";
    assert_eq!(verdict(h, ModelKind::CasRegister, &etcd), Verdict::Invalid);
    // ... which Knossos semantics do not see: the fail is dropped.
    assert_eq!(cas(h), Verdict::Valid);
}

#[test]
fn a_mutex_cannot_be_acquired_twice_without_a_release() {
    assert_eq!(
        verdict("0:a 0:ok 1:a 1:ok", ModelKind::Mutex, &Options::default()),
        Verdict::Invalid
    );
    assert_eq!(
        verdict(
            "0:a 0:ok 0:l 0:ok 1:a 1:ok",
            ModelKind::Mutex,
            &Options::default()
        ),
        Verdict::Valid
    );
}

#[test]
fn keys_are_independent_registers() {
    assert_eq!(cas("0:w1@x 0:ok 1:r@y 1:ok0 1:r@x 1:ok1"), Verdict::Valid);
    assert_eq!(cas("0:w1@x 0:ok 1:r@y 1:ok1"), Verdict::Invalid);
}

#[test]
fn all_keys_reports_every_invalid_key_and_the_default_stops_at_one() {
    let h = history("0:w1@x 0:ok 0:w2@x 0:ok 1:r@x 1:ok1 0:w1@y 0:ok 0:w2@y 0:ok 1:r@y 1:ok1");
    let spec = ModelSpec::new(ModelKind::CasRegister);
    let all = Options {
        all_keys: true,
        fast_path: false,
        ..Options::default()
    };
    assert_eq!(check_history(&h, &spec, &all).unwrap().invalid.len(), 2);
    let first = check_history(
        &h,
        &spec,
        &Options {
            fast_path: false,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(first.verdict, Verdict::Invalid);
    assert!(!first.invalid.is_empty());
}

#[test]
fn an_invalid_verdict_names_the_call_and_the_states_that_made_it_impossible() {
    let h = history("0:w1 0:ok 0:w2 0:ok 1:r 1:ok1");
    let options = Options {
        fast_path: false,
        ..Options::default()
    };
    let report = check_history(&h, &ModelSpec::new(ModelKind::CasRegister), &options).unwrap();
    let failure = &report.invalid[0];
    let Explanation::Unplaceable {
        call,
        possible_states,
        longest,
        ..
    } = &failure.explanation
    else {
        panic!("expected an unplaceable call, got {failure:?}")
    };
    assert_eq!(call.action, "read of 1");
    assert_eq!(possible_states, &vec!["2".to_string()]);
    assert_eq!(longest.len(), 2);
    let words = failure.to_string();
    assert!(words.contains("read of 1 by process 1 at 4.000 ms (op 4) could not be placed: the register could only be 2 then"), "{words}");
}

#[test]
fn the_fast_path_explains_a_cycle_in_words() {
    let h = history("0:w1 0:ok 1:c1-2 1:ok 2:r 2:ok1");
    let report = check_history(
        &h,
        &ModelSpec::new(ModelKind::CasRegister),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(report.verdict, Verdict::Invalid);
    assert_eq!(report.keys_fast_path, 1);
    let words = report.invalid[0].to_string();
    assert!(
        matches!(report.invalid[0].explanation, Explanation::Cycle { .. }),
        "{words}"
    );
    assert!(words.contains("read of 1 by process 2"), "{words}");
}

#[test]
fn a_read_of_a_value_never_written_is_caught_by_the_fast_path() {
    let report = check_history(
        &history("0:w1 0:ok 1:r 1:ok7"),
        &ModelSpec::new(ModelKind::CasRegister),
        &Options::default(),
    )
    .unwrap();
    assert!(matches!(
        report.invalid[0].explanation,
        Explanation::NeverWritten { .. }
    ));
}

#[test]
fn explain_gives_a_linearisation_of_a_valid_history() {
    let h = history("0:w1 1:r 1:ok0 0:ok 1:r 1:ok1");
    for fast_path in [true, false] {
        let options = Options {
            explain: true,
            fast_path,
            ..Options::default()
        };
        let report = check_history(&h, &ModelSpec::new(ModelKind::CasRegister), &options).unwrap();
        let order: Vec<&str> = report.linearizations[0]
            .calls
            .iter()
            .map(|c| c.action.as_str())
            .collect();
        assert_eq!(order, ["read of 0", "write of 1", "read of 1"]);
    }
}

#[test]
fn an_empty_history_is_unknown_never_valid() {
    let report = check_history(
        &histories::History::default(),
        &ModelSpec::new(ModelKind::CasRegister),
        &Options::default(),
    )
    .unwrap();
    assert!(matches!(report.verdict, Verdict::Unknown { .. }));
}

#[test]
fn an_exceeded_time_limit_is_unknown_never_valid() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpora/porcupine-kv/c50-ok.txt"
    ));
    let h = histories::formats::read_path(path, None).unwrap();
    let options = Options {
        time_limit: Some(Duration::ZERO),
        ..Options::default()
    };
    let report = check_history(&h, &ModelSpec::new(ModelKind::AppendKv), &options).unwrap();
    let Verdict::Unknown { reason } = report.verdict else {
        panic!("expected unknown, got {}", report.verdict)
    };
    assert!(reason.contains("time limit"), "{reason}");
}

#[test]
fn an_exceeded_memory_limit_is_unknown_never_valid() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpora/porcupine-kv/c50-ok.txt"
    ));
    let h = histories::formats::read_path(path, None).unwrap();
    let options = Options {
        memory_limit: Some(1),
        ..Options::default()
    };
    let report = check_history(&h, &ModelSpec::new(ModelKind::AppendKv), &options).unwrap();
    let Verdict::Unknown { reason } = report.verdict else {
        panic!("expected unknown, got {}", report.verdict)
    };
    assert!(reason.contains("memory limit"), "{reason}");
}

#[test]
fn the_fast_path_explains_a_stale_read_by_overlapping_spans() {
    let h = history("0:w1 0:ok 0:w2 0:ok 1:r 1:ok1");
    let report = check_history(
        &h,
        &ModelSpec::new(ModelKind::CasRegister),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(report.keys_fast_path, 1);
    let words = report.invalid[0].to_string();
    eprintln!("{words}");
    assert!(
        matches!(
            report.invalid[0].explanation,
            Explanation::OverlappingSpans { .. }
        ),
        "{words}"
    );
    assert!(
        words.starts_with("stale read: read of 1 by process 1")
            && words.contains(
                "returned 1, but 2 had replaced it before the read began: write of 2 by process 0"
            )
            && words.contains("began after write of 1 by process 0"),
        "a stale read in a sentence: {words}"
    );
}

#[test]
fn a_read_of_a_value_replaced_and_already_read_back_is_a_stale_read_in_a_sentence() {
    // 2 was written after 1 and read back; a later read still returned 1.
    let h = history("0:w1 0:ok 0:w2 0:ok 1:r 1:ok2 2:r 2:ok1");
    let report = check_history(
        &h,
        &ModelSpec::new(ModelKind::CasRegister),
        &Options::default(),
    )
    .unwrap();
    let failure = &report.invalid[0];
    let words = failure.to_string();
    assert!(failure.explanation.is_stale_read(), "{words}");
    assert!(
        words.contains("stale read: read of 1 by process 2")
            && words.contains("but 2 had replaced it before the read began: 2 had to be current from the end of write of 2 by process 0")
            && words.contains("until read of 2 by process 1"),
        "{words}"
    );
}
