import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // against a real anvil: `npm run test:integration` (vitest.integration.config.ts)
    exclude: [...configDefaults.exclude, 'src/**/*.integration.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    // recover signatures with libsecp256k1 as Node entry points do (src/core/fastRecovery.ts)
    setupFiles: ['src/core/fastRecovery.ts'],
  },
})
