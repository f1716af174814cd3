import {afterEach, describe, expect, it, vi} from 'vitest'
import {outputWidth, renderTable, type Column} from '../../src/cli/table.js'
import {modelsTable} from '../../src/cli/render/resources.js'
import type {ModelDto} from '../../src/core/api-types.js'

describe('renderTable', () => {
  it('aligns columns by terminal width: a CJK name or an emoji takes two columns a character', () => {
    const rows = [{name: '支付服务', status: 'active'}, {name: 'ci-bot 🤖', status: 'revoked'}, {name: 'plain', status: 'active'}]
    const out = renderTable(rows, [{header: 'name', get: (r) => r.name}, {header: 'status', get: (r) => r.status}]).split('\n')
    // Every STATUS value starts in the same terminal column.
    const startColumn = (line: string, value: string) => [...line.slice(0, line.indexOf(value))].reduce((n, ch) => n + (/[\u3000-\u9fff]|\p{Extended_Pictographic}/u.test(ch) ? 2 : 1), 0)
    const columnsAt = out.slice(1).map((line, i) => startColumn(line, rows[i].status))
    expect(new Set(columnsAt).size).toBe(1)
    expect(startColumn(out[0], 'STATUS')).toBe(columnsAt[0])
  })

  it('fits a narrow terminal: drops the droppable columns right-most first, then cuts free text, never ids', () => {
    type Row = {id: string; name: string; created: string; status: string}
    const rows: Row[] = [{id: '3f9a0c1d2e4b5a69', name: 'a very long name that says who uses the key in detail', created: '2026-12-07', status: 'active'}]
    const columns: Column<Row>[] = [
      {header: 'id', get: (r) => r.id},
      {header: 'name', get: (r) => r.name, narrow: 'shrink'},
      {header: 'status', get: (r) => r.status},
      {header: 'created', get: (r) => r.created, narrow: 'drop'},
    ]
    const whole = renderTable(rows, columns, '', Number.POSITIVE_INFINITY)
    expect(whole.split('\n')[1]).toContain('in detail')
    expect(whole).toContain('CREATED')
    const narrow = renderTable(rows, columns, '', 60).split('\n')
    expect(narrow[0]).not.toContain('CREATED')
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(60)
    expect(narrow[1]).toContain('3f9a0c1d2e4b5a69')
    expect(narrow[1]).toContain('…')
    expect(narrow[1]).toContain('active')
    // Too narrow even then: ids and figures stay whole (the row wraps rather than lies).
    expect(renderTable(rows, columns, '', 20).split('\n')[1]).toContain('3f9a0c1d2e4b5a69')
  })
})

describe('tables on a terminal', () => {
  const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY')
  afterEach(() => {
    vi.unstubAllEnvs()
    if (tty) Object.defineProperty(process.stdout, 'isTTY', tty)
    else delete (process.stdout as {isTTY?: boolean}).isTTY
  })
  const onTerminal = () => Object.defineProperty(process.stdout, 'isTTY', {value: true, configurable: true})

  it('take the terminal width, or COLUMNS when it is set; a pipe gets whole rows whatever COLUMNS says', () => {
    const stream = {isTTY: true, columns: 120} as NodeJS.WriteStream
    expect(outputWidth(stream, {})).toBe(120)
    expect(outputWidth(stream, {COLUMNS: '60'})).toBe(60)
    expect(outputWidth(stream, {COLUMNS: 'wide'})).toBe(120)
    expect(outputWidth({isTTY: false} as NodeJS.WriteStream, {COLUMNS: '60'})).toBe(Number.POSITIVE_INFINITY)
  })

  it('the model list fits 80 columns with a realistic id (kind, weight, context and pricing give way), prices whole, $0 for free', () => {
    onTerminal()
    vi.stubEnv('COLUMNS', '80')
    const model = (id: string, input: number, output: number): ModelDto => ({
      id, provider_id: 'local-vllm', upstream_model: null, kind: 'chat', weight: 5, max_context_tokens: 32768, max_output_tokens: null,
      input_per_1k: input, output_per_1k: output, enabled: true, pricing_source: 'manual', created_at: '', updated_at: '',
    })
    const out = modelsTable([model('Qwen/Qwen2.5-Coder-32B-Instruct', 0, 0), model('gpt-4o-mini', 0.00015, 0.0006)]).split('\n')
    for (const line of out) expect(line.length).toBeLessThanOrEqual(80)
    expect(out[1]).toMatch(/^Qwen\/Qwen2\.5-Coder-32B-Instruct\s+local-vllm\s+.*\$0\s+\$0\s+yes$/)
    expect(out[2]).toContain('$0.0006')
    vi.stubEnv('COLUMNS', '200')
    expect(modelsTable([model('m', 0, 0)])).toContain('PRICING')
  })
})

describe('inertJson', () => {
  it('escapes C1 controls and bidirectional overrides inside strings, and parses back to the same value', async () => {
    const {inertJson} = await import('../../src/cli/style.js')
    const value = {model: '\u001b[2J\u009b31mred\u202egnp.exe', n: 1, list: ['plain', 'ünïcödé 名前']}
    const text = inertJson(value, true)
    expect(text).not.toMatch(/[\u007f-\u009f\u202e]/)
    expect(text).toContain('\\u009b31m')
    expect(text).toContain('\\u202e')
    expect(text).toContain('ünïcödé 名前')
    expect(JSON.parse(text)).toEqual(value)
  })
})

describe('inert', () => {
  it('escapes control characters and bidirectional overrides in client-chosen text, and leaves other text alone', async () => {
    const {inert} = await import('../../src/cli/style.js')
    expect(inert('gpt\u001b[31m')).toBe('gpt\\u001b[31m')
    // A right-to-left override would make the rest of a log line read backwards.
    expect(inert('model\u202eevil\u2066x\u200f')).toBe('model\\u202eevil\\u2066x\\u200f')
    expect(inert('claude-sonnet-4-5 café 模型')).toBe('claude-sonnet-4-5 café 模型')
  })
})
