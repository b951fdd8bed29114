//! Percentages decided as the ratios of whole numbers they are.
//!
//! FES, intensity, a drop and a change are `100 * m / D` for whole numbers
//! `m` and `D` (a drop of `38/56 - 22/35` is `100 * 98 / 1960`, exactly 5).
//! metasum keeps them as doubles, each made by one correctly rounded
//! division of exact whole numbers ([`ratio`]), never as a difference of
//! two rounded doubles (which made that drop 5.000000000000007 and flagged
//! it as "more than 5").
//!
//! A double made that way decides every question a reviewer asks of it,
//! because distinct ratios stay apart: two percentages with denominators
//! up to `D` that differ, differ by at least `1 / D`, while each double is
//! within `2^-47` of its ratio (percentages lie within ±128). So while
//! `D * 10^k < 2^45`, a percentage and a number of `k` decimals are equal,
//! or ordered, as doubles exactly when they are as numbers; ties sort as
//! ties; and [`round_half_up`] finds every exact half. Denominators are at
//! most the square of a review's largest table (a drop divides by the
//! studies in scope times the studies without concern), and a review holds
//! at most [`MAX_ROWS`] studies and findings, so one decimal is always
//! decided exactly, and more when the review is smaller
//! ([`exact_decimals`]); a comparison past that is refused, not guessed.
//! Thresholds a reviewer sets (`--threshold`, `--crossing`) are [`Points`],
//! compared in whole numbers.

use std::cmp::Ordering;

/// The most studies, or findings, a review may hold: their square (a
/// drop's largest denominator, 10^12) keeps every percentage apart from
/// every other, and from any number of one decimal, as a double.
pub const MAX_ROWS: usize = 1_000_000;

/// Denominators times the power of ten of a compared number must stay
/// below this for doubles to decide (see the module's documentation).
const APART: u128 = 1 << 45;

/// `num / den` as the double nearest to it (ties to even): the one rounding
/// of an exact ratio. `den` must be positive.
pub fn ratio(num: i64, den: i64) -> f64 {
    debug_assert!(den > 0, "a ratio's denominator must be positive");
    const EXACT: u64 = 1 << 53;
    if num.unsigned_abs() < EXACT && den.unsigned_abs() < EXACT {
        // Both exact as doubles: IEEE division rounds the quotient once.
        return num as f64 / den as f64;
    }
    let (n, d) = (
        u128::from(num.unsigned_abs()),
        u128::from(den.unsigned_abs()),
    );
    if n == 0 {
        return 0.0;
    }
    // The quotient scaled to at least 63 significant bits, with a sticky
    // bit for a remainder: converting that to a double rounds as the exact
    // quotient would (the sticky bit lies far below the rounding bit).
    let shift = n.leading_zeros() - 1;
    let scaled = n << shift;
    let (q, r) = (scaled / d, scaled % d);
    let q = if r == 0 { q } else { q | 1 };
    let magnitude = q as f64 * 2f64.powi(-(shift as i32));
    if num < 0 { -magnitude } else { magnitude }
}

/// `100 * part / whole` (missing when `whole` is 0): FES, intensity.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| ratio(100 * part, whole))
}

/// `100 * (a / of_a - b / of_b)` in percentage points, from the counts
/// (missing when either whole is 0): a drop, a change.
pub fn percent_difference(a: i64, of_a: i64, b: i64, of_b: i64) -> Option<f64> {
    let (num, den) = difference_terms(a, of_a, b, of_b)?;
    Some(ratio(num.checked_mul(100)?, den))
}

/// The whole numbers `(a * of_b - b * of_a, of_a * of_b)`: the difference
/// is `100` times their ratio. `None` when either whole is 0 (or past the
/// sizes a review can have).
fn difference_terms(a: i64, of_a: i64, b: i64, of_b: i64) -> Option<(i64, i64)> {
    if of_a <= 0 || of_b <= 0 {
        return None;
    }
    let num = i128::from(a) * i128::from(of_b) - i128::from(b) * i128::from(of_a);
    let den = i128::from(of_a) * i128::from(of_b);
    Some((i64::try_from(num).ok()?, i64::try_from(den).ok()?))
}

/// How many decimals a number compared with a percentage may have for the
/// comparison to be decided exactly, in a review whose largest table
/// (studies or findings, of either version compared) has `rows` rows.
pub fn exact_decimals(rows: usize) -> u32 {
    let bound = (rows.max(1) as u128).pow(2);
    (0..=15)
        .take_while(|k| bound * 10u128.pow(*k) < APART)
        .last()
        .unwrap_or(0)
}

