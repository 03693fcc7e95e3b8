//! rift's reports: one self-contained `report.html` per run or history, and a campaign's
//! `index.html`.
//!
//! The nouns this crate owns:
//! - a [`RunReport`] is what a page is drawn from: a history, its checkers' judgements, the
//!   shrunk witness, the fault bands and the facts of the run (seed, reproduce command, config,
//!   raw files);
//! - a [`FaultBand`] is the span of time one fault was in force, paired by [`fault_bands`] from
//!   the faults as applied ([`AppliedFault`], one line of faults.jsonl);
//! - a [`FaultWindow`] is one band's availability and each node's time from its end to the first
//!   ok call;
//! - [`Coverage`] says what a verdict rests on: faults skipped or indeterminate, operations that
//!   never completed ok under a kind of fault, and [`Warning`]s when a valid verdict rests on
//!   little evidence. It is data, for the page, the terminal and results.json alike;
//! - a [`CampaignPage`] is a campaign's matrix of strategy x nemesis x seed.
//!
//! Data flows one way: history + judgements + faults -> [`render`] -> one HTML string. The page
//! fetches nothing: its style and script (written for rift, in `assets/`) are embedded, and so is
//! its data, as one JSON object whose call columns are base64 LEB128 varints (times as deltas),
//! with keys, values and errors interned in one string table. A 1,000,000-op history makes a page
//! of about 10 MB that opens from disk.
//!
//! How the page stays fast: every view over time (the timeline, the fault bands, the plots) is
//! drawn on a `<canvas>`, never as one DOM element per call. The timeline is virtualised both
//! ways: only the lanes scrolled into view are drawn, and in each lane only the calls whose span
//! meets the visible time window (found by binary search on invocation times; the longest call
//! bounds how far back to look), with calls narrower than a pixel merged into one bar per pixel
//! column. The latency scatter plots at most one dot per pixel per outcome. Zoom (wheel) and pan
//! (drag) redraw only what is visible. The fault bands are a few DOM elements above the axis,
//! positioned in per cent of the window. Explanations, tables and the transactional cycle graphs
//! (static SVG) are plain HTML built here.

mod bands;
mod campaign;
mod coverage;
mod data;
mod evidence;
mod html;
mod input;
mod windows;

pub use bands::{describe_grudge, fault_bands, AppliedFault, FaultBand};
pub use campaign::{render_campaign, CampaignCell, CampaignPage, Expected};
pub use coverage::{coverage, Coverage, OpCoverage, Warning, FEW_OK_CALLS, LITTLE_FAULT_SHARE};
pub use html::render;
pub use html::text::escape;
pub use input::{RawFile, RunFacts, RunReport, Witness};
pub use windows::{fault_windows, FaultWindow, Recovery};
