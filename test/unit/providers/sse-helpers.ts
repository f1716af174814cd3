import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import type {SseEvent, StreamTransformer} from '../../../src/providers/stream.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/providers/', import.meta.url))

export function fixtureText(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8')
}

export function fixtureJson<T = any>(name: string): T {
  return JSON.parse(fixtureText(name)) as T
}

/** A minimal SSE parser (event + data lines, comments skipped), enough to read transcripts back. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = []
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined
    const data: string[] = []
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const field = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'event') event = value
      else if (field === 'data') data.push(value)
    }
    if (data.length > 0) events.push(event === undefined ? {data: data.join('\n')} : {event, data: data.join('\n')})
  }
  return events
}

export interface Frame {
  event?: string
  /** Parsed JSON, or the raw text ("[DONE]"). */
  data: any
}

/** Client-side frames as parsed objects, for event-by-event comparison. */
export function frames(text: string): Frame[] {
  return parseSse(text).map(({event, data}) => {
    let parsed: unknown = data
    try {
      parsed = JSON.parse(data)
    } catch {
      // [DONE]
    }
    return event === undefined ? {data: parsed} : {event, data: parsed}
  })
}

/** Feeds every event, then end(); returns what the client would receive. */
export function run(transformer: StreamTransformer, events: SseEvent[]): string {
  let out = ''
  for (const event of events) out += transformer.push(event)
  return out + transformer.end()
}

/**
 * An OpenAI-compatible stream whose two parallel tool calls interleave their fragments (some
 * servers do), optionally with text between them; `chunk` frames a delta the way the test does.
 */
export function interleavedToolCalls(chunk: (delta: Record<string, unknown>, finishReason?: string | null) => SseEvent, textBetween?: string): SseEvent[] {
  return [
    chunk({tool_calls: [{index: 0, id: 'call_a', type: 'function', function: {name: 'a', arguments: '{"x":'}}]}),
    chunk({tool_calls: [{index: 1, id: 'call_b', type: 'function', function: {name: 'b', arguments: '{"y":'}}]}),
    ...(textBetween === undefined ? [] : [chunk({content: textBetween})]),
    chunk({tool_calls: [{index: 0, function: {arguments: '1}'}}]}),
    chunk({tool_calls: [{index: 1, function: {arguments: '2}'}}]}),
    chunk({}, 'tool_calls'),
    {data: '[DONE]'},
  ]
}
