import { AppError } from '../../errors.ts';

/** Who is calling: the account an API key belongs to, and what the key may do. */
export interface Actor {
  readonly accountId: string;
  readonly keyId: string | null;
  readonly readOnly: boolean;
  /** The key may create and revoke keys. Callers without a key (the CLI, the workers) may too. */
  readonly admin?: boolean;
  readonly mode: 'live' | 'test';
  /** The account's IANA time zone: "today" and "overdue" are computed in it. */
  readonly timeZone: string;
}

/** A read-only key may read everything of its account and change nothing. */
export function assertWriteAccess(actor: Actor): void {
  if (actor.readOnly) {
    throw new AppError('auth/read_only_key', 403, 'This API key is read-only; use a key with write access.');
  }
}

/** Only an admin key, or a caller with no key (the CLI), manages the account's keys. */
export function assertKeyAdmin(actor: Actor): void {
  assertWriteAccess(actor);
  if (actor.keyId !== null && actor.admin !== true) {
    throw new AppError(
      'auth/admin_key_required',
      403,
      'Only an admin API key creates or revokes keys; use one, or the CLI.',
    );
  }
}
