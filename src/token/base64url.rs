//! Strict base64url (RFC 7515 §2): no padding, no whitespace, no `+` or `/`, and canonical
//! trailing bits, so every token has exactly one encoding.

use base64ct::{Base64UrlUnpadded, Encoding};

/// Decodes strict unpadded base64url.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

/// Encodes as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn refuses_everything_non_canonical() {
        assert_eq!(decode("AQ").unwrap(), [1]);
        assert!(decode("AR").is_none(), "non-zero trailing bits");
        assert!(decode("AQ==").is_none(), "padding");
        assert!(decode("A Q").is_none(), "whitespace");
        assert!(decode("AQ\n").is_none(), "newline");
        assert!(decode("+/8").is_none(), "standard alphabet");
        assert_eq!(decode("-_8").unwrap(), [0xfb, 0xff]);
        assert!(decode("A").is_none(), "impossible length");
        assert!(decode("AQ?").is_none(), "foreign character");
    }
}
