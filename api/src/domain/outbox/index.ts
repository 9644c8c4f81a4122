// The outbox module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { insertEvents, recordEvent, takeUndispatchedEvents } from './event.repository.ts';
