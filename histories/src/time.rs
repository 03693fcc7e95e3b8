//! Op times in words. A history's times are nanoseconds, but many recorded elsewhere count in
//! coarser ticks (0, 1, 2, ...): each time is shown in the largest unit it has a whole one of, so
//! that neither kind reads as a column of `0.000 s`.

/// `ns` nanoseconds in words: "4.280 s", "12.500 ms", "3.2 µs", "17 ns".
pub fn in_words(ns: u64) -> String {
    let t = ns as f64;
    if ns >= 1_000_000_000 {
        format!("{:.3} s", t / 1e9)
    } else if ns >= 1_000_000 {
        format!("{:.3} ms", t / 1e6)
    } else if ns >= 1_000 {
        format!("{:.1} µs", t / 1e3)
    } else {
        format!("{ns} ns")
    }
}

#[cfg(test)]
mod tests {
    use super::in_words;

    #[test]
    fn each_time_is_shown_in_the_largest_unit_it_has_a_whole_one_of() {
        assert_eq!(in_words(4_280_000_000), "4.280 s");
        assert_eq!(in_words(12_500_000), "12.500 ms");
        assert_eq!(in_words(3_200), "3.2 µs");
        assert_eq!(in_words(17), "17 ns");
        assert_eq!(in_words(0), "0 ns");
    }
}
