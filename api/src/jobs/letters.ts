import type { Logger } from 'pino';
import type { Services } from '../services.ts';

/** How long the writer rests when no letter was waiting (the most a new letter waits for its PDF). */
const IDLE_MS = 250;

export interface LetterWriter {
  /** Writes every pending letter now (tests; the loop does it otherwise). */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Writes the PDFs of formal notices decided by the reminder engine (docs/reminders.md#formal-notice-letters):
 * a loop over the pending documents, the outbox their claim transactions left. Any number of
 * workers may run it; each letter is locked while written, so it is stored once, and one whose
 * worker died is simply pending again.
 */
export function startLetterWriter(deps: { services: Services; log: Logger; timer?: boolean }): LetterWriter {
  const { services, log } = deps;
  let running = deps.timer !== false;
  const loop = (async () => {
    while (running) {
      try {
        const { stored, failed } = await services.letters.writePending();
        if (failed > 0) log.warn({ failed }, 'formal notices could not be written; tried again later');
        if (stored === 0) await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      } catch (err) {
        log.warn({ err }, 'writing formal notices failed');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
  return {
    drain: () => services.letters.writeAllPending(),
    async stop() {
      running = false;
      await loop;
    },
  };
}
