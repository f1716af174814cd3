import {Text} from 'ink'
import {Component, type ReactNode} from 'react'
import {inert} from '../../cli/style.js'

interface Props {
  children: ReactNode
  /** Shown instead of a stack trace when a pane fails to render. */
  label: string
}

interface State {
  message: string | null
}

/** A pane that throws while rendering shows one line instead of Ink's stack-trace screen. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = {message: null}

  static getDerivedStateFromError(error: unknown): State {
    return {message: error instanceof Error ? error.message : String(error)}
  }

  override render() {
    if (this.state.message !== null) return <Text wrap="truncate">{`${this.props.label} could not be drawn: ${inert(this.state.message)} (this is a bug)`}</Text>
    return this.props.children
  }
}
