//! The witness of a linearizability failure (see [`crate::witness`]).
//!
//! The call the checker could not place is, of the calls its explanation names, the one invoked
//! last (the read after the writes, the second cas); it stays, and the other calls stay where the
//! anomaly needs them. A sub-history fails for
//! the same reason when it is not linearizable and its own explanation names that call too, or,
//! where it names others, when it becomes linearizable without that call: either way the
//! anomaly is about that call, and not another one the shrinking happened to keep.

use super::budget::Budget;
use super::explain::Explanation;
use super::fast::FastPath;
use super::problem::{self, Partition};
use super::{check_partition, KeyFailure, KeyResult, Options, Report};
use crate::model::{
    append_kv::AppendKv, booking::Booking, mutex::Mutex, set::Set, spec::ModelKind, Datum,
    ModelSpec,
};
use crate::witness::{self, Anomaly, Grounds, NoWitness, Traced, Witness};
use histories::{Call, History};
use std::time::Instant;

/// The witness of the first invalid key of `report`, a check of `history` against `spec`.
pub fn witness(
    history: &History,
    spec: &ModelSpec,
    options: &Options,
    report: &Report,
) -> Result<Witness, NoWitness> {
    let Some(failure) = report.invalid.first() else {
        return Err(NoWitness::NotInvalid);
    };
    let calls = history.calls()?;
    let sem = options.semantics;
    let with = |f: &KeyFailure| -> Result<Witness, NoWitness> {
        match spec.kind {
            ModelKind::Register | ModelKind::CasRegister => {
                let model = spec
                    .register(sem)
                    .expect("a register kind gives a register");
                of_model(&model, history, &calls, options, f)
            }
            ModelKind::MultiRegister => {
                of_model(&spec.multi_register(sem), history, &calls, options, f)
            }
            ModelKind::Counter => of_model(&spec.counter(sem)?, history, &calls, options, f),
            ModelKind::Mutex => of_model(&Mutex, history, &calls, options, f),
            ModelKind::AppendKv => of_model(&AppendKv, history, &calls, options, f),
            ModelKind::Set => of_model(&Set, history, &calls, options, f),
            ModelKind::Booking => of_model(&Booking, history, &calls, options, f),
        }
    };
    with(failure)
}

/// The calls (ids) an explanation names.
pub fn named(e: &Explanation) -> Vec<usize> {
    match e {
        Explanation::Unplaceable { call, .. } | Explanation::NeverWritten { call, .. } => {
            vec![call.call]
        }
        Explanation::TwoCasFrom { first, second, .. } => vec![first.call, second.call],
        Explanation::Cycle { steps } => steps.iter().map(|s| s.call.call).collect(),
        Explanation::OverlappingSpans { outer, inner, .. } => [outer, inner]
            .iter()
            .flat_map(|s| s.completes.iter().chain([&s.invoked]).map(|c| c.call))
            .collect(),
    }
}

fn of_model<M: FastPath>(
    model: &M,
    history: &History,
    calls: &[Call],
    options: &Options,
    failure: &KeyFailure,
) -> Result<Witness, NoWitness> {
    let parts = problem::partitions(model, calls, options.semantics)?;
    let part = parts
        .into_iter()
        .find(|p| {
            p.key
                .as_ref()
                .map_or(serde_json::Value::Null, Datum::to_json)
                == failure.key
        })
        .ok_or_else(|| NoWitness::NotReproduced {
            tried: format!("key {} has no calls", failure.key),
        })?;
    let entries = &part.entries;
    let position = |id: usize| entries.iter().position(|e| e.call == id);
    let mut focus: Vec<usize> = named(&failure.explanation)
        .into_iter()
        .filter_map(position)
        .collect();
    focus.sort_unstable();
    focus.dedup();
    // The call it could not place: the one of them invoked last.
    let Some(&primary) = focus.iter().max_by_key(|&&i| entries[i].invoke) else {
        return Err(NoWitness::NotReproduced {
            tried: "the explanation names no call of its key".into(),
        });
    };
    let traced: Vec<Traced> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| Traced {
            call: i,
            traces: model.traces(&e.action),
            invoke: e.invoke,
            complete: e.complete,
        })
        .collect();
    let grounds = Grounds::new(&traced);
    let quick = Options {
        explain: false,
        all_keys: false,
        ..options.clone()
    };
    let started = Instant::now();
    let judge = |keep: &[usize]| {
        let sub = Partition {
            key: part.key.clone(),
            entries: keep.iter().map(|&i| entries[i].clone()).collect(),
        };
        let time = witness::SHRINK_TIME.saturating_sub(started.elapsed());
        let budget = Budget::new(Some(time), options.memory_limit, options.heap.clone());
        check_partition(model, calls, &sub, &quick, &budget).result
    };
    let holds = |keep: &[usize]| match judge(keep) {
        KeyResult::Invalid(e) if named(&e).contains(&entries[primary].call) => true,
        KeyResult::Invalid(_) => {
            let without: Vec<usize> = keep.iter().copied().filter(|&i| i != primary).collect();
            matches!(judge(&without), KeyResult::Valid(_))
        }
        _ => false,
    };
    let all: Vec<usize> = (0..entries.len()).collect();
    // Only the call it could not place must stay; the other calls the explanation names stay
    // where the anomaly needs them.
    let (kept, minimal) = witness::shrink(&all, &[primary], &grounds, holds)?;
    let ids: Vec<usize> = kept.iter().map(|&i| entries[i].call).collect();
    let sub = witness::sub_history(history, calls, &ids);
    let mut focus_ops = vec![entries[primary].invoke];
    focus_ops.extend(
        focus
            .iter()
            .filter(|&&i| i != primary && kept.contains(&i))
            .map(|&i| entries[i].invoke),
    );
    Ok(Witness {
        anomaly: Anomaly::NotLinearizable(Box::new(failure.clone())),
        location: witness::locate(&sub, kept.len(), focus_ops, entries.len(), minimal),
        history: sub,
    })
}
