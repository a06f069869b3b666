//! TOTP (RFC 6238): the Appendix B test values for SHA-1, SHA-256 and SHA-512 at every listed
//! time, the drift window, base32 secrets, parameter checks, and single use within the window
//! (through two-factor sign-in with a ledger).

mod flows_support;

use edge_jwt::{
    decode_base32, encode_base32, totp_code, verify_totp, ErrorCode, MemoryLedger, SecondFactor,
    TotpHash, TotpParams, TwoFactorRequest,
};
use flows_support::*;

const SHA1_SEED: &[u8] = b"12345678901234567890";
const SHA256_SEED: &[u8] = b"12345678901234567890123456789012";
const SHA512_SEED: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

/// RFC 6238 Appendix B: (time, SHA-1, SHA-256, SHA-512), 8 digits, 30-second steps.
const APPENDIX_B: [(u64, &str, &str, &str); 6] = [
    (59, "94287082", "46119246", "90693936"),
    (1_111_111_109, "07081804", "68084774", "25091201"),
    (1_111_111_111, "14050471", "67062674", "99943326"),
    (1_234_567_890, "89005924", "91819424", "93441116"),
    (2_000_000_000, "69279037", "90698825", "38618901"),
    (20_000_000_000, "65353130", "77737706", "47863826"),
];

fn params(hash: TotpHash) -> TotpParams {
    TotpParams {
        digits: 8,
        hash,
        ..Default::default()
    }
}

fn cases() -> impl Iterator<Item = (u64, &'static [u8], TotpHash, &'static str)> {
    APPENDIX_B
        .into_iter()
        .flat_map(|(time, sha1, sha256, sha512)| {
            [
                (time, SHA1_SEED, TotpHash::Sha1, sha1),
                (time, SHA256_SEED, TotpHash::Sha256, sha256),
                (time, SHA512_SEED, TotpHash::Sha512, sha512),
            ]
        })
}

#[test]
fn rfc_6238_appendix_b_codes() {
    let mut count = 0;
    for (time, seed, hash, expected) in cases() {
        assert_eq!(
            totp_code(seed, time as f64, &params(hash)).unwrap(),
            expected,
            "{hash:?} at {time}"
        );
        count += 1;
    }
    assert_eq!(count, 18);
}

#[test]
fn rfc_6238_appendix_b_codes_verify_at_their_step_only() {
    for (time, seed, hash, expected) in cases() {
        let p = params(hash);
        let counter = time / 30;
        assert_eq!(
            verify_totp(seed, expected, time as f64, &p).unwrap(),
            Some(counter),
            "{hash:?} at {time}"
        );
        // One step of drift either way is accepted; two are not.
        assert_eq!(
            verify_totp(seed, expected, (time + 30) as f64, &p).unwrap(),
            Some(counter)
        );
        assert_eq!(
            verify_totp(seed, expected, (time - 30) as f64, &p).unwrap(),
            Some(counter)
        );
        assert_eq!(
            verify_totp(seed, expected, (time + 60) as f64, &p).unwrap(),
            None
        );
        let strict = TotpParams { window: 0, ..p };
        assert_eq!(
            verify_totp(seed, expected, (time + 30) as f64, &strict).unwrap(),
            None
        );
        // The same code under another hash does not verify.
        let other = if hash == TotpHash::Sha1 {
            TotpHash::Sha256
        } else {
            TotpHash::Sha1
        };
        assert_eq!(
            verify_totp(seed, expected, time as f64, &params(other)).unwrap(),
            None
        );
    }
}

#[test]
fn six_digit_codes_are_the_last_six_of_eight() {
    for (time, seed, hash, expected) in cases() {
        let six = TotpParams {
            digits: 6,
            hash,
            ..Default::default()
        };
        assert_eq!(totp_code(seed, time as f64, &six).unwrap(), &expected[2..]);
    }
}

#[test]
fn malformed_codes_do_not_verify_and_bad_parameters_are_refused() {
    let p = params(TotpHash::Sha1);
    for code in ["9428708", "942870822", "9428708a", " 94287082", ""] {
        assert_eq!(
            verify_totp(SHA1_SEED, code, 59.0, &p).unwrap(),
            None,
            "{code:?}"
        );
    }
    for bad in [
        TotpParams { digits: 5, ..p },
        TotpParams { digits: 11, ..p },
        TotpParams { step: 0, ..p },
        TotpParams { step: 301, ..p },
        TotpParams { window: 11, ..p },
    ] {
        assert_err(
            totp_code(SHA1_SEED, 59.0, &bad),
            ErrorCode::InvalidArgument,
            None,
        );
        assert_err(
            verify_totp(SHA1_SEED, "94287082", 59.0, &bad),
            ErrorCode::InvalidArgument,
            None,
        );
    }
    assert_err(
        totp_code(b"short", 59.0, &p),
        ErrorCode::InvalidArgument,
        None,
    );
}

