export interface SendOutcome {
  ok: boolean;
  at: Date;
  error?: string;
}

/** The state of the client `instrument.ts` initialised, for the health indicator. */
export class SentryRuntime {
  private last?: SendOutcome;

  constructor(readonly host: string) {}

  get lastSend(): SendOutcome | undefined {
    return this.last;
  }

  recordSend(outcome: SendOutcome): void {
    this.last = outcome;
  }
}

let active: SentryRuntime | undefined;

export function activeSentry(): SentryRuntime | undefined {
  return active;
}

export function setActiveSentry(runtime: SentryRuntime | undefined): void {
  active = runtime;
}
