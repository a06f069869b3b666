//! The sign-in flows built on the core: access tokens, rotating refresh sessions, magic links,
//! one-time codes, two-factor sign-in (SMS/email codes or TOTP), and the [`Ledger`] they use
//! where security needs state.

mod access;
mod auth;
mod config;
mod grant;
mod ledger;
mod magic_link;
mod otp;
mod purpose;
mod session;
mod totp;
mod two_factor;

pub use access::{AccessCheck, AccessRequest};
pub use auth::Auth;
pub use config::{AuthConfig, MIN_SECRET_LEN};
#[cfg(not(target_arch = "wasm32"))]
pub use ledger::block_on;
pub use ledger::{Ledger, MemoryLedger, NoLedger, RotateOutcome, Rotation};
pub use magic_link::{MagicLink, MagicLinkRequest, MAGIC_LINK_PARAM};
pub use otp::{OtpChallenge, OtpChannel, OtpRequest};
pub use purpose::Purpose;
pub use session::{RefreshOptions, Session, SessionRequest};
pub use totp::{decode_base32, encode_base32, totp_code, verify_totp, TotpHash, TotpParams};
pub use two_factor::{SecondFactor, TwoFactorPending, TwoFactorRequest};
