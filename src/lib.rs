#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod clock;
mod error;
pub mod format;
mod key;
mod sealer;
// The wasm-bindgen binding: only for the npm package, kept out of the core.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod wasm;
mod xaes;

pub use error::Error;
pub use key::{Key, Keyring, MAX_KEYS};
pub use sealer::{
    DEFAULT_LEEWAY, DEFAULT_PURPOSE, DEFAULT_TTL, MAX_LEEWAY, Opened, Sealer, SealerBuilder,
};
