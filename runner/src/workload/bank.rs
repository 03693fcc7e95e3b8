//! The bank workload (Jepsen's): transfers of 1 to 5 between accounts `0..keys`, each in a
//! transaction, and reads of every balance in one transaction; checked for a constant total, no
//! negative balance unless the config allows them, and every balance one the transfers the read
//! could have seen explain (with real-time bounds when the config's consistency model respects
//! real time).
//!
//! Every account starts with `balance`; a system creates the accounts when its driver opens,
//! from the options its [`DriverContext`](crate::system::DriverContext) carries. The final reads
//! are judged by the same invariants as every other read: that is the bank's convergence.

use super::{BankOp, Mix, OpSource, Operation, Workload, WorkloadConfig, WorkloadKind};
use crate::RunError;
use checker::invariants::bank::BankOptions;
use checker::txn::AnomalyKind;
use checker::{checkers, Compose};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// The bank workload's descriptor.
pub struct BankWorkload;

/// The largest amount one transfer moves.
const MAX_AMOUNT: u64 = 5;

impl Workload for BankWorkload {
    fn kind(&self) -> WorkloadKind {
        WorkloadKind::Bank
    }

    fn ops(&self) -> &'static [(&'static str, u32)] {
        &[("transfer", 3), ("read", 2)]
    }

    fn model(&self) -> &'static str {
        checker::invariants::bank::MODEL
    }

    /// The opening balances, so that `rift check` of the history alone knows them.
    fn init(&self, config: &WorkloadConfig) -> Option<serde_json::Value> {
        Some(bank_options(config).init())
    }

    fn validate(&self, config: &WorkloadConfig) -> Result<(), RunError> {
        if config.keys < 2 {
            return Err(RunError::Invalid {
                option: "keys",
                message: format!(
                    "the bank workload moves money between accounts: it needs at least 2, not {}",
                    config.keys
                ),
            });
        }
        if config.balance < 0 {
            return Err(RunError::Invalid {
                option: "balance",
                message: format!("an account cannot start below zero ({})", config.balance),
            });
        }
        Ok(())
    }

    fn source(&self, config: &WorkloadConfig, mix: Mix) -> Box<dyn OpSource> {
        Box::new(Transfers {
            accounts: config.keys as u64,
            mix,
        })
    }

    fn final_reads(&self, _config: &WorkloadConfig) -> Vec<Operation> {
        vec![Operation::Bank(BankOp::Read)]
    }

    fn checkers(&self, config: &WorkloadConfig, _limit: Duration) -> Compose {
        Compose::new().with(checkers::BankInvariants {
            options: bank_options(config),
        })
    }
}

/// What the bank's invariants are checked against: every account at `balance`, negative
/// balances as the config allows, real-time bounds when its model respects real time.
pub fn bank_options(config: &WorkloadConfig) -> BankOptions {
    BankOptions {
        negative_allowed: config.negative_balances,
        real_time: config
            .consistency_model
            .forbids(AnomalyKind::GSingleRealtime),
        ..BankOptions::uniform(config.keys, config.balance)
    }
}

/// Draws transfers of 1..=5 between two distinct accounts, and reads.
pub struct Transfers {
    accounts: u64,
    mix: Mix,
}

impl OpSource for Transfers {
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> Operation {
        Operation::Bank(match self.mix.draw(rng) {
            "transfer" => {
                let from = rng.gen_range(0..self.accounts);
                let to = (from + rng.gen_range(1..self.accounts)) % self.accounts;
                BankOp::Transfer {
                    from,
                    to,
                    amount: rng.gen_range(1..=MAX_AMOUNT),
                }
            }
            _ => BankOp::Read,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use checker::txn::ConsistencyModel;
    use rand::SeedableRng;

    #[test]
    fn transfers_move_one_to_five_between_two_distinct_accounts_of_the_test() {
        let config = WorkloadConfig {
            kind: Some(WorkloadKind::Bank),
            keys: 4,
            ..WorkloadConfig::default()
        };
        let mut source = config.source().unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (mut transfers, mut reads) = (0, 0);
        for _ in 0..400 {
            match source.draw(&mut rng) {
                Operation::Bank(BankOp::Transfer { from, to, amount }) => {
                    assert!(from != to && from < 4 && to < 4 && (1..=5).contains(&amount));
                    transfers += 1;
                }
                Operation::Bank(BankOp::Read) => reads += 1,
                other => panic!("{other:?}"),
            }
        }
        assert!(
            transfers > 150 && reads > 100,
            "{transfers} transfers, {reads} reads"
        );
    }

    #[test]
    fn one_account_is_refused_and_real_time_follows_the_model() {
        let mut config = WorkloadConfig {
            kind: Some(WorkloadKind::Bank),
            keys: 1,
            ..WorkloadConfig::default()
        };
        let e = config.validate().unwrap_err().to_string();
        assert!(e.contains("at least 2"), "{e}");
        config.keys = 3;
        assert!(bank_options(&config).real_time);
        assert_eq!(bank_options(&config).total(), 3 * config.balance);
        config.consistency_model = ConsistencyModel::Serializable;
        assert!(!bank_options(&config).real_time);
    }
}
