import type { ChannelDeps, ChannelPlan, ReminderChannel } from './channel.ts';
import { call } from './call.ts';
import { collection } from './collection.ts';
import { email } from './email.ts';
import { letter } from './letter.ts';
import { sms } from './sms.ts';
import { webhook } from './webhook.ts';

/**
 * Every reminder channel, in the order the API lists them. Adding one is its module here, an
 * entry in this list, its templates and a migration that admits its name in
 * `reminder_occurrences.channel` (docs/architecture.md#adding-a-channel): the API's enums, the
 * planner and the engine read this list.
 */
const MODULES = [email, sms, call, letter, collection, webhook] as const;

export type ChannelName = (typeof MODULES)[number]['name'];

export const CHANNEL_NAMES = MODULES.map((m) => m.name) as [ChannelName, ...ChannelName[]];

/** "`email`: Relance sends the message. `call`, `letter`, `collection`: a task for a person. …", names formatted by `name`. */
export function describeChannels(name: (channel: ChannelName) => string = (c) => c): string {
  const groups: Array<{ names: string[]; summary: string }> = [];
  for (const m of MODULES) {
    const last = groups.at(-1);
    if (last?.summary === m.summary) last.names.push(name(m.name));
    else groups.push({ names: [name(m.name)], summary: m.summary });
  }
  return groups.map((g) => `${g.names.map((n) => `\`${n}\``).join(', ')}: ${g.summary}`).join(' ');
}

const PLANS = new Map<string, ChannelPlan>(MODULES.map((m) => [m.name, m.plan]));

/** How a channel is planned. */
export function channelPlan(name: string): ChannelPlan {
  const plan = PLANS.get(name);
  if (!plan) throw new Error(`unknown reminder channel '${name}'`);
  return plan;
}

export type Channels = ReadonlyMap<string, ReminderChannel>;

/** The channels with their dependencies, as the engine and the timeline look them up. */
export function createChannels(deps: ChannelDeps): Channels {
  return new Map(MODULES.map((m) => [m.name, { name: m.name, plan: m.plan, ...m.create(deps) }]));
}

/** The channel of a reminder. */
export function channelOf(channels: Channels, name: string): ReminderChannel {
  const channel = channels.get(name);
  if (!channel) throw new Error(`unknown reminder channel '${name}'`);
  return channel;
}
