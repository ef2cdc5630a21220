// Prefixed, time-ordered identifiers: `<prefix>_<26 chars Crockford base32>` (48-bit ms time + 80 random bits).
// Lexicographic order follows creation time (to the millisecond), which keeps b-tree inserts local.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

let lastTime = 0;
let lastRandom: Buffer = Buffer.alloc(10);

function encode(bytes: Uint8Array): string {
  // 16 bytes = 128 bits → 26 base32 characters (first char holds 3 bits).
  let out = '';
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  for (let i = 0; i < 26; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

/** Monotonic within one process: ids made in the same millisecond still sort in creation order. */
export function newId(prefix: string): string {
  const now = Date.now();
  let random: Buffer;
  if (now === lastTime) {
    random = Buffer.from(lastRandom);
    for (let i = random.length - 1; i >= 0; i--) {
      const next = (random[i] ?? 0) + 1;
      random[i] = next & 0xff;
      if (next <= 0xff) break;
    }
  } else {
    random = randomBytes(10);
  }
  lastTime = now;
  lastRandom = random;
  const bytes = new Uint8Array(16);
  let t = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes.set(random, 6);
  return `${prefix}_${encode(bytes)}`;
}

const ID_RE = /^[a-z]{2,8}_[0-9a-hjkmnp-tv-z]{26}$/;

export function isId(value: string, prefix?: string): boolean {
  return ID_RE.test(value) && (prefix === undefined || value.startsWith(`${prefix}_`));
}

/** An unguessable secret (guest cart and order tokens, API keys): 32 random bytes, base64url. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