#[test]
fn base32_secrets_round_trip() {
    assert_eq!(encode_base32(SHA1_SEED), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(
        decode_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap(),
        SHA1_SEED
    );
    assert_eq!(
        decode_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap(),
        SHA1_SEED
    );
    assert_eq!(decode_base32("MZXW6===").unwrap(), b"foo");
    for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
        assert_eq!(decode_base32(&encode_base32(bytes)).unwrap(), bytes);
    }
    assert_err(decode_base32("GEZ1"), ErrorCode::InvalidArgument, None);
}

fn totp_factor() -> SecondFactor {
    SecondFactor::Totp {
        secret: SHA1_SEED.to_vec(),
        params: TotpParams::default(),
    }
}

#[test]
fn a_totp_code_is_single_use_within_its_window_with_a_ledger() {
    let (auth, clock) = auth();
    let ledger = MemoryLedger::new();
    let code = totp_code(SHA1_SEED, clock.now(), &TotpParams::default()).unwrap();
    let begin = || {
        auth.begin_two_factor(&TwoFactorRequest::new("ada", ["totp"]))
            .unwrap()
            .pending_token
    };
    run(auth.complete_two_factor(&begin(), &totp_factor(), &code, Some(&ledger))).unwrap();
    // The same code in a second sign-in, at once and after drifting a step.
    assert_err(
        run(auth.complete_two_factor(&begin(), &totp_factor(), &code, Some(&ledger))),
        ErrorCode::TokenReused,
        None,
    );
    clock.advance(30.0);
    assert_err(
        run(auth.complete_two_factor(&begin(), &totp_factor(), &code, Some(&ledger))),
        ErrorCode::TokenReused,
        None,
    );
    // Another user with the same secret is another key in the ledger.
    let bob = auth
        .begin_two_factor(&TwoFactorRequest::new("bob", ["totp"]))
        .unwrap();
    run(auth.complete_two_factor(&bob.pending_token, &totp_factor(), &code, Some(&ledger)))
        .unwrap();
}

#[test]
fn a_used_totp_code_is_remembered_until_it_can_no_longer_verify() {
    // Accepted one step early (drift), a code stays valid until the end of the step after its
    // own: 90 s later at most. The ledger must keep it at least that long.
    let step = 30u64;
    let clock = Clock::new();
    let start = (clock.now() as u64 / step + 1) * step; // the start of a step
    clock.set(start as f64);
    let auth = auth_on(config(), &clock);
    let params = TotpParams::default();
    let counter = start / step + 1; // the NEXT step's code
    let code = totp_code(SHA1_SEED, (counter * step) as f64, &params).unwrap();
    assert_eq!(
        verify_totp(SHA1_SEED, &code, start as f64, &params).unwrap(),
        Some(counter)
    );
    assert_eq!(
        verify_totp(SHA1_SEED, &code, (start + 89) as f64, &params).unwrap(),
        Some(counter),
        "still valid 89 s after its first use"
    );
    let ledger = RecordingLedger::new();
    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["totp"]))
        .unwrap();
    run(auth.complete_two_factor(&pending.pending_token, &totp_factor(), &code, Some(&ledger)))
        .unwrap();
    let consumed = ledger.consumed.lock().unwrap().clone();
    let (_, kept_until) = consumed
        .iter()
        .find(|(id, _)| id.starts_with("totp:"))
        .expect("the TOTP code was consumed");
    let valid_until = ((counter + params.window + 1) * step) as f64;
    assert!(
        *kept_until >= valid_until,
        "the ledger forgets the code at {kept_until}, but it verifies until {valid_until}"
    );
}

#[test]
fn a_wrong_or_malformed_totp_code_is_refused() {
    let (auth, clock) = auth();
    let code = totp_code(SHA1_SEED, clock.now(), &TotpParams::default()).unwrap();
    let wrong: String = code
        .chars()
        .map(|c| char::from(b'0' + (c as u8 - b'0' + 5) % 10))
        .collect();
    let pending = auth
        .begin_two_factor(&TwoFactorRequest::new("ada", ["totp"]))
        .unwrap();
    assert_err(
        run(auth.complete_two_factor(&pending.pending_token, &totp_factor(), &wrong, NO_LEDGER)),
        ErrorCode::OtpMismatch,
        None,
    );
    assert_err(
        run(auth.complete_two_factor(&pending.pending_token, &totp_factor(), "12a456", NO_LEDGER)),
        ErrorCode::InvalidArgument,
        None,
    );
    // Typed with a space, the right code passes.
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    run(auth.complete_two_factor(&pending.pending_token, &totp_factor(), &spaced, NO_LEDGER))
        .unwrap();
}
