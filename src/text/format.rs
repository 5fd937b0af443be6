//! How numbers are written in reports.
//!
//! ```
//! use epbench::text::format;
//!
//! assert_eq!(format::duration_ns(118_732.0), "118.7 µs");
//! assert_eq!(format::ms(0.0172), "0.0172 ms");
//! assert_eq!(format::ms_grouped(2960.344), "2,960.34 ms");
//! assert_eq!(format::signed_percent(0.029), "+2.9%");
//! assert_eq!(format::percent(0.732), "73.2%");
//! assert_eq!(format::plural(1200, "event"), "1,200 events");
//! ```

/// A duration in nanoseconds with four significant digits and a unit, as criterion prints them.
pub fn duration_ns(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let decimals = if value < 10.0 {
        3
    } else if value < 100.0 {
        2
    } else {
        1
    };
    format!("{value:.decimals$} {unit}")
}

/// Milliseconds with enough digits to be read at any scale: `5.11 ms`, `0.0172 ms` (the study's
/// latency tables).
pub fn ms(ms: f64) -> String {
    if ms >= 1.0 || ms == 0.0 {
        format!("{ms:.2} ms")
    } else {
        let decimals = (2 - ms.log10().floor() as i32).clamp(2, 6) as usize;
        format!("{ms:.decimals$} ms")
    }
}

/// Milliseconds with thousands grouped, `2,960.34 ms`, as the study's profile summaries print
/// them; below 1 ms three decimals, so that the small CPU kernels of a fallback list still rank
/// visibly.
pub fn ms_grouped(ms: f64) -> String {
    let fixed = if ms.abs() < 1.0 {
        format!("{ms:.3}")
    } else {
        format!("{ms:.2}")
    };
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, "00"));
    let (sign, digits) = match int.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", int),
    };
    format!("{sign}{}.{frac} ms", group_thousands(digits))
}

/// A relative change with its sign, one decimal: `+2.9%`, `-13.1%`.
pub fn signed_percent(fraction: f64) -> String {
    format!("{:+.1}%", fraction * 100.0)
}

/// A share or a size as a percentage, one decimal: `73.2%`.
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// `Shape x12, Gather x8`: how many of each op type, most first (ties by name).
pub fn op_counts<'a>(ops: impl IntoIterator<Item = &'a str>) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for op in ops {
        *counts.entry(op).or_default() += 1;
    }
    let mut list: Vec<(&str, usize)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counted_ops(list)
}

/// `Shape x12, Gather x8` for ops already counted, in the order given.
pub fn counted_ops<'a>(counts: impl IntoIterator<Item = (&'a str, usize)>) -> String {
    counts
        .into_iter()
        .map(|(op, n)| format!("{op} x{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `8829` -> `8,829`.
pub fn count(n: usize) -> String {
    group_thousands(&n.to_string())
}

/// `1` -> `1 node`, `8829` -> `8,829 nodes`.
pub fn plural(n: usize, word: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {word}{s}", count(n))
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_criterions() {
        assert_eq!(duration_ns(512.0), "512.0 ns");
        assert_eq!(duration_ns(118_732.0), "118.7 µs");
        assert_eq!(duration_ns(1_234_567.0), "1.235 ms");
        assert_eq!(duration_ns(2.1e9), "2.100 s");
    }

    #[test]
    fn milliseconds_keep_their_precision() {
        assert_eq!(ms(5.114), "5.11 ms");
        assert_eq!(ms(0.0), "0.00 ms");
        assert_eq!(ms(0.5), "0.500 ms");
        assert_eq!(ms(0.0172), "0.0172 ms");
    }

    #[test]
    fn numbers_are_grouped_like_the_study() {
        assert_eq!(count(8829), "8,829");
        assert_eq!(count(105), "105");
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(ms_grouped(2960.344), "2,960.34 ms");
        assert_eq!(ms_grouped(0.0), "0.000 ms");
        assert_eq!(ms_grouped(0.0114), "0.011 ms");
        assert_eq!(ms_grouped(123456.789), "123,456.79 ms");
        assert_eq!(plural(1, "node"), "1 node");
        assert_eq!(plural(1200, "event"), "1,200 events");
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(0.732), "73.2%");
        assert_eq!(signed_percent(0.029), "+2.9%");
        assert_eq!(signed_percent(-0.131), "-13.1%");
    }
}
