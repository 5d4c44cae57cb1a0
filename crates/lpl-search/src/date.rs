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
//!
//! `dt:` always compares seconds (`YYYYMMDDHHMMSS` ends are taken as
//! written). `rt:` compares the received time in unix seconds: an end of
//! five digits or more is a unix time as written, anything else goes through
//! the same approxidate reading; `rt:X` means `X..X+1 day`.

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
    /// `rt:` only: a unix time as written (five digits or more).
    Unix(i64),
}

/// Which date a range compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateField {
    /// `d:`: the `Date:` header, by day unless an end is an approxidate.
    #[default]
    Date,
    /// `dt:`: the `Date:` header, by the second.
    DateTime,
    /// `rt:`: when the message was received (the first dated `Received:`
    /// header, else the `Date:` header).
    Received,
}

impl DateField {
    /// The prefix name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Date => "d",
            Self::DateTime => "dt",
            Self::Received => "rt",
        }
    }
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
    /// What is compared.
    pub field: DateField,
}

/// A range resolved to index values (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// Compare `YYYYMMDD` day values.
    Day(Option<u64>, Option<u64>),
    /// Compare `YYYYMMDDHHMMSS` values.
    Second(Option<u64>, Option<u64>),
    /// Compare received times, unix seconds.
    Received(Option<i64>, Option<i64>),
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

fn parse_spec(s: &str, field: DateField) -> Result<DateSpec, String> {
    let bad = || format!("`{s}`");
    let all_digits = s.bytes().all(|b| b.is_ascii_digit());
    if field == DateField::Received && s.len() >= 5 && all_digits {
        return s.parse().map(DateSpec::Unix).map_err(|_| bad());
    }
    if field == DateField::DateTime && s.len() == 14 && all_digits {
        let n = |r: std::ops::Range<usize>| s[r].parse::<i16>().ok();
        let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) =
            (n(0..4), n(4..6), n(6..8), n(8..10), n(10..12), n(12..14))
        else {
            return Err(bad());
        };
        let (Ok(mo), Ok(d), Ok(h), Ok(mi), Ok(sec)) = (
            i8::try_from(mo),
            i8::try_from(d),
            i8::try_from(h),
            i8::try_from(mi),
            i8::try_from(sec),
        ) else {
            return Err(bad());
        };
        return DateTime::new(y, mo, d, h, mi, sec, 0)
            .map(DateSpec::Time)
            .map_err(|_| bad());
    }
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
    // (`split_at_checked`: byte 10 may fall inside a character.)
    if s.len() >= 16
        && let Some((day, time)) = s.split_at_checked(10)
        && let (Some(Some(DateSpec::IsoDay(d))), Some(time)) =
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
    Err(bad())
}

/// Parses the value of a `d:` term.
#[cfg(test)]
pub(crate) fn parse_range(spec: &str) -> Result<DateRange, String> {
    parse_field_range(spec, DateField::Date)
}

/// Parses the value of a `d:`, `dt:` or `rt:` term.
pub(crate) fn parse_field_range(spec: &str, field: DateField) -> Result<DateRange, String> {
    match spec.split_once("..") {
        None => Ok(DateRange {
            from: Some(parse_spec(spec, field)?),
            to: None,
            single: true,
            field,
        }),
        Some((a, b)) => {
            let from = (!a.is_empty()).then(|| parse_spec(a, field)).transpose()?;
            let to = (!b.is_empty()).then(|| parse_spec(b, field)).transpose()?;
            if from.is_none() && to.is_none() {
                return Err(format!("`{spec}` has no ends"));
            }
            Ok(DateRange {
                from,
                to,
                single: false,
                field,
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
                DateSpec::Unix(t) => Timestamp::from_second(*t)
                    .unwrap_or(Timestamp::UNIX_EPOCH)
                    .to_zoned_datetime(TimeZone::UTC)
                    .datetime(),
            }
        };
        if self.field == DateField::Received {
            let unix = |spec: &DateSpec| match spec {
                DateSpec::Unix(t) => *t,
                other => at(other)
                    .to_zoned_datetime(TimeZone::UTC)
                    .map_or(0, |z| z.timestamp().as_second()),
            };
            let lo = self.from.as_ref().map(unix);
            let hi = if self.single {
                lo.map(|t| t.saturating_add(86_400))
            } else {
                self.to.as_ref().map(unix)
            };
            return Resolved::Received(lo, hi);
        }
        let all_days = self.field == DateField::Date
            && [&self.from, &self.to]
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
        write!(f, "{}:{:?}..{:?}", self.field.name(), self.from, self.to)
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
    fn dt_compares_seconds_and_rt_unix_times() {
        let dt = |s| parse_field_range(s, DateField::DateTime).expect("parses");
        assert_eq!(
            dt("20210101000000..20210201000000").resolve(NOW),
            Resolved::Second(Some(20210101000000), Some(20210201000000))
        );
        // Plain days in dt: still compare seconds (midnight).
        assert_eq!(
            dt("20210101..20210201").resolve(NOW),
            Resolved::Second(Some(20210101000000), Some(20210201000000))
        );
        let rt = |s| parse_field_range(s, DateField::Received).expect("parses");
        assert_eq!(
            rt("1609459200..1612137600").resolve(NOW),
            Resolved::Received(Some(1_609_459_200), Some(1_612_137_600))
        );
        // A single value is one day from there; 5+ digits are unix times
        // even when they look like a date, as in public-inbox.
        assert_eq!(
            rt("20210101").resolve(NOW),
            Resolved::Received(Some(20_210_101), Some(20_296_501))
        );
        assert_eq!(
            rt("2024-01-01.12:00:00..").resolve(NOW),
            Resolved::Received(Some(1_704_110_400), None)
        );
        assert_eq!(
            rt("..yesterday").resolve(NOW),
            Resolved::Received(None, Some(NOW - 86_400))
        );
        assert!(parse_field_range("2021013100000x", DateField::DateTime).is_err());
        assert!(parse_field_range("20211301000000", DateField::DateTime).is_err());
    }

    #[test]
    fn rejects_nonsense() {
        assert!(parse_range("soon").is_err());
        assert!(parse_range("2024-02-30").is_err());
        assert!(parse_range("..").is_err());
        assert!(parse_range("3.fortnights.hence").is_err());
    }
}
