import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type StartRelayReturnType, startRelay } from '../../scripts/relay.ts'
import { devAccounts } from '../chain/devAccounts.ts'
import { type LocalChain, startLocalChain } from '../chain/integration.fixture.ts'
import { fromHex } from '../core/bytes.ts'
import { Role } from '../core/channel.ts'
import { type ChannelDraft, encodeInvite, type Invite } from '../core/invite.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../core/ops.ts'
import { perpAccountOf } from '../core/perps/views.ts'
import { defaultQuorum } from '../core/quorum.ts'
import { Reject } from '../core/reasons.ts'
import type { Replica } from '../core/replica.ts'
import { spawnAgent, until } from './agentProcess.ts'
import { depositEach, openWhenAuthorised } from './openForAgents.ts'
import { HeadlessParticipant } from './participant.ts'

const LOT = 10n ** 15n
const USDC = 10n ** 6n
/** price in ticks (1 USDC base unit) per 0.001 WETH lot: 2,000,000 = 2,000 USDC per WETH */
const PRICE = 2_000_000n

let local: LocalChain
let relay: StartRelayReturnType
let dir: string
const children: ChildProcess[] = []
const people: HeadlessParticipant[] = []

beforeAll(async () => {
  local = await startLocalChain()
  relay = await startRelay({ port: 0 })
  dir = mkdtempSync(join(tmpdir(), 'chx-liquidator-'))
}, 120_000)

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  for (const p of people) await p.stop().catch(() => {})
  await relay?.stop()
  await local?.anvil.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const finalLiquidations = (r: Replica, by: number) =>
  r.order
    .slice(0, r.finalCount)
    .filter((n) => n.author === by)
    .flatMap((n) => n.block.ops)
    .filter((op) => op.tag === OpTag.Liquidate)

