import {createParser} from 'eventsource-parser'

export interface SseMessage {
  id?: string
  data: any
}

/**
 * Follows an SSE endpoint with fetch and collects parsed messages; `waitFor` resolves when a
 * predicate over everything received so far holds.
 */
export function openSse(url: string, headers: Record<string, string>) {
  const controller = new AbortController()
  const messages: SseMessage[] = []
  const waiters: Array<{check: () => boolean; resolve: () => void}> = []
  let comments = 0
  let markEnded: (how: 'complete' | 'error') => void = () => {}
  /** Resolves when the stream ends: 'complete' when the daemon ended the response properly, 'error' when it broke off (or the client aborted). */
  const ended = new Promise<'complete' | 'error'>((resolve) => (markEnded = resolve))
  const ready = fetch(url, {headers: {accept: 'text/event-stream', ...headers}, signal: controller.signal}).then(async (response) => {
    const parser = createParser({
      onEvent: (event) => {
        messages.push({id: event.id, data: JSON.parse(event.data)})
        for (const waiter of [...waiters]) if (waiter.check()) waiter.resolve()
      },
      onComment: () => comments++,
    })
    const decoder = new TextDecoder()
    void (async () => {
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, {stream: true}))
        markEnded('complete')
      } catch {
        markEnded('error')
      }
    })()
    return response
  })
  return {
    messages,
    ready,
    ended,
    comments: () => comments,
    events: (type?: string) => messages.filter((m) => m.data.type !== 'connected' && (!type || m.data.type === type)),
    waitFor(check: (messages: SseMessage[]) => boolean, timeoutMs = 10_000): Promise<void> {
      if (check(messages)) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting; got ${JSON.stringify(messages.map((m) => m.data.type))}`)), timeoutMs)
        waiters.push({
          check: () => check(messages),
          resolve: () => {
            clearTimeout(timer)
            resolve()
          },
        })
      })
    },
    close: () => controller.abort(),
  }
}
