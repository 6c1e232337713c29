import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { JobContext } from './queue.types';

const tracer = trace.getTracer('keel-queue');

/** W3C trace context headers stored with a job, so its processing joins the trace that added it. */
export type TraceCarrier = Record<string, string>;

/**
 * A producer span around adding a job, whose context travels with the job. Only inside an
 * existing trace: a job added by a timer starts its own trace when it runs.
 */
export async function tracePublish(
  queue: string,
  system: string,
  add: (carrier: TraceCarrier | undefined) => Promise<string>,
): Promise<string> {
  if (!trace.getActiveSpan()) return add(undefined);
  return tracer.startActiveSpan(
    `publish ${queue}`,
    { kind: SpanKind.PRODUCER, attributes: messagingAttributes(system, queue, 'publish') },
    async (span) => {
      const carrier: TraceCarrier = {};
      propagation.inject(context.active(), carrier);
      try {
        const id = await add(carrier);
        span.setAttribute('messaging.message.id', id);
        return id;
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** A consumer span around one attempt, child of the producer span when the job carries one. */
export function traceProcess<T>(
  job: Omit<JobContext, 'signal' | 'updateProgress'>,
  system: string,
  carrier: TraceCarrier | undefined,
  run: () => Promise<T>,
): Promise<T> {
  const parent = carrier ? propagation.extract(context.active(), carrier) : context.active();
  return tracer.startActiveSpan(
    `process ${job.queue}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messagingAttributes(system, job.queue, 'process'),
        'messaging.message.id': job.id,
        'keel.job.name': job.name,
        'keel.job.attempt': job.attempt,
      },
    },
    parent,
    async (span) => {
      try {
        return await run();
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

function messagingAttributes(system: string, queue: string, operation: string) {
  return {
    'messaging.system': system,
    'messaging.destination.name': queue,
    'messaging.operation.name': operation,
  };
}

function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
