import {describe, expect, it, vi} from 'vitest'
import {ALT_SCREEN_OFF, ALT_SCREEN_ON, openTerminalSession} from '../../src/tui/terminal.js'

function fakeStream() {
  const chunks: string[] = []
  const stream = {
    isTTY: true,
    write(chunk: string | Uint8Array) {
      chunks.push(String(chunk))
      return true
    },
  }
  return {stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('')}
}

describe('terminal session', () => {
  it('enters the alternate screen, holds stderr and console output, and gives everything back once', () => {
    const stdout = fakeStream()
    const stderr = fakeStream()
    const stdin = {isTTY: false} as unknown as NodeJS.ReadStream
    const listenersBefore = process.listenerCount('SIGTERM')
    const session = openTerminalSession({stdout: stdout.stream, stderr: stderr.stream, stdin, onSignal: () => {}})
    expect(stdout.text().startsWith(ALT_SCREEN_ON)).toBe(true)
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore + 1)
    stderr.stream.write('a warning that would tear the frame\n')
    console.error('from a library')
    expect(stderr.text()).toBe('')
    session.restore()
    session.restore()
    expect(stdout.text().endsWith(ALT_SCREEN_OFF)).toBe(true)
    expect(stdout.text().split(ALT_SCREEN_OFF)).toHaveLength(2)
    expect(stderr.text()).toBe('a warning that would tear the frame\nfrom a library\n')
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore)
    // Afterwards stderr writes go straight through again.
    stderr.stream.write('after\n')
    expect(stderr.text().endsWith('after\n')).toBe(true)
  })

  it('a signal is handed to the caller with the conventional exit code', () => {
    const stdout = fakeStream()
    const stderr = fakeStream()
    const seen: Array<[string, number]> = []
    const session = openTerminalSession({stdout: stdout.stream, stderr: stderr.stream, stdin: {isTTY: false} as unknown as NodeJS.ReadStream, onSignal: (signal, code) => seen.push([signal, code])})
    process.emit('SIGTERM', 'SIGTERM')
    process.emit('SIGHUP', 'SIGHUP')
    session.restore()
    expect(seen).toEqual([
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ])
  })
  it('Ctrl-Z gives the shell its screen and cooked mode back and stops; SIGCONT takes the screen again and asks for a redraw', () => {
    const stdout = fakeStream()
    const stderr = fakeStream()
    const modes: boolean[] = []
    const stdin = {isTTY: true, isRaw: true, setRawMode: (raw: boolean) => void modes.push(raw)} as unknown as NodeJS.ReadStream
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true)
    try {
      const session = openTerminalSession({stdout: stdout.stream, stderr: stderr.stream, stdin, onSignal: () => {}})
      stdout.stream.write(`${'x'.repeat(80)} the last frame`)
      let redraws = 0
      session.suspend(() => redraws++)
      // The whole process group, as a shell's Ctrl-Z (under npx or sh -c the shell waits on the parent).
      expect(kill).toHaveBeenCalledWith(0, 'SIGTSTP')
      expect(stdout.text().endsWith(ALT_SCREEN_OFF)).toBe(true)
      // A frame drawn while stopped (a timer firing before SIGCONT's handler) does not reach the shell's screen.
      stdout.stream.write('a frame')
      expect(stdout.text().endsWith(ALT_SCREEN_OFF)).toBe(true)
      expect(modes).toEqual([false])
      process.emit('SIGCONT', 'SIGCONT')
      expect(stdout.text().lastIndexOf(ALT_SCREEN_ON)).toBeGreaterThan(stdout.text().lastIndexOf(ALT_SCREEN_OFF))
      // The last frame is drawn again (Ink would redraw only what changed, onto a cleared screen).
      expect(stdout.text().endsWith('the last frame')).toBe(true)
      expect(modes).toEqual([false, true])
      expect(redraws).toBe(1)
      // Only once per stop.
      process.emit('SIGCONT', 'SIGCONT')
      expect(redraws).toBe(1)
      session.restore()
    } finally {
      kill.mockRestore()
    }
  })
  it('Ctrl-Z where nothing stops the process (no job control, Windows) carries on instead of sitting blank', async () => {
    const stdout = fakeStream()
    const stdin = {isTTY: true, isRaw: true, setRawMode: () => {}} as unknown as NodeJS.ReadStream
    for (const behaviour of ['discarded', 'throws'] as const) {
      const kill = vi.spyOn(process, 'kill').mockImplementation(() => {
        if (behaviour === 'throws') throw new Error('ENOSYS')
        return true
      })
      try {
        const session = openTerminalSession({stdout: stdout.stream, stderr: fakeStream().stream, stdin, onSignal: () => {}})
        let resumed = 0
        session.suspend(() => resumed++)
        if (behaviour === 'discarded') {
          expect(resumed).toBe(0)
          await new Promise((resolve) => setTimeout(resolve, 700))
        }
        expect(resumed, behaviour).toBe(1)
        expect(stdout.text().lastIndexOf(ALT_SCREEN_ON)).toBeGreaterThan(stdout.text().lastIndexOf(ALT_SCREEN_OFF))
        session.restore()
      } finally {
        kill.mockRestore()
      }
    }
  })

  it('a signal that ends a stopped dashboard does not write to the terminal from the background', () => {
    const stdout = fakeStream()
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true)
    try {
      const session = openTerminalSession({stdout: stdout.stream, stderr: fakeStream().stream, stdin: {isTTY: false} as unknown as NodeJS.ReadStream, onSignal: () => {}})
      session.suspend(() => {})
      const before = stdout.text()
      session.restore()
      expect(stdout.text()).toBe(before)
    } finally {
      kill.mockRestore()
    }
  })
})
