/**
 * A tiny external store for the dashboard: the reducer runs on every dispatch, but listeners
 * (the one React subscription) are told at most once per `minIntervalMs`, so a burst of events
 * costs one frame, not one frame per event. The first change after a quiet spell is told at
 * once, so key presses feel immediate.
 */
export interface Store<S, A> {
  getState(): S
  dispatch(action: A): void
  subscribe(listener: () => void): () => void
  /** Tells listeners now about anything pending (tests, and just before exit). */
  flush(): void
  close(): void
}

export interface StoreOptions<S = never> {
  minIntervalMs?: number
  now?: () => number
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (handle: unknown) => void
  /**
   * Whether a change shows on screen. A change that does not (a clock tick that moves no visible
   * figure) is kept without telling listeners: every frame costs a full Ink layout and render.
   */
  shows?: (previous: S, next: S) => boolean
}

export function createStore<S, A>(reducer: (state: S, action: A) => S, initial: S, options: StoreOptions<S> = {}): Store<S, A> {
  const minInterval = options.minIntervalMs ?? 100
  const now = options.now ?? (() => performance.now())
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms))
  const clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as NodeJS.Timeout))
  const listeners = new Set<() => void>()
  let state = initial
  let lastNotified = Number.NEGATIVE_INFINITY
  let timer: unknown = null
  let dirty = false
  let closed = false

  const notify = () => {
    if (timer !== null) clearTimer(timer)
    timer = null
    if (!dirty || closed) return
    dirty = false
    lastNotified = now()
    for (const listener of listeners) listener()
  }

  return {
    getState: () => state,
    dispatch(action) {
      const next = reducer(state, action)
      if (next === state) return
      const previous = state
      state = next
      if (options.shows && !options.shows(previous, next)) return
      dirty = true
      if (timer !== null || closed) return
      const wait = lastNotified + minInterval - now()
      if (wait <= 0) notify()
      else timer = setTimer(notify, wait)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    flush: notify,
    close() {
      closed = true
      if (timer !== null) clearTimer(timer)
      timer = null
      listeners.clear()
    },
  }
}
