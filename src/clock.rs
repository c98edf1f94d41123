//! The wall clock and the calendar: the one place the crate, its command-line tool and its
//! demo read the time or turn seconds into a date. Kept apart from the sealer because
//! `SystemTime::now()` traps on wasm32-unknown-unknown, where the JavaScript host's
//! `Date.now()` is the clock instead.

use core::fmt;

use crate::Error;

/// Seconds since the Unix epoch from the platform clock (`Date.now()` in wasm, where
/// `SystemTime::now()` would trap). A clock set before 1970 is [`Error::Clock`], never 0.
///
/// ```
/// let now = cookie_seal::clock::now()?;
/// assert!(now > 1_700_000_000);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub fn now() -> Result<u64, Error> {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    {
        let millis = js_sys_date_now();
        if !(millis.is_finite() && millis >= 0.0) {
            return Err(Error::Clock);
        }
        Ok((millis / 1000.0) as u64)
    }
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| Error::Clock)
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn js_sys_date_now() -> f64 {
    #[wasm_bindgen::prelude::wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Date, js_name = now)]
        fn date_now() -> f64;
    }
    date_now()
}

/// A time in UTC on the proleptic Gregorian calendar. `Display` writes
/// `YYYY-MM-DD HH:MM:SS UTC`.
///
/// ```
/// use cookie_seal::clock::Utc;
/// let t = Utc::from_unix(951_782_400 + 3_661);
/// assert_eq!((t.year, t.month, t.day), (2000, 2, 29));
/// assert_eq!(t.to_string(), "2000-02-29 01:01:01 UTC");
/// assert_eq!(Utc::from_unix(0).to_string(), "1970-01-01 00:00:00 UTC");
/// assert!(Utc::from_unix(u64::MAX).year > 500_000_000_000); // no overflow
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Utc {
    /// The year, from 1970.
    pub year: u64,
    /// 1 to 12.
    pub month: u8,
    /// 1 to 31.
    pub day: u8,
    /// 0 to 23.
    pub hour: u8,
    /// 0 to 59.
    pub minute: u8,
    /// 0 to 59.
    pub second: u8,
}

impl Utc {
    /// The date and time `secs` seconds after the Unix epoch, by the days-to-civil
    /// conversion of Howard Hinnant's "chrono-compatible low-level date algorithms", in
    /// unsigned arithmetic (the epoch is its lower bound) that cannot overflow for any `u64`.
    ///
    /// ```
    /// let t = cookie_seal::clock::Utc::from_unix(1_700_000_000);
    /// assert_eq!((t.year, t.month, t.day, t.hour, t.minute, t.second), (2023, 11, 14, 22, 13, 20));
    /// ```
    pub fn from_unix(secs: u64) -> Utc {
        let rem = secs % 86_400;
        // Days since 0000-03-01: the year starts in March, so the leap day ends it.
        let z = secs / 86_400 + 719_468;
        let era = z / 146_097;
        let doe = z % 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Utc {
            year: yoe + era * 400 + u64::from(month <= 2),
            // Bounded above: 12, 31, 23, 59, 59.
            month: month as u8,
            day: day as u8,
            hour: (rem / 3_600) as u8,
            minute: (rem % 3_600 / 60) as u8,
            second: (rem % 60) as u8,
        }
    }
}

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}
