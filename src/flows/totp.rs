//! TOTP (RFC 6238) as a second factor: codes from an authenticator app.

use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;

use crate::error::{JwtError, Result};

/// The hash a TOTP secret uses (SHA-1 is what authenticator apps default to).
///
/// ```
/// assert_eq!(edge_jwt::TotpHash::default(), edge_jwt::TotpHash::Sha1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TotpHash {
    /// HMAC-SHA-1.
    #[default]
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

/// TOTP parameters.
///
/// ```
/// let p = edge_jwt::TotpParams::default();
/// assert_eq!((p.digits, p.step, p.window), (6, 30, 1));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TotpParams {
    /// Digits (6 to 10; 6 by default).
    pub digits: u32,
    /// Time step in seconds (30).
    pub step: u64,
    /// Steps of drift accepted on either side (1).
    pub window: u64,
    /// The hash.
    pub hash: TotpHash,
}

impl Default for TotpParams {
    fn default() -> Self {
        TotpParams {
            digits: 6,
            step: 30,
            window: 1,
            hash: TotpHash::Sha1,
        }
    }
}

fn hotp(secret: &[u8], counter: u64, params: &TotpParams) -> Result<u32> {
    fn mac<M: Mac + hmac::digest::KeyInit>(secret: &[u8], counter: u64) -> Vec<u8> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(secret)
            .expect("HMAC takes keys of any length");
        mac.update(&counter.to_be_bytes());
        mac.finalize().into_bytes().to_vec()
    }
    let digest = match params.hash {
        TotpHash::Sha1 => mac::<Hmac<sha1::Sha1>>(secret, counter),
        TotpHash::Sha256 => mac::<Hmac<sha2::Sha256>>(secret, counter),
        TotpHash::Sha512 => mac::<Hmac<sha2::Sha512>>(secret, counter),
    };
    // RFC 4226 §5.3 dynamic truncation.
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    Ok(u32::try_from(u64::from(binary) % 10u64.pow(params.digits)).unwrap_or(0))
}

fn check_params(secret: &[u8], params: &TotpParams) -> Result<()> {
    if !(6..=10).contains(&params.digits)
        || params.step == 0
        || params.step > 300
        || params.window > 10
    {
        return Err(JwtError::invalid_argument(
            "TOTP needs 6 to 10 digits, a step of 1 to 300 s and a window of at most 10",
        ));
    }
    if secret.len() < 10 {
        return Err(JwtError::invalid_argument(
            "a TOTP secret must be at least 80 bits",
        ));
    }
    Ok(())
}

/// The TOTP code for `secret` at `now` (seconds).
///
/// ```
/// use edge_jwt::{totp_code, TotpParams};
/// // RFC 6238 Appendix B, SHA-1, T = 59
/// let params = TotpParams { digits: 8, ..Default::default() };
/// assert_eq!(totp_code(b"12345678901234567890", 59.0, &params).unwrap(), "94287082");
/// ```
pub fn totp_code(secret: &[u8], now: f64, params: &TotpParams) -> Result<String> {
    check_params(secret, params)?;
    let counter = (now.max(0.0) as u64) / params.step;
    Ok(format!(
        "{:0width$}",
        hotp(secret, counter, params)?,
        width = params.digits as usize
    ))
}

/// Checks a TOTP code at `now` within `window` steps; returns the matching time-step counter
/// (for single use within the window: see `Auth::complete_two_factor`), or `None`.
///
/// ```
/// use edge_jwt::{totp_code, verify_totp, TotpParams};
/// let params = TotpParams::default();
/// let code = totp_code(b"12345678901234567890", 1_000_000.0, &params).unwrap();
/// assert_eq!(verify_totp(b"12345678901234567890", &code, 1_000_029.0, &params).unwrap(), Some(33_333));
/// assert_eq!(verify_totp(b"12345678901234567890", &code, 1_000_100.0, &params).unwrap(), None);
/// ```
pub fn verify_totp(
    secret: &[u8],
    code: &str,
    now: f64,
    params: &TotpParams,
) -> Result<Option<u64>> {
    check_params(secret, params)?;
    if code.len() != params.digits as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let current = (now.max(0.0) as u64) / params.step;
    let mut found = None;
    for counter in current.saturating_sub(params.window)..=current + params.window {
        let expected = format!(
            "{:0width$}",
            hotp(secret, counter, params)?,
            width = params.digits as usize
        );
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = found.or(Some(counter));
        }
    }
    Ok(found)
}

/// Decodes a base32 TOTP secret (RFC 4648, as in `otpauth://` URIs; case, spaces and padding
/// ignored).
///
/// ```
/// assert_eq!(edge_jwt::decode_base32("GEZDGNBVGY3TQOJQ").unwrap(), b"1234567890");
/// ```
pub fn decode_base32(text: &str) -> Result<Vec<u8>> {
    let mut bits: u64 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = match c.to_ascii_uppercase() {
            u @ 'A'..='Z' => u as u64 - 'A' as u64,
            d @ '2'..='7' => d as u64 - '2' as u64 + 26,
            _ => return Err(JwtError::invalid_argument("the TOTP secret is not base32")),
        };
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Ok(out)
}

/// Encodes bytes as unpadded base32 (for `otpauth://` URIs).
///
/// ```
/// assert_eq!(edge_jwt::encode_base32(b"1234567890"), "GEZDGNBVGY3TQOJQ");
/// ```
pub fn encode_base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut bits: u64 = 0;
    let mut count = 0;
    for &byte in bytes {
        bits = (bits << 8) | u64::from(byte);
        count += 8;
        while count >= 5 {
            count -= 5;
            out.push(char::from(ALPHABET[((bits >> count) & 31) as usize]));
        }
        bits &= (1 << count) - 1;
    }
    if count > 0 {
        out.push(char::from(ALPHABET[((bits << (5 - count)) & 31) as usize]));
    }
    out
}
