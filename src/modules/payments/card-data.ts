// PCI scope: card data never reaches us. Finds something that looks like a primary account number
// (digits optionally grouped by spaces or dashes, with a card network's prefix and length, passing the Luhn check)
// in a parsed body. Product codes (EAN/GTIN/UPC/ISBN barcodes: 8–14 digits, some Luhn-valid by chance) are not
// card numbers: fields named like them are skipped, and a number must also carry a card network's prefix. Phone
// numbers are not card numbers either (+4915112345678, a German mobile number, is Luhn-valid with a Visa prefix):
// fields named like phones are skipped wherever they sit (addresses of carts, checkouts, customers, orders,
// returns), and so is a value that is a phone number written the international way (E.164: `+`, up to 15 digits).

const CANDIDATE = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Card networks by IIN prefix and PAN lengths (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro). */
const NETWORKS: { prefix: RegExp; lengths: number[] }[] = [
  { prefix: /^4/, lengths: [13, 16, 19] },
  { prefix: /^(5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/, lengths: [16] },
  { prefix: /^3[47]/, lengths: [15] },
  { prefix: /^(6011|64[4-9]|65)/, lengths: [16, 17, 18, 19] },
  { prefix: /^35(2[89]|[3-8]\d)/, lengths: [16, 17, 18, 19] },
  { prefix: /^3(0[0-5]|[689])/, lengths: [14, 15, 16, 17, 18, 19] },
  { prefix: /^62/, lengths: [16, 17, 18, 19] },
  { prefix: /^(50|5[6-8]|6[37])/, lengths: [13, 14, 15, 16, 17, 18, 19] },
];

function looksLikePan(digits: string): boolean {
  return NETWORKS.some((n) => n.prefix.test(digits) && n.lengths.includes(digits.length)) && luhnValid(digits);
}

export function containsCardNumber(text: string): boolean {
  for (const m of text.matchAll(CANDIDATE)) {
    if (looksLikePan(m[0].replace(/[ -]/g, ''))) return true;
  }
  return false;
}

/** Fields that hold product codes, never card numbers. */
const PRODUCT_CODE_KEY = /^(barcode|gtin|ean|upc|isbn|mpn)s?$/i;

/** Words that name a phone field: `phone`, `phoneNumber`, `phone_number`, `mobile`, `contactPhone`, `tel`, `fax`… */
const PHONE_WORDS = new Set(['phone', 'phones', 'telephone', 'mobile', 'cellphone', 'tel', 'fax']);

/** A field named like a phone number: one of its camelCase/snake_case/kebab-case words is a phone word. */
export function isPhoneKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_-]+/);
  return words.some((w) => PHONE_WORDS.has(w));
}

/** A whole value that is an international phone number (E.164: `+`, then at most 15 digits, grouped or not). */
const E164 = /^\+\d(?:[ ()-]*\d){6,14}$/;
const isPhoneNumber = (text: string): boolean => E164.test(text.trim());

const skipKey = (key: string): boolean => PRODUCT_CODE_KEY.test(key) || isPhoneKey(key);

/**
 * The JSON pointer of the first string value (numbers are not scanned: amounts and timestamps) that carries a card
 * number, or undefined. Only parsed data is walked (strings, arrays, plain objects): a body handed to its route as a
 * stream (the bulk import's `IncomingMessage`) is not data, and walking its socket and server graph took minutes.
 */
export function findCardNumber(value: unknown, path = '', depth = 0): string | undefined {
  if (depth > 32) return undefined;
  if (typeof value === 'string') return !isPhoneNumber(value) && containsCardNumber(value) ? path || '/' : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findCardNumber(value[i], `${path}/${i}`, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return undefined;
    for (const [k, v] of Object.entries(value)) {
      if (skipKey(k)) continue;
      const hit = findCardNumber(v, `${path}/${k}`, depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}
