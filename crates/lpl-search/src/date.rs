//! `d:` ranges with public-inbox's meaning.
//!
//! public-inbox (`PublicInbox::Search::date_parse_prepare`) keeps two date
//! values per message: the day (`YYYYMMDD`) and the second
//! (`YYYYMMDDHHMMSS`), both from the `Date:` header in UTC. A range whose
//! ends are all plain dates (`20240101`, `2024-01-01`) compares days, both
//! ends inclusive; as soon as one end is a git "approxidate" (`2.weeks.ago`,
//! `last.month`, `yesterday`, `2024-01-01.12:00`), the whole range compares
//! seconds. A single value `d:X` means `X..X+1 day` (inclusive, as lore does).
//! Relative dates are resolved against a `now` given by the caller, in UTC.

use std::fmt;

use jiff::civil::{Date, DateTime};
use jiff::{Span, SpanFieldwise, Timestamp, tz::TimeZone};

/// One end of a range, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateSpec {
    /// `YYYYMMDD` (midnight when compared by the second).
    Day(Date),
    /// `YYYY-MM-DD` (git approxidate: the current time of day on that date).
    IsoDay(Date),
    /// `YYYY-MM-DD.HH:MM[:SS]`: an absolute time.
    Time(DateTime),
    /// `N.unit.ago`, `last.unit`, `yesterday`, `now`: `now` minus a span.
    Ago(SpanFieldwise),
}

/// A parsed `d:` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRange {
    /// Lower end, if any.
    pub from: Option<DateSpec>,
    /// Upper end, if any.
    pub to: Option<DateSpec>,
    /// `d:X` without `..`.
    pub single: bool,
}

/// A range resolved to index values (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// Compare `YYYYMMDD` day values.
    Day(Option<u64>, Option<u64>),
    /// Compare `YYYYMMDDHHMMSS` values.
    Second(Option<u64>, Option<u64>),
}

fn parse_day(s: &str) -> Option<Option<DateSpec>> {
    let b = s.as_bytes();
    let compact = b.len() == 8 && b.iter().all(u8::is_ascii_digit);
    let (y, m, d) = if compact {
        (&s[..4], &s[4..6], &s[6..])
    } else if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        (&s[..4], &s[5..7], &s[8..])
    } else {
        return None;
    };
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let date = Date::new(y, m, d).ok();
    Some(date.map(|d| {
        if compact {
            DateSpec::Day(d)
        } else {
            DateSpec::IsoDay(d)
        }
    }))
}

fn unit_span(n: i64, unit: &str) -> Option<Span> {
    let unit = unit.strip_suffix('s').unwrap_or(unit);
    let span = match unit {
        "second" | "sec" => Span::new().try_seconds(n).ok()?,
        "minute" | "min" => Span::new().try_minutes(n).ok()?,
        "hour" => Span::new().try_hours(n).ok()?,
        "day" => Span::new().try_days(n).ok()?,
        "week" => Span::new().try_weeks(n).ok()?,
        "fortnight" => Span::new().try_weeks(n.checked_mul(2)?).ok()?,
        "month" => Span::new().try_months(n).ok()?,
        "year" => Span::new().try_years(n).ok()?,
        _ => return None,
    };
    Some(span)
}

fn parse_spec(s: &str) -> Result<DateSpec, String> {
    let bad = || format!("`{s}`");
    if let Some(day) = parse_day(s) {
        return day.ok_or_else(bad);
    }
    let lower = s.to_ascii_lowercase();
    let parts: Vec<&str> = lower
        .split(['.', '_', '-'])
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        ["now"] | ["today"] => return Ok(DateSpec::Ago(Span::new().into())),
        ["yesterday"] => return Ok(DateSpec::Ago(Span::new().days(1).into())),
        ["last", unit] => {
            return unit_span(1, unit)
                .map(|s| DateSpec::Ago(s.into()))
                .ok_or_else(bad);
        }
        [n, unit] | [n, unit, "ago"] => {
            if let Ok(n) = n.parse::<i64>() {
                return unit_span(n, unit)
                    .map(|s| DateSpec::Ago(s.into()))
                    .ok_or_else(bad);
            }
        }
        _ => {}
    }
    // YYYY-MM-DD.HH:MM[:SS] (git accepts '.' or 'T' between).
    if s.len() >= 16 {
        let (day, time) = s.split_at(10);
        if let (Some(Some(DateSpec::IsoDay(d))), Some(time)) =
            (parse_day(day), time.strip_prefix(['.', 'T']))
        {
            let mut hms = time.split(':').map(str::parse::<i8>);
            let h = hms.next().and_then(Result::ok);
            let m = hms.next().and_then(Result::ok);
            let sec = hms.next().map_or(Some(0), Result::ok);
            if let (Some(h), Some(m), Some(sec), None) = (h, m, sec, hms.next()) {
                return jiff::civil::Time::new(h, m, sec, 0)
                    .map(|t| DateSpec::Time(d.to_datetime(t)))
                    .map_err(|_| bad());
            }
        }
    }
    Err(bad())
}

/// Parses the value of a `d:` term.
pub(crate) fn parse_range(spec: &str) -> Result<DateRange, String> {
    match spec.split_once("..") {
        None => Ok(DateRange {
            from: Some(parse_spec(spec)?),
            to: None,
            single: true,
        }),
        Some((a, b)) => {
            let from = (!a.is_empty()).then(|| parse_spec(a)).transpose()?;
            let to = (!b.is_empty()).then(|| parse_spec(b)).transpose()?;
            if from.is_none() && to.is_none() {
                return Err(format!("`{spec}` has no ends"));
            }
            Ok(DateRange {
                from,
                to,
                single: false,
            })
        }
    }
}

