#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod clock;
mod codec;
mod cookie;
pub mod defaults;
mod error;
pub mod format;
mod key;
pub mod limits;
mod sealer;
mod session;
// The wasm-bindgen binding: only for the npm package, kept out of the core.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod wasm;
mod xaes;

pub use cookie::SameSite;
pub use error::Error;
pub use key::{Key, Keyring};
pub use sealer::{Opened, Sealer, SealerBuilder};
pub use session::{
    Candidate, MemoryRevocation, ResealReason, Revocation, Session, SessionId, SessionInfo,
    SessionManager, SessionManagerBuilder, SessionReader, SignIn, Subject,
};
