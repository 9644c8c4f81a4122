/**
 * Start-up failures explained in one line: what failed, with which setting, and what to do.
 * main.ts and the CLI print `relance: <line>` and exit with 1 instead of a stack trace.
 */

/** A failure whose message is already the one line to print. */
export class StartupError extends Error {}

/** A connection URL with its password replaced, safe to print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

const CONNECT_CODES: Record<string, string> = {
  ECONNREFUSED: 'nothing listens there',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (for now)',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  '28P01': 'the password was refused',
  '28000': 'the role may not connect',
  '3D000': 'the database does not exist',
};

/** Kysely's message when the database ran a migration this code does not have. */
const UNKNOWN_MIGRATION = /corrupted migrations: previously executed migration (\S+) is missing/;

/** The one line for a failure while reaching or migrating the database at `url` (named by `variable`). */
export function explainDatabaseError(error: unknown, url: string, variable: string): StartupError | undefined {
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const unknown = UNKNOWN_MIGRATION.exec(message);
  if (unknown) {
    return new StartupError(
      `the database at ${redactUrl(url)} was migrated by a newer Relance (migration ${unknown[1]} is unknown to this code): run that version, or point ${variable} at another database`,
    );
  }
  const reason = (code && CONNECT_CODES[code]) ?? (/timeout/i.test(message) ? 'the connection timed out' : undefined);
  if (!reason) return undefined;
  return new StartupError(`cannot reach the database at ${redactUrl(url)} (${variable}): ${reason}`);
}

/** The one line for a server that could not listen on `port`, set by `variable`. */
export function explainListenError(
  error: unknown,
  what: string,
  host: string,
  port: number,
  variable: string,
): StartupError | undefined {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'EADDRINUSE')
    return new StartupError(
      `${what}: port ${port} on ${host} is already in use: stop the other program, or set ${variable} to a free port`,
    );
  if (code === 'EACCES')
    return new StartupError(
      `${what}: not allowed to listen on port ${port} on ${host}: set ${variable} to a port above 1024`,
    );
  if (code === 'EADDRNOTAVAIL') return new StartupError(`${what}: ${host} is not an address of this machine: set HOST`);
  return undefined;
}
