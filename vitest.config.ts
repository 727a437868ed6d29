import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@property-services/source'] },
  ssr: { resolve: { conditions: ['@property-services/source'] } },
  test: {
    include: ['packages/*/{src,test}/**/*.spec.ts', 'examples/**/*.spec.ts'],
    testTimeout: 60_000,
  },
})
