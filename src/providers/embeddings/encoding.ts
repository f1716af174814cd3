/**
 * Embeddings `encoding_format` for upstreams that only answer floats: the gateway asks for floats
 * and encodes each vector the way api.openai.com does (little-endian float32, base64).
 */

/** Whether the client asked for base64 vectors. */
export function wantsBase64(body: Record<string, unknown>): boolean {
  return body.encoding_format === 'base64'
}

/** The request to send an upstream that may not know base64: floats asked for explicitly. */
export function floatRequest(body: Record<string, unknown>): Record<string, unknown> {
  return {...body, encoding_format: 'float'}
}

/** One float vector as OpenAI's base64: the bytes of a little-endian Float32Array. */
export function encodeFloat32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4)
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i], i * 4)
  return bytes.toString('base64')
}

/** An embeddings answer with float vectors, its vectors re-encoded as base64 (anything else untouched). */
export function toBase64Answer(upstream: unknown): unknown {
  if (!upstream || typeof upstream !== 'object') return upstream
  const answer = upstream as {data?: unknown}
  if (!Array.isArray(answer.data)) return upstream
  return {
    ...answer,
    data: answer.data.map((item: unknown) => {
      const embedding = (item as {embedding?: unknown} | null)?.embedding
      if (!Array.isArray(embedding) || !embedding.every((x) => typeof x === 'number')) return item
      return {...(item as object), embedding: encodeFloat32Base64(embedding)}
    }),
  }
}
