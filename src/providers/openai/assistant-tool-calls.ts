/** Reading the tool calls of a Chat Completions assistant message (for the translations out of Chat). */
import type {DroppedNotes} from '../notes.js'
import {isRecord} from '../util.js'

export interface AssistantFunctionCall {
  id: string
  name: string
  /** As sent: usually a JSON string, sometimes an object, sometimes missing. */
  arguments: unknown
}

/**
 * The function calls of `messages[i]`, an assistant message, each with an id: one that came
 * without gets `<prefix>_unnamed_<i>_<j>`, also pushed on `unnamed`, so the tool results without
 * an id can be paired with them in order. Calls of other types, and malformed entries, are listed
 * as dropped.
 */
export function assistantFunctionCalls(message: {tool_calls?: unknown}, i: number, dropped: DroppedNotes, unnamed: string[], prefix: string): AssistantFunctionCall[] {
  const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as unknown[]) : []
  const out: AssistantFunctionCall[] = []
  calls.forEach((call, j) => {
    const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined
    if (!fn || !isRecord(call) || (call.type !== undefined && call.type !== 'function')) {
      dropped.add(`messages[${i}].tool_calls[${j}] (${isRecord(call) ? String(call.type) : 'invalid'})`)
      return
    }
    let id = typeof call.id === 'string' ? call.id : ''
    if (id === '') {
      id = `${prefix}_unnamed_${i}_${j}`
      unnamed.push(id)
    }
    out.push({id, name: String(fn.name ?? ''), arguments: fn.arguments})
  })
  return out
}
