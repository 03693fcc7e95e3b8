//! The nemesis policy: the seeded schedule that decides when to inject which fault into which
//! nodes. Faults as data ([`faults::Fault`]) and the mechanisms that apply them are the `faults`
//! crate's; this module only decides.
//!
//! A [`NemesisConfig`] (the mix of fault kinds, targets, partition shapes, the interval) and a seed
//! give a [`Plan`]: a list of [`Planned`] faults at offsets from the start of the run, alternating
//! "start a fault" and "end it". Targets and shapes are resolved from the seed when the plan is
//! drawn (to `Target::Nodes` and `Shape::Exact`), so the plan can be printed, stored and replayed
//! at the same offsets against the same nodes. The final phase ([`InForce::final_heal`]) ends
//! every fault the plan left in force, on exactly the nodes it is in force on.

mod config;
mod in_force;
mod plan;
mod words;

pub use config::NemesisConfig;
pub use in_force::InForce;
pub use plan::{pinned_to_started, starts_fault, Plan, PlanCursor, Planned};
pub use words::describe;
