import {describe, expect, it} from 'vitest'
import {AnthropicPassthroughStream} from '../../../src/providers/anthropic/passthrough-stream.js'
import {ModelRenamingStream, renameModelField, renameModelInText} from '../../../src/providers/model-rename.js'
import {OpenAIPassthroughStream} from '../../../src/providers/openai/passthrough-stream.js'

describe('model renaming in pass-through answers', () => {
  it('renames the top-level model of a JSON answer only when it is the upstream id', () => {
    const answer = {id: 'x', model: 'Qwen/Qwen2.5$1', choices: []}
    expect(renameModelField(answer, 'Qwen/Qwen2.5$1', 'qwen')).toEqual({id: 'x', model: 'qwen', choices: []})
    expect(answer.model).toBe('Qwen/Qwen2.5$1')
    expect(renameModelField({model: 'other'}, 'Qwen/Qwen2.5$1', 'qwen')).toEqual({model: 'other'})
    expect(renameModelField('text', 'a', 'b')).toBe('text')
  })

  it('renames every "model" field in stream frames (nested ones too), not text that mentions it', () => {
    const stream = new ModelRenamingStream(new OpenAIPassthroughStream({includeUsage: false}), 'org/up-"q"', 'mine$&')
    const chunk = JSON.stringify({id: 'c', model: 'org/up-"q"', choices: [{index: 0, delta: {content: '"model":"org/up-\\"q\\""'}, finish_reason: null}]})
    const out = stream.push({data: chunk})
    const parsed = JSON.parse(out.slice('data: '.length))
    expect(parsed.model).toBe('mine$&')
    expect(parsed.choices[0].delta.content).toBe('"model":"org/up-\\"q\\""')
    const anthropic = new ModelRenamingStream(new AnthropicPassthroughStream(), 'claude-x', 'claude')
    const start = anthropic.push({event: 'message_start', data: '{"type":"message_start","message":{"id":"m","model": "claude-x","usage":{"input_tokens":3,"output_tokens":1}}}'})
    expect(start).toContain('"model": "claude"')
    expect(anthropic.usage).toEqual({input: 3, output: 1})
  })

  it('renames a dated snapshot of the upstream id too (OpenAI answers gpt-4o-mini with gpt-4o-mini-2024-07-18), not another model', () => {
    expect(renameModelField({model: 'gpt-4o-mini-2024-07-18'}, 'gpt-4o-mini', 'fast')).toEqual({model: 'fast'})
    expect(renameModelField({model: 'gpt-4o-mini2'}, 'gpt-4o-mini', 'fast')).toEqual({model: 'gpt-4o-mini2'})
    const stream = new ModelRenamingStream(new OpenAIPassthroughStream({includeUsage: false}), 'gpt-4o-mini', 'fast')
    const out = stream.push({data: JSON.stringify({id: 'c', model: 'gpt-4o-mini-2024-07-18', choices: [{index: 0, delta: {content: 'hi'}, finish_reason: null}]})})
    expect(JSON.parse(out.slice('data: '.length)).model).toBe('fast')
    const other = stream.push({data: JSON.stringify({id: 'c', model: 'gpt-4o-mini2', choices: [{index: 0, delta: {content: 'hi'}, finish_reason: null}]})})
    expect(JSON.parse(other.slice('data: '.length)).model).toBe('gpt-4o-mini2')
  })
})

describe('renameModelInText', () => {
  it('renames the one model field in the text, leaving every other byte as the upstream sent it', () => {
    const text = '{"id":"chatcmpl-1","object":"chat.completion","model":  "gpt-4o-mini-2024-07-18","choices":[{"message":{"content":"say \\"model\\": \\"gpt-4o-mini\\""}}]}'
    const renamed = renameModelInText(text, 'gpt-4o-mini', 'cheap')
    expect(renamed).toBe(text.replace('"gpt-4o-mini-2024-07-18"', '"cheap"'))
    expect(JSON.parse(renamed!)).toEqual(renameModelField(JSON.parse(text), 'gpt-4o-mini', 'cheap'))
    // The same pattern again (cached) on another text.
    expect(renameModelInText('{"model":"gpt-4o-mini"}', 'gpt-4o-mini', 'a"b')).toBe('{"model":"a\\"b"}')
  })

  it('gives up (null) when the field is not there exactly once: the caller re-encodes instead', () => {
    expect(renameModelInText('{"model":"other"}', 'gpt-4o', 'x')).toBeNull()
    expect(renameModelInText('{"model":"gpt-4o","extra":{"model":"gpt-4o"}}', 'gpt-4o', 'x')).toBeNull()
    expect(renameModelInText('{"model":"gpt\\u002d4o"}', 'gpt-4o', 'x')).toBeNull()
  })
})
