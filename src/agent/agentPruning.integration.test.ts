import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StartRelayReturnType, startRelay } from '../../scripts/relay.ts'
import { devAccounts } from '../chain/devAccounts.ts'
import { type LocalChain, startLocalChain } from '../chain/integration.fixture.ts'
import type { ChannelDraft, Invite } from '../core/invite.ts'
import { encodeInvite } from '../core/invite.ts'
import { defaultQuorum } from '../core/quorum.ts'
import { type AgentProcess, spawnAgent, until } from './agentProcess.ts'
import { depositEach, openWhenAuthorised } from './openForAgents.ts'
import type { AgentSummary } from './runAgent.ts'

const N = 3
const LOT = 10n ** 15n

let local: LocalChain
let relay: StartRelayReturnType
let dir: string
const children: ChildProcess[] = []
const track = (command: string, args: string[], options: SpawnOptions) => {
  const child = spawn(command, args, options)
  children.push(child)
  return child
}

beforeAll(async () => {
  local = await startLocalChain()
  relay = await startRelay({ port: 0 })
  dir = mkdtempSync(join(tmpdir(), 'chx-agent-prune-'))
}, 120_000)

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  await relay?.stop()
  await local?.anvil.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** The checkpoint an agent last pruned at, from its progress lines (0 before the first pruning). */
function prunedVersion(a: AgentProcess): number {
  for (let i = a.lines.length - 1; i >= 0; i--) {
    const m = /pruned=\d+@v(\d+)/.exec(a.lines[i]!)
    if (m) return Number(m[1])
  }
  return 0
}

describe('headless participants prune like the browser (issue 8)', () => {
  it('agents prune at certified checkpoints, one restarts from its base on disk, then from a peer’s base with nothing on disk, and all end on one root', async () => {
    const accounts = devAccounts(N)
    const d = local.deployment
    const draft: ChannelDraft = {
      chainId: BigInt(d.chainId),
      verifyingContract: d.settlement,
      nonce: 8n,
      threshold: defaultQuorum(N),
      tokens: [d.base.address, d.quote.address],
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
    const start = (i: number, seed: number) => {
      const keyFile = join(dir, `key${i}`)
      writeFileSync(keyFile, toHex(accounts[i]!.getHdKey().privateKey!))
      return spawnAgent({
        spawn: track,
        args: [
          ...['--invite', link, '--key', keyFile, '--role', roles[i]!, '--rate', i === 0 ? '5' : '20'],
          ...['--relay', relay.url, '--rpc', local.anvil.rpcUrl, '--data', dir, '--seed', String(seed)],
          ...['--price', '2000000', '--json', '--prune', '{"everyCheckpoints":1,"minBlocks":10}'],
        ],
      })
    }
    const agents = [0, 1, 2].map((i) => start(i, i + 1))
    const { channelId } = await openWhenAuthorised({ invite, relayUrl: relay.url, opener: local.wallets[0]! })
    await depositEach(local.wallets.slice(0, N), {
      address: d.settlement,
      channelId,
      tokens: [d.base.address, d.quote.address],
      amounts: [10n ** 19n, 10n ** 11n],
    })
    const detail = () => agents.map((a) => a.lines.slice(-3).join('\n')).join('\n---\n')

    // every agent prunes twice while trading
    await until(
      () => agents.every((a) => prunedVersion(a) >= 2),
      150_000,
      `two prunings at every agent\n${detail()}`,
    )

    // agent 2 stops; on disk: its base, and only own blocks above what it pruned
    agents[2]!.child.kill('SIGINT')
    expect(await agents[2]!.exited, detail()).toBe(0)
    const first = agents[2]!.summary()!
    const own = readdirSync(dir).find((f) => f.endsWith(accounts[2]!.address.toLowerCase().slice(2, 12)))!
    const blocks = join(dir, own, 'blocks')
    expect(existsSync(join(blocks, 'base.bin'))).toBe(true)
    const seqs = readdirSync(blocks)
      .filter((f) => f.endsWith('.blk'))
      .map((f) => Number(f.slice(0, 12)))
    expect(seqs.length).toBeGreaterThan(0)
    expect(Math.min(...seqs)).toBeGreaterThan(1)

    // it restarts from that base and trades on; everyone prunes again
    const restarted = start(2, 9)
    agents[2] = restarted
    const was = Number(first.prunedVersion)
    await until(() => prunedVersion(restarted) > was, 120_000, `a pruning after the restart\n${detail()}`)
    restarted.child.kill('SIGINT')
    expect(await restarted.exited, detail()).toBe(0)
    const second = restarted.summary()!
    expect(second.restoredFrom, detail()).toBe(first.prunedVersion)

    // agent 2 once more, as on a new machine: its blocks and base are gone (the session key is carried over; a new
    // key would need a rotation) and every peer pruned past the channel's start, so it must catch up from a peer's
    // certified base (issue #8), then trade and prune with the others
    rmSync(blocks, { recursive: true, force: true })
    const fresh = start(2, 11)
    agents[2] = fresh
    await until(
      () => fresh.lines.some((l) => / caught up from v\d+/.test(l)),
      120_000,
      `catching up\n${detail()}`,
    )
    await until(
      () => prunedVersion(fresh) > Number(second.prunedVersion),
      120_000,
      `a pruning after catching up\n${detail()}`,
    )

    for (const a of agents) a.child.kill('SIGINT')
    const codes = await Promise.all(agents.map((a) => a.exited))
    expect(codes, detail()).toEqual([0, 0, 0])
    const summaries = agents.map((a) => a.summary() ?? ({} as AgentSummary))
    expect(summaries[2]!.catchUp, detail()).toBe('restored')
    expect(Number(summaries[2]!.restoredFrom), detail()).toBeGreaterThanOrEqual(Number(second.prunedVersion))
    for (const s of summaries) {
      expect(s.allFinal, detail()).toBe(true)
      expect(Number(s.prunedVersion)).toBeGreaterThanOrEqual(2)
      expect(s.relayStrikes).toBe(0)
    }
    expect(new Set(summaries.map((s) => s.stateRoot)).size, detail()).toBe(1)
  }, 480_000)
})
