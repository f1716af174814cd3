import type * as z from 'zod'
import {validation} from '../errors.js'

export interface ValidationIssue {
  path: string
  message: string
}

function describePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '')
}

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: describePath([...issue.path, key]),
        message: `unknown field "${key}"`,
      }))
    }
    return [{path: describePath(issue.path), message: issue.message}]
  })
}

/**
 * Validates an admin payload against a schema; on failure throws a VALIDATION error whose message
 * names the offending field(s), so a typo such as `monthly_budget` never silently does nothing.
 */
export function parsePayload<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw validation(`${what}: the body must be a JSON object`)
  }
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const issues = toIssues(result.error)
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
  throw validation(`${what}: ${summary}`, {issues})
}
