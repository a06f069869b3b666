// The hand-written typings: a consumer's TypeScript compiles against the installed package
// (resolved through the "types" export condition), and misuse the API forbids fails to compile.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { bin, consumerDir } from "./helpers.mjs";

const CONSUMER = `
import { Key, KeySet, JwtError, sign, verify, verifyCompact, decode, inspect, refreshAt, init, ready } from "edge-jwt";
import type { Alg, JwtErrorCode, SignOptions, VerifyOptions, TokenInfo, Jwk, Jwks, JwtClaims } from "edge-jwt";
import { Auth, MemoryLedger, StoreLedger, totpCode } from "edge-jwt";
import type { Session, Ledger, AuthOptions, MagicLink, OtpChallenge, SecondFactorMethod } from "edge-jwt";
import { scheduleRefresh } from "edge-jwt";
import type { RefreshSchedule, ScheduleRefreshOptions } from "edge-jwt";

await ready;
await init();
const alg: Alg = "ES256";
const key: Key = Key.generate(alg, { kid: "k1" });
const rsa = Key.generate("PS256", { modulusLength: 3072 });
const hmac = Key.fromSecret(new Uint8Array(32), "HS256");
const fromText = Key.fromSecret("a-32-byte-secret-for-hs256-tests", "HS384", { kid: "s1" });
const jwk: Jwk = key.publicKey().toJwk();
const privateJwk: Jwk = key.toJwk({ private: true });
const pem: string = key.toPem({ private: true });
const again: Key = Key.fromPem(pem, "ES256");
const imported = Key.fromJwk(jwk, { alg: "ES256" });
const set = new KeySet([imported]);
set.add(rsa.publicKey());
const jwks: Jwks = set.toJwks();
const size: number = KeySet.fromJwks(jwks, { alg: "ES256" }).size;
const signOptions: SignOptions = { typ: "at+jwt", expiresIn: "15m", notBefore: 0, issuer: "iss", subject: "sub", audience: ["a", "b"], jti: true, header: { cty: "x" }, now: new Date() };
const token: string = sign({ sub: "u", role: "admin" }, key, signOptions);
const options: VerifyOptions = { algorithms: ["ES256", "PS256"], issuer: ["iss"], audience: "a", subject: "sub", typ: "at+jwt", leeway: 30, maxAge: "1h", requiredClaims: ["exp"], now: 1700000000, maxTokenSize: 8192 };
const { header, claims } = verify<{ role: string }>(token, set, options);
const role: string = claims.role;
const exp: number | undefined = claims.exp;
const algName: string = header.alg;
const compact = verifyCompact(token, key.publicKey(), { algorithms: ["ES256"] });
const payload: Uint8Array = compact.payload;
const decoded: JwtClaims = decode(token).claims;
const info: TokenInfo = inspect(token, { now: new Date() });
const expiresAt: Date | undefined = info.expiresAt;
const expired: boolean = info.expired;
const when: number = refreshAt(token, { skew: 60, jitter: 10, now: 1700000000 });
try {
  verify(token, hmac, { algorithms: ["HS256"] });
} catch (e) {
  if (e instanceof JwtError) {
    const code: JwtErrorCode = e.code;
    const claim: string | undefined = e.claim;
    const reason: string | undefined = e.reason;
    if (code === "ERR_JWT_EXPIRED") throw new Error(\`\${claim} \${reason}\`);
  }
}
const made = new JwtError("ERR_INVALID_ARGUMENT", "bad", { claim: "aud" });
const isPrivate: boolean = key.isPrivate;
const kid: string = key.kid;
const keyAlg: Alg = key.alg;
export { fromText, privateJwk, again, size, role, exp, algName, payload, decoded, expiresAt, expired, when, made, isPrivate, kid, keyAlg };

const authOptions: AuthOptions = { issuer: "iss", audience: "aud", secret: new Uint8Array(32), accessTtl: "15m", refreshTtl: 86400, signingKey: Key.generate("EdDSA") };
const auth = new Auth(authOptions);
const ledger: Ledger = new MemoryLedger();
const entries: number = new MemoryLedger({ now: () => 1700000000 }).size;
const stored = new StoreLedger({ get: (k: string) => k, put: () => {}, delete: () => true });
const session: Session = auth.issueSession({ sub: "u", scope: ["a", "b"], amr: ["pwd"], claims: { plan: "pro" } });
const refreshed: Promise<Session> = auth.refreshSession(session.refreshToken, { ledger, accessToken: session.accessToken });
const revoked: Promise<void> = auth.revokeSession(session.sessionId, stored);
const access: string = auth.issueAccessToken({ sub: "u", role: "admin", sid: session.sessionId });
const accessRole: string = auth.verifyAccessToken<{ role: string }>(access, { role: "admin", scope: "a" }).role;
const link: MagicLink = auth.createMagicLink({ sub: "u", email: "u@example.com", url: "https://app.example/callback", ttl: "10m" });
const redeemed = auth.redeemMagicLink(link.url, { ledger });
const otp: OtpChallenge = auth.createOtpChallenge({ sub: "u", channel: "sms", digits: 6 });
const otpClaims = auth.verifyOtp(otp.challenge, otp.code, { ledger });
const pending = auth.beginTwoFactor({ sub: "u", methods: ["sms", "totp"] });
const methods: SecondFactorMethod[] = pending.methods;
const viaCode: Promise<Session> = auth.completeTwoFactor(pending.pendingToken, otp.challenge, otp.code, { ledger: stored });
const custom: Ledger = {
  consume: async () => true,
  countAttempt: () => 1,
  rotate: async (_family: string, _generation: number, successor: string) => ({ status: "grace", successor }),
  revoke: () => undefined,
  isRevoked: async () => false,
};
const statelessRefresh: Promise<Session> = auth.refreshSession(session.refreshToken);
const withCustom: Promise<Session> = auth.refreshSession(session.refreshToken, { ledger: custom });
const twoFactor: Promise<Session> = auth.completeTwoFactor(pending.pendingToken, { totp: "JBSWY3DPEHPK3PXP", hash: "SHA-1" }, totpCode("JBSWY3DPEHPK3PXP", { now: 59 }));
const published: Jwks = auth.jwks();
export { entries, refreshed, revoked, accessRole, redeemed, otpClaims, twoFactor, published, methods, viaCode, statelessRefresh, withCustom };

let current: string | null = token;
const scheduleOptions: ScheduleRefreshOptions = {
  getToken: () => current,
  refresh: async ({ token: old, signal }) => (signal?.aborted ? { status: 499 } : { accessToken: old }),
  onRefresh: (fresh: string) => { current = fresh; },
  onError: (error: unknown, { stopped, retryIn }) => { if (stopped || retryIn === undefined) current = null; },
  skew: 60, jitter: 5, retries: 3, lockName: "app-refresh", serverTime: new Date(),
};
const schedule: RefreshSchedule = scheduleRefresh(scheduleOptions);
schedule.cancel();
scheduleRefresh({ getToken: async () => current, refresh: () => auth.refreshSession("rt"), serverTime: "Thu, 03 Dec 2026 19:00:00 GMT" }).cancel();

// Misuse the types must refuse:
// @ts-expect-error one-time codes go by SMS or email
auth.createOtpChallenge({ sub: "u", channel: "pigeon" });
// @ts-expect-error Auth needs its options
new Auth();
// @ts-expect-error the second factors are sms, email and totp
auth.beginTwoFactor({ sub: "u", methods: ["pwd"] });
// @ts-expect-error a ledger implements every method
auth.refreshSession("t", { ledger: { consume: async () => true } });
// @ts-expect-error verifying a code may need the ledger: it returns a Promise
const claimsNow: JwtClaims = auth.verifyOtp(otp.challenge, otp.code);
// @ts-expect-error revokeSession needs a ledger
auth.revokeSession(session.sessionId);
// @ts-expect-error HMAC keys take an HMAC algorithm
Key.fromSecret("a-32-byte-secret-for-hs256-tests", "ES256");
// @ts-expect-error the verifier must name the algorithms
verify(token, key, {});
// @ts-expect-error not an algorithm
Key.generate("none");
// @ts-expect-error keys are made by the static methods
new Key();
// @ts-expect-error not an error code of the package
const wrong: JwtErrorCode = "ERR_SOMETHING_ELSE";
// @ts-expect-error verify needs keys
verify(token);
// @ts-expect-error kid is read-only
key.kid = "other";
// @ts-expect-error scheduleRefresh needs refresh()
scheduleRefresh({ getToken: () => current });
export { wrong, claimsNow };
`;

