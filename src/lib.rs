#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The framework integrations, each behind its feature.
#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
// Strict unpadded base64url, the encoding of values, keys and session ids.
mod b64;
pub mod clock;
mod codec;
mod cookie;
pub mod csrf;
pub mod defaults;
mod error;
mod event;
pub mod format;
pub mod handoff;
mod key;
pub mod limits;
pub mod rate_limit;
mod sealer;
mod session;
pub mod store;
// Sealing unchecked plaintext with a fixed nonce, for vectors and fuzzing only.
#[cfg(feature = "insecure-fixed-nonce")]
mod testing;
// The wasm-bindgen binding: only for the npm package, kept out of the core.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod wasm;
// What the framework integrations share (the handle, the manager shared between routes).
#[cfg(any(feature = "axum", feature = "actix"))]
mod web;
mod xaes;

pub use cookie::{Priority, SameSite};
pub use csrf::{CrossOrigin, CsrfTokens, OriginHeaders, PreSessionToken, PreSessionTokens};
pub use error::Error;
pub use event::SessionEvent;
pub use key::{Key, Keyring};
#[cfg(feature = "rate-limit")]
pub use rate_limit::MemoryRateLimit;
pub use rate_limit::RateLimit;
pub use sealer::{Opened, Sealer, SealerBuilder};
pub use session::{
    Candidate, ResealReason, Revocation, Session, SessionId, SessionInfo, SessionManager,
    SessionManagerBuilder, SessionReader, SignIn, Subject,
};
pub use store::MemoryRevocation;
#[cfg(feature = "insecure-fixed-nonce")]
pub use testing::seal_raw_claims_with_fixed_nonce_insecure;
#[cfg(any(feature = "axum", feature = "actix"))]
pub use web::{FreshSession, SessionHandle, Sessions};
