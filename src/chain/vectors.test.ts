import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderVectors, VECTORS_URL } from '../../contracts/test/vectors/generate.ts'

describe('cross-language vectors (contracts/test/vectors/core.json)', () => {
  it('are what the current core writes (regenerate: npx tsx contracts/test/vectors/generate.ts)', () => {
    expect(readFileSync(VECTORS_URL, 'utf8') === renderVectors(), 'core.json is stale').toBe(true)
  })
})
