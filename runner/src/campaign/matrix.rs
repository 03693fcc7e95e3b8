//! The campaign file and its cases.

use crate::nemesis::NemesisConfig;
use crate::run::{RunConfig, SystemConfig};
use crate::system::Registry;
use crate::RunError;
use checker::Verdict;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// An expected verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// Valid.
    Valid,
    /// Invalid.
    Invalid,
    /// Unknown.
    Unknown,
    /// Any verdict is fine (the case is run for its numbers).
    Any,
}

impl Expect {
    /// Whether `v` is what was expected.
    pub fn matches(self, v: &Verdict) -> bool {
        matches!(
            (self, v),
            (Expect::Any, _)
                | (Expect::Valid, Verdict::Valid)
                | (Expect::Invalid, Verdict::Invalid)
                | (Expect::Unknown, Verdict::Unknown { .. })
        )
    }
}

/// A system with its strategy, and the verdict expected of it by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    /// A short name for tables.
    pub name: String,
    /// The system and strategy.
    pub system: SystemConfig,
    /// The expected verdict under every nemesis not overridden.
    pub expect: Expect,
}

/// A named nemesis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nemesis {
    /// A short name for tables.
    pub name: String,
    /// Its config.
    pub nemesis: NemesisConfig,
}

/// An expectation for one strategy under one nemesis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The strategy's name.
    pub strategy: String,
    /// The nemesis's name.
    pub nemesis: String,
    /// The expected verdict.
    pub verdict: Expect,
}

/// A campaign file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// The campaign's name (the JUnit suite, the tests' prefix).
    pub name: String,
    /// Seeds each strategy x nemesis runs with.
    pub seeds: Vec<u64>,
    /// Config fields shared by every case.
    #[serde(default)]
    pub base: RunConfig,
    /// The strategies.
    pub strategies: Vec<Strategy>,
    /// The nemeses.
    pub nemeses: Vec<Nemesis>,
    /// Overrides of the strategies' expectations.
    #[serde(default)]
    pub expect: Vec<Override>,
}

/// One run of a campaign.
#[derive(Debug, Clone)]
pub struct Case {
    /// "strategy/nemesis/seed=N".
    pub name: String,
    /// The strategy's name.
    pub strategy: String,
    /// The nemesis's name.
    pub nemesis: String,
    /// The expected verdict.
    pub expect: Expect,
    /// What to run.
    pub config: RunConfig,
}

/// What a case came to.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case.
    pub case: Case,
    /// Its verdict, or the harness error that stopped it.
    pub verdict: Result<Verdict, String>,
    /// The anomaly categories with counts ("stale read x12"), the reason of an unknown verdict,
    /// or "none".
    pub anomalies: String,
    /// How long it took.
    pub duration: Duration,
    /// Where it was stored.
    pub dir: Option<PathBuf>,
}

impl CaseResult {
    /// Whether the verdict is the expected one (a harness error never is).
    pub fn as_expected(&self) -> bool {
        matches!(&self.verdict, Ok(v) if self.case.expect.matches(v))
    }
}

impl Campaign {
    /// Reads a campaign from a TOML file, checking that every case's config is valid and every
    /// override names a strategy and a nemesis of the campaign.
    pub fn load(path: &Path, registry: &Registry) -> Result<Campaign, RunError> {
        let text = std::fs::read_to_string(path).map_err(|source| RunError::CampaignRead {
            path: path.to_path_buf(),
            source,
        })?;
        let bad = |message: String| RunError::CampaignParse {
            path: path.to_path_buf(),
            message,
        };
        let mut c: Campaign =
            toml::from_str(&text).map_err(|e| bad(e.to_string().trim_end().to_string()))?;
        let dir = path.parent().unwrap_or(Path::new(""));
        c.base.system.relative_to(dir);
        if let Some(ssh) = &mut c.base.ssh {
            ssh.relative_to(dir);
        }
        for s in &mut c.strategies {
            s.system.relative_to(dir);
        }
        if c.seeds.is_empty() || c.strategies.is_empty() || c.nemeses.is_empty() {
            return Err(bad(
                "a campaign needs at least one seed, strategy and nemesis".into(),
            ));
        }
        for o in &c.expect {
            if !c.strategies.iter().any(|s| s.name == o.strategy) {
                return Err(bad(format!(
                    "[[expect]] names strategy {:?}, which the campaign has not",
                    o.strategy
                )));
            }
            if !c.nemeses.iter().any(|n| n.name == o.nemesis) {
                return Err(bad(format!(
                    "[[expect]] names nemesis {:?}, which the campaign has not",
                    o.nemesis
                )));
            }
        }
        c.validate(registry).map_err(bad)?;
        Ok(c)
    }

    /// Checks every case's config against the systems of `registry`, naming the first case
    /// that is wrong.
    pub fn validate(&self, registry: &Registry) -> Result<(), String> {
        for case in self.cases() {
            case.config
                .clone()
                .resolve(registry)
                .map_err(|e| format!("case {}: {e}", case.name))?;
        }
        Ok(())
    }

    /// Every case: strategies x nemeses x seeds, in that order.
    pub fn cases(&self) -> Vec<Case> {
        let mut cases = Vec::new();
        for s in &self.strategies {
            for n in &self.nemeses {
                let expect = self
                    .expect
                    .iter()
                    .find(|o| o.strategy == s.name && o.nemesis == n.name)
                    .map_or(s.expect, |o| o.verdict);
                for &seed in &self.seeds {
                    let mut config = self.base.clone();
                    config.system = s.system.clone();
                    config.nemesis = n.nemesis.clone();
                    config.seed = Some(seed);
                    config.test = format!("{}-{}-{}", self.name, s.name, n.name);
                    cases.push(Case {
                        name: format!("{}/{}/seed={seed}", s.name, n.name),
                        strategy: s.name.clone(),
                        nemesis: n.name.clone(),
                        expect,
                        config,
                    });
                }
            }
        }
        cases
    }
}
