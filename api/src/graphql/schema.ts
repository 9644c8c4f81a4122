import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './types/scalars.ts';
import './types/account.ts';
import './types/customer.ts';
import './types/payment-terms.ts';
import './types/invoice.ts';
import './types/late-fee.ts';
import './types/message.ts';
import './types/template.ts';
import './types/task.ts';
import './types/dispute.ts';
import './types/payment-claim.ts';
import './types/einvoicing.ts';
import './types/pause.ts';
import './types/event.ts';
import './types/reminder-policy.ts';
import './types/payment.ts';
import './types/payment-plan.ts';
import './types/bank-transaction.ts';
import './types/webhook.ts';
import './types/report.ts';
import './types/relations.ts';
import './types/behaviour.ts';
import './types/risk.ts';
import './types/portal.ts';

let schema: GraphQLSchema | undefined;

/**
 * The GraphQL schema of the public API, types and fields sorted by name so the printed SDL
 * (schema/schema.graphql) is the same on every build. Built once per process.
 */
export function buildGraphqlSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: true });
  return schema;
}
