import {createParser} from 'eventsource-parser'
import {ClientError} from './errors.js'

export interface StreamEvent {
  id?: number
  type: string
  ts?: string
  [field: string]: unknown
}

export interface FollowOptions {
  url: string
  token?: string
  types?: string[]
  /** Resume after this event id (also kept up to date across reconnects). */
  lastEventId?: number
  /** Without a lastEventId: first replay the newest this many kept events (at most 1,000). */
  backlog?: number
  signal: AbortSignal
  onEvent: (event: StreamEvent) => void
  /** Connection changes, for a "disconnected, retrying" line or a status bar. */
  onState?: (state: 'connected' | 'disconnected', detail: string) => void
  /** Longest pause between reconnection attempts. */
  maxRetryMs?: number
}

/** Waits `ms`, or less if `signal` aborts first (resolves either way; the caller checks the signal). */
export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    }, {once: true})
  })

/**
 * Follows GET /admin/v1/events until the signal aborts: reconnects with backoff whenever the
 * stream ends or the daemon goes away, resuming with Last-Event-ID so nothing kept is missed.
 * Only a rejected admin token ends it with an error.
 */
export async function followEvents(options: FollowOptions): Promise<void> {
  const base = options.url.replace(/\/+$/, '')
  let lastEventId = options.lastEventId
  let retryMs = 500
  while (!options.signal.aborted) {
    const params = new URLSearchParams()
    if (options.types?.length) params.set('type', options.types.join(','))
    // The backlog only on a first connection: a reconnection resumes from the last event seen.
    if (lastEventId === undefined && options.backlog) params.set('backlog', String(options.backlog))
    const query = params.toString() ? `?${params}` : ''
    try {
      const response = await fetch(`${base}/admin/v1/events${query}`, {
        headers: {
          accept: 'text/event-stream',
          ...(options.token ? {authorization: `Bearer ${options.token}`} : {}),
          ...(lastEventId !== undefined ? {'last-event-id': String(lastEventId)} : {}),
        },
        signal: options.signal,
      })
      if (response.status === 401) throw new ClientError('AUTH_INVALID', 'the daemon rejected the admin token', {status: 401})
      if (response.status === 400 && response.headers.has('x-tokenhub-request-id')) {
        // The request itself is wrong (a type or id the daemon refuses): retrying cannot help.
        const body = (await response.json().catch(() => null)) as {error?: {message?: unknown}} | null
        const message = typeof body?.error?.message === 'string' ? body.error.message : 'the daemon refused the event stream request (HTTP 400)'
        throw new ClientError('USAGE', message, {status: 400})
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
      if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        throw new ClientError('UNEXPECTED_RESPONSE', `${base}/admin/v1/events answered ${response.headers.get('content-type') ?? 'no content type'}, not an event stream; is it a TokenHub daemon?`)
      }
      const parser = createParser({
        onEvent: (message) => {
          let event: StreamEvent
          try {
            event = JSON.parse(message.data) as StreamEvent
          } catch {
            return
          }
          if (message.id) lastEventId = Number(message.id)
          if (event.type === 'connected') {
            retryMs = 500 // back off again only after a stream that really started
            // A follower that has seen no event yet (a quiet filtered stream) still resumes from here
            // after a drop, so what the daemon publishes meanwhile is replayed, not lost.
            if (lastEventId === undefined && typeof event.last_event_id === 'number') lastEventId = event.last_event_id
            options.onState?.('connected', event.daemon_restarted ? `${base} (the daemon restarted; replayed what it kept)` : base)
          }
          options.onEvent(event)
        },
      })
      const decoder = new TextDecoder()
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, {stream: true}))
      options.onState?.('disconnected', 'the daemon closed the stream')
    } catch (error) {
      if (options.signal.aborted) return
      if (error instanceof ClientError) throw error
      const cause = (error as {cause?: {code?: string}}).cause?.code ?? (error as Error).message
      options.onState?.('disconnected', `${cause}; retrying in ${Math.round(retryMs / 1000)}s`)
    }
    await sleep(retryMs, options.signal)
    retryMs = Math.min(retryMs * 2, options.maxRetryMs ?? 5000)
  }
}
