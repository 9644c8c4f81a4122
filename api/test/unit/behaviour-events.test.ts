import t from 'tap';
import { BEHAVIOUR_EVENTS } from '../../src/domain/behaviour/behaviour.rules.ts';
import { eventTypeEntry } from '../../src/domain/events/catalogue.ts';
import { PUBLIC_SCHEMAS } from '../../src/public-schemas.ts';

// The workers raise a customer's behaviour version from these events (docs/behaviour.md): each must
// be a type the outbox writes, and be about a customer or an invoice, or carry one in its payload
// (`noteEventsIn` reads `customer_id`, `invoice_id` or the object), or it would never reach a customer.
t.test('every behaviour event is catalogued and leads to its customer', async (t) => {
  const schemas = new Map(
    PUBLIC_SCHEMAS.map((schema) => [(schema as { $id?: string }).$id, schema as { properties?: object }]),
  );
  for (const type of BEHAVIOUR_EVENTS) {
    const entry = eventTypeEntry(type);
    t.ok(entry, `${type} is in the catalogue`);
    if (!entry) continue;
    const properties = Object.keys(schemas.get(entry.payload)?.properties ?? {});
    t.ok(
      ['customer', 'invoice'].includes(entry.objectType) ||
        properties.includes('customer_id') ||
        properties.includes('invoice_id'),
      `${type}: about a ${entry.objectType}, its ${entry.payload} leads to a customer`,
    );
  }
});
