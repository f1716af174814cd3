import {describe, expect, it} from 'vitest'
import {encodeFloat32Base64, floatRequest, toBase64Answer, wantsBase64} from '../../../src/providers/embeddings/encoding.js'

describe('embeddings encoding_format for float-only upstreams', () => {
  it('encodes vectors exactly like api.openai.com (little-endian float32)', () => {
    const vector = [0.1, -2.5, 3e-8, 0]
    const encoded = encodeFloat32Base64(vector)
    const bytes = Buffer.from(encoded, 'base64')
    const back = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4))
    expect(back).toHaveLength(4)
    back.forEach((x, i) => expect(x).toBeCloseTo(vector[i], 6))
  })

  it('asks for floats and re-encodes every item, keeping usage and other fields', () => {
    expect(wantsBase64({encoding_format: 'base64'})).toBe(true)
    expect(wantsBase64({})).toBe(false)
    expect(floatRequest({input: 'a', encoding_format: 'base64', dimensions: 3})).toEqual({input: 'a', encoding_format: 'float', dimensions: 3})
    const answer = toBase64Answer({object: 'list', model: 'm', usage: {prompt_tokens: 2}, data: [{object: 'embedding', index: 0, embedding: [1, 2]}]}) as any
    expect(answer.usage).toEqual({prompt_tokens: 2})
    expect(answer.data[0]).toMatchObject({object: 'embedding', index: 0, embedding: encodeFloat32Base64([1, 2])})
  })

  it('leaves odd answers alone rather than corrupting them', () => {
    expect(toBase64Answer(null)).toBeNull()
    expect(toBase64Answer({error: 'x'})).toEqual({error: 'x'})
    expect(toBase64Answer({data: [{embedding: 'already-base64'}, null]})).toEqual({data: [{embedding: 'already-base64'}, null]})
  })
})
