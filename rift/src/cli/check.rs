//! `rift check`: judge histories offline, for linearizability or, for transactions, for the
//! consistency models their anomalies rule out; and re-check stored runs.

mod in_order;
pub mod memory;
mod report;
mod stored;
mod txn;
mod witness;

use anyhow::{bail, Context};
use checker::checkers::{BankInvariants, Evidence, Linearizable, Transactions};
use checker::invariants::bank::{self, BankOptions};
use checker::linear::{check_history, Options, Report};
use checker::model::spec::ModelKind;
use checker::model::{FailSemantics, ModelSpec};
use checker::txn::TxnOptions;
use checker::{Checker, Verdict};
use histories::formats::{detect, read_path, Format};
use histories::{History, OpType};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Check histories for linearizability, or transactions for isolation anomalies.
///
/// Exit codes: 0 every history valid, 1 some history invalid, 2 some undecided (unknown, e.g. a
/// budget ran out; never reported as valid), 3 bad input or usage.
///
/// Without --model the model is inferred from the ops: read/write/cas -> cas-register (per key
/// when ops carry keys); get/put/append -> append-kv; acquire/release -> mutex; txn of
/// read/write -> multi-register; txn of Elle's append/r/w -> the transactional checker
/// (list-append or rw-register, judged against --consistency-model); book/cancel -> booking.
/// transfer/read -> the bank's invariants (opening balances from --init or the header; negative
/// balances forbidden; no real-time bound). An ambiguous history is refused.
///
/// A PATH holding run.json and history.jsonl is a stored run: it is re-checked with the checkers
/// its workload got in `rift run`, and the verdicts are merged.
/// Registers start at --init (default 0, as Knossos' tests assume; null under etcd semantics);
/// multi-register keys start at 0 unless --init gives an object such as '{"x":0,"y":0}'.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// History files, or directories (every file under them).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The model: register, cas-register (kv), multi-register, mutex, append-kv, set, counter,
    /// booking; or list-append, rw-register (transactional); or bank (invariants).
    #[arg(long)]
    pub model: Option<String>,
    /// The input format (jsonl, edn, jepsen-log, porcupine-kv); detected from content by default.
    #[arg(long)]
    pub format: Option<String>,
    /// Print one JSON report per history instead of words.
    #[arg(long)]
    pub json: bool,
    /// Shrink an invalid history to a witness: a small sub-history that shows the same anomaly
    /// on the same ops (the call that could not be placed, the transactions of the cycle), with
    /// every value its calls observed written by a call it keeps; printed with the anomaly and
    /// where it sits in the original, then in the input's format.
    #[arg(long)]
    pub shrink: bool,
    /// Explain: for a valid history, print a linearisation; for transactions, print the
    /// dependency graph, each edge with its reason.
    #[arg(long)]
    pub explain: bool,
    /// Give up after this many seconds (verdict unknown).
    #[arg(long, value_name = "S")]
    pub time_limit: Option<f64>,
    /// Give up (verdict unknown) before rift's heap would grow past this many MiB. Default: 75%
    /// of the memory free when rift starts (the least of MemAvailable, the room under its memory
    /// cgroups' limits and under its address-space rlimit), so that the kernel never kills it.
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
    /// For transactions: the consistency model the verdict is about (read-uncommitted,
    /// read-committed, read-atomic, repeatable-read, snapshot-isolation, serializable,
    /// strong-session-snapshot-isolation, strong-snapshot-isolation, strong-session-serializable,
    /// strict-serializable). Default strict-serializable. Implies a transactional history.
    #[arg(long, value_name = "MODEL")]
    pub consistency_model: Option<String>,
    /// For transactions: judge the history by these anomalies (comma-separated, e.g.
    /// G1a,G1c,G-single) instead of a consistency model: invalid when one of them, or an anomaly
    /// that implies one of them (a G-single is a G2-item), is found. Implies a transactional
    /// history.
    #[arg(
        long,
        value_name = "A,B,...",
        value_delimiter = ',',
        conflicts_with = "consistency_model"
    )]
    pub anomalies: Vec<String>,
    /// For transactions: infer edges from each process's order (the -process anomalies).
    #[arg(long, value_name = "on|off", default_value = "on")]
    pub process_order: Switch,
    /// For transactions: infer edges from real-time order (the -realtime anomalies). With an
    /// order off, anomalies only it could show are not looked for: a model that forbids them
    /// gets unknown at best.
    #[arg(long, value_name = "on|off", default_value = "on")]
    pub realtime_order: Switch,
    /// For rw-register transactions: infer that a transaction's write follows the version it
    /// read of the same key (writes-follow-reads).
    #[arg(long, value_name = "on|off", default_value = "on")]
    pub writes_follow_reads: Switch,
    /// Also write the history (one path) checked and drawn as a self-contained HTML page.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Also say how hard the search worked (configurations it memoised).
    #[arg(long)]
    pub verbose: bool,
}

