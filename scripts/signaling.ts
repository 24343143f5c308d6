import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { type WebSocket, WebSocketServer } from 'ws'
import { parseCli } from './cli.ts'

/**
 * A y-webrtc signaling server (the protocol of y-webrtc's bundled bin/server.js: subscribe, unsubscribe,
 * publish to a topic's other subscribers, ping/pong) bound to one host — 127.0.0.1 by default, never all
 * interfaces. It only introduces peers; channel data never passes through it (and signaling is encrypted with
 * the room password).
 */
export type StartSignalingParameters = {
  host?: string
  /** 0 picks a free port */
  port?: number
  /** largest message accepted, bytes */
  maxPayload?: number
}
export type StartSignalingReturnType = { url: string; port: number; stop: () => Promise<void> }

export async function startSignaling({
  host = '127.0.0.1',
  port = 4444,
  maxPayload = 256 * 1024,
}: StartSignalingParameters = {}): Promise<StartSignalingReturnType> {
  const topics = new Map<string, Set<WebSocket>>()
  const http = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('okay')
  })
  const wss = new WebSocketServer({ server: http, maxPayload })
  wss.on('connection', (conn) => {
    const subscribed = new Set<string>()
    let alive = true
    const ping = setInterval(() => {
      if (!alive) return conn.terminate()
      alive = false
      conn.ping()
    }, 30_000)
    conn.on('pong', () => {
      alive = true
    })
    conn.on('close', () => {
      clearInterval(ping)
      for (const t of subscribed) {
        const subs = topics.get(t)
        subs?.delete(conn)
        if (subs?.size === 0) topics.delete(t)
      }
    })
    conn.on('message', (data) => {
      let m: { type?: unknown; topics?: unknown; topic?: unknown }
      try {
        m = JSON.parse(String(data))
      } catch {
        return
      }
      const names = Array.isArray(m.topics) ? m.topics.filter((t): t is string => typeof t === 'string') : []
      switch (m.type) {
        case 'subscribe':
          for (const t of names) {
            const subs = topics.get(t) ?? new Set()
            subs.add(conn)
            topics.set(t, subs)
            subscribed.add(t)
          }
          break
        case 'unsubscribe':
          for (const t of names) topics.get(t)?.delete(conn)
          break
        case 'publish': {
          if (typeof m.topic !== 'string') break
          const subs = topics.get(m.topic)
          if (!subs) break
          const out = JSON.stringify({ ...m, clients: subs.size })
          for (const r of subs) if (r.readyState === r.OPEN) r.send(out)
          break
        }
        case 'ping':
          conn.send(JSON.stringify({ type: 'pong' }))
          break
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(port, host, () => resolve())
  })
  const actual = (http.address() as AddressInfo).port
  return {
    url: `ws://${host}:${actual}`,
    port: actual,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        http.close(() => resolve())
      }),
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const values = parseCli('usage: node --import tsx scripts/signaling.ts [--host H] [--port P]', {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: process.env.PORT ?? '4444' },
  })
  const s = await startSignaling({ host: values.host, port: Number(values.port) })
  console.log(`signaling server on ${s.url}`)
}
