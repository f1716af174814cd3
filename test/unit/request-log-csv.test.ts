import {describe, expect, it} from 'vitest'
import {REQUEST_CSV_HEADER, requestCsvRow, type RequestLogRecord} from '../../src/core/request-log.js'

const record: RequestLogRecord = {
  request_id: 'r1',
  timestamp: '2026-12-01T00:00:00.000Z',
  api_key_id: 'k1',
  api_key_name: 'ci',
  endpoint: 'chat',
  mode: 'normal',
  requested_model: 'auto',
  alias_from: null,
  model_id: 'claude',
  provider_id: 'an',
  stream: false,
  status_code: 502,
  error_class: 'UPSTREAM_ERROR',
  error_message: 'upstream said "no", then\nquit',
  attempts: [{model_id: 'claude', provider_id: 'an', status: 502, error_class: 'UPSTREAM_ERROR', latency_ms: 10}],
  input_tokens: 1200,
  output_tokens: 3,
  total_tokens: 1203,
  cache_read_tokens: 1000,
  cache_write_tokens: 100,
  cost_usd: 0.0003,
  unpriced: false,
  usage_source: 'upstream',
  usage_flagged: true,
  latency_ms: 12,
  ttft_ms: null,
  token_bucket: null,
  reward: null,
}

describe('request log CSV', () => {
  it('keeps the existing columns where they were and appends the cache, flag and error columns', () => {
    expect(REQUEST_CSV_HEADER).toBe(
      'timestamp,request_id,api_key_id,api_key_name,endpoint,mode,requested_model,alias_from,model_id,provider_id,stream,status_code,error_class,input_tokens,output_tokens,total_tokens,cost_usd,unpriced,usage_source,latency_ms,ttft_ms,attempts,' +
        'cache_read_tokens,cache_write_tokens,usage_flagged,error_message\r\n',
    )
  })

  it('writes a record with its error message escaped, and empty cache cells for records older than them', () => {
    expect(requestCsvRow(record)).toBe(
      '2026-12-01T00:00:00.000Z,r1,k1,ci,chat,normal,auto,,claude,an,false,502,UPSTREAM_ERROR,1200,3,1203,0.0003,false,upstream,12,,1,1000,100,true,"upstream said ""no"", then\\u000aquit"\r\n',
    )
    const {cache_read_tokens: _r, cache_write_tokens: _w, ...old} = record
    expect(requestCsvRow({...old, error_message: '-1 tokens, said the upstream', usage_flagged: false})).toMatch(/,1,,,false,"'-1 tokens, said the upstream"\r\n$/)
  })
})
