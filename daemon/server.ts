import type HyperExpress from 'hyper-express'

export interface Listening {
  host: string
  port: number
  /** Stop accepting new connections (open ones continue). */
  stopAccepting(): void
}

/** The only place that binds a port. Port 0 picks a free one; the real port is returned. */
export async function listen(server: HyperExpress.Server, host: string, port: number): Promise<Listening> {
  try {
    await server.listen(port, host)
  } catch {
    throw new Error(`cannot listen on ${host}:${port}: the address is in use or not available on this machine`)
  }
  return {
    host,
    port: server.port,
    stopAccepting: () => {
      server.close()
    },
  }
}