describe('the liquidator agent (npm run agent -- --role liquidator)', () => {
  it('closes a perp account an oracle move made unhealthy, and ends with the same state root', async () => {
    const accounts = devAccounts(3)
    const d = local.deployment
    // 0: the oracle and the counterparty, 1: a levered trader, 2: the Liquidator (an agent process)
    const draft: ChannelDraft = {
      chainId: BigInt(d.chainId),
      verifyingContract: d.settlement,
      nonce: 11n,
      threshold: defaultQuorum(3),
      tokens: [d.base.address, d.quote.address],
      markets: [{ base: 0, quote: 1, tickSize: 1n, lotSize: LOT, kind: 'perp' }],
      params: {
        minStake: 0n,
        disputeWindow: 3600n,
        maxLeverage: 10,
        makerFeeBps: 2n,
        takerFeeBps: 5n,
        feeRecipient: 0,
        maxOpenOrders: 100,
        perps: {
          collateralToken: 1,
          oracle: 0,
          maintenanceMarginBps: 500n,
          liquidationFeeBps: 100n,
          // no funding payment inside the test: the health moves with the oracle only
          fundingIntervalMs: 3_600_000n,
          fundingFactorBps: 0n,
          fundingCapBps: 0n,
          openLiquidation: false,
        },
      },
      participants: accounts.map((a, i) => ({ address: a.address, role: i === 2 ? Role.Liquidator : 0 })),
    }
    const invite: Invite = { draft, secret: crypto.getRandomValues(new Uint8Array(32)) }
    const keyFile = join(dir, 'key2')
    writeFileSync(keyFile, toHex(accounts[2]!.getHdKey().privateKey!))
    const track = (command: string, args: string[], options: SpawnOptions) => {
      const child = spawn(command, args, options)
      children.push(child)
      return child
    }
    const liquidator = spawnAgent({
      spawn: track,
      args: [
        '--invite',
        `http://127.0.0.1:5173/#/join/${encodeInvite(invite)}`,
        '--key',
        keyFile,
        '--role',
        'liquidator',
        '--rate',
        '20',
        '--relay',
        relay.url,
        '--rpc',
        local.anvil.rpcUrl,
        '--data',
        dir,
        '--json',
      ],
    })
    // the oracle and the trader: the same participant code in this process, driven by the test
    const [oracle, trader] = [0, 1].map((i) => {
      const p = new HeadlessParticipant({
        invite,
        walletKey: fromHex(toHex(accounts[i]!.getHdKey().privateKey!), 32),
        relay: [relay.url],
        dataDir: dir,
        rpcUrl: local.anvil.rpcUrl,
        WebSocket,
      })
      people.push(p)
      return p
    }) as [HeadlessParticipant, HeadlessParticipant]
    const { channelId } = await openWhenAuthorised({ invite, relayUrl: relay.url, opener: local.wallets[0]! })
    await depositEach(local.wallets.slice(0, 3), {
      address: d.settlement,
      channelId,
      tokens: [d.base.address, d.quote.address],
      amounts: [0n, 1_000n * USDC],
    })
    const [o, t] = [await oracle.goLive(), await trader.goLive()]
    const avail = (r: Replica, p: number) => r.state.avail[p * r.state.T + 1] ?? 0n
    await until(
      () => [o, t].every((x) => [0, 1, 2].every((p) => avail(x.replica, p) > 0n)),
      60_000,
      'deposits credited at the oracle and the trader',
    )

    const send = (who: HeadlessParticipant, op: Op) => {
      const r = who.submit(op)
      expect(
        r.ok && r.result,
        JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
      ).toBe(Reject.None)
    }
    const perpOrder = (side: Side, qty: bigint): Op => ({
      tag: OpTag.PerpPlace,
      market: 0,
      side,
      kind: OrderKind.Limit,
      tif: TimeInForce.GTC,
      reduceOnly: false,
      price: PRICE,
      qty,
    })
    send(oracle, { tag: OpTag.OraclePrice, market: 0, price: PRICE })
    send(oracle, { tag: OpTag.MarginDeposit, amount: 100n * USDC })
    send(oracle, perpOrder(Side.Sell, 20n))
    await until(() => (t.replica.state.books[0]?.asks.length ?? 0) > 0, 30_000, 'the ask at the trader')
    // 10 USDC backing 20 lots = 0.02 WETH = 40 USDC at 2,000: 4× leverage, healthy
    send(trader, { tag: OpTag.MarginDeposit, amount: 10n * USDC })
    send(trader, perpOrder(Side.Buy, 20n))
    await until(
      () => o.replica.finalState().perps?.positions[1]?.size === 20n,
      30_000,
      'the position final at the oracle',
    )
    expect(perpAccountOf(o.replica.state, 1)!.liquidatable).toBe(false)
    // nothing to liquidate yet: a second passes without a liquidation by the agent
    await new Promise((r) => setTimeout(r, 1000))
    expect(finalLiquidations(o.replica, 2)).toEqual([])

    // the oracle moves to 1,550: equity ≈ 10 − 9 = 1 USDC against 5 % of 31 USDC = 1.55: below maintenance
    send(oracle, { tag: OpTag.OraclePrice, market: 0, price: 1_550_000n })
    expect(perpAccountOf(o.replica.state, 1)!.liquidatable).toBe(true)
    await until(
      () => (o.replica.finalState().perps?.positions[1]?.size ?? 0n) === 0n,
      60_000,
      `the liquidation final at the oracle\n${liquidator.lines.slice(-5).join('\n')}`,
    )
    const final = o.replica.finalState().perps!
    expect(final.positions[2]?.size).toBe(20n)
    expect(finalLiquidations(o.replica, 2)).toEqual([{ tag: OpTag.Liquidate, trader: 1, market: 0 }])
    expect(perpAccountOf(o.replica.finalState(), 1)!.liquidatable).toBe(false)

    liquidator.child.kill('SIGINT')
    expect(await liquidator.exited, liquidator.lines.slice(-5).join('\n')).toBe(0)
    const summary = liquidator.summary()!
    expect(summary.role).toBe('liquidator')
    expect(summary.allFinal).toBe(true)
    // margin in, then exactly one liquidation: it never sent one the fold refused
    expect(summary.opsSubmitted).toBe(2)
    await until(
      () =>
        toHex(o.replica.stateRoot()) === summary.stateRoot &&
        toHex(t.replica.stateRoot()) === summary.stateRoot,
      10_000,
      'the same state root at all three',
    )
  }, 240_000)
})
