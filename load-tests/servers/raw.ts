import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { failed, serve } from './child.ts';

/**
 * The ceiling: a bare Fastify app and a pg Pool(10) doing one parameterised INSERT of an
 * invoice-like row per request, no auth, no validation, no transaction, no RLS. Whatever
 * Relance does on top of this costs throughput; this is what the machine does with none of it.
 */

const RAW_TABLE = `
  CREATE TABLE IF NOT EXISTS raw_invoices (
    id text PRIMARY KEY,
    account_id text NOT NULL,
    number text NOT NULL,
    customer_id text NOT NULL,
    currency char(3) NOT NULL,
    subtotal bigint NOT NULL,
    tax bigint NOT NULL,
    total bigint NOT NULL,
    issue_date date NOT NULL,
    due_date date NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, number)
  )`;

const INSERT = `
  INSERT INTO raw_invoices (id, account_id, number, customer_id, currency, subtotal, tax, total, issue_date, due_date, metadata)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  RETURNING *`;

interface RawInvoice {
  number: string;
  customer_id: string;
  currency: string;
  subtotal: number;
  tax: number;
  issue_date: string;
  due_date: string;
  metadata?: Record<string, string>;
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {});
  await pool.query(RAW_TABLE);

  const app = Fastify({ logger: false });
  app.post('/raw', async (request, reply) => {
    const body = request.body as RawInvoice;
    const { rows } = await pool.query(INSERT, [
      `inv_${randomBytes(13).toString('hex')}`,
      'acct_bench',
      body.number,
      body.customer_id,
      body.currency,
      body.subtotal,
      body.tax,
      body.subtotal + body.tax,
      body.issue_date,
      body.due_date,
      JSON.stringify(body.metadata ?? {}),
    ]);
    return reply.code(201).send(rows[0]);
  });
  await serve(app, () => pool.end());
}

main().catch(failed);
