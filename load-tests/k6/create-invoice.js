// The `create-invoice` scenario of load-tests/bench.ts, for k6 (https://k6.io):
//
//   RELANCE_URL=http://127.0.0.1:3000 RELANCE_API_KEY=rk_test_… CUSTOMER_ID=cus_… \
//     k6 run load-tests/k6/create-invoice.js
//
// 50 virtual users for 15 s, each registering invoices as fast as it can: POST /v1/invoices with
// a number never used before, an existing customer, EUR amounts and explicit dates. Thresholds:
// p99 under 50 ms and under 1 % failed requests (k6 exits non-zero when one is crossed).
// Run it against a server with a high RATE_LIMIT_PER_MINUTE: the default (1,200 a minute per key)
// answers 429 long before the database is busy.
import http from 'k6/http';
import { check, fail } from 'k6';
import exec from 'k6/execution';

const BASE_URL = (__ENV.RELANCE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
const API_KEY = __ENV.RELANCE_API_KEY;
const CUSTOMER_ID = __ENV.CUSTOMER_ID;

export const options = {
  vus: 50,
  duration: '15s',
  thresholds: {
    http_req_duration: ['p(99)<50'],
    http_req_failed: ['rate<0.01'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(99)', 'max'],
};

export function setup() {
  if (!API_KEY || !CUSTOMER_ID)
    fail('set RELANCE_API_KEY and CUSTOMER_ID (and RELANCE_URL unless it is http://127.0.0.1:3000)');
  // A prefix per run: invoice numbers are unique per account, and the account outlives the run.
  return { run: Date.now().toString(36) };
}

export default function (data) {
  // VU id and its iteration number: unique across VUs and iterations of this run.
  const seq = `${exec.vu.idInTest}-${exec.vu.iterationInScenario}`;
  const body = JSON.stringify({
    number: `K6-${data.run}-${seq}`,
    customer_id: CUSTOMER_ID,
    currency: 'EUR',
    subtotal: 10000,
    tax: 2000,
    issue_date: '2026-11-01',
    due_date: '2026-12-01',
  });
  const res = http.post(`${BASE_URL}/v1/invoices`, body, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    tags: { name: 'POST /v1/invoices' },
  });
  check(res, { 'status is 201': (r) => r.status === 201 });
}
