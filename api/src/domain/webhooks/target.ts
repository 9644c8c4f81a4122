import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../../errors.ts';

/**
 * Addresses a webhook may never reach (SSRF): loopback, private, carrier-grade NAT, link-local
 * (and so the cloud metadata service at 169.254.169.254), unspecified, multicast, reserved and
 * documentation ranges, for IPv4 and IPv6 alike.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['2001:db8::', 32], ['100::', 64],
] as const) BLOCKED.addSubnet(network, prefix, 'ipv6');

/** IPv4 written inside IPv6 (`::ffff:10.0.0.1`, NAT64 `64:ff9b::a00:1`, `::10.0.0.1`): the IPv4 part. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::|::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1] ?? null;
  const hex = /^(?:::ffff:|64:ff9b::|::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1] ?? '0', 16);
    const low = parseInt(hex[2] ?? '0', 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return null;
}

/** Whether a literal IP address is one a webhook must not reach. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4) return BLOCKED.check(v4, 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  return true;
}

export interface TargetPolicy {
  /** Operator setting (WEBHOOKS_ALLOW_PRIVATE_TARGETS): private addresses and plain http allowed, for local development and tests. */
  allowPrivateTargets: boolean;
  /** Loopback addresses allowed (a receiver on the developer's machine); see `targetPolicyFor`. */
  allowLoopback?: boolean;
  /** Operator side: in development, test-mode accounts get `allowLoopback` (`targetPolicyFor`). */
  testModeLoopback?: boolean;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1 (also written as IPv4 inside IPv6). */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return LOOPBACK.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    return v4 ? LOOPBACK.check(v4, 'ipv4') : LOOPBACK.check(address, 'ipv6');
  }
  return false;
}

/**
 * The policy for one account: a test-mode account may reach a receiver on loopback when the
 * operator allows it (`testModeLoopback`: development); live mode keeps every rule.
 */
export function targetPolicyFor(policy: TargetPolicy, mode: 'live' | 'test'): TargetPolicy {
  return { allowPrivateTargets: policy.allowPrivateTargets, allowLoopback: mode === 'test' && policy.testModeLoopback === true };
}

export class ForbiddenTargetError extends Error {}

/** The URL's host as a bare name or address (IPv6 without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Resolves `host` and refuses it when any address it resolves to is forbidden (an attacker's
 * name may list a public and a private address). Returns the checked addresses: the connection
 * must go to one of these, never to a second resolution (DNS rebinding).
 */
export async function resolveAllowed(host: string, policy: TargetPolicy): Promise<{ address: string; family: number }[]> {
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await dnsLookup(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new ForbiddenTargetError(`${host} resolves to no address`);
  if (!policy.allowPrivateTargets) {
    const bad = addresses.find((a) => isForbiddenAddress(a.address) && !(policy.allowLoopback && isLoopbackAddress(a.address)));
    if (bad) throw new ForbiddenTargetError(`${host} resolves to ${bad.address}, a private, loopback, link-local or reserved address`);
  }
  return addresses;
}

/**
 * Checks an endpoint URL when it is created or changed: https for live-mode accounts (http is
 * accepted in test mode, and everywhere when the operator allows private targets), and a host
 * that resolves only to public addresses.
 */
export async function assertAllowedEndpointUrl(raw: string, mode: 'live' | 'test', policy: TargetPolicy): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('webhook_endpoint/invalid_url', 422, `'${raw}' is not a valid URL.`, { errors: [{ field: '/url', message: 'must be a URL' }] });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('webhook_endpoint/invalid_url', 422, 'The URL must use https.', { errors: [{ field: '/url', message: 'must use https' }] });
  }
  if (url.username || url.password) {
    throw new AppError('webhook_endpoint/invalid_url', 422, 'The URL must not contain credentials.', { errors: [{ field: '/url', message: 'must not contain credentials' }] });
  }
  if (url.protocol === 'http:' && mode === 'live' && !policy.allowPrivateTargets) {
    throw new AppError('webhook_endpoint/https_required', 422, 'Live-mode webhook endpoints must use https.', { errors: [{ field: '/url', message: 'must use https' }] });
  }
  try {
    await resolveAllowed(hostOf(url), targetPolicyFor(policy, mode));
  } catch (error) {
    const detail = error instanceof ForbiddenTargetError ? error.message : `${hostOf(url)} could not be resolved`;
    throw new AppError('webhook_endpoint/forbidden_target', 422, `This URL cannot receive webhooks: ${detail}.`, { errors: [{ field: '/url', message: 'must resolve to a public address' }] });
  }
}
