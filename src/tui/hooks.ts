import {useStdout} from 'ink'
import {useEffect, useState} from 'react'
import type {Size} from './layout.js'

/** The terminal size, updated on resize (a fixed size, as tests give, wins). */
export function useTerminalSize(fixed?: Size): Size {
  const {stdout} = useStdout()
  const read = (): Size => ({columns: stdout.columns || 80, rows: stdout.rows || 24})
  const [size, setSize] = useState<Size>(read)
  useEffect(() => {
    if (fixed) return
    const onResize = () => setSize(read())
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout, fixed === undefined])
  return fixed ?? size
}
