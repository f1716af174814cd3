import {discoverModels} from '../../src/admin/discover.js'
import type {Logger} from '../../src/logging/logger.js'
import type {ConfigStore} from '../../src/store/config-store.js'
import type {HealthRegistry} from './health-registry.js'
import type {ProviderKeys} from './provider-keys.js'

/**
 * Optional background probe (TOKENHUB_HEALTH_PROBE_SECS): lists each enabled provider's models
 * now and then, so a provider's circuit reflects reachability even without traffic, and an open
 * circuit closes as soon as the provider answers again.
 */
export class HealthProber {
  private timer: NodeJS.Timeout | null = null
  private running = false

  constructor(
    private readonly deps: {store: ConfigStore; keys: ProviderKeys; health: HealthRegistry; logger: Logger; intervalMs: number; timeoutMs: number},
  ) {}

  start(): void {
    if (this.deps.intervalMs <= 0) return
    this.timer = setInterval(() => void this.probeAll(), this.deps.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  async probeAll(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      const providers = Object.values(this.deps.store.data.providers).filter((p) => p.enabled && this.deps.keys.usable(p.id))
      await Promise.all(providers.map((provider) => this.probe(provider.id)))
    } finally {
      this.running = false
    }
  }

  private async probe(providerId: string): Promise<void> {
    const provider = this.deps.store.data.providers[providerId]
    if (!provider) return
    try {
      const apiKey = await this.deps.keys.get(providerId)
      await discoverModels({provider, apiKey, doc: this.deps.store.data, timeoutMs: this.deps.timeoutMs})
      this.deps.health.recordProbe(providerId, true, 'probe ok')
    } catch (error) {
      this.deps.health.recordProbe(providerId, false, `probe: ${(error as Error).message}`)
      this.deps.logger.debug({provider_id: providerId, err: error}, 'health probe failed')
    }
  }
}
