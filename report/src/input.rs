//! What a report is drawn from: the typed view its caller builds.

use crate::FaultBand;
use checker::Judgement;
use histories::History;

/// Everything one report.html shows. The caller (the runner at the end of a run, `rift report`,
/// `rift check --report`) builds it; [`crate::render`] turns it into the page.
pub struct RunReport<'a> {
    /// The page's title, e.g. "booking 20261127T160527.370Z".
    pub title: String,
    /// The history, nemesis ops included (they are not drawn: faults come from `faults`).
    pub history: &'a History,
    /// Each checker's judgement, in the order the checkers ran.
    pub judgements: &'a [Judgement],
    /// The shrunk witness of an invalid verdict, when one was found.
    pub witness: Option<Witness>,
    /// The faults, as bands on the time axis (see [`crate::fault_bands`]).
    pub faults: Vec<FaultBand>,
    /// What is known of the run that recorded the history; `None` for an offline history.
    pub run: Option<RunFacts>,
}

/// The smallest sub-history found that is still invalid: its ops are highlighted on the
/// timeline and listed under the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Witness {
    /// The indices (`Op::index`) of the witness's ops, invocations and completions.
    pub ops: Vec<u64>,
    /// What the witness shows, in one sentence.
    pub summary: String,
}

impl Witness {
    /// The page's view of a checker's witness: every op it kept, and its first line (how many
    /// calls, where, about which ops).
    pub fn of(w: &checker::Witness) -> Witness {
        let text = w.to_string();
        Witness {
            ops: w.location.ops.clone(),
            summary: text.lines().next().unwrap_or_default().to_string(),
        }
    }
}

/// The facts of a stored run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    /// The run's seed.
    pub seed: u64,
    /// The command that runs the same config with the same seed.
    pub reproduce: String,
    /// The run's config, as TOML (what `rift run --config` reads).
    pub config_toml: String,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// The raw files of the run, linked from the page.
    pub files: Vec<RawFile>,
}

/// A link to one of the run's files.
#[derive(Debug, Clone, PartialEq)]
pub struct RawFile {
    /// What it is ("history", "faults", "log of n1").
    pub label: String,
    /// Its path relative to the directory the report is written in (`history.jsonl`,
    /// `nodes/n1.log`).
    pub href: String,
}
