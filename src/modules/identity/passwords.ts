// Password hashing: argon2id with the OWASP-recommended parameters (19 MiB, 2 passes, 1 lane).
// The minimum length is 10 characters; the most common passwords are refused outright.
import { hash, verify } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

// @node-rs/argon2 defaults to argon2id (algorithm 2); we do not import its Algorithm enum on purpose
// (a const enum that `verbatimModuleSyntax` cannot erase).
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

// The most common passwords of at least 10 characters (public breach-corpus top lists), lower-cased.
const COMMON = new Set([
  '1234567890',
  '12345678910',
  '0123456789',
  '0987654321',
  '1111111111',
  '0000000000',
  '1234512345',
  '1122334455',
  '1q2w3e4r5t',
  'qwertyuiop',
  'qwerty1234',
  'qwerty12345',
  '1qaz2wsx3edc',
  'password12',
  'password123',
  'password1234',
  'password!',
  'passw0rd123',
  'iloveyou12',
  'iloveyou123',
  'abcdefghij',
  'abc1234567',
  'abcd123456',
  'a123456789',
  'asdfghjkl1',
  'zxcvbnm123',
  'football123',
  'baseball123',
  'princess123',
  'sunshine123',
  'welcome123',
  'letmein123',
  'monkey1234',
  'dragon1234',
  'starwars123',
  'superman123',
  'trustno1234',
  'changeme123',
  'administrator',
  'admin12345',
  'admin123456',
  'qwertyuiop123',
  'passwordpassword',
  'q1w2e3r4t5',
  'q1w2e3r4t5y6',
  'aaaaaaaaaa',
  'emporium123',
]);

export type PasswordProblem = 'too_short' | 'too_long' | 'too_common';

export function checkPasswordPolicy(password: string): PasswordProblem | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (password.length > MAX_PASSWORD_LENGTH) return 'too_long';
  if (COMMON.has(password.toLowerCase())) return 'too_common';
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Verifies against a fixed hash so unknown emails take as long as known ones. Always false. */
export async function verifyDummy(password: string): Promise<false> {
  dummy ??= hashPassword('dummy password that nobody has');
  await verifyPassword(await dummy, password);
  return false;
}
