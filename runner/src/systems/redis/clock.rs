//! Clock faults on Redis: making libfaketime and jemalloc get along.
//!
//! Debian's redis-server links libjemalloc dynamically. Under libfaketime alone it never starts:
//! libfaketime's initialisation allocates, the allocation initialises jemalloc, jemalloc reads
//! the clock, and the clock call re-enters libfaketime's unfinished initialisation (libfaketime
//! prints "Unexpected recursive calls to clock_gettime()" and the process hangs; verified with
//! redis-server 7.0.15 and libfaketime 0.9.10, also with `DONT_FAKE_MONOTONIC=1`).
//!
//! The cure: preload glibc itself right after libfaketime. Preloaded objects come first in
//! symbol lookup, so `malloc`, `free`, `calloc`, `realloc` and `malloc_usable_size` resolve to
//! glibc's before jemalloc's, and jemalloc is never initialised from inside libfaketime. Redis
//! then allocates with glibc (`INFO memory` still says jemalloc, whose own counters stay near
//! zero); jemalloc is reached only through `mallctl`, for statistics. Verified here: a primary
//! and a replica under this preload accept a benchmark load, replicate, rewrite their AOF (a
//! fork), and report `TIME` at the offset the control file sets, changed live.

/// glibc, named so that the dynamic loader finds it on its usual path.
pub const GLIBC: &str = "libc.so.6";

/// Rewrites a node's environment so that its `LD_PRELOAD` loads glibc right after whatever it
/// preloads already (libfaketime), routing malloc to glibc. An environment without
/// `LD_PRELOAD` is left alone: without libfaketime there is nothing to work around.
pub fn route_malloc_to_glibc(env: &mut [(String, String)]) {
    for (name, value) in env.iter_mut() {
        if name == "LD_PRELOAD" && !value.split([' ', ':']).any(|lib| lib == GLIBC) {
            value.push(' ');
            value.push_str(GLIBC);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_is_preloaded_after_libfaketime_once() {
        let mut env = vec![
            ("LD_PRELOAD".to_string(), "/x/libfaketime.so.1".to_string()),
            ("FAKETIME_NO_CACHE".to_string(), "1".to_string()),
        ];
        route_malloc_to_glibc(&mut env);
        route_malloc_to_glibc(&mut env);
        assert_eq!(env[0].1, "/x/libfaketime.so.1 libc.so.6");
        assert_eq!(env[1].1, "1");
    }

    #[test]
    fn an_environment_without_preloads_is_left_alone() {
        let mut env = vec![("A".to_string(), "b".to_string())];
        route_malloc_to_glibc(&mut env);
        assert_eq!(env, [("A".to_string(), "b".to_string())]);
    }
}
