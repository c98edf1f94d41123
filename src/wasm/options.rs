//! Options objects from JavaScript, read by serde without a detour through JSON text: the
//! wrapper hands over the object's entries (`names[i]` = `values[i]`, a nested object such
//! as `rememberMe` flattened to `rememberMe.idleTimeout`), and a `#[derive(Deserialize)]`
//! struct with `deny_unknown_fields` reads them, so unknown names, wrong types and every
//! default are decided here, once.
//!
//! Why not JSON text: a JSON parser (serde_json, or even serde-json-core) added 7 to 35 KB
//! gzipped to the module, mostly number parsing and float printing, and JSON.stringify would
//! silently turn NaN into null and drop functions.

use core::fmt;

use serde::Deserialize;
use serde::de::value::MapDeserializer;
use serde::de::{self, Expected, IntoDeserializer, Unexpected, Visitor};
use wasm_bindgen::JsValue;

use crate::Error;

/// Largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub(crate) const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// Reads `T` from the entries of a JavaScript options object; any problem is
/// `INVALID_OPTION`, naming the option where serde knows it.
pub(crate) fn read<T: for<'de> Deserialize<'de>>(
    what: &str,
    names: Vec<String>,
    values: Vec<JsValue>,
) -> Result<T, Error> {
    let entries = names.into_iter().zip(values.into_iter().map(JsOption));
    // Also refuses entries left over (`end`), which deny_unknown_fields already does.
    let map = MapDeserializer::<_, OptionError>::new(entries);
    T::deserialize(map).map_err(|err| Error::InvalidOption(format!("{what}: {}", err.0)))
}

/// A whole number of seconds (or bytes): 0 to `Number.MAX_SAFE_INTEGER`.
#[derive(Clone, Copy)]
pub(crate) struct Whole(pub u64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Whole, D::Error> {
        u64::deserialize(d).map(Whole)
    }
}

/// Why an options object was refused.
#[derive(Debug)]
pub(crate) struct OptionError(String);

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OptionError {}

impl de::Error for OptionError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        OptionError(msg.to_string())
    }

    // Both overridden so that no message ever prints a float: that code is about 10 KB.
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        OptionError(format!("{}, expected {exp}", described(unexp)))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self::invalid_type(unexp, exp)
    }
}

fn described(unexp: Unexpected<'_>) -> &'static str {
    match unexp {
        Unexpected::Float(_) => {
            "a number that is not whole or not from 0 to Number.MAX_SAFE_INTEGER"
        }
        Unexpected::Unsigned(_) => "a number",
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Str(_) => "a string",
        Unexpected::Map => "an object, or a value that is not a string, number or boolean",
        _ => "a value of the wrong type",
    }
}

/// One option value as serde sees it: a boolean, a number (whole numbers in the safe range
/// as `u64`, every other number as `f64`, which whole-number options refuse), a string, or
/// anything else (objects, null, functions, BigInt, symbols), which every option refuses.
struct JsOption(JsValue);

impl<'de> IntoDeserializer<'de, OptionError> for JsOption {
    type Deserializer = JsOption;
    fn into_deserializer(self) -> JsOption {
        self
    }
}

impl<'de> de::Deserializer<'de> for JsOption {
    type Error = OptionError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        if let Some(b) = self.0.as_bool() {
            return visitor.visit_bool(b);
        }
        if let Some(n) = self.0.as_f64() {
            if n.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER as f64).contains(&n) {
                // In range and integral, so the conversion is exact.
                return visitor.visit_u64(n as u64);
            }
            return visitor.visit_f64(n);
        }
        if let Some(s) = self.0.as_string() {
            return visitor.visit_string(s);
        }
        Err(de::Error::invalid_type(Unexpected::Map, &visitor))
    }

    // Present means given: the wrapper leaves out what is undefined.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionError> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}
