import {collectDefaultMetrics, Counter, Gauge, Histogram, Registry} from 'prom-client'
import type {RequestLogRecord} from '../../src/core/request-log.js'
import type {EventBus} from '../../src/events/bus.js'
import type {HealthRegistry} from '../gateway/health-registry.js'

/** Seconds; up to 5 minutes so long completions are not all lumped in +Inf. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300]
const CIRCUIT_VALUE = {closed: 0, half_open: 1, open: 2} as const

interface Child {
  requestLabels: {endpoint: string; model: string; provider: string; status: string}
  modelLabels: {model: string; provider: string}
  model: string
  latency: ReturnType<Histogram<'model' | 'provider'>['labels']>
  ttft: ReturnType<Histogram<'model' | 'provider'>['labels']>
  /** Increments not yet handed to prom-client (at the next scrape). */
  requests: number
  tokensIn: number
  tokensOut: number
  cost: number
}

/**
 * Prometheus text at GET /metrics. Labels stay low-cardinality (model, provider, endpoint,
 * status class; never API keys or request ids).
 */
export class PrometheusMetrics {
  readonly registry = new Registry()
  private readonly requests: Counter<'endpoint' | 'model' | 'provider' | 'status'>
  private readonly errors: Counter<'error_class' | 'model'>
  private readonly latency: Histogram<'model' | 'provider'>
  private readonly ttft: Histogram<'model' | 'provider'>
  private readonly tokens: Counter<'model' | 'direction'>
  private readonly cost: Counter<'model' | 'provider'>
  readonly storeWrite: Histogram<string>

  constructor(deps: {health: HealthRegistry; bus: EventBus}) {
    const registers = [this.registry]
    const flushed = {collect: () => this.flush(), registers}
    this.requests = new Counter({name: 'tokenhub_requests_total', help: '/v1 requests by endpoint, routed model, provider and status class', labelNames: ['endpoint', 'model', 'provider', 'status'], ...flushed})
    this.errors = new Counter({name: 'tokenhub_request_errors_total', help: 'Failed /v1 requests by error class', labelNames: ['error_class', 'model'], registers})
    this.latency = new Histogram({name: 'tokenhub_request_duration_seconds', help: 'Whole request latency through the gateway', labelNames: ['model', 'provider'], buckets: LATENCY_BUCKETS, registers})
    this.ttft = new Histogram({name: 'tokenhub_time_to_first_token_seconds', help: 'Streams: time to the first chunk sent to the client', labelNames: ['model', 'provider'], buckets: LATENCY_BUCKETS, registers})
    this.tokens = new Counter({name: 'tokenhub_tokens_total', help: 'Tokens by model and direction (input, output)', labelNames: ['model', 'direction'], ...flushed})
    this.cost = new Counter({name: 'tokenhub_cost_usd_total', help: 'Spend in USD from upstream usage and model prices', labelNames: ['model', 'provider'], ...flushed})
    this.storeWrite = new Histogram({name: 'tokenhub_store_write_seconds', help: 'Serializing, encrypting and writing the config store (wall time: large stores are written in slices with requests served in between)', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers})
    new Gauge({
      name: 'tokenhub_circuit_state',
      help: 'Circuit per target: 0 closed, 1 half-open, 2 open',
      labelNames: ['target', 'id'],
      registers,
      collect() {
        this.reset()
        const snapshot = deps.health.snapshot()
        for (const p of snapshot.providers) this.set({target: 'provider', id: p.id}, CIRCUIT_VALUE[p.state])
        for (const m of snapshot.models) this.set({target: 'model', id: m.id}, CIRCUIT_VALUE[m.state])
      },
    })
    new Gauge({
      name: 'tokenhub_event_subscribers',
      help: 'Clients following the event stream (SSE and WebSocket)',
      registers,
      collect() {
        this.set(deps.bus.subscriberCount)
      },
    })
    // Event-loop figures (tokenhub_nodejs_eventloop_lag_*) are intervals between ticks of a timer
    // of this resolution: an idle loop reads ~10 ms, the delay is what exceeds it.
    collectDefaultMetrics({register: this.registry, prefix: 'tokenhub_', eventLoopMonitoringPrecision: 10})
  }

  /**
   * Per (endpoint, model, provider, status class): the label-bound histogram children, and the
   * counter increments since the last scrape as plain numbers. prom-client hashes a label set on
   * every inc(), so counters are handed over once per scrape (flush(), from the counters' collect()) instead
   * of four times per request.
   */
  private readonly children = new Map<string, Child>()

  private bind(endpoint: string, model: string, provider: string, status: string): Child {
    return {
      requestLabels: {endpoint, model, provider, status},
      modelLabels: {model, provider},
      model,
      latency: this.latency.labels({model, provider}),
      ttft: this.ttft.labels({model, provider}),
      requests: 0,
      tokensIn: 0,
      tokensOut: 0,
      cost: 0,
    }
  }

  /** Hands every pending increment to prom-client; the first counter collected at a scrape does it for all three. */
  private flush(): void {
    for (const child of this.children.values()) {
      if (child.requests > 0) this.requests.inc(child.requestLabels, child.requests)
      if (child.tokensIn > 0) this.tokens.inc({model: child.model, direction: 'input'}, child.tokensIn)
      if (child.tokensOut > 0) this.tokens.inc({model: child.model, direction: 'output'}, child.tokensOut)
      if (child.cost !== 0) this.cost.inc(child.modelLabels, child.cost)
      child.requests = 0
      child.tokensIn = 0
      child.tokensOut = 0
      child.cost = 0
    }
  }

  observe(record: RequestLogRecord): void {
    const model = record.model_id ?? 'none'
    const provider = record.provider_id ?? 'none'
    const status = record.status_code < 300 ? '2xx' : `${Math.floor(record.status_code / 100)}xx`
    const id = `${record.endpoint}\u0000${model}\u0000${provider}\u0000${status}`
    let child = this.children.get(id)
    if (!child) {
      child = this.bind(record.endpoint, model, provider, status)
      this.children.set(id, child)
    }
    child.requests++
    if (record.error_class) this.errors.inc({error_class: record.error_class, model})
    if (record.model_id) {
      child.latency.observe(record.latency_ms / 1000)
      if (record.ttft_ms !== null) child.ttft.observe(record.ttft_ms / 1000)
      if (record.input_tokens) child.tokensIn += record.input_tokens
      if (record.output_tokens) child.tokensOut += record.output_tokens
      if (record.cost_usd > 0) child.cost += record.cost_usd
    }
  }

  render(): Promise<string> {
    return this.registry.metrics()
  }
}
