import {describe, expect, it} from 'vitest'
import {renderTable, type Column} from '../../src/cli/table.js'

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

describe('inert', () => {
  it('escapes control characters and bidirectional overrides in client-chosen text, and leaves other text alone', async () => {
    const {inert} = await import('../../src/cli/style.js')
    expect(inert('gpt\u001b[31m')).toBe('gpt\\u001b[31m')
    // A right-to-left override would make the rest of a log line read backwards.
    expect(inert('model\u202eevil\u2066x\u200f')).toBe('model\\u202eevil\\u2066x\\u200f')
    expect(inert('claude-sonnet-4-5 café 模型')).toBe('claude-sonnet-4-5 café 模型')
  })
})
