//! Campaigns: a matrix of strategies (system + strategy) x nemeses x seeds, run one after
//! another, each with an expected verdict; a summary table and JUnit XML for CI.
//!
//! ```toml
//! name = "booking"
//! seeds = [1, 2]
//! [base]                      # RunConfig fields shared by every case
//! time_limit_s = 5.0
//! [[strategies]]
//! name = "async-one"
//! system = { name = "booking", replication = "async", read = "one" }
//! expect = "invalid"          # valid, invalid, unknown or any
//! [[nemeses]]
//! name = "partitions"
//! nemesis = { faults = ["partition"], interval_s = 1.0 }
//! [[expect]]                  # optional overrides for one strategy x nemesis
//! strategy = "async-one"
//! nemesis = "none"
//! verdict = "valid"
//! ```

mod junit;
mod matrix;
mod page;

pub use junit::junit_xml;
pub use matrix::{Campaign, Case, CaseResult, Expect, Nemesis, Override, Strategy};
pub use page::campaign_page;
