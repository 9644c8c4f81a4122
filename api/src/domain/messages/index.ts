// The messages module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export {
  cancelMessage,
  findMessage,
  insertMessages,
  insertPendingMessage,
  invoicesContacted,
  liveGroupMessage,
  isSuppressed,
  presentMessage,
  markMessageFailed,
  markMessageSent,
  markMessageUnknown,
  messagesOfInvoices,
  suppressedPhones,
  suppressPhone,
  occurrencesOfOpenCalls,
  outgoingEmailOf,
  setMessageAttachment,
  setMessageCallKey,
} from './message.repository.ts';
export {
  Message,
  MessageListQuery,
  PhoneSuppression,
  PhoneSuppressionListQuery,
  PhoneSuppressionRemoved,
  Suppression,
  SuppressionListQuery,
  SuppressionRemoved,
} from './message.schemas.ts';
export { createSmsService, type SmsReply, type SmsStatusReport } from './sms.service.ts';
export { createMessageService } from './message.service.ts';
