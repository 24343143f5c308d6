/**
 * The whole settlement path against a real anvil and the deployed contract, driven by the channel core:
 * open → deposits read back and attested by the replicas → trading → a requested checkpoint v1 (signed by every
 * replica) proposed → challenged by v2 → dispute window → finalize → claims with core exit proofs, the bond after
 * the evidence window and the refund of a deposit no checkpoint credits → withdrawals equal to the final holdings.
 */
import { erc20Abi, type Hex, parseEther, parseUnits, zeroAddress } from 'viem'
import { estimateContractGas } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedCheckpoint } from '../core/checkpoint.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../core/ops.ts'
import { Reject } from '../core/reasons.ts'
import { exitProofs } from '../core/roots.ts'
import type { ChannelState, DepositRecord } from '../core/state.ts'
import { bondStake } from './actions/bondStake.ts'
import { claimExit } from './actions/claimExit.ts'
import { depositEth } from './actions/depositEth.ts'
import { depositToken } from './actions/depositToken.ts'
import { finalizeChannel } from './actions/finalizeChannel.ts'
import { openChannelOnChain } from './actions/openChannelOnChain.ts'
import { proposeCheckpoint } from './actions/proposeCheckpoint.ts'
import { refundDeposit } from './actions/refundDeposit.ts'
import { releaseBond } from './actions/releaseBond.ts'
import { withdraw } from './actions/withdraw.ts'
import { channelConfigFromOpenParams } from './convert/channelConfigFromOpenParams.ts'
import { checkpointSignatures, toContractCheckpoint } from './convert/toContractCheckpoint.ts'
import { SettlementRevertedError } from './errors.ts'
import { channelSettlementAbi } from './generated/abis.ts'
import {
  attestDeposits,
  type ChainChannel,
  type LocalChain,
  makeChainChannel,
  quiet,
  startLocalChain,
  type TestMember,
  TOKEN,
} from './integration.fixture.ts'
import { getChannelInfo } from './readers/getChannelInfo.ts'
import { getDisputeStatus } from './readers/getDisputeStatus.ts'
import { getHoldings } from './readers/getHoldings.ts'
import { getOwed } from './readers/getOwed.ts'
import { getParticipantInfo } from './readers/getParticipantInfo.ts'
import { readChannelOpened } from './readers/readChannelOpened.ts'
import { readDepositRecords } from './readers/readDepositRecords.ts'
import { ChannelStatus } from './types.ts'
import { type ChannelEvent, watchChannelEvents } from './watch/watchChannelEvents.ts'

let local: LocalChain
let cc: ChainChannel
let settlement: Hex
const events: ChannelEvent[] = []
let unwatch: (() => void) | undefined

const DEPOSITS = {
  aliceWeth: parseEther('10'),
  bobUsdc: parseUnits('30000', 6),
  carolUsdc: parseUnits('5000', 6),
  carolEth: parseEther('1'),
}
const CAROL_BOND = parseEther('0.25')
/** carol's deposit after the last attestation: no checkpoint credits it, so it is refunded after finalization */
const LATE_ETH = parseEther('0.05')
/** 3,000 USDC per WETH = 3 USDC (3,000,000 units) per 0.001 WETH lot */
const PRICE = 3_000_000n

async function expectRevert(p: Promise<unknown>, errorName: string, args?: readonly unknown[]) {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SettlementRevertedError)
  const e = error as SettlementRevertedError
  expect(e.errorName).toBe(errorName)
  if (args) expect(e.args).toEqual(args)
  expect(e.message).toContain(errorName)
  return e
}

function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const start = performance.now()
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) resolve()
      else if (performance.now() - start > ms) reject(new Error(`timed out waiting for ${what}`))
      else setTimeout(tick, 25)
    }
    tick()
  })
}

const trio = () => cc.members as [TestMember, TestMember, TestMember]

const sumHoldings = (s: ChannelState, t: number) =>
  Array.from({ length: s.P }, (_, p) => s.holdings(p, t)).reduce((a, b) => a + b, 0n)