const CJS_CONSUMER = `
import edgeJwt = require("edge-jwt");
const key: edgeJwt.Key = edgeJwt.Key.fromSecret("a-32-byte-secret-for-hs256-tests", "HS256");
const token: string = edgeJwt.sign({ sub: "u" }, key, { expiresIn: 60 });
const claims: edgeJwt.JwtClaims = edgeJwt.verify(token, key, { algorithms: ["HS256"] }).claims;
// @ts-expect-error the verifier must name the algorithms
edgeJwt.verify(token, key, { audience: "x" });
export { claims };
`;

/** Runs tsc on a project; returns what it reported ("" when it compiled). */
function tsc(dir) {
  try {
    execFileSync(bin("tsc"), ["-p", dir], { cwd: dir, encoding: "utf8", stdio: "pipe" });
    return "";
  } catch (error) {
    return `${error.stdout}${error.stderr}`;
  }
}

for (const resolution of ["nodenext", "node16"]) {
test(`tsc --noEmit (${resolution}): the consumer compiles, and forbidden uses are errors (ESM and CommonJS, strict)`, () => {
  const dir = join(consumerDir(), `ts-${resolution}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "consumer.mts"), CONSUMER);
  writeFileSync(join(dir, "consumer-cjs.cts"), CJS_CONSUMER);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: resolution,
        moduleResolution: resolution,
        target: "es2022",
        lib: ["es2022"],
        types: [],
        skipLibCheck: false,
        noUnusedLocals: true,
      },
      files: ["consumer.mts", "consumer-cjs.cts"],
    }),
  );
  const output = tsc(dir);
  // An unused @ts-expect-error is itself an error (TS2578), so a too-loose type fails here too.
  assert.equal(output, "", `tsc reported:\n${output}`);
});
}

test("tsc: the typings resolve with moduleResolution bundler (Vite, esbuild, wrangler projects)", () => {
  const dir = join(consumerDir(), "ts-bundler");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "app.ts"), CONSUMER.replace("await ready;\nawait init();", "void ready;\nvoid init();"));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: "esnext", moduleResolution: "bundler", target: "es2022", lib: ["es2022", "dom"], types: [] },
      files: ["app.ts"],
    }),
  );
  const output = tsc(dir);
  assert.equal(output, "", `tsc reported:\n${output}`);
});
