import type {Request, Response, Server} from 'hyper-express'

type Handler = (req: Request, res: Response) => unknown

/**
 * The HEAD form of a GET handler: the same status and headers, no body. uWS would send the body
 * after a HEAD's headers (breaking a keep-alive connection), and load balancers and uptime checks
 * probe with HEAD. No Content-Length either: uWS 20.30 takes a reported length as a promise of
 * that many body bytes and holds the connection for them (RFC 9110 lets a HEAD answer omit it).
 */
export function headOf(handler: Handler): Handler {
  return (req, res) => {
    const internals = res as unknown as {
      _initiate_response(): void
      _raw_response: {endWithoutBody(): void}
      completed: boolean
    }
    // endWithoutBody(undefined) would report a length of 2^63: no arguments at all.
    res.send = (() => {
      if (res.completed) return res
      res.atomic(() => {
        internals._initiate_response()
        internals._raw_response.endWithoutBody()
        internals.completed = true
      })
      return res
    }) as Response['send']
    return handler(req, res)
  }
}

/** Registers `handler` for GET and HEAD on `path`. */
export function getAndHead(server: Server, path: string, handler: Handler): void {
  server.get(path, handler as Parameters<Server['get']>[1])
  server.head(path, headOf(handler) as Parameters<Server['head']>[1])
}

/** `handler`, bodiless when the request is a HEAD (for handlers that answer any method: not found, errors). */
export function headAware(handler: Handler): Handler {
  const head = headOf(handler)
  return (req, res) => (req.method === 'HEAD' ? head(req, res) : handler(req, res))
}
