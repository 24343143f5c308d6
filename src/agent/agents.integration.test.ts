import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StartRelayReturnType, startRelay } from '../../scripts/relay.ts'
import { bondStake } from '../chain/actions/bondStake.ts'
import { confirmTransaction } from '../chain/actions/confirmTransaction.ts'
import { devAccounts } from '../chain/devAccounts.ts'
import { type LocalChain, startLocalChain } from '../chain/integration.fixture.ts'
import type { ChannelDraft, Invite } from '../core/invite.ts'
import { encodeInvite } from '../core/invite.ts'
import { defaultQuorum } from '../core/quorum.ts'
import { spawnAgent, until } from './agentProcess.ts'
import { depositEach, openWhenAuthorised } from './openForAgents.ts'
import type { AgentSummary } from './runAgent.ts'

const N = 3
const LOT = 10n ** 15n
const MIN_STAKE = 10n ** 17n

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
  dir = mkdtempSync(join(tmpdir(), 'chx-agents-'))
}, 120_000)

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  await relay?.stop()
  await local?.anvil.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('headless participants (npm run agent) over a real relay and anvil', () => {
  it('a market maker and two traders bond minStake, trade once all three have, stop on SIGINT, and end with one state root, everything final', async () => {
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
        // every agent attests the bonds it reads on chain; the channel trades only once all three are attested
        minStake: MIN_STAKE,
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
      return spawnAgent({
        spawn: track,
        args: [
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
        ],
      })
    })

    // someone opens the channel on chain once every agent has authorised its session key (the app's creator does
    // it from the lobby), reading the lobby through the relay like any participant; then everyone deposits
    const { channelId } = await openWhenAuthorised({ invite, relayUrl: relay.url, opener: local.wallets[0]! })
    await depositEach(local.wallets.slice(0, N), {
      address: d.settlement,
      channelId,
      tokens: [d.base.address, d.quote.address],
      amounts: [10n ** 19n, 10n ** 11n],
    })

    // two of three bond: the agents attest them, yet nobody trades (the channel waits for the third bond)
    const bond = async (w: (typeof local.wallets)[number]) =>
      confirmTransaction(w, {
        hash: await bondStake(w, { address: d.settlement, channelId, amount: MIN_STAKE }),
      })
    for (const w of local.wallets.slice(0, 2)) await bond(w)
    await new Promise((r) => setTimeout(r, 5_000))
    expect(agents.map((a) => a.trades())).toEqual([0, 0, 0])
    await bond(local.wallets[2]!)

    // trading: every agent reports trades in its progress lines
    await until(() => agents.every((a) => a.trades() >= 5), 90_000, 'trades at every agent')
    for (const a of agents) a.child.kill('SIGINT')
    const codes = await Promise.all(agents.map((a) => a.exited))
    const summaries = agents.map((a) => a.summary() ?? ({} as AgentSummary))
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