/// An inference turned on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    /// Inferred.
    On,
    /// Not inferred.
    Off,
}

impl Switch {
    fn on(self) -> bool {
        self == Switch::On
    }
}

impl Args {
    /// The transactional flags given on the command line, by name (for refusing them with a
    /// linearizability model).
    fn txn_flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        if self.consistency_model.is_some() {
            flags.push("--consistency-model");
        }
        if !self.anomalies.is_empty() {
            flags.push("--anomalies");
        }
        if !self.process_order.on() {
            flags.push("--process-order");
        }
        if !self.realtime_order.on() {
            flags.push("--realtime-order");
        }
        if !self.writes_follow_reads.on() {
            flags.push("--writes-follow-reads");
        }
        flags
    }
}

/// The checker a history goes to.
#[derive(Debug, Clone, Copy)]
enum Model {
    /// Linearizability against this model.
    Linear(ModelKind),
    /// The transactional checker, with the workload when it was named.
    Txn(Option<checker::txn::Workload>),
    /// The bank's invariants, from the opening balances given by --init or the header.
    Bank,
}

/// One thing to check: a history file or a stored run's directory.
enum Item {
    File(PathBuf),
    Run(PathBuf),
}

impl Item {
    fn path(&self) -> &Path {
        match self {
            Item::File(p) | Item::Run(p) => p,
        }
    }
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
    let mut txn_options = TxnOptions {
        time_limit: args.time_limit.map(Duration::from_secs_f64),
        anomalies: args
            .anomalies
            .iter()
            .map(|a| txn::parse_anomaly(a))
            .collect::<anyhow::Result<_>>()?,
        process_order: args.process_order.on(),
        realtime_order: args.realtime_order.on(),
        writes_follow_reads: args.writes_follow_reads.on(),
        ..TxnOptions::default()
    };
    if let Some(name) = &args.consistency_model {
        txn_options.model = txn::parse_model(name)?;
    }
    let txn_flags = args.txn_flags();
    let model = match (&args.model, txn_flags.first()) {
        (Some(m), _) if txn::workload(m).is_some() => Some(Model::Txn(txn::workload(m))),
        (Some(m), Some(flag)) if m == bank::MODEL => bail!(
            "{flag} is for transactional histories; --model bank is judged by the bank's \
             invariants (drop the flag)"
        ),
        (Some(m), None) if m == bank::MODEL => Some(Model::Bank),
        (Some(m), Some(flag)) => bail!(
            "{flag} is for transactional histories; --model {m} is a linearizability model \
             (use --model list-append or rw-register, or drop one flag)"
        ),
        (Some(m), None) => Some(Model::Linear(m.parse::<ModelKind>()?)),
        (None, Some(_)) => Some(Model::Txn(None)),
        (None, None) => None,
    };
    let limit = args
        .memory_limit
        .map(memory::Limit::given)
        .or_else(memory::Limit::default_for_this_machine);
    let options = Options {
        semantics,
        time_limit: args.time_limit.map(Duration::from_secs_f64),
        memory_limit: limit.as_ref().map(|l| l.bytes),
        heap: Some(memory::gauge()),
        all_keys: args.all_keys,
        explain: args.explain,
        fast_path: true,
    };
    if let Some(page) = &args.report {
        return report::write(&args, page, format, model, init, &options, &txn_options);
    }
    let mut files = Vec::new();
    for p in &args.paths {
        collect(p, true, &mut files)?;
    }
    if files.is_empty() {
        bail!("no history files under {:?}", args.paths);
    }
    let bar = progress(files.len())?;
    let mut overall: Option<Verdict> = None;
    let (mut valid, mut invalid, mut unknown, mut bad) = (0, 0, 0, 0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let check_item = |item: &Item| match item {
        Item::File(file) => check_file(
            file,
            format,
            model,
            init.clone(),
            &options,
            &txn_options,
            &args,
        )
        .map(|(verdict, mut out)| {
            if let (Verdict::Unknown { .. }, Some(l)) = (&verdict, &limit) {
                if !args.json {
                    out += &format!("memory limit in force: {l}\n");
                }
            }
            (verdict, out)
        }),
        Item::Run(dir) => stored::check_run(dir, args.json).map(|(verdict, mut out)| {
            if args.shrink && verdict == Verdict::Invalid && !args.json {
                out += "no witness: --shrink shrinks history files; for a stored run, check its \
                        history.jsonl with --shrink\n";
            }
            (verdict, out)
        }),
    };
    in_order::in_order(&files, threads, check_item, |item, checked| {
        bar.inc(1);
        bar.set_message(item.path().display().to_string());
        match checked {
            Ok((v, out)) => {
                bar.suspend(|| print!("{out}"));
                match v {
                    Verdict::Valid => valid += 1,
                    Verdict::Invalid => invalid += 1,
                    Verdict::Unknown { .. } => unknown += 1,
                }
                overall = Some(overall.take().map_or(v.clone(), |o| o.merge(v)));
            }
            Err(e) => {
                bad += 1;
                bar.suspend(|| eprintln!("rift: {}: {e:#}", item.path().display()));
            }
        }
    });
    bar.finish_and_clear();
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

/// A bar over several items, or a spinner for one long check; on stderr, and drawn only when
/// stderr is a terminal (indicatif hides a draw target that is not one).
fn progress(items: usize) -> anyhow::Result<ProgressBar> {
    let target = ProgressDrawTarget::stderr();
    Ok(if items > 1 {
        let bar = ProgressBar::with_draw_target(Some(items as u64), target);
        bar.set_style(ProgressStyle::with_template(
            "{bar:30} {pos}/{len} {elapsed} {wide_msg}",
        )?);
        bar
    } else {
        let spinner = ProgressBar::with_draw_target(None, target);
        spinner.set_style(ProgressStyle::with_template(
            "{spinner} checking {wide_msg} ({elapsed})",
        )?);
        spinner.enable_steady_tick(Duration::from_millis(200));
        spinner
    })
}

/// Gathers the items under `path`: a stored run's directory is one item; another directory
/// holds every history under it (links to directories, such as the store's `latest`, are not
/// followed below the top, so no run is checked twice).
fn collect(path: &Path, top: bool, out: &mut Vec<Item>) -> anyhow::Result<()> {
    let is_link = || {
        std::fs::symlink_metadata(path)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false)
    };
    if path.is_dir() && !top && is_link() {
        return Ok(());
    }
    if path.is_dir() && stored::is_run_dir(path) {
        out.push(Item::Run(path.to_path_buf()));
    } else if path.is_dir() {
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
                collect(&e, false, out)?;
            }
        }
    } else if path.exists() {
        out.push(Item::File(path.to_path_buf()));
    } else {
        bail!("{}: no such file or directory", path.display());
    }
    Ok(())
}