fn ymd(d: Date) -> u64 {
    let y = u64::try_from(d.year()).unwrap_or(0);
    y * 10_000 + u64::from(d.month().unsigned_abs()) * 100 + u64::from(d.day().unsigned_abs())
}

/// `YYYYMMDDHHMMSS` of a civil date-time.
pub(crate) fn ymdhms(dt: DateTime) -> u64 {
    ymd(dt.date()) * 1_000_000
        + u64::from(dt.hour().unsigned_abs()) * 10_000
        + u64::from(dt.minute().unsigned_abs()) * 100
        + u64::from(dt.second().unsigned_abs())
}

/// Day and second values of a unix time, as stored in the index.
pub(crate) fn index_values(unix: i64) -> Option<(u64, u64)> {
    let ts = Timestamp::from_second(unix).ok()?;
    let dt = ts.to_zoned_datetime(TimeZone::UTC).datetime();
    Some((ymd(dt.date()), ymdhms(dt)))
}

impl DateRange {
    /// Resolves the range to index values, relative dates against `now`
    /// (unix seconds).
    pub fn resolve(&self, now: i64) -> Resolved {
        let now_dt = Timestamp::from_second(now)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned_datetime(TimeZone::UTC);
        let at = |spec: &DateSpec| -> DateTime {
            match spec {
                DateSpec::Day(d) => d.to_datetime(jiff::civil::Time::midnight()),
                // git's approxidate keeps the current time of day for a bare date.
                DateSpec::IsoDay(d) => d.to_datetime(now_dt.time()),
                DateSpec::Time(t) => *t,
                DateSpec::Ago(span) => now_dt
                    .checked_sub(span.0)
                    .map_or(now_dt.datetime(), |z| z.datetime()),
            }
        };
        let all_days = [&self.from, &self.to]
            .into_iter()
            .flatten()
            .all(|s| matches!(s, DateSpec::Day(_) | DateSpec::IsoDay(_)));
        if self.single {
            let Some(spec) = &self.from else {
                return Resolved::Day(None, None);
            };
            let lo = at(spec);
            let hi = lo.checked_add(Span::new().days(1)).unwrap_or(lo);
            return if all_days {
                Resolved::Day(Some(ymd(lo.date())), Some(ymd(hi.date())))
            } else {
                Resolved::Second(Some(ymdhms(lo)), Some(ymdhms(hi)))
            };
        }
        if all_days {
            let day = |s: &Option<DateSpec>| s.as_ref().map(|s| ymd(at(s).date()));
            Resolved::Day(day(&self.from), day(&self.to))
        } else {
            // A YYYYMMDD end in a seconds range means midnight (public-inbox
            // appends 000000); YYYY-MM-DD goes through approxidate.
            let sec = |s: &Option<DateSpec>| s.as_ref().map(|s| ymdhms(at(s)));
            Resolved::Second(sec(&self.from), sec(&self.to))
        }
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "d:{:?}..{:?}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-26 06:33:44 UTC, checked against `TZ=UTC git rev-parse --since=...`.
    const NOW: i64 = 1_795_674_824;

    fn secs(s: &str) -> u64 {
        let (_, v) = index_values(s.parse().expect("number")).expect("valid");
        v
    }

    #[test]
    fn plain_days_compare_days() {
        let r = parse_range("2024-01-01..20240301").expect("parses");
        assert_eq!(
            r.resolve(NOW),
            Resolved::Day(Some(20240101), Some(20240301))
        );
        let r = parse_range("20240101..").expect("parses");
        assert_eq!(r.resolve(NOW), Resolved::Day(Some(20240101), None));
        // Single day: that day and the next, as public-inbox does.
        let r = parse_range("20240229").expect("parses");
        assert_eq!(
            r.resolve(NOW),
            Resolved::Day(Some(20240229), Some(20240301))
        );
    }

    #[test]
    fn approxidates_match_git() {
        let r = parse_range("..2.weeks.ago").expect("parses");
        assert_eq!(
            r.resolve(NOW),
            Resolved::Second(None, Some(secs("1794465224")))
        );
        let r = parse_range("last.month..").expect("parses");
        assert_eq!(
            r.resolve(NOW),
            Resolved::Second(Some(secs("1792996424")), None)
        );
        let r = parse_range("yesterday..").expect("parses");
        assert_eq!(
            r.resolve(NOW),
            Resolved::Second(Some(secs("1795588424")), None)
        );
        let r = parse_range("last.week..").expect("parses");
        assert_eq!(
            r.resolve(NOW),
            Resolved::Second(Some(secs("1795070024")), None)
        );
        let r = parse_range("2024-01-01.12:00:00..").expect("parses");
        assert_eq!(
            r.resolve(NOW),
            Resolved::Second(Some(secs("1704110400")), None)
        );
        // Mixed: a YYYY-MM-DD end takes the time of day of `now`, like git,
        // a YYYYMMDD end is midnight.
        let r = parse_range("20240101..yesterday").expect("parses");
        assert_eq!(
            r.resolve(NOW),
            Resolved::Second(Some(20240101000000), Some(secs("1795588424")))
        );
        let r = parse_range("2024-01-01..yesterday").expect("parses");
        assert_eq!(
            r.resolve(NOW),
            Resolved::Second(Some(secs("1704090824")), Some(secs("1795588424")))
        );
    }

    #[test]
    fn rejects_nonsense() {
        assert!(parse_range("soon").is_err());
        assert!(parse_range("2024-02-30").is_err());
        assert!(parse_range("..").is_err());
        assert!(parse_range("3.fortnights.hence").is_err());
    }
}
