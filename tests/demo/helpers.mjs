// The demo tests run the reference worker (www/) on real workerd through `wrangler dev` in local
// mode, on a free port of 127.0.0.1, with its own persist folder and secrets, and talk HTTP to it.
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { devVars, installPackage, root, www, wrangler } from "../../www/scripts/prepare.mjs";

/** The built package (pkg/), as Node imports it. */
export const edgeJwt = () => import(pathToFileURL(join(root, "pkg", "node.mjs")).href);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A temp folder with an env file of fresh secrets (DEV=1), for one or more worker runs. */
export async function workerHome(vars = {}) {
  const dir = mkdtempSync(join(tmpdir(), "edge-jwt-demo-"));
  writeFileSync(join(dir, "dev.env"), await devVars(vars));
  return {
    dir,
    envFile: join(dir, "dev.env"),
    persistTo: join(dir, "state"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Starts `wrangler dev` for www/ with `home`'s secrets and persist folder; resolves when it
 * answers. `vars` become --var flags (e.g. a short ACCESS_TTL). `anyAnswer`: ready as soon as
 * the worker itself answers JSON, whatever the status (for misconfigured workers).
 */
export async function startWorker(home, vars = {}, { anyAnswer = false } = {}) {
  installPackage();
  const port = await freePort();
  const inspector = await freePort();
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--persist-to", home.persistTo, "--env-file", home.envFile, "--show-interactive-dev-session=false", "--log-level", "warn"];
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  const child = spawn(wrangler, args, {
    cwd: www,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so stop() ends workerd too
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", XDG_CONFIG_HOME: join(home.dir, "config") },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${url}/.well-known/jwks.json`);
      if (response.ok) break;
      if (anyAnswer && /^application\/json/.test(response.headers.get("content-type") ?? "")) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      process.kill(-child.pid, "SIGTERM");
      throw new Error(`wrangler dev did not answer in 90 s:\n${output}`);
    }
    await sleep(250);
  }
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // gone already
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            // gone
          }
        }, 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let addresses = 0;
/** A fresh client address (CF-Connecting-IP) so that each test has its own rate-limit buckets. */
export const newAddress = () => `198.51.100.${(++addresses % 250) + 1}`;

/**
 * A small HTTP client for one client address: `call(method, path, { json, body, token, headers,
 * cookie })` resolves to { status, headers, body (parsed JSON or text), cookies (name -> Set-Cookie) }.
 */
export function client(base, ip = newAddress()) {
  return async function call(method, path, { json, body, token, headers = {}, cookie } = {}) {
    const h = { "cf-connecting-ip": ip, ...headers };
    if (json !== undefined) h["content-type"] = "application/json";
    if (token) h.authorization = `Bearer ${token}`;
    if (cookie) h.cookie = cookie;
    const response = await fetch(base + path, { method, headers: h, body: json !== undefined ? JSON.stringify(json) : body, redirect: "manual" });
    const text = await response.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // HTML or empty
    }
    const cookies = new Map();
    for (const line of response.headers.getSetCookie()) cookies.set(line.slice(0, line.indexOf("=")), line);
    return { status: response.status, headers: response.headers, body: parsed, text, cookies };
  };
}

/**
 * A JSON POST through node:http, which (unlike fetch) sends any Host header: `{ status, body,
 * cookies }` like client()'s.
 */
export function rawPost(base, path, json, headers = {}) {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: "POST", headers: { "content-type": "application/json", "cf-connecting-ip": newAddress(), ...headers } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => {
          const cookies = new Map();
          for (const line of response.headers["set-cookie"] ?? []) cookies.set(line.slice(0, line.indexOf("=")), line);
          let body = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: response.statusCode, body, text, cookies });
        });
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(json));
  });
}

/** The cookie's value from a Set-Cookie line. */
export const cookieValue = (line) => line.slice(line.indexOf("=") + 1, line.indexOf(";"));

/** Waits for the newest outbox message to `to` newer than `after` (an id); returns it. */
export async function outboxMessage(base, to, after = 0) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(`${base}/dev/outbox`);
    const { messages } = await response.json();
    const found = messages.find((m) => m.to === to && m.id > after);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no message to ${to} in the outbox: ${JSON.stringify(messages.slice(0, 3))}`);
    await sleep(100);
  }
}

/** The newest outbox id (0 when empty). */
export async function outboxHead(base) {
  const { messages } = await (await fetch(`${base}/dev/outbox`)).json();
  return messages[0]?.id ?? 0;
}

export const codeOf = (message) => /\b(\d{6})\b/.exec(message.text)[1];

export const USERS = {
  ada: { email: "ada@example.com", password: "ada-lovelace-1843", phone: "+15555550100" },
  grace: { email: "grace@example.com", password: "grace-hopper-1906", phone: "+15555550101" },
  alan: { email: "alan@example.com", password: "alan-turing-1912", phone: "+15555550102" },
  katherine: { email: "katherine@example.com", password: "katherine-johnson-1918", phone: "+15555550103" },
};
