import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '../../errors.ts';

/**
 * Addresses a webhook may never reach (SSRF). The address is classified by ipaddr.js, which knows
 * the special ranges of both families and the IPv6 forms that carry an IPv4 address (IPv4-mapped,
 * SIIT, NAT64 well-known and local-use, 6to4, Teredo): only its `unicast` (globally routed) range
 * is allowed. An IPv4-mapped address is judged by its IPv4 address.
 */
const ALLOWED_RANGE = 'unicast';

/**
 * Our own list on top: ranges ipaddr.js calls unicast but that must stay closed. All of ::/8
 * (IETF-reserved; holds the deprecated IPv4-compatible ::a.b.c.d), and the IPv4 ranges again
 * (loopback, private, carrier-grade NAT, link-local and so the metadata service at 169.254.169.254,
 * benchmarking, documentation, multicast, reserved), so a change in the library cannot open them.
 */
// One list per family: Node's BlockList also matches an IPv4 address against IPv6 rules (as
// ::ffff:a.b.c.d), which ::/8 would cover.
const BLOCKED = { ipv4: new BlockList(), ipv6: new BlockList() };
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.ipv4.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 8],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['3fff::', 20],
  ['5f00::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.ipv6.addSubnet(network, prefix, 'ipv6');

/** The address, with an IPv4-mapped IPv6 address as its IPv4 address; null when not a literal address. */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  // Node's parser first: it takes only the standard forms (no `127.1`, no octal), as sockets do.
  const family = isIP(address);
  if (family === 0) return null;
  // Hex groups only: ipaddr.js reads any dotted tail as IPv4-mapped (`::8.8.8.8` is IPv4-compatible).
  // A zone id (`fe80::1%eth0`) is no URL host: not an address we connect to.
  const canonical = family === 6 ? URL.parse(`http://[${address}]/`)?.hostname.slice(1, -1) : address;
  if (!canonical) return null;
  const parsed = ipaddr.parse(canonical);
  return parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
    ? (parsed as ipaddr.IPv6).toIPv4Address()
    : parsed;
}

/** Whether a literal IP address is one a webhook must not reach (anything not a literal address is). */
export function isForbiddenAddress(address: string): boolean {
  const parsed = parseAddress(address);
  if (!parsed) return true;
  if (parsed.range() !== ALLOWED_RANGE) return true;
  return BLOCKED[parsed.kind()].check(parsed.toNormalizedString(), parsed.kind());
}

export interface TargetPolicy {
  /** Operator setting (WEBHOOKS_ALLOW_PRIVATE_TARGETS): private addresses and plain http allowed, for local development and tests. */
  allowPrivateTargets: boolean;
  /** Loopback addresses allowed (a receiver on the developer's machine); see `targetPolicyFor`. */
  allowLoopback?: boolean;
  /** Operator side: in development, test-mode accounts get `allowLoopback` (`targetPolicyFor`). */
  testModeLoopback?: boolean;
}

/** 127.0.0.0/8 and ::1 (also written as IPv4-mapped IPv6). */
export function isLoopbackAddress(address: string): boolean {
  return parseAddress(address)?.range() === 'loopback';
}

/**
 * The policy for one account: a test-mode account may reach a receiver on loopback when the
 * operator allows it (`testModeLoopback`: development); live mode keeps every rule.
 */
export function targetPolicyFor(policy: TargetPolicy, mode: 'live' | 'test'): TargetPolicy {
  return {
    allowPrivateTargets: policy.allowPrivateTargets,
    allowLoopback: mode === 'test' && policy.testModeLoopback === true,
  };
}

export class ForbiddenTargetError extends Error {}

/** The URL's host as a bare name or address (IPv6 without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** How long a webhook URL's name may take to resolve: a slow resolver must not hold a request or a sender. */
export const DNS_TIMEOUT_MS = 2_000;

/** The system resolver (hosts file included), given up on after `ms` (getaddrinfo has no timeout of its own). */
async function lookupWithin(host: string, ms: number): Promise<{ address: string; family: number }[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${host} did not resolve within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([dnsLookup(host, { all: true, verbatim: true }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves `host` and refuses it when any address it resolves to is forbidden (an attacker's
 * name may list a public and a private address). Returns the checked addresses: the connection
 * must go to one of these, never to a second resolution (DNS rebinding).
 */
export async function resolveAllowed(
  host: string,
  policy: TargetPolicy,
): Promise<{ address: string; family: number }[]> {
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await lookupWithin(host, DNS_TIMEOUT_MS);
  if (addresses.length === 0) throw new ForbiddenTargetError(`${host} resolves to no address`);
  if (!policy.allowPrivateTargets) {
    const bad = addresses.find(
      (a) => isForbiddenAddress(a.address) && !(policy.allowLoopback && isLoopbackAddress(a.address)),
    );
    if (bad)
      throw new ForbiddenTargetError(
        `${host} resolves to ${bad.address}, a private, loopback, link-local or reserved address`,
      );
  }
  return addresses;
}

/**
 * Checks an endpoint URL when it is created or changed: https for live-mode accounts (http is
 * accepted in test mode, and everywhere when the operator allows private targets), and a host
 * that resolves only to public addresses.
 */
export async function assertAllowedEndpointUrl(
  raw: string,
  mode: 'live' | 'test',
  policy: TargetPolicy,
): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('webhook_endpoint/invalid_url', 422, `'${raw}' is not a valid URL.`, {
      errors: [{ field: '/url', message: 'must be a URL' }],
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('webhook_endpoint/invalid_url', 422, 'The URL must use https.', {
      errors: [{ field: '/url', message: 'must use https' }],
    });
  }
  if (url.username || url.password) {
    throw new AppError('webhook_endpoint/invalid_url', 422, 'The URL must not contain credentials.', {
      errors: [{ field: '/url', message: 'must not contain credentials' }],
    });
  }
  if (url.protocol === 'http:' && mode === 'live' && !policy.allowPrivateTargets) {
    throw new AppError('webhook_endpoint/https_required', 422, 'Live-mode webhook endpoints must use https.', {
      errors: [{ field: '/url', message: 'must use https' }],
    });
  }
  try {
    await resolveAllowed(hostOf(url), targetPolicyFor(policy, mode));
  } catch (error) {
    const detail = error instanceof ForbiddenTargetError ? error.message : `${hostOf(url)} could not be resolved`;
    throw new AppError('webhook_endpoint/forbidden_target', 422, `This URL cannot receive webhooks: ${detail}.`, {
      errors: [{ field: '/url', message: 'must resolve to a public address' }],
    });
  }
}