beforeAll(async () => {
  local = await startLocalChain()
  settlement = local.deployment.settlement
  // participants are dev accounts 1..3; account 0 deployed the contracts and submits the opening
  cc = await makeChainChannel(local, {
    wallets: local.wallets.slice(1, 4),
    label: 'settlement-it',
    nonce: 1n,
  })
})

afterAll(async () => {
  unwatch?.()
  await local?.anvil.stop()
})

describe('settlement against anvil, driven by the channel core', () => {
  it('opens the channel with the wallets’ session-key authorisations; the chain agrees on its id', async () => {
    // only a participant may open (wallet 0 deployed the contracts and is none)
    await expectRevert(
      openChannelOnChain(local.wallets[0]!, { address: settlement, config: cc.config }),
      'ChannelSettlementNotParticipant',
      [cc.channelId, local.wallets[0]!.account.address],
    )
    const opener = cc.members[0]!.wallet
    const { hash, channelId } = await openChannelOnChain(opener, { address: settlement, config: cc.config })
    const receipt = await local.publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    expect(channelId).toBe(cc.channelId)
    unwatch = watchChannelEvents(local.publicClient, {
      address: settlement,
      channelId,
      fromBlock: receipt.blockNumber,
      pollingInterval: 50,
      onEvents: (e) => events.push(...e),
    })

    const info = await getChannelInfo(local.publicClient, { address: settlement, channelId })
    expect(info.status).toBe(ChannelStatus.Open)
    expect(info.participants).toEqual(cc.members.map((m) => m.wallet.account.address))
    expect(info.threshold).toBe(2)
    for (const m of cc.members) {
      const p = await getParticipantInfo(local.publicClient, {
        address: settlement,
        channelId,
        participant: m.wallet.account.address,
      })
      expect(p.sessionKey.toLowerCase()).toBe(cc.channel.sessionKeys[m.index])
      expect(p.index).toBe(m.index)
    }

    // a newcomer rebuilds the same config from the chain alone
    const opened = await readChannelOpened(local.publicClient, { address: settlement, channelId })
    expect(opened.keyAuthSigs).toEqual(cc.config.participants.map((p) => p.authSignature))
    const rebuilt = channelConfigFromOpenParams({
      chainId: BigInt(local.deployment.chainId),
      verifyingContract: settlement,
      params: opened.params,
      keyAuthSigs: opened.keyAuthSigs!,
      markets: cc.config.markets,
      offChain: {
        makerFeeBps: 2n,
        takerFeeBps: 5n,
        feeRecipient: 0,
        maxOpenOrders: 100,
      },
    })
    const { openChannel } = await import('../core/channel.ts')
    expect(openChannel(rebuilt).channelId).toEqual(cc.channel.channelId)

    // the same channel cannot be opened twice
    await expectRevert(
      openChannelOnChain(opener, { address: settlement, config: cc.config }),
      'ChannelSettlementChannelExists',
      [channelId],
    )
  })

  it('deposits on chain reach every replica through readDepositRecords and are credited once q attest them', async () => {
    const [alice, bob, carol] = trio()
    const { base, quote } = local.deployment
    const id = cc.channelId
    await local.confirm(
      depositToken(alice.wallet, {
        address: settlement,
        channelId: id,
        token: base.address,
        amount: DEPOSITS.aliceWeth,
      }),
    )
    await local.confirm(
      depositToken(bob.wallet, {
        address: settlement,
        channelId: id,
        token: quote.address,
        amount: DEPOSITS.bobUsdc,
      }),
    )
    await local.confirm(
      depositToken(carol.wallet, {
        address: settlement,
        channelId: id,
        token: quote.address,
        amount: DEPOSITS.carolUsdc,
      }),
    )
    await local.confirm(
      depositEth(carol.wallet, { address: settlement, channelId: id, amount: DEPOSITS.carolEth }),
    )
    await local.confirm(bondStake(carol.wallet, { address: settlement, channelId: id, amount: CAROL_BOND }))

    const records = await readDepositRecords(local.publicClient, { address: settlement, channelId: id })
    expect(records).toEqual<DepositRecord[]>([
      { index: 0n, participant: 0, token: TOKEN.WETH, amount: DEPOSITS.aliceWeth },
      { index: 1n, participant: 1, token: TOKEN.USDC, amount: DEPOSITS.bobUsdc },
      { index: 2n, participant: 2, token: TOKEN.USDC, amount: DEPOSITS.carolUsdc },
      { index: 3n, participant: 2, token: TOKEN.ETH, amount: DEPOSITS.carolEth },
    ])
    expect(
      await readDepositRecords(local.publicClient, { address: settlement, channelId: id, fromIndex: 3n }),
    ).toEqual(records.slice(3))
    // the watcher polls: wait until it has caught up with the bond, the last of these transactions
    await waitFor(() => events.some((e) => e.eventName === 'Bonded'), 'the Bonded event')
    expect(events[0]?.eventName).toBe('ChannelOpened') // from the opening block on: nothing missed
    const deposited = events.filter((e) => e.eventName === 'Deposited')
    expect(deposited.map((e) => e.args)).toEqual(
      records.map((r) => expect.objectContaining({ index: r.index, amount: r.amount })),
    )

    // every participant attests every record; q identical attestations credit it, once, in index order
    attestDeposits(cc.members, records)
    quiet(cc.members)
    // attesting a credited record again changes nothing
    attestDeposits([bob], records.slice(0, 1))
    quiet(cc.members)

    for (const m of cc.members) {
      const s = m.replica.state
      expect(s.holdings(0, TOKEN.WETH)).toBe(DEPOSITS.aliceWeth)
      expect(s.holdings(1, TOKEN.USDC)).toBe(DEPOSITS.bobUsdc)
      expect(s.holdings(2, TOKEN.USDC)).toBe(DEPOSITS.carolUsdc)
      expect(s.holdings(2, TOKEN.ETH)).toBe(DEPOSITS.carolEth)
      expect(m.replica.stateRoot()).toEqual(alice.replica.stateRoot())
    }
    // channel supply per token equals what the contract holds
    const holdings = await getHoldings(local.publicClient, { address: settlement, channelId: id })
    for (const [t, h] of holdings.entries()) expect(sumHoldings(alice.replica.state, t)).toBe(h.amount)
  })

  let v1: SignedCheckpoint
  let v1Block: bigint
  let v2: SignedCheckpoint

  it('trades in the replicas, requests checkpoint v1 (signed by every replica, crediting records 0..3) and proposes it on chain', async () => {
    const [alice, bob, carol] = trio()
    const place = (side: (typeof Side)[keyof typeof Side], qty: bigint): Op => ({
      tag: OpTag.Place,
      market: 0,
      side,
      kind: OrderKind.Limit,
      tif: TimeInForce.GTC,
      price: PRICE,
      qty,
    })
    expect(alice.replica.submit(place(Side.Sell, 2000n)).result).toBe(Reject.None) // 2 WETH
    quiet(cc.members)
    expect(bob.replica.submit(place(Side.Buy, 1500n)).result).toBe(Reject.None) // fills 1.5 WETH
    quiet(cc.members)
    expect(
      carol.replica.submit({ tag: OpTag.Transfer, to: 0, token: TOKEN.ETH, amount: parseEther('0.4') })
        .result,
    ).toBe(Reject.None)

    quiet(cc.members)
    expect(alice.replica.state.trades.length).toBeGreaterThan(0)

    // a deposit after the replicas' last attestation: no checkpoint will credit it (refundable after finalization)
    await local.confirm(
      depositEth(carol.wallet, { address: settlement, channelId: cc.channelId, amount: LATE_ETH }),
    )

    // a checkpoint is requested; once its leader commits, every honest replica signs the same one
    alice.replica.submit({ tag: OpTag.CheckpointRequest })
    quiet(cc.members)
    v1 = alice.replica.latestCertified()!
    expect(v1.depositCount).toBe(4n) // records 0..3; record 4 is not credited
    for (const m of cc.members) expect(m.replica.latestCertified()?.digest).toBe(v1.digest)
    expect(v1.signatures.size).toBeGreaterThanOrEqual(2)

    const proposal = await proposeCheckpoint(alice.wallet, {
      address: settlement,
      channelId: cc.channelId,
      checkpoint: v1,
      signatures: v1.signatures,
    })
    v1Block = (await local.publicClient.waitForTransactionReceipt({ hash: proposal })).blockNumber
    const status = await getDisputeStatus(local.publicClient, {
      address: settlement,
      channelId: cc.channelId,
    })
    expect(status.phase).toBe('disputing')
    expect(status.version).toBe(1n)
    expect(status.secondsLeft).toBeGreaterThan(3500n)
    expect(status.maxDeadline).toBe(status.deadline + 3600n)

    // settlement started: deposits stop
    await expectRevert(
      depositEth(carol.wallet, { address: settlement, channelId: cc.channelId, amount: 1n }),
      'ChannelSettlementChannelNotOpen',
      [cc.channelId],
    )
  })

  it('challenges with a newer v2; a stale or equal version is refused with a decoded error', async () => {
    const [alice, bob, carol] = trio()
    expect(
      bob.replica.submit({ tag: OpTag.Transfer, to: 2, token: TOKEN.USDC, amount: parseUnits('1000', 6) })
        .result,
    ).toBe(Reject.None)
    expect(
      alice.replica.submit({ tag: OpTag.Withdraw, token: TOKEN.USDC, amount: parseUnits('100', 6) }).result,
    ).toBe(Reject.None)
    carol.replica.submit({ tag: OpTag.CheckpointRequest })
    quiet(cc.members, 100)
    v2 = bob.replica.latestCertified()!
    expect(v2.version).toBe(v1.version + 1n)
    for (const m of cc.members) expect(m.replica.latestCertified()?.digest).toBe(v2.digest)

    // Gas of a challenge depends on chain time: once now + window passes the deadline, the deadline changes.
    // An exact estimate made within the proposal's second is too low a second later — writeSettlement adds a
    // quarter, which covers it.
    const call = {
      address: settlement,
      abi: channelSettlementAbi,
      functionName: 'propose',
      args: [cc.channelId, toContractCheckpoint(v2), checkpointSignatures(v2)],
      account: carol.wallet.account,
    } as const
    const sameSecond = await estimateContractGas(local.publicClient, { ...call, blockNumber: v1Block })
    await local.travel(10n)
    const later = await estimateContractGas(local.publicClient, call)
    expect(later).toBeGreaterThan(sameSecond)
    expect(later).toBeLessThanOrEqual(sameSecond + sameSecond / 4n)

    await local.confirm(
      proposeCheckpoint(carol.wallet, {
        address: settlement,
        channelId: cc.channelId,
        checkpoint: v2,
        signatures: v2.signatures,
      }),
    )
    await waitFor(() => events.some((e) => e.eventName === 'CheckpointChallenged'), 'CheckpointChallenged')

    const stale = await expectRevert(
      proposeCheckpoint(alice.wallet, {
        address: settlement,
        channelId: cc.channelId,
        checkpoint: v1,
        signatures: v1.signatures,
      }),
      'ChannelSettlementStaleVersion',
      [v1.version, v2.version],
    )
    expect(stale.argsByName).toEqual({ version: v1.version, current: v2.version })
    expect(stale.notice).toMatch(/higher version/)
    expect(stale.functionName).toBe('propose')
    await expectRevert(
      proposeCheckpoint(bob.wallet, {
        address: settlement,
        channelId: cc.channelId,
        checkpoint: v2,
        signatures: v2.signatures,
      }),
      'ChannelSettlementStaleVersion',
      [v2.version, v2.version],
    )
    // one signature is below the threshold
    const one = new Map([...v2.signatures].slice(0, 1))
    await expectRevert(
      proposeCheckpoint(bob.wallet, {
        address: settlement,
        channelId: cc.channelId,
        checkpoint: v2,
        signatures: one,
      }),
      'ChannelSettlementInsufficientSignatures',
      [1n, 2n],
    )
    const info = await getChannelInfo(local.publicClient, { address: settlement, channelId: cc.channelId })
    expect(info.checkpoint.version).toBe(v2.version)
    expect(info.checkpoint.balancesRoot).toBe(`0x${Buffer.from(v2.balancesRoot).toString('hex')}`)
    expect(info.checkpoint.digest).toBe(v2.digest)
  })

  it('finalizes only after the dispute window, by chain time', async () => {
    const anyone = local.wallets[5]!
    const before = await getDisputeStatus(local.publicClient, {
      address: settlement,
      channelId: cc.channelId,
    })
    await expectRevert(
      finalizeChannel(anyone, { address: settlement, channelId: cc.channelId }),
      'ChannelSettlementDisputeOpen',
      [before.deadline],
    )
    await local.travel(before.secondsLeft + 1n)
    const after = await getDisputeStatus(local.publicClient, { address: settlement, channelId: cc.channelId })
    expect(after.phase).toBe('finalizable')
    await local.confirm(finalizeChannel(anyone, { address: settlement, channelId: cc.channelId }))
    const done = await getDisputeStatus(local.publicClient, { address: settlement, channelId: cc.channelId })
    expect(done.phase).toBe('finalized')
    expect(done.version).toBe(v2.version)
  })

  it('each participant claims with core exit proofs and withdraws exactly its final holdings', async () => {
    const alice = cc.members[0]!
    const final = alice.replica.stateOfCheckpoint(v2.version)
    const tokens = cc.config.tokens
    const { publicClient } = local
    const balanceOf = (token: Hex, who: Hex) =>
      token === zeroAddress
        ? publicClient.getBalance({ address: who })
        : publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [who] })

    for (const m of cc.members) {
      const who = m.wallet.account.address
      const proofs = exitProofs(final, v2.version, m.index)
      expect(proofs.length).toBeGreaterThan(0)
      for (const proof of proofs) {
        await local.confirm(claimExit(m.wallet, { address: settlement, channelId: cc.channelId, proof }))
        await expectRevert(
          claimExit(m.wallet, { address: settlement, channelId: cc.channelId, proof }),
          'ChannelSettlementAlreadySettled',
        )
      }
      if (m.index === 2) {
        // the bond stays locked while slashing evidence may still arrive
        const status = await getDisputeStatus(publicClient, { address: settlement, channelId: cc.channelId })
        await expectRevert(
          releaseBond(m.wallet, { address: settlement, channelId: cc.channelId }),
          'ChannelSettlementBondLocked',
          [cc.channelId, status.bondsUnlockAt],
        )
        await local.travel(status.bondsUnlockAt - status.now)
        await local.confirm(releaseBond(m.wallet, { address: settlement, channelId: cc.channelId }))
        // record 4 came after the last attestation: v2 credits records 0..3, so it goes back to carol
        await expectRevert(
          refundDeposit(m.wallet, { address: settlement, channelId: cc.channelId, index: 3n }),
          'ChannelSettlementDepositCredited',
          [cc.channelId, 3n, 4n],
        )
        await local.confirm(
          refundDeposit(local.wallets[5]!, { address: settlement, channelId: cc.channelId, index: 4n }),
        )
      }

      for (const [t, token] of tokens.entries()) {
        const expected =
          final.holdings(m.index, t) + (m.index === 2 && t === TOKEN.ETH ? CAROL_BOND + LATE_ETH : 0n)
        const owed = await getOwed(publicClient, { address: settlement, account: who, token })
        expect(owed).toBe(expected)
        if (expected === 0n) {
          await expectRevert(
            withdraw(m.wallet, { address: settlement, token }),
            'ChannelSettlementNothingToWithdraw',
            [token],
          )
          continue
        }
        const before = await balanceOf(token, who)
        const hash = await withdraw(m.wallet, { address: settlement, token })
        const receipt = await publicClient.waitForTransactionReceipt({ hash })
        expect(receipt.status).toBe('success')
        const gas = token === zeroAddress ? receipt.gasUsed * receipt.effectiveGasPrice : 0n
        expect((await balanceOf(token, who)) - before + gas).toBe(expected)
      }
    }
    // everything the channel held has been paid out
    for (const h of await getHoldings(publicClient, { address: settlement, channelId: cc.channelId }))
      expect(h.amount).toBe(0n)
    await waitFor(() => events.filter((e) => e.eventName === 'Claimed').length >= 5, 'Claimed events')
    // every claim was paid in full: nothing recorded as unpaid
    for (const e of events) if (e.eventName === 'Claimed') expect(e.args.unpaid).toBe(0n)
  })
})
