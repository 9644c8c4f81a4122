/**
 * `npm run bench:reconciliation`: bank reconciliation at volume, on this machine.
 *   1. one account with 10,000 customers and 100,000 open invoices (bulk-inserted);
 *   2. 10,000 bank lines of known answer, in the styles banks print (invoice numbers written
 *      several ways, partial payments, payments of two invoices with and without their numbers,
 *      names in capitals and cut, unknown payers with IBANs and dates, debits), imported through
 *      the real HTTP app (`POST /v1/bank_transactions`, 1,000 lines a request, one after another);
 *   3. the best proposal of 1,000 of them confirmed (`POST /v1/bank_transactions/{id}/confirm`).
 * Prints the import time against the goal (≤ 30 s), lines per second, the share of lines whose
 * best proposal is the expected one, and the confirmations per second.
 *
 * Environment: BENCH_INVOICES (100000), BENCH_CUSTOMERS (10000), BENCH_LINES (10000),
 * BENCH_BATCH (1000), BENCH_PARALLEL (1: import requests one after another), BENCH_CONFIRMS (1000),
 * TEST_DATABASE_URL.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../api/src/app.ts';
import { ManualClock } from '../api/src/clock.ts';
import { loadConfig } from '../api/src/config.ts';
import { newId } from '../api/src/ids.ts';
import { createDatabase } from '../api/src/store/database.ts';
import { ADMIN_URL, createTestDatabase } from '../api/test/helpers/database.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const INVOICES = env('BENCH_INVOICES', 100_000);
const CUSTOMERS = env('BENCH_CUSTOMERS', 10_000);
const LINES = env('BENCH_LINES', 10_000);
const BATCH = env('BENCH_BATCH', 1000);
const CONFIRMS = env('BENCH_CONFIRMS', 1000);
const PARALLEL = env('BENCH_PARALLEL', 1);

// A fixed pseudo-random sequence (mulberry32): every run reconciles the same data.
let seed = 20261122;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const SURNAMES = (
  'Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier ' +
  'Morel Girard Andre Mercier Dupont Lambert Bonnet Francois Martinez Legrand Garnier Faure Rousseau Blanc Guerin Muller Henry Roussel Nicolas Perrin ' +
  'Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Smith Jones Taylor Brown Williams Wilson Johnson Davies Evans Thompson'
).split(' ');
const TRADES = (
  'Plomberie Boulangerie Transports Menuiserie Electricite Conseil Imprimerie Garage Traiteur Pharmacie Architecture Maschinenbau Elektro Bau ' +
  'Logistik Consulting Builders Engineering Bakery Print Media Design Software Services Optique Fleurs Peinture Couverture Charpente Chauffage'
).split(' ');
const PLACES = (
  'Lyon Paris Lille Nantes Rennes Brest Dijon Nancy Metz Rouen Caen Tours Angers Nice Toulon Grenoble Annecy Reims Amiens Bordeaux ' +
  'Berlin Hamburg Koeln Bremen Dresden Leipzig Essen Bonn Mainz Kiel London Leeds York Bristol Bath Oxford Cardiff Glasgow Dundee Belfast'
).split(' ');
const FORMS = ['SARL', 'SAS', 'SA', 'EURL', 'GmbH', 'AG', 'Ltd', 'Limited', 'PLC', '', ''];

interface Invoice {
  id: string;
  number: string;
  customer: number;
  balance: number;
}

/** CPU milliseconds used so far by the Postgres backends serving `database` (Linux /proc; undefined elsewhere). */
async function postgresCpuMs(database: string): Promise<Map<number, number> | undefined> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
      database,
    ]);
    const ms = new Map<number, number>();
    for (const { pid } of rows) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ms.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
    }
    return ms;
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}
const cpuBetween = (before?: Map<number, number>, after?: Map<number, number>) =>
  before && after ? [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0) : undefined;

