//! `rift check`: judge histories offline for linearizability.

use anyhow::{bail, Context};
use checker::linear::{check_history, shrink::shrink, Options, Report};
use checker::model::spec::ModelKind;
use checker::model::{FailSemantics, ModelSpec};
use checker::Verdict;
use histories::formats::{read_path, write_edn, write_jsonl, Format};
use histories::{History, OpType};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Check histories for linearizability.
///
/// Exit codes: 0 every history valid, 1 some history invalid, 2 some undecided (unknown, e.g. a
/// budget ran out; never reported as valid), 3 bad input or usage.
///
/// Without --model the model is inferred from the ops: read/write/cas -> cas-register (per key
/// when ops carry keys); get/put/append -> append-kv; acquire/release -> mutex; txn of
/// read/write -> multi-register; book/cancel -> booking. An ambiguous history is refused.
/// Registers start at --init (default 0, as Knossos' tests assume; null under etcd semantics);
/// multi-register keys start at 0 unless --init gives an object such as '{"x":0,"y":0}'.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// History files, or directories (every file under them).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The model: register, cas-register (kv), multi-register, mutex, append-kv, set, counter, booking.
    #[arg(long)]
    pub model: Option<String>,
    /// The input format (jsonl, edn, jepsen-log, porcupine-kv); detected from content by default.
    #[arg(long)]
    pub format: Option<String>,
    /// Print one JSON report per history instead of words.
    #[arg(long)]
    pub json: bool,
    /// Shrink an invalid history to a 1-minimal invalid sub-history, printed in its input format.
    #[arg(long)]
    pub shrink: bool,
    /// Explain: for a valid history, print a linearisation.
    #[arg(long)]
    pub explain: bool,
    /// Give up after this many seconds (verdict unknown).
    #[arg(long, value_name = "S")]
    pub time_limit: Option<f64>,
    /// Give up when the search's memo exceeds this many MiB (verdict unknown).
    #[arg(long, value_name = "MB")]
    pub memory_limit: Option<u64>,
    /// Report every invalid key instead of stopping at the first.
    #[arg(long)]
    pub all_keys: bool,
    /// Meaning of failed ops: knossos (dropped) or etcd (a failed cas observed a mismatch).
    #[arg(long, default_value = "knossos")]
    pub fail_semantics: String,
    /// The initial value, as JSON (e.g. 0, null, '{"x":0,"y":0}').
    #[arg(long, value_name = "JSON")]
    pub init: Option<String>,
}

/// Runs `rift check`.
pub fn run(args: Args) -> anyhow::Result<i32> {
    let semantics: FailSemantics = args.fail_semantics.parse()?;
    let format: Option<Format> = match &args.format {
        Some(f) => Some(f.parse().map_err(anyhow::Error::msg)?),
        None => None,
    };
    let init = match &args.init {
        Some(text) => Some(
            serde_json::from_str(text).with_context(|| format!("--init {text:?} is not JSON"))?,
        ),
        None => None,
    };
    let model = match &args.model {
        Some(m) => Some(m.parse::<ModelKind>()?),
        None => None,
    };
    let options = Options {
        semantics,
        time_limit: args.time_limit.map(Duration::from_secs_f64),
        memory_limit: args.memory_limit.map(|mb| mb << 20),
        all_keys: args.all_keys,
        explain: args.explain,
        fast_path: true,
    };
    let mut files = Vec::new();
    for p in &args.paths {
        collect(p, &mut files)?;
    }
    if files.is_empty() {
        bail!("no history files under {:?}", args.paths);
    }
    let mut overall: Option<Verdict> = None;
    let (mut valid, mut invalid, mut unknown, mut bad) = (0, 0, 0, 0);
    for file in &files {
        match check_file(file, format, model, init.clone(), &options, &args) {
            Ok(v) => {
                match v {
                    Verdict::Valid => valid += 1,
                    Verdict::Invalid => invalid += 1,
                    Verdict::Unknown { .. } => unknown += 1,
                }
                overall = Some(overall.map_or(v.clone(), |o| o.merge(v)));
            }
            Err(e) => {
                bad += 1;
                eprintln!("rift: {}: {e:#}", file.display());
            }
        }
    }
    if files.len() > 1 {
        println!(
            "{} histories: {valid} valid, {invalid} invalid, {unknown} unknown, {bad} unreadable",
            files.len()
        );
    }
    Ok(match overall {
        _ if bad > 0 && invalid == 0 => 3,
        Some(v) => v.exit_code(),
        None => 3,
    })
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("cannot read directory {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            let name = e.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if e.is_dir()
                || name.ends_with(".edn")
                || name.ends_with(".jsonl")
                || name.ends_with(".txt")
                || name.ends_with(".log")
            {
                collect(&e, out)?;
            }
        }
    } else if path.exists() {
        out.push(path.to_path_buf());
    } else {
        bail!("{}: no such file or directory", path.display());
    }
    Ok(())
}

