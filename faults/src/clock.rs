//! Clock faults through libfaketime: a node's wall clock runs at an offset that rift rewrites in
//! a control file during the run, while the monotonic clock stays real.
//!
//! A node started with [`ClockControl::env`] preloads libfaketime, which reads the offset from
//! the control file on every wall-clock call (`FAKETIME_NO_CACHE=1`), so a rewrite takes effect
//! at once. The file is replaced by rename, so a reader never sees it half written.
//!
//! libfaketime cannot reach every program; [`clock_blocker`] says which and why:
//! - Go programs (etcd, nats-server) read the clock through the vDSO, not libc;
//! - statically linked programs never load a preloaded library.
//!
//! Programs linked with libjemalloc (Debian's redis-server) are reached, with one more preload.
//! Under libfaketime alone they never start: libfaketime's initialisation allocates, the
//! allocation initialises jemalloc (which replaces `malloc`), jemalloc reads the clock, and the
//! clock call re-enters libfaketime's unfinished initialisation ("Unexpected recursive calls to
//! clock_gettime()", then a hang; redis-server 7.0 and libfaketime 0.9.10). Preloading glibc
//! right after libfaketime ([`GLIBC`]) puts glibc's `malloc` family ahead of jemalloc's in
//! symbol lookup, so jemalloc is never initialised from inside libfaketime; the program then
//! allocates with glibc (Redis still reports jemalloc in `INFO memory`, whose counters stay near
//! zero). Verified with Redis: a primary and replicas under this preload replicate, fork to
//! rewrite their AOF, and answer `TIME` at the control file's offset, changed live. Only such
//! programs get the extra preload: for any other, a preloaded glibc would override every libc
//! symbol a library of theirs interposes (another allocator, say) for no gain.

use crate::FaultError;
use std::path::{Path, PathBuf};

/// Where Debian's libfaketime package puts the preload library.
pub const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// glibc, named so that the dynamic loader finds it on its usual path; preloaded after
/// libfaketime for programs linked with jemalloc.
pub const GLIBC: &str = "libc.so.6";

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

    /// The control file `file`, as it is: on another host, say, where the caller writes it.
    pub fn at(file: PathBuf) -> ClockControl {
        ClockControl { file }
    }

    /// The control file.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// The environment `program` (a path, as [`clock_blocker`] takes) needs to run under this
    /// clock: libfaketime preloaded, followed by [`GLIBC`] if `program` is linked with jemalloc.
    pub fn env(&self, program: &Path) -> Vec<(String, String)> {
        let preload = match reach(program) {
            Reach::ThroughGlibcMalloc => format!("{LIBFAKETIME} {GLIBC}"),
            Reach::Direct | Reach::Blocked(_) => LIBFAKETIME.to_string(),
        };
        [
            ("LD_PRELOAD", preload),
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

/// How libfaketime reaches a program.
#[derive(Debug, Clone)]
enum Reach {
    /// With libfaketime preloaded alone (or rift cannot tell otherwise).
    Direct,
    /// Once glibc is preloaded after libfaketime: the program is linked with jemalloc.
    ThroughGlibcMalloc,
    /// Not at all, for this reason.
    Blocked(String),
}

/// Why libfaketime cannot shift the clock of `program`, or `None` if it can (or if rift cannot
/// tell, e.g. for a script, whose interpreter uses libc).
pub fn clock_blocker(program: &Path) -> Option<String> {
    match reach(program) {
        Reach::Blocked(why) => Some(why),
        Reach::Direct | Reach::ThroughGlibcMalloc => None,
    }
}

/// How libfaketime reaches `program`, cached per path.
fn reach(program: &Path) -> Reach {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Reach>>> = OnceLock::new();
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

fn examine(program: &Path) -> Reach {
    if !Path::new(LIBFAKETIME).exists() {
        return Reach::Blocked(format!(
            "libfaketime is not installed ({LIBFAKETIME} is missing)"
        ));
    }
    let Ok(bytes) = std::fs::read(program) else {
        return Reach::Direct;
    };
    let Some(elf) = Elf::parse(&bytes) else {
        return Reach::Direct;
    };
    let name = program.display();
    if elf.section(".go.buildinfo").is_some() || elf.section(".note.go.buildid").is_some() {
        return Reach::Blocked(format!(
            "{name} is a Go program: Go reads the wall clock through the vDSO, not libc, so \
             libfaketime cannot shift it"
        ));
    }
    if !elf.has_interpreter() {
        return Reach::Blocked(format!(
            "{name} is statically linked: it never loads a preloaded library such as libfaketime"
        ));
    }
    let dynstr = elf.section(".dynstr").unwrap_or_default();
    if dynstr
        .split(|&b| b == 0)
        .any(|s| s.starts_with(b"libjemalloc"))
    {
        return Reach::ThroughGlibcMalloc;
    }
    Reach::Direct
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
    fn c_and_jemalloc_programs_are_reachable_and_go_programs_are_not() {
        assert_eq!(clock_blocker(Path::new("/usr/bin/date")), None);
        assert_eq!(clock_blocker(Path::new("/usr/bin/redis-server")), None);
        let etcd = clock_blocker(Path::new("/usr/bin/etcd")).expect("etcd is a Go program");
        assert!(etcd.contains("Go program"), "{etcd}");
    }

    fn preload(program: &str) -> String {
        let control = ClockControl {
            file: PathBuf::from("/nonexistent/n0.faketime"),
        };
        let env = control.env(Path::new(program));
        let found = env.iter().find(|(k, _)| k == "LD_PRELOAD");
        found.expect("LD_PRELOAD is set").1.clone()
    }

    #[test]
    fn only_a_program_linked_with_jemalloc_gets_glibc_preloaded_after_libfaketime() {
        assert_eq!(
            preload("/usr/bin/redis-server"),
            format!("{LIBFAKETIME} {GLIBC}")
        );
        assert_eq!(preload("/usr/bin/date"), LIBFAKETIME);
    }
}
