/** Token shapes that providers quote back in error messages ("Incorrect API key provided: sk-..."). */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{6,}/g,
  /\bth-[A-Za-z0-9_-]{6,}/g,
  /\bAGE-SECRET-KEY-[A-Z0-9-]+/g,
  /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
]

/** Removes known secrets and anything that looks like a credential from text shown to users. */
export function redactSecrets(text: string, known: ReadonlyArray<string | null | undefined> = []): string {
  let out = text
  for (const secret of known) {
    if (!secret || secret.length < 4) continue
    // Also as an upstream's JSON may quote it: escaped ("\"", "\\", control characters) and with "/" as "\/" (PHP, some Java encoders).
    const escaped = JSON.stringify(secret).slice(1, -1)
    for (const form of new Set([secret, escaped, escaped.replace(/\//g, '\\/')])) out = out.split(form).join('[REDACTED]')
  }
  for (const pattern of CREDENTIAL_PATTERNS) {
    out = out.replace(pattern, (match, bearer?: string) => (typeof bearer === 'string' && /^bearer/i.test(bearer) ? `${bearer}[REDACTED]` : '[REDACTED]'))
  }
  return out
}
