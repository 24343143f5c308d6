/**
 * Writes core.json: byte-exact vectors produced by the TypeScript core (src/core) that
 * test/ChannelSettlement.Vectors.t.sol replays against the contract — channel id, EIP-712 digests,
 * wallet and session-key signatures, Merkle leaves and proofs, equivocating blocks (same seq, and same round
 * with different seqs), two checkpoints one key signed at one version, every participant's Close of the
 * checkpoint with its leaves in the order closeCooperatively takes them, and malformed or
 * misdirected signatures (wrong signer, high-s twin, 64-byte, v=29, r=0, other chain / contract /
 * channel) together with the core's verdict on the same bytes. src/chain/vectors.test.ts fails when
 * core.json is not what this script writes.
 *
 * Regenerate after changing hashing or signing on either side:
 *   npx tsx contracts/test/vectors/generate.ts
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { fromHex, type Hex, toHex } from '../../../src/core/bytes.ts'
import { computeChannelId, sessionKeyDigest } from '../../../src/core/channel.ts'
import { closeLeaves } from '../../../src/core/close.ts'
import {
  blockStructHash,
  checkpointStructHash,
  closeStructHash,
  domainSeparator,
  sessionKeyRotationStructHash,
  typedDataDigest,
} from '../../../src/core/eip712.ts'
import { keccak256 } from '../../../src/core/hash.ts'
import { balanceLeafHash, MerkleTree } from '../../../src/core/merkle.ts'
import { defaultQuorum } from '../../../src/core/quorum.ts'
import { addressFromPrivateKey, recoverAddress, signDigest } from '../../../src/core/signature.ts'

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

// anvil's first three accounts as wallets; fixed session keys
const walletKeys = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
].map((k) => fromHex(k, 32))
const sessionKeys = [
  '0x1111111111111111111111111111111111111111111111111111111111111111',
  '0x2222222222222222222222222222222222222222222222222222222222222222',
  '0x3333333333333333333333333333333333333333333333333333333333333333',
].map((k) => fromHex(k, 32))

const domain = { chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Hex }
const token: Hex = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512'
const eth: Hex = '0x0000000000000000000000000000000000000000'
const wallets = walletKeys.map(addressFromPrivateKey)
const sessions = sessionKeys.map(addressFromPrivateKey)
const roles = [0, 1, 3] as const
const params = {
  minStake: 10n ** 17n,
  disputeWindow: 3600n,
  maxLeverage: 10,
  makerFeeBps: 0n,
  takerFeeBps: 0n,
  feeRecipient: 0,
  maxOpenOrders: 100,
}
const config = {
  ...domain,
  nonce: 7n,
  // the app's default quorum: n − ⌊(n − 1)/3⌋ = 3 of 3
  threshold: defaultQuorum(wallets.length),
  tokens: [token, eth],
  params,
  participants: wallets.map((address, i) => ({
    address,
    role: roles[i]!,
    sessionKey: sessions[i]!,
    authSignature: '0x' as Hex,
  })),
}
const channelId = computeChannelId(config)
const separator = domainSeparator(domain)
const authSigs = wallets.map((w, i) =>
  toHex(signDigest(sessionKeyDigest(domain, channelId, w, sessions[i]!), walletKeys[i]!)),
)

const balances = [
  { participant: wallets[0]!, token, amount: 1_000_000n },
  { participant: wallets[1]!, token, amount: 250_000n },
  { participant: wallets[2]!, token, amount: 3n },
  { participant: wallets[0]!, token: eth, amount: 5n * 10n ** 17n },
  { participant: wallets[2]!, token: eth, amount: 15n * 10n ** 17n },
]
const version = 4n
const leaves = balances.map((b) => balanceLeafHash(channelId, version, b))
const tree = new MerkleTree(leaves)
const checkpoint = {
  channelId,
  version,
  leader: fromHex(`0x${'ab'.repeat(32)}`),
  time: 1_764_000_000_123n,
  // the forge test deposits the five balances (records 0..4, all credited) and then a sixth (refundable)
  depositCount: 5n,
  forcedCount: 0n,
  stateRoot: fromHex(`0x${'cd'.repeat(32)}`),
  balancesRoot: tree.root,
}
const checkpointDigest = typedDataDigest(separator, checkpointStructHash(checkpoint))
const checkpointSigs = sessionKeys.map((k) => signDigest(checkpointDigest, k))
// every participant's close of that checkpoint (settlement v2): final at once, every leaf paid in one transaction
const closeDigest = typedDataDigest(separator, closeStructHash(channelId, version, checkpointDigest))
const closeSigs = sessionKeys.map((k) => signDigest(closeDigest, k))

// participant 1's wallet replaces its session key from block 9 and from the vector checkpoint's version on
const rotatedKey = fromHex(`0x${'44'.repeat(32)}`, 32)
const rotationFields = {
  channelId,
  participant: wallets[1]!,
  newKey: addressFromPrivateKey(rotatedKey),
  fromSeq: 9n,
  fromVersion: version,
}
const rotationDigest = typedDataDigest(separator, sessionKeyRotationStructHash(rotationFields))
// a second checkpoint at the same version (another state): every key signing both is slashable
const rival = { ...checkpoint, stateRoot: fromHex(`0x${'ce'.repeat(32)}`) }
const rivalDigest = typedDataDigest(separator, checkpointStructHash(rival))
const rivalSigs = sessionKeys.map((k) => signDigest(rivalDigest, k))

function block(
  opsByte: string,
  key = sessionKeys[1]!,
  signingSeparator = separator,
  signedChannelId = channelId,
  seq = 5n,
) {
  const fields = {
    channelId,
    author: fromHex(wallets[1]!, 20),
    seq,
    round: 7n,
    time: 1_764_000_000_456n,
    prev: fromHex(`0x${'01'.repeat(32)}`),
    parentsHash: fromHex(`0x${'02'.repeat(32)}`),
    opsHash: fromHex(`0x${opsByte.repeat(32)}`),
  }
  const id = typedDataDigest(separator, blockStructHash(fields))
  const signedId = typedDataDigest(
    signingSeparator,
    blockStructHash({ ...fields, channelId: signedChannelId }),
  )
  return {
    author: wallets[1],
    seq: Number(seq),
    round: Number(fields.round),
    time: fields.time.toString(),
    prev: toHex(fields.prev),
    parentsHash: toHex(fields.parentsHash),
    opsHash: toHex(fields.opsHash),
    id: toHex(id),
    signature: toHex(signDigest(signedId, key)),
  }
}

// malformed versions of a valid checkpoint signature, with the core's own verdict on the same bytes
const good = checkpointSigs[0]!
const s = BigInt(toHex(good.subarray(32, 64)))
const highS = good.slice()
highS.set(fromHex(`0x${(N - s).toString(16).padStart(64, '0')}`), 32)
highS[64] = good[64] === 27 ? 28 : 27
const compact = good.slice(0, 64)
if (good[64] === 28) compact[32]! |= 0x80
const v29 = good.slice()
v29[64] = 29
const zeroR = good.slice()
zeroR.fill(0, 0, 32)
const bad = { 'high-s': highS, compact, 'v=29': v29, 'r=0': zeroR }

/** The same signature defects on a block signature, plus well-formed signatures by the wrong key or domain. */
function malleate(sig: Uint8Array) {
  const sv = BigInt(toHex(sig.subarray(32, 64)))
  const twin = sig.slice()
  twin.set(fromHex(`0x${(N - sv).toString(16).padStart(64, '0')}`), 32)
  twin[64] = sig[64] === 27 ? 28 : 27
  const short = sig.slice(0, 64)
  if (sig[64] === 28) short[32]! |= 0x80
  const v = sig.slice()
  v[64] = 29
  return { 'high-s': twin, compact: short, 'v=29': v }
}
const otherChain = domainSeparator({ ...domain, chainId: 1n })
const otherContract = domainSeparator({
  ...domain,
  verifyingContract: '0x0000000000000000000000000000000000000001',
})
const otherChannel = keccak256(new TextEncoder().encode('another channel'))
const validA = block('0a')
const blockSigs: Record<string, Hex> = {
  valid: validA.signature,
  'wrong signer': block('0a', sessionKeys[0]!).signature,
  'wallet key': block('0a', walletKeys[1]!).signature,
  ...Object.fromEntries(Object.entries(malleate(fromHex(validA.signature))).map(([k, v]) => [k, toHex(v)])),
  'other chain': block('0a', sessionKeys[1]!, otherChain).signature,
  'other contract': block('0a', sessionKeys[1]!, otherContract).signature,
  'other channel': block('0a', sessionKeys[1]!, separator, otherChannel).signature,
}
const zero = '0x0000000000000000000000000000000000000000'
/** `recovered` is what both sides recover from the bytes (zero when the signature is malformed). */
function verdict(digest: Uint8Array, sig: Hex, expected: Hex) {
  const v = recoverAddress(digest, fromHex(sig))
  const recovered = v.startsWith('0x') ? v : zero
  return { coreVerdict: v, recovered, coreAccepts: v === expected.toLowerCase() }
}
const blockCases = Object.entries(blockSigs).map(([name, signature]) => ({
  name,
  signature,
  ...verdict(fromHex(validA.id), signature, sessions[1]!),
}))
const checkpointCases = Object.entries({
  'wallet key': signDigest(checkpointDigest, walletKeys[0]!),
  'other chain': signDigest(typedDataDigest(otherChain, checkpointStructHash(checkpoint)), sessionKeys[0]!),
  'other contract': signDigest(
    typedDataDigest(otherContract, checkpointStructHash(checkpoint)),
    sessionKeys[0]!,
  ),
  'other channel': signDigest(
    typedDataDigest(separator, checkpointStructHash({ ...checkpoint, channelId: otherChannel })),
    sessionKeys[0]!,
  ),
}).map(([name, sig]) => ({
  name,
  signature: toHex(sig),
  ...verdict(checkpointDigest, toHex(sig), sessions[0]!),
}))

