import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type StartSignalingReturnType, startSignaling } from '../../scripts/signaling.ts'

let server: StartSignalingReturnType
beforeAll(async () => {
  server = await startSignaling({ port: 0 })
})
afterAll(() => server.stop())

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
const nextMessage = (ws: WebSocket, ms = 500) =>
  new Promise<Record<string, unknown> | undefined>((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms)
    ws.once('message', (d) => {
      clearTimeout(t)
      resolve(JSON.parse(String(d)))
    })
  })

describe('signaling server', () => {
  it('binds loopback only', () => {
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/)
  })
  it('relays a publish to the topic’s subscribers and nobody else', async () => {
    const a = await open(server.url)
    const b = await open(server.url)
    const c = await open(server.url)
    a.send(JSON.stringify({ type: 'subscribe', topics: ['room-1'] }))
    b.send(JSON.stringify({ type: 'subscribe', topics: ['room-1'] }))
    c.send(JSON.stringify({ type: 'subscribe', topics: ['room-2'] }))
    await new Promise((r) => setTimeout(r, 50))
    const atB = nextMessage(b)
    const atC = nextMessage(c)
    a.send(JSON.stringify({ type: 'publish', topic: 'room-1', data: 'hello' }))
    expect(await atB).toMatchObject({ type: 'publish', topic: 'room-1', data: 'hello', clients: 2 })
    expect(await atC).toBeUndefined()
    const pong = nextMessage(c)
    c.send(JSON.stringify({ type: 'ping' }))
    expect(await pong).toEqual({ type: 'pong' })
    for (const ws of [a, b, c]) ws.close()
  })
})
