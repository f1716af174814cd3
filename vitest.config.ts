import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'src/**/*.test.ts', 'daemon/**/*.test.ts'],
    // uWS servers and spawned daemons behave best in separate processes (STACK-NOTES trap 13).
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: {NO_COLOR: '1'},
  },
})
