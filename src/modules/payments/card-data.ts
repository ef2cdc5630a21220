// PCI scope: card data never reaches us. Finds something that looks like a primary account number
// (13–19 digits, optionally grouped by spaces or dashes, passing the Luhn check) in a parsed body.

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

export function containsCardNumber(text: string): boolean {
  for (const m of text.matchAll(CANDIDATE)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
  }
  return false;
}

/** The JSON pointer of the first string value (numbers are not scanned: amounts and timestamps) that carries a card number, or undefined. */
export function findCardNumber(value: unknown, path = '', depth = 0): string | undefined {
  if (depth > 32) return undefined;
  if (typeof value === 'string') return containsCardNumber(value) ? path || '/' : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findCardNumber(value[i], `${path}/${i}`, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const hit = findCardNumber(v, `${path}/${k}`, depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}
