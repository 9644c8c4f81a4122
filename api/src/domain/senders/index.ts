// The senders module's door: an account's own email provider credential. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export { AccountSender, AccountSenderDeleted, AccountSenderUpdate } from './sender.schemas.ts';
export {
  createSenderService,
  type OpenedSender,
  openSender,
  type ProbeResult,
  providerEventsPath,
  type SenderProbe,
  type SenderService,
} from './sender.service.ts';
export { senderStamp } from './sender.repository.ts';
