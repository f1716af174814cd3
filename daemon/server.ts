import type HyperExpress from 'hyper-express'
import {createServer} from 'node:net'
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
  // uWS says only that it failed: the same bind through node:net tells why.
  if (!socket) throw new Error(listenFailureMessage(host, port, await probeListen(host, port)))
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

/** Binds host:port with node:net and lets go at once: the error code a failed bind gives, or undefined when it binds now. */
export function probeListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    probe.listen({host, port, exclusive: true}, () => probe.close(() => resolve(undefined)))
  })
}

/** Why the daemon cannot listen on host:port, from the bind's error code, said so an operator knows what to change. */
export function listenFailureMessage(host: string, port: number, code: string | undefined): string {
  const where = `cannot listen on ${host}:${port}`
  switch (code) {
    case 'EACCES':
      return port < 1024
        ? `${where}: permission denied (EACCES); ports below 1024 need root or the CAP_NET_BIND_SERVICE capability (systemd: AmbientCapabilities=CAP_NET_BIND_SERVICE), or use a port from 1024 up`
        : `${where}: permission denied (EACCES)`
    case 'EADDRINUSE':
      return `${where}: the port is in use (EADDRINUSE); see what holds it with: ss -ltnp 'sport = :${port}'`
    case 'EADDRNOTAVAIL':
      return `${where}: this machine has no address ${host} (EADDRNOTAVAIL); use one of its addresses, 127.0.0.1, or 0.0.0.0 for all`
    case 'ENOTFOUND':
      return `${where}: the host name ${host} does not resolve (ENOTFOUND); use an IP address or a name this machine resolves`
    case 'EAI_AGAIN':
      return `${where}: the host name ${host} could not be resolved (EAI_AGAIN: the name server did not answer); use an IP address`
    case undefined:
      // node:net could bind it a moment later: something held it and let go, or uWS refused what node accepts.
      return `${where}: the address is in use or not available on this machine`
    default:
      return `${where}: ${code}`
  }
}

/**
 * Ports fetch() refuses to connect to (the WHATWG "bad port" list, as Node's undici has it):
 * clients built on fetch (the openai and Anthropic SDKs, this CLI, browsers) cannot reach a
 * daemon on one of them, though curl can.
 */
const FETCH_BLOCKED_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427,
  465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666,
  6667, 6668, 6669, 6679, 6697, 10080,
])

export const blockedByFetch = (port: number): boolean => FETCH_BLOCKED_PORTS.has(port)
