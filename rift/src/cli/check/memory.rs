//! How much memory `rift check` may use, and how much it uses.
//!
//! rift's heap is counted by its global allocator ([`Counting`]: the bytes of every live
//! allocation, in one atomic counter), which the checker's budget reads through a
//! [`HeapGauge`]. With no `--memory-limit`, the limit is [`Limit::default_for_this_machine`]:
//! a share of what this process could still get when it started (the least of the machine's
//! MemAvailable, the room left under its memory cgroups' limits, v2 `memory.max` or v1
//! `memory.limit_in_bytes` up to the root, and the room left under its address-space rlimit),
//! so that the search stops with Unknown before the kernel would kill it.

use checker::linear::budget::HeapGauge;
use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The system allocator, counting the bytes of live allocations.
pub struct Counting;

static LIVE: AtomicU64 = AtomicU64::new(0);

#[global_allocator]
static HEAP: Counting = Counting;

// SAFETY: every call is passed on to the system allocator unchanged; the counter only observes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(new_size as u64, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        }
        p
    }
}

/// The bytes of rift's heap now.
pub fn heap_bytes() -> u64 {
    LIVE.load(Ordering::Relaxed)
}

/// The gauge the checker's budget reads.
pub fn gauge() -> HeapGauge {
    HeapGauge(Arc::new(heap_bytes))
}

/// The share of the room found at start that the heap may take: the rest is for what the
/// allocator keeps beyond the bytes asked for, thread stacks, the binary and page tables.
const SHARE: f64 = 0.75;

/// A memory limit for the heap, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// The bytes the heap may reach.
    pub bytes: u64,
    /// Where the figure came from, in words.
    pub origin: String,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} MiB ({})", self.bytes >> 20, self.origin)
    }
}

/// One bound on the memory this process can still get: what it is and the bytes.
struct Room {
    what: String,
    bytes: u64,
}

impl Limit {
    /// `--memory-limit MB`.
    pub fn given(mb: u64) -> Limit {
        Limit {
            bytes: mb << 20,
            origin: "--memory-limit".into(),
        }
    }

    /// The default: the heap now plus a share of the least room found (see the module doc);
    /// `None` when no bound could be read at all.
    pub fn default_for_this_machine() -> Option<Limit> {
        let mut rooms = Vec::new();
        if let Some(b) = meminfo_available() {
            rooms.push(Room {
                what: "MemAvailable".into(),
                bytes: b,
            });
        }
        rooms.extend(cgroup_rooms());
        if let Some(r) = address_space_room() {
            rooms.push(r);
        }
        let least = rooms.into_iter().min_by_key(|r| r.bytes)?;
        Some(Limit {
            bytes: heap_bytes() + (least.bytes as f64 * SHARE) as u64,
            origin: format!(
                "the default: {:.0}% of the {} MiB free by {} when rift started, no --memory-limit given",
                SHARE * 100.0,
                least.bytes >> 20,
                least.what
            ),
        })
    }
}

/// `MemAvailable` of /proc/meminfo, in bytes.
fn meminfo_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb << 10)
}

/// A number in a cgroup file; `None` for `max` (no limit) or an unreadable file.
fn read_number(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// The room left under the memory limit of this process's cgroup and of each of its ancestors
/// (cgroup v2 `memory.max` - `memory.current`, v1 `memory.limit_in_bytes` -
/// `memory.usage_in_bytes`), for those that have a limit.
fn cgroup_rooms() -> Vec<Room> {
    let Ok(text) = std::fs::read_to_string("/proc/self/cgroup") else {
        return Vec::new();
    };
    let mut rooms = Vec::new();
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (root, limit, usage) = if controllers.is_empty() {
            ("/sys/fs/cgroup", "memory.max", "memory.current")
        } else if controllers.split(',').any(|c| c == "memory") {
            (
                "/sys/fs/cgroup/memory",
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            )
        } else {
            continue;
        };
        let mut dir = PathBuf::from(root).join(path.trim_start_matches('/'));
        loop {
            if let (Some(l), Some(u)) =
                (read_number(&dir.join(limit)), read_number(&dir.join(usage)))
            {
                // v1 reports "no limit" as a huge number.
                if l < 1 << 60 {
                    rooms.push(Room {
                        what: format!("the memory cgroup {}", dir.display()),
                        bytes: l.saturating_sub(u),
                    });
                }
            }
            if dir.as_path() == Path::new(root) || !dir.pop() {
                break;
            }
        }
    }
    rooms
}

/// The room left under the address-space rlimit (`Max address space` of /proc/self/limits
/// less `VmSize` of /proc/self/status), when there is one.
fn address_space_room() -> Option<Room> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?;
    let soft: u64 = line
        .trim_start_matches("Max address space")
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let vm_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmSize:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(Room {
        what: "the address-space rlimit".into(),
        bytes: soft.saturating_sub(vm_kb << 10),
    })
}
