//! Faults as data, and the mechanisms that apply them to real processes.
