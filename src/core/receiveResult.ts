import type { Hex } from './bytes.ts'

/** Why a block was refused at ingress. */
export type IngressReject =
  | 'oversize'
  | 'malformed'
  | 'wrong-channel'
  | 'wrong-genesis'
  | 'not-participant'
  | 'bad-signature'
  | 'bad-rotation'
  | 'bad-prev'
  | 'bad-round'
  | 'too-deep'
  | 'below-floor'
  | 'expired-fork'
  | 'seq-out-of-range'
  | 'buffer-full'

export type ReceiveResult =
  | { status: 'accepted'; id: Hex }
  | { status: 'duplicate'; id: Hex }
  | { status: 'buffered'; id: Hex; missing: Hex[] }
  | { status: 'rejected'; reason: IngressReject; detail?: string }
