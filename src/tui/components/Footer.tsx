import {Text} from 'ink'
import {fitFooter} from '../format.js'
import {toneProps, type Theme, type Tone} from './theme.js'

export interface FooterProps {
  text: string
  tone?: Tone
  width: number
  theme: Theme
}

/** The bottom row: a prompt, a confirmation, a flash message, or the key hints. */
export function Footer({text, tone = 'muted', width, theme}: FooterProps) {
  return (
    <Text wrap="truncate" {...toneProps(theme, tone)}>
      {fitFooter(text, Math.max(0, width))}
    </Text>
  )
}
