// The api-keys module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { ApiKey, ApiKeyCreate, ApiKeyWithSecret } from './api-key.schemas.ts';
export { type ApiKeyService, createApiKeyService, insertApiKey } from './api-key.service.ts';
