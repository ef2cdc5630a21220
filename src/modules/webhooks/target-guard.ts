// SSRF protection: an endpoint's host must resolve only to public unicast addresses (not private, loopback,
// link-local, unique-local, multicast, unspecified or reserved; IPv4-mapped IPv6 is judged as the IPv4 inside).
// It is checked when an endpoint is saved and again before every attempt (DNS answers change), and the attempt
// connects to the very address that was checked, so a rebinding DNS server cannot swap it in between.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface VettedTarget {
  url: URL;
  /** The address to connect to (checked). */
  address: string;
  family: 4 | 6;
}

export type TargetRefusal = { reason: 'invalid_url' | 'not_allowed' | 'unresolvable'; detail: string };

export class TargetRefusedError extends Error {
  readonly refusal: TargetRefusal;
  constructor(refusal: TargetRefusal) {
    super(refusal.detail);
    this.name = 'TargetRefusedError';
    this.refusal = refusal;
  }
}

/** Only `unicast` is public: every other range ipaddr.js names (private, loopback, 6to4, …) is refused. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === 'unicast';
}

/** The URL if it is an absolute http(s) URL without credentials; otherwise a refusal. */
export function parseTargetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefusedError({ reason: 'invalid_url', detail: 'The url is not an absolute URL.' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TargetRefusedError({ reason: 'invalid_url', detail: 'The url must use https or http.' });
  }
  // Credentials in a URL end up in logs and proxies; the signature authenticates the sender instead.
  if (url.username || url.password) {
    throw new TargetRefusedError({ reason: 'invalid_url', detail: 'The url must not carry a user name or password.' });
  }
  return url;
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;
const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Resolves the URL's host and returns the address to connect to. With `allowPrivate` false, refuses when ANY
 * address the name resolves to is not public (a name pointing partly inside is not a public target).
 */
export async function vetTarget(raw: string, allowPrivate: boolean, resolve: Resolver = systemResolver) {
  const url = parseTargetUrl(raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch (e) {
      throw new TargetRefusedError({
        reason: 'unresolvable',
        detail: `The host ${host} does not resolve (${(e as NodeJS.ErrnoException).code ?? 'error'}).`,
      });
    }
  }
  const first = addresses[0];
  if (!first) throw new TargetRefusedError({ reason: 'unresolvable', detail: `The host ${host} has no address.` });
  if (!allowPrivate) {
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) {
      throw new TargetRefusedError({
        reason: 'not_allowed',
        detail: `The host ${host} resolves to ${refused.address}, which is not a public address.`,
      });
    }
  }
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 } satisfies VettedTarget;
}
