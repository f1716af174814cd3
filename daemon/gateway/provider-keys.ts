import type {ConfigStore} from '../../src/store/config-store.js'
import type {Vault} from '../../src/vault/vault.js'

/**
 * Decrypted provider API keys, kept in memory only while the vault is unlocked, so a request does
 * not pay an age decryption. Cleared on lock and whenever a provider changes.
 */
export class ProviderKeys {
  /** Plaintext keys by provider id; null: the provider needs no key. */
  private readonly cache = new Map<string, string | null>()
  private knownKeys: readonly string[] | null = null

  constructor(
    private readonly store: ConfigStore,
    private readonly vault: Vault,
  ) {}

  /**
   * The key when it is in memory already (null: the provider needs none), without a promise: the
   * request path's common case. undefined: `get` must decrypt it, or report the locked vault.
   */
  peek(providerId: string): string | null | undefined {
    const key = this.cache.get(providerId)
    if (key === null) return null
    return key !== undefined && !this.vault.locked ? key : undefined
  }

  /** The key, null when the provider has none; throws VAULT_LOCKED when it has one and the vault is locked. */
  async get(providerId: string): Promise<string | null> {
    const known = this.peek(providerId)
    if (known !== undefined) return known
    const provider = Object.hasOwn(this.store.data.providers, providerId) ? this.store.data.providers[providerId] : undefined
    if (!provider?.api_key_enc) {
      // Cleared with the rest when the provider changes (a key added later is seen).
      if (provider) this.cache.set(providerId, null)
      return null
    }
    const key = await this.vault.decryptSecret(provider.api_key_enc)
    this.cache.set(providerId, key)
    this.knownKeys = null
    return key
  }

  /** Whether a request to this provider can be authenticated right now. */
  usable(providerId: string): boolean {
    const provider = Object.hasOwn(this.store.data.providers, providerId) ? this.store.data.providers[providerId] : undefined
    return !provider?.api_key_enc || !this.vault.locked
  }

  clear(): void {
    this.cache.clear()
    this.knownKeys = null
  }

  /** Every key currently known in plaintext, for scrubbing upstream error text (one array until the keys change). */
  known(): readonly string[] {
    return (this.knownKeys ??= [...this.cache.values()].filter((v): v is string => Boolean(v)))
  }
}
