// The `create-payment` scenario of load-tests/bench.ts, for k6 (https://k6.io):
//
//   RELANCE_URL=http://127.0.0.1:3000 RELANCE_API_KEY=rk_test_… CUSTOMER_ID=cus_… \
//     k6 run load-tests/k6/create-payment.js
//
// setup() registers INVOICES large invoices for the customer; then 50 virtual users for 15 s
// record payments as fast as they can: POST /v1/payments with one explicit allocation of a small
// amount, spread over the invoices so that requests seldom wait on the same row. Thresholds: p99
// under 50 ms and under 1 % failed requests (k6 exits non-zero when one is crossed).
// Run it against a server with a high RATE_LIMIT_PER_MINUTE (the default answers 429 first).
import http from 'k6/http';
import { check, fail } from 'k6';
import exec from 'k6/execution';

const BASE_URL = (__ENV.RELANCE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
const API_KEY = __ENV.RELANCE_API_KEY;
const CUSTOMER_ID = __ENV.CUSTOMER_ID;
const INVOICES = Number(__ENV.INVOICES || 1000);
const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };

export const options = {
  vus: 50,
  duration: '15s',
  setupTimeout: '300s',
  thresholds: {
    'http_req_duration{name:POST /v1/payments}': ['p(99)<50'],
    'http_req_failed{name:POST /v1/payments}': ['rate<0.01'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(99)', 'max'],
};

export function setup() {
  if (!API_KEY || !CUSTOMER_ID)
    fail('set RELANCE_API_KEY and CUSTOMER_ID (and RELANCE_URL unless it is http://127.0.0.1:3000)');
  const run = Date.now().toString(36);
  const invoiceIds = [];
  for (let i = 0; i < INVOICES; i++) {
    const res = http.post(
      `${BASE_URL}/v1/invoices`,
      JSON.stringify({
        number: `K6P-${run}-${i}`,
        customer_id: CUSTOMER_ID,
        currency: 'EUR',
        subtotal: 1000000000,
        issue_date: '2026-11-01',
        due_date: '2026-12-01',
      }),
      { headers, tags: { name: 'setup: POST /v1/invoices' } },
    );
    if (res.status !== 201) fail(`could not register invoice ${i}: ${res.status} ${res.body}`);
    invoiceIds.push(res.json('id'));
  }
  return { run, invoiceIds };
}

export default function (data) {
  const seq = exec.scenario.iterationInTest;
  const amount = 100 + (seq % 100);
  const body = JSON.stringify({
    customer_id: CUSTOMER_ID,
    amount,
    currency: 'EUR',
    method: 'transfer',
    reference: `K6-${data.run}-${exec.vu.idInTest}-${exec.vu.iterationInScenario}`,
    allocations: [{ invoice_id: data.invoiceIds[seq % data.invoiceIds.length], amount }],
  });
  const res = http.post(`${BASE_URL}/v1/payments`, body, { headers, tags: { name: 'POST /v1/payments' } });
  check(res, { 'status is 201': (r) => r.status === 201 });
}
