import {describe, expect, it} from 'vitest'
import {TokenHubError} from '../../src/core/errors.js'
import {apiKeyCreateSchema, apiKeyPatchSchema} from '../../src/core/schemas/apikey.js'
import {aliasName, aliasSetSchema} from '../../src/core/schemas/alias.js'
import {modelCreateSchema, modelPatchSchema} from '../../src/core/schemas/model.js'
import {parsePayload} from '../../src/core/schemas/parse.js'
import {providerCreateSchema} from '../../src/core/schemas/provider.js'
import {routingConfigSchema} from '../../src/core/schemas/routing.js'

function failure(fn: () => unknown): TokenHubError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(TokenHubError)
    return error as TokenHubError
  }
  throw new Error('expected a validation error')
}

describe('admin payload validation', () => {
  it('names a misspelled field instead of ignoring it', () => {
    const error = failure(() => parsePayload(apiKeyCreateSchema, {name: 'x', monthly_budget: 5}, 'invalid API key'))
    expect(error.code).toBe('VALIDATION')
    expect(error.message).toContain('monthly_budget')
    expect(error.details?.issues).toEqual([{path: 'monthly_budget', message: 'unknown field "monthly_budget"'}])
  })

  it('accepts TokenHub string scopes, arrays and comma lists', () => {
    expect(parsePayload(apiKeyCreateSchema, {name: 'a', scopes: '["chat","plan"]'}, 'x').scopes).toEqual(['chat', 'plan'])
    expect(parsePayload(apiKeyCreateSchema, {name: 'a', scopes: ['embeddings']}, 'x').scopes).toEqual(['embeddings'])
    expect(parsePayload(apiKeyCreateSchema, {name: 'a', scopes: 'chat, embeddings'}, 'x').scopes).toEqual(['chat', 'embeddings'])
    expect(failure(() => parsePayload(apiKeyCreateSchema, {name: 'a', scopes: ['admin']}, 'x')).message).toContain('scopes[0]')
  })

  it('refuses control characters in upstream_model (it is sent upstream as is)', () => {
    for (const upstream_model of ['\u001b[31mred\u0000', 'a b\nc', 'a\tb', 'x\u0085y', 'x\u007f']) {
      expect(failure(() => parsePayload(modelCreateSchema, {id: 'm', provider_id: 'p', upstream_model}, 'm')).message).toContain('upstream_model: must not contain control characters')
      expect(failure(() => parsePayload(modelPatchSchema, {upstream_model}, 'm')).message).toContain('upstream_model')
    }
    expect(parsePayload(modelCreateSchema, {id: 'm', provider_id: 'p', upstream_model: 'Qwen/Qwen2.5-Coder-32B-Instruct'}, 'm').upstream_model).toBe('Qwen/Qwen2.5-Coder-32B-Instruct')
    expect(parsePayload(modelCreateSchema, {id: 'm', provider_id: 'p', upstream_model: 'llama3:8b'}, 'm').upstream_model).toBe('llama3:8b')
  })

  it('refuses alias names with ".." segments, as model ids', () => {
    for (const name of ['x/../y', 'q/..', '../z', 'a/']) expect(aliasName.safeParse(name).success, name).toBe(false)
    for (const name of ['claude-*', 'org/model-*', 'a..b']) expect(aliasName.safeParse(name).success, name).toBe(true)
  })

  it('refuses an alias that lists a model twice', () => {
    const error = failure(() => parsePayload(aliasSetSchema, {variants: [{model_id: 'm-a'}, {model_id: 'm-b'}, {model_id: 'm-a', weight: 2}]}, 'invalid alias'))
    expect(error.message).toContain('variants[2].model_id: "m-a" is listed twice')
  })

  it('refuses control characters (C0 and C1) in a key\'s name and project', () => {
    for (const value of ['\u001b[31mPROJ\u001b]0;x\u0007', 'a\u009bb', 'line\nbreak']) {
      expect(failure(() => parsePayload(apiKeyCreateSchema, {name: 'a', project: value}, 'x')).message).toContain('project: must not contain control characters')
      expect(failure(() => parsePayload(apiKeyPatchSchema, {name: value}, 'x')).message).toContain('name: must not contain control characters')
    }
    expect(parsePayload(apiKeyCreateSchema, {name: '支付服务 🤖', project: 'billing-eu'}, 'x').project).toBe('billing-eu')
  })

  it('stores a scope given twice once', () => {
    expect(parsePayload(apiKeyCreateSchema, {name: 'a', scopes: 'chat,chat'}, 'x').scopes).toEqual(['chat'])
    expect(parsePayload(apiKeyPatchSchema, {scopes: ['embeddings', 'chat', 'embeddings']}, 'x').scopes).toEqual(['embeddings', 'chat'])
  })

  it('trims key names and refuses one that is only whitespace, like an empty one', () => {
    expect(parsePayload(apiKeyCreateSchema, {name: '  prod-app '}, 'x').name).toBe('prod-app')
    for (const schema of [apiKeyCreateSchema, apiKeyPatchSchema]) {
      for (const name of ['', '   ', '\t ']) {
        const error = failure(() => parsePayload(schema, {name}, 'x'))
        expect(error.details?.issues).toEqual([{path: 'name', message: 'must not be empty'}])
      }
    }
  })

  it('refuses an empty allowed_models / allowed_providers (null means no restriction)', () => {
    for (const schema of [apiKeyCreateSchema, apiKeyPatchSchema]) {
      for (const field of ['allowed_models', 'allowed_providers']) {
        const error = failure(() => parsePayload(schema, {name: 'a', [field]: []}, 'x'))
        expect(error.message).toContain(`${field}: must list at least one id`)
        expect(parsePayload(schema, {name: 'a', [field]: null}, 'x')[field as 'allowed_models']).toBeNull()
      }
    }
  })

  it('refuses non-http base URLs and URLs with credentials', () => {
    for (const base_url of ['file:///etc/passwd', 'ftp://x', 'not a url', 'http://user:pw@host', 'http://127.0.0.1:9911/\u001b[31m', 'http://h/\u009b31m']) {
      expect(failure(() => parsePayload(providerCreateSchema, {id: 'p', type: 'openai', base_url}, 'p')).message).toContain('base_url')
    }
    expect(parsePayload(providerCreateSchema, {id: 'p', type: 'vllm', base_url: 'http://127.0.0.1:8000'}, 'p').type).toBe('vllm')
  })

  it('checks model weights, prices and ids with slashes', () => {
    expect(parsePayload(modelCreateSchema, {id: 'Qwen/Qwen2.5-Coder-32B-Instruct', provider_id: 'v'}, 'm').id).toBe('Qwen/Qwen2.5-Coder-32B-Instruct')
    expect(failure(() => parsePayload(modelCreateSchema, {id: 'm', provider_id: 'p', weight: 11}, 'm')).message).toContain('weight')
    expect(failure(() => parsePayload(modelCreateSchema, {id: 'm', provider_id: 'p', input_per_1k: -1}, 'm')).message).toContain('input_per_1k')
    expect(failure(() => parsePayload(modelCreateSchema, {id: '../etc', provider_id: 'p'}, 'm')).message).toContain('id')
  })

  it('rejects bodies that are not objects', () => {
    for (const body of [null, [], 'x', 3]) expect(failure(() => parsePayload(routingConfigSchema, body, 'r')).message).toContain('JSON object')
  })

  it('validates routing modes and refuses an empty change', () => {
    expect(failure(() => parsePayload(routingConfigSchema, {default_mode: 'fastest'}, 'r')).message).toContain('default_mode')
    expect(failure(() => parsePayload(routingConfigSchema, {}, 'r')).message).toContain('at least one')
  })
})
