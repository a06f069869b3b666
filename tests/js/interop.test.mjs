// Interoperability with jose (and Node's crypto for ES256K, which jose 6 no longer implements):
// for every algorithm, tokens signed by the other side verify here and tokens signed here verify
// there, with keys made on either side and exchanged as JWK and PEM.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, test } from "node:test";
import * as jose from "jose";
import { ALGS, importPackage } from "../package/helpers.mjs";

const { Key, sign, verify } = await importPackage();

const ISSUER = "https://issuer.example";
const AUDIENCE = "api://interop";
const claimsFor = (alg, by) => ({ sub: `user-${alg}`, by, scope: "read write", n: 42, nested: { ok: true, list: [1, "two"] } });
const verifyOptions = (alg) => ({ algorithms: [alg], issuer: ISSUER, audience: AUDIENCE });
const HMAC_BYTES = { HS256: 32, HS384: 48, HS512: 64 };

function checkClaims(claims, alg, by) {
  assert.deepEqual({ ...claims, iat: undefined, exp: undefined, iss: undefined, aud: undefined }, { ...claimsFor(alg, by), iat: undefined, exp: undefined, iss: undefined, aud: undefined });
  assert.equal(claims.iss, ISSUER);
  assert.equal(claims.aud, AUDIENCE);
  assert.equal(claims.exp - claims.iat, 300);
}

// --- ES256K through node:crypto (secp256k1), JWS built by hand as RFC 7515 says -------------
const b64url = (data) => Buffer.from(data).toString("base64url");
function nodeSignEs256k(claims, privateKey, kid) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url(JSON.stringify({ alg: "ES256K", typ: "JWT", kid }))}.${b64url(JSON.stringify({ ...claims, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300 }))}`;
  const signature = crypto.sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64url(signature)}`;
}
function nodeVerifyEs256k(token, publicKey) {
  const [h, p, s] = token.split(".");
  assert.equal(JSON.parse(Buffer.from(h, "base64url")).alg, "ES256K");
  const ok = crypto.verify("sha256", Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
  assert.ok(ok, "node:crypto accepts the ES256K signature");
  return JSON.parse(Buffer.from(p, "base64url"));
}

// jose using a private JWK exported here (its public half derived by dropping private members).
async function joseImport(alg, privateJwk) {
  const key = await jose.importJWK(privateJwk, alg);
  const { d, p, q, dp, dq, qi, ...publicJwk } = privateJwk;
  const pub = alg in HMAC_BYTES ? key : await jose.importJWK(publicJwk, alg);
  return {
    sign: (claims) => new jose.SignJWT(claims).setProtectedHeader({ alg, typ: "JWT", kid: privateJwk.kid }).setIssuedAt().setExpirationTime("5m").setIssuer(ISSUER).setAudience(AUDIENCE).sign(key),
    verify: async (token) => (await jose.jwtVerify(token, pub, verifyOptions(alg))).payload,
  };
}

// --- The other side's key pair for an algorithm, as { sign(claims), verify(token), jwk, pem } ---
async function otherSide(alg) {
  if (alg in HMAC_BYTES) {
    const secret = crypto.randomBytes(HMAC_BYTES[alg]);
    return {
      here: Key.fromSecret(new Uint8Array(secret), alg),
      sign: (claims) => new jose.SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).setIssuedAt().setExpirationTime("5m").setIssuer(ISSUER).setAudience(AUDIENCE).sign(secret),
      verify: async (token) => (await jose.jwtVerify(token, secret, verifyOptions(alg))).payload,
      importHere: (privateJwk) => joseImport(alg, privateJwk),
    };
  }
  if (alg === "ES256K") {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "secp256k1" });
    const jwk = privateKey.export({ format: "jwk" });
    return {
      privateJwk: { ...jwk, alg },
      publicJwk: { ...publicKey.export({ format: "jwk" }), alg },
      privatePem: privateKey.export({ format: "pem", type: "pkcs8" }),
      publicPem: publicKey.export({ format: "pem", type: "spki" }),
      sign: async (claims) => nodeSignEs256k(claims, privateKey),
      verify: async (token) => nodeVerifyEs256k(token, publicKey),
      importHere: (privateJwk) => {
        const key = crypto.createPrivateKey({ key: privateJwk, format: "jwk" });
        return { sign: async (claims) => nodeSignEs256k(claims, key, privateJwk.kid), verify: async (token) => nodeVerifyEs256k(token, crypto.createPublicKey(key)) };
      },
    };
  }
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true, ...(alg.startsWith("EdDSA") ? { crv: "Ed25519" } : {}) });
  return {
    privateJwk: { ...(await jose.exportJWK(privateKey)), alg },
    publicJwk: { ...(await jose.exportJWK(publicKey)), alg },
    privatePem: await jose.exportPKCS8(privateKey),
    publicPem: await jose.exportSPKI(publicKey),
    sign: (claims) => new jose.SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).setIssuedAt().setExpirationTime("5m").setIssuer(ISSUER).setAudience(AUDIENCE).sign(privateKey),
    verify: async (token) => (await jose.jwtVerify(token, publicKey, verifyOptions(alg))).payload,
    importHere: (privateJwk) => joseImport(alg, privateJwk),
  };
}

const signHere = (alg, key) => sign(claimsFor(alg, "edge-jwt"), key, { expiresIn: "5m", issuer: ISSUER, audience: AUDIENCE });

describe("jose interop", () => {
  for (const alg of ALGS) {
    test(`${alg}: other side's keys, both directions (JWK${alg in HMAC_BYTES ? ", secret bytes" : " and PEM"})`, async () => {
      const other = await otherSide(alg);
      // other -> here
      const theirToken = await other.sign(claimsFor(alg, "other"));
      const verifyKeys = alg in HMAC_BYTES ? [other.here] : [Key.fromJwk(other.publicJwk), Key.fromPem(other.publicPem, alg)];
      for (const key of verifyKeys) checkClaims(verify(theirToken, key, verifyOptions(alg)).claims, alg, "other");
      // here -> other
      const signKeys = alg in HMAC_BYTES ? [other.here] : [Key.fromJwk(other.privateJwk), Key.fromPem(other.privatePem, alg)];
      for (const key of signKeys) checkClaims(await other.verify(signHere(alg, key)), alg, "edge-jwt");
    });

    test(`${alg}: keys generated here, exported as JWK, used by the other side both directions`, async () => {
      const key = Key.generate(alg);
      const other = await otherSide(alg);
      const theirs = await other.importHere(key.toJwk({ private: true }));
      checkClaims(await theirs.verify(signHere(alg, key)), alg, "edge-jwt");
      const theirToken = await theirs.sign(claimsFor(alg, "other"));
      const { header, claims } = verify(theirToken, alg in HMAC_BYTES ? key : key.publicKey(), verifyOptions(alg));
      assert.equal(header.kid, key.kid);
      checkClaims(claims, alg, "other");
    });
  }

  test("a token jose signs with another key of the same algorithm is refused", async () => {
    const a = await otherSide("ES256");
    const b = await otherSide("ES256");
    const token = await a.sign(claimsFor("ES256", "other"));
    assert.throws(() => verify(token, Key.fromJwk(b.publicJwk), verifyOptions("ES256")), { name: "JwtError", code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
  });
});
