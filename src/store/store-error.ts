/** The store cannot be opened; the daemon must refuse to start and leave the file untouched. */
export class StoreOpenError extends Error {
  readonly file: string

  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`)
    this.name = 'StoreOpenError'
    this.file = file
  }
}
