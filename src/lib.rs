//! # edge-jwt
//!
//! Strict JSON Web Tokens (RFC 7515, 7519, 8725) for Cloudflare Workers, Node, browsers and
//! native Rust, and the sign-in flows built on them.
//!
//! ```
//! use edge_jwt::{sign, verify, Alg, Key, SignOptions, VerifyOptions};
//!
//! let key = Key::generate(Alg::EdDSA)?;
//! let claims = serde_json::json!({ "sub": "ada", "role": "admin" });
//! let token = sign(
//!     claims.as_object().unwrap(),
//!     &key,
//!     &SignOptions { expires_in: Some(900.0), issuer: Some("https://id.example".into()), ..Default::default() },
//! )?;
//!
//! let verified = verify(&token, &key.public_key()?, &VerifyOptions::new([Alg::EdDSA]).issuer("https://id.example"))?;
//! assert_eq!(verified.claims["role"], "admin");
//! # Ok::<(), edge_jwt::JwtError>(())
//! ```
//!
//! The verifier, never the token, chooses the algorithm; keys are bound to one algorithm; the
//! signature is checked before the claims are read. Errors carry stable codes ([`ErrorCode`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod alg;
mod error;
mod flows;
mod inspect;
mod keys;
mod policy;
mod random;
mod sign;
mod time;
mod token;
mod verify;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use alg::{Alg, KeyFamily};
pub use error::{ErrorCode, JwtError, Result};
pub use flows::*;
pub use inspect::{decode, inspect, refresh_at, Decoded, RefreshAtOptions, TokenInfo};
pub use keys::{GenerateOptions, Key, KeySet, MAX_RSA_BITS, MIN_RSA_BITS};
pub use policy::{VerifyOptions, MAX_LEEWAY};
pub use sign::{sign, Jti, SignOptions};
pub use time::{now, parse_duration, MILLISECONDS_THRESHOLD};
pub use token::{Header, UntrustedToken, DEFAULT_MAX_TOKEN_SIZE};
pub use verify::{verify, verify_compact, Keys, VerifiedCompact, VerifiedToken, MAX_COMPACT_SIZE};
