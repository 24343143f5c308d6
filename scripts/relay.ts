import type { Socket } from 'node:net'
import { pathToFileURL } from 'node:url'
import { Redis } from '@hocuspocus/extension-redis'
import { type Extension, Server } from '@hocuspocus/server'
import { parseCli } from './cli.ts'

/**
 * A Yjs WebSocket relay for channel docs, built on Hocuspocus and bound to one host (127.0.0.1 by default).
 * It is an untrusted pipe like WebRTC: it keeps each doc in memory only while someone is connected, stores
 * nothing, authenticates nobody and validates nothing — every client checks every message it receives from it
 * (src/sync/relayGuard.ts) and validates every block (ChannelDoc). The doc name is derived from the invite secret
 * (src/sync/relay.ts), so only holders of the invite find a channel's doc. The relay sees the blocks it carries,
 * as every participant does: run your own or one your channel trusts with that.
 *
 * `extensions` lets a caller add e.g. the Redis extension, so several relay instances serve one channel
 * (docs/RELAY.md).
 */
export type StartRelayParameters = {
  host?: string
  /** 0 picks a free port */
  port?: number
  /** largest WebSocket message accepted, bytes (a newcomer's first sync step 2 carries its whole doc) */
  maxPayload?: number
  /** a name shown by Hocuspocus and used by the Redis extension to tell instances apart */
  name?: string
  extensions?: Extension[]
  /**
   * a Redis server (`host:port`) through which this instance and others serving the same channel exchange
   * updates and awareness (Hocuspocus's Redis extension): participants on different instances see one doc
   */
  redis?: string
}
export type StartRelayReturnType = { url: string; port: number; server: Server; stop: () => Promise<void> }

export async function startRelay({
  host = '127.0.0.1',
  port = 4445,
  maxPayload = 64 * 1024 * 1024,
  name,
  extensions = [],
  redis,
}: StartRelayParameters = {}): Promise<StartRelayReturnType> {
  if (redis) {
    const i = redis.lastIndexOf(':')
    const [redisHost, redisPort] = i > 0 ? [redis.slice(0, i), Number(redis.slice(i + 1))] : [redis, 6379]
    extensions = [
      ...extensions,
      new Redis({
        host: redisHost,
        port: redisPort,
        ...(name ? { identifier: name } : {}),
        // a Redis that is away must not take the relay down: reconnect quietly
        options: { maxRetriesPerRequest: null, lazyConnect: false },
      }),
    ]
  }
  const server = new Server({
    address: host,
    port,
    quiet: true,
    stopOnSignals: false,
    ...(name ? { name } : {}),
    // nothing to persist: documents are dropped as soon as the last client leaves
    unloadImmediately: true,
    websocketOptions: { maxPayload },
    extensions,
  })
  // Hocuspocus's destroy closes documents but not the upgraded sockets: stop() ends them, as a dying process would
  const sockets = new Set<Socket>()
  server.httpServer.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  await server.listen()
  const actual = server.address.port
  return {
    url: `ws://${host}:${actual}`,
    port: actual,
    server,
    stop: async () => {
      await server.destroy()
      for (const s of sockets) s.destroy()
    },
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const values = parseCli('usage: npm run relay -- [--host H] [--port P] [--redis host:port --name N]', {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: process.env.PORT ?? '4445' },
    redis: { type: 'string' },
    name: { type: 'string' },
  })
  const r = await startRelay({
    host: values.host,
    port: Number(values.port),
    ...(values.redis ? { redis: values.redis } : {}),
    ...(values.name ? { name: values.name } : {}),
  })
  console.log(`relay on ${r.url}${values.redis ? ` (Redis ${values.redis})` : ''}`)
  const stop = () => void r.stop().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
