// The related module's door: batches of related objects for REST expand and GraphQL nesting.
export { createRelatedService, type RelatedService } from './related.service.ts';
