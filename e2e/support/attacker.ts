import { expect } from '@playwright/test'
import { type Address, createWalletClient, defineChain, type Hash, http } from 'viem'
import { emergencyExit } from '../../src/chain/actions/emergencyExit.ts'
import { fromHex, toHex } from '../../src/core/bytes.ts'
import { balanceLeafHash, MerkleTree } from '../../src/core/merkle.ts'
import { chain, type PageCheckpoint, settlementAddress } from './settlement.ts'
import { env } from './trader.ts'

/**
 * What a dishonest participant does outside the app: calls `emergencyExit` itself (viem, its own wallet on the
 * test chain) with checkpoint `cp` — any checkpoint it once saw signed — claiming its holding of token `token` in
 * it. The exit proof is built here from the checkpoint's holdings exactly as the contract hashes leaves. Waits for
 * the transaction to be mined and returns its hash.
 */
export async function exitWith(account: Address, cp: PageCheckpoint, token: number): Promise<Hash> {
  const channelId = fromHex(cp.channelId, 32)
  const version = BigInt(cp.version)
  const leaves = cp.holdings.flatMap((row, p) =>
    row.flatMap((amount, t) =>
      BigInt(amount) > 0n
        ? [
            {
              participant: cp.participants[p]!.toLowerCase() as Address,
              token: cp.tokens[t]!,
              amount: BigInt(amount),
            },
          ]
        : [],
    ),
  )
  const tree = new MerkleTree(leaves.map((l) => balanceLeafHash(channelId, version, l)))
  expect(toHex(tree.root)).toBe(cp.balancesRoot.toLowerCase())
  const p = cp.participants.findIndex((a) => a.toLowerCase() === account.toLowerCase())
  const leaf = leaves.find(
    (l) =>
      l.participant === account.toLowerCase() && l.token.toLowerCase() === cp.tokens[token]!.toLowerCase(),
  )
  if (p < 0 || !leaf) throw new Error(`${account} holds no token ${token} in v${cp.version}`)
  const { chainId, rpc } = env()
  const wallet = createWalletClient({
    account,
    chain: defineChain({
      id: chainId,
      name: 'anvil',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpc] } },
    }),
    transport: http(rpc),
  })
  const hash = await emergencyExit(wallet, {
    address: settlementAddress(),
    channelId: cp.channelId,
    checkpoint: {
      version,
      leader: fromHex(cp.leader, 32),
      time: BigInt(cp.time),
      depositCount: BigInt(cp.depositCount),
      forcedCount: BigInt(cp.forcedCount),
      stateRoot: fromHex(cp.stateRoot, 32),
      balancesRoot: fromHex(cp.balancesRoot, 32),
    },
    signatures: new Map(cp.signatures.map(([i, sig]) => [i, fromHex(sig, 65)])),
    proof: {
      leaf,
      version,
      root: cp.balancesRoot,
      proof: tree.proof(balanceLeafHash(channelId, version, leaf)).map(toHex),
    },
  })
  const receipt = await chain().waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
  return hash
}
