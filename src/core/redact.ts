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
    if (secret && secret.length >= 4) out = out.split(secret).join('[REDACTED]')
  }
  for (const pattern of CREDENTIAL_PATTERNS) {
    out = out.replace(pattern, (match, bearer?: string) => (typeof bearer === 'string' && /^bearer/i.test(bearer) ? `${bearer}[REDACTED]` : '[REDACTED]'))
  }
  return out
}
