import Type from 'typebox';
import { CalendarDate, Nullable } from '../shared/index.ts';

export const PauseCreate = Type.Object(
  {
    until: Type.Optional(Nullable(CalendarDate)),
    reason: Type.Optional(
      Nullable(
        Type.String({ minLength: 1, maxLength: 500, description: 'Why reminders are paused; shown with the pause.' }),
      ),
    ),
  },
  {
    $id: 'PauseCreate',
    additionalProperties: false,
    description:
      'Reminders wait until `until` (the last day of the pause, today or later), or until resumed when `until` is absent or null.',
  },
);
export type PauseCreate = Type.Static<typeof PauseCreate>;

export const PromiseToPay = Type.Object(
  {
    date: Nullable(
      Type.String({
        format: 'date',
        description: 'The day the customer promised to pay, today or later; null clears the promise.',
      }),
    ),
    note: Type.Optional(
      Nullable(
        Type.String({
          minLength: 1,
          maxLength: 2000,
          description: 'What was agreed; kept in the `promise.made` event.',
        }),
      ),
    ),
  },
  {
    $id: 'PromiseToPay',
    additionalProperties: false,
    description:
      'Reminders wait until two days after the promised date; if it passes unpaid, the promise is broken and they resume.',
  },
);
export type PromiseToPay = Type.Static<typeof PromiseToPay>;
