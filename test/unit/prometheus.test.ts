import {describe, expect, it} from 'vitest'
import type {EventBus} from '../../src/events/bus.js'
import type {HealthRegistry} from '../../daemon/gateway/health-registry.js'
import {PrometheusMetrics} from '../../daemon/metrics/prometheus.js'
import {requestRecord} from '../helpers/request-record.js'


const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('Prometheus metrics', () => {
  it('counts requests, tokens and spend across scrapes, per label set', async () => {
    const metrics = new PrometheusMetrics({health: {snapshot: () => ({providers: [], models: []})} as unknown as HealthRegistry, bus: {subscriberCount: 0} as unknown as EventBus})
    const ok = 'tokenhub_requests_total{endpoint="/v1/chat/completions",model="m",provider="p",status="2xx"}'
    expect(value(await metrics.render(), ok)).toBeUndefined()

    for (let i = 0; i < 3; i++) metrics.observe(requestRecord())
    metrics.observe(requestRecord({status_code: 502, error_class: 'transient', input_tokens: 0, output_tokens: 0, cost_usd: 0}))
    let text = await metrics.render()
    expect(value(text, ok)).toBe(3)
    expect(value(text, 'tokenhub_requests_total{endpoint="/v1/chat/completions",model="m",provider="p",status="5xx"}')).toBe(1)
    expect(value(text, 'tokenhub_request_errors_total{error_class="transient",model="m"}')).toBe(1)
    expect(value(text, 'tokenhub_tokens_total{model="m",direction="input"}')).toBe(30)
    expect(value(text, 'tokenhub_tokens_total{model="m",direction="output"}')).toBe(15)
    expect(value(text, 'tokenhub_cost_usd_total{model="m",provider="p"}')).toBeCloseTo(0.75)
    expect(value(text, 'tokenhub_request_duration_seconds_count{model="m",provider="p"}')).toBe(4)

    // A second scrape adds what came since, and a scrape with nothing new changes nothing.
    metrics.observe(requestRecord({input_tokens: 1, output_tokens: 1, cost_usd: 0.05}))
    text = await metrics.render()
    expect(value(text, ok)).toBe(4)
    expect(value(text, 'tokenhub_tokens_total{model="m",direction="input"}')).toBe(31)
    expect(value(text, 'tokenhub_cost_usd_total{model="m",provider="p"}')).toBeCloseTo(0.8)
    expect(await metrics.render()).toContain(`${ok} 4`)
  })
})