/// How many decimals `x` is written with, in its shortest exact form
/// (`33.3` has 1, `5` has 0, `1e-3` has 3).
pub fn decimals(x: f64) -> u32 {
    let text = format!("{}", x.abs());
    match text.split_once('.') {
        Some((_, fraction)) => fraction.len() as u32,
        None => 0,
    }
}

/// `x` rounded to `decimals` places, halves away from zero, as a reader
/// expects of a percentage: 81.25 (13 of 16 studies) shows 81.3, 62.5
/// shows 63 at no decimals.
///
/// `x` is a percentage made by [`ratio`] (or a number as written): a half
/// within a slack of `x * 10^decimals` is the exact half it rounds from.
/// The slack, `2e-14 * 10^decimals`, lies above the error of a double
/// percentage so scaled (`7.1e-15 * 10^decimals`), and below the gap
/// between a ratio and a half it is not (at least `1 / (2 D)` for a
/// denominator `D`: 5e-13 for 10^12, a drop's largest, at one decimal).
pub fn round_half_up(x: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    let slack = 2e-14 * scale;
    let y = x.abs() * scale;
    let below = y.floor();
    // `x * scale - (below + 0.5)` with one rounding.
    let past_half = x.abs().mul_add(scale, -(below + 0.5));
    let rounded = if past_half >= -slack {
        below + 1.0
    } else {
        below
    };
    let magnitude = rounded / scale;
    // -0.04 rounds to 0.0, never "-0.0".
    if x < 0.0 && rounded != 0.0 {
        -magnitude
    } else {
        magnitude
    }
}

/// A number of percentage points as a reviewer writes it (`5`, `2.5`,
/// `33.33`), kept exactly: `units / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Points {
    units: i64,
    scale: u32,
}

impl Points {
    /// The most decimals a threshold may have.
    pub const MAX_DECIMALS: u32 = 4;

    /// A whole number of points.
    pub const fn whole(points: i64) -> Points {
        Points {
            units: points,
            scale: 0,
        }
    }

    /// `5`, `2.5`, `-3`: digits with an optional sign and decimal point,
    /// at most [`Points::MAX_DECIMALS`] decimals, from -100 to 100.
    pub fn parse(text: &str) -> Result<Points, String> {
        let written = text.trim();
        let (negative, digits) = match written.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, written.strip_prefix('+').unwrap_or(written)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let plain = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !plain(whole) || !plain(fraction) {
            return Err(format!("`{text}` is not a number of percentage points"));
        }
        if fraction.len() > Self::MAX_DECIMALS as usize {
            return Err(format!(
                "`{text}` has {} decimals; give at most {}",
                fraction.len(),
                Self::MAX_DECIMALS
            ));
        }
        let too_large =
            || format!("`{text}` is not a number of percentage points from -100 to 100");
        let whole: i64 = match whole {
            "" => 0,
            w => w.parse().map_err(|_| too_large())?,
        };
        let scale = fraction.len() as u32;
        let fraction: i64 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().map_err(|_| too_large())?
        };
        let magnitude = whole
            .checked_mul(10i64.pow(scale))
            .and_then(|w| w.checked_add(fraction))
            .filter(|m| *m <= 100 * 10i64.pow(scale))
            .ok_or_else(too_large)?;
        Ok(Points {
            units: if negative { -magnitude } else { magnitude },
            scale,
        })
    }

    /// The nearest double.
    pub fn to_f64(self) -> f64 {
        ratio(self.units, 10i64.pow(self.scale))
    }

    /// How `100 * num / den` (`den` positive) compares with these points.
    pub fn compare_percent(self, num: i64, den: i64) -> Ordering {
        let left = 100 * i128::from(num) * i128::from(10i64.pow(self.scale));
        let right = i128::from(self.units) * i128::from(den);
        left.cmp(&right)
    }

    /// How the difference `100 * (a / of_a - b / of_b)` compares with
    /// these points; `None` when either whole is 0.
    pub fn compare_difference(self, a: i64, of_a: i64, b: i64, of_b: i64) -> Option<Ordering> {
        let (num, den) = difference_terms(a, of_a, b, of_b)?;
        Some(self.compare_percent(num, den))
    }

    /// `units` and `10^scale`, for comparing in whole numbers elsewhere
    /// (a polars expression).
    pub fn terms(self) -> (i64, i64) {
        (self.units, 10i64.pow(self.scale))
    }
}

