import {Box, Text} from 'ink'
import {fit} from '../format.js'
import {SCREENS, SCREEN_TITLES, type ScreenId} from '../state/types.js'
import type {Status} from '../state/selectors.js'
import {toneProps, type Theme} from './theme.js'

export interface HeaderProps {
  url: string
  version: string | null
  uptime: string
  vault: Status
  connection: Status
  screen: ScreenId
  width: number
  theme: Theme
}

/**
 * Two rows: the connection state first (it matters most), then vault, uptime, version and the
 * server URL, which is what gets cut on a narrow terminal; then the screen tabs.
 */
export function Header({url, version, uptime, vault, connection, screen, width, theme}: HeaderProps) {
  const fixedPart = `TokenHub  ● ${connection.text}  ${vault.text}  up ${uptime}  ${version ? `v${version}` : ''}  `
  const tab = (id: ScreenId, i: number, short: boolean) => (id === screen ? `[${i + 1} ${SCREEN_TITLES[id]}]` : short ? ` ${i + 1} ` : ` ${i + 1} ${SCREEN_TITLES[id]} `)
  // Too narrow for every title: the other tabs show their number only, so the current one stays readable.
  const short = SCREENS.reduce((sum, id, i) => sum + tab(id, i, false).length + 1, 0) > width
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text {...toneProps(theme, 'title')}>TokenHub</Text>
        {'  '}
        <Text {...toneProps(theme, connection.tone)}>{`● ${connection.text}`}</Text>
        {'  '}
        <Text {...toneProps(theme, vault.tone)}>{vault.text}</Text>
        {`  up ${uptime}  ${version ? `v${version}` : ''}  `}
        <Text {...toneProps(theme, 'muted')}>{fit(url, Math.max(0, width - fixedPart.length))}</Text>
      </Text>
      <Text wrap="truncate">
        {SCREENS.map((id, i) => (
          <Text key={id} {...(id === screen ? toneProps(theme, 'accent') : toneProps(theme, 'muted'))}>
            {tab(id, i, short)}
            {' '}
          </Text>
        ))}
      </Text>
    </Box>
  )
}
