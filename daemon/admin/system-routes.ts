import {isTokenHubError} from '../../src/core/errors.js'
import {parsePayload} from '../../src/core/schemas/parse.js'
import {adminTokenRotateSchema, vaultRotateSchema, vaultUnlockSchema} from '../../src/core/schemas/vault.js'
import {bearerToken} from './auth.js'
import type {AdminDeps, AdminRoute} from './deps.js'

export function systemRoutes(deps: AdminDeps): AdminRoute[] {
  const vaultState = () => ({vault_locked: deps.vault.locked, vault_initialized: deps.vault.initialized})
  return [
    {
      method: 'get',
      path: '/admin/v1/info',
      handler: () => ({
        body: {
          tokenhub: 'admin',
          version: deps.version,
          uptime_s: Math.floor((Date.now() - deps.startedAt) / 1000),
          ...vaultState(),
          providers: deps.store.ids('providers').length,
          models: deps.store.ids('models').length,
          api_keys: deps.store.ids('api_keys').length,
        },
      }),
    },
    {
      method: 'post',
      path: '/admin/v1/admin-token/rotate',
      handler: async (ctx) => {
        const input = parsePayload(adminTokenRotateSchema, (await ctx.optionalJson()) ?? {}, 'invalid rotation request')
        const token = await deps.adminToken.rotate(input.token === '' ? undefined : input.token, bearerToken(ctx.header('authorization')))
        deps.onChange({resource: 'admin_token', action: 'rotate', id: 'admin'})
        return {body: {ok: true, token, ...(deps.secretsFromEnv?.adminToken && {warning: ADMIN_TOKEN_ENV_WARNING})}}
      },
    },
    {
      method: 'post',
      path: '/admin/v1/vault/unlock',
      handler: async (ctx) => {
        const input = parsePayload(vaultUnlockSchema, await ctx.json(), 'invalid unlock request')
        const {initialized} = await deps.vault.unlock((input.password ?? input.admin_password) as string).catch((error) => {
          if (isTokenHubError(error) && error.code === 'VAULT_PASSWORD_INVALID') deps.runtime.audit.record({resource: 'vault', action: 'unlocked', id: 'vault', outcome: 'denied', detail: 'wrong password'})
          throw error
        })
        return {body: {ok: true, initialized, ...vaultState()}}
      },
    },
    {
      method: 'post',
      path: '/admin/v1/vault/lock',
      handler: async (ctx) => {
        await ctx.noBody()
        return {body: {ok: true, ...deps.vault.lock(), ...vaultState()}}
      },
    },
    {
      method: 'post',
      path: '/admin/v1/vault/rotate',
      handler: async (ctx) => {
        const input = parsePayload(vaultRotateSchema, await ctx.json(), 'invalid vault rotation request')
        await deps.vault.rotate(input.old_password, input.new_password).catch((error) => {
          if (isTokenHubError(error) && error.code === 'VAULT_PASSWORD_INVALID') deps.runtime.audit.record({resource: 'vault', action: 'rotated', id: 'vault', outcome: 'denied', detail: 'wrong old password'})
          throw error
        })
        return {body: {ok: true, ...vaultState(), ...(deps.secretsFromEnv?.vaultPassword && {warning: VAULT_PASSWORD_ENV_WARNING})}}
      },
    },
  ]
}

/** The next start unlocks with TOKENHUB_VAULT_PASSWORD: an old one there stops it (a restart loop under systemd). */
const VAULT_PASSWORD_ENV_WARNING =
  'this daemon was started with TOKENHUB_VAULT_PASSWORD: put the new password there (e.g. /etc/tokenhub/secrets.env), or its next start fails with "TOKENHUB_VAULT_PASSWORD does not unlock the vault"'

/** The daemon itself ignores a retired TOKENHUB_ADMIN_TOKEN, but scripts that read it get 401. */
const ADMIN_TOKEN_ENV_WARNING =
  'this daemon was started with TOKENHUB_ADMIN_TOKEN: put the new token there too (e.g. /etc/tokenhub/secrets.env); the daemon ignores the old one, but CLI calls and scripts that read it get 401'
