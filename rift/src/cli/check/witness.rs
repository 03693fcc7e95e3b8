//! `rift check --shrink`: an invalid verdict shrunk to a witness that shows the same anomaly on
//! the same ops, printed with which anomaly it is and where it sits, then the sub-history in the
//! input's format.

use checker::checkers::{Checker, Evidence, Judgement};
use checker::{Verdict, Witness};
use histories::formats::{write_edn, write_jsonl, Format};
use histories::History;

/// A judgement carrying `evidence`, for asking `checker` for its witness.
pub fn judgement(checker: &dyn Checker, verdict: &Verdict, evidence: Evidence) -> Judgement {
    Judgement {
        checker: checker.name(),
        verdict: verdict.clone(),
        explanation: String::new(),
        evidence,
    }
}

/// The witness in words and the sub-history in `format`; or, plainly, why there is none.
pub fn in_words(
    checker: &dyn Checker,
    history: &History,
    judgement: &Judgement,
    format: Option<Format>,
) -> anyhow::Result<String> {
    let witness = match checker.witness(history, judgement) {
        Ok(w) => w,
        Err(why) => return Ok(format!("no witness: {why}\n")),
    };
    let mut out = witness.to_string();
    out += &format!("shrunk to {} ops:\n", witness.history.ops.len());
    let mut bytes = Vec::new();
    match format {
        Some(Format::Jsonl) | None => write_jsonl(&mut bytes, &witness.history)?,
        Some(_) => write_edn(&mut bytes, &witness.history)?,
    }
    out += &String::from_utf8_lossy(&bytes);
    Ok(out)
}

/// The witness as JSON (its anomaly and location, and the sub-history's ops), or why there is
/// none.
pub fn as_json(
    checker: &dyn Checker,
    history: &History,
    judgement: &Judgement,
) -> serde_json::Value {
    match checker.witness(history, judgement) {
        Ok(Witness {
            anomaly,
            location,
            history,
        }) => serde_json::json!({
            "anomaly": anomaly,
            "location": location,
            "ops": history.ops,
        }),
        Err(why) => serde_json::json!({ "none": why, "why": why.to_string() }),
    }
}