async function main() {
  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 10 });
  const clock = new ManualClock('2026-06-10T09:00:00Z');
  const app = await buildApp({
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '10000000' }),
    database,
    clock,
  });
  await app.ready();
  try {
    console.log(
      `setting up ${INVOICES.toLocaleString('en')} open invoices of ${CUSTOMERS.toLocaleString('en')} customers in one account…`,
    );
    const { account, api_key } = await app.services.accounts.create({ name: 'Bench', time_zone: 'UTC' });
    const headers = { authorization: `Bearer ${api_key.secret}` };
    const names: string[] = [];
    const customerIds: string[] = [];
    for (let c = 0; c < CUSTOMERS; c++) {
      names.push(
        `${pick(TRADES)} ${pick(SURNAMES)}${random() < 0.3 ? ` ${pick(SURNAMES)}` : ''} ${pick(PLACES)} ${pick(FORMS)}`.trim(),
      );
      customerIds.push(newId('customer'));
    }
    const invoices: Invoice[] = [];
    await database.withAccount(account.id, async (trx) => {
      for (let start = 0; start < CUSTOMERS; start += 1000) {
        const rows = [];
        for (let c = start; c < Math.min(CUSTOMERS, start + 1000); c++)
          rows.push({ account_id: account.id, id: customerIds[c] as string, name: names[c] as string });
        await trx.insertInto('customers').values(rows).execute();
      }
      for (let start = 0; start < INVOICES; start += 1000) {
        const rows = [];
        for (let i = start; i < Math.min(INVOICES, start + 1000); i++) {
          const customer = i % CUSTOMERS;
          // Round amounts now and then, as real invoices have: several open invoices share them.
          const amount =
            random() < 0.1 ? 10_000 * (1 + Math.floor(random() * 20)) : 5_000 + Math.floor(random() * 495_000);
          const invoice = {
            id: newId('invoice'),
            number: `F-2026-${String(i + 1).padStart(6, '0')}`,
            customer,
            balance: amount,
          };
          invoices.push(invoice);
          rows.push({
            account_id: account.id,
            id: invoice.id,
            number: invoice.number,
            customer_id: customerIds[customer] as string,
            status: 'open',
            currency: 'EUR',
            subtotal: amount,
            tax: 0,
            total: amount,
            issue_date: '2026-04-01',
            due_date: `2026-05-${String(1 + (i % 28)).padStart(2, '0')}`,
            created_at: clock.now(),
            updated_at: clock.now(),
          });
        }
        await trx.insertInto('invoices').values(rows).execute();
      }
    });
    await database.withSystem((trx) => sql`ANALYZE`.execute(trx));

    // Lines of known answer; each invoice is paid by one line at most.
    const byCustomer = Map.groupBy(invoices, (i) => i.customer);
    const used = new Set<string>();
    const fresh = (customer?: number): Invoice => {
      for (;;) {
        const invoice = customer === undefined ? pick(invoices) : pick(byCustomer.get(customer) ?? []);
        if (!used.has(invoice.id)) {
          used.add(invoice.id);
          return invoice;
        }
        if (customer !== undefined && (byCustomer.get(customer) ?? []).every((i) => used.has(i.id))) return fresh();
      }
    };
    const payer = (customer: number) => {
      const name = (names[customer] as string).toUpperCase();
      return random() < 0.3 ? name.slice(0, 24) : name;
    };
    const writeNumber = (number: string) => {
      const [prefix, year, seq] = number.split('-') as [string, string, string];
      return pick([
        number,
        `${prefix}${year}${seq}`,
        `FACT ${year} ${seq}`,
        `${prefix}/${year}/${seq}`,
        `Rechnung ${number}`,
        `INV ${year}-${seq}`,
      ]);
    };
    const lines: Array<{ kind: string; body: Record<string, unknown>; expect: string[] | null }> = [];
    for (let n = 0; n < LINES; n++) {
      const kind = random();
      const base = { booked_on: '2026-06-09', currency: 'EUR', bank_reference: `BENCH-${n}` };
      if (kind < 0.35) {
        const invoice = fresh();
        lines.push({
          kind: 'number, amount, payer',
          body: {
            ...base,
            amount: invoice.balance,
            label: `VIR SEPA ${payer(invoice.customer)} ${writeNumber(invoice.number)}`,
          },
          expect: [invoice.id],
        });
      } else if (kind < 0.5) {
        const invoice = fresh();
        const part = Math.max(100, Math.floor(invoice.balance / 3));
        lines.push({
          kind: 'partial payment, number, payer',
          body: {
            ...base,
            amount: part,
            label: `VIREMENT ACOMPTE ${writeNumber(invoice.number)}`,
            counterparty_name: payer(invoice.customer),
          },
          expect: [invoice.id],
        });
      } else if (kind < 0.65) {
        const invoice = fresh();
        lines.push({
          kind: 'amount and payer, no number',
          body: {
            ...base,
            amount: invoice.balance,
            label: `VIR SEPA RECU /DE ${payer(invoice.customer)} /MOTIF PAIEMENT`,
            counterparty_name: payer(invoice.customer),
          },
          expect: [invoice.id],
        });
      } else if (kind < 0.75) {
        const a = fresh();
        const b = fresh(a.customer);
        lines.push({
          kind: 'two invoices, payer, no number',
          body: {
            ...base,
            amount: a.balance + b.balance,
            label: `VIR ${payer(a.customer)} REGLEMENT FACTURES`,
            counterparty_name: payer(a.customer),
          },
          expect: [a.id, b.id].toSorted(),
        });
      } else if (kind < 0.85) {
        const a = fresh();
        const b = fresh(a.customer);
        lines.push({
          kind: 'two numbers, no payer',
          body: {
            ...base,
            amount: a.balance + b.balance,
            label: `PAIEMENT ${writeNumber(a.number)} ET ${writeNumber(b.number)}`,
          },
          expect: [a.id, b.id].toSorted(),
        });
      } else if (kind < 0.95) {
        const amount = 1_000 + Math.floor(random() * 1_000_000) * 7 + 3;
        lines.push({
          kind: 'unknown payer, IBAN and date',
          body: {
            ...base,
            amount,
            label: `VIR SEPA /DE PARTICULIER ${n} /IBAN FR76 3000 6000 ${String(n).padStart(4, '0')} 3456 7890 189 /DATE 2026-05-${String(1 + (n % 28)).padStart(2, '0')}`,
          },
          expect: null,
        });
      } else {
        lines.push({
          kind: 'debit',
          body: { ...base, amount: -(1_000 + Math.floor(random() * 100_000)), label: `PRLV SEPA FOURNISSEUR ${n}` },
          expect: null,
        });
      }
    }

    console.log(
      `importing ${LINES.toLocaleString('en')} bank lines, ${BATCH} a request, ${PARALLEL} request(s) at a time…`,
    );
    const timings: number[] = [];
    const results: Array<{ id: string; matches: Array<{ id: string; allocations: Array<{ invoice_id: string }> }> }> =
      [];
    const pgBefore = await postgresCpuMs(testDb.name);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const starts = Array.from({ length: Math.ceil(lines.length / BATCH) }, (_, i) => i * BATCH);
    const importBatch = async (start: number) => {
      const t0 = performance.now();
      const res = await app.inject({
        method: 'POST',
        url: '/v1/bank_transactions',
        headers,
        payload: { transactions: lines.slice(start, start + BATCH).map((l) => l.body) },
      });
      if (res.statusCode !== 201) throw new Error(`import: ${res.statusCode} ${res.body.slice(0, 500)}`);
      timings.push(performance.now() - t0);
      const { lines: answered } = res.json() as { lines: Array<{ bank_transaction: (typeof results)[number] }> };
      for (const [i, line] of answered.entries()) results[start + i] = line.bank_transaction;
    };
    // BENCH_PARALLEL requests in flight (default 1: one after another).
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < starts.length) await importBatch(starts[next++] as number);
      }),
    );
    const importSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const nodeCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const pgCpuMs = cpuBetween(pgBefore, await postgresCpuMs(testDb.name));

    let right = 0;
    let proposedWhenNone = 0;
    const byKind = new Map<string, { lines: number; right: number }>();
    const expectedSome = lines.filter((l) => l.expect !== null).length;
    lines.forEach((line, i) => {
      const best = results[i]?.matches[0];
      const got = best
        ? best.allocations
            .map((a) => a.invoice_id)
            .toSorted()
            .join(',')
        : null;
      const tally = byKind.get(line.kind) ?? { lines: 0, right: 0 };
      byKind.set(line.kind, tally);
      tally.lines++;
      if (line.expect === null) {
        if (got !== null) proposedWhenNone++;
        else tally.right++;
      } else if (got === line.expect.join(',')) {
        right++;
        tally.right++;
      }
    });

    // Confirm the best proposal of lines whose best proposal is right, one request each.
    const toConfirm = results.filter((r, i) => r.matches[0] && lines[i]?.expect !== null).slice(0, CONFIRMS);
    const c0 = performance.now();
    let confirmed = 0;
    for (const line of toConfirm) {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/bank_transactions/${line.id}/confirm`,
        headers,
        payload: { match_id: line.matches[0]?.id },
      });
      if (res.statusCode === 200) confirmed++;
    }
    const confirmSeconds = (performance.now() - c0) / 1000;

    const sorted = timings.toSorted((a, b) => a - b);
    console.log(
      `imported ${LINES.toLocaleString('en')} lines against ${INVOICES.toLocaleString('en')} open invoices in ${importSeconds.toFixed(1)} s: ${Math.round(LINES / importSeconds).toLocaleString('en')} lines/s; per request of ${BATCH}: median ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms`,
    );
    console.log(
      `CPU during the import: ${nodeCpuSeconds.toFixed(1)} s in this process (app and client)${pgCpuMs === undefined ? '' : `, ${(pgCpuMs / 1000).toFixed(1)} s in Postgres`}; load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores`,
    );
    for (const [kind, tally] of byKind) console.log(`  ${kind}: ${tally.right} / ${tally.lines} as expected`);
    console.log(
      `best proposal is the expected one for ${right.toLocaleString('en')} of ${expectedSome.toLocaleString('en')} payable lines (${((100 * right) / expectedSome).toFixed(1)} %); a proposal for ${proposedWhenNone} of ${(LINES - expectedSome).toLocaleString('en')} lines that pay nothing (unknown payers, debits)`,
    );
    console.log(
      `confirmed ${confirmed.toLocaleString('en')} of ${toConfirm.length.toLocaleString('en')} best proposals (payment + allocations) in ${confirmSeconds.toFixed(1)} s: ${Math.round(confirmed / confirmSeconds).toLocaleString('en')} confirmations/s`,
    );
    console.log(
      `goal: 10,000 lines against 100,000 open invoices ≤ 30 s → ${importSeconds <= 30 * (LINES / 10_000) ? 'PASS' : 'MISS'}`,
    );
  } finally {
    await app.close();
    await database.close();
    await testDb.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