impl std::fmt::Display for Points {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = 10i64.pow(self.scale);
        let sign = if self.units < 0 { "-" } else { "" };
        let (whole, part) = (self.units.abs() / unit, self.units.abs() % unit);
        match self.scale {
            0 => write!(f, "{sign}{whole}"),
            s => write!(f, "{sign}{whole}.{part:0width$}", width = s as usize),
        }
    }
}

/// Columns printed with one decimal (percentages and percentage points).
pub(crate) const PERCENT_COLUMNS: [&str; 12] = [
    "fes",
    "intensity",
    "fes_without_concerns",
    "concern_share",
    "drop",
    "fes_before",
    "fes_after",
    "fes_change",
    "intensity_before",
    "intensity_after",
    "intensity_change",
    "percent_agreement",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drop_of_exactly_five_points_is_five() {
        // 38 of 56 studies against 22 of 35: 67.857... - 62.857... = 5.
        assert_eq!(percent_difference(38, 56, 22, 35), Some(5.0));
        assert_ne!(ratio(3800, 56) - ratio(2200, 35), 5.0);
        assert_eq!(
            Points::whole(5).compare_difference(38, 56, 22, 35),
            Some(Ordering::Equal)
        );
        assert_eq!(percent_difference(1, 0, 1, 2), None);
    }

    #[test]
    fn ratios_are_rounded_once_even_past_exact_doubles() {
        for (n, d) in [(1i64, 3i64), (2, 3), (900, 22), (-7, 9), (0, 5)] {
            assert_eq!(ratio(n, d), n as f64 / d as f64);
        }
        // Beyond 2^53: the double nearest (2^60 + 1) / 3 is no farther from
        // it than either neighbour (all three are whole numbers here).
        for big in [(1i64 << 60) + 1, i64::MAX, (1i64 << 55) + 7] {
            let got = ratio(big, 3);
            let off = |v: f64| (v as u128 * 3).abs_diff(big as u128);
            assert!(off(got) <= off(got.next_up()) && off(got) <= off(got.next_down()));
            assert_eq!(ratio(-big, 3), -got);
            assert_eq!(ratio(big, big), 1.0);
        }
    }

    #[test]
    fn halves_round_up_and_nothing_else_does() {
        assert_eq!(round_half_up(ratio(1300, 16), 1), 81.3);
        assert_eq!(round_half_up(62.5, 0), 63.0);
        assert_eq!(round_half_up(ratio(3315, 100), 1), 33.2);
        assert_eq!(round_half_up(33.149_999_999, 1), 33.1);
        assert_eq!(round_half_up(-2.25, 1), -2.3);
        assert_eq!(round_half_up(-0.04, 1).to_string(), "0");
        // Every n/N with N up to 200 whose tenths end in a half.
        for total in 1..=200i64 {
            for n in 0..=total {
                let exact_tenths_times_2 = 2000 * n; // 2 * 1000n / N
                if exact_tenths_times_2 % total == 0 && (exact_tenths_times_2 / total) % 2 == 1 {
                    let up = (exact_tenths_times_2 / total + 1) / 2;
                    assert_eq!(round_half_up(ratio(100 * n, total), 1), up as f64 / 10.0);
                }
            }
        }
    }

    #[test]
    fn points_are_read_and_compared_exactly() {
        assert_eq!(Points::parse("2.5").unwrap().to_string(), "2.5");
        assert_eq!(Points::parse(" 5 ").unwrap(), Points::whole(5));
        assert_eq!(Points::parse("-3.25").unwrap().to_string(), "-3.25");
        for bad in ["", ".", "abc", "1e3", "101", "5.12345", "NaN", "--1"] {
            assert!(Points::parse(bad).is_err(), "{bad}");
        }
        let third = Points::parse("33.3333").unwrap();
        assert_eq!(third.compare_percent(1, 3), Ordering::Greater);
        assert_eq!(
            Points::parse("62.5").unwrap().compare_percent(5, 8),
            Ordering::Equal
        );
    }

    #[test]
    fn decimals_allowed_shrink_as_reviews_grow() {
        assert_eq!(decimals(33.3), 1);
        assert_eq!(decimals(5.0), 0);
        assert_eq!(decimals(0.001), 3);
        assert!(exact_decimals(25) >= 9);
        assert_eq!(exact_decimals(MAX_ROWS), 1);
        assert_eq!(exact_decimals(100_000), 3);
    }
}
