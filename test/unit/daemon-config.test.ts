import {describe, expect, it} from 'vitest'
import {homedir} from 'node:os'
import {join, resolve} from 'node:path'
import {ConfigError, parseListenAddress, resolveDaemonConfig} from '../../daemon/config.js'

describe('daemon configuration', () => {
  it.each([
    ['127.0.0.1:8080', {host: '127.0.0.1', port: 8080}],
    [':9000', {host: '0.0.0.0', port: 9000}],
    ['[::1]:0', {host: '::1', port: 0}],
    ['localhost:1', {host: 'localhost', port: 1}],
  ])('parses listen address %s', (value, expected) => {
    expect(parseListenAddress(value)).toEqual(expected)
  })

  it.each(['8080', 'host:', 'host:99999', 'a:b:c', '256.1.1.1:8080', '[::zz]:80', 'bad_host!:80', '1.2.3:80'])('rejects listen address %s', (value) => {
    expect(() => parseListenAddress(value)).toThrow(ConfigError)
  })

  it('defaults to 127.0.0.1:8080 and ~/.tokenhub', () => {
    const config = resolveDaemonConfig({}, {HOME: '/home/u'})
    expect(config).toMatchObject({host: '127.0.0.1', port: 8080, defaultMode: 'normal', defaultMaxBudgetUsd: 0, providerTimeoutSecs: 60})
    expect(config.dataDir).toMatch(/\.tokenhub$/)
  })

  it('takes flags over environment variables', () => {
    const env = {TOKENHUB_LISTEN_ADDR: '0.0.0.0:1', TOKENHUB_DEFAULT_MODE: 'cheap', TOKENHUB_DATA_DIR: '/env/dir', TOKENHUB_PROVIDER_TIMEOUT_SECS: '5'}
    expect(resolveDaemonConfig({}, env)).toMatchObject({host: '0.0.0.0', port: 1, defaultMode: 'cheap', dataDir: '/env/dir', providerTimeoutSecs: 5})
    expect(resolveDaemonConfig({listen: '127.0.0.1:2', defaultMode: 'fast', dataDir: '/flag', providerTimeoutSecs: 9}, env)).toMatchObject({
      port: 2,
      defaultMode: 'fast',
      dataDir: '/flag',
      providerTimeoutSecs: 9,
    })
  })

  it('expands a leading ~/ in the data dir (an EnvironmentFile does not), and refuses an empty --data-dir', () => {
    const home = homedir()
    expect(resolveDaemonConfig({}, {TOKENHUB_DATA_DIR: '~/th'}).dataDir).toBe(join(home, 'th'))
    expect(resolveDaemonConfig({dataDir: '~/flag'}, {}).dataDir).toBe(join(home, 'flag'))
    expect(resolveDaemonConfig({dataDir: 'relative'}, {}).dataDir).toBe(resolve('relative'))
    expect(() => resolveDaemonConfig({dataDir: ''}, {})).toThrow(ConfigError)
    expect(() => resolveDaemonConfig({dataDir: '  '}, {})).toThrow(/--data-dir is empty/)
  })

  it('refuses an admin token from the environment that rotation would refuse (short, spaces): exit 2, not a locked-out admin API', () => {
    expect(() => resolveDaemonConfig({}, {TOKENHUB_ADMIN_TOKEN: 'abc'})).toThrow(/TOKENHUB_ADMIN_TOKEN is not usable as the admin token: it must be at least 16 characters/)
    expect(() => resolveDaemonConfig({}, {TOKENHUB_ADMIN_TOKEN: 'has space token here'})).toThrow(/must not contain whitespace/)
    expect(resolveDaemonConfig({}, {TOKENHUB_ADMIN_TOKEN: 'a-long-enough-admin-token'}).adminToken).toBe('a-long-enough-admin-token')
  })

  it('explains bad values', () => {
    expect(() => resolveDaemonConfig({}, {TOKENHUB_DEFAULT_MODE: 'fastest'})).toThrow(/unknown routing mode "fastest"/)
    expect(() => resolveDaemonConfig({}, {TOKENHUB_DEFAULT_MAX_BUDGET_USD: 'lots'})).toThrow(/must be a number/)
    expect(() => resolveDaemonConfig({}, {TOKENHUB_LOG_LEVEL: 'loud'})).toThrow(/unknown log level/)
    expect(() => resolveDaemonConfig({}, {TOKENHUB_UPSTREAM_MAX_CONNECTIONS: '-1'})).toThrow(/TOKENHUB_UPSTREAM_MAX_CONNECTIONS must be >= 0/)
    // A bad flag is named as the flag the user typed, not as the variable.
    expect(() => resolveDaemonConfig({maxBodyBytes: -5}, {})).toThrow(/^--max-body-bytes must be >= 1024, got -5$/)
    expect(() => resolveDaemonConfig({}, {TOKENHUB_UPSTREAM_MAX_CONNECTIONS: '2.5'})).toThrow(/must be an integer/)
    // Past Node's longest timer a period or deadline would fire after 1 ms: a probe flood, no drain.
    expect(() => resolveDaemonConfig({}, {TOKENHUB_HEALTH_PROBE_SECS: '3000000'})).toThrow(/TOKENHUB_HEALTH_PROBE_SECS must be <= 2147483/)
    expect(() => resolveDaemonConfig({}, {TOKENHUB_HEALTH_PROBE_SECS: '0.001'})).toThrow(/0 \(off\) or at least 0.1/)
    expect(resolveDaemonConfig({}, {TOKENHUB_HEALTH_PROBE_SECS: '0'}).healthProbeSecs).toBe(0)
    expect(() => resolveDaemonConfig({}, {TOKENHUB_DRAIN_TIMEOUT_SECS: '1e300'})).toThrow(/must be <= 2147483/)
  })

  it('opens as many upstream connections as requests need unless capped', () => {
    expect(resolveDaemonConfig({}, {}).upstreamMaxConnections).toBe(0)
    expect(resolveDaemonConfig({}, {TOKENHUB_UPSTREAM_MAX_CONNECTIONS: '64'}).upstreamMaxConnections).toBe(64)
  })
})
