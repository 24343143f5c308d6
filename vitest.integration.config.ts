import { defineConfig } from 'vitest/config'

/**
 * Integration tests: each file starts its own anvil on 127.0.0.1 (a free port), deploys the contracts and drives
 * them through src/chain with the channel core. Run with `npm run test:integration`.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.integration.test.ts'],
    pool: 'forks',
    // recover signatures with libsecp256k1 as Node entry points do (src/core/fastRecovery.ts)
    setupFiles: ['src/core/fastRecovery.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
