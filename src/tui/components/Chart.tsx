import {Box, Text} from 'ink'
import {plotLines} from './chart-text.js'
import {toneProps, type Theme, type Tone} from './theme.js'

export interface ChartProps {
  title: string
  values: ReadonlyArray<number | null>
  width: number
  /** Rows for the plot; the title takes one more. */
  height: number
  theme: Theme
  tone?: Tone
}

export function Chart({title, values, width, height, theme, tone = 'accent'}: ChartProps) {
  const lines = plotLines(values, width, height)
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" {...toneProps(theme, 'title')}>
        {title}
      </Text>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate" {...toneProps(theme, tone)}>
          {line}
        </Text>
      ))}
    </Box>
  )
}
