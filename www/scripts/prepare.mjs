// Shared by scripts/demo.mjs and the demo tests: makes www/ runnable on a fresh clone.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";

export const www = join(dirname(fileURLToPath(import.meta.url)), "..");
export const root = join(www, "..");
export const wrangler = join(root, "node_modules", ".bin", "wrangler");

/** Installs www/'s one dependency, "edge-jwt": "file:../pkg" (a link to the built package). */
export function installPackage() {
  const link = join(www, "node_modules", "edge-jwt");
  if (existsSync(join(link, "package.json")) && realpathSync(link) === realpathSync(join(root, "pkg"))) return;
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"], { cwd: www, stdio: "inherit" });
}

/** Random secrets in the .dev.vars format: DEV=1, AUTH_SECRET, SIGNING_JWK (Ed25519). */
export async function devVars(extra = {}) {
  const { Key } = await import(pathToFileURL(join(root, "pkg", "node.mjs")).href);
  const vars = {
    DEV: "1",
    AUTH_SECRET: randomBytes(48).toString("base64url"),
    SIGNING_JWK: JSON.stringify(Key.generate("EdDSA").toJwk({ private: true })),
    ...extra,
  };
  // Single-quoted values are taken literally (the JWK's JSON has double quotes).
  return Object.entries(vars).map(([k, v]) => `${k}='${v}'`).join("\n") + "\n";
}

/** Writes `path` (gitignored www/.dev.vars by default) once; later runs keep its secrets. */
export async function ensureDevVars(path = join(www, ".dev.vars")) {
  if (existsSync(path) && /AUTH_SECRET=/.test(readFileSync(path, "utf8"))) return false;
  writeFileSync(path, await devVars(), { mode: 0o600 });
  return true;
}

/** The demo users (their passwords exist only here, in README.md and as hashes in src/users.js). */
export const DEMO_USERS = [
  { name: "Ada Lovelace", email: "ada@example.com", password: "ada-lovelace-1843", phone: "+15555550100", twoFactor: "SMS" },
  { name: "Grace Hopper", email: "grace@example.com", password: "grace-hopper-1906", phone: "+15555550101", twoFactor: "off" },
  { name: "Alan Turing", email: "alan@example.com", password: "alan-turing-1912", phone: "+15555550102", twoFactor: "off" },
  { name: "Katherine Johnson", email: "katherine@example.com", password: "katherine-johnson-1918", phone: "+15555550103", twoFactor: "SMS" },
];