const vectors = {
  chainId: domain.chainId.toString(),
  verifyingContract: domain.verifyingContract,
  token,
  participants: wallets,
  sessionKeys: sessions,
  roles: [...roles],
  threshold: config.threshold,
  disputeWindow: params.disputeWindow.toString(),
  minStake: params.minStake.toString(),
  maxLeverage: params.maxLeverage,
  tokens: config.tokens,
  nonce: config.nonce.toString(),
  channelId: toHex(channelId),
  domainSeparator: toHex(separator),
  authSigs,
  checkpoint: {
    version: Number(version),
    leader: toHex(checkpoint.leader),
    time: checkpoint.time.toString(),
    depositCount: Number(checkpoint.depositCount),
    forcedCount: Number(checkpoint.forcedCount),
    stateRoot: toHex(checkpoint.stateRoot),
    balancesRoot: toHex(checkpoint.balancesRoot),
    digest: toHex(checkpointDigest),
    signatures: checkpointSigs.map(toHex),
  },
  rotation: {
    participant: rotationFields.participant,
    newKey: rotationFields.newKey,
    fromSeq: Number(rotationFields.fromSeq),
    fromVersion: Number(rotationFields.fromVersion),
    digest: toHex(rotationDigest),
    walletSignature: toHex(signDigest(rotationDigest, walletKeys[1]!)),
    // the vector checkpoint signed by the new key (participant 1's slot); the old key's signature no longer counts
    checkpointSignature: toHex(signDigest(checkpointDigest, rotatedKey)),
  },
  close: {
    digest: toHex(closeDigest),
    signatures: closeSigs.map(toHex),
    leafCount: balances.length,
    leaves: closeLeaves(channelId, version, balances).map((b) => ({
      participant: b.participant,
      token: b.token,
      amount: b.amount.toString(),
    })),
  },
  rival: {
    stateRoot: toHex(rival.stateRoot),
    digest: toHex(rivalDigest),
    signatures: rivalSigs.map(toHex),
  },
  balances: balances.map((b, i) => ({
    participant: b.participant,
    token: b.token,
    amount: b.amount.toString(),
    leaf: toHex(leaves[i]!),
    proof: tree.proof(leaves[i]!).map(toHex),
  })),
  // [0], [1]: same seq and round; [2]: same round, another seq
  blocks: [validA, block('0b'), block('0c', sessionKeys[1]!, separator, channelId, 6n)],
  blockCaseCount: blockCases.length,
  blockCases,
  checkpointCaseCount: checkpointCases.length,
  checkpointCases,
  badSignatures: Object.entries(bad).map(([name, sig]) => ({
    name,
    signature: toHex(sig),
    coreVerdict: recoverAddress(checkpointDigest, sig),
  })),
}

/** The contents of core.json, formatted by the repository's Biome (so `npm run lint` accepts it as written). */
export function renderVectors(): string {
  const biome = fileURLToPath(new URL('../../../scripts/biome.mjs', import.meta.url))
  const r = spawnSync(
    process.execPath,
    [biome, 'format', '--stdin-file-path=contracts/test/vectors/core.json'],
    {
      input: JSON.stringify(vectors, null, 2),
      encoding: 'utf8',
      maxBuffer: 16 << 20,
    },
  )
  if (r.status !== 0) throw new Error(`biome format failed: ${r.stderr}`)
  return r.stdout
}

export const VECTORS_URL = new URL('./core.json', import.meta.url)

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(VECTORS_URL, renderVectors())
  console.log(`wrote ${VECTORS_URL.pathname}`)
}
