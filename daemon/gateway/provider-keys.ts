import type {ConfigStore} from '../../src/store/config-store.js'
import type {Vault} from '../../src/vault/vault.js'

/**
 * Decrypted provider API keys, kept in memory only while the vault is unlocked, so a request does
 * not pay an age decryption. Cleared on lock and whenever a provider changes.
 */
export class ProviderKeys {
  private readonly cache = new Map<string, string | null>()

  constructor(
    private readonly store: ConfigStore,
    private readonly vault: Vault,
  ) {}

  /** The key, null when the provider has none; throws VAULT_LOCKED when it has one and the vault is locked. */
  async get(providerId: string): Promise<string | null> {
    if (this.cache.has(providerId) && !this.vault.locked) return this.cache.get(providerId) ?? null
    const provider = Object.hasOwn(this.store.data.providers, providerId) ? this.store.data.providers[providerId] : undefined
    if (!provider?.api_key_enc) return null
    const key = await this.vault.decryptSecret(provider.api_key_enc)
    this.cache.set(providerId, key)
    return key
  }

  /** Whether a request to this provider can be authenticated right now. */
  usable(providerId: string): boolean {
    const provider = Object.hasOwn(this.store.data.providers, providerId) ? this.store.data.providers[providerId] : undefined
    return !provider?.api_key_enc || !this.vault.locked
  }

  clear(): void {
    this.cache.clear()
  }

  /** Every key currently known in plaintext, for scrubbing upstream error text. */
  known(): string[] {
    return [...this.cache.values()].filter((v): v is string => Boolean(v))
  }
}
