//! Random bytes from the platform CSPRNG (`crypto.getRandomValues` in wasm, the OS natively).

use crate::error::{JwtError, Result};

/// Fills `buf` with random bytes.
pub(crate) fn fill(buf: &mut [u8]) -> Result<()> {
    getrandom::getrandom(buf)
        .map_err(|_| JwtError::invalid_argument("no secure random number generator is available"))
}

/// A random identifier: 16 bytes, base64url (22 characters).
pub(crate) fn token_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    fill(&mut bytes)?;
    Ok(crate::token::base64url::encode(&bytes))
}

/// A uniform random number in `0..bound` (without modulo bias, by rejection).
#[allow(dead_code)]
pub(crate) fn below(bound: u32) -> Result<u32> {
    const SPAN: u64 = 1 << 32;
    let bound = u64::from(bound.max(1));
    // The largest multiple of `bound` that fits: values at or above it are redrawn.
    let zone = SPAN - SPAN % bound;
    loop {
        let mut bytes = [0u8; 4];
        fill(&mut bytes)?;
        let value = u64::from(u32::from_le_bytes(bytes));
        if value < zone {
            return Ok((value % bound) as u32);
        }
    }
}
