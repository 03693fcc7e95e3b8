//! `rift check --report FILE.html`: one history (or stored run) checked and drawn as one
//! self-contained HTML page.

use super::{detect_file, infer, named_by_header, Args, Model};
use checker::checkers::{Checker, Linearizable, Transactions};
use checker::linear::Options;
use checker::model::ModelSpec;
use checker::txn::TxnOptions;
use checker::Verdict;
use histories::formats::{read_path, Format};
use report::{fault_bands, AppliedFault, RunReport, Witness};
use std::path::Path;

/// The checks `rift check` would make of its one path, written as a report to `page`; returns the
/// exit code of the verdict.
pub fn write(
    args: &Args,
    page: &Path,
    format: Option<Format>,
    model: Option<Model>,
    init: Option<serde_json::Value>,
    options: &Options,
    txn_options: &TxnOptions,
) -> anyhow::Result<i32> {
    let [path] = args.paths.as_slice() else {
        anyhow::bail!(
            "--report draws one history; {} paths were given",
            args.paths.len()
        );
    };
    let (html, verdict) = if super::stored::is_run_dir(path) {
        crate::cli::report::stored::render_run(path, page.parent())?
    } else {
        history_page(path, format, model, init, options, txn_options, args.shrink)?
    };
    std::fs::write(page, html)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", page.display()))?;
    println!(
        "{}: {verdict}; report in {}",
        path.display(),
        page.display()
    );
    Ok(verdict.exit_code())
}

fn history_page(
    file: &Path,
    format: Option<Format>,
    model: Option<Model>,
    init: Option<serde_json::Value>,
    options: &Options,
    txn_options: &TxnOptions,
    want_witness: bool,
) -> anyhow::Result<(String, Verdict)> {
    let history = read_path(file, format.or_else(|| detect_file(file)))?;
    let model = match model {
        Some(m) => m,
        None => named_by_header(&history).map_or_else(|| infer(&history), Ok)?,
    };
    let mut witness = None;
    let judgement = match model {
        Model::Linear(kind) => {
            let init = init.or_else(|| history.header.meta.get("init").cloned());
            let spec = ModelSpec { kind, init };
            let checker = Linearizable {
                spec: spec.clone(),
                options: options.clone(),
            };
            let j = checker.check(&history);
            if want_witness && j.verdict == Verdict::Invalid {
                witness = checker.witness(&history, &j).ok().map(|w| Witness::of(&w));
            }
            j
        }
        Model::Txn(workload) => Transactions {
            options: TxnOptions {
                workload,
                ..txn_options.clone()
            },
        }
        .check(&history),
        Model::Bank => super::bank_checker(&history, init)?.check(&history),
    };
    let verdict = judgement.verdict.clone();
    let judgements = [judgement];
    let report = RunReport {
        title: file.display().to_string(),
        history: &history,
        judgements: &judgements,
        witness,
        faults: fault_bands(&AppliedFault::from_history(&history)),
        run: None,
    };
    Ok((report::render(&report), verdict))
}
