export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

/** Per-job settings; anything left out comes from the module's defaults. */
export interface JobOptions {
  /** Total attempts, the first included. */
  attempts?: number;
  /** Exponential backoff base: after the n-th failure the job waits (2^n − 1) × backoffMs. */
  backoffMs?: number;
  /** An attempt running longer than this fails with "Job timed out after … ms". */
  timeoutMs?: number;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /** Deduplicates: adding a job whose id exists is a no-op. */
  jobId?: string;
}

export interface JobDefaults {
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
  /** How many completed / failed jobs each queue keeps for inspection. */
  keepCompleted: number;
  keepFailed: number;
}

export type ResolvedJobOptions = Required<Omit<JobOptions, 'jobId'>> & {
  jobId?: string;
  /** W3C trace context of the code that added the job (set by the queue service, not callers). */
  traceContext?: Record<string, string>;
};

export interface JobSnapshot<TData = unknown> {
  id: string;
  queue: string;
  name: string;
  data: TData;
  state: JobState;
  /** Failed attempts so far (Bull's meaning: a job that succeeds at once has 0). */
  attemptsMade: number;
  progress: number;
  /** Why the last attempt failed; on a failed job, the final reason. */
  failedReason?: string;
  returnValue?: unknown;
  createdAt: number;
  finishedAt?: number;
}

/** What a processor receives for one attempt. */
export interface JobContext<TData = unknown> {
  id: string;
  queue: string;
  name: string;
  data: TData;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when the attempt times out or the process shuts down. */
  signal: AbortSignal;
  updateProgress(percent: number): Promise<void>;
}

/** Implemented by every class decorated with `@QueueProcessor`. */
export interface JobHandler<TData = unknown, TResult = unknown> {
  handle(job: JobContext<TData>): Promise<TResult>;
}

export interface JobCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
}
