import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import type { Actor } from './domain/shared/index.ts';
import { AppError } from './errors.ts';
import { createServices } from './services.ts';
import { sendersFromConfig } from './mail/senders.ts';
import { type Clock, systemClock } from './clock.ts';
import { isValidIsoDate } from './domain/calendar.ts';
import { createDatabase } from './store/database.ts';
import { startEmbeddedPostgres } from './store/embedded.ts';
import { migrateToLatest } from './store/migrate.ts';
import { explainDatabaseError, StartupError } from './startup.ts';

const USAGE = `Relance operator commands (npm run relance -- <command>):

  accounts create --name NAME [--mode live|test] [--time-zone Europe/Paris] [--currency EUR] [--locale fr]
  accounts list
  keys create --account ACCT_ID [--name NAME] [--read-only | --admin]
  keys list --account ACCT_ID
  keys revoke --account ACCT_ID --key KEY_ID
  rates list
  rates add --source ecb_mro|boe_base|bundesbank_base --effective-on YYYY-MM-DD --rate-bps 215
  rates check [--today YYYY-MM-DD]   exits 1 when a reference rate is missing
  secrets rotate

Uses DATABASE_URL, or the embedded database under RELANCE_DATA_DIR (default ./.relance).
A key's secret is printed once, at creation; only its hash is stored.`;

/** An operator acting on an account: full access, as the account's own first key would have. */
const operatorFor = async (services: ReturnType<typeof createServices>, accountId: string): Promise<Actor> => {
  const account = (await services.accounts.listAll()).find((a) => a.id === accountId);
  if (!account) throw new AppError('account/not_found', 404, `No account with id '${accountId}'.`);
  return { accountId, keyId: null, readOnly: false, mode: account.mode, timeZone: account.time_zone };
};