/// The model a history's header names (`rift run` writes it), if one it knows.
fn named_by_header(history: &History) -> Option<Model> {
    let m = history.header.meta.get("model")?.as_str()?;
    if let Ok(kind) = m.parse::<ModelKind>() {
        return Some(Model::Linear(kind));
    }
    if m == bank::MODEL {
        return Some(Model::Bank);
    }
    txn::workload(m).map(|w| Model::Txn(Some(w)))
}

/// The model a history's ops call for, or an error listing the choices.
fn infer(history: &History) -> anyhow::Result<Model> {
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
        let mut micro: Vec<&str> = history
            .client_ops()
            .flat_map(|o| txn::micro_op_names(&o.value))
            .collect();
        micro.sort_unstable();
        micro.dedup();
        if txn::is_elle_micro_ops(&micro) {
            return Ok(Model::Txn(None));
        }
        return Ok(Model::Linear(ModelKind::MultiRegister));
    }
    if fs.contains(&"transfer") && all_in(&["transfer", "read"]) {
        return Ok(Model::Bank);
    }
    if fs.is_empty() {
        // No client calls: every model judges it alike (vacuously valid).
        return Ok(Model::Linear(ModelKind::CasRegister));
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
        [one] => Ok(Model::Linear(*one)),
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

/// The format of `file` as detected from its first bytes, if it can be told.
fn detect_file(file: &Path) -> Option<Format> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .ok()?;
    let text = match std::str::from_utf8(&head) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
    };
    detect(text)
}

