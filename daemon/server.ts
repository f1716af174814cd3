import type HyperExpress from 'hyper-express'
import uws from 'uWebSockets.js'

/** uSockets: never share the port through SO_REUSEPORT; a second daemon must fail, not split traffic. */
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1

export interface Listening {
  host: string
  port: number
  /** Stop accepting new connections (open ones continue). */
  stopAccepting(): void
}

/**
 * The only place that binds a port. Port 0 picks a free one; the real port is returned.
 * hyper-express's own listen() cannot pass uWS listen options, so the uWS app is bound directly
 * and hyper-express is asked to compile its routes as its listen() would.
 */
export async function listen(server: HyperExpress.Server, host: string, port: number): Promise<Listening> {
  const app = server.uws_instance as unknown as {listen(host: string, port: number, options: number, cb: (socket: unknown) => void): void}
  const socket = await new Promise<unknown>((resolve) => app.listen(host, port, LIBUS_LISTEN_EXCLUSIVE_PORT, resolve))
  if (!socket) throw new Error(`cannot listen on ${host}:${port}: the address is in use or not available on this machine`)
  ;(server as unknown as {_compile(): void})._compile()
  let open = true
  return {
    host,
    port: uws.us_socket_local_port(socket as never),
    stopAccepting: () => {
      if (open) uws.us_listen_socket_close(socket as never)
      open = false
    },
  }
}
