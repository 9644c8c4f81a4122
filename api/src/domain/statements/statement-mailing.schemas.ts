import Type from 'typebox';
import { Id, Nullable, Timestamp } from '../shared/index.ts';

export const STATEMENT_MAILING_STATUSES = ['sending', 'sent', 'skipped', 'failed'] as const;

/** A customer's monthly statement by email (docs/reports.md#statements-by-email): one per customer and month. */
export const StatementMailing = Type.Object(
  {
    id: Id('stm'),
    object: Type.Literal('statement_mailing'),
    customer_id: Id('cus'),
    month: Type.String({
      pattern: '^[0-9]{4}-[0-9]{2}$',
      description: 'The month it was sent in (`2026-03`): one per customer and month.',
    }),
    period_from: Type.String({ format: 'date', description: 'The first day the statement covers.' }),
    period_to: Type.String({
      format: 'date',
      description: 'The last day it covers (its closing balances are at this day).',
    }),
    status: Type.Enum([...STATEMENT_MAILING_STATUSES], {
      description:
        '`sending`: on its way (a provider that said "not now" is asked again); `sent`; `skipped` (`reason`: `no_recipient`, `suppressed`); `failed` (the provider refused it).',
    }),
    reason: Nullable(Type.String()),
    message_id: Nullable(Type.String({ description: 'The email (`GET /v1/messages/{id}`), its statement attached.' })),
    document_id: Nullable(Type.String({ description: 'The statement sent (`GET /v1/documents/{id}`).' })),
    created_at: Timestamp,
  },
  { $id: 'StatementMailing', additionalProperties: false },
);
export type StatementMailing = Type.Static<typeof StatementMailing>;
