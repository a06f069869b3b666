// Ledgers: where the flows keep the state that security needs (single use of an id, attempt
// counts, refresh-family generations, revocation).
//
// StoreLedger holds the one implementation of the rules over any *synchronous* key-value store
// ({ get(key), put(key, value), delete(key) }). Each method reads and writes without awaiting in
// between, so calls are atomic within one isolate: MemoryLedger (a Map) for tests and a single
// process, and the reference worker's Durable Object (whose SQLite-backed `ctx.storage.kv` is
// synchronous and strongly consistent) for production. Never back a ledger with Workers KV: it is
// eventually consistent, so a replayed token could be accepted twice.

const seconds = () => Date.now() / 1000;

/** The ledger rules over a synchronous key-value store. */
export class StoreLedger {
  #store;
  #now;

  /**
   * @param store `{ get(key), put(key, value), delete(key) }`, all synchronous.
   * @param options `{ now?: () => number }` seconds since the epoch (for tests).
   */
  constructor(store, options = {}) {
    for (const method of ["get", "put", "delete"]) {
      if (typeof store?.[method] !== "function") {
        throw new TypeError(`edge-jwt: a ledger store needs synchronous get(key), put(key, value) and delete(key) methods; ${method} is missing`);
      }
    }
    this.#store = store;
    this.#now = options.now ?? seconds;
  }

  #live(key) {
    const entry = this.#store.get(key);
    if (entry === undefined || entry === null) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#store.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Marks `id` used until `expiresAt` (seconds). Resolves true the first time, false after. */
  async consume(id, expiresAt) {
    const key = `used:${id}`;
    if (this.#live(key)) return false;
    this.#store.put(key, { expiresAt });
    return true;
  }

  /** Counts one attempt at `id` (kept until `expiresAt`); resolves to the count so far. */
  async countAttempt(id, expiresAt) {
    const key = `attempts:${id}`;
    const entry = this.#live(key) ?? { count: 0, expiresAt };
    const next = { count: entry.count + 1, expiresAt: Math.max(entry.expiresAt, expiresAt) };
    this.#store.put(key, next);
    return next.count;
  }

  /**
   * Compare-and-set on a refresh family: the current generation rotates ("rotated"); the
   * previous one within `grace` seconds gets the successor already issued ("grace"); any other
   * revokes the family ("reused"); a revoked family stays "revoked".
   */
  async rotate(family, generation, successor, { now, grace, expiresAt }) {
    const key = `family:${family}`;
    const state = this.#live(key) ?? { generation, revoked: false, last: null, expiresAt };
    let answer;
    if (state.revoked) {
      answer = { status: "revoked" };
    } else if (generation === state.generation) {
      state.generation += 1;
      state.last = { from: generation, at: now, successor };
      answer = { status: "rotated" };
    } else if (state.last && state.last.from === generation && grace > 0 && now - state.last.at <= grace) {
      answer = { status: "grace", successor: state.last.successor };
    } else {
      state.revoked = true;
      state.last = null;
      answer = { status: "reused" };
    }
    state.expiresAt = Math.max(state.expiresAt, expiresAt);
    this.#store.put(key, state);
    return answer;
  }

  /** Revokes a family until `expiresAt`. */
  async revoke(family, expiresAt) {
    const key = `family:${family}`;
    const state = this.#live(key) ?? { generation: 0, revoked: true, last: null, expiresAt };
    state.revoked = true;
    state.last = null;
    state.expiresAt = Math.max(state.expiresAt, expiresAt);
    this.#store.put(key, state);
  }

  /** Resolves true when the family (session id) was revoked. */
  async isRevoked(family) {
    return this.#live(`family:${family}`)?.revoked === true;
  }
}

/**
 * A ledger in memory, for tests and a single process or isolate. State is lost on restart and
 * not shared between isolates: use a Durable Object ledger on Workers.
 */
export class MemoryLedger extends StoreLedger {
  #map;
  #writes = 0;

  constructor(options = {}) {
    const map = new Map();
    const now = options.now ?? seconds;
    super(
      {
        get: (key) => map.get(key),
        put: (key, value) => {
          map.set(key, value);
          if (++this.#writes % 1024 === 0) this.#sweep(now());
        },
        delete: (key) => map.delete(key),
      },
      { now },
    );
    this.#map = map;
  }

  #sweep(now) {
    for (const [key, entry] of this.#map) if (entry.expiresAt <= now) this.#map.delete(key);
  }

  /** The number of entries held (expired ones included until swept). */
  get size() {
    return this.#map.size;
  }
}
