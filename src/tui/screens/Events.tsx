import {Box, Text} from 'ink'
import {eventTone, MARKER, selectedProps, toneProps, type Theme} from '../components/theme.js'
import {eventLine} from '../format.js'
import {eventWindow, visibleEvents, type EventsState} from '../state/events.js'
import type {Frame} from '../layout.js'

export interface EventsProps {
  events: EventsState
  frame: Frame
  theme: Theme
}

function statusLine(events: EventsState, matching: number): string {
  // The daemon's notices about the stream (closing, dropped) are listed but are not events it sent: counted apart.
  const notices = events.items.reduce((n, item) => n + (typeof item.event.id === 'number' ? 0 : 1), 0)
  const parts = [`${events.received} received`, `${events.items.length - notices} kept`]
  if (notices > 0) parts.push(`${notices} stream notice${notices === 1 ? '' : 's'}`)
  if (events.filter) parts.push(`filter "${events.filter}" (${matching} match)`)
  if (events.frozen) parts.push(`PAUSED, ${events.unseen} new (Space resumes)`)
  else parts.push(events.selected === null ? 'following' : 'selection held (Esc follows)')
  return parts.join('  ·  ')
}

/** The live stream, newest at the bottom, as a window over the bounded buffer. */
export function Events({events, frame, theme}: EventsProps) {
  const listRows = Math.max(1, frame.body - 1)
  const {rows, selectedSeq} = eventWindow(events, listRows)
  return (
    <Box flexDirection="column" width={frame.width} height={frame.body} overflow="hidden">
      <Text wrap="truncate" {...toneProps(theme, events.frozen ? 'warn' : 'muted')}>
        {statusLine(events, events.filter ? visibleEvents(events).length : 0)}
      </Text>
      {rows.length === 0 ? (
        <Text {...toneProps(theme, 'muted')}>{events.filter ? '  no event matches the filter yet' : '  waiting for events…'}</Text>
      ) : (
        rows.map((entry) => {
          const selected = entry.seq === selectedSeq
          return (
            <Text key={entry.seq} wrap="truncate" {...toneProps(theme, eventTone(entry.event.type))} {...selectedProps(theme, selected)}>
              {(selected ? MARKER.on : MARKER.off) + eventLine(entry.event)}
            </Text>
          )
        })
      )}
    </Box>
  )
}
