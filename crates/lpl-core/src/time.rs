//! Dates as the front ends show and take them: mail carries its own zone
//! offset, archives sort by UTC, and users type `YYYY-MM-DD`. The calendar
//! is lpl-mail's (jiff's; no time-zone database is needed for any of this).

use lpl_mail::date::civil;

use crate::error::{Error, Invalid};

/// `YYYY-MM-DD` (UTC) of a timestamp (`????-??-??` outside the calendar's
/// range, which only absurd Date headers reach).
pub fn date(ts: i64) -> String {
    match civil(ts, 0) {
        Some(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        None => "????-??-??".to_owned(),
    }
}

/// `YYYY-MM-DD HH:MM +ZZZZ` in the sender's own zone.
pub fn datetime(ts: i64, offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    let zone = format!("{sign}{:02}{:02}", off / 60, off % 60);
    // An impossible offset (+1700 ...) is shown as written, the time in UTC.
    let local = civil(ts, offset_minutes.saturating_mul(60)).or_else(|| civil(ts, 0));
    match local {
        Some(d) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02} {zone}",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute()
        ),
        None => format!("????-??-?? ??:?? {zone}"),
    }
}

/// Parses a day as users type it, `YYYY-MM-DD` (also `YYYY-MM` and `YYYY`,
/// meaning its first day), to Unix seconds at 00:00 UTC.
pub fn parse_day(s: &str) -> Result<i64, Error> {
    let bad = || -> Error { Invalid::Date { text: s.to_owned() }.into() };
    let mut it = s.trim().splitn(3, '-');
    let num = |p: Option<&str>, default: i64| -> Option<i64> {
        match p {
            None => Some(default),
            Some(x) if !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()) => x.parse().ok(),
            Some(_) => None,
        }
    };
    let y = it.next().and_then(|x| num(Some(x), 0)).ok_or_else(bad)?;
    let m = num(it.next(), 1).ok_or_else(bad)?;
    let d = num(it.next(), 1).ok_or_else(bad)?;
    // A day the month has (no running on into the next month here).
    let (m, d) = (
        u32::try_from(m).map_err(|_| bad())?,
        u32::try_from(d).map_err(|_| bad())?,
    );
    let ts = lpl_mail::date::unix(y, m, d, 0, 0, 0).ok_or_else(bad)?;
    if lpl_mail::date::ymd(ts).2 as u32 != d {
        return Err(bad());
    }
    Ok(ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_708_980_934), "2024-02-26");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(datetime(1_708_980_934, -300), "2024-02-26 15:55 -0500");
        assert_eq!(datetime(1_708_980_934, 17 * 60), "2024-02-27 13:55 +1700");
        assert_eq!(date(i64::MAX), "????-??-??");
    }

    #[test]
    fn days() {
        assert_eq!(parse_day("1970-01-02").expect("valid"), 86_400);
        assert_eq!(parse_day("2024-02-26").expect("valid"), 1_708_905_600);
        assert_eq!(parse_day("2024").expect("valid"), 1_704_067_200);
        assert_eq!(parse_day("2024-03").expect("valid"), 1_709_251_200);
        for bad in [
            "2024-13-01",
            "2024-02-30",
            "yesterday",
            "",
            "2024--01",
            "+2024-01-01",
        ] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }
}
