// The messages module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export {
  cancelMessage,
  findMessage,
  insertMessages,
  insertPendingMessage,
  invoicesContacted,
  presentMessage,
  markMessageFailed,
  markMessageSent,
  occurrencesOfOpenCalls,
  outgoingEmailOf,
  setMessageCallKey,
} from './message.repository.ts';
export { Message, MessageListQuery, Suppression, SuppressionListQuery, SuppressionRemoved } from './message.schemas.ts';
export { createMessageService } from './message.service.ts';
