#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The framework integrations, each behind its feature.
#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
mod clock;
mod cookie;
mod csrf;
mod error;
pub mod format;
mod key;
mod rate_limit;
mod revocation;
mod sealer;
mod session;
// The wasm-bindgen binding: only for the npm package, kept out of the core.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod wasm;
// What the framework integrations share (the handle, the manager shared between routes).
#[cfg(any(feature = "axum", feature = "actix"))]
mod web;
mod xaes;

pub use cookie::{
    MAX_AGE_CAP, MAX_COOKIE_HEADER_LEN, MAX_COOKIE_PAIRS, MAX_SAME_NAME, SameSite, cookie_pairs,
};
pub use csrf::{CrossOrigin, CsrfTokens, DEFAULT_CSRF_TTL, MAX_TRUSTED_ORIGINS, OriginHeaders};
pub use error::Error;
pub use key::{Key, Keyring, MAX_KEYS};
#[cfg(feature = "rate-limit")]
pub use rate_limit::MemoryRateLimit;
pub use rate_limit::{RateLimit, RateLimitFuture, client_key};
pub use revocation::{MemoryRevocation, Revocation, SessionInfo};
pub use sealer::{
    DEFAULT_LEEWAY, DEFAULT_PURPOSE, DEFAULT_TTL, MAX_LEEWAY, Opened, Sealer, SealerBuilder,
};
pub use session::{
    DEFAULT_ABSOLUTE_LIFETIME, DEFAULT_IDLE_TIMEOUT, DEFAULT_REMEMBER_ABSOLUTE,
    DEFAULT_REMEMBER_IDLE, MAX_CHUNKS_LIMIT, ResealReason, Session, SessionId, SessionManager,
    SessionManagerBuilder, SignIn, Subject,
};
#[cfg(any(feature = "axum", feature = "actix"))]
pub use web::{SessionHandle, Sessions};
