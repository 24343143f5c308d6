import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { type StartRelayReturnType, startRelay } from '../../scripts/relay.ts'
import { depositToken } from '../chain/actions/depositToken.ts'
import { openChannelOnChain } from '../chain/actions/openChannelOnChain.ts'
import { devAccounts } from '../chain/devAccounts.ts'
import { type LocalChain, startLocalChain } from '../chain/integration.fixture.ts'
import { computeChannelId } from '../core/channel.ts'
import { type ChannelDraft, completeDraft, encodeInvite, type Invite, roomOf } from '../core/invite.ts'
import { defaultQuorum } from '../core/quorum.ts'
import { Lobby } from '../sync/lobby.ts'
import { joinRelay, relayDocName } from '../sync/relay.ts'
import type { AgentSummary } from './runAgent.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const N = 3
const LOT = 10n ** 15n

let local: LocalChain
let relay: StartRelayReturnType
let dir: string
const children: ChildProcess[] = []

beforeAll(async () => {
  local = await startLocalChain()
  relay = await startRelay({ port: 0 })
  dir = mkdtempSync(join(tmpdir(), 'chx-agents-'))
}, 120_000)

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  await relay?.stop()
  await local?.anvil.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

type Agent = { child: ChildProcess; lines: string[]; exited: Promise<number> }

function spawnAgent(args: string[]): Agent {
  const child = spawn(process.execPath, ['--import', 'tsx', `${root}scripts/agent.ts`, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const lines: string[] = []
  let buf = ''
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    const parts = buf.split('\n')
    buf = parts.pop()!
    lines.push(...parts)
  })
  child.stderr!.on('data', (d: Buffer) => lines.push(`stderr: ${d.toString().trim()}`))
  const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)))
  return { child, lines, exited }
}

async function until(f: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('headless participants (npm run agent) over a real relay and anvil', () => {
  it('a market maker and two traders trade, stop on SIGINT, and end with one state root, everything final', async () => {
    const accounts = devAccounts(N)
    const d = local.deployment
    const draft: ChannelDraft = {
      chainId: BigInt(d.chainId),
      verifyingContract: d.settlement,
      nonce: 7n,
      threshold: defaultQuorum(N),
      tokens: [d.base.address, d.quote.address],
      // price in ticks of 0.001 USDC per 0.001 WETH lot: 2,000,000 ticks = 2,000 USDC per WETH
      markets: [{ base: 0, quote: 1, tickSize: 1n, lotSize: LOT }],
      params: {
        minStake: 0n,
        disputeWindow: 3600n,
        maxLeverage: 1,
        makerFeeBps: 2n,
        takerFeeBps: 5n,
        feeRecipient: 0,
        maxOpenOrders: 100,
      },
      participants: accounts.map((a) => ({ address: a.address, role: 0 })),
    }
    const invite: Invite = { draft, secret: crypto.getRandomValues(new Uint8Array(32)) }
    const link = `http://127.0.0.1:5173/#/join/${encodeInvite(invite)}`
    const roles = ['market-maker', 'trader', 'trader']
    const agents = accounts.map((a, i) => {
      const keyFile = join(dir, `key${i}`)
      writeFileSync(keyFile, toHex(a.getHdKey().privateKey!))
      return spawnAgent([
        '--invite',
        link,
        '--key',
        keyFile,
        '--role',
        roles[i]!,
        '--rate',
        roles[i] === 'trader' ? '20' : '5',
        '--relay',
        relay.url,
        '--rpc',
        local.anvil.rpcUrl,
        '--data',
        dir,
        '--seed',
        String(i + 1),
        '--price',
        '2000000',
        '--json',
      ])
    })

    // someone opens the channel on chain once every agent has authorised its session key (the app's creator does
    // it from the lobby); this observer reads the lobby through the relay like any participant
    const doc = new Y.Doc()
    const { room, password } = roomOf(invite)
    const observer = joinRelay({ url: relay.url, name: relayDocName(room, password), doc, WebSocket })
    const lobby = new Lobby(doc, draft)
    try {
      await until(() => lobby.auths().length === N, 60_000, 'every agent to authorise a session key')
    } finally {
      observer.destroy()
    }
    const config = completeDraft(draft, lobby.auths())
    await local.confirm(openChannelOnChain(local.wallets[0]!, { address: d.settlement, config }))
    const channelId = toHex(computeChannelId(config))
    for (const w of local.wallets.slice(0, N)) {
      await local.confirm(
        depositToken(w, { address: d.settlement, channelId, token: d.base.address, amount: 10n ** 19n }),
      )
      await local.confirm(
        depositToken(w, { address: d.settlement, channelId, token: d.quote.address, amount: 10n ** 11n }),
      )
    }

    // trading: every agent reports trades in its progress lines
    const trades = (a: Agent) => {
      for (let i = a.lines.length - 1; i >= 0; i--) {
        const m = /trades=(\d+)/.exec(a.lines[i]!)
        if (m) return Number(m[1])
      }
      return 0
    }
    await until(() => agents.every((a) => trades(a) >= 5), 90_000, 'trades at every agent')
    for (const a of agents) a.child.kill('SIGINT')
    const codes = await Promise.all(agents.map((a) => a.exited))
    const summaries = agents.map(
      (a) => JSON.parse([...a.lines].reverse().find((l) => l.startsWith('{')) ?? '{}') as AgentSummary,
    )
    const detail = agents.map((a) => a.lines.slice(-4).join('\n')).join('\n---\n')
    expect(codes, detail).toEqual([0, 0, 0])
    expect(summaries.map((s) => s.participant)).toEqual([0, 1, 2])
    for (const s of summaries) {
      expect(s.allFinal, detail).toBe(true)
      expect(s.opsSubmitted).toBeGreaterThan(0)
      expect(s.relayStrikes).toBe(0)
    }
    expect(new Set(summaries.map((s) => s.stateRoot)).size, detail).toBe(1)
    expect(summaries[0]!.trades).toBeGreaterThanOrEqual(5)
  }, 240_000)
})