async function run(argv: string[], clock: Clock = systemClock): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      mode: { type: 'string' },
      'time-zone': { type: 'string' },
      currency: { type: 'string' },
      locale: { type: 'string' },
      account: { type: 'string' },
      key: { type: 'string' },
      'read-only': { type: 'boolean', default: false },
      admin: { type: 'boolean', default: false },
      source: { type: 'string' },
      'effective-on': { type: 'string' },
      'rate-bps': { type: 'string' },
      today: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [noun, verb] = positionals;
  if (values.help || !noun || !verb) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }

  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.embeddedPostgresPort,
        portSet: config.embeddedPostgresPortSet,
      });
  const databaseUrl = config.databaseUrl ?? embedded?.url ?? '';
  await migrateToLatest(databaseUrl).catch(async (error: unknown) => {
    await embedded?.stop();
    throw explainDatabaseError(error, databaseUrl, embedded ? 'the embedded database' : 'DATABASE_URL') ?? error;
  });
  const database = createDatabase(databaseUrl, { max: 2 });
  const services = createServices({ database, clock, senders: sendersFromConfig(config, database) });
  try {
    const command = `${noun} ${verb}`;
    if (command === 'accounts create') {
      if (!values.name) throw new AppError('cli/missing_option', 2, '--name is required');
      const mode =
        values.mode === 'test' ? 'test' : values.mode === undefined || values.mode === 'live' ? 'live' : undefined;
      if (!mode) throw new AppError('cli/invalid_option', 2, '--mode must be live or test');
      const { account, api_key } = await services.accounts.create({
        name: values.name,
        mode,
        ...(values['time-zone'] && { time_zone: values['time-zone'] }),
        ...(values.currency && { default_currency: values.currency }),
        ...(values.locale && { locale: values.locale }),
      });
      console.log(`Account ${account.id} (${account.name}, ${account.mode}) created.`);
      console.log(`API key ${api_key.id} — the secret is shown once, store it now:\n\n  ${api_key.secret}\n`);
    } else if (command === 'accounts list') {
      for (const a of await services.accounts.listAll()) console.log(`${a.id}  ${a.mode}  ${a.time_zone}  ${a.name}`);
    } else if (command === 'secrets rotate') {
      // After RELANCE_SECRETS_KEY changed (the old key in RELANCE_SECRETS_KEY_PREVIOUS): re-seal every stored secret.
      const { resealed, current } = await services.senders.rotate();
      console.log(`${resealed} re-encrypted with the current key, ${current} already were`);
      const links = await services.portal.reseal();
      console.log(
        `customer page links: ${links.resealed} re-encrypted, ${links.current} already were, ${links.unreadable} opened by no configured key (rotate them)`,
      );
    } else if (command === 'rates list') {
      const rates = await services.lateFees.listReferenceRatesAsOperator();
      for (const r of rates) console.log(`${r.source}  ${r.effective_on}  ${(r.rate_bps / 100).toFixed(2)} %`);
    } else if (command === 'rates check') {
      // The day to check as of: the clock's (UTC) today, or --today to see what a given day would report.
      const today = values.today;
      if (today !== undefined && !isValidIsoDate(today)) {
        throw new AppError('cli/invalid_option', 2, '--today must be a calendar date, YYYY-MM-DD');
      }
      const { today: day, missing } = await services.lateFees.checkReferenceRates(today);
      if (missing.length === 0) {
        console.log(`all rates current (as of ${day})`);
        return 0;
      }
      console.log(`missing reference rates (as of ${day}):`);
      for (const m of missing) console.log(`  ${m.source}  ${m.period}  ${m.reference_date}  ${m.message}`);
      console.log(
        '\nRecord the rate in force on each reference date, the same rate again if it did not change:\n' +
          `  npm run relance -- rates add --source ${missing[0]?.source} --effective-on ${missing[0]?.reference_date} --rate-bps N`,
      );
      return 1;
    } else if (command === 'rates add') {
      // Reference rates are global: only the operator records them (API keys get reference_rate/operator_only).
      if (!values.source || !values['effective-on'] || values['rate-bps'] === undefined) {
        throw new AppError('cli/missing_option', 2, '--source, --effective-on and --rate-bps are required');
      }
      const rate = await services.lateFees.recordReferenceRateAsOperator({
        source: values.source as 'ecb_mro',
        effective_on: values['effective-on'],
        rate_bps: Number(values['rate-bps']),
      });
      console.log(`${rate.source} ${(rate.rate_bps / 100).toFixed(2)} % in force from ${rate.effective_on}.`);
    } else if (noun === 'keys') {
      if (!values.account) throw new AppError('cli/missing_option', 2, '--account is required');
      const actor = await operatorFor(services, values.account);
      if (verb === 'create') {
        const key = await services.apiKeys.create(actor, {
          ...(values.name && { name: values.name }),
          read_only: values['read-only'],
          admin: values.admin,
        });
        console.log(
          `API key ${key.id}${key.read_only ? ' (read-only)' : key.admin ? ' (admin)' : ''} — the secret is shown once, store it now:\n\n  ${key.secret}\n`,
        );
      } else if (verb === 'list') {
        for (let page = await services.apiKeys.list(actor, { limit: 100 }); ; ) {
          for (const k of page.data) {
            const state = k.revoked_at
              ? `revoked ${k.revoked_at}`
              : k.read_only
                ? 'read-only'
                : k.admin
                  ? 'admin'
                  : 'read-write';
            console.log(`${k.id}  ${k.prefix}…  ${state}  last used ${k.last_used_at ?? 'never'}  ${k.name ?? ''}`);
          }
          if (!page.next_cursor) break;
          page = await services.apiKeys.list(actor, { limit: 100, starting_after: page.next_cursor });
        }
      } else if (verb === 'revoke') {
        if (!values.key) throw new AppError('cli/missing_option', 2, '--key is required');
        const key = await services.apiKeys.revoke(actor, values.key);
        console.log(`API key ${key.id} revoked at ${key.revoked_at}.`);
      } else {
        console.error(USAGE);
        return 2;
      }
    } else {
      console.error(USAGE);
      return 2;
    }
    return 0;
  } finally {
    await database.close();
    await embedded?.stop();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof AppError
        ? `error: ${error.message} (${error.code})`
        : error instanceof StartupError || error instanceof ConfigError
          ? `relance: ${error.message}`
          : error,
    );
    // Wrong usage exits 2, like a usage error; anything else 1.
    process.exit(error instanceof AppError && error.code.startsWith('cli/') ? 2 : 1);
  },
);
