//! The wall clock, the one place the core reads it. Kept apart from the sealer because
//! `SystemTime::now()` traps on wasm32-unknown-unknown, where the JavaScript host's
//! `Date.now()` is the clock instead.

use crate::Error;

/// Seconds since the Unix epoch from the platform clock (`Date.now()` in wasm, where
/// `SystemTime::now()` would trap).
pub(crate) fn now() -> Result<u64, Error> {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    {
        let millis = js_sys_date_now();
        if !(millis.is_finite() && millis >= 0.0) {
            return Err(Error::InvalidOption(
                "the platform clock is before 1970".into(),
            ));
        }
        Ok((millis / 1000.0) as u64)
    }
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| Error::InvalidOption("the system clock is before 1970".into()))
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
