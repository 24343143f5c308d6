/**
 * The liveness escape against a real anvil: a channel whose quorum is gone (no checkpoint was ever certified)
 * escapes, the long window passes on the chain's clock, and every deposit goes back to its depositor; a quorum
 * checkpoint, had it come in time, would have replaced the escape (forge tests cover that path).
 */
import { type Hex, parseEther, parseUnits, zeroAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claimAndWithdraw } from './actions/claimAndWithdraw.ts'
import { depositEth } from './actions/depositEth.ts'
import { depositToken } from './actions/depositToken.ts'
import { escapeChannel } from './actions/escapeChannel.ts'
import { finalizeChannel } from './actions/finalizeChannel.ts'
import { openChannelOnChain } from './actions/openChannelOnChain.ts'
import { refundDeposit } from './actions/refundDeposit.ts'
import { withdraw } from './actions/withdraw.ts'
import { SettlementRevertedError } from './errors.ts'
import {
  type ChainChannel,
  type LocalChain,
  makeChainChannel,
  startLocalChain,
} from './integration.fixture.ts'
import { getDisputeStatus } from './readers/getDisputeStatus.ts'
import { getHoldings } from './readers/getHoldings.ts'
import { getOwed } from './readers/getOwed.ts'

let local: LocalChain
let cc: ChainChannel
let settlement: Hex
const USDC = parseUnits('700', 6)
const ETH = parseEther('0.3')

async function revertOf(p: Promise<unknown>): Promise<SettlementRevertedError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SettlementRevertedError)
  return error as SettlementRevertedError
}

beforeAll(async () => {
  local = await startLocalChain()
  settlement = local.deployment.settlement
  cc = await makeChainChannel(local, { wallets: local.wallets.slice(7, 10), label: 'escape-it', nonce: 3n })
  await local.confirm(openChannelOnChain(cc.members[0]!.wallet, { address: settlement, config: cc.config }))
})

afterAll(async () => {
  await local?.anvil.stop()
})

describe('liveness escape against anvil', () => {
  it('refunds every deposit after the escape window when no checkpoint arrives', async () => {
    const [a, b] = cc.members as [ChainChannel['members'][0], ChainChannel['members'][0]]
    const quote = local.deployment.quote.address
    const target = { address: settlement, channelId: cc.channelId }
    await local.confirm(depositToken(a.wallet, { ...target, token: quote, amount: USDC }))
    await local.confirm(depositEth(b.wallet, { ...target, amount: ETH }))

    // an outsider cannot escape; a participant can, once
    const outsider = await revertOf(escapeChannel(local.wallets[0]!, target))
    expect(outsider.errorName).toBe('ChannelSettlementNotParticipant')
    await local.confirm(escapeChannel(b.wallet, target))
    const again = await revertOf(escapeChannel(a.wallet, target))
    expect(again.errorName).toBe('ChannelSettlementChannelNotOpen')

    const status = await getDisputeStatus(local.publicClient, target)
    expect(status.phase).toBe('disputing')
    expect(status.version).toBe(0n)
    expect(status.secondsLeft).toBeGreaterThanOrEqual(30n * 86_400n - 5n)
    const early = await revertOf(finalizeChannel(a.wallet, target))
    expect(early.errorName).toBe('ChannelSettlementDisputeOpen')

    await local.travel(status.secondsLeft + 1n)
    await local.confirm(finalizeChannel(a.wallet, target))
    // version 0 credits no deposit: both are refunded to their depositors, whoever sends the refund
    await local.confirm(refundDeposit(local.wallets[0]!, { ...target, index: 0n }))
    await local.confirm(refundDeposit(a.wallet, { ...target, index: 1n }))
    expect(
      await getOwed(local.publicClient, {
        address: settlement,
        account: a.wallet.account.address,
        token: quote,
      }),
    ).toBe(USDC)
    expect(
      await getOwed(local.publicClient, {
        address: settlement,
        account: b.wallet.account.address,
        token: zeroAddress,
      }),
    ).toBe(ETH)
    for (const h of await getHoldings(local.publicClient, target)) expect(h.amount).toBe(0n)
    const twice = await revertOf(refundDeposit(a.wallet, { ...target, index: 1n }))
    expect(twice.errorName).toBe('ChannelSettlementAlreadyRefunded')
    await local.confirm(withdraw(a.wallet, { address: settlement, token: quote }))
    // nothing to claim at version 0: the root is empty
    const claim = await revertOf(
      claimAndWithdraw(a.wallet, {
        ...target,
        proof: {
          leaf: { participant: a.wallet.account.address, token: quote, amount: USDC },
          version: 0n,
          root: `0x${'00'.repeat(32)}`,
          proof: [],
        },
      }),
    )
    expect(claim.errorName).toBe('ChannelSettlementInvalidProof')
  })
})
