// Where emails and text messages go.
//
// A Sender is any object with
//   sendEmail({ to, subject, text, link? }): Promise<void>
//   sendSms({ to, text }): Promise<void>
// The demo's DevOutboxSender writes them to the Outbox Durable Object that the page shows and
// GET /dev/outbox lists; it exists only when the DEV var is set. To send for real, implement the
// two methods with your provider's API (an email API over fetch, an SMS gateway) and return it
// from senderFor() below; keep its API keys in secrets (`wrangler secret put`).
import { DurableObject } from "cloudflare:workers";
import { HttpError } from "./http.js";

const KEEP = 50;

export class OutboxObject extends DurableObject {
  async add(message) {
    const kv = this.ctx.storage.kv;
    const seq = (kv.get("seq") ?? 0) + 1;
    kv.put("seq", seq);
    kv.put(key(seq), { id: seq, at: Date.now(), ...message });
    if (seq > KEEP) kv.delete(key(seq - KEEP));
    return seq;
  }

  async list() {
    const out = [];
    for (const [, message] of this.ctx.storage.kv.list({ prefix: "m:", reverse: true, limit: KEEP })) out.push(message);
    return out;
  }
}

const key = (seq) => `m:${String(seq).padStart(12, "0")}`;

/** The dev Sender: messages land in the outbox. */
export class DevOutboxSender {
  #outbox;

  constructor(namespace) {
    this.#outbox = namespace.get(namespace.idFromName("outbox"));
  }

  async sendEmail({ to, subject, text, link }) {
    await this.#outbox.add({ kind: "email", to, subject, text, link: link ?? null });
  }

  async sendSms({ to, text }) {
    await this.#outbox.add({ kind: "sms", to, text });
  }

  async list() {
    return await this.#outbox.list();
  }
}

/** The Sender for this deployment. */
export function senderFor(env) {
  if (env.DEV) return new DevOutboxSender(env.OUTBOX);
  // return new MyProviderSender(env.EMAIL_API_KEY, env.SMS_API_KEY);
  throw new HttpError(503, "ERR_NOT_CONFIGURED", "no email/SMS provider is configured");
}
