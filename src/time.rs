//! The clock (`Date.now()` in wasm, the system clock natively) and durations.
//!
//! Times are seconds since the Unix epoch, as in JWT claims. A `now` given by the caller that
//! looks like milliseconds is refused rather than silently read as a date in the year 50000.

use crate::error::{JwtError, Result};

/// Numbers at or above this are taken for milliseconds (1e11 s is the year 5138).
pub const MILLISECONDS_THRESHOLD: f64 = 1e11;

/// The longest duration edge-jwt accepts for a lifetime: 100 years, in seconds.
pub const MAX_DURATION: f64 = 100.0 * 365.25 * 86_400.0;

/// The current time in seconds since the epoch.
///
/// ```
/// assert!(edge_jwt::now() > 1.7e9);
/// ```
pub fn now() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() / 1000.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }
}

/// Checks a caller's `now` (seconds) and falls back to the clock.
pub(crate) fn resolve_now(now_override: Option<f64>) -> Result<f64> {
    match now_override {
        None => Ok(now()),
        Some(t) => {
            if !t.is_finite() || t < 0.0 {
                return Err(JwtError::invalid_argument(
                    "now must be a finite, non-negative number of seconds",
                ));
            }
            if t >= MILLISECONDS_THRESHOLD {
                return Err(JwtError::invalid_argument(
                    "now looks like milliseconds: give seconds (Date.now() / 1000) or a Date",
                ));
            }
            Ok(t)
        }
    }
}

/// Parses a duration: a number of seconds (`"90"`) or a number with a unit: `s`, `m`, `h`, `d`,
/// `w`, `y` (and their long forms, e.g. `"15 minutes"`). Returns seconds.
///
/// ```
/// use edge_jwt::parse_duration;
/// assert_eq!(parse_duration("15m").unwrap(), 900.0);
/// assert_eq!(parse_duration("12h").unwrap(), 43_200.0);
/// assert_eq!(parse_duration("30d").unwrap(), 2_592_000.0);
/// assert_eq!(parse_duration("1.5 hours").unwrap(), 5_400.0);
/// assert!(parse_duration("soon").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<f64> {
    let bad = || {
        JwtError::invalid_argument(
            "a duration is seconds or a string like \"15m\", \"12h\", \"30d\"",
        )
    };
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return Err(bad());
    }
    let value: f64 = number.parse().map_err(|_| bad())?;
    let unit_seconds = match unit.trim() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        "y" | "yr" | "yrs" | "year" | "years" => 31_557_600.0,
        _ => return Err(bad()),
    };
    check_duration(value * unit_seconds)
}

/// Checks a duration in seconds: finite, not negative, at most [`MAX_DURATION`].
pub(crate) fn check_duration(seconds: f64) -> Result<f64> {
    if !seconds.is_finite() || !(0.0..=MAX_DURATION).contains(&seconds) {
        return Err(JwtError::invalid_argument(
            "a duration must be between 0 and 100 years",
        ));
    }
    Ok(seconds)
}
