export interface ExportOutcome {
  ok: boolean;
  at: Date;
  spans: number;
  error?: string;
}

type DroppedListener = (count: number) => void;

/**
 * What the running SDK reports about itself. The SDK starts before Nest does (it must patch
 * modules before they are loaded), so the Nest module finds it here rather than creating it.
 */
export class TelemetryRuntime {
  private dropped = 0;
  private last?: ExportOutcome;
  private readonly listeners = new Set<DroppedListener>();

  constructor(
    readonly tracesUrl: string | undefined,
    private readonly stop: () => Promise<void>,
  ) {}

  get droppedSpans(): number {
    return this.dropped;
  }

  get lastExport(): ExportOutcome | undefined {
    return this.last;
  }

  recordExport(outcome: ExportOutcome): void {
    this.last = outcome;
    if (!outcome.ok) this.recordDropped(outcome.spans);
  }

  recordDropped(count: number): void {
    if (count <= 0) return;
    this.dropped += count;
    for (const listener of this.listeners) listener(count);
  }

  /** Calls `listener` with every later batch of dropped spans; returns the unsubscribe. */
  onDropped(listener: DroppedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Flushes what is buffered, then stops the SDK. Safe to call twice. */
  private stopping?: Promise<void>;
  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }
}

let active: TelemetryRuntime | undefined;

export function activeTelemetry(): TelemetryRuntime | undefined {
  return active;
}

export function setActiveTelemetry(runtime: TelemetryRuntime | undefined): void {
  active = runtime;
}
