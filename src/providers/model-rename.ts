/**
 * Pass-through answers name the upstream's model id (`"model":"Qwen/Qwen2.5-72B-Instruct-AWQ"`);
 * clients asked for the gateway's id and see that one, as in translated answers. Only when the
 * two differ, so the usual pass-through stays byte for byte.
 */
import type {SseEvent, StreamTransformer, TokenUsage} from './stream.js'
import {isRecord} from './util.js'

/** A JSON answer with its top-level `model` renamed (a new object; the input is not changed). */
export function renameModelField(answer: unknown, from: string, to: string): unknown {
  if (!isRecord(answer) || answer.model !== from) return answer
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
    // The id as it appears inside JSON text (quotes and backslashes escaped), after "model":.
    this.pattern = new RegExp(`("model"\\s*:\\s*)${escapeRegExp(JSON.stringify(from))}`, 'g')
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
