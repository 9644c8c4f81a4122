import type { TestContext } from '../helpers/app.ts';

export interface GraphqlError {
  message: string;
  path?: string[];
  extensions: { code: string; status: number; errors?: Array<{ field: string; message: string }> };
}

export interface GraphqlResponse {
  status: number;
  // Test code reads arbitrary selections.
  data: any;
  errors: GraphqlError[] | undefined;
  headers: Record<string, unknown>;
  /** Whether the body has a `data` entry: absent when the request was refused before execution. */
  executed: boolean;
}

/** Posts one GraphQL operation to the app with the given Authorization header (none when omitted). */
export function graphqlClient(ctx: TestContext, auth?: { authorization: string }) {
  return async (query: string, variables?: Record<string, unknown>): Promise<GraphqlResponse> => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: auth ?? {},
      payload: { query, ...(variables && { variables }) },
    });
    const body = res.json() as { data?: unknown; errors?: GraphqlError[] };
    return {
      status: res.statusCode,
      data: body.data ?? null,
      errors: body.errors,
      headers: res.headers,
      executed: 'data' in body,
    };
  };
}

/** The code of the first error, for one-line assertions. */
export const codeOf = (res: GraphqlResponse): string | undefined => res.errors?.[0]?.extensions.code;

export const INVOICE_FIELDS = `
  id number externalId customerId status currency subtotal tax total lateFees lateFeesByKind { interest recoveryFee } amountPaid amountCredited balance
  issueDate dueDate overdue daysOverdue paymentTermsId reminderPolicyId disputed pause { until reason } promiseToPayOn activePaymentPlanId
  paymentUrl pdfUrl memo metadata lateFeesSkipped { reason preset } einvoiceStatus einvoiceStatusOn
  lineItems { description quantity unitAmount amount }
  finalizedAt voidedAt markedUncollectibleAt createdAt updatedAt`;

export const CUSTOMER_FIELDS = `
  id externalId name email ccEmails contactName phone mobile locale timeZone paymentTermsId reminderPolicyId pause { until reason }
  kind legalName registrationNumber vatNumber billingAddress { line1 line2 postalCode city region country }
  metadata erasedAt createdAt updatedAt`;

export const TERMS_FIELDS = `
  id code name description due { kind days } earlyPaymentDiscount { percentBps withinDays } builtin createdAt updatedAt`;

export const ACCOUNT_FIELDS = `
  id mode name legalName defaultCurrency locale timeZone senderName senderEmail replyTo contactPhone
  paymentInstructions defaultPaymentTermsId createdAt updatedAt`;
