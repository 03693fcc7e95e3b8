//! Shrinking: the shrunk history is invalid, and removing any one of its calls makes it valid.

use checker::gen::{generate, GenConfig};
use checker::linear::shrink::{shrink, sub_history};
use checker::linear::{check_history, Options};
use checker::model::spec::ModelKind;
use checker::model::ModelSpec;
use checker::Verdict;

fn one_minimal(kind: ModelKind, history: &histories::History, options: &Options) {
    let spec = ModelSpec::new(kind);
    let small = shrink(history, &spec, options)
        .unwrap()
        .expect("the history is invalid");
    assert_eq!(
        check_history(&small, &spec, options).unwrap().verdict,
        Verdict::Invalid
    );
    let calls = small.calls().unwrap();
    assert!(calls.len() < history.calls().unwrap().len());
    for drop in 0..calls.len() {
        let keep: Vec<usize> = (0..calls.len()).filter(|&c| c != drop).collect();
        let smaller = sub_history(&small, &calls, &keep);
        let verdict = check_history(&smaller, &spec, options).unwrap().verdict;
        // With no call left the history is empty, which is Unknown (never Valid): not invalid.
        let expected = if keep.is_empty() {
            Verdict::unknown("the history is empty: nothing was checked")
        } else {
            Verdict::Valid
        };
        assert_eq!(verdict, expected, "dropping call {drop} of {calls:?}");
    }
}

#[test]
fn a_shrunk_register_history_is_invalid_and_one_minimal() {
    for seed in 0..20 {
        let h = generate(&GenConfig {
            seed,
            calls: 200,
            keys: 3,
            processes: 5,
            info_rate: 0.05,
            anomaly_rate: 0.05,
            ..GenConfig::default()
        });
        if check_history(
            &h,
            &ModelSpec::new(ModelKind::CasRegister),
            &Options::default(),
        )
        .unwrap()
        .verdict
            == Verdict::Invalid
        {
            one_minimal(ModelKind::CasRegister, &h, &Options::default());
            one_minimal(
                ModelKind::CasRegister,
                &h,
                &Options {
                    fast_path: false,
                    ..Options::default()
                },
            );
        }
    }
}

#[test]
fn the_porcupine_bad_histories_shrink_to_one_minimal_ones() {
    for file in ["c01-bad.txt", "c10-bad.txt"] {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/corpora/porcupine-kv"
        ))
        .join(file);
        let h = histories::formats::read_path(&path, None).unwrap();
        one_minimal(ModelKind::AppendKv, &h, &Options::default());
    }
}
