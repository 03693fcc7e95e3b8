//! The nemesis policy: the seeded schedule that decides when to inject which fault into which
//! nodes. Faults as data ([`faults::Fault`]) and the mechanisms that apply them are the `faults`
//! crate's; this module only decides.
//!
//! A [`NemesisConfig`] (the mix of fault kinds, targets, partition shapes, the interval) and a seed
//! give a [`Plan`]: a list of [`Planned`] faults at offsets from the start of the run, alternating
//! "start a fault" and "end it". Targets and shapes are resolved from the seed when the plan is
//! drawn (to `Target::Nodes` and `Shape::Exact`), so the plan can be printed, stored and replayed
//! at the same offsets against the same nodes. The final phase ([`final_heal`]) ends every fault
//! whatever the plan did.

mod config;
mod plan;
mod words;

pub use config::NemesisConfig;
pub use plan::{final_heal, pinned_to_started, starts_fault, Plan, PlanCursor, Planned};
pub use words::{describe, name};
