import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (an account's own provider API key): AES-256-GCM under a 32-byte key from the
 * environment. A stored value reads `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url), where the
 * key id is the first 8 hex digits of the key's SHA-256, so that after a rotation each value
 * names the key that opens it.
 *
 * Rotation (docs/operations.md#secrets): put the new key in `RELANCE_SECRETS_KEY` and the old one
 * in `RELANCE_SECRETS_KEY_PREVIOUS` (several: separated by commas), restart, run
 * `npm run relance -- secrets rotate` (re-encrypts every stored secret under the new key), then
 * drop the old key.
 */
export interface SecretBox {
  /** Whether a key is configured (without one, nothing can be stored encrypted). */
  readonly enabled: boolean;
  seal(plaintext: string): string;
  /** Throws `SecretError` when no configured key opens the value (a key dropped too soon, or tampering). */
  open(sealed: string): string;
  /** Whether the value was sealed with the current key (else `rotate` re-seals it). */
  isCurrent(sealed: string): boolean;
}

export class SecretError extends Error {
  override name = 'SecretError';
}

const VERSION = 'v1';

/** A key as configured: 32 bytes, written as 64 hex digits or as base64 (44 characters). */
export function parseSecretsKey(text: string, name: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32)
    throw new SecretError(`${name} must be 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)`);
  return key;
}

const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

export function createSecretBox(current: Buffer | undefined, previous: readonly Buffer[] = []): SecretBox {
  const byId = new Map<string, Buffer>();
  for (const key of [...previous, ...(current ? [current] : [])]) byId.set(keyIdOf(key), key);
  const currentId = current && keyIdOf(current);
  return {
    enabled: current !== undefined,
    seal(plaintext) {
      if (!current || !currentId) throw new SecretError('RELANCE_SECRETS_KEY is not set: secrets cannot be stored');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      // The key id is authenticated too: a value cannot be moved under another key's name.
      cipher.setAAD(Buffer.from(`${VERSION}.${currentId}`));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
      return [VERSION, currentId, ...parts].join('.');
    },
    open(sealed) {
      const [version, id, iv, tag, ciphertext, extra] = sealed.split('.');
      if (version !== VERSION || !id || iv === undefined || tag === undefined || ciphertext === undefined || extra)
        throw new SecretError('not a sealed secret');
      const key = byId.get(id);
      if (!key)
        throw new SecretError(
          `sealed with key ${id}, which is neither RELANCE_SECRETS_KEY nor in RELANCE_SECRETS_KEY_PREVIOUS`,
        );
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(`${VERSION}.${id}`));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new SecretError(`the secret sealed with key ${id} does not open: it was altered`);
      }
    },
    isCurrent(sealed) {
      return currentId !== undefined && sealed.split('.')[1] === currentId;
    },
  };
}
