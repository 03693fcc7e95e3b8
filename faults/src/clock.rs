//! Clock faults through libfaketime: a node's wall clock runs at an offset that rift rewrites in
//! a control file during the run, while the monotonic clock stays real.
//!
//! A node started with [`ClockControl::env`] preloads libfaketime, which reads the offset from
//! the control file on every wall-clock call (`FAKETIME_NO_CACHE=1`), so a rewrite takes effect
//! at once. The file is replaced by rename, so a reader never sees it half written.
//!
//! libfaketime cannot reach every program; [`clock_blocker`] says which and why:
//! - Go programs (etcd, nats-server) read the clock through the vDSO, not libc;
//! - statically linked programs never load a preloaded library;
//! - programs linked with jemalloc (Redis) deadlock at start: jemalloc's initialisation reads the
//!   clock, libfaketime's initialisation allocates, and the two recurse (verified here:
//!   redis-server 7.0 under libfaketime 0.9.10 never accepts a connection). rift skips clock
//!   faults on them with that reason instead of starting them under libfaketime.

use crate::FaultError;
use std::path::{Path, PathBuf};

/// Where Debian's libfaketime package puts the preload library.
pub const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// The control file of one node's clock.
#[derive(Debug, Clone)]
pub struct ClockControl {
    file: PathBuf,
}

impl ClockControl {
    /// Creates the control file at `file` with a zero offset.
    pub fn create(file: PathBuf) -> Result<ClockControl, FaultError> {
        let control = ClockControl { file };
        control.set_offset_ms(0)?;
        Ok(control)
    }

    /// The control file.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// The environment a node needs to run under this clock.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("LD_PRELOAD", LIBFAKETIME.to_string()),
            ("FAKETIME_TIMESTAMP_FILE", self.file.display().to_string()),
            ("FAKETIME_NO_CACHE", "1".to_string()),
            ("FAKETIME_DONT_FAKE_MONOTONIC", "1".to_string()),
            ("DONT_FAKE_MONOTONIC", "1".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Sets the node's wall clock to run `offset_ms` milliseconds from real time.
    pub fn set_offset_ms(&self, offset_ms: i64) -> Result<(), FaultError> {
        let tmp = self.file.with_extension("tmp");
        let io = |action, path: &Path| {
            let path = path.to_path_buf();
            move |source| FaultError::File {
                action,
                path,
                source,
            }
        };
        std::fs::write(&tmp, offset_spec(offset_ms)).map_err(io("write", &tmp))?;
        std::fs::rename(&tmp, &self.file).map_err(io("rename", &self.file))
    }
}

/// libfaketime's spelling of a relative offset: seconds with a sign and three decimals.
pub fn offset_spec(offset_ms: i64) -> String {
    let sign = if offset_ms < 0 { '-' } else { '+' };
    let abs = offset_ms.unsigned_abs();
    format!("{sign}{}.{:03}\n", abs / 1000, abs % 1000)
}

/// Why libfaketime cannot shift the clock of `program`, or `None` if it can (or if rift cannot
/// tell, e.g. for a script, whose interpreter uses libc). Answers are cached per path.
pub fn clock_blocker(program: &Path) -> Option<String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Option<String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(known) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(program) {
        return known.clone();
    }
    let answer = examine(program);
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(program.to_path_buf(), answer.clone());
    answer
}

fn examine(program: &Path) -> Option<String> {
    if !Path::new(LIBFAKETIME).exists() {
        return Some(format!(
            "libfaketime is not installed ({LIBFAKETIME} is missing)"
        ));
    }
    let bytes = std::fs::read(program).ok()?;
    let elf = Elf::parse(&bytes)?;
    let name = program.display();
    if elf.section(".go.buildinfo").is_some() || elf.section(".note.go.buildid").is_some() {
        return Some(format!(
            "{name} is a Go program: Go reads the wall clock through the vDSO, not libc, so \
             libfaketime cannot shift it"
        ));
    }
    if !elf.has_interpreter() {
        return Some(format!(
            "{name} is statically linked: it never loads a preloaded library such as libfaketime"
        ));
    }
    let dynstr = elf.section(".dynstr").unwrap_or_default();
    if dynstr
        .split(|&b| b == 0)
        .any(|s| s.starts_with(b"libjemalloc") || s.starts_with(b"je_"))
    {
        return Some(format!(
            "{name} uses jemalloc, which deadlocks under libfaketime (jemalloc's start-up reads \
             the clock while libfaketime's start-up allocates)"
        ));
    }
    None
}

/// Just enough of a 64-bit little-endian ELF file to find its sections and program headers.
struct Elf<'a> {
    bytes: &'a [u8],
}

impl<'a> Elf<'a> {
    fn parse(bytes: &'a [u8]) -> Option<Elf<'a>> {
        let ok =
            bytes.len() >= 64 && bytes.starts_with(b"\x7fELF") && bytes[4] == 2 && bytes[5] == 1;
        ok.then_some(Elf { bytes })
    }

    fn u16_at(&self, o: usize) -> usize {
        self.bytes
            .get(o..o + 2)
            .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as usize)
    }

    fn u32_at(&self, o: usize) -> usize {
        self.bytes
            .get(o..o + 4)
            .map_or(0, |b| u32::from_le_bytes(b.try_into().expect("4")) as usize)
    }

    fn u64_at(&self, o: usize) -> usize {
        self.bytes
            .get(o..o + 8)
            .map_or(0, |b| u64::from_le_bytes(b.try_into().expect("8")) as usize)
    }

    /// Whether it has a PT_INTERP program header (is dynamically linked).
    fn has_interpreter(&self) -> bool {
        const PT_INTERP: usize = 3;
        let (off, size, count) = (self.u64_at(0x20), self.u16_at(0x36), self.u16_at(0x38));
        (0..count).any(|i| self.u32_at(off + i * size) == PT_INTERP)
    }

    /// The contents of the section named `name`.
    fn section(&self, name: &str) -> Option<&'a [u8]> {
        let (off, size, count, names) = (
            self.u64_at(0x28),
            self.u16_at(0x3A),
            self.u16_at(0x3C),
            self.u16_at(0x3E),
        );
        let header = |i: usize| off + i * size;
        let names_off = self.u64_at(header(names) + 0x18);
        (0..count).find_map(|i| {
            let h = header(i);
            let at = names_off + self.u32_at(h);
            let this = self.bytes.get(at..)?.split(|&b| b == 0).next()?;
            if this != name.as_bytes() {
                return None;
            }
            let (start, len) = (self.u64_at(h + 0x18), self.u64_at(h + 0x20));
            self.bytes.get(start..start.checked_add(len)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_spelled_as_signed_seconds() {
        assert_eq!(offset_spec(5000), "+5.000\n");
        assert_eq!(offset_spec(-1500), "-1.500\n");
        assert_eq!(offset_spec(7), "+0.007\n");
        assert_eq!(offset_spec(0), "+0.000\n");
    }

    #[test]
    fn a_c_program_is_reachable_and_go_and_jemalloc_programs_are_not() {
        assert_eq!(clock_blocker(Path::new("/usr/bin/date")), None);
        let etcd = clock_blocker(Path::new("/usr/bin/etcd")).expect("etcd is a Go program");
        assert!(etcd.contains("Go program"), "{etcd}");
        let redis = clock_blocker(Path::new("/usr/bin/redis-server")).expect("redis uses jemalloc");
        assert!(redis.contains("jemalloc"), "{redis}");
    }
}
