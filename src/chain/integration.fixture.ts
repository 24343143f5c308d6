/**
 * Shared setup of the integration tests (Node only, never shipped): a real anvil on 127.0.0.1, the contracts
 * deployed by scripts/deployLocal.ts, viem clients for anvil's dev accounts, and channels of core replicas whose
 * session keys are authorised by those wallets.
 */
import {
  type Account,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hash,
  type Hex,
  http,
  type PublicClient,
  type TestClient,
  type Transport,
  toHex,
  type WalletClient,
  zeroAddress,
} from 'viem'
import { foundry } from 'viem/chains'
import { type DeployLocalParameters, deployLocal, type LocalDeployment } from '../../scripts/deployLocal.ts'
import { type Channel, type ChannelConfig, openChannel } from '../core/channel.ts'
import { OpTag } from '../core/ops.ts'
import { Replica } from '../core/replica.ts'
import { addressFromPrivateKey } from '../core/signature.ts'
import type { DepositRecord } from '../core/state.ts'
import { keyFromLabel, runToQuiet } from '../core/testing.ts'
import { confirmTransaction } from './actions/confirmTransaction.ts'
import { signSessionKey } from './actions/signSessionKey.ts'
import { devAccounts } from './devAccounts.ts'
import { type StartAnvilReturnType, startAnvil } from './node/startAnvil.ts'

export type Wallet = WalletClient<Transport, Chain, Account>

export type LocalChain = {
  anvil: StartAnvilReturnType
  deployment: LocalDeployment
  chain: Chain
  publicClient: PublicClient<Transport, Chain>
  testClient: TestClient<'anvil', Transport, Chain>
  /** anvil's ten dev accounts; wallet 0 deployed the contracts */
  wallets: Wallet[]
  /** waits for a transaction and fails on a revert (decoded) */
  confirm: (hash: Hash | Promise<Hash> | Promise<{ hash: Hash }>) => Promise<void>
  /** moves chain time forward by `seconds` and mines a block */
  travel: (seconds: bigint) => Promise<void>
}

export async function startLocalChain(deploy?: Omit<DeployLocalParameters, 'rpcUrl'>): Promise<LocalChain> {
  const anvil = await startAnvil()
  try {
    const deployment = await deployLocal({ rpcUrl: anvil.rpcUrl, ...deploy })
    const chain: Chain = {
      ...foundry,
      id: deployment.chainId,
      rpcUrls: { default: { http: [anvil.rpcUrl] } },
    }
    const transport = http(anvil.rpcUrl)
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 })
    const testClient = createTestClient({ mode: 'anvil', chain, transport, pollingInterval: 50 })
    const wallets = devAccounts(10).map((account) =>
      createWalletClient({ account, chain, transport, pollingInterval: 50 }),
    )
    const confirm = async (h: Hash | Promise<Hash> | Promise<{ hash: Hash }>) => {
      const v = await h
      await confirmTransaction(publicClient, { hash: typeof v === 'string' ? v : v.hash })
    }
    const travel = async (seconds: bigint) => {
      await testClient.increaseTime({ seconds: Number(seconds) })
      await testClient.mine({ blocks: 1 })
    }
    return { anvil, deployment, chain, publicClient, testClient, wallets, confirm, travel }
  } catch (e) {
    await anvil.stop()
    throw e
  }
}

export type TestMember = { index: number; wallet: Wallet; sessionKey: Uint8Array; replica: Replica }
export type ChainChannel = { channel: Channel; config: ChannelConfig; channelId: Hex; members: TestMember[] }

/** Channel tokens: base WETH (0), quote USDC (1), native ETH (2). One market WETH/USDC, 0.001 WETH lots. */
export const TOKEN = { WETH: 0, USDC: 1, ETH: 2 } as const
export const LOT = 10n ** 15n

/**
 * A channel of `wallets` on the deployed contract: fresh session keys from `label`, each authorised by its wallet
 * through an EIP-712 signature (signSessionKey), validated by the core, and one authoring replica per member.
 */
export async function makeChainChannel(
  local: LocalChain,
  {
    wallets,
    label,
    nonce,
    threshold,
  }: { wallets: Wallet[]; label: string; nonce: bigint; threshold?: number },
): Promise<ChainChannel> {
  const sessionKeys = wallets.map((_, i) => keyFromLabel(`${label}/session/${i}`))
  const draft: ChannelConfig = {
    chainId: BigInt(local.deployment.chainId),
    verifyingContract: local.deployment.settlement,
    nonce,
    threshold: threshold ?? Math.floor(wallets.length / 2) + 1,
    tokens: [local.deployment.base.address, local.deployment.quote.address, zeroAddress],
    markets: [{ base: TOKEN.WETH, quote: TOKEN.USDC, tickSize: 1n, lotSize: LOT }],
    params: {
      minStake: 0n,
      disputeWindow: 3600n,
      maxLeverage: 1,
      makerFeeBps: 2n,
      takerFeeBps: 5n,
      feeRecipient: 0,
      maxOpenOrders: 100,
    },
    participants: wallets.map((w, i) => ({
      address: w.account.address,
      role: 0,
      sessionKey: addressFromPrivateKey(sessionKeys[i]!),
      authSignature: '0x',
    })),
  }
  for (const [i, w] of wallets.entries()) {
    const part = draft.participants[i]!
    part.authSignature = await signSessionKey(w, { config: draft, sessionKey: part.sessionKey })
  }
  const channel = openChannel(draft)
  const members = wallets.map((wallet, index) => ({
    index,
    wallet,
    sessionKey: sessionKeys[index]!,
    // never wait for a missing leader: quiet() delivers every block at once
    replica: new Replica(channel, {
      // no chain poll here: tests hand the replicas what they read (noteForcedTimes / noteForcedQueue)
      ignoreForcedQueue: true,
      author: { index, sessionKey: sessionKeys[index]! },
      leaderWaitMs: 0,
    }),
  }))
  return { channel, config: draft, channelId: toHex(channel.channelId), members }
}

/**
 * Runs the members' replicas to quiescence over an instant network (the core's runToQuiet): every submitted op is
 * sealed, delivered and committed, due checkpoints are signed and their signatures delivered too.
 */
export function quiet(members: readonly TestMember[], now = 0): Uint8Array[] {
  return runToQuiet(
    members.map((m) => m.replica),
    now,
  )
}

/** Each member attests every deposit record (a Deposit op with its fields); q identical attestations credit it. */
export function attestDeposits(members: readonly TestMember[], records: readonly DepositRecord[]): void {
  for (const m of members)
    for (const r of records)
      m.replica.submit({
        tag: OpTag.Deposit,
        depositIndex: r.index,
        participant: r.participant,
        token: r.token,
        amount: r.amount,
      })
}

/** Seals `from`'s open batch and delivers the block to every replica in `to` (all others by default). */
export function gossip(from: TestMember, members: TestMember[], to?: TestMember[]): Uint8Array {
  const bytes = from.replica.seal()
  if (!bytes) throw new Error(`member ${from.index} has nothing to seal`)
  for (const m of to ?? members) if (m !== from) expectAccepted(m.replica.receive(bytes).status)
  return bytes
}

function expectAccepted(status: string): void {
  if (status !== 'accepted' && status !== 'duplicate') throw new Error(`block not accepted: ${status}`)
}
