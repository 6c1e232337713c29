import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRICS_MODULE_OPTIONS } from './metrics.module-definition';
import type { MetricsModuleOptions } from './metrics.options';

/**
 * Every metric Keel records, in one registry per application (never prom-client's global one,
 * so two apps in a process — tests, embedders — do not collide). Features record through the
 * typed instruments here; later features feed the model, token, stream, queue and plugin ones.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly collectors: Array<() => Promise<void>> = [];

  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly modelCalls: Counter<'provider' | 'model' | 'outcome'>;
  readonly modelTokens: Counter<'provider' | 'model' | 'direction'>;
  readonly timeToFirstToken: Histogram<'provider' | 'model'>;
  readonly activeSseStreams: Gauge<'api'>;
  readonly queueJobs: Gauge<'queue' | 'state'>;
  readonly pluginProcesses: Gauge<'plugin' | 'state'>;
  readonly pluginRestarts: Counter<'plugin' | 'reason'>;
  readonly pluginCalls: Counter<'plugin' | 'outcome'>;
  readonly pluginCallDuration: Histogram<'plugin'>;
  readonly pluginRssBytes: Gauge<'plugin'>;
  readonly droppedSpans: Counter;

  constructor(@Inject(METRICS_MODULE_OPTIONS) options: MetricsModuleOptions) {
    const prefix = options.driver === 'prometheus' ? options.prefix : 'keel_';
    if (options.driver === 'prometheus' && options.collectDefaultMetrics) {
      collectDefaultMetrics({ register: this.registry, prefix });
    }
    const registers = [this.registry];
    this.httpRequestDuration = new Histogram({
      name: `${prefix}http_request_duration_seconds`,
      help: 'HTTP request duration by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.httpRequests = new Counter({
      name: `${prefix}http_requests_total`,
      help: 'HTTP requests by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.modelCalls = new Counter({
      name: `${prefix}model_calls_total`,
      help: 'Calls to model providers by provider, model and outcome',
      labelNames: ['provider', 'model', 'outcome'],
      registers,
    });
    this.modelTokens = new Counter({
      name: `${prefix}model_tokens_total`,
      help: 'Tokens sent to (in) and received from (out) model providers',
      labelNames: ['provider', 'model', 'direction'],
      registers,
    });
    this.timeToFirstToken = new Histogram({
      name: `${prefix}model_time_to_first_token_seconds`,
      help: 'Time from the upstream request to its first streamed token',
      labelNames: ['provider', 'model'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.activeSseStreams = new Gauge({
      name: `${prefix}sse_streams_active`,
      help: 'Server-sent event streams currently open, by API face',
      labelNames: ['api'],
      registers,
    });
    this.queueJobs = new Gauge({
      name: `${prefix}queue_jobs`,
      help: 'Jobs per queue and state, read at scrape time',
      labelNames: ['queue', 'state'],
      registers,
    });
    this.pluginProcesses = new Gauge({
      name: `${prefix}plugin_processes`,
      help: 'Plugin processes by plugin and state (1 = in that state)',
      labelNames: ['plugin', 'state'],
      registers,
    });
    this.pluginRestarts = new Counter({
      name: `${prefix}plugin_restarts_total`,
      help: 'Plugin process restarts by plugin and reason (crash, heartbeat, memory, timeout)',
      labelNames: ['plugin', 'reason'],
      registers,
    });
    this.pluginCalls = new Counter({
      name: `${prefix}plugin_calls_total`,
      help: 'Calls into plugin processes by plugin and outcome (ok, error, timeout, busy, crashed, unavailable)',
      labelNames: ['plugin', 'outcome'],
      registers,
    });
    this.pluginCallDuration = new Histogram({
      name: `${prefix}plugin_call_duration_seconds`,
      help: 'Duration of calls into plugin processes',
      labelNames: ['plugin'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.pluginRssBytes = new Gauge({
      name: `${prefix}plugin_rss_bytes`,
      help: 'Resident memory of each running plugin process',
      labelNames: ['plugin'],
      registers,
    });
    this.droppedSpans = new Counter({
      name: `${prefix}otel_dropped_spans_total`,
      help: 'Trace spans dropped because the exporter could not keep up or reach the collector',
      registers,
    });
  }

  /** Runs before every scrape: lets features refresh gauges from their sources. */
  onScrape(collect: () => Promise<void>): void {
    this.collectors.push(collect);
  }

  /** The Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    await Promise.allSettled(this.collectors.map((c) => c()));
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
