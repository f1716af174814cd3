/**
 * Pass-through answers name the upstream's model id (`"model":"Qwen/Qwen2.5-72B-Instruct-AWQ"`);
 * clients asked for the gateway's id and see that one, as in translated answers. Only when the
 * two differ, so the usual pass-through stays byte for byte.
 */
import type {SseEvent, StreamTransformer, TokenUsage} from './stream.js'
import {isRecord} from './util.js'

/**
 * The upstream's id, or a dated snapshot of it: OpenAI answers a request for `gpt-4o-mini` with
 * `"model": "gpt-4o-mini-2024-07-18"`, which names the upstream just as much.
 */
const namesUpstream = (model: unknown, from: string): boolean => typeof model === 'string' && (model === from || (model.startsWith(`${from}-`) && !model.includes('"')))

/** A JSON answer with its top-level `model` renamed (a new object; the input is not changed). */
export function renameModelField(answer: unknown, from: string, to: string): unknown {
  if (!isRecord(answer) || !namesUpstream(answer.model, from)) return answer
  return {...answer, model: to}
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A stream transformer whose frames name the gateway's model id instead of the upstream's. */
export class ModelRenamingStream implements StreamTransformer {
  private readonly pattern: RegExp
  private readonly replacement: string

  constructor(
    private readonly inner: StreamTransformer,
    from: string,
    to: string,
  ) {
    // The id as it appears inside JSON text (quotes and backslashes escaped), after "model":, or a
    // dated snapshot of it (`"gpt-4o-mini-2024-07-18"`).
    const quoted = JSON.stringify(from)
    this.pattern = new RegExp(`("model"\\s*:\\s*)${escapeRegExp(quoted.slice(0, -1))}(?:-[^"\\\\]*)?"`, 'g')
    this.replacement = `$1${JSON.stringify(to).replace(/\$/g, '$$$$')}`
  }

  get usage(): TokenUsage | null {
    return this.inner.usage
  }

  get complete(): boolean {
    return this.inner.complete
  }

  get failed(): boolean {
    return this.inner.failed
  }

  push(event: SseEvent): string {
    return this.rename(this.inner.push(event))
  }

  end(): string {
    return this.rename(this.inner.end())
  }

  fail(message: string): string {
    return this.inner.fail(message)
  }

  private rename(text: string): string {
    return text.includes('"model"') ? text.replace(this.pattern, this.replacement) : text
  }
}
