/**
 * Cooperative close (settlement v2) against a real anvil, driven by the channel core: three participants deposit,
 * trade and transfer in their replicas, each replica signs the close of the final checkpoint it computed itself
 * (and refuses any other), and one transaction by an outsider ends the channel with no dispute window and pays
 * every wallet exactly its final holdings.
 */
import { erc20Abi, type Hex, parseEther, parseUnits } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Checkpoint } from '../core/checkpoint.ts'
import { closeRefusal, signClose } from '../core/close.ts'
import { type Op, OpTag, OrderKind, Side, TimeInForce } from '../core/ops.ts'
import { Reject } from '../core/reasons.ts'
import { balanceLeaves } from '../core/roots.ts'
import { closeCooperatively } from './actions/closeCooperatively.ts'
import { depositEth } from './actions/depositEth.ts'
import { depositToken } from './actions/depositToken.ts'
import { openChannelOnChain } from './actions/openChannelOnChain.ts'
import { SettlementRevertedError } from './errors.ts'
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
import { getHoldings } from './readers/getHoldings.ts'
import { readDepositRecords } from './readers/readDepositRecords.ts'
import { ChannelStatus } from './types.ts'

let local: LocalChain
let cc: ChainChannel
let settlement: Hex

const PRICE = 3_000_000n // 3 USDC per 0.001 WETH lot

beforeAll(async () => {
  local = await startLocalChain()
  settlement = local.deployment.settlement
  cc = await makeChainChannel(local, { wallets: local.wallets.slice(4, 7), label: 'close-it', nonce: 12n })
})

afterAll(async () => {
  await local?.anvil.stop()
})

/** What a wallet holds of each channel token (WETH, USDC, ETH). */
async function walletHoldings(m: TestMember): Promise<bigint[]> {
  const address = m.wallet.account.address
  const read = (token: Hex) =>
    local.publicClient.readContract({
      address: token,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [address],
    })
  return [
    await read(local.deployment.base.address),
    await read(local.deployment.quote.address),
    await local.publicClient.getBalance({ address }),
  ]
}

describe('cooperative close against anvil, driven by the channel core', () => {
  it('three traders close together in one transaction; each wallet receives exactly its final balance', async () => {
    const [alice, bob, carol] = cc.members as [TestMember, TestMember, TestMember]
    const id = cc.channelId
    await local.confirm(openChannelOnChain(alice.wallet, { address: settlement, config: cc.config }))
    await local.confirm(
      depositToken(alice.wallet, {
        address: settlement,
        channelId: id,
        token: local.deployment.base.address,
        amount: parseEther('5'),
      }),
    )
    await local.confirm(
      depositToken(bob.wallet, {
        address: settlement,
        channelId: id,
        token: local.deployment.quote.address,
        amount: parseUnits('20000', 6),
      }),
    )
    await local.confirm(
      depositEth(carol.wallet, { address: settlement, channelId: id, amount: parseEther('2') }),
    )
    attestDeposits(
      cc.members,
      await readDepositRecords(local.publicClient, { address: settlement, channelId: id }),
    )
    quiet(cc.members)

    const place = (side: (typeof Side)[keyof typeof Side], qty: bigint): Op => ({
      tag: OpTag.Place,
      market: 0,
      side,
      kind: OrderKind.Limit,
      tif: TimeInForce.GTC,
      price: PRICE,
      qty,
    })
    expect(alice.replica.submit(place(Side.Sell, 1200n)).result).toBe(Reject.None)
    quiet(cc.members)
    expect(bob.replica.submit(place(Side.Buy, 1000n)).result).toBe(Reject.None) // fills 1 WETH at 3,000 USDC
    quiet(cc.members)
    expect(
      carol.replica.submit({ tag: OpTag.Transfer, to: 1, token: TOKEN.ETH, amount: parseEther('0.75') })
        .result,
    ).toBe(Reject.None)
    quiet(cc.members)
    expect(alice.replica.submit({ tag: OpTag.CheckpointRequest }).result).toBe(Reject.None)
    quiet(cc.members)

    const final = alice.replica.latestCertified()!
    const state = alice.replica.stateOfCheckpoint(final.version)
    expect(state.trades.length).toBeGreaterThan(0)

    // each replica signs only the checkpoint it computed itself, never another state at that version
    const signatures = new Map<number, Uint8Array>()
    for (const m of cc.members) {
      const own = m.replica.checkpoint(final.version)
      expect(closeRefusal(cc.channel, own, final, undefined)).toBeUndefined()
      const forged: Checkpoint = { ...final, stateRoot: new Uint8Array(32).fill(7) }
      expect(closeRefusal(cc.channel, own, forged, undefined)).toBe('differs')
      signatures.set(m.index, signClose(cc.channel, final, m.sessionKey))
    }
    const leaves = balanceLeaves(state)

    // a quorum of closes is not enough: every participant must sign
    const two = new Map([...signatures].slice(0, 2))
    const refused = await closeCooperatively(local.wallets[0]!, {
      address: settlement,
      channelId: id,
      checkpoint: final,
      signatures: two,
      leaves,
    }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(SettlementRevertedError)
    expect((refused as SettlementRevertedError).errorName).toBe('ChannelSettlementCloseNeedsEveryone')

    const before = await Promise.all(cc.members.map(walletHoldings))
    // an outsider submits (and pays the gas), so every participant's wallet moves by exactly its payout
    const hash = await closeCooperatively(local.wallets[0]!, {
      address: settlement,
      channelId: id,
      checkpoint: final,
      signatures,
      leaves,
    })
    const receipt = await local.publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    const after = await Promise.all(cc.members.map(walletHoldings))

    for (const m of cc.members)
      for (let t = 0; t < 3; t++)
        expect(after[m.index]![t]! - before[m.index]![t]!, `participant ${m.index} token ${t}`).toBe(
          state.holdings(m.index, t),
        )
    // what the trade and the transfer moved
    expect(state.holdings(1, TOKEN.WETH)).toBe(parseEther('1'))
    expect(state.holdings(1, TOKEN.ETH)).toBe(parseEther('0.75'))

    const info = await getChannelInfo(local.publicClient, { address: settlement, channelId: id })
    expect(info.status).toBe(ChannelStatus.Finalized)
    expect(info.checkpoint.version).toBe(final.version)
    const holdings = await getHoldings(local.publicClient, { address: settlement, channelId: id })
    for (const h of holdings.values()) expect(h.amount).toBe(0n)
    // one transaction for the whole settlement of three participants and three tokens (5 leaves)
    expect(receipt.gasUsed).toBeLessThan(400_000n)
  })
})
