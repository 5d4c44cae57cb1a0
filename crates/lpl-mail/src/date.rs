//! The calendar, for the whole tool: jiff's proleptic Gregorian arithmetic
//! behind a few plain functions (no time-zone database; mail carries its
//! own offsets).

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;

/// The civil date and time of `ts` (Unix seconds) at `offset_seconds` east
/// of UTC; `None` outside jiff's range (years -9999..=9999) or for an
/// offset beyond ±25:59:59.
pub fn civil(ts: i64, offset_seconds: i32) -> Option<DateTime> {
    let off = Offset::from_seconds(offset_seconds).ok()?;
    Some(off.to_datetime(Timestamp::from_second(ts).ok()?))
}

/// The UTC date `(year, month, day)` of `ts`; beyond the calendar's range
/// (years -9999..=9999), the range's first or last day.
pub fn ymd(ts: i64) -> (i16, i8, i8) {
    let d = civil(ts, 0).unwrap_or_else(|| {
        let edge = if ts < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        };
        Offset::UTC.to_datetime(edge)
    });
    (d.year(), d.month(), d.day())
}

/// Unix seconds of a civil date and time in UTC, read as mail clocks are:
/// a day past the month's end (`30 Feb`) runs on into the next month and a
/// leap second (`:60`) is the next second. `None` for a month outside
/// 1..=12, a day outside 1..=31, a time outside the day, or a year out of
/// range.
pub fn unix(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<i64> {
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let first = Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, 1).ok()?;
    let midnight = Offset::UTC
        .to_timestamp(first.to_datetime(Time::midnight()))
        .ok()?
        .as_second();
    Some(
        midnight
            + i64::from(day - 1) * 86_400
            + i64::from(hour) * 3600
            + i64::from(minute) * 60
            + i64::from(second),
    )
}

/// The date as in a mail's `Date:` header (RFC 2822):
/// `Tue, 30 Aug 2022 11:19:07 -0400`, at `offset_minutes` east of UTC (an
/// impossible offset is written as given, the time shown in UTC).
pub fn rfc2822(ts: i64, offset_minutes: i32) -> String {
    const WD: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let dt = civil(ts, offset_minutes.saturating_mul(60))
        .or_else(|| civil(ts, 0))
        .unwrap_or_else(|| DateTime::constant(1970, 1, 1, 0, 0, 0, 0));
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{}, {} {} {} {:02}:{:02}:{:02} {}{:02}{:02}",
        WD[dt.weekday().to_monday_zero_offset() as usize],
        dt.day(),
        MO[(dt.month() - 1) as usize],
        dt.year(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        sign,
        off / 60,
        off % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(unix(1970, 1, 1, 0, 0, 0), Some(0));
        assert_eq!(unix(2000, 3, 1, 0, 0, 0), Some(11_017 * 86_400));
        assert_eq!(unix(2024, 2, 30, 0, 0, 0), unix(2024, 3, 1, 0, 0, 0));
        assert_eq!(unix(2024, 13, 1, 0, 0, 0), None);
        assert_eq!(unix(2016, 12, 31, 23, 59, 60), unix(2017, 1, 1, 0, 0, 0));
        assert_eq!(
            rfc2822(1_661_872_747, -240),
            "Tue, 30 Aug 2022 11:19:07 -0400"
        );
        assert_eq!(rfc2822(0, 0), "Thu, 1 Jan 1970 00:00:00 +0000");
        let d = civil(-1, 0).expect("in range");
        assert_eq!((d.year(), d.month(), d.day()), (1969, 12, 31));
        assert!(civil(i64::MAX, 0).is_none());
        assert_eq!(ymd(1_708_980_934), (2024, 2, 26));
        assert_eq!(ymd(i64::MAX).0, 9999);
    }
}
