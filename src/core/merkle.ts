import { abiEncode } from './abi.ts'
import { compareBytes, type Hex, ZERO32 } from './bytes.ts'
import { keccak256 } from './hash.ts'

export type BalanceLeaf = { participant: Hex; token: Hex; amount: bigint }

/**
 * keccak256(bytes.concat(keccak256(abi.encode(channelId, version, participant, token, amount)))): double-hashed
 * so that no 64-byte internal node can pass as a leaf, bound to channel and version so that a proof cannot be
 * replayed against another channel or an older checkpoint.
 */
export function balanceLeafHash(channelId: Uint8Array, version: bigint, leaf: BalanceLeaf): Uint8Array {
  return keccak256(
    keccak256(
      abiEncode([
        { type: 'bytes32', value: channelId },
        { type: 'uint', value: version },
        { type: 'address', value: leaf.participant },
        { type: 'address', value: leaf.token },
        { type: 'uint', value: leaf.amount },
      ]),
    ),
  )
}

/** Commutative pair hash (OpenZeppelin's Hashes.commutativeKeccak256): keccak256(min ‖ max). */
export function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64)
  const [lo, hi] = compareBytes(a, b) <= 0 ? [a, b] : [b, a]
  buf.set(lo, 0)
  buf.set(hi, 32)
  return keccak256(buf)
}

/**
 * A Merkle tree over leaf hashes sorted ascending; an odd node is carried up unchanged. Proofs verify with
 * OpenZeppelin's MerkleProof.verify. The root of an empty tree is zero.
 */
export class MerkleTree {
  readonly levels: Uint8Array[][]

  constructor(leafHashes: Uint8Array[]) {
    const leaves = leafHashes.slice().sort(compareBytes)
    this.levels = [leaves]
    let level = leaves
    while (level.length > 1) {
      const next: Uint8Array[] = []
      for (let i = 0; i < level.length; i += 2)
        next.push(i + 1 < level.length ? hashPair(level[i]!, level[i + 1]!) : level[i]!)
      this.levels.push(next)
      level = next
    }
  }

  get root(): Uint8Array {
    return this.levels[this.levels.length - 1]![0] ?? ZERO32
  }

  /** Sibling hashes from the leaf up; throws if the leaf is not in the tree. */
  proof(leafHash: Uint8Array): Uint8Array[] {
    let i = this.levels[0]!.findIndex((l) => compareBytes(l, leafHash) === 0)
    if (i < 0) throw new Error('leaf not in tree')
    const out: Uint8Array[] = []
    for (let d = 0; d < this.levels.length - 1; d++) {
      const level = this.levels[d]!
      const sib = i ^ 1
      if (sib < level.length) out.push(level[sib]!)
      i >>= 1
    }
    return out
  }
}

export function verifyProof(proof: readonly Uint8Array[], root: Uint8Array, leafHash: Uint8Array): boolean {
  let h = leafHash
  for (const p of proof) h = hashPair(h, p)
  return compareBytes(h, root) === 0
}
