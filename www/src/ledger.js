// The ledger behind the flows: a SQLite-backed Durable Object per session family / challenge id.
// Each object runs edge-jwt's StoreLedger over its synchronous `ctx.storage.kv`, so every ledger
// call is atomic and strongly consistent; an alarm deletes the object's entries once they expire.
import { DurableObject } from "cloudflare:workers";
import { StoreLedger } from "edge-jwt";

export class LedgerObject extends DurableObject {
  #ledger;

  get #rules() {
    this.#ledger ??= new StoreLedger(this.ctx.storage.kv);
    return this.#ledger;
  }

  async consume(id, expiresAt) {
    const answer = await this.#rules.consume(id, expiresAt);
    await this.#cleanUpAfter(expiresAt);
    return answer;
  }

  async countAttempt(id, expiresAt) {
    const answer = await this.#rules.countAttempt(id, expiresAt);
    await this.#cleanUpAfter(expiresAt);
    return answer;
  }

  async rotate(family, generation, successor, options) {
    const answer = await this.#rules.rotate(family, generation, successor, options);
    await this.#cleanUpAfter(options.expiresAt);
    return answer;
  }

  async revoke(family, expiresAt) {
    await this.#rules.revoke(family, expiresAt);
    await this.#cleanUpAfter(expiresAt);
  }

  async isRevoked(family) {
    return this.#rules.isRevoked(family);
  }

  /** Deletes expired entries; comes back for the rest. */
  async alarm() {
    const now = Date.now() / 1000;
    const kv = this.ctx.storage.kv;
    let latest = 0;
    for (const [key, entry] of kv.list()) {
      const expiresAt = Number(entry?.expiresAt);
      if (!(expiresAt > now)) kv.delete(key);
      else latest = Math.max(latest, expiresAt);
    }
    if (latest > 0) await this.ctx.storage.setAlarm(alarmTime(latest));
  }

  async #cleanUpAfter(expiresAt) {
    const when = alarmTime(expiresAt);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current < when) await this.ctx.storage.setAlarm(when);
  }
}

const alarmTime = (expiresAt) => Math.ceil(Number(expiresAt) * 1000) + 1000;

/**
 * The ledger the worker gives `Auth`: each id goes to the object of its challenge/link
 * (`otp:<jti>` and `otp-attempts:<jti>` share one) and each refresh family to its own object.
 * The methods are async functions so that the flows always get a real Promise (an RPC call
 * returns a thenable).
 */
export function durableLedger(namespace) {
  const object = (name) => namespace.get(namespace.idFromName(name));
  const byId = (id) => object(`id:${id.slice(id.indexOf(":") + 1)}`);
  const byFamily = (family) => object(`family:${family}`);
  return {
    async consume(id, expiresAt) {
      return await byId(id).consume(id, expiresAt);
    },
    async countAttempt(id, expiresAt) {
      return await byId(id).countAttempt(id, expiresAt);
    },
    async rotate(family, generation, successor, options) {
      return await byFamily(family).rotate(family, generation, successor, options);
    },
    async revoke(family, expiresAt) {
      await byFamily(family).revoke(family, expiresAt);
    },
    async isRevoked(family) {
      return await byFamily(family).isRevoked(family);
    },
  };
}
