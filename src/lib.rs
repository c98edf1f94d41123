#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod clock;
mod error;
pub mod format;
mod key;
mod sealer;
mod xaes;

pub use error::Error;
pub use key::{Key, Keyring, MAX_KEYS};
pub use sealer::{
    DEFAULT_LEEWAY, DEFAULT_PURPOSE, DEFAULT_TTL, MAX_LEEWAY, Opened, Sealer, SealerBuilder,
};
