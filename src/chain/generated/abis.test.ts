import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ABIS_PATH, buildContracts, renderAbis } from '../../../scripts/genAbi.ts'

describe('generated ABIs', () => {
  it('match a fresh forge build of contracts/ (run `npm run gen:abi` when this fails)', () => {
    // incremental: about two seconds when contracts/out is current; from a clean clone a cold solc-js compile of
    // src/ (1–2 minutes on a busy 2-core machine)
    buildContracts()
    const committed = readFileSync(new URL(`../../../${ABIS_PATH}`, import.meta.url), 'utf8')
    const fresh = renderAbis()
    expect(committed === fresh, `${ABIS_PATH} is stale: run npm run gen:abi`).toBe(true)
  }, 600_000)
})