/// Checks one history file; returns its verdict and what to print.
#[allow(clippy::too_many_arguments)]
fn check_file(
    file: &Path,
    format: Option<Format>,
    model: Option<Model>,
    init: Option<serde_json::Value>,
    options: &Options,
    txn_options: &TxnOptions,
    args: &Args,
) -> anyhow::Result<(Verdict, String)> {
    let format = format.or_else(|| detect_file(file));
    // --explain prints the dependency graph and --shrink re-checks sub-histories: both need the
    // history whole.
    let streamed = !args.explain
        && !args.shrink
        && match model {
            Some(Model::Txn(_)) => format == Some(Format::Jsonl),
            Some(Model::Linear(_) | Model::Bank) => false,
            None => format == Some(Format::Jsonl) && txn::jsonl_is_transactional(file)?,
        };
    if streamed {
        let workload = match model {
            Some(Model::Txn(w)) => w,
            _ => None,
        };
        let opts = TxnOptions {
            workload,
            ..txn_options.clone()
        };
        let (report, cut_short) = txn::check_jsonl(file, &opts)?;
        return Ok(txn_output(file, model.is_none(), &report, cut_short, args));
    }
    let history = read_path(file, format)?;
    let (model, inferred) = match model {
        Some(m) => (m, false),
        None => match named_by_header(&history) {
            Some(m) => (m, false),
            None => (infer(&history)?, true),
        },
    };
    let kind = match model {
        Model::Linear(kind) => kind,
        Model::Bank => {
            let checker = bank_checker(&history, init)?;
            let j = checker.check(&history);
            let out = if args.json {
                format!(
                    "{}\n",
                    serde_json::json!({"file": file, "inferred_model": inferred, "report": j.details()})
                )
            } else {
                format!(
                    "{}: {}{}",
                    file.display(),
                    if inferred { "(model inferred) " } else { "" },
                    j.explanation
                )
            };
            return Ok((j.verdict, out));
        }
        Model::Txn(workload) => {
            let opts = TxnOptions {
                workload,
                ..txn_options.clone()
            };
            let report = txn::check_history(&history, &opts)?;
            let cut_short = history.provenance.cut_short;
            let (verdict, mut out) = txn_output(file, inferred, &report, cut_short, args);
            if args.explain && !args.json {
                out += &txn::graph_in_words(&history, &opts)?;
            }
            if args.shrink && verdict == Verdict::Invalid {
                let checker = Transactions { options: opts };
                let j = witness::judgement(&checker, &verdict, Evidence::Txn(Box::new(report)));
                if args.json {
                    out = json_with_witness(&out, witness::as_json(&checker, &history, &j))?;
                } else {
                    out += &witness::in_words(&checker, &history, &j, format)?;
                }
            }
            return Ok((verdict, out));
        }
    };
    let init = init.or_else(|| history.header.meta.get("init").cloned());
    let spec = ModelSpec { kind, init };
    let report: Report = check_history(&history, &spec, options)?;
    let mut out = String::new();
    if args.json {
        out = format!(
            "{}\n",
            serde_json::json!({
                "file": file,
                "inferred_model": inferred,
                "cut_short_line": history.provenance.cut_short,
                "report": report
            })
        );
    } else {
        out += &cut_short_note(file, history.provenance.cut_short);
        out += &format!(
            "{}: {}{report}",
            file.display(),
            if inferred { "(model inferred) " } else { "" }
        );
        if args.verbose {
            out += &format!("search: {} configurations memoised\n", report.memo_entries);
        }
    }
    if args.shrink && report.verdict == Verdict::Invalid {
        let verdict = report.verdict.clone();
        let checker = Linearizable {
            spec,
            options: options.clone(),
        };
        let j = witness::judgement(&checker, &verdict, Evidence::Linear(Box::new(report)));
        if args.json {
            out = json_with_witness(&out, witness::as_json(&checker, &history, &j))?;
        } else {
            out += &witness::in_words(&checker, &history, &j, format)?;
        }
        return Ok((verdict, out));
    }
    Ok((report.verdict, out))
}

/// One JSON line with a `witness` member added.
fn json_with_witness(line: &str, witness: serde_json::Value) -> anyhow::Result<String> {
    let mut value: serde_json::Value = serde_json::from_str(line.trim())?;
    value["witness"] = witness;
    Ok(format!("{value}\n"))
}

/// A transactional report as printed: one JSON object, or the report in words.
fn txn_output(
    file: &Path,
    inferred: bool,
    report: &checker::txn::TxnReport,
    cut_short: Option<u32>,
    args: &Args,
) -> (Verdict, String) {
    let out = if args.json {
        format!(
            "{}\n",
            serde_json::json!({
                "file": file,
                "inferred_model": inferred,
                "cut_short_line": cut_short,
                "report": report
            })
        )
    } else {
        format!(
            "{}{}: (transactions{}) {report}",
            cut_short_note(file, cut_short),
            file.display(),
            if inferred { ", model inferred" } else { "" }
        )
    };
    (report.verdict.clone(), out)
}

/// A line saying that `file`'s last line (`line`) was cut short and not read; empty when none was.
pub fn cut_short_note(file: &Path, line: Option<u32>) -> String {
    match line {
        Some(n) => format!(
            "{}: note: line {n} is cut short (no newline and not a whole op: its writer was \
             killed mid-append); the ops before it are checked\n",
            file.display()
        ),
        None => String::new(),
    }
}

/// The bank's invariants over `history`, its accounts opening as `init` (--init) or the
/// header's `init` say.
fn bank_checker(
    history: &History,
    init: Option<serde_json::Value>,
) -> anyhow::Result<BankInvariants> {
    let init = init
        .or_else(|| history.header.meta.get("init").cloned())
        .context(
            "a bank history needs its accounts' opening balances: pass --init, e.g. \
             '{\"0\": 10, \"1\": 10}' (a history rift recorded carries them in its header)",
        )?;
    Ok(BankInvariants {
        options: BankOptions::from_init(&init)?,
    })
}