/// The model a history's ops call for, or an error listing the choices.
pub fn infer(history: &History) -> anyhow::Result<ModelKind> {
    if let Some(m) = history.header.meta.get("model").and_then(|m| m.as_str()) {
        if let Ok(kind) = m.parse::<ModelKind>() {
            return Ok(kind);
        }
    }
    let mut fs: Vec<&str> = history
        .client_ops()
        .filter(|o| o.kind == OpType::Invoke)
        .map(|o| o.f.as_str())
        .collect();
    fs.sort_unstable();
    fs.dedup();
    let all_in = |set: &[&str]| fs.iter().all(|f| set.contains(f));
    let is_txn = fs == ["txn"];
    if is_txn {
        let micro: Vec<String> = history
            .client_ops()
            .filter_map(|o| o.value.as_array())
            .flatten()
            .filter_map(|m| m.get(0).and_then(|f| f.as_str()).map(str::to_string))
            .collect();
        if micro.iter().any(|f| f == "append" || f == "r") {
            bail!("this history is a transactional append/read workload: it is handled by the transactional checker (issue 6), not by `rift check`'s linearizability models");
        }
        return Ok(ModelKind::MultiRegister);
    }
    if fs.is_empty() {
        // No client calls: every model judges it alike (vacuously valid).
        return Ok(ModelKind::CasRegister);
    }
    let mut choices = Vec::new();
    if all_in(&["read", "write", "cas"]) {
        choices.push(ModelKind::CasRegister);
    }
    if all_in(&["get", "put", "append"]) {
        choices.push(ModelKind::AppendKv);
    }
    if all_in(&["acquire", "release"]) {
        choices.push(ModelKind::Mutex);
    }
    if all_in(&["book", "cancel", "available"]) {
        choices.push(ModelKind::Booking);
    }
    if all_in(&["add", "read"]) {
        choices.push(ModelKind::Set);
        choices.push(ModelKind::Counter);
    }
    match choices.as_slice() {
        [one] => Ok(*one),
        [] => bail!(
            "cannot tell the model from the ops {fs:?}; pass --model (one of {})",
            names()
        ),
        many => bail!(
            "the ops {fs:?} fit several models ({}); pass --model to choose",
            many.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn names() -> String {
    ModelKind::ALL
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_file(
    file: &Path,
    format: Option<Format>,
    model: Option<ModelKind>,
    init: Option<serde_json::Value>,
    options: &Options,
    args: &Args,
) -> anyhow::Result<Verdict> {
    let history = read_path(file, format)?;
    let (kind, inferred) = match model {
        Some(k) => (k, false),
        None => (infer(&history)?, true),
    };
    let init = init.or_else(|| history.header.meta.get("init").cloned());
    let spec = ModelSpec { kind, init };
    let report: Report = check_history(&history, &spec, options)?;
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "file": file, "inferred_model": inferred, "report": report })
        );
    } else {
        print!(
            "{}: {}{report}",
            file.display(),
            if inferred { "(model inferred) " } else { "" }
        );
    }
    if args.shrink && report.verdict == Verdict::Invalid {
        if let Some(small) = shrink(&history, &spec, options)? {
            let head = std::fs::read_to_string(file).unwrap_or_default();
            let detected =
                format.or_else(|| histories::formats::detect(&head[..head.len().min(4096)]));
            eprintln!("shrunk to {} ops:", small.ops.len());
            let out = std::io::stdout();
            match detected {
                Some(Format::Jsonl) | None => write_jsonl(out.lock(), &small)?,
                Some(_) => write_edn(out.lock(), &small)?,
            }
        }
    }
    Ok(report.verdict)
}
