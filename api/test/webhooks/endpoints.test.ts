import t from 'tap';
import { setupApp } from '../helpers/app.ts';
import { codeOf, graphqlClient } from '../graphql/client.ts';

t.test('webhook endpoints: CRUD, validation and errors, REST and GraphQL alike', async (t) => {
  const ctx = await setupApp(t, { env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
  const acme = await ctx.createAccount({ name: 'Acme' });
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    headers: Record<string, string> = {},
  ) => ctx.app.inject({ method, url, headers: { ...acme.auth, ...headers }, ...(payload && { payload }) });
  const gql = graphqlClient(ctx, acme.auth);

  const created = await call('POST', '/v1/webhook_endpoints', {
    url: 'http://127.0.0.1:9/a',
    enabled_events: ['invoice.paid', 'invoice.overdue'],
    enabled: false,
  });
  t.equal(created.statusCode, 201);
  const endpoint = created.json();
  t.match(endpoint, { enabled: false, description: null, enabled_events: ['invoice.paid', 'invoice.overdue'] });
  t.equal(endpoint.created_at, '2026-03-02T09:00:00.000Z', 'timestamps come from the clock');

  for (const [body, field] of [
    [{ url: 'http://127.0.0.1:9/a', enabled_events: [] }, '/enabled_events'],
    [{ url: 'http://127.0.0.1:9/a', enabled_events: ['Invoice Paid'] }, '/enabled_events/0'],
    [{ url: 'not a url', enabled_events: ['*'] }, '/url'],
    [{ url: 'http://127.0.0.1:9/a' }, '/enabled_events'],
    [{ url: 'http://127.0.0.1:9/a', enabled_events: ['*'], secret: 'mine' }, '/secret'],
  ] as const) {
    const res = await call('POST', '/v1/webhook_endpoints', body);
    t.equal(res.statusCode, 400, JSON.stringify(body));
    t.equal(res.json().code, 'request/validation_failed');
    t.ok(
      res.json().errors.some((e: { field: string }) => e.field === field),
      `${field} named`,
    );
  }

  const patched = (
    await call('PATCH', `/v1/webhook_endpoints/${endpoint.id}`, {
      description: 'ERP',
      enabled_events: ['*'],
      enabled: true,
    })
  ).json();
  t.match(patched, { description: 'ERP', enabled_events: ['*'], enabled: true });
  t.notOk('secret' in patched);

  const tooLong = await call('POST', `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, {
    overlap_seconds: 8 * 86_400,
  });
  t.equal(tooLong.statusCode, 400, 'overlap at most 7 days');
  const rotated = await ctx.app.inject({
    method: 'POST',
    url: `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`,
    headers: acme.auth,
  });
  t.equal(rotated.statusCode, 200, 'no body: the default overlap');
  t.match(rotated.json().secret, /^whsec_/);

  const missing = await call('POST', `/v1/webhook_endpoints/${endpoint.id}/resend`, {
    event_id: 'evt_01jzzzzzzzzzzzzzzzzzzzzzzz',
  });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'event/not_found');

  // GraphQL: the same objects and the same error codes.
  const list = await gql(
    '{ webhookEndpoints { data { id url description enabledEvents enabled disabledReason secret createdAt updatedAt } hasMore } }',
  );
  t.notOk(list.errors);
  t.same(list.data.webhookEndpoints.data[0], {
    id: endpoint.id,
    url: 'http://127.0.0.1:9/a',
    description: 'ERP',
    enabledEvents: ['*'],
    enabled: true,
    disabledReason: null,
    secret: null,
    createdAt: endpoint.created_at,
    updatedAt: patched.updated_at,
  });
  const invalid = await gql(
    'mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/a", enabledEvents: [] }) { id } }',
  );
  t.equal(codeOf(invalid), 'request/validation_failed');
  const rotatedGql = await gql(`mutation { rotateWebhookSecret(id: "${endpoint.id}", overlapSeconds: 60) { secret } }`);
  t.match(rotatedGql.data.rotateWebhookSecret.secret, /^whsec_/);
  const sent = await gql(
    `mutation { sendWebhookTest(id: "${endpoint.id}") { id endpointId eventType status attemptCount attempts { id } } }`,
  );
  t.match(sent.data.sendWebhookTest, {
    endpointId: endpoint.id,
    eventType: 'webhook_endpoint.test',
    status: 'PENDING',
    attemptCount: 0,
    attempts: [],
  });
  const event = (await call('GET', '/v1/events?type=webhook_endpoint.test')).json().data[0];
  t.match(event, { object_type: 'webhook_endpoint', object_id: endpoint.id, data: { id: endpoint.id } });
  t.notOk('secret' in event.data);
  const resent = await gql(
    `mutation { resendWebhookEvent(id: "${endpoint.id}", eventId: "${event.id}") { eventId status } }`,
  );
  t.same(resent.data.resendWebhookEvent, { eventId: event.id, status: 'PENDING' });
  const deliveries = await gql(
    `{ webhookDeliveries(endpointId: "${endpoint.id}", status: PENDING) { data { eventId } } events(deliverySuccess: false) { data { id } } }`,
  );
  t.equal(deliveries.data.webhookDeliveries.data.length, 2);
  t.same(deliveries.data.events.data, [{ id: event.id }]);
  const rest = (await call('GET', `/v1/webhook_deliveries?endpoint_id=${endpoint.id}&status=pending`)).json();
  t.equal(rest.data.length, 2);
  t.equal((await call('GET', '/v1/webhook_deliveries?status=succeeded')).json().data.length, 0);

  // Disabling stops pending deliveries.
  const disabled = await gql(
    `mutation { updateWebhookEndpoint(id: "${endpoint.id}", input: { enabled: false }) { enabled } }`,
  );
  t.equal(disabled.data.updateWebhookEndpoint.enabled, false);
  t.equal((await call('GET', `/v1/webhook_deliveries?endpoint_id=${endpoint.id}&status=failed`)).json().data.length, 2);

  const deleted = await call('DELETE', `/v1/webhook_endpoints/${endpoint.id}`);
  t.same(deleted.json(), { id: endpoint.id, object: 'webhook_endpoint', deleted: true });
  t.equal((await call('GET', `/v1/webhook_endpoints/${endpoint.id}`)).statusCode, 404);
  t.equal(
    (await call('GET', `/v1/webhook_deliveries?endpoint_id=${endpoint.id}`)).json().data.length,
    0,
    'its deliveries went with it',
  );
  const gone = await gql(`mutation { deleteWebhookEndpoint(id: "${endpoint.id}") { id } }`);
  t.equal(codeOf(gone), 'webhook_endpoint/not_found');
});
