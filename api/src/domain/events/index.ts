// The events module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { openApiWebhooks } from './catalogue.ts';
export { Event, EventListQuery } from './event.schemas.ts';
export { eventsByIds, eventTypeOf, presentEvent } from './event.repository.ts';
export { createEventService } from './event.service.ts';
export { EVENT_PAYLOAD_SCHEMAS } from './payloads.ts';
